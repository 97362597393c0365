"""Search with reranking at the app's time budget, and without one (``qrag bench``).

On a CPU the app reranks within a time budget (``Retriever(rerank_budget_s=...)``): candidates are
scored in hybrid order until the budget is spent, and each result says how many were reranked
(``SearchResult.reranked_count`` of ``rerank_candidates``, and why: ``rerank_reason``). The
benchmark times the app's default path (``search_rerank_p50_ms``/``_p95_ms``, the target's keys)
and the same questions with every candidate reranked (``search_rerank_full_*``), so the report
shows what the budget buys and what it leaves unscored. ``--rerank-budget`` sets another budget for
a run (the default is the app's: ``DEFAULT_RERANK_BUDGET_S`` on a CPU, none on a GPU).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

from qrag_desktop.core.types import SearchResult


def budget_in_effect(engine: Any) -> float | None:
    """The budget the app's default search uses on this device (seconds; None: no budget)."""
    retriever, _ = engine.retriever(rerank=True)
    budget: float | None = retriever.rerank_budget_s
    return budget


def unbudgeted_retriever(engine: Any) -> Any:
    """The app's retriever with the same parts and settings, reranking every candidate.

    ``engine.retriever`` builds a new Retriever on each call, so clearing its budget changes nothing
    the app itself uses."""
    retriever, _ = engine.retriever(rerank=True)
    retriever.rerank_budget_s = None
    return retriever


def rerank_counts(results: Sequence[SearchResult]) -> dict[str, Any]:
    """How many candidates each search reranked, of how many, and the reasons given."""
    counts = [r.reranked_count for r in results]
    of = [r.rerank_candidates for r in results]
    return {
        "reranked": counts,
        "candidates": of,
        "reranked_median": statistics.median(counts) if counts else None,
        "candidates_median": statistics.median(of) if of else None,
        "all_reranked_share": (
            round(sum(1 for c, n in zip(counts, of, strict=True) if c == n) / len(counts), 3)
            if counts
            else None
        ),
        "reasons": sorted({r.rerank_reason for r in results if r.rerank_reason}),
    }


__all__ = ["budget_in_effect", "rerank_counts", "unbudgeted_retriever"]
