"""``qrag-desktop [--data-dir DIR]``: logging, crash dialog, translations, one instance per data dir.

Nothing heavy is imported here: torch and the models load later, in worker threads.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
import time
import traceback
from types import TracebackType

from qrag_desktop import __version__
from qrag_desktop.core.settings import Paths, Settings, apply_env, load_settings

log = logging.getLogger("qrag_desktop")

LOCK_NAME = "qrag-desktop.lock"
_IMPORTED_AT = time.monotonic()


def seconds_since_process_start() -> float:
    """Time since this process began (interpreter start included where the OS tells us)."""
    try:  # Linux: the process's start time in clock ticks after boot, against the uptime
        with open("/proc/self/stat", encoding="ascii") as f:
            start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as f:
            uptime = float(f.read().split()[0])
        return max(0.0, uptime - start_ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError, AttributeError):
        return time.monotonic() - _IMPORTED_AT


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="qrag-desktop", description="Private knowledge base: the desktop app.")
    p.add_argument("--version", action="version", version=f"qrag-desktop {__version__}")
    p.add_argument("--data-dir", help="where the index, settings and logs live (also QRAG_DATA_DIR)")
    p.add_argument("-v", "--verbose", action="store_true", help="log details")
    # Qt's own options (-platform, -style) pass through to QApplication.
    args, _qt = p.parse_known_args(argv)
    return args


def setup_logging(paths: Paths, verbose: bool) -> str:
    """Log to a rotating file in the user's log dir, secrets redacted from every line."""
    from qrag_desktop.core import logs

    logs.quiet_libraries()
    path = paths.log_dir / "qrag-desktop.log"
    root = logging.getLogger()
    root.addHandler(logs.file_handler(path, logging.DEBUG if verbose else logging.INFO))
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    return str(path)


def startup_problem(args: argparse.Namespace) -> tuple[Paths | None, str | None]:
    """The data dir, made ready; or the one sentence that says why it cannot be used."""
    from qrag_desktop.core.errors import QragError

    try:
        return Paths.resolve(args.data_dir).ensure(), None
    except QragError as exc:
        return None, exc.user_text()


def install_excepthooks(log_path: str) -> None:
    """Uncaught errors go to the log and to a dialog, never to a silent exit."""

    def show(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        log.critical("uncaught exception", exc_info=(kind, value, tb))
        from PySide6.QtCore import QMetaObject, Qt, QThread
        from PySide6.QtWidgets import QApplication, QMessageBox

        app = QApplication.instance()
        if app is None:
            traceback.print_exception(kind, value, tb)
            return
        text = "".join(traceback.format_exception_only(kind, value)).strip()

        def dialog() -> None:
            box = QMessageBox(
                QMessageBox.Icon.Critical,
                "qrag-desktop",
                QApplication.translate(
                    "App", "Something went wrong: %1\n\nThe details are in the log file:\n%2"
                )
                .replace("%1", text)
                .replace("%2", log_path),
            )
            box.exec()

        if QThread.currentThread() is app.thread():
            dialog()
        elif _dialog_runner is not None:  # a worker thread: show it from the GUI thread
            _pending_dialogs.append(dialog)
            QMetaObject.invokeMethod(_dialog_runner, "run", Qt.ConnectionType.QueuedConnection)

    sys.excepthook = show

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            show(args.exc_type, args.exc_value, args.exc_traceback)

    threading.excepthook = thread_hook


_pending_dialogs: list = []
_dialog_runner = None


def _make_dialog_runner():  # noqa: ANN202 - a QObject made after QApplication exists
    from PySide6.QtCore import QObject, Slot

    class _Runner(QObject):
        @Slot()
        def run(self) -> None:
            while _pending_dialogs:
                _pending_dialogs.pop(0)()

    return _Runner()


def _log_when_exposed():  # noqa: ANN202 - a QObject made after QApplication exists
    from PySide6.QtCore import QEvent, QObject

    class LogWhenExposed(QObject):
        """Logs, once, when the window system first shows the main window: the moment it is usable."""

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.Expose and watched.isExposed():  # type: ignore[attr-defined]
                log.info("main window shown after %.2f s", seconds_since_process_start())
                watched.removeEventFilter(self)
            return False

    return LogWhenExposed()


def main(argv: list[str] | None = None, *, exit_fast: bool | None = None) -> int:
    """Run the app. ``exit_fast`` (default: when started as a program, ``argv`` None) ends the
    process as soon as everything is saved and closed, without the interpreter's own teardown."""
    if exit_fast is None:
        exit_fast = argv is None
    args = parse_args(sys.argv[1:] if argv is None else argv)
    paths, problem = startup_problem(args)
    if paths is None:  # a read-only, unpermitted or full data dir: say so, no traceback
        from PySide6.QtWidgets import QApplication, QMessageBox

        print(f"error: {problem}", file=sys.stderr)
        if QApplication.instance() is None:
            QApplication([sys.argv[0]])
        QMessageBox.critical(None, "qrag-desktop", problem or "")
        return 2
    log_path = setup_logging(paths, args.verbose)
    log.info("qrag-desktop %s starting on %s", __version__, paths.data_dir)

    from PySide6.QtCore import QLockFile
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication, QMessageBox

    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("qrag-desktop")
    app.setOrganizationName("qrag")
    app.setApplicationVersion(__version__)
    from qrag_desktop.ui.gc_collector import GuiThreadGarbageCollector

    GuiThreadGarbageCollector(app).start()  # Qt objects are only ever destroyed on the GUI thread
    from qrag_desktop.ui.main_window import RESOURCES

    if (RESOURCES / "icon.svg").exists():
        QApplication.setWindowIcon(QIcon(str(RESOURCES / "icon.svg")))
    global _dialog_runner
    _dialog_runner = _make_dialog_runner()
    install_excepthooks(log_path)

    settings: Settings | None
    try:
        # QRAG_EMBED_MODEL / QRAG_RERANK_MODEL / QRAG_MILVUS_URI set the models for this run, as for
        # `qrag`; save_settings never writes them into the file.
        settings = apply_env(load_settings(paths))
        language = settings.ui_language
    except Exception:  # the window reports a broken settings file itself
        settings, language = None, "system"
    from qrag_desktop.ui.i18n import install_language

    install_language(language)

    # One instance per data dir: a second one would fight over the store.
    lock = QLockFile(str(paths.data_dir / LOCK_NAME))
    lock.setStaleLockTime(0)
    if not lock.tryLock(200):
        log.info("another instance holds %s", paths.data_dir)
        QMessageBox.information(
            None,
            "qrag-desktop",
            QApplication.translate(
                "App", "qrag-desktop is already running on this knowledge base:\n%1"
            ).replace("%1", str(paths.data_dir)),
        )
        return 1

    from qrag_desktop.ui.main_window import MainWindow
    from qrag_desktop.ui.workers import threads_running

    window = MainWindow(paths=paths, settings=settings)
    app.aboutToQuit.connect(window.shutdown)
    shown = _log_when_exposed()
    window.winId()  # make the native window, so the filter sees its first expose
    window.windowHandle().installEventFilter(shown)
    window.show()
    code = app.exec()
    window.shutdown()
    lock.unlock()
    busy = threads_running()
    if busy:
        # A model load that cannot be interrupted: everything is saved; do not make the person wait.
        log.warning("exiting with %d worker(s) still busy: %s", len(busy), ", ".join(busy))
    if busy or exit_fast:
        # The store, manifest, conversations, settings and window state are closed and saved, and the
        # parser processes stopped. What is left is the interpreter's teardown: a last garbage
        # collection over torch, transformers, Milvus Lite and Qt, measured at 4-6 s after the window
        # had gone (the process lingered in the task list). Skip it.
        log.info("closed; exiting")
        logging.shutdown()
        for stream in (sys.stdout, sys.stderr):
            try:
                if stream is not None:
                    stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(int(code))
    return int(code)


__all__ = ["main"]
