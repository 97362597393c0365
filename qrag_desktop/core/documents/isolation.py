"""Parse files in a separate process, so a file that hangs or crashes a parser cannot take the app.

Workers are started with the "spawn" method, the only one Windows and macOS builds have, so every
platform behaves the same. A frozen (PyInstaller) app must call ``multiprocessing.freeze_support()``
first thing in ``main()``. A worker is reused across files, since spawning one costs about a second;
a worker that times out or dies is killed and replaced by a fresh one on the next file.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
import time
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Any

from qrag_desktop.core.errors import DocumentError
from qrag_desktop.core.types import Document

_START_TIMEOUT_S = 120.0  # a cold start on a slow disk imports pypdf, python-docx, bs4...
_CONTEXT = multiprocessing.get_context("spawn")


def _worker_main(conn: Connection) -> None:
    """Child process: parse each path sent down the pipe and send back a Document or an error."""
    from qrag_desktop.core.documents import load_document

    conn.send(("ready",))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return  # the app closed the pipe or went away
        if request is None:
            return
        path, max_bytes = request
        try:
            reply: tuple[Any, ...] = ("ok", load_document(path, max_bytes=max_bytes))
        except DocumentError as exc:
            cause = repr(exc.cause) if exc.cause is not None else None
            reply = ("error", exc.message, exc.hint, cause)
        except BaseException as exc:  # never let one file end the worker silently
            reply = ("error", f"could not read the file: {exc.__class__.__name__}", None, repr(exc))
        try:
            conn.send(reply)
        except (EOFError, OSError):
            return


class _Worker:
    """One child process and the parent's end of its pipe."""

    def __init__(self) -> None:
        self.conn, child_conn = _CONTEXT.Pipe(duplex=True)
        self.process = _CONTEXT.Process(
            target=_worker_main, args=(child_conn,), name="qrag-parser", daemon=True
        )
        self.process.start()
        self.pid = self.process.pid
        self.dead = False
        child_conn.close()  # so the parent sees EOF when the child dies
        if not self.conn.poll(_START_TIMEOUT_S):
            self.kill()
            raise DocumentError("the file parser could not be started")
        try:
            self.conn.recv()
        except (EOFError, OSError) as exc:
            self.kill()
            raise DocumentError("the file parser could not be started", cause=exc) from exc

    def parse(self, path: str, max_bytes: int | None, timeout_s: float) -> Document:
        """Send one file; raises DocumentError, and kills this worker when it hangs or dies."""
        try:
            self.conn.send((path, max_bytes))
            deadline = time.monotonic() + timeout_s
            while not self.conn.poll(max(0.0, min(0.5, deadline - time.monotonic()))):
                if not self.alive():
                    raise EOFError("parser process exited")
                if time.monotonic() >= deadline:
                    self.kill()
                    raise DocumentError(f"timed out after {timeout_s:g} s")
            reply = self.conn.recv()
        except (EOFError, OSError, BrokenPipeError) as exc:
            self.kill()
            raise DocumentError("parser crashed", cause=exc) from exc
        if reply[0] == "ok":
            document: Document = reply[1]
            return document
        _, message, hint, cause = reply
        raise DocumentError(message, hint=hint, cause=RuntimeError(cause) if cause else None)

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

    def __init__(self, timeout_s: float = 60.0, workers: int = 1) -> None:
        if timeout_s <= 0 or workers < 1:
            raise ValueError("timeout_s must be positive and workers at least 1")
        self.timeout_s = timeout_s
        self._slots: queue.Queue[_Worker | None] = queue.Queue()
        for _ in range(workers):
            self._slots.put(None)  # started on first use
        self._lock = threading.Lock()
        self._live: set[_Worker] = set()
        self._closed = False

    def parse(
        self, path: str | os.PathLike[str], max_bytes: int | None = None, *, timeout_s: float | None = None
    ) -> Document:
        """Parse one file in a worker; DocumentError on a bad file, a timeout or a crashed parser."""
        if self._closed:
            raise RuntimeError("ParserPool is closed")
        limit = self.timeout_s if timeout_s is None else timeout_s
        worker = self._slots.get()
        try:
            if worker is None or not worker.alive():
                worker = self._start()
            try:
                return worker.parse(os.path.abspath(os.fspath(path)), max_bytes, limit)
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
        worker = _Worker()
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
