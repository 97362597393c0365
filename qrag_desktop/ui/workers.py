"""The thread bridge: run engine generators (or plain calls) on a QThread, turn each yield into a signal.

Only the GUI thread touches widgets: a worker emits plain dataclasses, and the receiving slots
run in the GUI thread (queued connections). Pause, resume and cancel go through ``JobControl``,
which the engine checks at each yield.
"""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDeadlineTimer, QObject, QThread, Signal, Slot

from qrag_desktop.core.errors import Cancelled
from qrag_desktop.core.jobs import JobControl

if TYPE_CHECKING:
    from qrag_desktop.core.engine import Engine

log = logging.getLogger(__name__)


class _Reaper(QObject):
    """Holds every started job's thread and worker until the thread has stopped.

    Qt aborts the whole process ("QThread: Destroyed while thread is still running") when a running
    QThread is destroyed, and Python destroys one as soon as nothing references it: a window closed
    and deleted while its job still runs would take the job's thread with it at the next garbage
    collection. So threads are released here, on the GUI thread, only once they have finished.
    """

    def __init__(self) -> None:
        super().__init__()
        self._held: dict[int, tuple[QThread, QObject]] = {}

    def hold(self, thread: QThread, worker: QObject) -> None:
        self._held[id(thread)] = (thread, worker)
        thread.finished.connect(self._release)  # queued: finished is emitted on the job's thread

    def holding(self) -> int:
        return len(self._held)

    def running(self) -> list[str]:
        return [thread.objectName() for thread, _ in self._held.values() if thread.isRunning()]

    @Slot()
    def _release(self) -> None:
        thread = self.sender()
        if isinstance(thread, QThread):
            thread.wait()  # finished is emitted just before the thread ends: let it end
            self._held.pop(id(thread), None)


_reaper: _Reaper | None = None


def _the_reaper() -> _Reaper:
    global _reaper
    if _reaper is None:  # made on the GUI thread, by the first Job.start()
        _reaper = _Reaper()
    return _reaper


def threads_held() -> int:
    """How many job threads have started and not yet been released (the tests check it reaches 0)."""
    return _reaper.holding() if _reaper is not None else 0


def threads_running() -> list[str]:
    """The names of job threads still running, in any window: after the windows have shut down,
    those are work that cannot be interrupted (a model load), and ``app.main`` exits without them."""
    return _reaper.running() if _reaper is not None else []


class _Worker(QObject):
    """Lives on the job's thread.

    Signals: ``yielded(object)``, ``returned(object)``, ``failed(object)``, ``done()``.
    """

    yielded = Signal(object)
    returned = Signal(object)
    failed = Signal(object)
    done = Signal()

    def __init__(self, fn: Callable[[], Any], control: JobControl, runs_to_end: bool) -> None:
        super().__init__()
        self._fn = fn
        self._control = control
        self._runs_to_end = runs_to_end

    @Slot()
    def run(self) -> None:
        try:
            result = self._fn()
            if inspect.isgenerator(result) or isinstance(result, Iterator):
                self._drain(result)
            else:
                self.returned.emit(result)
        except Cancelled:
            pass
        except BaseException as exc:  # noqa: BLE001 - every failure reaches the GUI as a signal
            if not self._control.cancelled:
                log.debug("job failed", exc_info=exc)
                self.failed.emit(exc)
        finally:
            self.done.emit()

    def _drain(self, items: Iterator[Any]) -> None:
        try:
            for item in items:
                self.yielded.emit(item)
                # Generators that check the control themselves (indexing) run on to their report;
                # others (an answer stream) are stopped here.
                if self._control.cancelled and not self._runs_to_end:
                    break
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()


class Job(QObject):
    """One piece of background work on its own QThread.

    Signals: ``yielded(object)`` per item, ``returned(object)`` for a plain call's result,
    ``failed(object)`` with the exception, ``finished()`` once the thread has stopped.
    """

    yielded = Signal(object)
    returned = Signal(object)
    failed = Signal(object)
    finished = Signal()

    def __init__(
        self,
        name: str,
        fn: Callable[[], Any],
        control: JobControl | None = None,
        parent: QObject | None = None,
        *,
        runs_to_end: bool = False,
    ) -> None:
        super().__init__(parent)
        self.name = name
        self.control = control or JobControl()
        self._thread = QThread()
        self._thread.setObjectName(f"qrag-{name}")
        self._worker = _Worker(fn, self.control, runs_to_end)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.yielded.connect(self._on_yielded)
        self._worker.returned.connect(self._on_returned)
        self._worker.failed.connect(self._on_failed)
        self._worker.done.connect(self._thread.quit)
        self._thread.finished.connect(self._on_thread_finished)
        self._finished = False
        self._refused = False

    def start(self) -> Job:
        if self._refused:
            return self
        _the_reaper().hold(self._thread, self._worker)
        self._thread.start()
        return self

    @property
    def running(self) -> bool:
        return not self._finished

    def cancel(self) -> None:
        self.control.cancel()

    def pause(self) -> None:
        self.control.pause()

    def resume(self) -> None:
        self.control.resume()

    def wait(self, timeout_ms: int) -> bool:
        """Block the calling (GUI) thread until the thread stopped or the time is up."""
        return self._thread.wait(QDeadlineTimer(max(0, timeout_ms)))

    def thread_running(self) -> bool:
        return self._thread.isRunning()

    @Slot(object)
    def _on_yielded(self, item: object) -> None:
        self.yielded.emit(item)

    @Slot(object)
    def _on_returned(self, value: object) -> None:
        self.returned.emit(value)

    @Slot(object)
    def _on_failed(self, exc: object) -> None:
        self.failed.emit(exc)

    @Slot()
    def _on_thread_finished(self) -> None:
        if not self._finished:
            self._finished = True
            self.finished.emit()


class JobManager(QObject):
    """Keeps every running job alive until its thread stops, and stops them all at shutdown.

    Signals: ``busy_changed(bool)`` when the first job starts or the last one ends.
    """

    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs: list[Job] = []
        self._closing = False

    def create(
        self,
        name: str,
        fn: Callable[[], Any],
        control: JobControl | None = None,
        *,
        runs_to_end: bool = False,
    ) -> Job:
        """A job not yet started: connect its signals, then call ``start()``.

        While the manager shuts down, the job is made but never runs: nothing may start work that
        would outlive the shutdown's wait.
        """
        job = Job(name, fn, control, parent=self, runs_to_end=runs_to_end)
        if self._closing:
            log.error("job %r asked for while shutting down: not started", name)
            job._refused = True
            return job
        was_busy = bool(self._jobs)
        self._jobs.append(job)
        job.finished.connect(self._on_job_finished)
        if not was_busy:
            self.busy_changed.emit(True)
        return job

    @property
    def closing(self) -> bool:
        return self._closing

    def jobs(self, name: str | None = None) -> list[Job]:
        return [j for j in self._jobs if name is None or j.name == name]

    @Slot()
    def _on_job_finished(self) -> None:
        job = self.sender()
        if isinstance(job, Job) and job in self._jobs:
            self._jobs.remove(job)
            job.deleteLater()
            if not self._jobs:
                self.busy_changed.emit(False)

    def cancel_all(self) -> None:
        for job in self._jobs:
            job.cancel()

    def shutdown(self, timeout_s: float) -> list[Job]:
        """Cancel every job and wait for the threads, all within ``timeout_s``; return those still running."""
        self._closing = True
        self.cancel_all()
        deadline = time.monotonic() + timeout_s
        stuck = []
        for job in list(self._jobs):
            left_ms = int((deadline - time.monotonic()) * 1000)
            if not job.wait(left_ms):
                stuck.append(job)
        return stuck


def close_when_done(engine: Engine, stuck: list[Job]) -> None:
    """Close ``engine`` now, or once the last of ``stuck`` (jobs that still use it) has ended."""
    left = [j for j in stuck if j.thread_running()]
    if not left:
        engine.close()
        return
    log.warning("still running after the wait: %s", ", ".join(j.name for j in left))

    def one_ended() -> None:
        if not any(j.thread_running() for j in left):
            log.info("late jobs stopped; closing their engine")
            engine.close()

    for job in left:
        job.finished.connect(one_ended)


__all__ = ["Job", "JobManager", "close_when_done", "threads_held", "threads_running"]
