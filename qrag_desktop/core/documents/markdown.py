"""Markdown: sections from ATX (``# x``) and setext (``x`` over ``===``) headings.

Line-based on purpose: what retrieval needs is the heading structure, and a full CommonMark parser
would also rewrite the text (links, emphasis) that people search for. Fenced code is kept as text and
a ``#`` inside it is never a heading.
"""

from __future__ import annotations

import re

from qrag_desktop.core.documents.structure import SectionBuilder
from qrag_desktop.core.types import Section

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_NOT_PARAGRAPH = re.compile(r"^(?: {4}|\t| {0,3}(?:[-*+>|]|\d+[.)])(?:\s|$)| {0,3}<)")
_FRONT_MATTER_END = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M)
_FRONT_TITLE = re.compile(r"""^title:[ \t]*["']?(.*?)["']?[ \t]*$""", re.M)
_HEADING_ID = re.compile(r"[ \t]*\{#[^}]*\}$")


def parse_markdown(text: str) -> tuple[str | None, tuple[Section, ...]]:
    """Return (title, sections); the title is the first H1, else ``title:`` in the front matter."""
    text, meta_title = _strip_front_matter(text)
    builder = SectionBuilder()
    lines = text.split("\n")
    fence: str | None = None
    pending: str | None = None  # a paragraph's first line, which a setext underline would make a heading

    def emit_pending() -> None:
        nonlocal pending
        if pending is not None:
            builder.text(pending)
            pending = None

    for i, line in enumerate(lines):
        if fence is not None:
            builder.text(line)
            stripped = line.strip()
            if stripped.startswith(fence) and set(stripped) == {fence[0]}:
                fence = None
            continue
        m = _FENCE.match(line)
        if m:
            emit_pending()
            fence = m.group(1)
            builder.text(line)
            continue
        if pending is not None and _SETEXT.match(line):
            builder.heading(1 if line.strip()[0] == "=" else 2, _clean_heading(pending))
            pending = None
            continue
        emit_pending()
        m = _ATX.match(line)
        if m:
            builder.heading(len(m.group(1)), _clean_heading(m.group(2) or ""))
            continue
        previous_blank = i == 0 or not lines[i - 1].strip()
        if line.strip() and previous_blank and not _NOT_PARAGRAPH.match(line):
            pending = line
        else:
            builder.text(line)
    emit_pending()
    title = builder.first_heading.get(1) or meta_title
    return title, builder.sections()


def _clean_heading(text: str) -> str:
    return _HEADING_ID.sub("", text.strip())


def _strip_front_matter(text: str) -> tuple[str, str | None]:
    if not re.match(r"---[ \t]*\n", text):
        return text, None
    end = _FRONT_MATTER_END.search(text, text.index("\n") + 1)
    if end is None:
        return text, None
    meta = text[: end.start()]
    m = _FRONT_TITLE.search(meta)
    rest = text[end.end() :]
    return rest, (m.group(1).strip() or None) if m else None
