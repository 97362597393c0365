"""What has been indexed: one row per file, in SQLite beside the store.

The manifest is the source of truth for "is this file done?". A file is marked ``done`` only
after all of its chunks are stored and flushed (see ``indexer.py`` for the order of writes).

A failed file's reason is kept in English (``error``: the log, ``qrag status``, the JSON report)
and as its template and arguments, so that the window shows it in its language after a restart.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from qrag_desktop.core.messages import QT_TRANSLATE_NOOP, tr
from qrag_desktop.core.sqlite_files import open_checked

SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,
    folder TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    hash TEXT NOT NULL,
    status TEXT NOT NULL,          -- done, failed, writing
    error TEXT,                    -- a failed file's reason, in English
    chunk_ids TEXT NOT NULL,       -- JSON list
    settings_key TEXT NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS files_hash ON files(hash);
CREATE INDEX IF NOT EXISTS files_folder ON files(folder);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
# Added later; a manifest written before has them added, empty (its reasons are shown as stored).
_ADDED_COLUMNS = {
    "error_template": "TEXT",  # the reason's English template, with %1 places
    "error_args": "TEXT",  # JSON list of the strings that fill them
}


def _prepare(db: sqlite3.Connection) -> None:
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.executescript(SCHEMA)
    have = {r[1] for r in db.execute("PRAGMA table_info(files)")}
    for name, kind in _ADDED_COLUMNS.items():
        if name not in have:
            db.execute(f"ALTER TABLE files ADD COLUMN {name} {kind}")


@dataclass(frozen=True)
class FileRecord:
    path: str
    folder: str
    size: int
    mtime_ns: int
    hash: str
    status: str
    error: str | None
    chunk_ids: tuple[str, ...]
    settings_key: str
    updated_at: float
    error_template: str | None = None
    error_args: tuple[str, ...] = ()

    def shown_error(self) -> str | None:
        """The failure reason in the UI language (English when no translator is installed)."""
        if self.error_template:
            return tr(self.error_template, *self.error_args)
        # A row from before templates were kept: a reason without places is its own template.
        return tr(self.error) if self.error else self.error


class Manifest:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        # A damaged manifest is set aside (renamed) and a fresh one started: the next index run
        # rebuilds it from the files, reusing every vector the store still holds.
        self._db, self.set_aside = open_checked(
            self.path,
            _prepare,
            what=QT_TRANSLATE_NOOP("core", "index manifest"),
            check_same_thread=False,
            isolation_level=None,
        )

    def notice(self) -> str | None:
        """One sentence for the user when the manifest was damaged at open; None otherwise."""
        if self.set_aside is None:
            return None
        return tr(
            QT_TRANSLATE_NOOP(
                "core",
                "The index manifest %1 was damaged; it was set aside as %2 and is rebuilt from your "
                "files on the next index run (stored passages are reused).",
            ),
            self.path,
            self.set_aside.name,
        )

    def close(self) -> None:
        try:
            self._db.close()
        except sqlite3.Error:
            pass

    @staticmethod
    def _row(r: tuple) -> FileRecord:
        return FileRecord(
            path=r[0],
            folder=r[1],
            size=r[2],
            mtime_ns=r[3],
            hash=r[4],
            status=r[5],
            error=r[6],
            chunk_ids=tuple(json.loads(r[7])),
            settings_key=r[8],
            updated_at=r[9],
            error_template=r[10],
            error_args=tuple(json.loads(r[11])) if r[11] else (),
        )

    _COLS = (
        "path, folder, size, mtime_ns, hash, status, error, chunk_ids, settings_key, updated_at,"
        " error_template, error_args"
    )

    def get(self, path: str) -> FileRecord | None:
        r = self._db.execute(f"SELECT {self._COLS} FROM files WHERE path=?", (path,)).fetchone()
        return self._row(r) if r else None

    def all(self, folder: str | None = None) -> list[FileRecord]:
        if folder is None:
            rows = self._db.execute(f"SELECT {self._COLS} FROM files ORDER BY path").fetchall()
        else:
            rows = self._db.execute(
                f"SELECT {self._COLS} FROM files WHERE folder=? ORDER BY path", (folder,)
            ).fetchall()
        return [self._row(r) for r in rows]

    def by_hash(self, digest: str) -> list[FileRecord]:
        rows = self._db.execute(
            f"SELECT {self._COLS} FROM files WHERE hash=? AND status='done'", (digest,)
        ).fetchall()
        return [self._row(r) for r in rows]

    def put(
        self,
        path: str,
        *,
        folder: str,
        size: int,
        mtime_ns: int,
        digest: str,
        status: str,
        chunk_ids: list[str] | tuple[str, ...],
        settings_key: str,
        error: str | None = None,
        error_template: str | None = None,
        error_args: tuple[str, ...] = (),
    ) -> None:
        """``error`` is the reason in English; ``error_template`` and ``error_args`` the same reason
        as its template and arguments, which the window translates."""
        self._db.execute(
            f"INSERT OR REPLACE INTO files ({self._COLS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                path,
                folder,
                size,
                mtime_ns,
                digest,
                status,
                error,
                json.dumps(list(chunk_ids)),
                settings_key,
                time.time(),
                error_template,
                json.dumps(list(error_args)) if error_template else None,
            ),
        )

    def delete(self, path: str) -> None:
        self._db.execute("DELETE FROM files WHERE path=?", (path,))

    def get_meta(self, key: str) -> str | None:
        r = self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return r[0] if r else None

    def set_meta(self, key: str, value: str | None) -> None:
        if value is None:
            self._db.execute("DELETE FROM meta WHERE key=?", (key,))
        else:
            self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def clear(self) -> None:
        self._db.execute("DELETE FROM files")

    def folders(self) -> dict[str, tuple[int, int, float]]:
        """folder -> (files done, chunks, last indexed time)."""
        out: dict[str, tuple[int, int, float]] = {}
        for rec in self.all():
            files, chunks, last = out.get(rec.folder, (0, 0, 0.0))
            if rec.status == "done":
                files += 1
                chunks += len(rec.chunk_ids)
            out[rec.folder] = (files, chunks, max(last, rec.updated_at))
        return out

    def __iter__(self) -> Iterator[FileRecord]:
        return iter(self.all())
