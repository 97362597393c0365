"""PowerPoint (.pptx): a section per slide under its title; body text, tables and speaker notes.
The slide number is the section's page, so a citation says which slide."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from qrag_desktop.core.documents.containers import check_zip
from qrag_desktop.core.documents.structure import tidy
from qrag_desktop.core.documents.tables import table_section
from qrag_desktop.core.errors import DocumentError
from qrag_desktop.core.messages import QT_TRANSLATE_NOOP
from qrag_desktop.core.types import Section


def parse_pptx(data: bytes) -> tuple[str | None, tuple[Section, ...]]:
    """Return (title, sections); the title is the document property, else the first slide's title."""
    check_zip(data, "PPTX")
    from pptx import Presentation  # imported here: a quarter second, paid only for slides

    try:
        deck = Presentation(io.BytesIO(data))
    except Exception as exc:  # python-pptx raises KeyError, ValueError, lxml errors, zip errors...
        raise DocumentError(QT_TRANSLATE_NOOP("core", "not a valid PPTX file"), cause=exc) from exc
    sections: list[Section] = []
    first_title: str | None = None
    for number, slide in enumerate(deck.slides, start=1):
        title_shape = slide.shapes.title
        title = " ".join((title_shape.text_frame.text if title_shape is not None else "").split())
        first_title = first_title or title or None
        path = (title or f"Slide {number}",)
        lines: list[str] = []
        tables: list[Section] = []
        for shape in _shapes(slide.shapes):
            if title_shape is not None and shape.shape_id == title_shape.shape_id:
                continue
            if getattr(shape, "has_table", False) and shape.has_table:
                rows = [[cell.text for cell in row.cells] for row in shape.table.rows]
                table = table_section(rows, path, number)
                if table is not None:
                    tables.append(table)
            elif getattr(shape, "has_text_frame", False) and shape.has_text_frame:
                lines.append(shape.text_frame.text)
        if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None:
            notes = slide.notes_slide.notes_text_frame.text.strip()
            if notes:
                lines.append(f"\nSpeaker notes:\n{notes}")
        body = tidy("\n".join(lines))
        if body or not tables:
            sections.append(Section(text=body or title, heading_path=path, page=number))
        sections.extend(tables)
    core_title = (deck.core_properties.title or "").strip()
    return core_title or first_title, tuple(sections)


def _shapes(shapes: Any) -> Iterator[Any]:
    """Every shape, with groups opened, in the slide's order."""
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    for shape in shapes:
        if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
            yield from _shapes(shape.shapes)
        else:
            yield shape
