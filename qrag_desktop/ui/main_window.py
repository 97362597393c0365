"""The main window: layout and wiring of the knowledge folders, indexing, chat with sources,
conversations and the status bar.

The work lives elsewhere: the core's ``FolderRegistry`` knows the folders, ``IndexingController``
runs the indexing queue, ``AskController`` the ask flow (on the core's ask pipeline), ``ModelSetup``
the first-run model choices. The window owns the engine and the ``JobManager`` they share.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QSettings, Qt, QTimer, Slot
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QIcon, QResizeEvent
from PySide6.QtWidgets import QMainWindow, QMessageBox

from qrag_desktop.core.errors import ConfigError, QragError
from qrag_desktop.core.folders import FolderRegistry
from qrag_desktop.core.settings import Paths, Settings, apply_env, load_settings, save_settings
from qrag_desktop.ui import window_layout
from qrag_desktop.ui.ask_controller import AskController
from qrag_desktop.ui.folder_actions import FolderActions
from qrag_desktop.ui.folder_watch import FolderWatchBridge
from qrag_desktop.ui.indexing_controller import IndexingController
from qrag_desktop.ui.model_setup import ModelSetup
from qrag_desktop.ui.settings_controller import SettingsController
from qrag_desktop.ui.status_bar import StatusBar
from qrag_desktop.ui.workers import JobManager, close_when_done

if TYPE_CHECKING:  # the engine pulls in numpy and the parsers: imported after the window shows
    from qrag_desktop.core.engine import Engine
    from qrag_desktop.ui.first_run_dialog import FirstRunDialog
    from qrag_desktop.ui.settings_dialog import SettingsDialog

log = logging.getLogger(__name__)

SHUTDOWN_TIMEOUT_S = 2.5
# A saved, added or deleted file reaches the index this long after the last change (an editor's
# burst of saves is one update).
WATCH_DEBOUNCE_S = 1.0
RESOURCES = Path(__file__).resolve().parent.parent / "resources"


class MainWindow(QMainWindow):
    """The app's one window. Tests construct it with their own ``Paths``/``Settings``/key provider."""

    def __init__(
        self,
        paths: Paths | None = None,
        settings: Settings | None = None,
        *,
        api_key_provider: Callable[[], str | None] | None = None,
        api_key_saver: Callable[[str | None], None] | None = None,
        check_models: bool = True,
        watch_debounce_s: float = WATCH_DEBOUNCE_S,
    ) -> None:
        super().__init__()
        self.paths = (paths or Paths.resolve()).ensure()
        self._settings_error: QragError | None = None
        if settings is None:
            try:
                settings = apply_env(load_settings(self.paths))  # QRAG_EMBED_MODEL etc., for this run
            except ConfigError as exc:
                self._settings_error = exc
                settings = Settings()
        self._api_key_provider = api_key_provider or _default_key_provider
        self._api_key_saver = api_key_saver or _default_key_saver
        self._check_models_at_start = check_models
        self.jobs = JobManager(self)
        self._engine: Engine | None = None  # made on first use (see ``engine``)
        self._settings = settings
        # The folders' one truth; a change is saved with the settings at once.
        self.folders = FolderRegistry(settings.folders, save=lambda _folders: self._save_settings())
        self.keyword_only = False
        self._shut_down = False
        self._messages: list[QMessageBox] = []
        self.window_state = QSettings(str(self.paths.config_dir / "window.ini"), QSettings.Format.IniFormat)
        self.watcher = FolderWatchBridge(watch_debounce_s, self)

        self._build()
        self.indexing = IndexingController(self)
        self.asking = AskController(self)
        self.model_setup = ModelSetup(self)
        self.settings_controller = SettingsController(self)
        self.status_bar = StatusBar(self)
        self.folder_actions = FolderActions(self)
        self.models_label, self.index_label = self.status_bar.models_label, self.status_bar.index_label
        self._wire()
        self.setAcceptDrops(True)
        self.retranslate()
        self._restore_state()
        self.folders_panel.show_registry(self.folders)
        self.asking.reopen_last()
        QTimer.singleShot(0, self._startup)

    # -- what the controllers share ------------------------------------------------------------------
    @property
    def settings(self) -> Settings:
        if self._engine is not None:
            return self._engine.settings
        return self._settings.replace(folders=self.folders.folders)

    @property
    def engine(self) -> Engine:
        """The engine, made on first use: importing it (numpy, the parsers) takes about a second,
        which the window does not wait for; ``_startup`` imports it in a worker first."""
        if self._engine is None:
            from qrag_desktop.core.engine import Engine

            self._engine = Engine(self._settings, self.paths, folders=self.folders)
        return self._engine

    @property
    def existing_engine(self) -> Engine | None:
        """The engine if it was made (reading it makes none)."""
        return self._engine

    @property
    def is_shut_down(self) -> bool:
        return self._shut_down

    @property
    def first_run_dialog(self) -> FirstRunDialog | None:
        return self.model_setup.dialog

    @property
    def settings_dialog(self) -> SettingsDialog | None:
        return self.settings_controller.dialog

    def api_key(self) -> str | None:
        return self._api_key_provider()

    def save_api_key(self, key: str | None) -> None:
        self._api_key_saver(key)

    def show_chat(self) -> None:
        self.tabs.setCurrentWidget(self.chat_splitter)

    @Slot(object)
    def show_job_error(self, exc: object) -> None:
        text = exc.user_text() if isinstance(exc, QragError) else str(exc)
        self.statusBar().showMessage(text, 10000)

    def _build(self) -> None:
        icon = RESOURCES / "icon.svg"
        if icon.exists():
            self.setWindowIcon(QIcon(str(icon)))
        self.layout_parts = layout = window_layout.build(self)
        self.folders_panel, self.conversations_panel = layout.folders_panel, layout.conversations_panel
        self.indexing_view, self.chat, self.sources = layout.indexing_view, layout.chat, layout.sources
        self.left_splitter, self.chat_splitter = layout.left_splitter, layout.chat_splitter
        self.tabs, self.main_splitter, self.toolbar = layout.tabs, layout.main_splitter, layout.toolbar
        self.add_action, self.new_action = layout.add_action, layout.new_action
        self.settings_action, self.side_action = layout.settings_action, layout.side_action
        self.scope_selector = layout.scope_selector

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        window_layout.fit_side_panel(self.layout_parts, event.size().width())

    def _wire(self) -> None:
        self.folders_panel.add_requested.connect(self.folder_actions.add)
        self.folders_panel.remove_requested.connect(self.folder_actions.remove)
        self.folders_panel.local_only_changed.connect(self.folders.set_local_only)
        self.folders_panel.reindex_requested.connect(self.folder_actions.reindex_all)
        self.folders_panel.resume_requested.connect(self.folder_actions.resume)
        self.folders_panel.merge_requested.connect(self.folder_actions.merge)
        self.settings_action.triggered.connect(self.settings_controller.open)
        self.new_action.triggered.connect(self.asking.new_conversation)
        self.indexing_view.pause_requested.connect(self.indexing.pause)
        self.indexing_view.resume_requested.connect(self.indexing.resume)
        self.indexing_view.cancel_requested.connect(self.indexing.cancel)
        self.indexing_view.retry_requested.connect(self.indexing.retry_failed)
        self.watcher.files_changed.connect(self.indexing.on_files_changed)
        self.watcher.watch_failed.connect(self.folder_actions.on_watch_failed)
        self.jobs.busy_changed.connect(self.status_bar.on_busy_changed)
        self.indexing.index_changed.connect(self.status_bar.refresh_overview)
        self.indexing.model_missing.connect(self.model_setup.embedding_model_missing)
        self.model_setup.models_ready.connect(self.indexing.startup_pass)
        for c in (self.indexing, self.asking, self.model_setup):
            c.busy_changed.connect(self.status_bar.render_busy)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("qrag-desktop — your private knowledge base"))
        self.tabs.setTabText(0, self.tr("Ask"))
        self.tabs.setTabText(1, self.tr("Indexing"))
        self.add_action.setText(self.tr("Add folder…"))
        self.add_action.setToolTip(self.tr("Add a folder of documents to the knowledge base"))
        self.new_action.setText(self.tr("New conversation"))
        self.settings_action.setText(self.tr("Settings…"))
        self.side_action.setText(self.tr("Side panel"))
        self.side_action.setToolTip(self.tr("Show or hide the folders and conversations (Ctrl+B)"))
        self.toolbar.setWindowTitle(self.tr("Main toolbar"))
        self.status_bar.render()

    # -- window state -------------------------------------------------------------------------------
    def _restore_state(self) -> None:
        window_layout.restore_state(self, self.layout_parts, self.window_state)

    def _save_state(self) -> None:
        window_layout.save_state(self, self.layout_parts, self.window_state)

    def _save_settings(self) -> None:
        try:
            save_settings(self.paths, self.settings)
        except (OSError, QragError) as exc:
            log.warning("settings not saved: %s", exc)

    def set_settings(self, new: Settings) -> None:
        """New settings (their folders are ignored: the registry holds the folders)."""
        self._settings = new
        if self._engine is not None:
            self._engine.settings = new
        self._save_settings()

    # -- startup ------------------------------------------------------------------------------------
    @Slot()
    def _startup(self) -> None:
        if self._shut_down:
            return
        if self._settings_error is not None:
            self.message(self.tr("Settings"), self._settings_error.user_text(), warning=True)
        notice = self.asking.conversations.notice()
        if notice is not None:
            self.message(self.tr("Conversations"), notice, warning=True)
        # The engine's imports (numpy, the parsers, torch: seconds) load off the GUI thread.
        job = self.jobs.create("load", _import_engine)
        job.finished.connect(self._startup_continue)
        job.start()

    @Slot()
    def _startup_continue(self) -> None:
        if self._shut_down:
            return
        self.status_bar.refresh_overview()
        self.status_bar.describe_device()
        self.folder_actions.watch()
        if self._check_models_at_start:
            self.model_setup.check()  # the start-up pass follows once the models are known to be there
        else:
            self.indexing.startup_pass()

    def message(self, title: str, text: str, *, warning: bool = False) -> QMessageBox:
        """A non-blocking message box (kept referenced until closed)."""
        box = QMessageBox(
            QMessageBox.Icon.Warning if warning else QMessageBox.Icon.Information,
            title,
            text,
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._messages.append(box)
        box.finished.connect(lambda _r, b=box: self._messages.remove(b) if b in self._messages else None)
        box.open()
        return box

    def confirm(self, title: str, text: str) -> bool:
        """Ask yes/no (tests replace this)."""
        answer = QMessageBox.question(self, title, text)
        return answer == QMessageBox.StandardButton.Yes

    # -- folders ------------------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        if any(u.isLocalFile() and Path(u.toLocalFile()).is_dir() for u in urls):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        folders = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        folders = [f for f in folders if Path(f).is_dir()]
        if folders:
            event.acceptProposedAction()
            for folder in folders:  # each is checked against the known folders, as a chosen one is
                self.folders_panel.add_folder(folder)

    def add_folders(self, folders: list[str]) -> None:
        self.folder_actions.add(folders)

    def replace_engine(self, new: Settings) -> None:
        """Models are loaded per engine: stop the work, close the old one, start a new one.

        A job that does not stop in time (a model load cannot be interrupted) keeps the old engine
        until it ends; the old engine is closed then, which releases the store file.
        """
        self.indexing.forget_pending()
        old_jobs, old_engine = self.jobs, self._engine
        stuck = old_jobs.shutdown(SHUTDOWN_TIMEOUT_S)
        self.jobs = JobManager(self)
        self.jobs.busy_changed.connect(self.status_bar.on_busy_changed)
        if old_engine is not None:
            close_when_done(old_engine, stuck)
        if not stuck:
            old_jobs.deleteLater()
        from qrag_desktop.core.engine import Engine

        self._settings = new
        self._engine = Engine(new, self.paths, folders=self.folders)
        self._save_settings()
        self.status_bar.refresh_overview()

    # -- closing ------------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        event.accept()

    @Slot()
    def shutdown(self) -> None:
        """Idempotent: cancel jobs, wait (bounded), close the engine, save state and settings."""
        if self._shut_down:
            return
        self._shut_down = True
        self.watcher.stop()
        self._save_state()
        self.model_setup.cancel_download()
        # A model load or a torch import cannot be interrupted; they see the cancel when they
        # return. The engine closes when the last of them has stopped.
        stuck = self.jobs.shutdown(SHUTDOWN_TIMEOUT_S)
        if self._engine is not None:
            close_when_done(self._engine, stuck)
        self.asking.close()
        self._save_settings()
        for box in list(self._messages):
            box.close()


def _import_engine() -> None:
    # The engine's imports (numpy, pypdf, docx, bs4: about a second) happen in the load job,
    # after the window is shown, not on the GUI thread at start-up.
    import qrag_desktop.core.engine  # noqa: F401 - imported for its side effect: loaded modules


def _default_key_provider() -> str | None:
    from qrag_desktop.core.secrets import get_api_key

    return get_api_key()


def _default_key_saver(key: str | None) -> None:
    from qrag_desktop.core.secrets import set_api_key

    set_api_key(key)


__all__ = ["MainWindow"]
