"""Excel (.xlsx): a section per sheet; its rows as a table under the first non-empty row as header.

Formulas are read as the values Excel last computed (``data_only``): a formula's text is not what a
person searches for. A sheet has no page; the sheet name is its heading.
"""

from __future__ import annotations

import datetime as dt
import io

from qrag_desktop.core.documents.containers import check_zip
from qrag_desktop.core.documents.tables import table_section
from qrag_desktop.core.errors import DocumentError
from qrag_desktop.core.messages import QT_TRANSLATE_NOOP
from qrag_desktop.core.types import Section


def parse_xlsx(data: bytes) -> tuple[str | None, tuple[Section, ...]]:
    check_zip(data, "XLSX")
    import openpyxl  # imported here: a third of a second, paid only for spreadsheets

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises KeyError, ValueError, InvalidFileException, zip errors...
        raise DocumentError(QT_TRANSLATE_NOOP("core", "not a valid XLSX file"), cause=exc) from exc
    try:
        sections: list[Section] = []
        for sheet in book.worksheets:
            rows = [[_value(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            rows = _trim(rows)
            section = table_section(rows, (sheet.title,))
            if section is not None:
                sections.append(section)
        title = (book.properties.title or "").strip() or None
    finally:
        book.close()
    return title, tuple(sections)


def _value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _trim(rows: list[list[str]]) -> list[list[str]]:
    """Drop empty rows and the empty columns on the right that formatting leaves in a sheet."""
    rows = [r for r in rows if any(c.strip() for c in r)]
    width = max((max((i + 1 for i, c in enumerate(r) if c.strip()), default=0) for r in rows), default=0)
    return [r[:width] for r in rows]
