"""Two-stage retrieval: hybrid recall (dense + BM25, fused with RRF), then a cross-encoder rerank."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import nullcontext
from typing import TYPE_CHECKING

from qrag_desktop.core.jobs import JobControl
from qrag_desktop.core.types import Hit, SearchResult

if TYPE_CHECKING:
    from qrag_desktop.core.models.embedder import Embedder
    from qrag_desktop.core.models.reranker import Reranker
    from qrag_desktop.core.vector_store import VectorStore


def rerank_text(hit: Hit) -> str:
    """What the reranker reads: the breadcrumb gives the passage its context."""
    return f"{hit.heading}\n{hit.text}" if hit.heading else hit.text


class Retriever:
    def __init__(
        self,
        store: VectorStore,
        embedder: Embedder | None = None,
        reranker: Reranker | None = None,
        *,
        candidates: int = 30,
        rerank_candidates: int = 20,
        top_k: int = 5,
        model_lock: threading.Lock | None = None,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.reranker = reranker
        self.candidates = candidates
        self.rerank_candidates = rerank_candidates
        self.top_k = top_k
        self._lock = model_lock

    def _model(self) -> threading.Lock | nullcontext[None]:
        return self._lock if self._lock is not None else nullcontext()

    def stages(
        self,
        query: str,
        *,
        top_k: int | None = None,
        rerank: bool = True,
        paths_prefix: Sequence[str] | None = None,
        control: JobControl | None = None,
    ) -> Iterator[SearchResult]:
        """Yield the recall result at once, then (when reranking) the reranked one."""
        k = top_k or self.top_k
        t0 = time.perf_counter()
        timings: dict[str, float] = {}
        vector = None
        if self.embedder is not None:
            with self._model():
                vector = self.embedder.embed_query(query)
            timings["embed_ms"] = (time.perf_counter() - t0) * 1000
        t1 = time.perf_counter()
        do_rerank = rerank and self.reranker is not None
        pool = max(k, self.rerank_candidates) if do_rerank else k
        hits = self.store.hybrid_search(
            query, vector, pool, candidates=max(self.candidates, pool), paths_prefix=paths_prefix
        )
        timings["recall_ms"] = (time.perf_counter() - t1) * 1000
        timings["total_ms"] = (time.perf_counter() - t0) * 1000
        recall = SearchResult(query=query, hits=tuple(hits[:k]), timings_ms=dict(timings))
        yield recall
        if not do_rerank or not hits:
            return
        assert self.reranker is not None
        t2 = time.perf_counter()
        scores: list[float] = []
        with self._model():
            for _done, batch_scores in self.reranker.score_batches(query, [rerank_text(h) for h in hits]):
                scores.extend(batch_scores)
                if control is not None:
                    control.checkpoint()
        order = sorted(range(len(hits)), key=lambda i: scores[i], reverse=True)[:k]
        reranked = tuple(dataclasses.replace(hits[i], score=float(scores[i])) for i in order)
        timings["rerank_ms"] = (time.perf_counter() - t2) * 1000
        timings["total_ms"] = (time.perf_counter() - t0) * 1000
        yield SearchResult(query=query, hits=reranked, timings_ms=timings, reranked=True)

    def search(self, query: str, **kwargs: object) -> SearchResult:
        """The final result: reranked when reranking is on, else the recall result."""
        *_, last = self.stages(query, **kwargs)  # type: ignore[arg-type]
        return last
