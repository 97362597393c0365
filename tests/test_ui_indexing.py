"""Adding a folder indexes it: progress reaches done, the file table shows each file's status."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt

from qrag_desktop.ui.workers import threads_held, threads_running
from tests.ui_fixtures import *  # noqa: F403 - fixtures
from tests.ui_fixtures import progress_settled, wait_idle, wait_index_done, write_docs

# scan.py (engine) still uses pathspec's deprecated "gitwildmatch" name.
pytestmark = pytest.mark.filterwarnings("ignore:GitWildMatchPattern:DeprecationWarning")


def test_add_folder_indexes_with_progress_and_failed_reason(qtbot, make_window, docs):
    w = make_window()
    w.add_folders([str(docs)])
    assert w.tabs.currentWidget() is w.indexing_view  # the user sees the progress at once
    wait_index_done(qtbot, w)
    view = w.indexing_view
    rows = {r.path.rsplit("/", 1)[-1]: r for r in view.model.rows()}
    assert rows["milvus.md"].status == "done" and rows["milvus.md"].chunks > 0
    assert rows["rerank.txt"].status == "done"
    assert rows["bm25.html"].status == "done"
    assert rows["broken.pdf"].status == "failed"
    assert rows["broken.pdf"].error  # the reason in words
    assert view.files_bar.value() == view.files_bar.maximum() == 4
    assert "3 indexed" in view.headline.text() and "1 failed" in view.headline.text()
    assert view.retry_button.isEnabled()
    # the folders panel shows files and passages once the overview comes back
    wait_idle(qtbot, w)
    item = w.folders_panel.item_for(str(docs.resolve()))
    assert item is not None
    qtbot.waitUntil(lambda: item.text(w.folders_panel.COL_FILES).startswith("3"), timeout=10000)
    assert int(item.text(w.folders_panel.COL_CHUNKS)) > 0
    assert "passages" in w.index_label.text()


def test_close_during_indexing_is_fast_and_clean(qtbot, make_window, tmp_path):
    folder = write_docs(tmp_path / "many")
    for i in range(40):
        text = f"# Note {i}\n\n" + "Some words about vectors. " * 200
        (folder / f"note{i}.md").write_text(text, encoding="utf-8")
    w = make_window()
    w.add_folders([str(folder)])
    qtbot.waitUntil(lambda: w.indexing_view.model.rowCount() > 0, timeout=30000)
    t0 = time.monotonic()
    w.close()
    assert time.monotonic() - t0 < 3.0  # the window goes away at once
    assert not w.isVisible()
    # Work that cannot be interrupted (a model load) stops at its next checkpoint, soon after.
    qtbot.waitUntil(lambda: not threads_running(), timeout=30000)
    qtbot.waitUntil(lambda: w.engine._store is None, timeout=5000)  # the store was closed
    # The late run's report starts nothing new (it would reopen the store), and every thread ends.
    qtbot.waitUntil(lambda: threads_held() == 0, timeout=10000)
    qtbot.wait(500)
    assert w.engine._store is None and not w.jobs.jobs() and threads_held() == 0


def test_pause_resume_and_cancel(qtbot, make_window, tmp_path):
    folder = write_docs(tmp_path / "big")
    for i in range(30):
        text = f"# Note {i}\n\n" + f"Paragraph {i} about vector search and reranking. " * 150
        (folder / f"note{i}.md").write_text(text, encoding="utf-8")
    w = make_window()
    view = w.indexing_view
    w.add_folders([str(folder)])
    qtbot.waitUntil(lambda: view._last is not None and view._last.stage == "embedding", timeout=60000)
    qtbot.mouseClick(view.pause_button, Qt.MouseButton.LeftButton)
    assert view.resume_button.isVisible() and not view.pause_button.isVisible()
    assert "Paused" in view.headline.text()
    # the batch under way (and any progress already queued for the window) arrives, then nothing moves
    qtbot.waitUntil(lambda: progress_settled(qtbot, view), timeout=30000)
    done = view._last.chunks_done
    qtbot.wait(1500)
    assert view._last.chunks_done == done
    assert view._report is None
    qtbot.mouseClick(view.resume_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view._last.chunks_done > done or view._report is not None, timeout=30000)
    qtbot.mouseClick(view.cancel_button, Qt.MouseButton.LeftButton)
    wait_index_done(qtbot, w)
    if view._report.cancelled:  # a tiny corpus may have finished before the click landed
        assert "cancelled" in view.headline.text()
        assert view._report.files_indexed < 34
