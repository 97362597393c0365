"""HTML: visible text in reading order, sectioned by h1..h6; scripts and styles dropped."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Comment, Declaration, Doctype, NavigableString, ProcessingInstruction, Tag

from qrag_desktop.core.documents.structure import SectionBuilder
from qrag_desktop.core.types import Section

_DROP = ("script", "style", "noscript", "template", "head")
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_BLOCKS = frozenset(
    "address article aside blockquote body dd details dialog div dl dt fieldset figcaption figure footer "
    "form header hr li main nav ol p section summary table tbody thead tfoot tr ul caption".split()
)
_CELLS = frozenset({"td", "th"})
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_SPACES = re.compile(r"\s+")
_END_BLOCK = object()
_END_CELL = object()
_END_PRE = object()


def declared_charset(data: bytes) -> str | None:
    """The encoding a page names in ``<meta charset>`` (or http-equiv), if any."""
    m = _META_CHARSET.search(data[:4096])
    return m.group(1).decode("ascii") if m else None


def parse_html(text: str) -> tuple[str | None, tuple[Section, ...]]:
    """Return (title, sections); the title is ``<title>``, else the first h1."""
    soup = BeautifulSoup(text, "html.parser")
    title_tag = soup.find("title")
    title = " ".join(title_tag.get_text(" ").split()) if title_tag else ""
    for tag in soup.find_all(_DROP):
        tag.decompose()

    builder = SectionBuilder()
    parts: list[str] = []

    def flush() -> None:
        if parts:
            builder.text("".join(parts))
            parts.clear()

    # Iterative walk: deeply nested pages must not hit the recursion limit.
    stack: list[object] = [soup]
    in_pre = 0
    while stack:
        node = stack.pop()
        if node is _END_PRE:
            in_pre -= 1
            parts.append("\n\n")
        elif node is _END_BLOCK:
            parts.append("\n\n")
        elif node is _END_CELL:
            parts.append(" | ")
        elif isinstance(node, NavigableString):
            if not isinstance(node, (Comment, Doctype, Declaration, ProcessingInstruction)):
                parts.append(str(node) if in_pre else _SPACES.sub(" ", str(node)))
        elif isinstance(node, Tag):
            name = node.name
            if name in _HEADINGS:
                flush()
                builder.heading(_HEADINGS[name], node.get_text(" "))
                continue
            if name == "br":
                parts.append("\n")
            elif name == "pre":
                in_pre += 1
                parts.append("\n\n")
                stack.append(_END_PRE)
            elif name in _BLOCKS:
                parts.append("\n\n")
                stack.append(_END_BLOCK)
            elif name in _CELLS:
                stack.append(_END_CELL)
            stack.extend(reversed(node.contents))
    flush()
    sections = tuple(
        Section(text=_tidy_lines(s.text), heading_path=s.heading_path, page=s.page)
        for s in builder.sections()
    )
    sections = tuple(s for s in sections if s.text)
    return title or builder.first_heading.get(1), sections


def _tidy_lines(text: str) -> str:
    """Drop the spaces that collapsed inline whitespace leaves at line ends; keep <pre> indentation."""
    out: list[str] = []
    for line in text.split("\n"):
        line = line.rstrip()
        if line.startswith(" ") and not line.startswith("  "):
            line = line[1:]
        if line.endswith(" |"):
            line = line.rstrip(" |")
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip("\n")
