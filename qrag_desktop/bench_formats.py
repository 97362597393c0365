"""Each numeric format the app can choose, timed the same way on the same texts (``qrag bench``).

The app picks one format per model by a short calibration (``NumericDecision.timings_ms``); that
picks, but it is timed on sample texts at load time. The report also needs each candidate's
throughput on the benchmark's own workload: the embedder on the same corpus chunks as
``embed_tokens_per_s``, the reranker on the same 10 candidates as ``rerank10_ms``. Each format is
loaded alone (one model in memory at a time), warmed up on two inputs and timed once, through the
app's own classes (``Embedder(precision=...)``, ``Reranker(precision=...)``), so "onnx-fp32" and
"onnx-int8" are timed through the app's ONNX Runtime path where this build has it.

A format that cannot run here (no native bf16, onnxruntime missing, an export that fails) is
reported with why, in one line, and skipped. A format that loads as another one (a fallback) is
reported as such and not timed under a name it did not run as.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

# Candidates in the order reported; bf16 only where the CPU computes it natively.
TORCH_FORMATS = ("fp32", "int8", "bf16")
ONNX_FORMATS = ("onnx-fp32", "onnx-int8")


def candidate_formats(spec: str | None = None) -> list[str]:
    """The formats to time: ``spec`` is "auto" (all that make sense on this CPU), "none", or a list."""
    from qrag_desktop.core.models.numerics import cpu_has_native_bf16

    spec = (spec or "auto").strip().lower()
    if spec == "none":
        return []
    if spec != "auto":
        return [f.strip() for f in spec.split(",") if f.strip()]
    torch_formats = [f for f in TORCH_FORMATS if f != "bf16" or cpu_has_native_bf16()]
    return [*torch_formats, *ONNX_FORMATS]


def one_line(exc: BaseException) -> str:
    """An exception as one short line: its type and first line (a person's message when it has one)."""
    text = str(getattr(exc, "message", "") or exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".strip(": ")[:300]


def _timed_ms(fn: Callable[[], Any]) -> tuple[Any, float]:
    t0 = time.perf_counter()
    out = fn()
    return out, (time.perf_counter() - t0) * 1000


def _release() -> None:
    from qrag_desktop.core.models.numerics import release_memory

    gc.collect()
    release_memory()


def _ran_as(numeric: Any, fmt: str) -> str | None:
    """Why the loaded model is not ``fmt`` (a fallback), or None when it is."""
    actual = getattr(numeric, "format", None)
    if actual == fmt:
        return None
    return f"loaded as {actual} instead: {getattr(numeric, 'reason', '')}".strip().rstrip(":")


def _load(cls: Any, model: str, device: str, fmt: str) -> tuple[Any, float, str | None]:
    """``cls(model, precision=fmt)`` warmed up, its load time in s (a first ONNX export included),
    and why it is not ``fmt`` when it fell back to another format (None when it is)."""
    t_load = time.perf_counter()
    loaded = cls(model, device=device, precision=fmt)
    loaded.warm_up()
    return loaded, round(time.perf_counter() - t_load, 1), _ran_as(loaded.numeric, fmt)


def embed_formats(
    model: str, device: str, chunks: Sequence[str], tokens: int, formats: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """tokens/s per format on ``chunks`` (``tokens`` tokens in all), and the cosine to fp32's vectors."""
    import numpy as np

    from qrag_desktop.core.models.embedder import Embedder

    out: dict[str, dict[str, Any]] = {}
    reference: Any = None
    for fmt in formats:
        embedder: Any = None
        try:
            embedder, load_s, wrong = _load(Embedder, model, device, fmt)
            if wrong:
                out[fmt] = {"error": wrong}
                continue
            embedder.embed_all(list(chunks[:2]))  # warm-up: first calls pay one-off costs
            vectors, ms = _timed_ms(partial(embedder.embed_all, list(chunks)))
            entry: dict[str, Any] = {
                "tokens_per_s": round(tokens / ms * 1000, 1),
                "ms": round(ms),
                "load_s": load_s,
            }
            if fmt == "fp32":
                reference = np.asarray(vectors)
            elif reference is not None and len(reference) == len(vectors):
                a = reference / np.linalg.norm(reference, axis=1, keepdims=True)
                b = np.asarray(vectors) / np.linalg.norm(vectors, axis=1, keepdims=True)
                entry["min_cosine_to_fp32"] = round(float(np.min(np.sum(a * b, axis=1))), 4)
            out[fmt] = entry
        except Exception as exc:  # a format this build or CPU cannot run: say why, go on
            out[fmt] = {"error": one_line(exc)}
        finally:
            embedder = None
            _release()
    return out


def rerank_formats(
    model: str, device: str, query: str, documents: Sequence[str], formats: Sequence[str], top: int = 5
) -> dict[str, dict[str, Any]]:
    """ms to rerank ``documents`` per format, and whether the top ``top`` order matches fp32's."""
    from qrag_desktop.core.models.reranker import Reranker

    out: dict[str, dict[str, Any]] = {}
    reference: list[int] | None = None
    for fmt in formats:
        reranker: Any = None
        try:
            reranker, load_s, wrong = _load(Reranker, model, device, fmt)
            if wrong:
                out[fmt] = {"error": wrong}
                continue
            reranker.score(query, list(documents[:2]))  # warm-up
            scores, ms = _timed_ms(partial(reranker.score, query, list(documents)))
            order = sorted(range(len(scores)), key=lambda i: scores[i], reverse=True)[:top]
            entry: dict[str, Any] = {"ms": round(ms), "load_s": load_s}
            if fmt == "fp32":
                reference = order
            elif reference is not None:
                entry[f"top{top}_same_as_fp32"] = order == reference
            out[fmt] = entry
        except Exception as exc:
            out[fmt] = {"error": one_line(exc)}
        finally:
            reranker = None
            _release()
    return out


def rerank_work(reranker: Any, query: str, documents: Sequence[str]) -> tuple[int, float]:
    """(tokens the app computes to rerank ``documents``: the shared prefix once, then each
    candidate's own tokens; the mean sequence length), for the FLOP count."""
    from qrag_desktop.core.models.reranker import shared_prefix_length

    inputs = reranker.build_inputs(query, list(documents))
    if not inputs:
        return 0, 0.0
    prefix = shared_prefix_length(inputs) if getattr(reranker, "share_prefix", False) else 0
    tokens = prefix + sum(len(ids) - prefix for ids in inputs)
    return tokens, sum(len(ids) for ids in inputs) / len(inputs)


__all__ = ["candidate_formats", "embed_formats", "one_line", "rerank_formats", "rerank_work"]
