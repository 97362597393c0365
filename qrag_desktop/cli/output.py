"""What the `qrag` command prints that several commands share."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qrag_desktop.core.types import Hit


def hit_json(rank: int, h: Hit) -> dict[str, Any]:
    """A hit; ``char_start``/``char_end`` place it in the text of its page (paged formats) or of its
    document (``core.passages.document_text``), null when the file changed since indexing."""
    from qrag_desktop.core.passages import locate

    where = locate(h.path, h.text, h.page)
    return {
        "rank": rank,
        "path": h.path,
        "page": h.page,
        "heading": h.heading,
        "score": round(h.score, 6),
        "text": h.text,
        "char_start": where.start if where else None,
        "char_end": where.end if where else None,
    }
