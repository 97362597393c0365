"""The status bar: the device, the models, the index's size, and what is running.

``refresh_overview`` reads the index's status and the folders' statistics in a job and hands the
statistics to the folders registry (whose observers, the folders panel among them, redraw). The
files and passages shown here are the registry's sums: the same numbers as the folders panel.
The overview also brings what the person must hear about once: the engine's notices (a damaged
manifest set aside), a store that lost passages.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QLabel, QProgressBar

from qrag_desktop.core.errors import QragError
from qrag_desktop.core.folders import FolderStats, read_stats
from qrag_desktop.ui.elided_label import ElidedLabel
from qrag_desktop.ui.i18n import window_tr as tr

if TYPE_CHECKING:
    from qrag_desktop.core.engine import Status
    from qrag_desktop.ui.main_window import MainWindow


@dataclass(frozen=True)
class Overview:
    status: Status
    folders: dict[str, FolderStats]
    index_bytes: int
    files: tuple[str, ...] = ()  # the indexed files, for the scope selector
    runs_ended: int | None = None  # the folder registry's count when the reading began


def _dir_size(p: Path) -> int:
    if p.is_file():
        return p.stat().st_size
    total = 0
    for dirpath, _dirs, files in os.walk(p):
        for f in files:
            try:
                total += os.path.getsize(os.path.join(dirpath, f))
            except OSError:
                pass
    return total


@functools.lru_cache(maxsize=16)
def _model_name(model: str) -> str:
    """The model's own name (its hub id, card or config), not its folder's (read once per model)."""
    from qrag_desktop.core.models.names import display_name

    return display_name(model)


class StatusBar(QObject):
    """Fills the window's status bar; holds what the index's last overview said."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.status: Status | None = None
        self._told: set[str] = set()  # notices already shown (each once per window)
        self._index_bytes = 0
        self._device_text = ""
        # Long model names or a long device description are cut, never widen the window.
        self.device_label = ElidedLabel()
        self.models_label = ElidedLabel()
        self.index_label = ElidedLabel()
        self.busy_label = QLabel()
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setMaximumWidth(120)
        self.busy_bar.setMaximumHeight(14)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.hide()
        sb = window.statusBar()
        sb.addWidget(self.device_label)
        sb.addWidget(self.models_label)
        sb.addWidget(self.index_label, 1)
        sb.addPermanentWidget(self.busy_label)
        sb.addPermanentWidget(self.busy_bar)

    @property
    def has_index(self) -> bool:
        return bool(self.status and self.status.chunks)

    def describe_device(self) -> None:
        if self.window.is_shut_down:
            return
        pref = self.window.settings.device

        def work() -> str:
            from qrag_desktop.core.models.device import describe_device, pick_device

            try:
                return describe_device(pick_device(pref))
            except QragError as exc:
                return exc.message

        job = self.window.jobs.create("device", work)
        job.returned.connect(self._on_device)
        job.start()

    @Slot(object)
    def _on_device(self, text: object) -> None:
        self._device_text = str(text)
        self.render()

    @Slot()
    def refresh_overview(self) -> None:
        """Read the index's status and the folders' statistics (in a job); the registry gets them."""
        # A run that ends after the window closed reports here too: its engine is closed, and no
        # new job may start (it would reopen the store and outlive the window).
        if self.window.is_shut_down:
            return
        engine, folders = self.window.engine, self.window.folders.paths()
        runs_ended = self.window.folders.runs_ended  # noted before the reading starts

        def work() -> Overview:
            st = engine.status()
            size = _dir_size(engine.paths.store_path) if engine.paths.store_path.exists() else 0
            files = tuple(engine.store.paths()) if st.model_id is not None else ()
            return Overview(st, read_stats(engine.manifest, folders), size, files, runs_ended)

        job = self.window.jobs.create("status", work)
        job.returned.connect(self._on_overview)
        job.failed.connect(self._on_overview_failed)
        job.start()

    @Slot(object)
    def _on_overview(self, ov: object) -> None:
        assert isinstance(ov, Overview)
        self.status = ov.status
        self._index_bytes = ov.index_bytes
        self.window.folders.set_stats(ov.folders, missing=ov.status.missing_folders, runs_ended=ov.runs_ended)
        self.window.scope_selector.set_files(list(ov.files))
        self.render()
        self.show_notices()
        if ov.status.store_disagrees and self.window.indexing.job is None:
            self._tell(tr("Index"), ov.status.store_disagrees)

    @Slot()
    def show_notices(self) -> None:
        """The engine's notices (each once), e.g. a damaged manifest set aside and rebuilt."""
        engine = self.window.existing_engine
        if engine is None or self.window.is_shut_down:
            return
        notices, engine.notices[:] = list(engine.notices), []
        for text in notices:
            self._tell(tr("Index"), text)

    def _tell(self, title: str, text: str) -> None:
        if text not in self._told:
            self._told.add(text)
            self.window.message(title, text, warning=True)

    @Slot(object)
    def _on_overview_failed(self, exc: object) -> None:
        text = exc.user_text() if isinstance(exc, QragError) else str(exc)
        self.window.folders.stats_unavailable()
        self.index_label.setText(tr("Index not available: %1").replace("%1", text))

    def render(self) -> None:
        self.device_label.setText(tr("Device: %1").replace("%1", self._device_text or tr("checking…")))
        s = self.window.settings
        spec_model = self.status.model_id if self.status else None
        if spec_model is not None:
            from qrag_desktop.core.engine import KEYWORD_ONLY  # loaded: the status came from it
        if self.window.keyword_only or (spec_model is not None and spec_model == KEYWORD_ONLY):
            models = tr("Keyword search only (no embedding model)")
        else:
            rerank = _model_name(s.rerank_model) if s.rerank_enabled else tr("off")
            models = (
                tr("Embedding: %1 · Reranking: %2")
                .replace("%1", _model_name(s.embed_model))
                .replace("%2", rerank)
            )
        self.models_label.setText(models)
        totals = self.window.folders.totals()
        if self.status is not None and totals is not None:
            text = (
                tr("Index: %1 files, %2 passages, %3 MB")
                .replace("%1", str(totals.files))
                .replace("%2", str(totals.chunks))
                .replace("%3", f"{self._index_bytes / 1e6:.1f}")
            )
            if self.window.folders.incomplete():
                text += " · " + tr("incomplete")
            self.index_label.setText(text)
        self.render_busy()

    @Slot(bool)
    def on_busy_changed(self, busy: bool) -> None:
        self.render_busy()
        if not busy:
            self.show_notices()

    @Slot()
    def render_busy(self) -> None:
        names = {j.name for j in self.window.jobs.jobs()}
        words = []
        if "index" in names:
            words.append(tr("Indexing…"))
        if "ask" in names:
            words.append(tr("Answering…"))
        if "download" in names:
            words.append(tr("Downloading…"))
        if "remove" in names:
            words.append(tr("Removing…"))
        self.busy_label.setText(" ".join(words))
        self.busy_bar.setVisible(bool(words))


__all__ = ["Overview", "StatusBar"]
