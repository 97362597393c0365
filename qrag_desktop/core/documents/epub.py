"""E-books (.epub): the chapters in reading order (the spine), each under its title as a heading."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from qrag_desktop.core.documents.containers import check_zip
from qrag_desktop.core.documents.encoding import decode_text
from qrag_desktop.core.documents.html import parse_html
from qrag_desktop.core.errors import DocumentError
from qrag_desktop.core.messages import QT_TRANSLATE_NOOP
from qrag_desktop.core.types import Section

# Font obfuscation (IDPF, Adobe) also lives in encryption.xml; only other encrypted parts mean DRM.
_FONT = re.compile(r"\.(?:otf|ttf|woff2?)$", re.I)
_CIPHER_URI = re.compile(rb"""<(?:\w+:)?CipherReference[^>]*URI\s*=\s*["']([^"']+)["']""")


def parse_epub(data: bytes) -> tuple[str | None, tuple[Section, ...]]:
    check_zip(data, "EPUB")
    _check_drm(data)
    import ebooklib  # imported here, paid only for e-books
    from ebooklib import epub

    try:
        book = epub.read_epub(io.BytesIO(data), options={"ignore_ncx": True})
    except Exception as exc:  # ebooklib raises EpubException, KeyError, lxml errors...
        raise DocumentError(QT_TRANSLATE_NOOP("core", "not a valid EPUB file"), cause=exc) from exc
    titles = _toc_titles(book)
    sections: list[Section] = []
    for idref, _linear in book.spine:
        item = book.get_item_with_id(idref)
        if item is None or item.get_type() != ebooklib.ITEM_DOCUMENT or _is_nav(item):
            continue
        text, _ = decode_text(item.get_content())
        page_title, parsed = parse_html(text)
        chapter = titles.get(item.get_name()) or page_title or ""
        for s in parsed:
            path = s.heading_path
            if chapter and (not path or path[0] != chapter):
                path = (chapter, *path)
            sections.append(Section(text=s.text, heading_path=path))
    meta = book.get_metadata("DC", "title")
    title = str(meta[0][0]).strip() if meta and meta[0] and meta[0][0] else None
    return title, tuple(sections)


def _is_nav(item: object) -> bool:
    """The EPUB 3 navigation page is a table of contents, not a chapter."""
    from ebooklib import epub

    return isinstance(item, epub.EpubNav) or "nav" in (getattr(item, "properties", None) or [])


def _check_drm(data: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        try:
            info = archive.getinfo("META-INF/encryption.xml")
        except KeyError:
            return
        if info.file_size > 4 * 1024 * 1024:
            raise DocumentError(QT_TRANSLATE_NOOP("core", "DRM-protected EPUB (encrypted content)"))
        xml = archive.read(info)
    if any(not _FONT.search(uri.decode("utf-8", "replace")) for uri in _CIPHER_URI.findall(xml)):
        raise DocumentError(QT_TRANSLATE_NOOP("core", "DRM-protected EPUB (encrypted content)"))


def _toc_titles(book: Any) -> dict[str, str]:
    """File name -> chapter title from the table of contents (nested sections flattened)."""
    out: dict[str, str] = {}
    stack = list(book.toc)
    while stack:
        entry = stack.pop(0)
        if isinstance(entry, tuple):  # (Section, [children])
            head, children = entry[0], entry[1]
            stack[:0] = [head, *children]
            continue
        href = getattr(entry, "href", "") or ""
        title = " ".join(str(getattr(entry, "title", "") or "").split())
        name = href.split("#", 1)[0]
        if name and title:
            out.setdefault(name, title)
    return out
