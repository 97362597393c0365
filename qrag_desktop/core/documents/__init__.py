"""Read a file into a Document: text split into Sections by its own structure (headings, pages).

Every way a single file can be bad ends in a DocumentError with a short message for a person, so
indexing can report it and go on with the next file. ``isolation.ParserPool`` runs this in a
separate process for files that could hang or crash a parser.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from qrag_desktop.core.documents.code import parse_code
from qrag_desktop.core.documents.docx import parse_docx
from qrag_desktop.core.documents.encoding import decode_text
from qrag_desktop.core.documents.epub import parse_epub
from qrag_desktop.core.documents.html import declared_charset, parse_html
from qrag_desktop.core.documents.markdown import parse_markdown
from qrag_desktop.core.documents.pdf import parse_pdf
from qrag_desktop.core.documents.pptx import parse_pptx
from qrag_desktop.core.documents.reading import read_bytes
from qrag_desktop.core.documents.rst import parse_rst
from qrag_desktop.core.documents.structure import tidy
from qrag_desktop.core.documents.xlsx import parse_xlsx
from qrag_desktop.core.errors import DocumentError
from qrag_desktop.core.messages import QT_TRANSLATE_NOOP
from qrag_desktop.core.types import Document, Section

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
TEXT_SUFFIXES = frozenset({".txt", ".text", ".log"})
RST_SUFFIXES = frozenset({".rst"})
PDF_SUFFIXES = frozenset({".pdf"})
DOCX_SUFFIXES = frozenset({".docx"})
PPTX_SUFFIXES = frozenset({".pptx"})
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
EPUB_SUFFIXES = frozenset({".epub"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
CODE_SUFFIXES = frozenset(
    ".py .js .ts .tsx .jsx .java .c .h .cpp .hpp .cc .go .rs .rb .php .cs .kt .swift .scala .sh .sql "
    ".yaml .yml .toml .json .css .m .r .lua".split()
)
SUPPORTED_SUFFIXES: frozenset[str] = (
    MARKDOWN_SUFFIXES
    | TEXT_SUFFIXES
    | RST_SUFFIXES
    | PDF_SUFFIXES
    | DOCX_SUFFIXES
    | PPTX_SUFFIXES
    | XLSX_SUFFIXES
    | EPUB_SUFFIXES
    | HTML_SUFFIXES
    | CODE_SUFFIXES
)

# The work one file may cost. Storing text for keyword search runs at a few hundred KB/s on a
# 2-core machine, so 8 M characters (about 4,700 passages) is about a minute; a file with more
# is reported with this reason instead of holding the whole run for many minutes.
MAX_TEXT_CHARS = 8 * 1024 * 1024
# Sections are cut into blocks of at most this many characters (at a paragraph, line, sentence
# or word break), so chunking holds one block's token offsets in memory, not a whole file's.
BLOCK_CHARS = 64_000
_BREAKS = ("\n\n", "\n", ". ", "。", " ")

# kind -> parser from raw bytes to (title or None, sections, encoding or None)
_Parsed = tuple[str | None, tuple[Section, ...], str | None]


@dataclass(frozen=True)
class ParseOptions:
    """How to read: ``ocr`` reads scanned PDF pages; ``progress`` receives lines such as
    "OCR page 2 of 9" while a long step runs."""

    ocr: bool = True
    progress: Callable[[str], None] | None = None
    pages: frozenset[int] | None = None  # paged formats: read only these (1-based) pages


_Parser = Callable[[bytes, str, ParseOptions], _Parsed]


def is_supported(path: str | os.PathLike[str]) -> bool:
    """Whether the file's suffix (any case) is one ``load_document`` reads."""
    return Path(path).suffix.lower() in SUPPORTED_SUFFIXES


def load_document(
    path: str | os.PathLike[str],
    *,
    max_bytes: int | None = None,
    ocr: bool = True,
    progress: Callable[[str], None] | None = None,
    pages: frozenset[int] | None = None,
) -> Document:
    """Read and parse one file. Raises DocumentError, and nothing else, for any bad file."""
    abspath = os.path.abspath(os.fspath(path))
    suffix = Path(abspath).suffix.lower()
    kind, parse = _parser_for(suffix)
    data = read_bytes(abspath, max_bytes)
    try:
        title, sections, encoding = parse(data, suffix, ParseOptions(ocr=ocr, progress=progress, pages=pages))
    except DocumentError:
        raise
    except RecursionError as exc:
        raise DocumentError(
            QT_TRANSLATE_NOOP("core", "file is too deeply nested to read"), cause=exc
        ) from exc
    except MemoryError as exc:
        raise DocumentError(
            QT_TRANSLATE_NOOP("core", "file is too large or complex to read (out of memory)"), cause=exc
        ) from exc
    except Exception as exc:  # a parser library failing on odd input is still just a bad file
        raise DocumentError(
            QT_TRANSLATE_NOOP("core", "could not read this %1 file: %2"),
            args=(kind, exc.__class__.__name__),
            cause=exc,
        ) from exc
    sections = tuple(s for s in sections if s.text.strip())
    if not sections:
        raise DocumentError(QT_TRANSLATE_NOOP("core", "no text"))
    chars = sum(len(s.text) for s in sections)
    if chars > MAX_TEXT_CHARS:
        raise DocumentError(
            QT_TRANSLATE_NOOP("core", "too much text to index (%1 M characters; the limit is %2 M per file)"),
            args=(f"{chars / 1e6:.1f}", f"{MAX_TEXT_CHARS / 1e6:.1f}"),
            hint=QT_TRANSLATE_NOOP("core", "Split the file, or leave it out with a .qragignore line."),
        )
    sections = tuple(block for s in sections for block in _blocks(s))
    return Document(
        path=abspath,
        title=(title or "").strip() or Path(abspath).stem,
        kind=kind,
        sections=sections,
        encoding=encoding,
    )


def _blocks(section: Section) -> list[Section]:
    """``section`` cut into pieces of at most BLOCK_CHARS, each at the best break near its end."""
    text = section.text
    if len(text) <= BLOCK_CHARS:
        return [section]
    out: list[Section] = []
    start = 0
    while start < len(text):
        end = min(start + BLOCK_CHARS, len(text))
        if end < len(text):
            floor = start + BLOCK_CHARS // 2  # never a sliver: look for a break in the second half
            for brk in _BREAKS:
                at = text.rfind(brk, floor, end)
                if at >= 0:
                    end = at + len(brk)
                    break
        piece = text[start:end].strip()
        if piece:
            out.append(dataclasses.replace(section, text=piece))
        start = end
    return out


def _parser_for(suffix: str) -> tuple[str, _Parser]:
    for suffixes, kind, parser in _REGISTRY:
        if suffix in suffixes:
            return kind, parser
    raise DocumentError(QT_TRANSLATE_NOOP("core", "unsupported file type"))


def _markdown(data: bytes, suffix: str, options: ParseOptions) -> _Parsed:
    text, encoding = decode_text(data)
    title, sections = parse_markdown(text)
    return title, sections, encoding


def _text(data: bytes, suffix: str, options: ParseOptions) -> _Parsed:
    text, encoding = decode_text(data)
    body = tidy(text)
    return None, ((Section(text=body),) if body.strip() else ()), encoding


def _rst(data: bytes, suffix: str, options: ParseOptions) -> _Parsed:
    text, encoding = decode_text(data)
    title, sections = parse_rst(text)
    return title, sections, encoding


def _pdf(data: bytes, suffix: str, options: ParseOptions) -> _Parsed:
    progress = options.progress

    def ocr_progress(n: int, m: int) -> None:
        if progress is not None:
            progress(f"OCR page {n} of {m}")

    title, sections = parse_pdf(data, ocr=options.ocr, progress=ocr_progress, pages_wanted=options.pages)
    return title, sections, None


def _binary(parse: Callable[[bytes], tuple[str | None, tuple[Section, ...]]]) -> _Parser:
    """A parser of a binary format, which has no text encoding to report."""

    def run(data: bytes, suffix: str, options: ParseOptions) -> _Parsed:
        title, sections = parse(data)
        return title, sections, None

    return run


_docx, _pptx, _xlsx, _epub = (_binary(p) for p in (parse_docx, parse_pptx, parse_xlsx, parse_epub))


def _html(data: bytes, suffix: str, options: ParseOptions) -> _Parsed:
    text, encoding = decode_text(data, declared=declared_charset(data))
    title, sections = parse_html(text)
    return title, sections, encoding


def _code(data: bytes, suffix: str, options: ParseOptions) -> _Parsed:
    text, encoding = decode_text(data)
    return None, parse_code(text, suffix), encoding


# suffixes -> (kind, parser); the first match wins
_REGISTRY: tuple[tuple[frozenset[str], str, _Parser], ...] = (
    (MARKDOWN_SUFFIXES, "markdown", _markdown),
    (TEXT_SUFFIXES, "text", _text),
    (RST_SUFFIXES, "rst", _rst),
    (PDF_SUFFIXES, "pdf", _pdf),
    (DOCX_SUFFIXES, "docx", _docx),
    (PPTX_SUFFIXES, "pptx", _pptx),
    (XLSX_SUFFIXES, "xlsx", _xlsx),
    (EPUB_SUFFIXES, "epub", _epub),
    (HTML_SUFFIXES, "html", _html),
    (CODE_SUFFIXES, "code", _code),
)

__all__ = [
    "BLOCK_CHARS",
    "MAX_TEXT_CHARS",
    "SUPPORTED_SUFFIXES",
    "ParseOptions",
    "is_supported",
    "load_document",
]
