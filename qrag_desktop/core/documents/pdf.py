"""PDF: the text layer of each page (pypdf), one Section per page; ruled tables (pdfplumber) as
Markdown rows; pages with no text layer read by OCR (``ocr.py``) when it is on."""

from __future__ import annotations

import functools
import io
import logging
from collections.abc import Callable, Collection
from typing import Any

from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError

from qrag_desktop.core.documents import ocr as ocr_module
from qrag_desktop.core.documents.structure import tidy
from qrag_desktop.core.documents.tables import table_section
from qrag_desktop.core.errors import DocumentError
from qrag_desktop.core.messages import QT_TRANSLATE_NOOP
from qrag_desktop.core.types import Section

log = logging.getLogger(__name__)

# A page with fewer visible characters than this in its text layer is treated as scanned: a scan
# often carries a stray page number or a watermark as text, and that is not the page's content.
MIN_TEXT_CHARS = 16
# The fewest path segments a ruled table can have: a 2 x 2 table drawn as 6 lines has 12 (a move
# and a line each); one drawn as two cell rectangles has 10. A frame or an underline has fewer.
_MIN_TABLE_SEGMENTS = 10


def parse_pdf(
    data: bytes,
    *,
    ocr: bool = True,
    progress: Callable[[int, int], None] | None = None,
    pages_wanted: Collection[int] | None = None,
) -> tuple[str | None, tuple[Section, ...]]:
    """Return (title, sections). A page whose text cannot be extracted is skipped, not fatal.

    ``progress(n, m)`` is called before OCR reads the n-th of m scanned pages. ``pages_wanted``
    (1-based) reads only those pages, as the viewer does to find one cited passage.
    """
    reader = _open(data)
    try:
        pages = list(reader.pages)
    except FileNotDecryptedError as exc:
        raise DocumentError(
            QT_TRANSLATE_NOOP("core", "encrypted PDF (password protected)"), cause=exc
        ) from exc
    except Exception as exc:
        raise DocumentError(
            QT_TRANSLATE_NOOP("core", "damaged PDF: %1"), args=(_reason(exc),), cause=exc
        ) from exc

    texts: dict[int, str] = {}
    failures = 0
    for number, page in enumerate(pages, start=1):
        if pages_wanted is not None and number not in pages_wanted:
            continue
        try:
            texts[number] = tidy(page.extract_text() or "")
        except Exception as exc:  # one broken page should not cost the whole document
            failures += 1
            log.warning("PDF page %d could not be read: %r", number, exc)
    if pages and failures and not texts:
        raise DocumentError(QT_TRANSLATE_NOOP("core", "damaged PDF: no page could be read"))

    scanned = [n for n, t in texts.items() if len("".join(t.split())) < MIN_TEXT_CHARS]
    read_by_ocr: dict[int, str] = {}
    if scanned and ocr:
        candidates = _quiet(lambda: ocr_module.pages_with_images(data, scanned), [])
        if candidates:
            read_by_ocr = ocr_module.ocr_pdf_pages(data, candidates, progress)
    tables = _quiet(lambda: _tables(data, [n for n in texts if n not in read_by_ocr]), {})

    sections: list[Section] = []
    for number in sorted(texts):
        found = tables.get(number)
        if number in read_by_ocr and len(read_by_ocr[number].strip()) > len(texts[number].strip()):
            text = tidy(read_by_ocr[number])
        elif found:
            text = found[0]
        else:
            text = texts[number]
        if text.strip():
            sections.append(Section(text=text, page=number))
        for table in found[1] if found else ():
            sections.append(table)
    if not sections:
        if scanned and not ocr:
            raise DocumentError(
                QT_TRANSLATE_NOOP("core", "no text; scanned? (OCR is turned off in Settings)"),
                hint=QT_TRANSLATE_NOOP(
                    "core",
                    "Turn on “Read scanned PDF pages (OCR)” in Settings (ocr_enabled in settings.toml),"
                    " or index without --no-ocr.",
                ),
            )
        if read_by_ocr:
            raise DocumentError(QT_TRANSLATE_NOOP("core", "no text, even by OCR"))
        raise DocumentError(
            QT_TRANSLATE_NOOP("core", "no text; scanned?"),
            hint=QT_TRANSLATE_NOOP("core", "Run OCR on it first (for example with ocrmypdf)."),
        )
    return _title(reader), tuple(sections)


def _open(data: bytes) -> PdfReader:
    try:
        reader = PdfReader(io.BytesIO(data))
    except DependencyError as exc:
        raise DocumentError(
            QT_TRANSLATE_NOOP("core", "encrypted PDF (needs a decryption library)"), cause=exc
        ) from exc
    except Exception as exc:  # pypdf raises its own errors, and also ValueError, KeyError, ...
        raise DocumentError(
            QT_TRANSLATE_NOOP("core", "damaged PDF: %1"), args=(_reason(exc),), cause=exc
        ) from exc
    if reader.is_encrypted:
        # Many PDFs are "encrypted" only to set permissions and open with an empty password.
        try:
            opened = reader.decrypt("")
        except DependencyError as exc:
            raise DocumentError(
                QT_TRANSLATE_NOOP("core", "encrypted PDF (needs a decryption library)"), cause=exc
            ) from exc
        except Exception as exc:
            raise DocumentError(
                QT_TRANSLATE_NOOP("core", "damaged PDF: %1"), args=(_reason(exc),), cause=exc
            ) from exc
        if opened == PasswordType.NOT_DECRYPTED:
            raise DocumentError(QT_TRANSLATE_NOOP("core", "encrypted PDF (password protected)"))
    return reader


def _tables(data: bytes, numbers: list[int]) -> dict[int, tuple[str, list[Section]]]:
    """For pages with ruled tables: (the page's text outside its tables, a Section per table).

    pdfplumber finds a table by its ruling lines, so text merely set in columns stays text. Pages
    without a table are not in the result and keep pypdf's text.
    """
    import pdfplumber

    found: dict[int, tuple[str, list[Section]]] = {}
    numbers = _ruled_pages(data, numbers)
    if not numbers:
        return found
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for number in numbers:
            page = pdf.pages[number - 1]
            try:
                tables = page.find_tables()
                if not tables:
                    continue
                sections = [
                    s for t in tables if (s := table_section(t.extract() or [], page=number)) is not None
                ]
                if not sections:
                    continue
                boxes = [t.bbox for t in tables]
                outside = page.filter(functools.partial(_outside, boxes=boxes)).extract_text() or ""
                found[number] = (tidy(outside), sections)
            except Exception as exc:  # a page pdfplumber cannot analyse keeps pypdf's text
                log.warning("PDF page %d: tables not read: %r", number, exc)
            finally:
                page.close()
    return found


def _ruled_pages(data: bytes, numbers: list[int]) -> list[int]:
    """Pages that draw enough lines or boxes to hold a ruled table.

    pdfplumber analyses a page in pure Python (about 0.15 s a page); pdfium counts a page's path
    segments in C in well under a millisecond, so pages of plain text skip the analysis. Segments,
    not path objects: some writers draw a whole grid as one path.
    """
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    pdf = pdfium.PdfDocument(data)
    try:
        ruled = []
        for number in numbers:
            page = pdf[number - 1]
            try:
                segments = 0
                for path in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=2):
                    segments += max(0, pdfium_c.FPDFPath_CountSegments(path.raw))
                    if segments >= _MIN_TABLE_SEGMENTS:
                        ruled.append(number)
                        break
            finally:
                page.close()
        return ruled
    finally:
        pdf.close()


def _outside(obj: dict[str, Any], boxes: list[tuple[float, float, float, float]]) -> bool:
    x = (float(obj.get("x0", 0)) + float(obj.get("x1", 0))) / 2
    y = (float(obj.get("top", 0)) + float(obj.get("bottom", 0))) / 2
    return not any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)


def _quiet(work: Callable[[], Any], fallback: Any) -> Any:
    """Tables and image detection are extras: when their library fails, the page text still counts."""
    try:
        return work()
    except DocumentError:
        raise
    except Exception as exc:
        log.warning("PDF extra step failed: %r", exc)
        return fallback


def _title(reader: PdfReader) -> str | None:
    try:
        meta = reader.metadata
        title = meta.title if meta else None
    except Exception:  # broken metadata is common and never worth failing over
        return None
    return " ".join(str(title).split()) or None if title else None


def _reason(exc: Exception) -> str:
    text = str(exc).strip() or exc.__class__.__name__
    return text if len(text) <= 120 else text[:117] + "..."
