"""ONNX Runtime sessions on the CPU for the embedder and the reranker (graphs from ``onnx_export``).

One session per model, shared by every thread that embeds or scores (``InferenceSession.run`` is
thread-safe), with as many intra-op threads as torch uses (one per physical core) and no spinning:
idle ORT threads would otherwise burn the cores the window and the parser need. Only the session
and the tokenizer are in memory, no torch copy of the model.

Reranking with a shared-prefix cache (system prompt, instruction and query computed once per
query, as the torch path does) is not done here. What was measured: on the real template with
the real Qwen vocabulary, the 30 shared questions and ten ~250-token chunks, the prefix all
candidates share is 73 tokens of a 318-token row (23%; about 18% with 320-token passages). That
bounds the saving of the linear layers, before paying for the prefix's keys and values copied into
every row of every batch; it would need a second graph with 2 x layers past-key-value inputs and a
second export. Its end-to-end effect on ONNX Runtime was not timed (real-shape timings are run on
an idle machine, not here), so the plain graph serves and the reranking time budget bounds the rest.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from qrag_desktop.core.models.device import configure_cpu_threads
from qrag_desktop.core.models.onnx_export import (
    FP32_FILE,
    INT8_FILE,
    TOKENIZER_DIR,
    OnnxUnavailable,
    ensure_export,
    read_meta,
    runtime_missing,
)

log = logging.getLogger(__name__)

ONNX_FORMATS = ("onnx-int8", "onnx-fp32")


def _file_for(fmt: str) -> str:
    if fmt == "onnx-int8":
        return INT8_FILE
    if fmt == "onnx-fp32":
        return FP32_FILE
    raise ValueError(f"not an ONNX format: {fmt!r}")


def new_session(model_file: Path) -> Any:
    """An ONNX Runtime CPU session: torch's thread count, no spinning, all graph optimizations."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = configure_cpu_threads()
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    # A memory pattern is planned and kept per input shape, and indexing meets hundreds of shapes
    # (rows x padded length): without them the arena reuses its blocks across shapes. Same speed.
    options.enable_mem_pattern = False
    options.log_severity_level = 3  # warnings about unused initializers are not a user's concern
    return ort.InferenceSession(str(model_file), sess_options=options, providers=["CPUExecutionProvider"])


def exported(kind: str, model_path: str | os.PathLike[str], fmt: str) -> tuple[Path, dict[str, Any]]:
    """The export folder and its metadata, exporting first if needed (without progress: callers that
    show progress run ``ensure_export`` first, and then this finds it done)."""
    why = runtime_missing()
    if why is not None:
        raise OnnxUnavailable(why)
    _file_for(fmt)
    gen = ensure_export(kind, model_path)
    while True:
        try:
            next(gen)
        except StopIteration as stop:
            folder: Path = stop.value
            break
    if not (folder / _file_for(fmt)).is_file():
        raise OnnxUnavailable(f"the export in {folder} has no {_file_for(fmt)}")
    return folder, read_meta(folder)


class OnnxSentenceEncoder:
    """What ``Embedder`` uses of a SentenceTransformer, on an ONNX Runtime session: ``encode`` with a
    prompt and batching, the tokenizer (left padding for last-token pooling), ``max_seq_length``,
    ``prompts`` and ``get_embedding_dimension``."""

    def __init__(self, model_path: str | os.PathLike[str], fmt: str) -> None:
        from transformers import AutoTokenizer

        folder, meta = exported("embedder", model_path, fmt)
        self.format = fmt
        self.pooling_mode: str = str(meta["pooling"])
        self.max_seq_length: int = int(meta["max_seq_length"])
        self.prompts: dict[str, str] = {k: str(v) for k, v in dict(meta.get("prompts") or {}).items()}
        self._dimension = int(meta["dimension"])
        tokenizer = AutoTokenizer.from_pretrained(str(folder / TOKENIZER_DIR))
        tokenizer.padding_side = str(meta.get("padding_side") or tokenizer.padding_side)
        self.tokenizer = tokenizer
        self.session = new_session(folder / _file_for(fmt))

    def get_embedding_dimension(self) -> int:
        return self._dimension

    def encode(
        self,
        sentences: Sequence[str],
        *,
        prompt: str | None = None,
        batch_size: int = 32,
        convert_to_numpy: bool = True,
        **_: Any,
    ) -> npt.NDArray[np.float32]:
        """Vectors in the order given; texts are run in length-sorted batches of ``batch_size``."""
        texts = [(prompt or "") + t for t in sentences]
        out = np.zeros((len(texts), self._dimension), dtype=np.float32)
        if not texts:
            return out
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        for start in range(0, len(order), max(1, batch_size)):
            rows = order[start : start + max(1, batch_size)]
            enc = self.tokenizer(
                [texts[i] for i in rows],
                padding=True,
                truncation="longest_first",
                max_length=self.max_seq_length,
                return_tensors="np",
            )
            (vectors,) = self.session.run(
                None,
                {
                    "input_ids": enc["input_ids"].astype(np.int64),
                    "attention_mask": enc["attention_mask"].astype(np.int64),
                },
            )
            out[rows] = vectors
        return out


class OnnxRerankScorer:
    """P("yes") for left-padded token id rows, on an ONNX Runtime session of the reranker's graph."""

    def __init__(self, model_path: str | os.PathLike[str], fmt: str) -> None:
        folder, meta = exported("reranker", model_path, fmt)
        self.format = fmt
        self.yes_id, self.no_id = int(meta["yes_id"]), int(meta["no_id"])
        self.session = new_session(folder / _file_for(fmt))

    def score(self, rows: Sequence[Sequence[int]], pad_id: int) -> list[float]:
        width = max(len(ids) for ids in rows)
        input_ids = np.full((len(rows), width), pad_id, dtype=np.int64)
        attention = np.zeros((len(rows), width), dtype=np.int64)
        for r, ids in enumerate(rows):
            input_ids[r, width - len(ids) :] = ids
            attention[r, width - len(ids) :] = 1
        (logits,) = self.session.run(None, {"input_ids": input_ids, "attention_mask": attention})
        logits = np.asarray(logits, dtype=np.float64)
        scores = 1.0 / (1.0 + np.exp(-(logits[:, 1] - logits[:, 0])))  # sigmoid(yes - no)
        return [float(s) for s in scores]


__all__ = ["ONNX_FORMATS", "OnnxRerankScorer", "OnnxSentenceEncoder", "exported", "new_session"]
