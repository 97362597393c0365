"""Tables as Markdown-style rows: the form in which both people and the models read a row with its
column names. One table becomes one Section whose ``table_header`` the chunker repeats."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from qrag_desktop.core.types import Section


def cell_text(value: object) -> str:
    """One line per cell; a ``|`` inside a cell is escaped so it does not split the row."""
    if value is None:
        return ""
    return " ".join(str(value).split()).replace("|", "\\|")


def markdown_row(cells: Sequence[object]) -> str:
    return "| " + " | ".join(cell_text(c) for c in cells) + " |"


def table_section(
    rows: Iterable[Sequence[object]], heading_path: tuple[str, ...] = (), page: int | None = None
) -> Section | None:
    """A Section for a table whose first non-empty row is the header; None when it has no text.

    Rows are padded to the widest row, so columns line up under their names.
    """
    cleaned = [[cell_text(c) for c in row] for row in rows]
    cleaned = [row for row in cleaned if any(row)]
    if not cleaned:
        return None
    width = max(len(r) for r in cleaned)
    cleaned = [r + [""] * (width - len(r)) for r in cleaned]
    header = markdown_row(cleaned[0]) + "\n" + "|" + " --- |" * width
    if len(cleaned) == 1:  # a one-row "table" (a layout box) is just a line of text
        return Section(text=" | ".join(c for c in cleaned[0] if c), heading_path=heading_path, page=page)
    body = "\n".join(markdown_row(r) for r in cleaned[1:])
    return Section(text=f"{header}\n{body}", heading_path=heading_path, page=page, table_header=header)


__all__ = ["cell_text", "markdown_row", "table_section"]
