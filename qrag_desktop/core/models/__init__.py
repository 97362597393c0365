"""Local models: where they come from (``loading``; ``download`` fetches one once), where they run
(``device``) and what they do (``embedder``, ``reranker``). ``standin`` builds random-weight
look-alikes of the real models for tests and benchmarks."""

from __future__ import annotations

from qrag_desktop.core.models.device import configure_cpu_threads, describe_device, pick_device
from qrag_desktop.core.models.embedder import EmbedBatch, Embedder
from qrag_desktop.core.models.loading import is_model_available, resolve_model
from qrag_desktop.core.models.reranker import Reranker

__all__ = [
    "EmbedBatch",
    "Embedder",
    "Reranker",
    "configure_cpu_threads",
    "describe_device",
    "is_model_available",
    "pick_device",
    "resolve_model",
]
