"""Qwen3-Reranker as a cross-encoder: P("yes") from a causal LM's last position.

The input follows the official template exactly (system prompt, ``<Instruct>/<Query>/<Document>``
body, an empty think block); without it the model's scores are close to random.
"""

from __future__ import annotations

import functools
import inspect
import logging
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import torch

from qrag_desktop.core.errors import ModelLoadError
from qrag_desktop.core.jobs import JobControl
from qrag_desktop.core.models.device import batch_tokens_for, configure_cpu_threads, pick_device
from qrag_desktop.core.models.loading import resolve_model
from qrag_desktop.core.models.numerics import (
    ONNX_FORMATS,
    SAMPLE_QUERIES,
    Calibration,
    NumericDecision,
    check_precision,
    choose_format,
    convert_for_cpu,
    cpu_load_kwargs,
    gpu_dtype,
    quiet_quantized,
    rankings_agree,
    sample_candidates,
)
from qrag_desktop.core.settings import DEFAULT_TASK
from qrag_desktop.core.types import Progress

log = logging.getLogger(__name__)

PREFIX = (
    "<|im_start|>system\nJudge whether the Document meets the requirements based on the Query and the "
    'Instruct provided. Note that the answer can only be "yes" or "no".<|im_end|>\n<|im_start|>user\n'
)
SUFFIX = "<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n"
MAX_LENGTH = 8192  # prefix + body + suffix
QWEN_YES_ID = 9693
QWEN_NO_ID = 2152
QWEN_IM_START_ID = 151644
# Tokens of each passage the reranker reads. Chunks are at most 384 tokens plus their heading; on the
# shared eval set (30 questions, 258 chunks that contain an answer phrase) every phrase starts within
# the first 320 tokens of its chunk (98.4% within 256), so 320 drops no evidence there and trims the
# longest candidates, which cost the most.
DOC_TOKENS = 320
# Padded tokens per forward pass on a CPU: as for the embedder, two or three rows of a few hundred
# tokens run faster than one big batch (10 candidates, fp32, 2 cores: 24 s at 1024 against 45 s at 4096).
CPU_BATCH_TOKENS = 1024


def format_body(instruction: str, query: str, document: str) -> str:
    return f"<Instruct>: {instruction}\n<Query>: {query}\n<Document>: {document}"


def _dtype_for(device: str) -> torch.dtype:
    return gpu_dtype(device)


def shared_prefix_length(inputs: Sequence[Sequence[int]]) -> int:
    """Tokens every input starts with, leaving at least one token of each input to score.

    Taken from the token ids themselves rather than from the template's text, so the cached prefix
    is exactly what an uncached forward pass would read (BPE may merge across the text boundary).
    """
    if len(inputs) < 2:
        return 0
    first = inputs[0]
    limit = min(len(ids) for ids in inputs) - 1
    n = 0
    while n < limit and all(ids[n] == first[n] for ids in inputs):
        n += 1
    return n


def cache_argument(model: Any) -> str:
    """The name the model's forward pass takes its key/value cache by: ``cache`` from transformers
    5.24 (``past_key_values`` is deprecated there), ``past_key_values`` before."""
    cls: Any = type(model)
    return _cache_argument_of(cls)


@functools.cache
def _cache_argument_of(cls: Any) -> str:
    # Read once per model class, not on every forward pass.
    params = inspect.signature(cls.forward).parameters
    return "cache" if "cache" in params else "past_key_values"


def load_causal_lm(path: str, device: str, fmt: str) -> Any:
    """The reranking model in numeric format ``fmt`` (fp32/bf16/int8 on a CPU; half on a GPU), or for
    onnx-int8/onnx-fp32 an ONNX Runtime scorer of the exported yes/no graph."""
    if fmt in ONNX_FORMATS and device == "cpu":
        from qrag_desktop.core.models.onnx_backend import OnnxRerankScorer

        return OnnxRerankScorer(path, fmt)
    from transformers import AutoModelForCausalLM

    if device != "cpu":
        # Fused attention kernels (FlashAttention-backed on CUDA).
        model: Any = AutoModelForCausalLM.from_pretrained(
            path, dtype=gpu_dtype(device), attn_implementation="sdpa"
        )
        return model.to(device).eval()
    # The checkpoint's dtype, then block by block (see convert_for_cpu). For int8, the decoder layers
    # only: the output head is read for two rows ("yes", "no") and the embedding table is a lookup,
    # so quantizing them would cost quality and save nothing.
    model = AutoModelForCausalLM.from_pretrained(path, **cpu_load_kwargs(path))
    return convert_for_cpu(model, fmt, quantize_outside_blocks=False).eval()


class Reranker:
    """Scores (query, passage) pairs. Construction is cheap; ``warm_up`` loads the model."""

    def __init__(
        self,
        model: str | os.PathLike[str],
        *,
        device: str = "auto",
        instruction: str | None = None,
        max_doc_tokens: int = DOC_TOKENS,
        batch_size: int = 8,
        precision: str = "auto",
    ) -> None:
        self._model_id = os.fspath(model)
        self._device_pref = device
        self.instruction = instruction or DEFAULT_TASK
        self.max_doc_tokens = max(1, int(max_doc_tokens))
        self.batch_size = max(1, int(batch_size))
        self.precision = check_precision(precision)
        self.numeric: NumericDecision | None = None  # set by warm_up
        self._batch_tokens = CPU_BATCH_TOKENS  # padded tokens per forward pass; from free memory on a GPU
        self.share_prefix = True  # compute the prefix all candidates share once (off only to measure it)
        self._lock = threading.Lock()
        self._model: Any = None
        self._tokenizer: Any = None
        self._device: str | None = None
        self._prefix_ids: list[int] = []
        self._suffix_ids: list[int] = []
        self._yes_id = QWEN_YES_ID
        self._no_id = QWEN_NO_ID

    # -- loading ---------------------------------------------------------------------------------

    def _load_error(self, exc: BaseException) -> ModelLoadError:
        return ModelLoadError(
            f"The reranking model {self._model_id!r} could not be loaded.",
            cause=exc,
            hint="Check that the folder holds a complete causal language model such as Qwen3-Reranker.",
        )

    def prepare(self, control: JobControl | None = None) -> Iterator[Progress]:
        """What loading needs first, with progress: the one-off ONNX export when this machine's
        format may be ONNX Runtime. Cancelled through ``control``; ``warm_up`` runs it when nobody did."""
        if self._model is not None:
            return
        from qrag_desktop.core.models.onnx_export import prepare_for_load

        yield from prepare_for_load("reranker", self._model_id, self._device_pref, self.precision, control)

    def warm_up(self) -> None:
        """Load tokenizer and model once; safe from several threads, a no-op when already loaded."""
        if self._model is not None:
            return
        with self._lock:
            if self._model is not None:
                return
            for _ in self.prepare():
                pass
            path = resolve_model(self._model_id)
            device = pick_device(self._device_pref)
            if device == "cpu":
                configure_cpu_threads()
            try:
                from transformers import AutoTokenizer

                tokenizer = AutoTokenizer.from_pretrained(str(path), padding_side="left")
            except Exception as exc:  # bad files, out of memory, not a causal LM
                raise self._load_error(exc) from exc
            tokenizer.padding_side = "left"
            if tokenizer.pad_token_id is None:
                tokenizer.pad_token = tokenizer.eos_token
            self._yes_id, self._no_id = self._answer_ids(tokenizer)
            self._prefix_ids = tokenizer.encode(PREFIX, add_special_tokens=False)
            self._suffix_ids = tokenizer.encode(SUFFIX, add_special_tokens=False)
            self._tokenizer = tokenizer
            self._device = device
            self._batch_tokens = batch_tokens_for(
                device, per_token_bytes=256 * 1024, cpu_default=CPU_BATCH_TOKENS
            )
            try:
                model, self.numeric = self._choose_numeric(str(path), device)
            except Exception as exc:  # bad files, out of memory, not a causal LM
                raise self._load_error(exc) from exc
            log.info(
                "Loaded reranking model %s on %s (%s: %s)",
                self._model_id,
                device,
                self.numeric.format,
                self.numeric.reason,
            )
            self._model = model

    def _choose_numeric(self, path: str, device: str) -> tuple[Any, NumericDecision]:
        """Measure fp32 against the faster formats on sample queries (once per machine; cached)."""

        candidates = sample_candidates()

        def scores(model: Any, queries: Sequence[str], documents: Sequence[str]) -> list[list[float]]:
            saved = self._model
            self._model = model
            try:
                return [self.score(q, documents) for q in queries]
            finally:
                self._model = saved

        calibration = Calibration(
            load=lambda fmt: load_causal_lm(path, device, fmt),
            probe=lambda model: scores(model, SAMPLE_QUERIES, candidates),
            agree=rankings_agree,
            warm_up=lambda model: scores(model, SAMPLE_QUERIES[:1], candidates[:2]),
        )
        return choose_format(
            self.precision,
            kind="reranker",
            model_path=path,
            device=device,
            calibration=calibration,
        )

    def _answer_ids(self, tokenizer: Any) -> tuple[int, int]:
        yes, no = tokenizer.convert_tokens_to_ids("yes"), tokenizer.convert_tokens_to_ids("no")
        unk = tokenizer.unk_token_id
        if not isinstance(yes, int) or not isinstance(no, int) or unk in (yes, no) or yes == no:
            raise ModelLoadError(
                f"The reranking model {self._model_id!r} has no single 'yes'/'no' tokens, "
                "so it cannot be a Qwen3-style reranker."
            )
        if tokenizer.convert_tokens_to_ids("<|im_start|>") == QWEN_IM_START_ID and (yes, no) != (
            QWEN_YES_ID,
            QWEN_NO_ID,
        ):
            raise ModelLoadError(
                f"The reranking model {self._model_id!r} has a Qwen vocabulary with unexpected "
                f"'yes'/'no' ids ({yes}, {no}); expected ({QWEN_YES_ID}, {QWEN_NO_ID})."
            )
        return yes, no

    # -- properties ------------------------------------------------------------------------------

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def device(self) -> str:
        return self._device if self._device is not None else pick_device(self._device_pref)

    @property
    def tokenizer(self) -> Any:
        self.warm_up()
        return self._tokenizer

    # -- inputs ----------------------------------------------------------------------------------

    def _truncate_document(self, document: str) -> str:
        """Cut the passage after ``max_doc_tokens`` tokens, at a character boundary."""
        return self._truncate_documents([document])[0]

    def _truncate_documents(self, documents: Sequence[str]) -> list[str]:
        if not documents:
            return []
        enc = self._tokenizer(list(documents), add_special_tokens=False, return_offsets_mapping=True)
        out = []
        for doc, offsets in zip(documents, enc["offset_mapping"], strict=True):
            cut = len(offsets) > self.max_doc_tokens
            out.append(doc[: offsets[self.max_doc_tokens - 1][1]] if cut else doc)
        return out

    def build_inputs(self, query: str, documents: Sequence[str]) -> list[list[int]]:
        """Token ids fed to the model, one list per document, before padding.

        ``prefix_ids + body_ids + suffix_ids`` with prefix and suffix tokenized on their own, as in
        the official example. Only the body is truncated, so the question the model answers
        (the suffix) is always intact.
        """
        self.warm_up()
        if not documents:
            return []
        budget = MAX_LENGTH - len(self._prefix_ids) - len(self._suffix_ids)
        bodies = [format_body(self.instruction, query, doc) for doc in self._truncate_documents(documents)]
        encoded = self._tokenizer(bodies, add_special_tokens=False)["input_ids"]
        return [self._prefix_ids + list(body_ids[:budget]) + self._suffix_ids for body_ids in encoded]

    # -- scoring ---------------------------------------------------------------------------------

    @torch.inference_mode()
    def _score_ids(self, batch: list[list[int]]) -> list[float]:
        """P(yes) for each left-padded sequence, from the last position's logits only."""
        width = max(len(ids) for ids in batch)
        pad = int(self._tokenizer.pad_token_id)
        input_ids = torch.full((len(batch), width), pad, dtype=torch.long)
        attention = torch.zeros((len(batch), width), dtype=torch.long)
        for row, ids in enumerate(batch):
            input_ids[row, width - len(ids) :] = torch.tensor(ids, dtype=torch.long)
            attention[row, width - len(ids) :] = 1
        # Positions count real tokens only, so a padded row is computed like the same row alone.
        positions = (attention.cumsum(dim=1) - 1).clamp(min=0)
        out = self._model(
            input_ids=input_ids.to(self._device),
            attention_mask=attention.to(self._device),
            position_ids=positions.to(self._device),
            logits_to_keep=1,
            use_cache=False,
        )
        last = out.logits[:, -1, :].float()
        scores = torch.sigmoid(last[:, self._yes_id] - last[:, self._no_id])
        return [float(s) for s in scores.cpu()]

    def _answer_rows(self) -> torch.Tensor:
        """The output head's rows for "yes" and "no": the only logits the score needs."""
        head = self._model.get_output_embeddings().weight
        return head[[self._yes_id, self._no_id]].float()

    @torch.inference_mode()
    def _prefix_cache(self, prefix: list[int]) -> Any:
        """The key/value cache of the tokens every candidate shares (system prompt, instruction,
        query), computed once per query."""
        from transformers import DynamicCache

        cache = DynamicCache(config=self._model.config)
        ids = torch.tensor([prefix], dtype=torch.long, device=self._device)
        with quiet_quantized():
            self._model.model(input_ids=ids, use_cache=True, **{cache_argument(self._model.model): cache})
        return cache

    @torch.inference_mode()
    def _score_suffixes(self, cache: Any, prefix_len: int, rows: list[list[int]]) -> list[float]:
        """P(yes) for inputs ``prefix + row``: the rows are right-padded after the shared prefix,
        and each row is read at its own last real token.

        With right padding and a causal model, a real token never sees a pad, so no padding mask
        is needed and positions simply continue from the prefix.
        """
        from transformers import DynamicCache

        width = max(len(ids) for ids in rows)
        n = len(rows)
        pad = int(self._tokenizer.pad_token_id)
        input_ids = torch.full((n, width), pad, dtype=torch.long)
        for row, ids in enumerate(rows):
            input_ids[row, : len(ids)] = torch.tensor(ids, dtype=torch.long)
        last = torch.tensor([len(ids) - 1 for ids in rows], dtype=torch.long)
        positions = (torch.arange(width, dtype=torch.long) + prefix_len).expand(n, width)
        attention = torch.ones((n, prefix_len + width), dtype=torch.long)
        past = None
        if cache is not None and prefix_len:
            layers = [(kv.keys.expand(n, -1, -1, -1), kv.values.expand(n, -1, -1, -1)) for kv in cache.layers]
            past = DynamicCache(ddp_cache_data=layers, config=self._model.config)
        with quiet_quantized():
            hidden = self._model.model(
                input_ids=input_ids.to(self._device),
                attention_mask=attention.to(self._device),
                position_ids=positions.to(self._device),
                use_cache=past is not None,
                **{cache_argument(self._model.model): past},
            ).last_hidden_state
        picked = hidden[torch.arange(n), last.to(hidden.device)].float()
        logits = picked @ self._answer_rows().T  # (n, 2): "yes", "no"
        scores = torch.sigmoid(logits[:, 0] - logits[:, 1])
        return [float(s) for s in scores.cpu()]

    def _packs(self, rows: list[list[int]]) -> list[list[int]]:
        """Row indices grouped longest first, so a forward pass pads little and stays within the
        padded-token budget."""
        order = sorted(range(len(rows)), key=lambda i: len(rows[i]), reverse=True)
        packs: list[list[int]] = []
        for i in order:
            if packs and (len(packs[-1]) + 1) * len(rows[packs[-1][0]]) <= self._batch_tokens:
                packs[-1].append(i)
            else:
                packs.append([i])
        return packs

    def _on_onnx(self) -> bool:
        return hasattr(self._model, "session")  # an OnnxRerankScorer (see onnx_backend)

    def _score_rows(self, cache: Any, prefix_len: int, rows: list[list[int]]) -> list[float]:
        scores = [0.0] * len(rows)
        onnx = self._on_onnx()
        pad = int(self._tokenizer.pad_token_id)
        for pack in self._packs(rows):
            picked = [rows[i] for i in pack]
            if onnx:  # whole rows, left-padded: the graph reads the last position
                pack_scores = self._model.score(picked, pad)
            else:
                pack_scores = self._score_suffixes(cache, prefix_len, picked)
            for i, s in zip(pack, pack_scores, strict=True):
                scores[i] = s
        return scores

    def score_batches(
        self, query: str, documents: Sequence[str], *, sizes: Callable[[int], int] | None = None
    ) -> Iterator[tuple[int, list[float]]]:
        """Score in batches of ``batch_size``, yielding ``(start, scores)`` after each.

        ``scores[i]`` belongs to ``documents[start + i]``; the caller can stop between batches.
        ``sizes(scored)``, when given, sets each batch's size from the number scored so far (at most
        ``batch_size``; 0 or less stops): a time budget sizes its batches by what is left of it. The
        prefix all candidates share is computed once for the whole call; within a batch, rows are
        run longest first in padded-token-bounded packs.
        """
        self.warm_up()
        if not documents:
            return
        inputs = self.build_inputs(query, documents)
        # The ONNX graph has no key/value cache input: it reads whole rows (see onnx_backend).
        prefix_len = shared_prefix_length(inputs) if self.share_prefix and not self._on_onnx() else 0
        cache = self._prefix_cache(inputs[0][:prefix_len]) if prefix_len else None
        rows = [ids[prefix_len:] for ids in inputs]
        start = 0
        while start < len(rows):
            size = self.batch_size if sizes is None else min(self.batch_size, sizes(start))
            if size <= 0:
                return
            yield start, self._score_rows(cache, prefix_len, rows[start : start + size])
            start += size

    def score(self, query: str, documents: Sequence[str]) -> list[float]:
        """P(yes) per document, in the order given."""
        scores: list[float] = []
        for _, batch_scores in self.score_batches(query, documents):
            scores.extend(batch_scores)
        return scores
