"""Build real test files (PDF, DOCX) in a temporary folder.

pypdf writes blank and encrypted PDFs but cannot typeset text, so text PDFs are written by hand:
the smallest valid file with a Helvetica font and one text content stream per page.
"""

from __future__ import annotations

from pathlib import Path

import docx
from pypdf import PdfWriter


def _pdf_string(text: str) -> str:
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def write_text_pdf(path: Path, pages: list[list[str]], title: str | None = None) -> Path:
    """A PDF whose page n shows the lines ``pages[n]`` (Latin-1 text) in a text layer."""
    streams = []
    for lines in pages:
        ops = ["BT", "/F1 12 Tf", "14 TL", "72 720 Td"]
        for line in lines:
            ops.append(f"{_pdf_string(line)} Tj T*")
        ops.append("ET")
        streams.append("\n".join(ops))
    return _write_pdf(path, streams, title)


def write_pdf_with_content(path: Path, content: str) -> Path:
    """A one-page PDF with the given raw content stream."""
    return _write_pdf(path, [content], None)


def _write_pdf(path: Path, streams: list[str], title: str | None) -> Path:
    n = len(streams)
    # objects: 1 catalog, 2 pages, 3 font, 4 info, then (page, content) pairs
    objects: dict[int, bytes] = {}
    kids = " ".join(f"{5 + 2 * i} 0 R" for i in range(n))
    objects[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[2] = f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode()
    objects[3] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    objects[4] = f"<< /Title {_pdf_string(title or '')} >>".encode("latin-1")
    for i, stream in enumerate(streams):
        page, content = 5 + 2 * i, 6 + 2 * i
        objects[page] = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {content} 0 R >>"
        ).encode()
        data = stream.encode("latin-1")
        objects[content] = b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for num in sorted(objects):
        offsets[num] = len(out)
        out += b"%d 0 obj\n" % num + objects[num] + b"\nendobj\n"
    xref = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for num in range(1, size):
        out += b"%010d 00000 n \n" % offsets[num]
    info = b" /Info 4 0 R" if title else b""
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (size, info, xref)
    path.write_bytes(bytes(out))
    return path


def write_blank_pdf(path: Path, pages: int = 2) -> Path:
    """Pages with no text layer, like a scan without OCR."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=612, height=792)
    with path.open("wb") as f:
        writer.write(f)
    return path


def write_encrypted_pdf(path: Path, source: Path, user_password: str) -> Path:
    """``source`` re-written with AES-256 encryption; an empty user password opens it freely."""
    writer = PdfWriter(clone_from=str(source))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="AES-256")
    with path.open("wb") as f:
        writer.write(f)
    return path


def write_docx(path: Path, blocks: list[tuple[str, object]], title: str | None = None) -> Path:
    """Blocks are ("title", text), ("h1".."h3", text), ("p", text) or ("table", rows)."""
    document = docx.Document()
    if title:
        document.core_properties.title = title
    for kind, value in blocks:
        if kind == "title":
            document.add_heading(str(value), level=0)
        elif kind.startswith("h"):
            document.add_heading(str(value), level=int(kind[1:]))
        elif kind == "p":
            document.add_paragraph(str(value))
        elif kind == "table":
            rows = list(value)  # type: ignore[call-overload]
            table = document.add_table(rows=len(rows), cols=len(rows[0]))
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = str(cell)
    document.save(str(path))
    return path


def write_table_pdf(path: Path, intro: list[str], rows: list[list[str]], *, one_path: bool = False) -> Path:
    """A one-page PDF: the ``intro`` lines, then ``rows`` (the first is the header) as a ruled grid,
    each rule stroked on its own or (``one_path``) the whole grid as one path, as some writers do."""
    ops = ["BT", "/F1 12 Tf", "14 TL", "72 720 Td"]
    ops += [f"{_pdf_string(line)} Tj T*" for line in intro]
    ops.append("ET")
    col_w, row_h = 150, 20
    top = 700 - 14 * len(intro)
    left = 72
    ncols = len(rows[0])
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            x, y = left + c * col_w + 4, top - (r + 1) * row_h + 6
            ops.append(f"BT /F1 10 Tf {x} {y} Td {_pdf_string(cell)} Tj ET")
    ops.append("0.5 w")
    stroke = "" if one_path else " S"
    for r in range(len(rows) + 1):  # horizontal rules
        y = top - r * row_h
        ops.append(f"{left} {y} m {left + ncols * col_w} {y} l{stroke}")
    for c in range(ncols + 1):  # vertical rules
        x = left + c * col_w
        ops.append(f"{x} {top} m {x} {top - len(rows) * row_h} l{stroke}")
    if one_path:
        ops.append("S")
    return _write_pdf(path, ["\n".join(ops)], None)


def render_text_image(lines: list[str], *, width: int = 900, height: int = 400, point_size: int = 28):
    """A white page image (PIL) with ``lines`` drawn in black by Qt, in a font that has the characters.

    Qt falls back to a font for every script the system has one for; a caller drawing Chinese
    checks ``has_chinese_font`` first (a CI image may have none).
    """
    from PIL import Image
    from PySide6.QtCore import QBuffer, QIODevice, Qt
    from PySide6.QtGui import QColor, QFont, QImage, QPainter

    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    font = QFont()
    font.setPixelSize(point_size)
    painter.setFont(font)
    painter.setPen(QColor("black"))
    for i, line in enumerate(lines):
        top = point_size + i * 2 * point_size
        painter.drawText(
            point_size * 2, top, width - point_size * 3, 2 * point_size, Qt.AlignmentFlag.AlignLeft, line
        )
    painter.end()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    import io

    return Image.open(io.BytesIO(bytes(buffer.data()))).convert("RGB")


def has_chinese_font() -> bool:
    """Whether an installed font covers Simplified Chinese (needs a QGuiApplication)."""
    from PySide6.QtGui import QFontDatabase

    chinese = QFontDatabase.WritingSystem.SimplifiedChinese
    return any(chinese in QFontDatabase.writingSystems(f) for f in QFontDatabase.families())


def write_scanned_pdf(path: Path, pages: list[list[str]]) -> Path:
    """An image-only PDF (no text layer), one rendered page image per entry of ``pages``."""
    images = [render_text_image(lines) for lines in pages]
    images[0].save(path, "PDF", resolution=150, save_all=True, append_images=images[1:])
    return path


def write_pptx(path: Path, slides: list[tuple[str, str, str]], title: str | None = None) -> Path:
    """Slides of (title, body, speaker notes), on the title-and-content layout."""
    from pptx import Presentation

    deck = Presentation()
    if title:
        deck.core_properties.title = title
    for heading, body, notes in slides:
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = heading
        slide.placeholders[1].text_frame.text = body
        if notes:
            slide.notes_slide.notes_text_frame.text = notes
    deck.save(str(path))
    return path


def write_xlsx(
    path: Path, sheets: dict[str, list[list[object]]], cached: dict[str, object] | None = None
) -> Path:
    """A workbook with a sheet per entry (rows of values; a string starting with "=" is a formula).

    openpyxl writes formulas without the value Excel would have computed; ``cached`` maps
    "Sheet!A1" to the value to store as if Excel had saved the file, as Excel does.
    """
    import re
    import zipfile

    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(str(path))
    if not cached:
        return path
    names = list(sheets)
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    for key, value in cached.items():
        sheet_name, cell = key.split("!")
        part = f"xl/worksheets/sheet{names.index(sheet_name) + 1}.xml"
        xml = parts[part].decode()
        xml = re.sub(
            rf'(<c r="{cell}"[^>]*>)(<f>[^<]*</f>)(<v>[^<]*</v>)?', rf"\g<1>\g<2><v>{value}</v>", xml
        )
        parts[part] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def write_epub(path: Path, title: str, chapters: list[tuple[str, str]]) -> Path:
    """An EPUB 3 with chapters of (title, HTML body) in reading order and a table of contents."""
    from ebooklib import epub

    book = epub.EpubBook()
    book.set_identifier("qrag-test-book")
    book.set_title(title)
    book.set_language("en")
    items = []
    for i, (heading, body) in enumerate(chapters, start=1):
        item = epub.EpubHtml(title=heading, file_name=f"chap_{i}.xhtml", lang="en")
        item.content = f"<html><body>{body}</body></html>"
        book.add_item(item)
        items.append(item)
    book.toc = items
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = ["nav", *items]
    epub.write_epub(str(path), book)
    return path


def write_zip_bomb(path: Path, member: str = "word/document.xml", unpacked_mb: int = 40) -> Path:
    """A small zip whose one member unpacks to ``unpacked_mb`` MB of zeros."""
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open(member, "w", force_zip64=True) as f:
            block = bytes(1024 * 1024)
            for _ in range(unpacked_mb):
                f.write(block)
    return path


def write_encrypted_office(path: Path, source: Path, password: str) -> Path:
    """``source`` (DOCX, PPTX, XLSX) encrypted with a password, as Office does it (msoffcrypto)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    with source.open("rb") as src, path.open("wb") as out:
        OOXMLFile(src).encrypt(password, out)
    return path
