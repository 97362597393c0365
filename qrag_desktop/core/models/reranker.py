"""Qwen3-Reranker as a cross-encoder: P("yes") from a causal LM's last position.

The input follows the official template exactly (system prompt, ``<Instruct>/<Query>/<Document>``
body, an empty think block); without it the model's scores are close to random.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import torch

from qrag_desktop.core.errors import ModelLoadError
from qrag_desktop.core.models.device import configure_cpu_threads, pick_device
from qrag_desktop.core.models.loading import resolve_model
from qrag_desktop.core.settings import DEFAULT_TASK

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


def format_body(instruction: str, query: str, document: str) -> str:
    return f"<Instruct>: {instruction}\n<Query>: {query}\n<Document>: {document}"


def _dtype_for(device: str) -> torch.dtype:
    if device.startswith("cuda"):
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    if device == "mps":
        return torch.float16
    return torch.float32


class Reranker:
    """Scores (query, passage) pairs. Construction is cheap; ``warm_up`` loads the model."""

    def __init__(
        self,
        model: str | os.PathLike[str],
        *,
        device: str = "auto",
        instruction: str | None = None,
        max_doc_tokens: int = 512,
        batch_size: int = 8,
    ) -> None:
        self._model_id = os.fspath(model)
        self._device_pref = device
        self.instruction = instruction or DEFAULT_TASK
        self.max_doc_tokens = max(1, int(max_doc_tokens))
        self.batch_size = max(1, int(batch_size))
        self._lock = threading.Lock()
        self._model: Any = None
        self._tokenizer: Any = None
        self._device: str | None = None
        self._prefix_ids: list[int] = []
        self._suffix_ids: list[int] = []
        self._yes_id = QWEN_YES_ID
        self._no_id = QWEN_NO_ID

    # -- loading ---------------------------------------------------------------------------------

    def warm_up(self) -> None:
        """Load tokenizer and model once; safe from several threads, a no-op when already loaded."""
        if self._model is not None:
            return
        with self._lock:
            if self._model is not None:
                return
            path = resolve_model(self._model_id)
            device = pick_device(self._device_pref)
            if device == "cpu":
                configure_cpu_threads()
            try:
                from transformers import AutoModelForCausalLM, AutoTokenizer

                tokenizer = AutoTokenizer.from_pretrained(str(path), padding_side="left")
                model: Any = AutoModelForCausalLM.from_pretrained(str(path), dtype=_dtype_for(device))
                model.to(device).eval()
            except Exception as exc:  # bad files, out of memory, not a causal LM
                raise ModelLoadError(
                    f"The reranking model {self._model_id!r} could not be loaded.",
                    cause=exc,
                    hint="Check that the folder holds a complete causal language model "
                    "such as Qwen3-Reranker.",
                ) from exc
            tokenizer.padding_side = "left"
            if tokenizer.pad_token_id is None:
                tokenizer.pad_token = tokenizer.eos_token
            self._yes_id, self._no_id = self._answer_ids(tokenizer)
            self._prefix_ids = tokenizer.encode(PREFIX, add_special_tokens=False)
            self._suffix_ids = tokenizer.encode(SUFFIX, add_special_tokens=False)
            self._tokenizer = tokenizer
            self._device = device
            log.info("Loaded reranking model %s on %s (%s)", self._model_id, device, model.dtype)
            self._model = model

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
        enc = self._tokenizer(document, add_special_tokens=False, return_offsets_mapping=True)
        offsets = enc["offset_mapping"]
        if len(offsets) <= self.max_doc_tokens:
            return document
        return document[: offsets[self.max_doc_tokens - 1][1]]

    def build_inputs(self, query: str, documents: Sequence[str]) -> list[list[int]]:
        """Token ids fed to the model, one list per document, before padding.

        ``prefix_ids + body_ids + suffix_ids`` with prefix and suffix tokenized on their own, as in
        the official example. Only the body is truncated, so the question the model answers
        (the suffix) is always intact.
        """
        self.warm_up()
        budget = MAX_LENGTH - len(self._prefix_ids) - len(self._suffix_ids)
        inputs = []
        for doc in documents:
            body = format_body(self.instruction, query, self._truncate_document(doc))
            body_ids = self._tokenizer.encode(body, add_special_tokens=False)[:budget]
            inputs.append(self._prefix_ids + body_ids + self._suffix_ids)
        return inputs

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

    def score_batches(self, query: str, documents: Sequence[str]) -> Iterator[tuple[int, list[float]]]:
        """Score in batches of ``batch_size``, yielding ``(start, scores)`` after each.

        ``scores[i]`` belongs to ``documents[start + i]``; the caller can stop between batches.
        """
        self.warm_up()
        for start in range(0, len(documents), self.batch_size):
            chunk = documents[start : start + self.batch_size]
            yield start, self._score_ids(self.build_inputs(query, chunk))

    def score(self, query: str, documents: Sequence[str]) -> list[float]:
        """P(yes) per document, in the order given."""
        scores: list[float] = []
        for _, batch_scores in self.score_batches(query, documents):
            scores.extend(batch_scores)
        return scores
