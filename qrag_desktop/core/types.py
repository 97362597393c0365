"""Plain frozen dataclasses passed between engine parts (and across threads to the UI)."""

from __future__ import annotations

from dataclasses import dataclass, field


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
    query: str
    hits: tuple[Hit, ...]
    timings_ms: dict[str, float] = field(default_factory=dict)
    reranked: bool = False
    notes: tuple[str, ...] = ()  # things a person should know, e.g. "reranker not on disk: skipped"


@dataclass(frozen=True)
class Progress:
    """Progress of a long job, yielded by engine generators."""

    stage: str  # e.g. "scanning", "parsing", "embedding", "writing", "done"
    done: int = 0
    total: int = 0
    message: str = ""
    current: str | None = None  # current file path, if any
