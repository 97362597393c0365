"""Read a file's bytes, turning every way that can fail into a DocumentError a person understands."""

from __future__ import annotations

import errno
import os
import stat

from qrag_desktop.core.errors import DocumentError
from qrag_desktop.core.messages import QT_TRANSLATE_NOOP

_MB = 1024 * 1024
# Office files and e-books are zip archives. What a parser unpacks is refused from the archive's
# own directory first, so a 3 MB file that unpacks to 1 GB (a zip bomb) costs nothing; the
# parser process's memory cap (isolation.py) covers archives whose directory lies.


def read_bytes(path: str, max_bytes: int | None = None) -> bytes:
    """All bytes of a regular file, refused early when it is too large or not a regular file.

    FIFOs, sockets and devices are refused from ``stat`` alone: opening a FIFO blocks forever.
    """
    try:
        st = os.stat(path)
    except OSError as exc:
        raise _os_error(exc) from exc
    if stat.S_ISDIR(st.st_mode):
        raise DocumentError(QT_TRANSLATE_NOOP("core", "this is a folder, not a file"))
    if not stat.S_ISREG(st.st_mode):
        raise DocumentError(QT_TRANSLATE_NOOP("core", "not a regular file (a pipe, socket or device)"))
    _check_size(st.st_size, max_bytes)
    try:
        with open(path, "rb") as f:
            # Read one byte past the limit: the file may have grown since stat().
            data = f.read() if max_bytes is None else f.read(max_bytes + 1)
    except OSError as exc:
        raise _os_error(exc) from exc
    _check_size(len(data), max_bytes)
    if not data:
        raise DocumentError(QT_TRANSLATE_NOOP("core", "empty file"))
    return data


def _check_size(size: int, max_bytes: int | None) -> None:
    if max_bytes is not None and size > max_bytes:
        raise DocumentError(
            QT_TRANSLATE_NOOP("core", "file too large (%1 MB, limit %2 MB)"), args=(_mb(size), _mb(max_bytes))
        )


def _mb(n: int) -> str:
    value = n / _MB
    return f"{value:.1f}" if value < 10 else f"{value:.0f}"


def _os_error(exc: OSError) -> DocumentError:
    if isinstance(exc, FileNotFoundError):
        return DocumentError(QT_TRANSLATE_NOOP("core", "file not found (moved or deleted?)"), cause=exc)
    if isinstance(exc, PermissionError):
        return DocumentError(QT_TRANSLATE_NOOP("core", "permission denied"), cause=exc)
    if isinstance(exc, IsADirectoryError):
        return DocumentError(QT_TRANSLATE_NOOP("core", "this is a folder, not a file"), cause=exc)
    if exc.errno == errno.ELOOP:
        return DocumentError(
            QT_TRANSLATE_NOOP("core", "symbolic link loop (the link points back to itself)"), cause=exc
        )
    if exc.errno == errno.ENAMETOOLONG:
        return DocumentError(QT_TRANSLATE_NOOP("core", "file name too long"), cause=exc)
    reason = exc.strerror or exc.__class__.__name__
    return DocumentError(QT_TRANSLATE_NOOP("core", "could not read the file: %1"), args=(reason,), cause=exc)
