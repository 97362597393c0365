"""Model setup in the window: find out whether the models are on disk, and when not, the first-run
dialog's choices: download them, point at a folder, or search by keywords meanwhile.

Signals: ``models_ready()`` once the embedding model is known to be on disk (the start-up pass
may run), ``busy_changed()`` when a download starts or ends.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot

from qrag_desktop.core.errors import QragError
from qrag_desktop.core.jobs import JobControl
from qrag_desktop.ui.i18n import window_tr as tr
from qrag_desktop.ui.workers import Job

if TYPE_CHECKING:
    from qrag_desktop.ui.first_run_dialog import FirstRunDialog
    from qrag_desktop.ui.main_window import MainWindow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelCheck:
    embed_ok: bool
    rerank_ok: bool


class _DownloadProgress(QObject):
    """Carries download progress from a worker to the GUI thread. Signals: ``changed(int, int, str)``."""

    changed = Signal("qint64", "qint64", str)  # type: ignore[arg-type]  # qint64: over 2 GiB


class ModelSetup(QObject):
    models_ready = Signal()
    busy_changed = Signal()

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.dialog: FirstRunDialog | None = None
        self._download_job: Job | None = None
        self._download_cancel: threading.Event | None = None

    def check(self) -> None:
        if self.window.is_shut_down:
            return
        s = self.window.settings

        def work() -> ModelCheck:
            from qrag_desktop.core.models.loading import is_model_available

            return ModelCheck(is_model_available(s.embed_model), is_model_available(s.rerank_model))

        job = self.window.jobs.create("models", work)
        job.returned.connect(self._on_checked)
        job.start()

    @Slot(object)
    def _on_checked(self, check: object) -> None:
        from qrag_desktop.ui.first_run_dialog import KEYWORD_ONLY, models_to_ask_about

        assert isinstance(check, ModelCheck)
        settings = self.window.settings
        # "Keyword search only", chosen once, holds until a model is set up: no dialog at each start.
        if not check.embed_ok and settings.models_choice == KEYWORD_ONLY:
            self.window.keyword_only = True
        missing = models_to_ask_about(settings, check.embed_ok, check.rerank_ok)
        if missing and not self.window.is_shut_down:
            self.show_first_run(missing)
        if (check.embed_ok or self.window.keyword_only) and not self.window.is_shut_down:
            self.models_ready.emit()
        self.window.status_bar.render()

    # -- the first-run dialog -----------------------------------------------------------------------
    def show_first_run(self, missing: list[tuple[str, str]]) -> None:
        from qrag_desktop.core.models.download import KNOWN_SIZES
        from qrag_desktop.ui.first_run_dialog import FirstRunDialog

        if self.dialog is not None:
            return
        dlg = FirstRunDialog(missing, {m: KNOWN_SIZES.get(m) for _, m in missing}, self.window)
        dlg.download_requested.connect(self._download)
        dlg.cancel_requested.connect(self.cancel_download)
        dlg.folder_chosen.connect(self._use_model_folder)
        dlg.rerank_folder_chosen.connect(self._use_rerank_folder)
        dlg.keyword_only_chosen.connect(self.use_keyword_only)
        dlg.finished.connect(self._on_closed)
        self.dialog = dlg
        dlg.open()

    @Slot()
    def embedding_model_missing(self) -> None:
        if self.dialog is None and not self.window.is_shut_down:
            self.show_first_run([("embed", self.window.settings.embed_model)])

    @Slot(int)
    def _on_closed(self, _result: int) -> None:
        self.cancel_download()
        if self.dialog is not None and self.dialog.chosen_summary:
            self.window.statusBar().showMessage(self.dialog.chosen_summary, 15000)
        self.dialog = None

    @Slot()
    def use_keyword_only(self) -> None:
        """Search by keywords (BM25) until a model is on disk; index the folders that way now."""
        missing: list[tuple[str, str]] = self.dialog.missing if self.dialog else []
        if any(role == "embed" for role, _ in missing):
            self.window.keyword_only = True
        from qrag_desktop.ui.first_run_dialog import KEYWORD_ONLY

        self.window.set_settings(self.window.settings.replace(models_choice=KEYWORD_ONLY))
        self.window.status_bar.render()
        if self.window.keyword_only and self.window.folders.paths() and self.window.indexing.job is None:
            self.window.indexing.start()

    @Slot(str)
    def _use_model_folder(self, folder: str) -> None:
        from qrag_desktop.core.models.loading import is_model_available

        if not is_model_available(folder):
            if self.dialog is not None:
                self.dialog.download_failed(
                    tr("That folder does not hold a model (no config.json in it). Choose the model's folder.")
                )
            return
        self.window.keyword_only = False
        self.window.replace_engine(self.window.settings.replace(embed_model=folder, models_choice=""))
        if self.dialog is not None:
            self.dialog.accept()
        self.window.status_bar.render()
        if self.window.folders.paths():
            self.window.indexing.start()

    @Slot(str)
    def _use_rerank_folder(self, folder: str) -> None:
        """The chosen folder also held a reranker: use it (the embedder's folder came first)."""
        self.window.replace_engine(self.window.settings.replace(rerank_model=folder, models_choice=""))
        self.window.status_bar.render()

    # -- downloading --------------------------------------------------------------------------------
    @Slot()
    def _download(self) -> None:
        from qrag_desktop.core.models.download import download_model

        dlg = self.dialog
        if dlg is None or self._download_job is not None:
            return
        models = [m for _, m in dlg.missing]
        cancel = threading.Event()
        progress = _DownloadProgress(self)
        progress.changed.connect(self._on_progress)

        def work() -> list[str]:
            out: list[str] = []
            for m in models:

                def report(done: int, total: int, m: str = m) -> None:
                    progress.changed.emit(done, total, m)

                out.append(str(download_model(m, progress=report, cancel=cancel)))
            return out

        # The job's control cancels at shutdown; the event stops the download between chunks.
        job = self.window.jobs.create("download", work, JobControl())
        self._download_cancel = cancel
        job.returned.connect(self._on_done)
        job.failed.connect(self._on_failed)
        job.finished.connect(self._on_finished)
        self._download_job = job
        job.start()
        self.busy_changed.emit()

    @Slot("qint64", "qint64", str)
    def _on_progress(self, done: int, total: int, model: str) -> None:
        if self.dialog is not None:
            self.dialog.set_progress(int(done), int(total), model)

    @Slot()
    def cancel_download(self) -> None:
        if self._download_job is not None and self._download_cancel is not None:
            self._download_cancel.set()
            self._download_job.cancel()

    @Slot(object)
    def _on_done(self, _folders: object) -> None:
        self.window.keyword_only = False
        if self.dialog is not None:
            self.dialog.download_finished()
        self.window.replace_engine(self.window.settings.replace(models_choice=""))
        if self.window.folders.paths():
            self.window.indexing.start()

    @Slot(object)
    def _on_failed(self, exc: object) -> None:
        text = exc.user_text() if isinstance(exc, QragError) else str(exc)
        if self.dialog is not None:
            self.dialog.download_failed(text)

    @Slot()
    def _on_finished(self) -> None:
        job, self._download_job = self._download_job, None
        cancelled = self._download_cancel is not None and self._download_cancel.is_set()
        if job is not None and cancelled and self.dialog is not None:
            self.dialog.download_cancelled()
        self.busy_changed.emit()


__all__ = ["ModelCheck", "ModelSetup"]
