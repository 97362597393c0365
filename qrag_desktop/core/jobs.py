"""Pause and cancel for long jobs. Generators call ``control.checkpoint()`` between batches."""

from __future__ import annotations

import threading

from qrag_desktop.core.errors import Cancelled


class JobControl:
    """Thread-safe pause/resume/cancel flags shared by a job and whoever started it."""

    def __init__(self) -> None:
        self._cancel = threading.Event()
        self._running = threading.Event()
        self._running.set()

    def cancel(self) -> None:
        self._cancel.set()
        self._running.set()  # wake a paused job so it can see the cancel

    def pause(self) -> None:
        if not self._cancel.is_set():
            self._running.clear()

    def resume(self) -> None:
        self._running.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def checkpoint(self) -> None:
        """Block while paused; raise Cancelled once cancel() was called."""
        while not self._running.wait(0.1):
            pass
        if self._cancel.is_set():
            raise Cancelled()
