"""Brings the core ``FolderWatcher`` (watchdog, its own threads) to the GUI thread as a Qt signal."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal, Slot

if TYPE_CHECKING:
    from qrag_desktop.core.watcher import FolderWatcher

log = logging.getLogger(__name__)


class FolderWatchBridge(QObject):
    """Watches the knowledge folders while the app runs.

    Signals: ``files_changed(list)`` with the changed paths (sorted), always in the GUI thread;
    ``watch_failed(str)`` when the folders cannot be watched (e.g. the system's inotify limit).
    """

    files_changed = Signal(list)
    watch_failed = Signal(str)
    # Emitted from the watcher's timer thread; the queued connection carries it to the GUI thread.
    _reported = Signal(list)

    def __init__(self, debounce_s: float = 1.0, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.debounce_s = debounce_s
        self._watcher: FolderWatcher | None = None
        self._folders: tuple[str, ...] = ()
        # Held while emitting from the watcher thread and while stopping, so that no report is
        # emitted after ``stop()`` returned (the QObject may be gone by then).
        self._lock = threading.Lock()
        self._stopped = True
        self._reported.connect(self._on_reported, Qt.ConnectionType.QueuedConnection)

    @property
    def folders(self) -> tuple[str, ...]:
        return self._folders

    def watch(self, folders: Sequence[str]) -> None:
        """(Re)start watching exactly ``folders``; an empty list stops watching."""
        folders = tuple(folders)
        if folders == self._folders and self._watcher is not None:
            return
        self.stop()
        self._folders = folders
        if not folders:
            return
        from qrag_desktop.core.watcher import FolderWatcher  # watchdog: not on the start path

        watcher = FolderWatcher(folders, self._from_watcher_thread, debounce_s=self.debounce_s)
        with self._lock:
            self._stopped = False
        try:
            watcher.start()
        except OSError as exc:  # e.g. "inotify watch limit reached" on a huge tree
            log.warning("cannot watch %s: %s", ", ".join(folders), exc)
            watcher.stop()
            self.watch_failed.emit(str(exc))
            return
        self._watcher = watcher
        log.info("watching %d folder(s) for changes", len(folders))

    def stop(self) -> None:
        """Idempotent. Changes not yet reported are dropped: the next start-up pass finds them."""
        with self._lock:
            self._stopped = True
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.stop()

    def _from_watcher_thread(self, paths: set[str]) -> None:
        with self._lock:
            if not self._stopped:
                self._reported.emit(sorted(paths))

    @Slot(list)
    def _on_reported(self, paths: list[str]) -> None:
        if not self._stopped:
            self.files_changed.emit(paths)


__all__ = ["FolderWatchBridge"]
