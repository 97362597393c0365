"""The main window: knowledge folders, indexing, chat with sources, conversations, status bar.

It owns the engine and runs every slow call through ``JobManager`` (a QThread per job); the
slots here run on the GUI thread and only ever receive plain dataclasses.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from qrag_desktop.core.conversations import ConversationStore
from qrag_desktop.core.errors import ConfigError, ModelNotFoundError, QragError
from qrag_desktop.core.jobs import JobControl
from qrag_desktop.core.settings import FolderSetting, Paths, Settings, load_settings, save_settings
from qrag_desktop.core.types import Hit, SearchResult
from qrag_desktop.ui.chat_pane import ChatPane, Turn
from qrag_desktop.ui.conversations_panel import ConversationsPanel
from qrag_desktop.ui.folder_watch import FolderWatchBridge
from qrag_desktop.ui.folders_panel import FoldersPanel, FolderStats
from qrag_desktop.ui.indexing_view import IndexingView
from qrag_desktop.ui.sources_panel import Source, SourcesPanel, open_file
from qrag_desktop.ui.workers import Job, JobManager

if TYPE_CHECKING:  # the engine pulls in numpy and the parsers: imported after the window shows
    import threading

    from qrag_desktop.core.engine import Engine, Status
    from qrag_desktop.ui.first_run_dialog import FirstRunDialog
    from qrag_desktop.ui.settings_dialog import SettingsDialog

log = logging.getLogger(__name__)

SHUTDOWN_TIMEOUT_S = 2.5
# A saved, added or deleted file reaches the index this long after the last change (an editor's
# burst of saves is one update).
WATCH_DEBOUNCE_S = 1.0
# Manifest meta key: set while the person has an indexing run paused, so a restart shows it paused
# (with Resume) instead of starting over by itself. Cleared when a run completes or is cancelled.
PAUSED_RUN_KEY = "paused_run"
RESOURCES = Path(__file__).resolve().parent.parent / "resources"


@dataclass(frozen=True)
class AnswerDelta:
    text: str


@dataclass(frozen=True)
class SentRequest:
    text: str
    token_count: int
    exact: bool
    n_passages: int


@dataclass(frozen=True)
class ModelCheck:
    embed_ok: bool
    rerank_ok: bool


@dataclass(frozen=True)
class PausedRun:
    """What the manifest says about a run left paused by an earlier session (None: nothing)."""

    info: dict | None


@dataclass(frozen=True)
class Overview:
    status: Status
    folders: dict[str, FolderStats]
    index_bytes: int


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


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


def _model_name(model: str) -> str:
    return model.rstrip("/\\").replace("\\", "/").split("/")[-1] or model


class _DownloadProgress(QObject):
    """Carries download progress from a worker to the GUI thread. Signals: ``changed(int, int, str)``."""

    changed = Signal("qint64", "qint64", str)  # type: ignore[arg-type]  # qint64: over 2 GiB


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
                settings = load_settings(self.paths)
            except ConfigError as exc:
                self._settings_error = exc
                settings = Settings()
        self._api_key_provider = api_key_provider or _default_key_provider
        self._api_key_saver = api_key_saver or _default_key_saver
        self._check_models_at_start = check_models
        self.jobs = JobManager(self)
        self.jobs.busy_changed.connect(self._on_busy_changed)
        self._engine: Engine | None = None  # made on first use (see ``engine``)
        self._settings = settings
        self.conversations = ConversationStore(self.paths.conversations_path)
        self.conversation_id: int | None = None
        self.keyword_only = False
        self.first_run_dialog: FirstRunDialog | None = None
        self.settings_dialog: SettingsDialog | None = None
        self._download_cancel: threading.Event | None = None
        self._status: Status | None = None
        self._index_job: Job | None = None
        self._index_failed = False
        self._pending_index: list[str] | None = None
        self._pending_reembed = False
        self._watch_pending: set[str] = set()  # changed files waiting for the index job to end
        self._held_pause = False  # a run paused in an earlier session, waiting for Resume
        self._startup_pass_done = False
        # The folders the start-up pass looks at: those known at start (one added meanwhile is
        # indexed by its own run).
        self._startup_roots = [f.path for f in settings.folders]
        self._removing = 0  # folder removals queued or running; indexing waits for them
        self._index_roots: list[str] = []
        self._ask_job: Job | None = None
        self._download_job: Job | None = None
        self._shut_down = False
        self._messages: list[QMessageBox] = []
        self._device_text = ""
        self._qsettings = QSettings(str(self.paths.config_dir / "window.ini"), QSettings.Format.IniFormat)
        self.watcher = FolderWatchBridge(watch_debounce_s, self)
        self.watcher.files_changed.connect(self._on_files_changed)
        self.watcher.watch_failed.connect(self._on_watch_failed)

        self._build()
        self.setAcceptDrops(True)
        self.retranslate()
        self._restore_state()
        self.folders_panel.set_folders(self.settings.folders)
        self._refresh_conversations()
        QTimer.singleShot(0, self._startup)

    # -- building -----------------------------------------------------------------------------------
    @property
    def settings(self) -> Settings:
        return self._engine.settings if self._engine is not None else self._settings

    @property
    def engine(self) -> Engine:
        """The engine, made on first use: importing it (numpy, the parsers) takes about a second,
        which the window does not wait for; ``_startup`` imports it in a worker first."""
        if self._engine is None:
            from qrag_desktop.core.engine import Engine

            self._engine = Engine(self._settings, self.paths)
        return self._engine

    def _build(self) -> None:
        icon = RESOURCES / "icon.svg"
        if icon.exists():
            self.setWindowIcon(QIcon(str(icon)))
        self.folders_panel = FoldersPanel()
        self.conversations_panel = ConversationsPanel()
        self.indexing_view = IndexingView()
        self.chat = ChatPane()
        self.sources = SourcesPanel()

        self.left_splitter = QSplitter(Qt.Orientation.Vertical)
        self.left_splitter.setObjectName("leftSplitter")
        self.left_splitter.addWidget(self.folders_panel)
        self.left_splitter.addWidget(self.conversations_panel)
        self.left_splitter.setSizes([300, 300])
        self.chat_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.chat_splitter.setObjectName("chatSplitter")
        self.chat_splitter.addWidget(self.chat)
        self.chat_splitter.addWidget(self.sources)
        self.chat_splitter.setSizes([560, 420])
        self.tabs = QTabWidget()
        self.tabs.setObjectName("mainTabs")
        self.tabs.addTab(self.chat_splitter, "")
        self.tabs.addTab(self.indexing_view, "")
        self.main_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.main_splitter.setObjectName("mainSplitter")
        self.main_splitter.addWidget(self.left_splitter)
        self.main_splitter.addWidget(self.tabs)
        self.main_splitter.setStretchFactor(1, 1)
        self.main_splitter.setSizes([380, 900])
        central = QWidget()
        lay = QVBoxLayout(central)
        lay.setContentsMargins(8, 8, 8, 4)
        lay.addWidget(self.main_splitter)
        self.setCentralWidget(central)

        self.toolbar = QToolBar()
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setMovable(False)
        self.add_action = QAction(self)
        self.add_action.setShortcut(QKeySequence.StandardKey.Open)
        self.add_action.triggered.connect(self.folders_panel.choose_folder)
        self.settings_action = QAction(self)
        self.settings_action.setShortcut(QKeySequence.StandardKey.Preferences)
        self.settings_action.triggered.connect(self.open_settings)
        self.new_action = QAction(self)
        self.new_action.setShortcut(QKeySequence.StandardKey.New)
        self.new_action.triggered.connect(self.new_conversation)
        for a in (self.add_action, self.new_action, self.settings_action):
            self.toolbar.addAction(a)
        self.addToolBar(self.toolbar)

        sb = self.statusBar()
        self.device_label = QLabel()
        self.models_label = QLabel()
        self.index_label = QLabel()
        self.busy_label = QLabel()
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setMaximumWidth(120)
        self.busy_bar.setMaximumHeight(14)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.hide()
        sb.addWidget(self.device_label)
        sb.addWidget(self.models_label)
        sb.addWidget(self.index_label, 1)
        sb.addPermanentWidget(self.busy_label)
        sb.addPermanentWidget(self.busy_bar)

        self.folders_panel.add_requested.connect(self.add_folders)
        self.folders_panel.remove_requested.connect(self.remove_folder)
        self.folders_panel.local_only_changed.connect(self.set_local_only)
        self.folders_panel.reindex_requested.connect(self._reindex_all)
        self.indexing_view.pause_requested.connect(self.pause_indexing)
        self.indexing_view.resume_requested.connect(self.resume_indexing)
        self.indexing_view.cancel_requested.connect(self.cancel_indexing)
        self.indexing_view.retry_requested.connect(self.retry_failed)
        self.chat.ask_requested.connect(self.ask)
        self.chat.stop_requested.connect(self.stop_answer)
        self.chat.citation_clicked.connect(self._on_citation)
        self.sources.open_file_requested.connect(self._open_file)
        self.conversations_panel.open_requested.connect(self.open_conversation)
        self.conversations_panel.delete_requested.connect(self.delete_conversation)
        self.conversations_panel.new_requested.connect(self.new_conversation)

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
        self.toolbar.setWindowTitle(self.tr("Main toolbar"))
        self._render_status()

    # -- window state -------------------------------------------------------------------------------
    def _restore_state(self) -> None:
        geo = self._qsettings.value("window/geometry")
        if geo is not None:
            self.restoreGeometry(geo)
        else:
            self.resize(1280, 800)
        for sp in (self.main_splitter, self.left_splitter, self.chat_splitter, self.sources.splitter):
            state = self._qsettings.value(f"splitters/{sp.objectName() or 'sources'}")
            if state is not None:
                sp.restoreState(state)

    def _save_state(self) -> None:
        self._qsettings.setValue("window/geometry", self.saveGeometry())
        for sp in (self.main_splitter, self.left_splitter, self.chat_splitter, self.sources.splitter):
            self._qsettings.setValue(f"splitters/{sp.objectName() or 'sources'}", sp.saveState())
        self._qsettings.sync()

    def _save_settings(self) -> None:
        try:
            save_settings(self.paths, self.settings)
        except (OSError, QragError) as exc:
            log.warning("settings not saved: %s", exc)

    def _set_settings(self, new: Settings) -> None:
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
            self._message(self.tr("Settings"), self._settings_error.user_text(), warning=True)
        # The engine's imports (numpy, the parsers, torch: seconds) load off the GUI thread.
        job = self.jobs.create("load", _import_engine)
        job.finished.connect(self._startup_continue)
        job.start()

    @Slot()
    def _startup_continue(self) -> None:
        if self._shut_down:
            return
        self.refresh_overview()
        self._describe_device()
        self._watch_folders()
        if self._check_models_at_start:
            self.check_models()  # the start-up pass follows once the models are known to be there
        else:
            self._startup_pass()

    def _startup_pass(self) -> None:
        """Find what changed while the app was closed, or show a run left paused as paused.

        It runs as a job (unchanged files cost a stat each), so the window is usable meanwhile.
        """
        known = {f.path for f in self.settings.folders}
        roots = [r for r in self._startup_roots if r in known]
        if self._startup_pass_done or self._shut_down or not roots:
            return
        self._startup_pass_done = True
        engine = self.engine

        def work() -> PausedRun:
            raw = engine.manifest.get_meta(PAUSED_RUN_KEY)
            try:
                return PausedRun(json.loads(raw) if raw else None)
            except ValueError:
                return PausedRun({})

        job = self.jobs.create("resume-check", work)
        job.returned.connect(self._on_paused_run)
        job.failed.connect(self._on_job_error)
        job.start()

    @Slot(object)
    def _on_paused_run(self, paused: object) -> None:
        assert isinstance(paused, PausedRun)
        if self._shut_down:
            return
        if paused.info is not None and self._index_job is None:
            log.info("an indexing run was paused in an earlier session; waiting for Resume")
            self._held_pause = True
            self.indexing_view.show_held_pause()
            self.tabs.setCurrentWidget(self.indexing_view)
            return
        log.info("start-up pass: looking for changes made while the app was closed")
        known = {f.path for f in self.settings.folders}
        self.start_indexing([r for r in self._startup_roots if r in known])

    def check_models(self) -> None:
        if self._shut_down:
            return
        s = self.settings

        def work() -> ModelCheck:
            from qrag_desktop.core.models.loading import is_model_available

            return ModelCheck(is_model_available(s.embed_model), is_model_available(s.rerank_model))

        job = self.jobs.create("models", work)
        job.returned.connect(self._on_models_checked)
        job.start()

    @Slot(object)
    def _on_models_checked(self, check: object) -> None:
        assert isinstance(check, ModelCheck)
        missing = []
        if not check.embed_ok:
            missing.append(("embed", self.settings.embed_model))
        if not check.rerank_ok and self.settings.rerank_enabled:
            missing.append(("rerank", self.settings.rerank_model))
        if missing and not self._shut_down:
            self.show_first_run(missing)
        if check.embed_ok and not self._shut_down:
            self._startup_pass()
        self._render_status()

    def _describe_device(self) -> None:
        if self._shut_down:
            return
        pref = self.settings.device

        def work() -> str:
            from qrag_desktop.core.models.device import describe_device, pick_device

            try:
                return describe_device(pick_device(pref))
            except QragError as exc:
                return exc.message

        job = self.jobs.create("device", work)
        job.returned.connect(self._on_device)
        job.start()

    @Slot(object)
    def _on_device(self, text: object) -> None:
        self._device_text = str(text)
        self._render_status()

    def refresh_overview(self) -> None:
        # A run that ends after the window closed reports here too: its engine is closed, and no
        # new job may start (it would reopen the store and outlive the window).
        if self._shut_down:
            return
        engine = self.engine

        def work() -> Overview:
            st = engine.status()
            stats: dict[str, FolderStats] = {}
            for f in st.folders:
                root = str(Path(f.path).expanduser().resolve())
                recs = engine.manifest.all(folder=root)
                done = [r for r in recs if r.status == "done"]
                stats[f.path] = FolderStats(
                    files=len(done),
                    failed=sum(1 for r in recs if r.status == "failed"),
                    chunks=sum(len(r.chunk_ids) for r in done),
                    last_indexed=max((r.updated_at for r in recs), default=None),
                )
            return Overview(
                st, stats, _dir_size(engine.paths.store_path) if engine.paths.store_path.exists() else 0
            )

        job = self.jobs.create("status", work)
        job.returned.connect(self._on_overview)
        job.failed.connect(self._on_overview_failed)
        job.start()

    @Slot(object)
    def _on_overview(self, ov: object) -> None:
        assert isinstance(ov, Overview)
        self._status = ov.status
        self._index_bytes = ov.index_bytes
        self.folders_panel.set_stats(ov.folders)
        self._render_status()

    @Slot(object)
    def _on_overview_failed(self, exc: object) -> None:
        text = exc.user_text() if isinstance(exc, QragError) else str(exc)
        self.index_label.setText(self.tr("Index not available: %1").replace("%1", text))

    def _render_status(self) -> None:
        self.device_label.setText(
            self.tr("Device: %1").replace("%1", self._device_text or self.tr("checking…"))
        )
        s = self.settings
        spec_model = self._status.model_id if self._status else None
        if spec_model is not None:
            from qrag_desktop.core.engine import KEYWORD_ONLY  # loaded: the status came from it
        if self.keyword_only or (spec_model is not None and spec_model == KEYWORD_ONLY):
            models = self.tr("Keyword search only (no embedding model)")
        else:
            rerank = _model_name(s.rerank_model) if s.rerank_enabled else self.tr("off")
            models = (
                self.tr("Embedding: %1 · Reranking: %2")
                .replace("%1", _model_name(s.embed_model))
                .replace("%2", rerank)
            )
        self.models_label.setText(models)
        if self._status is not None:
            size = getattr(self, "_index_bytes", 0)
            self.index_label.setText(
                self.tr("Index: %1 files, %2 passages, %3 MB")
                .replace("%1", str(self._status.files))
                .replace("%2", str(self._status.chunks))
                .replace("%3", f"{size / 1e6:.1f}")
            )
        self._render_busy()

    @Slot(bool)
    def _on_busy_changed(self, busy: bool) -> None:
        self._render_busy()

    def _render_busy(self) -> None:
        names = {j.name for j in self.jobs.jobs()}
        words = []
        if "index" in names:
            words.append(self.tr("Indexing…"))
        if "ask" in names:
            words.append(self.tr("Answering…"))
        if "download" in names:
            words.append(self.tr("Downloading…"))
        if "remove" in names:
            words.append(self.tr("Removing…"))
        self.busy_label.setText(" ".join(words))
        self.busy_bar.setVisible(bool(words))

    def _message(self, title: str, text: str, *, warning: bool = False) -> QMessageBox:
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
            self.add_folders(folders)

    @Slot(list)
    def add_folders(self, folders: list[str]) -> None:
        known = {f.path for f in self.settings.folders}
        new = []
        for f in folders:
            root = str(Path(f).expanduser().resolve())
            if root not in known and root not in new:
                new.append(root)
        if not new:
            return
        self._set_settings(
            self.settings.replace(folders=self.settings.folders + tuple(FolderSetting(r) for r in new))
        )
        self.folders_panel.set_folders(self.settings.folders)
        self._watch_folders()
        self.tabs.setCurrentWidget(self.indexing_view)
        self.start_indexing(new)

    @Slot(str)
    def remove_folder(self, path: str, *, confirm: bool = True) -> None:
        if confirm and not self.confirm(
            self.tr("Remove folder"),
            self.tr(
                "Remove %1 from the knowledge base? Its passages leave the index; the files stay where they are."  # noqa: E501
            ).replace("%1", path),
        ):
            return
        self._set_settings(
            self.settings.replace(folders=tuple(f for f in self.settings.folders if f.path != path))
        )
        self.folders_panel.set_folders(self.settings.folders)
        self._watch_folders()
        self._watch_pending = {p for p in self._watch_pending if not _under(p, path)}
        if self._pending_index:
            self._pending_index = [p for p in self._pending_index if p != path]
        engine = self.engine
        self._removing += 1

        def work() -> int:
            return engine.remove_folder(path)

        def run_remove() -> None:
            job = self.jobs.create("remove", work)
            job.finished.connect(self._after_remove)
            job.failed.connect(self._on_job_error)
            job.start()
            self._render_busy()

        if self._index_job is not None:  # never write the store from two jobs: remove after the run stops
            others = [r for r in self._index_roots if r != path]
            if others:  # the other folders of the stopped run go on after the removal
                pending = self._pending_index or []
                self._pending_index = pending + [r for r in others if r not in pending]
            self._index_job.finished.connect(run_remove)
            self._index_job.cancel()
            self._set_paused_run(None)
        else:
            run_remove()

    @Slot()
    def _after_remove(self) -> None:
        self._removing -= 1
        self.refresh_overview()
        if not self._removing:
            self._continue_indexing()

    @Slot(str, bool)
    def set_local_only(self, path: str, local_only: bool) -> None:
        folders = tuple(
            FolderSetting(f.path, local_only if f.path == path else f.local_only)
            for f in self.settings.folders
        )
        self._set_settings(self.settings.replace(folders=folders))

    @Slot()
    def _reindex_all(self) -> None:
        self.tabs.setCurrentWidget(self.indexing_view)
        self.start_indexing()

    # -- indexing -----------------------------------------------------------------------------------
    def start_indexing(
        self,
        folders: list[str] | None = None,
        *,
        only: list[str] | None = None,
        reembed: bool = False,
    ) -> None:
        """Index ``folders`` (default: all); if a run is going, this one follows it."""
        if self._shut_down:
            return
        roots = list(folders) if folders is not None else [f.path for f in self.settings.folders]
        if not roots:
            return
        if self._held_pause:
            # The person asked for indexing while an earlier session's run waits paused: going on
            # means going on with everything (finished files cost a stat), not only this part.
            self._release_held_pause()
            roots = [f.path for f in self.settings.folders]
            only = None
        if self._index_job is not None or self._removing:
            pending = self._pending_index or []
            self._pending_index = pending + [r for r in roots if r not in pending]
            self._pending_reembed = self._pending_reembed or reembed
            return
        if only is None:  # a full pass over these folders sees every change waiting under them
            self._watch_pending = {p for p in self._watch_pending if not any(_under(p, r) for r in roots)}
        control = JobControl()
        engine, keyword_only = self.engine, self.keyword_only

        def work() -> Iterator[object]:
            return engine.index(roots, control, keyword_only=keyword_only, only=only, reembed=reembed)

        self._index_roots = roots
        job = self.jobs.create("index", work, control, runs_to_end=True)
        job.yielded.connect(self.indexing_view.on_event)
        job.yielded.connect(self._on_index_event)
        job.failed.connect(self._on_index_failed)
        job.finished.connect(self._on_index_finished)
        self._index_job = job
        self._index_failed = False
        self.indexing_view.job_started(clear=only is None)
        log.info("indexing %s%s", ", ".join(roots), f" ({len(only)} changed path(s))" if only else "")
        job.start()
        self._render_busy()

    @Slot(object)
    def _on_index_event(self, ev: object) -> None:
        from qrag_desktop.core.indexer import IndexReport  # loaded by the job already

        if isinstance(ev, IndexReport):
            if not ev.cancelled:
                self._set_paused_run(None)  # a finished run leaves nothing to resume
            self.refresh_overview()

    @Slot(object)
    def _on_index_failed(self, exc: object) -> None:
        self._index_failed = True
        text = (
            exc.user_text()
            if isinstance(exc, QragError)
            else self.tr("Unexpected error: %1").replace("%1", str(exc))
        )
        if not isinstance(exc, QragError):
            log.error("indexing failed", exc_info=exc if isinstance(exc, BaseException) else None)
        self.indexing_view.job_failed(text)
        if isinstance(exc, ModelNotFoundError) and self.first_run_dialog is None and not self._shut_down:
            self.show_first_run([("embed", self.settings.embed_model)])

    @Slot()
    def _on_index_finished(self) -> None:
        self._index_job = None
        self.indexing_view.job_finished()
        self._render_busy()
        if self._removing:  # a folder removal runs first; it continues the indexing afterwards
            return
        if not self._pending_index:
            self.refresh_overview()
        self._continue_indexing()

    def _continue_indexing(self) -> None:
        """After a job: the folders waiting for a full pass, else the files the watcher reported."""
        if self._shut_down:
            return
        if self._pending_index:
            pending, reembed = self._pending_index, self._pending_reembed
            self._pending_index, self._pending_reembed = None, False
            self.start_indexing(pending, reembed=reembed)
        else:
            self._pending_index = None
            self._index_watched_changes()

    @Slot()
    def pause_indexing(self) -> None:
        if self._index_job is not None:
            self._index_job.pause()
            self.indexing_view.set_paused(True)
            self._set_paused_run({"folders": [f.path for f in self.settings.folders], "at": time.time()})

    @Slot()
    def resume_indexing(self) -> None:
        if self._index_job is not None:
            self._index_job.resume()
            self.indexing_view.set_paused(False)
            self._set_paused_run(None)
        elif self._held_pause:
            log.info("resuming the run paused in an earlier session")
            self.start_indexing()  # files finished before the pause are unchanged: a stat each

    @Slot()
    def cancel_indexing(self) -> None:
        self._pending_index = None
        if self._held_pause:
            self._release_held_pause()
            self.indexing_view.job_finished()
        if self._index_job is not None:
            self._index_job.cancel()
            self._set_paused_run(None)
        self._index_watched_changes()

    def _release_held_pause(self) -> None:
        self._held_pause = False
        self._set_paused_run(None)

    def _set_paused_run(self, info: dict | None) -> None:
        """Remember (or forget) a paused run in the manifest, so that a restart shows it paused."""
        if self._shut_down:
            return
        try:
            self.engine.manifest.set_meta(PAUSED_RUN_KEY, json.dumps(info) if info is not None else None)
        except (QragError, OSError, sqlite3.Error) as exc:
            log.warning("could not record the paused run: %s", exc)

    # -- watching -----------------------------------------------------------------------------------
    def _watch_folders(self) -> None:
        if not self._shut_down:
            self.watcher.watch([f.path for f in self.settings.folders])

    @Slot(list)
    def _on_files_changed(self, paths: list[str]) -> None:
        """Files changed under a knowledge folder: index just those, now or when the running job ends."""
        if self._shut_down:
            return
        roots = [f.path for f in self.settings.folders]
        own = str(self.paths.data_dir)
        relevant = {p for p in paths if any(_under(p, r) for r in roots) and not _under(p, own)}
        if not relevant:
            return
        log.info("%d changed path(s) under the knowledge folders", len(relevant))
        self._watch_pending |= relevant
        self._index_watched_changes()

    @Slot()
    def _index_watched_changes(self) -> None:
        """Run the waiting changes as one job, unless a job runs (they follow it) or a pause is held."""
        if (
            not self._watch_pending
            or self._index_job is not None
            or self._held_pause
            or self._shut_down
            or self._removing
        ):
            return
        roots = [f.path for f in self.settings.folders]
        paths = sorted(p for p in self._watch_pending if any(_under(p, r) for r in roots))
        self._watch_pending = set()
        if not paths:
            return
        folders = [r for r in roots if any(_under(p, r) for p in paths)]
        self.start_indexing(folders, only=paths)

    @Slot(str)
    def _on_watch_failed(self, text: str) -> None:
        message = self.tr("Cannot watch the folders for changes (%1). Index again after editing files.")
        self.statusBar().showMessage(message.replace("%1", text), 15000)

    @Slot(list)
    def retry_failed(self, paths: list[str]) -> None:
        roots = [f.path for f in self.settings.folders if any(_under(p, f.path) for p in paths)]
        self.start_indexing(roots, only=paths)

    @Slot(object)
    def _on_job_error(self, exc: object) -> None:
        text = exc.user_text() if isinstance(exc, QragError) else str(exc)
        self.statusBar().showMessage(text, 10000)

    # -- asking -------------------------------------------------------------------------------------
    @Slot(str)
    def ask(self, question: str) -> None:
        question = question.strip()
        if not question or self._ask_job is not None or self._shut_down:
            return
        if self.conversation_id is None:
            self.conversation_id = self.conversations.create(question).id
            history: list[tuple[str, str]] = []
        else:
            history = self.conversations.history(self.conversation_id)
        turn = Turn(question, searching=True)
        self.chat.turns.append(turn)
        self.chat.question.clear()
        self.chat.set_notice(None)
        self.chat.render_transcript()
        self.sources.set_sources([], stage="recall")
        self.sources.set_sent(None)
        self.tabs.setCurrentWidget(self.chat_splitter)

        s = self.settings
        engine = self.engine
        local_roots = engine.local_only_roots()
        key = self._api_key_provider()
        control = JobControl()

        def work() -> Iterator[object]:
            from qrag_desktop.core.answer import Answerer, build_request

            last: SearchResult | None = None
            for result in engine.search_stages(question, control=control):
                last = result
                yield result
            if last is None or not last.hits:
                return
            sendable = [h for h in last.hits if not any(_under(h.path, r) for r in local_roots)]
            if not sendable:
                return
            request = build_request(question, sendable, history, model=s.openai_model)
            yield SentRequest(request.text, request.token_count, request.token_count_exact, len(sendable))
            answerer = Answerer(
                model=s.openai_model,
                base_url=s.openai_base_url or None,
                api_key=key or "",
                timeout_s=s.answer_timeout_s,
            )
            for delta in answerer.stream(request):
                yield AnswerDelta(delta)

        self._local_roots = local_roots
        job = self.jobs.create("ask", work, control)
        job.yielded.connect(self._on_ask_event)
        job.failed.connect(self._on_ask_failed)
        job.finished.connect(self._on_ask_finished)
        self._ask_job = job
        self.chat.set_busy(True)
        job.start()
        self._render_busy()

    def _sources_for(self, hits: tuple[Hit, ...] | list[Hit], local_roots: list[str]) -> list[Source]:
        out, n = [], 0
        for h in hits:
            local = any(_under(h.path, r) for r in local_roots)
            if not local:
                n += 1
            out.append(Source(h, None if local else n, local))
        return out

    @Slot(object)
    def _on_ask_event(self, ev: object) -> None:
        turn = self.chat.current()
        if turn is None:
            return
        if isinstance(ev, SearchResult):
            turn.searching = False
            turn.sources = self._sources_for(ev.hits, self._local_roots)
            turn.notes = ev.notes
            self.sources.set_sources(turn.sources, stage="reranked" if ev.reranked else "recall")
            self.chat.schedule_render()
        elif isinstance(ev, SentRequest):
            turn.sent_text, turn.token_count, turn.token_exact = ev.text, ev.token_count, ev.exact
            turn.streaming = True
            self.sources.set_sent(ev.text, ev.token_count, exact=ev.exact, model=self.settings.openai_model)
            self.chat.schedule_render()
        elif isinstance(ev, AnswerDelta):
            turn.answer += ev.text
            self.chat.schedule_render()

    @Slot(object)
    def _on_ask_failed(self, exc: object) -> None:
        turn = self.chat.current()
        text = (
            exc.user_text()
            if isinstance(exc, QragError)
            else self.tr("Unexpected error: %1").replace("%1", str(exc))
        )
        if not isinstance(exc, QragError):
            log.error("answering failed", exc_info=exc if isinstance(exc, BaseException) else None)
        if turn is not None:
            turn.error = text
        self.chat.set_notice(self.tr("No generated answer: %1").replace("%1", text))

    @Slot()
    def _on_ask_finished(self) -> None:
        job, self._ask_job = self._ask_job, None
        self.chat.set_busy(False)
        self._render_busy()
        turn = self.chat.current()
        if turn is None or self.conversation_id is None:
            return
        turn.streaming = turn.searching = False
        if job is not None and job.control.cancelled and turn.error is None:
            turn.error = self.tr("Stopped.")
        elif turn.error is None and not turn.answer:
            if not turn.sources:
                turn.error = self.tr("No passages were found for this question. Is anything indexed yet?")
            elif all(s.n is None for s in turn.sources):
                turn.error = self.tr(
                    "All relevant passages are in local-only folders, so nothing was sent to the cloud model."
                )
        if turn.error and turn.sources and not self.chat.notice.isVisible():
            self.chat.set_notice(self.tr("No generated answer: %1").replace("%1", turn.error))
        if self.sources.sources() and self.sources._stage == "recall":
            self.sources.set_sources(turn.sources, stage="")
        if turn.answer:
            from qrag_desktop.core.answer import citations_in

            sent = [s.hit for s in turn.sources if s.n is not None]
            self.sources.mark_cited({c.n for c in citations_in(turn.answer, sent)})
        self.chat.render_transcript()
        if not self._shut_down:
            self.conversations.add_message(
                self.conversation_id,
                turn.question,
                turn.answer or None,
                [s.hit for s in turn.sources],
                error=turn.error,
                sent_text=turn.sent_text,
                token_count=turn.token_count,
            )
            self._refresh_conversations()

    @Slot()
    def stop_answer(self) -> None:
        if self._ask_job is not None:
            self._ask_job.cancel()

    @Slot(int, int)
    def _on_citation(self, turn_index: int, n: int) -> None:
        if 0 <= turn_index < len(self.chat.turns):
            turn = self.chat.turns[turn_index]
            if [s.hit for s in self.sources.sources()] != [s.hit for s in turn.sources]:
                self.sources.set_sources(turn.sources)
                self.sources.set_sent(
                    turn.sent_text, turn.token_count, exact=turn.token_exact, model=self.settings.openai_model
                )
            self.sources.select_citation(n)

    @Slot(str, object)
    def _open_file(self, path: str, page: object) -> None:
        if not open_file(path, page if isinstance(page, int) else None):
            self.statusBar().showMessage(self.tr("No app is set up to open %1").replace("%1", path), 8000)

    # -- conversations ------------------------------------------------------------------------------
    def _refresh_conversations(self) -> None:
        self.conversations_panel.set_conversations(self.conversations.conversations(), self.conversation_id)

    @Slot()
    def new_conversation(self) -> None:
        if self._ask_job is not None:
            return
        self.conversation_id = None
        self.chat.set_turns([])
        self.sources.set_sources([])
        self.sources.set_sent(None)
        self._refresh_conversations()
        self.tabs.setCurrentWidget(self.chat_splitter)
        self.chat.question.setFocus()

    @Slot(int)
    def open_conversation(self, conversation_id: int) -> None:
        if self._ask_job is not None:
            return
        roots = self.engine.local_only_roots()
        turns = []
        for m in self.conversations.messages(conversation_id):
            turns.append(
                Turn(
                    m.question,
                    m.answer or "",
                    self._sources_for(m.passages, roots),
                    error=m.error,
                    sent_text=m.sent_text,
                    token_count=m.token_count,
                )
            )
        self.conversation_id = conversation_id
        self.chat.set_turns(turns)
        last = turns[-1] if turns else None
        self.sources.set_sources(last.sources if last else [])
        self.sources.set_sent(
            last.sent_text if last else None,
            last.token_count if last else None,
            model=self.settings.openai_model,
        )
        self._refresh_conversations()
        self.tabs.setCurrentWidget(self.chat_splitter)

    @Slot(int)
    def delete_conversation(self, conversation_id: int) -> None:
        if not self.confirm(
            self.tr("Delete conversation"), self.tr("Delete this conversation and its answers?")
        ):
            return
        self.conversations.delete(conversation_id)
        if conversation_id == self.conversation_id:
            self.new_conversation()
        self._refresh_conversations()

    # -- settings -----------------------------------------------------------------------------------
    @Slot()
    def open_settings(self) -> None:
        from qrag_desktop.ui.settings_dialog import SettingsDialog

        dlg = SettingsDialog(self.settings, self._api_key_provider(), self)
        dlg.test_requested.connect(self._test_key)
        dlg.accepted.connect(self._apply_settings_dialog)
        self.settings_dialog = dlg
        dlg.open()

    @Slot(str, str, str)
    def _test_key(self, key: str, model: str, base_url: str) -> None:
        timeout = min(self.settings.answer_timeout_s, 20.0)

        def work() -> tuple[bool, str]:
            from qrag_desktop.core.answer import Answerer
            from qrag_desktop.core.errors import AnswerError

            try:
                return True, Answerer(
                    model=model or "gpt-4o", base_url=base_url or None, api_key=key, timeout_s=timeout
                ).check()
            except AnswerError as exc:
                return False, exc.user_text()

        job = self.jobs.create("test-key", work)
        job.returned.connect(self._on_key_tested)
        job.start()

    @Slot(object)
    def _on_key_tested(self, result: object) -> None:
        assert isinstance(result, tuple)
        ok, text = result
        if self.settings_dialog is not None:
            self.settings_dialog.show_test_result(str(text), bool(ok))

    @Slot()
    def _apply_settings_dialog(self) -> None:
        dlg = self.settings_dialog
        if dlg is None:
            return
        new_key = dlg.new_key()
        if new_key is not None:
            try:
                self._api_key_saver(new_key or None)
            except QragError as exc:
                self._message(self.tr("API key"), exc.user_text(), warning=True)
        self.apply_settings(dlg.settings())

    def apply_settings(self, new: Settings) -> None:
        old = self.settings
        embed_changed = (new.embed_model, new.embed_dim, new.query_instruction) != (
            old.embed_model,
            old.embed_dim,
            old.query_instruction,
        )
        has_index = bool(self._status and self._status.chunks)
        reembed = False
        if embed_changed and has_index:
            if self.confirm(
                self.tr("Index again?"),
                self.tr(
                    "The embedding model or vector size changed. Every passage must be embedded again,"
                    " which can take a while. Index again now?"
                ),
            ):
                reembed = True
            else:
                new = new.replace(
                    embed_model=old.embed_model,
                    embed_dim=old.embed_dim,
                    query_instruction=old.query_instruction,
                )
                embed_changed = False
        models_changed = embed_changed or (new.rerank_model, new.device, new.rerank_instruction) != (
            old.rerank_model,
            old.device,
            old.rerank_instruction,
        )
        if models_changed:
            self._replace_engine(new)
            self.keyword_only = False
        else:
            self._set_settings(new)
        if new.ui_language != old.ui_language:
            from qrag_desktop.ui.i18n import install_language

            install_language(new.ui_language)
        if new.device != old.device:
            self._describe_device()
        self._render_status()
        if reembed:
            self.tabs.setCurrentWidget(self.indexing_view)
            self.start_indexing(reembed=True)

    def _replace_engine(self, new: Settings) -> None:
        """Models are loaded per engine: stop the work, close the old one, start a new one."""
        self._pending_index = None
        stuck = self.jobs.shutdown(SHUTDOWN_TIMEOUT_S)
        self.jobs = JobManager(self) if stuck else self.jobs
        self.jobs._closing = False
        if stuck:
            self.jobs.busy_changed.connect(self._on_busy_changed)
        elif self._engine is not None:
            self._engine.close()
        from qrag_desktop.core.engine import Engine

        self._settings = new
        self._engine = Engine(new, self.paths)
        self._save_settings()
        self.refresh_overview()

    # -- first run / missing model ------------------------------------------------------------------
    def show_first_run(self, missing: list[tuple[str, str]]) -> None:
        from qrag_desktop.core.models.download import KNOWN_SIZES
        from qrag_desktop.ui.first_run_dialog import FirstRunDialog

        if self.first_run_dialog is not None:
            return
        dlg = FirstRunDialog(missing, {m: KNOWN_SIZES.get(m) for _, m in missing}, self)
        dlg.download_requested.connect(self._download_models)
        dlg.cancel_requested.connect(self._cancel_download)
        dlg.folder_chosen.connect(self._use_model_folder)
        dlg.keyword_only_chosen.connect(self.use_keyword_only)
        dlg.finished.connect(self._on_first_run_closed)
        self.first_run_dialog = dlg
        dlg.open()

    @Slot(int)
    def _on_first_run_closed(self, _result: int) -> None:
        self._cancel_download()
        self.first_run_dialog = None

    @Slot()
    def use_keyword_only(self) -> None:
        """Search by keywords (BM25) until a model is on disk; index the folders that way now."""
        missing: list[tuple[str, str]] = self.first_run_dialog.missing if self.first_run_dialog else []
        if any(role == "embed" for role, _ in missing):
            self.keyword_only = True
        self._render_status()
        if self.keyword_only and self.settings.folders and (self._index_job is None):
            self.start_indexing()

    @Slot(str)
    def _use_model_folder(self, folder: str) -> None:
        from qrag_desktop.core.models.loading import is_model_available

        if not is_model_available(folder):
            if self.first_run_dialog is not None:
                self.first_run_dialog.download_failed(
                    self.tr(
                        "That folder does not hold a model (no config.json in it). Choose the model's folder."
                    )
                )
            return
        self.keyword_only = False
        self._replace_engine(self.settings.replace(embed_model=folder))
        if self.first_run_dialog is not None:
            self.first_run_dialog.accept()
        self._render_status()
        if self.settings.folders:
            self.start_indexing()

    @Slot()
    def _download_models(self) -> None:
        import threading

        from qrag_desktop.core.models.download import download_model

        dlg = self.first_run_dialog
        if dlg is None or self._download_job is not None:
            return
        models = [m for _, m in dlg.missing]
        cancel = threading.Event()
        progress = _DownloadProgress(self)
        progress.changed.connect(self._on_download_progress)

        def work() -> list[str]:
            out: list[str] = []
            for m in models:

                def report(done: int, total: int, m: str = m) -> None:
                    progress.changed.emit(done, total, m)

                out.append(str(download_model(m, progress=report, cancel=cancel)))
            return out

        control = JobControl()
        job = self.jobs.create("download", work, control)
        self._download_cancel = cancel
        job.returned.connect(self._on_download_done)
        job.failed.connect(self._on_download_failed)
        job.finished.connect(self._on_download_finished)
        self._download_job = job
        # JobControl.cancel (shutdown) must stop the download too.
        self._download_control = control
        job.start()
        self._render_busy()

    @Slot("qint64", "qint64", str)
    def _on_download_progress(self, done: int, total: int, model: str) -> None:
        if self.first_run_dialog is not None:
            self.first_run_dialog.set_progress(int(done), int(total), model)

    @Slot()
    def _cancel_download(self) -> None:
        if self._download_job is not None and self._download_cancel is not None:
            self._download_cancel.set()
            self._download_job.cancel()

    @Slot(object)
    def _on_download_done(self, _folders: object) -> None:
        self.keyword_only = False
        if self.first_run_dialog is not None:
            self.first_run_dialog.download_finished()
        self._replace_engine(self.settings)
        if self.settings.folders:
            self.start_indexing()

    @Slot(object)
    def _on_download_failed(self, exc: object) -> None:
        text = exc.user_text() if isinstance(exc, QragError) else str(exc)
        if self.first_run_dialog is not None:
            self.first_run_dialog.download_failed(text)

    @Slot()
    def _on_download_finished(self) -> None:
        job, self._download_job = self._download_job, None
        cancelled = self._download_cancel is not None and self._download_cancel.is_set()
        if job is not None and cancelled and self.first_run_dialog is not None:
            self.first_run_dialog.download_cancelled()
        self._render_busy()

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
        if self._download_job is not None and self._download_cancel is not None:
            self._download_cancel.set()
        stuck = self.jobs.shutdown(SHUTDOWN_TIMEOUT_S)
        if stuck:
            log.warning(
                "still running after %.1f s: %s", SHUTDOWN_TIMEOUT_S, ", ".join(j.name for j in stuck)
            )
            # A model load or a torch import cannot be interrupted; they see the cancel when they
            # return. The engine closes when the last of them has stopped.
            self._stuck = list(stuck)
            for job in stuck:
                job.finished.connect(self._on_stuck_finished)
        elif self._engine is not None:
            self._engine.close()
        self.conversations.close()
        self._save_settings()
        for box in list(self._messages):
            box.close()

    @Slot()
    def _on_stuck_finished(self) -> None:
        self._stuck = [j for j in self._stuck if j.thread_running() and j is not self.sender()]
        if not self._stuck:
            log.info("late jobs stopped; closing the engine")
            if self._engine is not None:
                self._engine.close()


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
