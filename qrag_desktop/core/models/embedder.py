"""Dense embeddings with sentence-transformers: instruction-prompted queries, plain documents.

Qwen3-Embedding (last-token pooling, left padding, L2-normalized, Matryoshka dims) is the default;
any sentence-transformers model (e.g. all-MiniLM-L6-v2) works the same way.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from qrag_desktop.core.errors import ConfigError, ModelLoadError
from qrag_desktop.core.jobs import JobControl
from qrag_desktop.core.models.device import batch_tokens_for, configure_cpu_threads, pick_device
from qrag_desktop.core.models.loading import resolve_model
from qrag_desktop.core.models.numerics import (
    ONNX_FORMATS,
    SAMPLE_PASSAGES,
    Calibration,
    NumericDecision,
    check_precision,
    choose_format,
    convert_for_cpu,
    cpu_load_kwargs,
    embeddings_agree,
    gpu_dtype,
    quiet_quantized,
    sample_chunks,
)
from qrag_desktop.core.types import Progress

log = logging.getLogger(__name__)

MIN_DIM = 32
# Padded tokens per forward pass on a CPU. Measured on 2 cores with the Qwen3-0.6B shape and chunks
# of 120-380 tokens (int8): 400 and 800 tokens ran at 238-240 tokens/s, 1600 at 224, 3200 at 201,
# 8192 at about 85: big batches overflow the caches with activations and pad more. With ONNX int8,
# embedding the 476 chunks of a 40-file folder took 197-199 s at 512 against 194-195 s at 1024, and
# its peak was 80 MB lower (114 MB with memory patterns off, see onnx_backend.new_session). So a
# CPU batch holds one to three chunks; a GPU's budget comes from its free memory.
CPU_BATCH_TOKENS = 512
# Qwen3-Embedding's query prompt: "Instruct: {task}\nQuery:" (no space after "Query:").
_INSTRUCT_PROMPT = re.compile(r"^Instruct: (?P<task>.*)\nQuery:$", re.DOTALL)


@dataclass(frozen=True)
class EmbedBatch:
    """One batch of document vectors; ``indices`` are positions in the texts given to ``embed_documents``."""

    indices: npt.NDArray[np.int64]
    vectors: npt.NDArray[np.float32]  # shape (len(indices), dimension), rows L2-normalized


def instruct_prompt(task: str) -> str:
    """The Qwen3-Embedding query prompt for ``task``."""
    return f"Instruct: {task}\nQuery:"


def _normalize(vectors: npt.NDArray[Any], dim: int) -> npt.NDArray[np.float32]:
    """Keep the first ``dim`` components (Matryoshka) and re-normalize to unit length."""
    v = np.asarray(vectors, dtype=np.float32)[..., :dim]
    norms = np.linalg.norm(v, axis=-1, keepdims=True)
    return np.ascontiguousarray(v / np.maximum(norms, 1e-12), dtype=np.float32)


def load_sentence_transformer(path: str, device: str, fmt: str) -> Any:
    """A SentenceTransformer in numeric format ``fmt`` (fp32/bf16/int8 on a CPU; half on a GPU), or
    for onnx-int8/onnx-fp32 an ONNX Runtime session that offers what the Embedder uses of one."""
    if fmt in ONNX_FORMATS and device == "cpu":
        from qrag_desktop.core.models.onnx_backend import OnnxSentenceEncoder

        return OnnxSentenceEncoder(path, fmt)
    from sentence_transformers import SentenceTransformer

    if device != "cpu":
        model_kwargs: dict[str, Any] = {"dtype": gpu_dtype(device), "attn_implementation": "sdpa"}
        return SentenceTransformer(path, device=device, model_kwargs=model_kwargs)
    # Loaded in the checkpoint's dtype, then converted block by block: never the checkpoint's bf16
    # left as it is on a CPU without native bf16 (emulated, several times slower than fp32), and
    # never a whole fp32 copy beside it (see convert_for_cpu).
    st = SentenceTransformer(path, device=device, model_kwargs=cpu_load_kwargs(path))
    convert_for_cpu(st[0].auto_model, fmt)  # type: ignore[arg-type]  # the transformer; pooling has no weights
    return st


def _uses_last_token_pooling(st: Any) -> bool:
    mode = getattr(st, "pooling_mode", None)  # the ONNX encoder names its pooling itself
    if isinstance(mode, str):
        return mode == "lasttoken"
    for module in st:
        mode = getattr(module, "pooling_mode", None)
        if mode == "lasttoken" or (isinstance(mode, tuple) and "lasttoken" in mode):
            return True
    return False


class Embedder:
    """Turns queries and passages into unit vectors. Construction is cheap; ``warm_up`` loads the model."""

    def __init__(
        self,
        model: str | os.PathLike[str],
        *,
        device: str = "auto",
        dim: int | None = None,
        query_instruction: str | None = None,
        precision: str = "auto",
    ) -> None:
        if dim is not None and dim < MIN_DIM:
            raise ConfigError(
                f"The embedding size {dim} is too small.",
                hint=f"Use at least {MIN_DIM} dimensions, or leave it empty for the model's full size.",
            )
        self._model_id = os.fspath(model)
        self._device_pref = device
        self._dim = dim
        self._query_instruction = query_instruction
        self.precision = check_precision(precision)
        self.numeric: NumericDecision | None = None  # set by warm_up
        self._lock = threading.Lock()
        self._st: Any = None  # sentence_transformers.SentenceTransformer once warmed up
        self._device: str | None = None
        self._batch_tokens = CPU_BATCH_TOKENS
        self._full_dim: int | None = None
        self._query_prompt: str | None = None
        self._document_prompt: str | None = None

    # -- loading ---------------------------------------------------------------------------------

    def prepare(self, control: JobControl | None = None) -> Iterator[Progress]:
        """What loading needs first, with progress: the one-off ONNX export when this machine's
        format may be ONNX Runtime ("Preparing the model for this computer, once"). Cancelled
        through ``control``; ``warm_up`` runs it without progress when nobody did."""
        if self._st is not None:
            return
        from qrag_desktop.core.models.onnx_export import prepare_for_load

        yield from prepare_for_load("embedder", self._model_id, self._device_pref, self.precision, control)

    def warm_up(self) -> None:
        """Load the model once; safe to call from several threads, a no-op when already loaded."""
        if self._st is not None:
            return
        with self._lock:
            if self._st is not None:
                return
            for _ in self.prepare():
                pass
            path = resolve_model(self._model_id)
            device = pick_device(self._device_pref)
            if device == "cpu":
                configure_cpu_threads()
            try:
                st, decision = self._load(str(path), device)
            except Exception as exc:  # bad files, out of memory, not an embedding model
                raise ModelLoadError(
                    f"The embedding model {self._model_id!r} could not be loaded.",
                    cause=exc,
                    hint="Check that the folder holds a complete sentence-transformers model.",
                ) from exc
            full = st.get_embedding_dimension()
            if not full:
                raise ModelLoadError(f"The embedding model {self._model_id!r} does not report its size.")
            self._check_dim(int(full))
            tokenizer = st.tokenizer
            if tokenizer is None:
                raise ModelLoadError(f"The embedding model {self._model_id!r} has no text tokenizer.")
            if _uses_last_token_pooling(st):
                # As in Qwen3-Embedding's official usage: every row ends in its real last token. The
                # published tokenizer_config may not say so, and the pooling would cope either way.
                tokenizer.padding_side = "left"
            self._query_prompt = self._resolve_query_prompt(st.prompts)
            self._document_prompt = next(
                (st.prompts[name] for name in ("document", "passage", "corpus") if st.prompts.get(name)), None
            )
            self._full_dim = int(full)
            self._device = device
            self._batch_tokens = batch_tokens_for(
                device, per_token_bytes=128 * 1024, cpu_default=CPU_BATCH_TOKENS
            )
            self.numeric = decision
            log.info(
                "Loaded embedding model %s on %s (dim %d of %d, max %s tokens, padding %s, %s: %s)",
                self._model_id,
                device,
                self.dimension,
                full,
                st.max_seq_length,
                tokenizer.padding_side,
                decision.format,
                decision.reason,
            )
            self._st = st

    def _load(self, path: str, device: str) -> tuple[Any, NumericDecision]:
        """Load, then pick the numeric format by measuring on sample passages (cached per machine)."""

        chunks = sample_chunks()

        def probe(st: Any) -> Any:
            # Short passages and chunk-sized texts, batched as embed_documents batches them on a CPU.
            if _uses_last_token_pooling(st):
                st.tokenizer.padding_side = "left"
            short = st.encode(
                list(SAMPLE_PASSAGES),
                batch_size=len(SAMPLE_PASSAGES),
                convert_to_numpy=True,
                show_progress_bar=False,
            )
            long = st.encode(chunks, batch_size=len(chunks), convert_to_numpy=True, show_progress_bar=False)
            return np.concatenate([short, long])

        calibration = Calibration(
            load=lambda fmt: load_sentence_transformer(path, device, fmt), probe=probe, agree=embeddings_agree
        )
        return choose_format(
            self.precision,
            kind="embedder",
            model_path=path,
            device=device,
            calibration=calibration,
        )

    def _check_dim(self, full: int) -> None:
        if self._dim is not None and not MIN_DIM <= self._dim <= full:
            raise ConfigError(
                f"The embedding size {self._dim} does not fit the model {self._model_id!r}, "
                f"which gives {full} dimensions.",
                hint=f"Choose a size from {MIN_DIM} to {full}, or leave it empty.",
            )

    def _resolve_query_prompt(self, prompts: dict[str, str | None]) -> str | None:
        model_prompt = prompts.get("query") or None
        wanted = self._query_instruction
        if model_prompt is None or not wanted:
            return model_prompt
        match = _INSTRUCT_PROMPT.match(model_prompt)
        if match is None:
            log.info("Model %s has its own query prompt; the instruction is not used", self._model_id)
            return model_prompt
        return model_prompt if match.group("task") == wanted else instruct_prompt(wanted)

    def _require(self) -> Any:
        self.warm_up()
        return self._st

    # -- properties ------------------------------------------------------------------------------

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def dimension(self) -> int:
        """The vector size stored in the index; read from the model's files when not yet loaded."""
        if self._full_dim is None:
            self._full_dim = self._read_full_dim()
            self._check_dim(self._full_dim)
        return self._dim if self._dim is not None else self._full_dim

    def _read_full_dim(self) -> int:
        if self._st is not None:
            return int(self._st.get_embedding_dimension())
        path = resolve_model(self._model_id)
        for name, key in (
            ("1_Pooling/config.json", "word_embedding_dimension"),
            ("config.json", "hidden_size"),
        ):
            try:
                value = json.loads((path / name).read_text(encoding="utf-8")).get(key)
            except (OSError, ValueError):
                continue
            if isinstance(value, int):
                return value
        return int(self._require().get_embedding_dimension())  # unusual layout: ask the loaded model

    @property
    def tokenizer(self) -> Any:
        """The Hugging Face tokenizer (loads the model)."""
        return self._require().tokenizer

    @property
    def max_tokens(self) -> int:
        """Longest input the model reads; longer texts are truncated."""
        return int(self._require().max_seq_length)

    @property
    def device(self) -> str:
        return self._device if self._device is not None else pick_device(self._device_pref)

    @property
    def query_prompt(self) -> str | None:
        """The text put before every query (None: queries are embedded as they are)."""
        self._require()
        return self._query_prompt

    @property
    def document_prompt(self) -> str | None:
        self._require()
        return self._document_prompt

    # -- embedding -------------------------------------------------------------------------------

    def embed_query(self, text: str) -> npt.NDArray[np.float32]:
        """A unit vector of shape (dimension,) for one search query, with the model's instruction."""
        st = self._require()
        # "" (not None) so that a model's default_prompt_name can never slip in unasked.
        with quiet_quantized():
            vector = st.encode(
                [text], prompt=self._query_prompt or "", convert_to_numpy=True, show_progress_bar=False
            )
        return _normalize(vector, self.dimension)[0]

    def token_lengths(self, texts: Sequence[str], *, prompt: str | None = None) -> list[int]:
        """Tokens each text takes in the model (with prompt and special tokens, after truncation)."""
        st = self._require()
        prefix = prompt or ""
        encoded = st.tokenizer(
            [prefix + t for t in texts],
            add_special_tokens=True,
            truncation=True,
            max_length=st.max_seq_length,
        )["input_ids"]
        return [len(ids) for ids in encoded]

    @property
    def batch_tokens(self) -> int:
        """Padded tokens per forward pass on this device (loads the model)."""
        self._require()
        return self._batch_tokens

    def embed_documents(
        self, texts: Sequence[str], *, batch_tokens: int | None = None
    ) -> Iterator[EmbedBatch]:
        """Embed passages batch by batch, yielding after each so the caller can report and cancel.

        Texts are sorted by length and packed so that a batch's padded size (rows x longest row)
        stays within ``batch_tokens`` (default: the device's budget, see ``CPU_BATCH_TOKENS``): little
        padding, bounded memory. ``EmbedBatch.indices`` map the rows back to ``texts``.
        """
        if not texts:
            return
        st = self._require()
        budget = batch_tokens or self._batch_tokens
        dim = self.dimension
        lengths = self.token_lengths(texts, prompt=self._document_prompt)
        order = np.argsort(-np.asarray(lengths), kind="stable")
        batch: list[int] = []
        longest = 0
        for idx in order.tolist():
            # Sorted longest first, so the first row of a batch sets its padded length.
            longest = max(longest, lengths[idx])
            if batch and (len(batch) + 1) * longest > budget:
                yield self._encode_batch(st, texts, batch, dim)
                batch, longest = [], lengths[idx]
            batch.append(idx)
        if batch:
            yield self._encode_batch(st, texts, batch, dim)

    def _encode_batch(self, st: Any, texts: Sequence[str], batch: list[int], dim: int) -> EmbedBatch:
        with quiet_quantized():
            vectors = st.encode(
                [texts[i] for i in batch],
                prompt=self._document_prompt or "",
                batch_size=len(batch),
                convert_to_numpy=True,
                show_progress_bar=False,  # the app shows its own progress
            )
        return EmbedBatch(indices=np.asarray(batch, dtype=np.int64), vectors=_normalize(vectors, dim))

    def embed_all(self, texts: Sequence[str], *, batch_tokens: int | None = None) -> npt.NDArray[np.float32]:
        """All passage vectors at once, in the order of ``texts`` (shape (len(texts), dimension))."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for batch in self.embed_documents(texts, batch_tokens=batch_tokens):
            out[batch.indices] = batch.vectors
        return out
