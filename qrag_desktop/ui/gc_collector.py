"""Python's garbage collection on the GUI thread only.

The cyclic collector runs in whichever thread happens to allocate when a threshold is crossed: a
model-loading or indexing worker, say. When the garbage it finds holds Qt objects (a closed window
and its widgets, kept in a reference cycle by a connected callable), their C++ destructors run on
that worker thread and Qt crashes (seen: SIGSEGV in a settings test, the collection running on an
index job's thread while it opened the store). So while the GUI runs, automatic collection is off
and a timer on the GUI thread collects instead, generation by generation with Python's own
thresholds: the pattern qutebrowser uses.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer, Slot

INTERVAL_MS = 500


class GuiThreadGarbageCollector(QObject):
    """Collects garbage on the thread it lives on (the GUI thread) instead of wherever Python would."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._threshold = gc.get_threshold()
        self._timer = QTimer(self)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self.check)

    def start(self) -> None:
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        """Automatic collection back on (tests; the app keeps it off until the process ends)."""
        self._timer.stop()
        gc.enable()

    @Slot()
    def check(self) -> None:
        level0, level1, level2 = gc.get_count()
        if level0 > self._threshold[0]:
            gc.collect(0)
            if level1 > self._threshold[1]:
                gc.collect(1)
                if level2 > self._threshold[2]:
                    gc.collect(2)


__all__ = ["GuiThreadGarbageCollector"]
