"""What the disk under the data dir can do to us, in words a person can act on.

Every write the app makes (settings, manifest, store, logs) can meet a read-only disk, a folder
without permission or a full disk. Each of these gets one message naming the path and what to do;
a full disk also says how much room is left, so it is never mistaken for a damaged index.
"""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

from qrag_desktop.core.errors import DiskFullError, QragError, StoreUnavailableError
from qrag_desktop.core.messages import QT_TRANSLATE_NOOP, Phrase

_MB = 1024 * 1024
FULL = frozenset({errno.ENOSPC, errno.EDQUOT})


def free_mb(where: Path) -> float | None:
    """Free space, in MB, on the disk holding ``where`` (its nearest existing parent); None if unknown."""
    p = Path(where)
    while not p.exists() and p != p.parent:
        p = p.parent
    try:
        return shutil.disk_usage(p).free / _MB
    except OSError:
        return None


def disk_full_error(where: Path, cause: BaseException | None = None) -> DiskFullError:
    free = free_mb(where)
    hint = QT_TRANSLATE_NOOP(
        "core", "Free some space on it, then run the same command again: what was stored is kept."
    )
    if free is None:
        return DiskFullError(
            QT_TRANSLATE_NOOP("core", "The disk holding %1 is full."), args=(where,), cause=cause, hint=hint
        )
    return DiskFullError(
        QT_TRANSLATE_NOOP("core", "The disk holding %1 is full (%2 MB free)."),
        args=(where, f"{free:.0f}"),
        cause=cause,
        hint=hint,
    )


def is_disk_full(exc: BaseException) -> bool:
    """True when ``exc`` or anything in its chain of causes says the disk is full."""
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, OSError) and cur.errno in FULL:
            return True
        text = str(cur).lower()
        if "no space left on device" in text or "disk is full" in text or "disk quota exceeded" in text:
            return True
        cur = cur.__cause__ or cur.__context__
    return False


def explain_os_error(exc: OSError, where: Path, doing: str) -> QragError:
    """``doing`` is the start of a sentence ("The data folder cannot be created"), marked
    ``QT_TRANSLATE_NOOP("core", ...)``; a ``Phrase`` with places of its own is taken as it is."""
    if exc.errno in FULL:
        return disk_full_error(where, exc)
    what = doing if isinstance(doing, Phrase) else Phrase(doing)
    if exc.errno == errno.EROFS:
        return StoreUnavailableError(
            QT_TRANSLATE_NOOP("core", "%1: %2 is on a read-only disk."),
            args=(what, where),
            cause=exc,
            hint=QT_TRANSLATE_NOOP("core", "Choose a writable folder with --data-dir (or QRAG_DATA_DIR)."),
        )
    if exc.errno in (errno.EACCES, errno.EPERM):
        return StoreUnavailableError(
            QT_TRANSLATE_NOOP("core", "%1: no permission to write to %2."),
            args=(what, where),
            cause=exc,
            hint=QT_TRANSLATE_NOOP(
                "core",
                "Give your user write access to it, or choose another folder with --data-dir (or QRAG_DATA_DIR).",  # noqa: E501
            ),
        )
    return StoreUnavailableError(
        QT_TRANSLATE_NOOP("core", "%1: %2: %3."), args=(what, where, exc.strerror or exc), cause=exc
    )


__all__ = ["disk_full_error", "explain_os_error", "free_mb", "is_disk_full"]
