"""Word (.docx): paragraphs and tables in document order, sectioned by the Heading 1..9 styles.
A table becomes Markdown rows under its header (``tables.py``)."""

from __future__ import annotations

import io
import re

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from qrag_desktop.core.documents.containers import check_zip
from qrag_desktop.core.documents.structure import SectionBuilder
from qrag_desktop.core.errors import DocumentError
from qrag_desktop.core.messages import QT_TRANSLATE_NOOP
from qrag_desktop.core.types import Section

_HEADING_STYLE = re.compile(r"^heading\s*([1-9])$", re.I)


def parse_docx(data: bytes) -> tuple[str | None, tuple[Section, ...]]:
    """Return (title, sections); the title is the document property, a Title paragraph or the first H1."""
    check_zip(data, "DOCX")
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises KeyError, ValueError, zipfile errors, lxml errors...
        raise DocumentError(QT_TRANSLATE_NOOP("core", "not a valid DOCX file"), cause=exc) from exc

    builder = SectionBuilder()
    title: str | None = None
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            text = block.text
            level, is_title = _heading_level(block)
            if is_title:
                title = title or " ".join(text.split()) or None
            elif level:
                builder.heading(level, text)
            else:
                builder.text(text)
        elif isinstance(block, Table):
            builder.table(_table_rows(block))
    core_title = (document.core_properties.title or "").strip()
    return core_title or title or builder.first_heading.get(1), builder.sections()


def _heading_level(paragraph: Paragraph) -> tuple[int, bool]:
    style = paragraph.style
    if style is None:
        return 0, False
    for name in (style.name or "", style.style_id or ""):
        if name.lower() == "title":
            return 0, True
        m = _HEADING_STYLE.match(name)
        if m:
            return int(m.group(1)), False
    return 0, False


def _table_rows(table: Table) -> list[list[str]]:
    """Cell texts row by row; a merged cell counts once, so the header lines up with the rows."""
    rows: list[list[str]] = []
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            if cell._tc is previous:  # a merged cell is returned once per grid column it spans
                continue
            previous = cell._tc
            cells.append(cell.text)
        rows.append(cells)
    return rows
