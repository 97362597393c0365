"""Plain frozen dataclasses passed between engine parts (and across threads to the UI)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from qrag_desktop.core.messages import QT_TRANSLATE_NOOP, tr

# Why reranking stopped before every candidate was scored (``SearchResult.rerank_reason``): a stable
# key for scripts reading ``--json``; the window and the CLI say it in words.
RERANK_REASON_BUDGET = "time budget"


@dataclass(frozen=True)
class Section:
    """A structural piece of a document: text under one heading path, on one page."""

    text: str
    heading_path: tuple[str, ...] = ()
    page: int | None = None  # 1-based page number for paged formats (PDF), else None
    # For a table: its Markdown header row and rule, which the chunker repeats in every chunk of the
    # table's rows, so a row found alone still carries its column names. "" for ordinary text.
    table_header: str = ""


@dataclass(frozen=True)
class Document:
    """A parsed file. ``path`` is absolute."""

    path: str
    title: str
    kind: str  # "markdown", "text", "rst", "pdf", "docx", "pptx", "xlsx", "epub", "html", "code"
    sections: tuple[Section, ...]
    encoding: str | None = None  # detected text encoding, for text formats


@dataclass(frozen=True)
class Chunk:
    """A passage to embed and store.

    ``text`` is what a person reads; ``embed_text`` is what the models see: the document title
    and heading breadcrumb followed by ``text``, so a passage knows where it sits.
    """

    id: str
    path: str
    page: int | None
    heading: str  # breadcrumb, " > "-joined
    position: int  # 0-based order of the chunk in its document
    text: str
    embed_text: str


@dataclass(frozen=True)
class Hit:
    """One retrieved passage."""

    chunk_id: str
    path: str
    page: int | None
    heading: str
    position: int
    text: str
    score: float


@dataclass(frozen=True)
class SearchResult:
    """Hits in ranked order. When reranked, the first ``reranked_count`` of the ``rerank_candidates``
    fused hits were scored by the cross-encoder; the rest keep their hybrid order below them, and
    ``rerank_reason`` says why they were not scored ("" when all were)."""

    query: str
    hits: tuple[Hit, ...]
    timings_ms: dict[str, float] = field(default_factory=dict)
    reranked: bool = False
    notes: tuple[str, ...] = ()  # things a person should know, e.g. "reranker not on disk: skipped"
    reranked_count: int = 0
    rerank_candidates: int = 0
    rerank_reason: str = ""  # "" or RERANK_REASON_BUDGET

    @property
    def rerank_cut(self) -> bool:
        """Reranking stopped before every candidate was scored."""
        return self.reranked and self.reranked_count < self.rerank_candidates

    def rerank_json(self) -> dict[str, Any]:
        """The reranking counts as ``qrag search --json`` / ``qrag ask --json`` report them."""
        return {
            "reranked_count": self.reranked_count,
            "rerank_candidates": self.rerank_candidates,
            "rerank_reason": self.rerank_reason,
        }

    def rerank_note(self) -> str:
        """Says "n of m reranked (time budget)" when reranking was cut short, else ""."""
        if not self.rerank_cut:
            return ""
        if self.rerank_reason == RERANK_REASON_BUDGET:
            return tr(
                QT_TRANSLATE_NOOP("core", "%1 of %2 reranked (time budget)"),
                self.reranked_count,
                self.rerank_candidates,
            )
        return tr(QT_TRANSLATE_NOOP("core", "%1 of %2 reranked"), self.reranked_count, self.rerank_candidates)


@dataclass(frozen=True)
class Progress:
    """Progress of a long job, yielded by engine generators."""

    stage: str  # e.g. "scanning", "parsing", "embedding", "writing", "done"
    done: int = 0
    total: int = 0
    message: str = ""
    current: str | None = None  # current file path, if any
