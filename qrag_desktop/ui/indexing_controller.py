"""The indexing queue: one indexing job at a time, the runs waiting behind it, changed files from the
watcher, folder removals, and a run left paused by an earlier session.

Signals: ``index_changed()`` when a run or a removal changed what is indexed, ``model_missing()``
when a run needs an embedding model that is not on disk, ``busy_changed()`` when a job starts.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot

from qrag_desktop.core.errors import ModelNotFoundError, QragError
from qrag_desktop.core.folders import read_paused_run, track_run
from qrag_desktop.core.jobs import JobControl
from qrag_desktop.core.paths import is_under, under_any
from qrag_desktop.core.progress import IndexProgress, IndexReport
from qrag_desktop.ui.i18n import failure_text
from qrag_desktop.ui.workers import Job

if TYPE_CHECKING:
    from qrag_desktop.ui.main_window import MainWindow

log = logging.getLogger(__name__)


class IndexingController(QObject):
    index_changed = Signal()
    model_missing = Signal()
    busy_changed = Signal()

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.view = window.indexing_view
        self._job: Job | None = None
        self._roots: list[str] = []
        self._pending: list[str] | None = None  # folders waiting for a full pass after this run
        self._pending_reembed = False
        self._watch_pending: set[str] = set()  # changed files waiting for the index job to end
        self._held_pause = False  # a run paused in an earlier session, waiting for Resume
        self._startup_pass_done = False
        # The folders the start-up pass looks at: those known at start (one added meanwhile is
        # indexed by its own run).
        self._startup_roots = window.folders.paths()
        self._removing = 0  # folder removals queued or running; indexing waits for them
        self._peak = (0, 0)  # the run's passages done and in all, as far as seen
        window.folders.subscribe(self._show_folders)
        self._show_folders()

    @property
    def job(self) -> Job | None:
        """The running indexing job, if any."""
        return self._job

    def forget_pending(self) -> None:
        """The queued runs are dropped (the engine is being replaced; its owner indexes again)."""
        self._pending = None

    def _show_folders(self) -> None:
        """The idle view says whether there are folders and whether a run left some incomplete."""
        folders = self.window.folders
        self.view.set_folders(len(folders.paths()), len(folders.incomplete()))

    # -- start-up -----------------------------------------------------------------------------------
    def startup_pass(self) -> None:
        """Find what changed while the app was closed, or show a run left paused as paused.

        It runs as a job (unchanged files cost a stat each), so the window is usable meanwhile.
        """
        known = set(self.window.folders.paths())
        roots = [r for r in self._startup_roots if r in known]
        if self._startup_pass_done or self.window.is_shut_down or not roots:
            return
        self._startup_pass_done = True
        engine = self.window.engine

        def work() -> object:
            return read_paused_run(engine.manifest)

        job = self.window.jobs.create("resume-check", work)
        job.returned.connect(self._on_paused_run)
        job.failed.connect(self.window.show_job_error)
        job.start()

    @Slot(object)
    def _on_paused_run(self, info: object) -> None:
        if self.window.is_shut_down:
            return
        if isinstance(info, dict) and self._job is None:
            log.info("an indexing run was paused in an earlier session; waiting for Resume")
            self._held_pause = True
            self.window.folders.paused_run = info
            self.view.show_held_pause(_held_progress(info))
            self.window.tabs.setCurrentWidget(self.view)
            return
        log.info("start-up pass: looking for changes made while the app was closed")
        known = set(self.window.folders.paths())
        self.start([r for r in self._startup_roots if r in known])

    # -- runs ---------------------------------------------------------------------------------------
    def start(
        self, folders: list[str] | None = None, *, only: list[str] | None = None, reembed: bool = False
    ) -> None:
        """Index ``folders`` (default: all); if a run is going, this one follows it."""
        if self.window.is_shut_down:
            return
        roots = list(folders) if folders is not None else self.window.folders.paths()
        if not roots:
            return
        if self._held_pause:
            # The person asked for indexing while an earlier session's run waits paused: going on
            # means going on with everything (finished files cost a stat), not only this part.
            self._release_held_pause()
            roots = self.window.folders.paths()
            only = None
        if self._job is not None or self._removing:
            pending = self._pending or []
            self._pending = pending + [r for r in roots if r not in pending]
            self._pending_reembed = self._pending_reembed or reembed
            return
        if only is None:  # a full pass over these folders sees every change waiting under them
            self._watch_pending = {p for p in self._watch_pending if not under_any(p, roots)}
        control = JobControl()
        engine, keyword_only = self.window.engine, self.window.keyword_only

        def work() -> Iterator[IndexProgress | IndexReport]:
            events = engine.index(roots, control, keyword_only=keyword_only, only=only, reembed=reembed)
            return track_run(engine.manifest, roots, events, full=only is None)

        self._roots = roots
        self._peak = (0, 0)
        job = self.window.jobs.create("index", work, control, runs_to_end=True)
        job.yielded.connect(self.view.on_event)
        job.yielded.connect(self._on_event)
        job.failed.connect(self._on_failed)
        job.finished.connect(self._on_finished)
        self._job = job
        self.window.folders.set_running(roots)
        self.view.job_started(clear=only is None)
        log.info("indexing %s%s", ", ".join(roots), f" ({len(only)} changed path(s))" if only else "")
        job.start()
        self.busy_changed.emit()

    @Slot(object)
    def _on_event(self, ev: object) -> None:
        if isinstance(ev, IndexProgress):  # a file's own event carries no passage counts
            self._peak = max(self._peak[0], ev.chunks_done), max(self._peak[1], ev.chunks_total)
        if isinstance(ev, IndexProgress) and self._job is not None and self._job.control.paused:
            self._record_pause()  # the batch under way at the pause ends: where the run stands now
        if isinstance(ev, IndexReport):
            if not ev.cancelled:
                self._set_paused_run(None)  # a finished run leaves nothing to resume
            self.index_changed.emit()

    @Slot(object)
    def _on_failed(self, exc: object) -> None:
        text = failure_text(exc, "indexing")
        self.view.job_failed(text)
        if isinstance(exc, ModelNotFoundError) and not self.window.is_shut_down:
            self.model_missing.emit()

    @Slot()
    def _on_finished(self) -> None:
        self._job = None
        self.window.folders.run_ended()  # "indexing…" stays until the run's own numbers are read
        self.view.job_finished()
        self.busy_changed.emit()
        if self._removing:  # a folder removal runs first; it continues the indexing afterwards
            return
        if not self._pending:
            self.index_changed.emit()
        self._continue()

    def _continue(self) -> None:
        """After a job: the folders waiting for a full pass, else the files the watcher reported."""
        if self.window.is_shut_down:
            return
        if self._pending:
            pending, reembed = self._pending, self._pending_reembed
            self._pending, self._pending_reembed = None, False
            self.start(pending, reembed=reembed)
        else:
            self._pending = None
            self._index_watched_changes()

    # -- removing -----------------------------------------------------------------------------------
    def remove(self, path: str) -> None:
        """Take a folder (already gone from the registry) out of the index, after the running job."""
        self._watch_pending = {p for p in self._watch_pending if not is_under(p, path)}
        if self._pending:
            self._pending = [p for p in self._pending if p != path]
        engine = self.window.engine
        self._removing += 1

        def work() -> int:
            return engine.remove_folder(path)

        def run_remove() -> None:
            job = self.window.jobs.create("remove", work)
            job.finished.connect(self._after_remove)
            job.failed.connect(self.window.show_job_error)
            job.start()
            self.busy_changed.emit()

        if self._job is not None:  # never write the store from two jobs: remove after the run stops
            others = [r for r in self._roots if r != path]
            if others:  # the other folders of the stopped run go on after the removal
                pending = self._pending or []
                self._pending = pending + [r for r in others if r not in pending]
            self._job.finished.connect(run_remove)
            self._job.cancel()
            self._set_paused_run(None)
        else:
            run_remove()

    @Slot()
    def _after_remove(self) -> None:
        self._removing -= 1
        self.index_changed.emit()
        if not self._removing:
            self._continue()

    # -- pause, resume, cancel ----------------------------------------------------------------------
    @Slot()
    def pause(self) -> None:
        if self._job is not None:
            self._job.pause()
            self.view.set_paused(True)
            self._record_pause()

    def _record_pause(self) -> None:
        info: dict[str, object] = {"folders": self.window.folders.paths(), "at": time.time()}
        ev = self.view.progress
        if ev is not None:  # a restart shows where the run stood, not 0 of 0
            info["progress"] = [ev.files_done, ev.files_total, *self._peak]
        self._set_paused_run(info)

    @Slot()
    def resume(self) -> None:
        if self._job is not None:
            self._job.resume()
            self.view.set_paused(False)
            self._set_paused_run(None)
        elif self._held_pause:
            log.info("resuming the run paused in an earlier session")
            self.start()  # files finished before the pause are unchanged: a stat each

    @Slot()
    def cancel(self) -> None:
        self._pending = None
        if self._held_pause:
            self._release_held_pause()
            self.view.job_finished()
        if self._job is not None:
            self._job.cancel()
            self._set_paused_run(None)
        self._index_watched_changes()

    @Slot(list)
    def retry_failed(self, paths: list[str]) -> None:
        roots = [r for r in self.window.folders.paths() if any(is_under(p, r) for p in paths)]
        self.start(roots, only=paths)

    def _release_held_pause(self) -> None:
        self._held_pause = False
        self._set_paused_run(None)

    def _set_paused_run(self, info: dict[str, object] | None) -> None:
        if self.window.is_shut_down:
            return
        try:
            manifest = self.window.engine.manifest
        except (QragError, OSError, sqlite3.Error) as exc:
            log.warning("could not record the paused run: %s", exc)
            return
        self.window.folders.set_paused_run(manifest, info)

    # -- watching -----------------------------------------------------------------------------------
    @Slot(list)
    def on_files_changed(self, paths: list[str]) -> None:
        """Files changed under a knowledge folder: index just those, now or when the running job ends."""
        if self.window.is_shut_down:
            return
        roots = self.window.folders.paths()
        own = str(self.window.paths.data_dir)
        relevant = {p for p in paths if under_any(p, roots) and not is_under(p, own)}
        if not relevant:
            return
        log.info("%d changed path(s) under the knowledge folders", len(relevant))
        self._watch_pending |= relevant
        self._index_watched_changes()

    def _index_watched_changes(self) -> None:
        """Run the waiting changes as one job, unless a job runs (they follow it) or a pause is held."""
        if (
            not self._watch_pending
            or self._job is not None
            or self._held_pause
            or self.window.is_shut_down
            or self._removing
        ):
            return
        roots = self.window.folders.paths()
        paths = sorted(p for p in self._watch_pending if under_any(p, roots))
        self._watch_pending = set()
        if not paths:
            return
        folders = [r for r in roots if any(is_under(p, r) for p in paths)]
        self.start(folders, only=paths)


def _held_progress(info: dict[str, object]) -> IndexProgress | None:
    """Where a run paused in an earlier session stood (None for a record without the numbers)."""
    numbers = info.get("progress")
    if not (isinstance(numbers, list) and len(numbers) == 4 and all(isinstance(n, int) for n in numbers)):
        return None
    files_done, files_total, chunks_done, chunks_total = numbers
    return IndexProgress("embedding", files_done, files_total, chunks_done, chunks_total)


__all__ = ["IndexingController"]
