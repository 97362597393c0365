"""What the engine needs from a vector store, as a Protocol, in a module that imports no pymilvus.

The indexer, the retriever and the engine type against ``VectorStore``; ``store.MilvusStore`` (a
Milvus Lite folder or a Milvus server) is the one real implementation, and another real one can
be swapped in without touching them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from qrag_desktop.core.types import Chunk, Hit


@dataclass(frozen=True)
class EmbeddingSpec:
    """What the collection's vectors were built with; a query must use the same."""

    model_id: str
    dimension: int
    query_instruction: str


@dataclass(frozen=True)
class StoreStats:
    chunks: int
    files: int
    spec: EmbeddingSpec | None
    location: str  # file path or server URI, never with credentials


class VectorStore(Protocol):
    """What the rest of the engine needs from a store, so another real one can be swapped in."""

    @property
    def location(self) -> str: ...
    def open(self) -> None: ...
    def close(self) -> None: ...
    def spec(self) -> EmbeddingSpec | None: ...
    def ensure_collection(self, spec: EmbeddingSpec) -> None: ...
    def check_spec(self, spec: EmbeddingSpec) -> None: ...
    def drop(self) -> None: ...
    def upsert(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None: ...
    def delete_ids(self, ids: Sequence[str]) -> None: ...
    def delete_path(self, path: str) -> int: ...
    def ids_for_path(self, path: str) -> list[str]: ...
    def vectors_for_ids(self, ids: Sequence[str]) -> dict[str, np.ndarray]: ...
    def flush(self) -> None: ...
    def count(self) -> int: ...
    def stats(self) -> StoreStats: ...
    def paths(self) -> dict[str, int]: ...
    def dense_search(
        self, vector: np.ndarray, k: int, *, paths: Sequence[str] | None = None
    ) -> list[Hit]: ...
    def keyword_search(self, text: str, k: int, *, paths: Sequence[str] | None = None) -> list[Hit]: ...
    def hybrid_search(
        self,
        text: str,
        vector: np.ndarray | None,
        k: int,
        *,
        candidates: int = 30,
        paths_prefix: Sequence[str] | None = None,
    ) -> list[Hit]: ...


__all__ = ["EmbeddingSpec", "StoreStats", "VectorStore"]
