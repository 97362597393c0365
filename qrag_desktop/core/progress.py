"""What an indexing job reports, and how to run one to its end.

A light module (no numpy, no models): the window imports these types at the top of a file and
the CLI, bench and self-test share one way to drain a job's generator.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any, Literal

# "preparing": the one-off model preparation for this computer (the ONNX export), said in ``detail``.
Stage = Literal["preparing", "scanning", "parsing", "embedding", "cleaning"]
FileState = Literal["queued", "parsing", "embedding", "done", "unchanged", "failed", "removed"]


@dataclass(frozen=True)
class FileStatus:
    """A file's state, as the file table shows it."""

    path: str
    status: FileState
    error: str | None = None
    chunks: int = 0


@dataclass(frozen=True)
class IndexProgress:
    stage: Stage
    files_done: int = 0
    files_total: int = 0
    chunks_done: int = 0
    chunks_total: int = 0
    current: str | None = None
    chunks_per_s: float = 0.0
    eta_s: float | None = None
    file: FileStatus | None = None  # set when one file's status changed
    detail: str | None = None  # what the parser is doing with ``current`` ("OCR page 2 of 9")


@dataclass(frozen=True)
class IndexReport:
    files_seen: int
    files_indexed: int
    files_unchanged: int
    files_failed: tuple[tuple[str, str], ...]
    chunks_added: int
    chunks_deleted: int
    chunks_total: int
    seconds: float
    cancelled: bool = False
    files_repaired: int = 0  # marked done, but their passages were missing from the store

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["files_failed"] = [{"path": p, "error": e} for p, e in self.files_failed]
        d["seconds"] = round(self.seconds, 3)
        return d


def drain(
    events: Iterable[IndexProgress | IndexReport],
    on_progress: Callable[[IndexProgress], None] | None = None,
) -> IndexReport:
    """Run an indexing job to its end; progress goes to ``on_progress``, the report is returned.

    The job's last item is its report; a job that ends without one is a bug, said as such.
    """
    report: IndexReport | None = None
    for ev in events:
        if isinstance(ev, IndexReport):
            report = ev
        elif on_progress is not None:
            on_progress(ev)
    if report is None:
        raise RuntimeError("the indexing job ended without a report")
    return report


__all__ = ["FileState", "FileStatus", "IndexProgress", "IndexReport", "Stage", "drain"]
