"""The indexing view: overall progress, speed and ETA, the current file, and a table of files with status."""

from __future__ import annotations

import dataclasses
import os
import time
from collections import deque
from collections.abc import Callable

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from qrag_desktop.core.progress import FileStatus, IndexProgress, IndexReport
from qrag_desktop.ui.i18n import TranslatedWidget


def status_text(status: str) -> str:
    """A file status in words, in the UI language."""
    words = {
        "queued": QCoreApplication.translate("FileStatus", "Queued"),
        "parsing": QCoreApplication.translate("FileStatus", "Reading"),
        "embedding": QCoreApplication.translate("FileStatus", "Embedding"),
        "done": QCoreApplication.translate("FileStatus", "Done"),
        "unchanged": QCoreApplication.translate("FileStatus", "Unchanged"),
        "failed": QCoreApplication.translate("FileStatus", "Failed"),
        "removed": QCoreApplication.translate("FileStatus", "Removed"),
    }
    return words.get(status, status)


def format_duration(seconds: float) -> str:
    s = int(round(seconds))
    if s < 60:
        return QCoreApplication.translate("Duration", "%n s", "", s)
    if s < 3600:
        return (
            QCoreApplication.translate("Duration", "%1 min %2 s")
            .replace("%1", str(s // 60))
            .replace("%2", str(s % 60))
        )
    return (
        QCoreApplication.translate("Duration", "%1 h %2 min")
        .replace("%1", str(s // 3600))
        .replace("%2", str(s % 3600 // 60))
    )


class EtaEstimator:
    """Time left from the passage rate over the last ``window_s`` seconds, not since the start.

    Files differ wildly in size, so a per-file or whole-run rate swings ("1 h 9 min", then "38 min"
    half a minute later). A moving window over passages follows real speed changes (another app
    takes the CPU) without jumping at each file. ``None`` ("estimating…") until the window holds
    ``min_span_s`` of embedding and the estimate stopped moving by more than ``settle`` between
    updates.
    """

    def __init__(self, window_s: float = 60.0, min_span_s: float = 15.0, settle: float = 0.25) -> None:
        self.window_s, self.min_span_s, self.settle = window_s, min_span_s, settle
        self._samples: deque[tuple[float, int]] = deque()
        self._last_eta: float | None = None
        self._stable = False
        self.rate: float | None = None

    def reset(self) -> None:
        self._samples.clear()
        self._last_eta, self._stable, self.rate = None, False, None

    def update(self, now: float, done: int, total: int) -> float | None:
        if self._samples and done < self._samples[-1][1]:
            self.reset()  # a new run (or a restart of the count)
        self._samples.append((now, done))
        while len(self._samples) > 2 and now - self._samples[1][0] >= self.window_s:
            self._samples.popleft()
        t0, d0 = self._samples[0]
        span = now - t0
        if span < self.min_span_s or done <= d0:
            return None if not self._stable else self._last_eta
        self.rate = (done - d0) / span
        eta = max(0.0, (total - done) / self.rate)
        if self._last_eta is not None and not self._stable:
            self._stable = abs(eta - self._last_eta) <= self.settle * max(self._last_eta, 1.0)
        self._last_eta = eta
        return eta if self._stable else None


class FileTableModel(QAbstractTableModel):
    """One row per file seen by the current indexing run, in the order they appeared."""

    COLUMNS = ("file", "status", "chunks", "reason")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[FileStatus] = []
        self._index: dict[str, int] = {}
        self._reading: str | None = None  # files are read one at a time

    def clear(self) -> None:
        self.beginResetModel()
        self._rows.clear()
        self._index.clear()
        self._reading = None
        self.endResetModel()

    def reading_done(self) -> None:
        """The file being read is read: it waits (Queued) for embedding, it is not still "Reading"."""
        path, self._reading = self._reading, None
        current = self.status_of(path) if path else None
        if current is not None and current.status == "parsing":
            self.update_file(dataclasses.replace(current, status="queued"))

    def update_file(self, fs: FileStatus) -> None:
        if fs.status == "parsing":
            if self._reading != fs.path:
                self.reading_done()
            self._reading = fs.path
        row = self._index.get(fs.path)
        if row is None:
            row = len(self._rows)
            self.beginInsertRows(QModelIndex(), row, row)
            self._rows.append(fs)
            self._index[fs.path] = row
            self.endInsertRows()
            return
        old = self._rows[row]
        if fs.chunks == 0 and old.chunks:
            fs = dataclasses.replace(fs, chunks=old.chunks)
        self._rows[row] = fs
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))

    def status_of(self, path: str) -> FileStatus | None:
        row = self._index.get(path)
        return self._rows[row] if row is not None else None

    def rows(self) -> list[FileStatus]:
        return list(self._rows)

    def failed_paths(self) -> list[str]:
        return [r.path for r in self._rows if r.status == "failed"]

    # -- Qt model -----------------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        names = {
            "file": QCoreApplication.translate("FileTableModel", "File"),
            "status": QCoreApplication.translate("FileTableModel", "Status"),
            "chunks": QCoreApplication.translate("FileTableModel", "Chunks"),
            "reason": QCoreApplication.translate("FileTableModel", "Details"),
        }
        return names[self.COLUMNS[section]]

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        fs = self._rows[index.row()]
        col = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            if col == "file":
                return os.path.basename(fs.path) or fs.path
            if col == "status":
                return status_text(fs.status)
            if col == "chunks":
                return str(fs.chunks) if fs.chunks else ""
            return fs.error or ""
        if role == Qt.ItemDataRole.ToolTipRole:
            return fs.path if col == "file" else (fs.error or None)
        if role == Qt.ItemDataRole.ForegroundRole and fs.status == "failed":
            return QBrush(QColor("#c62828"))
        if role == Qt.ItemDataRole.ForegroundRole and fs.status in ("unchanged", "removed"):
            return QBrush(QColor("#757575"))
        if role == Qt.ItemDataRole.TextAlignmentRole and col == "chunks":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class IndexingView(TranslatedWidget):
    """Progress of the running (or last) indexing job.

    Signals: ``pause_requested()``, ``resume_requested()``, ``cancel_requested()``, ``retry_requested(list)``.
    """

    pause_requested = Signal()
    resume_requested = Signal()
    cancel_requested = Signal()
    retry_requested = Signal(list)

    def __init__(self, parent: QWidget | None = None, *, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(parent)
        self.model = FileTableModel(self)
        self._clock = clock
        self.eta = EtaEstimator()
        self._eta_s: float | None = None
        self._running = False
        self._paused = False
        self._held = False  # a run paused in an earlier session: no job, but Resume goes on with it
        self._last: IndexProgress | None = None
        self._report: IndexReport | None = None
        self._state_key = "idle"
        self._error: str | None = None
        self._folders = (0, 0)  # (known folders, incomplete ones): what the idle view says

        self.headline = QLabel()
        self.headline.setObjectName("headline")
        self.files_bar = QProgressBar()
        self.files_bar.setObjectName("filesBar")
        self.chunks_bar = QProgressBar()
        self.chunks_bar.setObjectName("chunksBar")
        self.files_label = QLabel()
        self.chunks_label = QLabel()
        self.speed_label = QLabel()
        self.speed_label.setObjectName("speedLabel")
        self.current_label = QLabel()
        self.current_label.setObjectName("currentFile")
        self.current_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.current_label.setWordWrap(True)

        self.pause_button = QPushButton()
        self.resume_button = QPushButton()
        self.cancel_button = QPushButton()
        self.retry_button = QPushButton()
        self.pause_button.clicked.connect(self.pause_requested)
        self.resume_button.clicked.connect(self.resume_requested)
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.retry_button.clicked.connect(self._on_retry)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        # Compact rows, like the folders list: a long run fills many screens of them.
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        header.resizeSection(0, 260)

        grid = QVBoxLayout(self)
        grid.addWidget(self.headline)
        row1 = QHBoxLayout()
        row1.addWidget(self.files_label)
        row1.addWidget(self.files_bar, 1)
        grid.addLayout(row1)
        row2 = QHBoxLayout()
        row2.addWidget(self.chunks_label)
        row2.addWidget(self.chunks_bar, 1)
        grid.addLayout(row2)
        grid.addWidget(self.speed_label)
        grid.addWidget(self.current_label)
        buttons = QHBoxLayout()
        for b in (self.pause_button, self.resume_button, self.cancel_button, self.retry_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        grid.addLayout(buttons)
        grid.addWidget(self.table, 1)
        self.retranslate()
        self._update_buttons()

    # -- language -----------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.files_label.setText(self.tr("Files"))
        self.chunks_label.setText(self.tr("Chunks"))
        self.pause_button.setText(self.tr("Pause"))
        self.resume_button.setText(self.tr("Resume"))
        self.cancel_button.setText(self.tr("Cancel"))
        self.retry_button.setText(self.tr("Retry failed files"))
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(FileTableModel.COLUMNS) - 1)
        self._render()

    # -- job state ----------------------------------------------------------------------------------
    def job_started(self, *, clear: bool = True) -> None:
        if clear:
            self.model.clear()
        self._running, self._paused, self._held = True, False, False
        self._last, self._report, self._error = None, None, None
        self.eta.reset()
        self._eta_s = None
        self._state_key = "starting"
        self._render()
        self._update_buttons()

    def show_held_pause(self, progress: IndexProgress | None = None) -> None:
        """An earlier session paused indexing: say so and offer Resume (and Cancel), run nothing.
        ``progress``: where that run stood, so the bars show it instead of 0 of 0."""
        self._running, self._paused, self._held = False, True, True
        self._last = progress
        self._render()
        self._update_buttons()

    def set_folders(self, known: int, incomplete: int) -> None:
        """How many folders there are and how many a run left incomplete (the idle view says so)."""
        if self._folders != (known, incomplete):
            self._folders = (known, incomplete)
            self._render()

    @property
    def progress(self) -> IndexProgress | None:
        """The run's latest progress."""
        return self._last

    @property
    def held(self) -> bool:
        return self._held

    def set_paused(self, paused: bool) -> None:
        self._paused = paused
        self._render()
        self._update_buttons()

    def job_failed(self, message: str) -> None:
        self._error = message
        self._render()

    def job_finished(self) -> None:
        self._running, self._paused, self._held = False, False, False
        self._render()
        self._update_buttons()

    @property
    def running(self) -> bool:
        return self._running

    @Slot(object)
    def on_event(self, ev: object) -> None:
        if isinstance(ev, IndexReport):
            self._report = ev
        elif isinstance(ev, IndexProgress):
            self._last = ev
            if ev.stage == "embedding" and ev.chunks_total:
                self._eta_s = self.eta.update(self._clock(), ev.chunks_done, ev.chunks_total)
            if ev.stage in ("embedding", "cleaning"):
                self.model.reading_done()
            if ev.file is not None:
                self.model.update_file(ev.file)
        self._render()

    def _on_retry(self) -> None:
        failed = self.model.failed_paths()
        if failed:
            self.retry_requested.emit(failed)

    def _update_buttons(self) -> None:
        self.pause_button.setVisible(self._running and not self._paused)
        self.resume_button.setVisible((self._running or self._held) and self._paused)
        self.cancel_button.setEnabled(self._running or self._held)
        self.retry_button.setEnabled(not self._running and bool(self.model.failed_paths()))

    def _render(self) -> None:
        ev, rep = self._last, self._report
        files_done = ev.files_done if ev else 0
        files_total = ev.files_total if ev else 0
        chunks_done = ev.chunks_done if ev else 0
        chunks_total = ev.chunks_total if ev else 0
        if rep is not None:
            files_done = files_total = rep.files_seen
            done_failed = len(rep.files_failed)
            if rep.cancelled:
                self.headline.setText(
                    self.tr("Indexing cancelled. What was done is kept; indexing again continues from there.")
                )
            else:
                chunks_done = chunks_total = max(chunks_total, chunks_done)
                self.headline.setText(
                    self.tr("Indexing done: %1 indexed, %2 unchanged, %3 failed. %4 passages in the index.")
                    .replace("%1", str(rep.files_indexed))
                    .replace("%2", str(rep.files_unchanged))
                    .replace("%3", str(done_failed))
                    .replace("%4", str(rep.chunks_total))
                )
        elif self._held:
            self.headline.setText(
                self.tr("Indexing is paused (since the last session). Resume goes on where it stopped.")
            )
        elif self._error:
            self.headline.setText(self.tr("Indexing stopped: %1").replace("%1", self._error))
        elif self._running and self._paused:
            self.headline.setText(self.tr("Paused. Resume to go on."))
        elif self._running:
            stage = ev.stage if ev else "starting"
            words = {
                "preparing": ev.detail if ev and ev.detail else "",  # said by the core, translated there
                "starting": self.tr("Starting (loading the embedding model)…"),
                "scanning": self.tr("Looking for files…"),
                "parsing": self.tr("Reading files…"),
                "embedding": self.tr("Embedding passages…"),
                "cleaning": self.tr("Removing files that are gone…"),
            }
            self.headline.setText(words.get(stage, stage))
        elif n := self._folders[1]:
            text = self.tr("Indexing stopped before the end in %n folder(s). Index again to go on.", "", n)
            self.headline.setText(text)
        elif self._folders[0]:
            self.headline.setText(
                self.tr("Nothing is being indexed now. Changes in the folders are indexed as they happen.")
            )
        else:
            self.headline.setText(self.tr("Nothing is being indexed. Add a folder to start."))

        # No totals known (nothing run yet, or a run paused in an earlier session): no "0 of 0" bars.
        known = bool(files_total or chunks_total or rep is not None)
        for w in (self.files_bar, self.files_label, self.chunks_bar, self.chunks_label):
            w.setVisible(known or (self._running and not self._paused))
        self.files_bar.setRange(0, max(files_total, 1))
        self.files_bar.setValue(min(files_done, max(files_total, 1)) if files_total else 0)
        self.files_bar.setFormat(
            self.tr("%1 of %2 files").replace("%1", str(files_done)).replace("%2", str(files_total))
        )
        self.chunks_bar.setRange(0, max(chunks_total, 1))
        self.chunks_bar.setValue(min(chunks_done, max(chunks_total, 1)) if chunks_total else 0)
        self.chunks_bar.setFormat(
            self.tr("%1 of %2 passages").replace("%1", str(chunks_done)).replace("%2", str(chunks_total))
        )
        speed = []
        if ev is not None and ev.chunks_per_s and rep is None:
            rate = self.eta.rate or ev.chunks_per_s
            speed.append(self.tr("%1 passages/s").replace("%1", f"{rate:.1f}"))
            if ev.stage == "embedding" and not self._paused:
                speed.append(
                    self.tr("about %1 left").replace("%1", format_duration(self._eta_s))
                    if self._eta_s is not None
                    else self.tr("time left: estimating…")
                )
        if rep is not None:
            speed.append(self.tr("took %1").replace("%1", format_duration(rep.seconds)))
        self.speed_label.setText(" · ".join(speed))
        current = ev.current if (ev is not None and self._running and rep is None) else None
        if current and ev is not None and ev.detail:  # a long read: "OCR page 2 of 9"
            current = f"{current} ({ev.detail})"
        self.current_label.setText(self.tr("Current file: %1").replace("%1", current) if current else "")
        self._update_buttons()
