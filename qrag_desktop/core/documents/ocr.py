"""Read the text of scanned PDF pages on this machine: render with pypdfium2, read with RapidOCR.

RapidOCR runs the PP-OCR models (Chinese and English) on ONNX Runtime and ships them inside its
package, so nothing is downloaded and nothing leaves the machine. It runs where the PDF parser
runs, in the parser pool's worker process, so the pool's time limit also bounds a huge scan.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from qrag_desktop.core.errors import DocumentError
from qrag_desktop.core.messages import QT_TRANSLATE_NOOP

log = logging.getLogger(__name__)

# The engine's own cap (config.yaml max_side_len) is 2000 px; rendering larger only costs time.
_MAX_SIDE_PX = 2000
# An A4 page at 200 dpi is about 1650 x 2340 px: small print stays readable, large pages shrink.
_DPI = 200

# How far each detected text box is grown before its line is read. RapidOCR's default (1.6) crops
# English lines so tightly that the recogniser drops spaces ("thezephyrine"); 2.0 keeps them, and
# Chinese reads the same either way.
_UNCLIP_RATIO = 2.0
# The 180-degree line classifier is off: scanned pages are upright, and on a full page of English it
# turned lines it should not have, so they fell under the score threshold (17 of 45 lines kept).

_MAX_THREADS = 4

OcrProgress = Callable[[int, int], None]  # (n, m): "OCR page n of m"

_engine: Any = None
_engine_lock = threading.Lock()


def available() -> bool:
    """Whether the OCR engine can be imported (a build without it still reads text PDFs)."""
    try:
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def _ocr_engine() -> Any:
    """One engine per process, loaded on first use (about a second): the worker is reused."""
    global _engine
    with _engine_lock:
        if _engine is None:
            try:
                from rapidocr_onnxruntime import RapidOCR
            except ImportError as exc:
                raise DocumentError(
                    QT_TRANSLATE_NOOP("core", "no text; scanned? (OCR is not installed)"), cause=exc
                ) from exc
            # A bounded thread count: the embedder works beside the parser, and each ONNX Runtime
            # thread adds address space, which the parser's memory cap counts.
            threads = max(1, min(_MAX_THREADS, os.cpu_count() or 1))
            _engine = RapidOCR(intra_op_num_threads=threads, inter_op_num_threads=1)
        return _engine


def ocr_pdf_pages(data: bytes, pages: Sequence[int], progress: OcrProgress | None = None) -> dict[int, str]:
    """Text of the given 1-based pages, read from their rendered image. A page that fails is left out."""
    import numpy as np
    import pypdfium2 as pdfium

    engine = _ocr_engine()
    out: dict[int, str] = {}
    pdf = pdfium.PdfDocument(data)
    try:
        for n, number in enumerate(pages, start=1):
            if progress is not None:
                progress(n, len(pages))
            log.info("OCR page %d of %d", n, len(pages))
            t0 = time.perf_counter()
            try:
                page = pdf[number - 1]
                try:
                    image = _render(page)
                finally:
                    page.close()
                result, _ = engine(np.asarray(image), unclip_ratio=_UNCLIP_RATIO, use_cls=False)
            except Exception as exc:  # one unreadable page should not cost the others
                log.warning("OCR of PDF page %d failed: %r", number, exc)
                continue
            lines = [str(item[1]) for item in result or () if str(item[1]).strip()]
            out[number] = "\n".join(lines)
            log.debug("OCR page %d: %d lines in %.2f s", number, len(lines), time.perf_counter() - t0)
    finally:
        pdf.close()
    return out


def has_images(page: Any) -> bool:
    """Whether a pypdfium2 page draws any image: a page without one has nothing to read by OCR."""
    import pypdfium2.raw as pdfium_c

    return any(True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2))


def pages_with_images(data: bytes, pages: Sequence[int]) -> list[int]:
    """The pages among ``pages`` (1-based) that hold an image, in order."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        found = []
        for number in pages:
            page = pdf[number - 1]
            try:
                if has_images(page):
                    found.append(number)
            finally:
                page.close()
        return found
    finally:
        pdf.close()


def _render(page: Any) -> Any:
    width, height = page.get_size()  # points, 1/72 inch
    scale = min(_DPI / 72, _MAX_SIDE_PX / max(width, height, 1.0))
    return page.render(scale=scale).to_pil()


__all__ = ["available", "ocr_pdf_pages", "pages_with_images"]
