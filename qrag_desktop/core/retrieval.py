"""Two-stage retrieval: hybrid recall (dense + BM25, fused with RRF), then a cross-encoder rerank."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import nullcontext
from typing import TYPE_CHECKING, Protocol

from qrag_desktop.core.jobs import JobControl
from qrag_desktop.core.settings import checked_rerank_budget
from qrag_desktop.core.types import RERANK_REASON_BUDGET, Hit, SearchResult

if TYPE_CHECKING:
    from qrag_desktop.core.models.embedder import Embedder
    from qrag_desktop.core.models.reranker import Reranker
    from qrag_desktop.core.vector_store import VectorStore


class BatchScorer(Protocol):
    """What the budget needs of a reranker: scores in batches, ``(start, scores)`` after each."""

    def score_batches(
        self, query: str, documents: Sequence[str], *, sizes: Callable[[int], int] | None = None
    ) -> Iterator[tuple[int, list[float]]]: ...


def rerank_text(hit: Hit) -> str:
    """What the reranker reads: the breadcrumb gives the passage its context."""
    return f"{hit.heading}\n{hit.text}" if hit.heading else hit.text


# Documents in the first batch under a time budget (see score_within_budget).
FIRST_BATCH = 2


def score_within_budget(
    reranker: BatchScorer,
    query: str,
    documents: Sequence[str],
    budget_s: float | None,
    *,
    control: JobControl | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> tuple[list[float], str]:
    """Scores for the first documents, in the order given, scored batch by batch until ``budget_s``
    seconds are spent (None: no limit); with "" when all were scored, else ``RERANK_REASON_BUDGET``.

    The rule: a first batch of ``FIRST_BATCH`` documents is always scored (it measures this machine
    on this question, and a reranked list needs at least that); it is small because on a laptop CPU
    one document can take a second (the bench measured 1.4-2.4 s per candidate with the 0.6B
    reranker on 2 AVX2 cores), so a full batch of 8 would overrun a 2.5 s budget many times over.
    After each batch, the time per document so far (setup included) sets the next batch's size to
    what fits in the time left (at most the reranker's batch size); when not even one document
    fits, scoring stops. So the budget is overrun by no more than the first batch, or by an
    estimate's error. ``control.checkpoint()`` after each batch lets a person cancel.
    """
    scores: list[float] = []
    if not documents:
        return scores, ""
    t0 = clock()

    def next_size(scored: int) -> int:
        if control is not None and scored:
            control.checkpoint()
        if budget_s is None:
            return len(documents)  # the reranker caps it at its batch size
        if scored == 0:
            return FIRST_BATCH
        spent = clock() - t0
        per_document = spent / scored
        return int((budget_s - spent) / per_document) if per_document > 0 else len(documents)

    for _start, batch_scores in reranker.score_batches(query, documents, sizes=next_size):
        scores.extend(batch_scores)
    if control is not None:
        control.checkpoint()
    return scores, "" if len(scores) == len(documents) else RERANK_REASON_BUDGET


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
        rerank_budget_s: float | None = None,
    ) -> None:
        """``rerank_budget_s``: seconds the reranker may spend per query (None: no limit; see
        ``score_within_budget``); 0 or less raises ConfigError."""
        self.store = store
        self.embedder = embedder
        self.reranker = reranker
        self.candidates = candidates
        self.rerank_candidates = rerank_candidates
        self.top_k = top_k
        self._lock = model_lock
        self.rerank_budget_s = None if rerank_budget_s is None else checked_rerank_budget(rerank_budget_s)

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
        with self._model():
            # The budget's clock starts here, once the model is ours, not while waiting for it.
            scores, reason = score_within_budget(
                self.reranker, query, [rerank_text(h) for h in hits], self.rerank_budget_s, control=control
            )
        # Scored hits by score (ties keep their hybrid order), then the unscored in hybrid order.
        n = len(scores)
        order = sorted(range(n), key=lambda i: scores[i], reverse=True)
        ranked = [dataclasses.replace(hits[i], score=float(scores[i])) for i in order] + list(hits[n:])
        timings["rerank_ms"] = (time.perf_counter() - t2) * 1000
        timings["total_ms"] = (time.perf_counter() - t0) * 1000
        yield SearchResult(
            query=query,
            hits=tuple(ranked[:k]),
            timings_ms=timings,
            reranked=True,
            reranked_count=n,
            rerank_candidates=len(hits),
            rerank_reason=reason,
        )

    def search(self, query: str, **kwargs: object) -> SearchResult:
        """The final result: reranked when reranking is on, else the recall result."""
        *_, last = self.stages(query, **kwargs)  # type: ignore[arg-type]
        return last
