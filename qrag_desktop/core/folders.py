"""The knowledge folders: the one place that knows them, their local-only flag, their statistics and
a paused run.

Every face (the window's folder list and status bar, the CLI's ``status``, the ask pipeline) reads
the folders from here, and every change goes through here; nothing keeps a copy it redraws from.
A change is saved at once (through ``save``) and observers hear of it on the thread that made it.
The flag lives in the settings file; statistics and the paused run come from the manifest.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from qrag_desktop.core.errors import ConfigError, QragError
from qrag_desktop.core.manifest import Manifest
from qrag_desktop.core.paths import is_under, normalise, under_any
from qrag_desktop.core.progress import IndexProgress, IndexReport
from qrag_desktop.core.settings import FolderSetting, Paths, Settings, load_settings, save_settings

log = logging.getLogger(__name__)

# Manifest meta key: set while the person has an indexing run paused, so a restart shows it paused
# (with Resume) instead of starting over by itself. Cleared when a run completes or is cancelled.
PAUSED_RUN_KEY = "paused_run"
# Manifest meta key: the folders whose last run stopped before its end (cancelled, paused, the app
# closed): they say "incomplete" until a run over them reaches its end.
INCOMPLETE_KEY = "incomplete_folders"

Observer = Callable[[], None]
SaveFn = Callable[[tuple[FolderSetting, ...]], None]


@dataclass(frozen=True)
class FolderStats:
    files: int = 0
    failed: int = 0
    chunks: int = 0
    last_indexed: float | None = None  # time.time() of the newest manifest row
    pending: int = 0  # files read but not yet embedded (keyword search finds them already)
    incomplete: bool = False  # a run over this folder stopped before its end

    def __add__(self, other: FolderStats) -> FolderStats:
        last = [t for t in (self.last_indexed, other.last_indexed) if t is not None]
        return FolderStats(
            self.files + other.files,
            self.failed + other.failed,
            self.chunks + other.chunks,
            max(last) if last else None,
            self.pending + other.pending,
            self.incomplete or other.incomplete,
        )


@dataclass(frozen=True)
class FolderEntry:
    """One folder as a face shows it; ``stats`` is None until the manifest was read."""

    path: str
    local_only: bool
    stats: FolderStats | None
    missing: bool = False  # not on disk now (moved, deleted, unmounted): offer to remove it
    indexing: bool = False  # a run over it is going on now


def save_to_settings_file(paths: Paths) -> SaveFn:
    """Saves only the folders into the settings file, leaving this run's overrides (env, flags) out."""

    def save(folders: tuple[FolderSetting, ...]) -> None:
        try:
            saved = load_settings(paths)
        except ConfigError:
            saved = Settings()
        save_settings(paths, saved.replace(folders=folders))

    return save


def read_stats(manifest: Manifest, folders: Iterable[str]) -> dict[str, FolderStats]:
    """Files, failures, passages, pending files and last indexing time per folder (slow-ish: run it
    off the GUI). A file counts for every folder it lies under, whichever folder indexed it (a
    folder merged into its parent keeps its rows)."""
    records = manifest.all()
    incomplete = read_incomplete(manifest)
    out: dict[str, FolderStats] = {}
    for path in folders:
        root = normalise(path)
        recs = [r for r in records if is_under(r.path, root)]
        done = [r for r in recs if r.status == "done"]
        out[path] = FolderStats(
            files=len(done),
            failed=sum(1 for r in recs if r.status == "failed"),
            chunks=sum(len(r.chunk_ids) for r in done),
            last_indexed=max((r.updated_at for r in recs), default=None),
            pending=sum(1 for r in recs if r.status not in ("done", "failed")),
            incomplete=under_any(root, incomplete),
        )
    return out


def read_incomplete(manifest: Manifest) -> list[str]:
    """The folders whose last run stopped before its end."""
    try:
        value = json.loads(manifest.get_meta(INCOMPLETE_KEY) or "[]")
    except ValueError:
        return []
    return [str(f) for f in value] if isinstance(value, list) else []


def track_run(
    manifest: Manifest, roots: Iterable[str], events: Iterable[IndexProgress | IndexReport], *, full: bool
) -> Iterator[IndexProgress | IndexReport]:
    """Pass a run's events on, and remember in the manifest whether its folders were done whole.

    The folders are marked incomplete when the run starts and unmarked when a full run (not one
    limited to a few changed files) reaches its end, so a cancel, a pause left at exit or a crash
    all leave them marked: the folder list says "incomplete" instead of showing partial numbers
    as if they were the whole.
    """
    roots = [normalise(r) for r in roots]
    before = read_incomplete(manifest)
    if full:
        _write_incomplete(manifest, before + [r for r in roots if r not in before])
    for ev in events:
        if isinstance(ev, IndexReport) and full and not ev.cancelled:
            _write_incomplete(manifest, [f for f in read_incomplete(manifest) if not under_any(f, roots)])
        yield ev


def _write_incomplete(manifest: Manifest, folders: list[str]) -> None:
    try:
        manifest.set_meta(INCOMPLETE_KEY, json.dumps(folders) if folders else None)
    except (QragError, OSError, sqlite3.Error) as exc:
        log.warning("could not record the incomplete folders: %s", exc)


def read_paused_run(manifest: Manifest) -> dict[str, Any] | None:
    """What an earlier session left paused (None: nothing; ``{}``: something unreadable)."""
    raw = manifest.get_meta(PAUSED_RUN_KEY)
    if not raw:
        return None
    try:
        info = json.loads(raw)
    except ValueError:
        return {}
    return info if isinstance(info, dict) else {}


class FolderRegistry:
    """The knowledge folders and their local-only flags; see the module docstring."""

    def __init__(self, folders: Iterable[FolderSetting] = (), save: SaveFn | None = None) -> None:
        self._folders = tuple(folders)
        self._stats: dict[str, FolderStats] = {}
        self._missing: set[str] = set()
        self._running: set[str] = set()
        # Runs ended so far; while ``_awaiting_stats``, the last one's folders still show
        # "indexing…" until statistics read after its end arrive (see ``run_ended``).
        self._runs_ended = 0
        self._awaiting_stats = False
        self._save = save
        self._observers: list[Observer] = []
        self.paused_run: dict[str, Any] | None = None

    # -- reading ------------------------------------------------------------------------------------
    @property
    def folders(self) -> tuple[FolderSetting, ...]:
        return self._folders

    def paths(self) -> list[str]:
        return [f.path for f in self._folders]

    def entries(self) -> tuple[FolderEntry, ...]:
        return tuple(
            FolderEntry(
                f.path,
                f.local_only,
                self._stats.get(f.path),
                missing=f.path in self._missing,
                indexing=f.path in self._running,
            )
            for f in self._folders
        )

    def totals(self) -> FolderStats | None:
        """The sums over the folders, as every face shows them (None until the manifest was read)."""
        stats = [self._stats[p] for p in self.paths() if p in self._stats]
        if not stats:
            return None if self._folders else FolderStats()
        total = FolderStats()
        for st in stats:
            total = total + st
        return total

    def incomplete(self) -> list[str]:
        """The folders whose last run stopped before its end, or that still have files to embed."""
        return [p for p, st in self._stats.items() if st.incomplete or st.pending]

    def is_local_only(self, folder: str) -> bool:
        return any(f.path == folder and f.local_only for f in self._folders)

    def local_only_roots(self) -> list[str]:
        """The roots whose passages never leave the machine, as of now."""
        return [normalise(f.path) for f in self._folders if f.local_only]

    def holds_local_only(self, path: str, roots: list[str] | None = None) -> bool:
        """Whether a file lies in a local-only folder (``roots``: a snapshot of ``local_only_roots``)."""
        return under_any(path, self.local_only_roots() if roots is None else roots)

    # -- changing -----------------------------------------------------------------------------------
    def add(self, folders: Iterable[str], *, local_only: bool = False) -> list[str]:
        """Add folders not yet known (normalised); returns the ones added."""
        known = set(self.paths())
        new: list[str] = []
        for f in folders:
            root = normalise(f)
            if root not in known and root not in new:
                new.append(root)
        if new:
            self._change(self._folders + tuple(FolderSetting(r, local_only) for r in new))
        return new

    def remove(self, folder: str) -> None:
        if folder in self.paths():
            self._stats.pop(folder, None)
            self._change(tuple(f for f in self._folders if f.path != folder))

    def set_local_only(self, folder: str, local_only: bool) -> bool:
        """Set the flag of a known folder; returns whether anything changed."""
        if folder not in self.paths() or self.is_local_only(folder) == local_only:
            return False
        self._change(
            tuple(
                FolderSetting(f.path, local_only if f.path == folder else f.local_only) for f in self._folders
            )
        )
        return True

    @property
    def runs_ended(self) -> int:
        """How many runs have ended: a reader of statistics notes it before reading (``set_stats``)."""
        return self._runs_ended

    def set_stats(
        self, stats: dict[str, FolderStats], missing: Iterable[str] = (), *, runs_ended: int | None = None
    ) -> None:
        """New statistics; ``runs_ended`` is what ``runs_ended`` was when their reading began.

        Statistics read after the last run ended end its "indexing…" too: only they hold its
        numbers (``None``: read now, after every run that has ended).
        """
        self._stats = {p: s for p, s in stats.items() if p in self.paths()}
        self._missing = set(missing)
        if runs_ended is None or runs_ended >= self._runs_ended:
            self._end_awaited_run()
        self._notify()

    def set_running(self, folders: Iterable[str]) -> None:
        """The folders a run is going over now (a run starts; ``run_ended`` when it ends)."""
        running = set(folders)
        self._awaiting_stats = False
        if running != self._running:
            self._running = running
            self._notify()

    def run_ended(self) -> None:
        """The run ended. Its folders show "indexing…" until statistics read after this moment
        arrive: those read before it (when the folder was added, say) would show the numbers from
        before the run, 0 files, for a moment after a cancel."""
        self._runs_ended += 1
        self._awaiting_stats = bool(self._running)

    def stats_unavailable(self) -> None:
        """Statistics could not be read: a run that ended shows as ended, without its numbers."""
        if self._end_awaited_run():
            self._notify()

    def _end_awaited_run(self) -> bool:
        """The ended run's folders stop showing "indexing…"; returns whether one was waiting."""
        if not self._awaiting_stats:
            return False
        self._awaiting_stats = False
        self._running = set()
        return True

    def set_paused_run(self, manifest: Manifest | None, info: dict[str, Any] | None) -> None:
        """Remember (or forget) a paused run, in the manifest too, so that a restart shows it paused."""
        self.paused_run = info
        if manifest is not None:
            try:
                manifest.set_meta(PAUSED_RUN_KEY, json.dumps(info) if info is not None else None)
            except (QragError, OSError, sqlite3.Error) as exc:
                log.warning("could not record the paused run: %s", exc)

    # -- observers ----------------------------------------------------------------------------------
    def subscribe(self, observer: Observer) -> Callable[[], None]:
        """Call ``observer()`` after each change; returns a function that stops it."""
        self._observers.append(observer)
        return lambda: self._observers.remove(observer) if observer in self._observers else None

    def _change(self, folders: tuple[FolderSetting, ...]) -> None:
        self._folders = folders
        if self._save is not None:
            try:
                self._save(folders)
            except (OSError, QragError) as exc:
                log.warning("folders not saved: %s", exc)
        self._notify()

    def _notify(self) -> None:
        for observer in list(self._observers):
            observer()


__all__ = [
    "INCOMPLETE_KEY",
    "PAUSED_RUN_KEY",
    "FolderEntry",
    "FolderRegistry",
    "FolderStats",
    "read_incomplete",
    "read_paused_run",
    "read_stats",
    "save_to_settings_file",
    "track_run",
]
