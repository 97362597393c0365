"""UI test fixtures: Qt warnings fail a test, no thread outlives it, a window on a fresh data dir."""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QtMsgType, qInstallMessageHandler

from qrag_desktop.core.settings import Paths, Settings

# The offscreen platform plugin's own limits, not something the app does wrong.
PLATFORM_NOISE = (
    "This plugin does not support propagateSizeHints()",
    # a completer's popup (the scope selector's file search) asks for these
    "This plugin does not support raise()",
    "This plugin does not support grabbing the keyboard",
)


@pytest.fixture(autouse=True)
def qt_warnings_fail() -> Iterator[list[str]]:
    """Any Qt warning or critical message during the test fails it (e.g. "QThread: Destroyed while ...")."""
    seen: list[str] = []

    def handler(kind: QtMsgType, _ctx: object, msg: str) -> None:
        if any(noise in msg for noise in PLATFORM_NOISE):
            return
        if kind in (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg):
            seen.append(msg)

    previous = qInstallMessageHandler(handler)
    yield seen
    qInstallMessageHandler(previous)
    assert not seen, f"Qt warnings: {seen}"


@pytest.fixture(autouse=True)
def gui_thread_gc(qapp) -> Iterator[None]:
    """As in the app: garbage is collected on the GUI thread only, never on a job's thread."""
    from qrag_desktop.ui.gc_collector import GuiThreadGarbageCollector

    collector = GuiThreadGarbageCollector()
    collector.start()
    yield
    collector.stop()
    gc.collect()  # this test's windows go now, on this thread, not in a later test's worker


@pytest.fixture(autouse=True)
def no_dangling_threads() -> Iterator[None]:
    before = {t.ident for t in threading.enumerate()}
    yield
    from qrag_desktop.ui.workers import threads_running

    assert not threads_running(), "a worker thread outlived the window"
    # A closing store's gRPC server cancels its calls from a thread that lives up to its
    # 2 s grace period; a thread that ends within a few seconds is not a leak.
    deadline = time.monotonic() + 5.0
    extra = [t for t in threading.enumerate() if t.ident not in before and t.is_alive() and not t.daemon]
    for thread in extra:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    extra = [t for t in extra if t.is_alive()]
    assert not extra, f"threads left running: {[t.name for t in extra]}"


def write_docs(folder: Path) -> Path:
    """A small folder of real documents, and one broken file."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "milvus.md").write_text(
        "# Milvus\n\nMilvus is an open-source vector database built for similarity search.\n\n"
        "## Milvus Lite\n\nMilvus Lite is a lightweight version of Milvus that runs inside a Python process"
        " and stores data in a local file.\n",
        encoding="utf-8",
    )
    (folder / "rerank.txt").write_text(
        "A cross-encoder reranker reads the query and a passage together and scores how relevant"
        " the passage is. Reranking the hybrid candidates improves precision.\n",
        encoding="utf-8",
    )
    (folder / "bm25.html").write_text(
        "<html><head><title>BM25</title></head><body><h1>Keyword search</h1>"
        "<p>BM25 ranks documents by term frequency and inverse document frequency. Sparse keyword search"
        " complements dense vectors.</p></body></html>",
        encoding="utf-8",
    )
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\nthis is not really a pdf\n")
    return folder


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    return write_docs(tmp_path / "docs")


@pytest.fixture
def make_window(qtbot, tmp_path: Path, standin_embedder_path: str, standin_reranker_path: str, openai_server):
    """Build a MainWindow on a fresh data dir with stand-in models and the local OpenAI server."""
    made = []

    def make(
        settings: Settings | None = None,
        *,
        key: str | None = "server",
        check_models: bool = True,
        data_dir: Path | None = None,
        **window_kwargs: object,
    ) -> object:
        from qrag_desktop.ui.main_window import MainWindow

        s = settings or Settings(
            embed_model=standin_embedder_path,
            rerank_model=standin_reranker_path,
            openai_base_url=openai_server.base_url,
            device="cpu",
        )
        api_key = openai_server.api_key if key == "server" else key
        window_kwargs.setdefault("api_key_saver", lambda _k: None)  # never the OS keychain in tests
        w = MainWindow(
            paths=Paths.resolve(data_dir or tmp_path / "data"),
            settings=s,
            api_key_provider=lambda: api_key,
            check_models=check_models,
            **window_kwargs,
        )
        w.confirm = lambda *_a: True  # type: ignore[method-assign]
        qtbot.addWidget(w)
        w.show()
        made.append(w)
        return w

    yield make
    from qrag_desktop.ui.workers import threads_running

    for w in made:
        w.close()  # idempotent shutdown; the window must not leave threads behind
    # Work that cannot be interrupted (a model load) ends soon after; a test that failed half-way
    # must not leave a running QThread to the interpreter's exit.
    qtbot.waitUntil(lambda: not threads_running(), timeout=60000)


def wait_index_done(qtbot, w, timeout: int = 60000) -> None:
    qtbot.waitUntil(lambda: w.indexing.job is None and w.indexing_view._report is not None, timeout=timeout)


def wait_idle(qtbot, w, timeout: int = 30000) -> None:
    qtbot.waitUntil(lambda: not w.jobs.jobs(), timeout=timeout)


def standin_settings(standin_embedder_path: str, standin_reranker_path: str, openai_server, **kw) -> Settings:
    """The settings ``make_window`` uses by default, with changes (e.g. ``folders``)."""
    return Settings(
        embed_model=standin_embedder_path,
        rerank_model=standin_reranker_path,
        openai_base_url=openai_server.base_url,
        device="cpu",
        **kw,
    )


Waiter = Callable[..., None]


def progress_settled(qtbot, view) -> bool:
    """True when the indexing view's chunk count did not move for 0.7 s."""
    before = view._last.chunks_done
    qtbot.wait(700)
    return view._last.chunks_done == before
