"""Where a retrieved passage sits in its document: the page and the character range, for a view
that opens at the passage and highlights it, and for ``qrag search --json``.

A passage is found by its sequence of words, not its exact characters: the index keeps tidied text
(trailing spaces stripped, blank runs collapsed, a table header repeated), and a rendered view
drops markup, so exact matching would miss passages that are plainly there.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass

from qrag_desktop.core.documents import load_document
from qrag_desktop.core.errors import DocumentError
from qrag_desktop.core.types import Document

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
# A word: a run of letters or digits, except that each CJK character is a word of its own (CJK
# text has no spaces, and a line break may fall between any two characters).
_WORD = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+")
_TABLE_RULE = re.compile(r"^\|(?: --- \|)+$")
_EDGE_WORDS = 12  # a passage whose middle differs (markup, a table header) is found by its ends


@dataclass(frozen=True)
class PassageLocation:
    """``text[start:end]`` is the passage; ``text`` is the page's text for a paged document, else the
    whole document's text (its sections joined by blank lines)."""

    path: str
    page: int | None
    start: int
    end: int
    text: str


def document_text(doc: Document, page: int | None = None) -> str:
    """The text offsets count in: one page's sections for a paged document, else all of them."""
    sections = [s for s in doc.sections if page is None or s.page == page]
    return "\n\n".join(s.text for s in sections)


def find_passage(haystack: str, passage: str) -> tuple[int, int] | None:
    """Character range in ``haystack`` of the words of ``passage`` in order, or None.

    Whole sequence first; else the passage's first words for the start and its last words, after
    that, for the end.
    """
    hay = [(m.start(), m.end(), m.group().casefold()) for m in _WORD.finditer(haystack)]
    found = _find_words(hay, haystack, passage)
    lines = passage.split("\n", 2)
    if found is None and len(lines) == 3 and _TABLE_RULE.match(lines[1]):
        # A chunk of table rows starts with the table's header repeated; only in the table's
        # first chunk do the rows follow the header in the document itself.
        found = _find_words(hay, haystack, lines[2])
    return found


def _find_words(hay: list[tuple[int, int, str]], haystack: str, passage: str) -> tuple[int, int] | None:
    matches = list(_WORD.finditer(passage))
    words = [m.group().casefold() for m in matches]
    if not words or not hay:
        return None
    whole = _find(hay, words, 0)
    if whole is not None:
        start, end = hay[whole][0], hay[whole + len(words) - 1][1]
    else:
        head = _find(hay, words[:_EDGE_WORDS], 0)
        if head is None:
            return None
        tail_words = words[-_EDGE_WORDS:]
        tail = _find(hay, tail_words, head)
        last = tail + len(tail_words) - 1 if tail is not None else head + min(len(words), _EDGE_WORDS) - 1
        start, end = hay[head][0], hay[last][1]
    # Punctuation before the first word and after the last one ("| ", ".") belongs to the passage.
    prefix = passage[: matches[0].start()].lstrip()
    suffix = passage[matches[-1].end() :].rstrip()
    if prefix and haystack[start - len(prefix) : start] == prefix:
        start -= len(prefix)
    if suffix and haystack[end : end + len(suffix)] == suffix:
        end += len(suffix)
    return start, end


def _find(hay: list[tuple[int, int, str]], words: list[str], start: int) -> int | None:
    first, n = words[0], len(words)
    for i in range(start, len(hay) - n + 1):
        if hay[i][2] == first and all(hay[i + k][2] == words[k] for k in range(1, n)):
            return i
    return None


def locate(path: str, passage: str, page: int | None = None, *, ocr: bool = False) -> PassageLocation | None:
    """Read the document (only the cited page of a paged one) and find the passage; None when the
    file is gone, unreadable, or changed since it was indexed.

    OCR is off unless asked for: re-reading a scanned page takes seconds, so a passage from one has
    its page but no offsets.
    """
    try:
        text, abspath = _page_text(path, page, ocr, os.stat(path).st_mtime_ns)
    except (DocumentError, OSError):
        return None
    found = find_passage(text, passage)
    if found is None:
        return None
    return PassageLocation(path=abspath, page=page, start=found[0], end=found[1], text=text)


@functools.lru_cache(maxsize=8)
def _page_text(path: str, page: int | None, ocr: bool, mtime_ns: int) -> tuple[str, str]:
    """Several hits often come from one document: it is read once (the mtime keys out stale copies)."""
    doc = load_document(path, ocr=ocr, pages=frozenset({page}) if page is not None else None)
    return document_text(doc, page), doc.path


__all__ = ["PassageLocation", "document_text", "find_passage", "locate"]
