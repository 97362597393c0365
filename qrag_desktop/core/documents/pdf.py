"""PDF: the text layer of each page (pypdf), one Section per page."""

from __future__ import annotations

import io
import logging

from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError

from qrag_desktop.core.documents.structure import tidy
from qrag_desktop.core.errors import DocumentError
from qrag_desktop.core.types import Section

log = logging.getLogger(__name__)


def parse_pdf(data: bytes) -> tuple[str | None, tuple[Section, ...]]:
    """Return (title, sections). A page whose text cannot be extracted is skipped, not fatal."""
    try:
        reader = PdfReader(io.BytesIO(data))
    except DependencyError as exc:
        raise DocumentError("encrypted PDF (needs a decryption library)", cause=exc) from exc
    except Exception as exc:  # pypdf raises its own errors, and also ValueError, KeyError, ...
        raise DocumentError(f"damaged PDF: {_reason(exc)}", cause=exc) from exc

    if reader.is_encrypted:
        # Many PDFs are "encrypted" only to set permissions and open with an empty password.
        try:
            opened = reader.decrypt("")
        except DependencyError as exc:
            raise DocumentError("encrypted PDF (needs a decryption library)", cause=exc) from exc
        except Exception as exc:
            raise DocumentError(f"damaged PDF: {_reason(exc)}", cause=exc) from exc
        if opened == PasswordType.NOT_DECRYPTED:
            raise DocumentError("encrypted PDF (password protected)")

    try:
        pages = list(reader.pages)
    except FileNotDecryptedError as exc:
        raise DocumentError("encrypted PDF (password protected)", cause=exc) from exc
    except Exception as exc:
        raise DocumentError(f"damaged PDF: {_reason(exc)}", cause=exc) from exc

    sections: list[Section] = []
    failures = 0
    for number, page in enumerate(pages, start=1):
        try:
            text = tidy(page.extract_text() or "")
        except Exception as exc:  # one broken page should not cost the whole document
            failures += 1
            log.warning("PDF page %d could not be read: %r", number, exc)
            continue
        if text.strip():
            sections.append(Section(text=text, page=number))
    if not sections:
        if pages and failures == len(pages):
            raise DocumentError("damaged PDF: no page could be read")
        raise DocumentError("no text; scanned?", hint="Run OCR on it first (for example with ocrmypdf).")
    return _title(reader), tuple(sections)


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
