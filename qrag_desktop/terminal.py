"""Indexing progress on a terminal, for the `qrag` command: a one-line bar on a TTY, occasional
plain lines otherwise (a log file, CI)."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from qrag_desktop.core.progress import IndexProgress


class ProgressPrinter:
    """A one-line progress bar on a terminal; occasional plain lines otherwise."""

    def __init__(self, stream: TextIO = sys.stderr) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.last = 0.0

    def update(self, ev: IndexProgress) -> None:
        if ev.file is not None and ev.file.status == "failed":
            self._line(f"failed: {ev.file.path}: {ev.file.error}")
        now = time.monotonic()
        if now - self.last < (0.1 if self.tty else 5.0):
            return
        self.last = now
        if ev.stage == "embedding" and ev.chunks_total:
            frac = ev.chunks_done / ev.chunks_total
            extra = f"{ev.chunks_done}/{ev.chunks_total} chunks"
            if ev.chunks_per_s:
                extra += f", {ev.chunks_per_s:.1f}/s"
            if ev.eta_s is not None:
                extra += f", ETA {fmt_secs(ev.eta_s)}"
        else:
            frac = ev.files_done / ev.files_total if ev.files_total else 0.0
            extra = f"{ev.files_done}/{ev.files_total} files"
            if ev.detail:  # a long read: "OCR page 2 of 9"
                extra += f", {ev.detail}"
        bar = "#" * int(frac * 30)
        text = f"{ev.stage:<9} [{bar:<30}] {frac * 100:5.1f}% {extra}"
        if self.tty:
            self.stream.write("\r" + text[:120].ljust(120))
            self.stream.flush()
        else:
            self._line(text)

    def _line(self, text: str) -> None:
        if self.tty:
            self.stream.write("\r" + " " * 120 + "\r")
        self.stream.write(text + "\n")
        self.stream.flush()

    def finish(self) -> None:
        if self.tty:
            self.stream.write("\r" + " " * 120 + "\r")
            self.stream.flush()


def fmt_secs(s: float) -> str:
    s = int(s)
    return f"{s // 3600}h{s % 3600 // 60:02d}m" if s >= 3600 else f"{s // 60}m{s % 60:02d}s"


__all__ = ["ProgressPrinter", "fmt_secs"]
