"""Search with reranking at the app's time budget, and without one (``qrag bench``).

On a CPU the app reranks within a time budget (``Retriever(rerank_budget_s=...)``): candidates are
scored in hybrid order until the budget is spent, and each result says how many were reranked
(``SearchResult.reranked_count`` of ``rerank_candidates``, and why: ``rerank_reason``). The
benchmark times the app's default path (``search_rerank_p50_ms``/``_p95_ms``, the target's keys)
and the same questions with every candidate reranked (``search_rerank_full_*``), so the report
shows what the budget buys and what it leaves unscored. A build without the budget reranks every
candidate on its default path; the report says so and the counts are ``None``.
"""

from __future__ import annotations

import inspect
import statistics
from collections.abc import Sequence
from typing import Any

_MISSING = object()


def has_budget() -> bool:
    """Whether this build's Retriever takes a rerank time budget."""
    from qrag_desktop.core.retrieval import Retriever

    return "rerank_budget_s" in inspect.signature(Retriever.__init__).parameters


def budget_in_effect(engine: Any) -> float | None | str:
    """The budget the app's default search uses (seconds; None: no budget; "unknown")."""
    retriever, _ = engine.retriever(rerank=True)
    value: Any = getattr(retriever, "rerank_budget_s", _MISSING)
    if value is _MISSING:
        value = getattr(engine.settings, "rerank_budget_s", _MISSING)
    if value is _MISSING:
        return "unknown"
    return None if value is None else float(value)


def unbudgeted_retriever(engine: Any) -> Any:
    """The app's retriever with the same parts and settings, reranking every candidate."""
    from qrag_desktop.core.retrieval import Retriever

    base, _ = engine.retriever(rerank=True)
    no_budget: dict[str, Any] = {"rerank_budget_s": None}  # a keyword older builds do not have
    return Retriever(
        base.store,
        base.embedder,
        base.reranker,
        candidates=base.candidates,
        rerank_candidates=base.rerank_candidates,
        top_k=base.top_k,
        model_lock=engine.model_lock,
        **no_budget,
    )


def rerank_counts(results: Sequence[Any]) -> dict[str, Any]:
    """How many candidates each search reranked, of how many, and the reasons given."""
    counts = [getattr(r, "reranked_count", None) for r in results]
    of = [getattr(r, "rerank_candidates", None) for r in results]
    reasons = sorted({str(x) for x in (getattr(r, "rerank_reason", None) for r in results) if x})
    known = [c for c in counts if c is not None]
    known_of = [c for c in of if c is not None]
    return {
        "reranked": counts,
        "candidates": of,
        "reranked_median": statistics.median(known) if known else None,
        "candidates_median": statistics.median(known_of) if known_of else None,
        "all_reranked_share": (
            round(sum(1 for c, n in zip(counts, of, strict=True) if c is not None and c == n) / len(known), 3)
            if known
            else None
        ),
        "reasons": reasons,
    }


__all__ = ["budget_in_effect", "has_budget", "rerank_counts", "unbudgeted_retriever"]
