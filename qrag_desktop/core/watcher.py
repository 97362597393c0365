"""Watch folders and report changed files, debounced, so an editor's burst of saves is one update."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver

from qrag_desktop.core.paths import normalise

log = logging.getLogger(__name__)


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: FolderWatcher) -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return  # reads change nothing
        paths = [os.fsdecode(event.src_path), os.fsdecode(getattr(event, "dest_path", ""))]
        self.watcher._touch(p for p in paths if p)


class FolderWatcher:
    """Calls ``on_change(paths)`` from a background thread once no event came for ``debounce_s``.

    ``paths`` holds every file created, modified, moved (both names) or deleted under the folders;
    a moved or deleted folder gives its own path, which the indexer treats as a prefix.
    """

    def __init__(
        self,
        folders: Iterable[str | os.PathLike[str]],
        on_change: Callable[[set[str]], None],
        *,
        debounce_s: float = 1.0,
    ) -> None:
        self.folders = [normalise(f) for f in folders]
        self.on_change = on_change
        self.debounce_s = debounce_s
        self._pending: set[str] = set()
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._observer: BaseObserver | None = None

    def start(self) -> None:
        if self._observer is not None:
            return
        obs = Observer()
        handler = _Handler(self)
        for f in self.folders:
            if Path(f).is_dir():
                obs.schedule(handler, f, recursive=True)
        obs.daemon = True
        obs.start()
        self._observer = obs

    def stop(self) -> None:
        """Idempotent; pending changes are dropped (the next start-up scan finds them)."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._pending.clear()
        obs, self._observer = self._observer, None
        if obs is not None:
            obs.stop()
            obs.join(timeout=5)

    def _touch(self, paths: Iterable[str]) -> None:
        with self._lock:
            self._pending.update(
                str(Path(p).resolve()) if os.path.exists(p) else os.path.abspath(p) for p in paths
            )
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(self.debounce_s, self._fire)
            self._timer.daemon = True
            self._timer.start()

    def _fire(self) -> None:
        with self._lock:
            batch, self._pending = self._pending, set()
            self._timer = None
        if batch:
            try:
                self.on_change(batch)
            except Exception:  # noqa: BLE001 - a failed update must not kill the watcher thread
                log.exception("updating the index after file changes failed")

    def __enter__(self) -> FolderWatcher:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
