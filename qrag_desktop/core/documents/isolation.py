"""Parse files in a separate process, so a file that hangs or crashes a parser cannot take the app.

Workers are started with the "spawn" method, the only one Windows and macOS builds have, so every
platform behaves the same. A frozen (PyInstaller) app must call ``multiprocessing.freeze_support()``
first thing in ``main()``. A worker is reused across files, since spawning one costs about a second;
a worker that times out or dies is killed and replaced by a fresh one on the next file.

A worker sends ``("progress", line)`` before its reply while a long step runs ("OCR page 2 of 9").
Each such line is also a heartbeat: it grants the file ``step_s`` more time, up to ``max_timeout_s``,
so a scan of many pages is read, while a parser that hangs still ends at its limit.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Any

from qrag_desktop.core.errors import Cancelled, DocumentError
from qrag_desktop.core.messages import QT_TRANSLATE_NOOP
from qrag_desktop.core.types import Document

_START_TIMEOUT_S = 120.0  # a cold start on a slow disk imports pypdf, python-docx, bs4...
_CONTEXT = multiprocessing.get_context("spawn")


def _worker_main(conn: Connection, memory_mb: int | None = None) -> None:
    """Child process: parse each path sent down the pipe and send back a Document or an error."""
    # Ctrl-C in a terminal reaches the whole process group; the parent decides what it means
    # (stop the run) and ends this process itself, so here it must not raise KeyboardInterrupt.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from qrag_desktop.core.documents import load_document

    _cap_memory(memory_mb)
    conn.send(("ready",))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return  # the app closed the pipe or went away
        if request is None:
            return
        path, max_bytes, ocr = request
        try:
            reply: tuple[Any, ...] = (
                "ok",
                load_document(path, max_bytes=max_bytes, ocr=ocr, progress=functools.partial(_tell, conn)),
            )
        except DocumentError as exc:
            cause = repr(exc.cause) if exc.cause is not None else None
            reply = ("error", exc.template, exc.hint_template, exc.message_args, cause)
        except MemoryError as exc:  # the cap below, reached while reading or parsing
            reply = (
                "error",
                QT_TRANSLATE_NOOP("core", "out of memory: the file needs more than the parser's %1 MB"),
                None,
                (str(memory_mb),),
                repr(exc),
            )
        except BaseException as exc:  # never let one file end the worker silently
            reply = (
                "error",
                QT_TRANSLATE_NOOP("core", "could not read the file: %1"),
                None,
                (exc.__class__.__name__,),
                repr(exc),
            )
        try:
            conn.send(reply)
        except (EOFError, OSError):
            return


def _tell(conn: Connection, line: str) -> None:
    conn.send(("progress", line))


def _cap_memory(memory_mb: int | None) -> None:
    """Limit this process's address space to what it uses now plus ``memory_mb``.

    A DOCX zip bomb drove a parser to 5.4 GB before its time limit: with the cap, the allocation
    that crosses it raises MemoryError and only this file fails. Where the OS has no such limit
    (Windows) the time limit and the zip size check still apply.
    """
    if not memory_mb:
        return
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            in_use = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        in_use = 0
    limit = in_use + memory_mb * 1024 * 1024
    try:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):  # not allowed here: the time limit still applies
        pass


@dataclass(frozen=True)
class _Limits:
    timeout_s: float  # for a file that reports no steps
    step_s: float  # more for each step it reports (a page of OCR)
    max_timeout_s: float  # never more than this for one file


class _Worker:
    """One child process and the parent's end of its pipe."""

    def __init__(self, memory_mb: int | None = None) -> None:
        self.conn, child_conn = _CONTEXT.Pipe(duplex=True)
        self.process = _CONTEXT.Process(
            target=_worker_main, args=(child_conn, memory_mb), name="qrag-parser", daemon=True
        )
        self.process.start()
        self.pid = self.process.pid
        self.dead = False
        child_conn.close()  # so the parent sees EOF when the child dies
        if not self.conn.poll(_START_TIMEOUT_S):
            self.kill()
            raise DocumentError(QT_TRANSLATE_NOOP("core", "the file parser could not be started"))
        try:
            self.conn.recv()
        except (EOFError, OSError) as exc:
            self.kill()
            raise DocumentError(
                QT_TRANSLATE_NOOP("core", "the file parser could not be started"), cause=exc
            ) from exc

    def parse_steps(
        self,
        path: str,
        max_bytes: int | None,
        ocr: bool,
        limits: _Limits,
        cancelled: Callable[[], bool] | None,
    ) -> Generator[str, None, Document]:
        """Send one file; yield its progress lines, return its Document. Raises DocumentError, and
        kills this worker when it hangs or dies.

        ``cancelled`` is asked every 0.2 s: when it says yes the worker is killed and Cancelled
        raised, so stopping a run never waits for a slow file. A caller that stops iterating before
        the reply (the generator is closed) also kills the worker, whose reply would be stale.
        """
        answered = False
        try:
            self.conn.send((path, max_bytes, ocr))
            started = time.monotonic()
            granted = limits.timeout_s
            deadline = started + granted
            while True:
                while not self.conn.poll(max(0.0, min(0.2, deadline - time.monotonic()))):
                    if cancelled is not None and cancelled():
                        self.kill()
                        raise Cancelled()
                    if not self.alive():
                        raise EOFError("parser process exited")
                    if time.monotonic() >= deadline:
                        self.kill()
                        raise DocumentError(
                            QT_TRANSLATE_NOOP("core", "timed out after %1 s"), args=(f"{granted:g}",)
                        )
                reply = self.conn.recv()
                if reply[0] != "progress":
                    break
                # a step done: the worker is not stuck, and the next step gets its own time
                granted = max(granted, min(limits.max_timeout_s, granted + limits.step_s))
                deadline = started + granted
                yield str(reply[1])
            answered = True
        except (EOFError, OSError, BrokenPipeError) as exc:
            self.kill()
            raise DocumentError(QT_TRANSLATE_NOOP("core", "parser crashed"), cause=exc) from exc
        finally:
            if not answered:  # cancelled, timed out, crashed, or the caller stopped listening
                self.kill()
        if reply[0] == "ok":
            document: Document = reply[1]
            return document
        _, message, hint, args, cause = reply  # templates and their args: the window translates them
        raise DocumentError(message, hint=hint, args=args, cause=RuntimeError(cause) if cause else None)

    def alive(self) -> bool:
        return not self.dead and self.process.is_alive()

    def stop(self) -> None:
        """Ask the child to exit, then make sure it has."""
        try:
            self.conn.send(None)
        except (OSError, ValueError):
            pass
        self.process.join(timeout=2.0)
        self.kill()

    def kill(self) -> None:
        if self.dead:
            return
        self.dead = True
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5.0)
        self.conn.close()
        try:
            self.process.close()
        except ValueError:  # still running after kill + join: leave it to the OS
            pass


class ParserPool:
    """``load_document`` in worker processes with a per-file time limit. Thread-safe.

    Use as a context manager, or call ``close()`` (idempotent) when done.
    """

    def __init__(
        self,
        timeout_s: float = 60.0,
        workers: int = 1,
        *,
        memory_mb: int | None = None,
        step_s: float = 30.0,
        max_timeout_s: float = 1800.0,
    ) -> None:
        if timeout_s <= 0 or workers < 1 or step_s < 0:
            raise ValueError("timeout_s must be positive, step_s not negative and workers at least 1")
        self.timeout_s = timeout_s
        # A page of OCR costs about 12 CPU-s on a 2-core machine: each step the parser reports
        # earns the file ``step_s`` more, and no file gets more than ``max_timeout_s`` in all.
        self.step_s = step_s
        self.max_timeout_s = max_timeout_s
        self.memory_mb = memory_mb  # each worker's memory on top of its start-up size; None: no cap
        self._slots: queue.Queue[_Worker | None] = queue.Queue()
        for _ in range(workers):
            self._slots.put(None)  # started on first use
        self._lock = threading.Lock()
        self._live: set[_Worker] = set()
        self._closed = False

    def parse(
        self,
        path: str | os.PathLike[str],
        max_bytes: int | None = None,
        *,
        ocr: bool = True,
        timeout_s: float | None = None,
        cancelled: Callable[[], bool] | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> Document:
        """Parse one file in a worker; DocumentError on a bad file, a timeout or a crashed parser;
        Cancelled as soon as ``cancelled()`` says so. ``progress`` receives the parser's lines."""
        steps = self.parse_steps(path, max_bytes, ocr=ocr, timeout_s=timeout_s, cancelled=cancelled)
        while True:
            try:
                line = next(steps)
            except StopIteration as done:
                document: Document = done.value
                return document
            if progress is not None:
                progress(line)

    def parse_steps(
        self,
        path: str | os.PathLike[str],
        max_bytes: int | None = None,
        *,
        ocr: bool = True,
        timeout_s: float | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> Generator[str, None, Document]:
        """``parse`` as a generator: it yields the parser's progress lines ("OCR page 2 of 9") and
        returns the Document, so an indexing job can pass them on in its own yields."""
        if self._closed:
            raise RuntimeError("ParserPool is closed")
        limits = _Limits(
            timeout_s=self.timeout_s if timeout_s is None else timeout_s,
            step_s=self.step_s,
            max_timeout_s=self.max_timeout_s,
        )
        worker = self._slots.get()
        try:
            if worker is None or not worker.alive():
                worker = self._start()
            try:
                return (
                    yield from worker.parse_steps(
                        os.path.abspath(os.fspath(path)), max_bytes, ocr, limits, cancelled
                    )
                )
            finally:
                if not worker.alive():
                    self._forget(worker)
                    worker = None
        finally:
            self._slots.put(worker)

    @property
    def worker_pids(self) -> list[int]:
        """Process ids of the running workers (for diagnostics)."""
        with self._lock:
            return [w.pid for w in self._live if w.pid is not None and w.alive()]

    def close(self) -> None:
        """Stop all workers. Safe to call more than once."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            workers = list(self._live)
            self._live.clear()
        for worker in workers:
            worker.stop()

    def __enter__(self) -> ParserPool:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _start(self) -> _Worker:
        worker = _Worker(self.memory_mb)
        with self._lock:
            if self._closed:
                closed = True
            else:
                closed = False
                self._live.add(worker)
        if closed:
            worker.stop()
            raise RuntimeError("ParserPool is closed")
        return worker

    def _forget(self, worker: _Worker) -> None:
        with self._lock:
            self._live.discard(worker)
