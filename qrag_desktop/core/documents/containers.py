"""Checks for zip-based formats (DOCX, PPTX, XLSX, EPUB) before a parser library unpacks them.

A zip states each member's unpacked size in its directory, and Python's zipfile never unpacks more
than that, so the declared sizes bound the memory a parser can use: a zip bomb is refused from
its directory alone. A password-protected Office file is not a zip at all but an OLE compound file
holding an ``EncryptionInfo`` stream, which is how it is recognised.
"""

from __future__ import annotations

import io
import zipfile

from qrag_desktop.core.errors import DocumentError
from qrag_desktop.core.messages import QT_TRANSLATE_NOOP

MAX_UNPACKED_BYTES = 512 * 1024 * 1024
MAX_MEMBERS = 50_000
MAX_RATIO = 200  # unpacked / packed; real documents stay far below (XML compresses about 10:1)
_RATIO_FLOOR = 16 * 1024 * 1024  # the ratio test applies only to archives this large unpacked
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def check_zip(data: bytes, kind: str) -> None:
    """Raise DocumentError with a one-line reason when ``data`` is not a safe zip of type ``kind``."""
    if data.startswith(_OLE_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in data:
            raise DocumentError(QT_TRANSLATE_NOOP("core", "encrypted %1 (password protected)"), args=(kind,))
        raise DocumentError(
            QT_TRANSLATE_NOOP("core", "not a valid %1 file (an older binary Office format?)"), args=(kind,)
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise DocumentError(
            QT_TRANSLATE_NOOP("core", "not a valid %1 file"), args=(kind,), cause=exc
        ) from exc
    if len(members) > MAX_MEMBERS:
        raise DocumentError(
            QT_TRANSLATE_NOOP("core", "%1 holds %2 parts; refusing to unpack (a zip bomb?)"),
            args=(kind, f"{len(members):,}"),
        )
    unpacked = sum(m.file_size for m in members)
    packed = max(1, sum(m.compress_size for m in members))
    if unpacked > MAX_UNPACKED_BYTES or (unpacked > _RATIO_FLOOR and unpacked / packed > MAX_RATIO):
        raise DocumentError(
            QT_TRANSLATE_NOOP("core", "%1 would unpack to %2 MB from %3 KB; refusing (a zip bomb?)"),
            args=(kind, f"{unpacked / 1024 / 1024:,.0f}", f"{len(data) / 1024:,.0f}"),
        )


__all__ = ["MAX_UNPACKED_BYTES", "check_zip"]
