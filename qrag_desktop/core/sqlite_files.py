"""Open the app's small SQLite files (manifest, conversations) so that damage never blocks the app.

A damaged file (``database disk image is malformed``, ``file is not a database``) is found when it
is opened, by SQLite's own ``quick_check``, and set aside: renamed with a timestamp, never deleted,
so the user or a bug report still has it. A fresh file takes its place and the caller rebuilds what
it can. A file that cannot be opened for another reason (no permission, a read-only or full disk)
is not damaged and is never moved: that is a StoreUnavailableError naming the path.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from qrag_desktop.core.errors import StoreUnavailableError
from qrag_desktop.core.messages import QT_TRANSLATE_NOOP, Phrase
from qrag_desktop.core.storage import explain_os_error

log = logging.getLogger(__name__)

_SIDE_FILES = ("-wal", "-shm", "-journal")


def open_checked(
    path: Path, prepare: Callable[[sqlite3.Connection], None], *, what: str, **connect: object
) -> tuple[sqlite3.Connection, Path | None]:
    """Connect to ``path``, check it, run ``prepare`` (pragmas, schema) on it.

    Returns the connection and, when the file was damaged and set aside, where it went.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise explain_os_error(
            exc, path.parent, Phrase(QT_TRANSLATE_NOOP("core", "The %1 cannot be created"), Phrase(what))
        ) from exc
    try:
        return _open(path, prepare, connect), None
    except sqlite3.OperationalError as exc:
        if not _looks_damaged(exc):
            raise _unusable(exc, path, what) from exc
        damage: Exception = exc
    except (sqlite3.DatabaseError, _Damaged) as exc:
        damage = exc
    aside = set_aside(path)
    log.warning("The %s %s was damaged (%s); set aside as %s", what, path, damage, aside)
    try:
        return _open(path, prepare, connect), aside
    except sqlite3.Error as exc:
        raise _unusable(exc, path, what) from exc


def set_aside(path: Path) -> Path:
    """Rename ``path`` (and SQLite's side files) to ``<name>.damaged-<time>``; returns the new path."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    for suffix in _SIDE_FILES:
        side = Path(f"{path}{suffix}")
        if side.exists():
            side.rename(Path(f"{target}{suffix}"))
    if path.exists():
        path.rename(target)
    return target


class _Damaged(Exception):
    """quick_check found the file's pages inconsistent."""


def _open(path: Path, prepare: Callable[[sqlite3.Connection], None], connect: dict) -> sqlite3.Connection:
    db = sqlite3.connect(str(path), **connect)  # type: ignore[arg-type]
    try:
        rows = db.execute("PRAGMA quick_check").fetchall()
        if rows != [("ok",)]:
            raise _Damaged("; ".join(str(r[0]) for r in rows[:3]))
        prepare(db)
    except BaseException:
        db.close()
        raise
    return db


def _looks_damaged(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text or "corrupt" in text


def _unusable(exc: sqlite3.Error, path: Path, what: str) -> StoreUnavailableError:
    """``what`` names the file for a person ("index manifest"), marked for translation."""
    text = str(exc).lower()
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return StoreUnavailableError(
            QT_TRANSLATE_NOOP("core", "The %1 at %2 cannot be written (a read-only disk, or no permission)."),
            args=(Phrase(what), path),
            cause=exc,
            hint=QT_TRANSLATE_NOOP(
                "core", "Give your user write access to that folder, or choose another with --data-dir."
            ),
        )
    if "disk is full" in text or "disk i/o" in text:
        return StoreUnavailableError(
            QT_TRANSLATE_NOOP(
                "core", "The %1 at %2 cannot be written: the disk holding it is full or failing."
            ),
            args=(Phrase(what), path),
            cause=exc,
            hint=QT_TRANSLATE_NOOP("core", "Free some space on that disk, then run the same command again."),
        )
    return StoreUnavailableError(
        QT_TRANSLATE_NOOP("core", "The %1 at %2 cannot be opened: %3"),
        args=(Phrase(what), path, exc),
        cause=exc,
    )


__all__ = ["open_checked", "set_aside"]
