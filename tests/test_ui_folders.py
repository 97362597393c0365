"""The folders as the window shows them: one set of numbers (folder list = status bar), a folder a
run left half done says so, across a cancel and a restart; folders that vanished, a parent folder
added after its child, where the Add-folder dialog opens."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QPushButton

from qrag_desktop.core.settings import FolderSetting
from tests.ui_fixtures import *  # noqa: F403 - fixtures
from tests.ui_fixtures import progress_settled, standin_settings, wait_idle, wait_index_done, write_docs

pytestmark = pytest.mark.filterwarnings("ignore:GitWildMatchPattern:DeprecationWarning")


def _big_folder(folder: Path, n: int = 24) -> Path:
    write_docs(folder)
    for i in range(n):
        (folder / f"note{i:02}.md").write_text(
            f"# Note {i}\n\n" + f"Paragraph {i} about vector search and reranking. " * 150, encoding="utf-8"
        )
    return folder


def _panel_numbers(w) -> tuple[int, int, str]:
    """(files, passages, last-indexed text) summed over the folders panel's rows."""
    panel = w.folders_panel
    files = passages = 0
    last = []
    for i in range(panel.tree.topLevelItemCount()):
        item = panel.tree.topLevelItem(i)
        files += int(item.text(panel.COL_FILES).split()[0] or 0)
        passages += int(item.text(panel.COL_CHUNKS) or 0)
        last.append(item.text(panel.COL_LAST))
    return files, passages, " ".join(last)


def _status_numbers(w) -> tuple[int, int]:
    m = re.search(r"(\d+) files, (\d+) passages", w.index_label.text())
    assert m, w.index_label.text()
    return int(m.group(1)), int(m.group(2))


def _wait_numbers(qtbot, w, incomplete: bool) -> tuple[int, int, str]:
    """Wait for the overview after the run, then check the two faces agree."""
    qtbot.waitUntil(
        lambda: (
            w.status_bar.status is not None
            and ("incomplete" in w.index_label.text()) == incomplete
            and ("incomplete" in _panel_numbers(w)[2]) == incomplete
        ),
        timeout=20000,
    )
    files, passages, last = _panel_numbers(w)
    assert _status_numbers(w) == (files, passages)
    return files, passages, last


def test_folder_numbers_after_cancel_agree_and_say_incomplete(
    qtbot, make_window, standin_embedder_path, standin_reranker_path, openai_server, tmp_path
):
    folder = _big_folder(tmp_path / "big")
    s = standin_settings(standin_embedder_path, standin_reranker_path, openai_server, index_batch_chunks=8)
    w = make_window(s, check_models=False)
    view = w.indexing_view
    w.add_folders([str(folder)])
    qtbot.waitUntil(lambda: any(r.status == "done" for r in view.model.rows()), timeout=60000)
    qtbot.mouseClick(view.pause_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: progress_settled(qtbot, view), timeout=30000)
    qtbot.mouseClick(view.cancel_button, Qt.MouseButton.LeftButton)
    wait_index_done(qtbot, w)
    assert view._report.cancelled
    files, passages, last = _wait_numbers(qtbot, w, incomplete=True)
    assert 0 < files < 27 and passages > 0
    assert "incomplete — resume" in last
    # Double-clicking the incomplete folder goes on; at the end the numbers agree and are whole.
    item = w.folders_panel.tree.topLevelItem(0)
    rect = w.folders_panel.tree.visualItemRect(item)
    qtbot.mouseClick(w.folders_panel.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(w.folders_panel.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: w.indexing.job is not None or not view._report.cancelled, timeout=10000)
    wait_index_done(qtbot, w)
    assert not view._report.cancelled
    files2, passages2, last2 = _wait_numbers(qtbot, w, incomplete=False)
    assert files2 == 27 and passages2 > passages
    assert "incomplete" not in last2


def test_a_paused_run_after_restart_shows_its_bars_and_cancel_keeps_the_folders(
    qtbot, make_window, standin_embedder_path, standin_reranker_path, openai_server, tmp_path
):
    folder = _big_folder(tmp_path / "big")
    data = tmp_path / "kb"
    s = standin_settings(
        standin_embedder_path,
        standin_reranker_path,
        openai_server,
        folders=(FolderSetting(str(folder.resolve())),),
        index_batch_chunks=8,
    )
    w = make_window(s, data_dir=data, check_models=False)
    view = w.indexing_view
    qtbot.waitUntil(lambda: any(r.status == "done" for r in view.model.rows()), timeout=60000)
    qtbot.mouseClick(view.pause_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: progress_settled(qtbot, view), timeout=30000)
    total = view.progress.files_total
    w.close()

    w2 = make_window(s, data_dir=data, check_models=False)
    view2 = w2.indexing_view
    qtbot.waitUntil(lambda: view2.held, timeout=20000)
    assert view2.files_bar.format().endswith(f"of {total} files") and total > 0
    assert view2.chunks_bar.maximum() > 1 and view2.chunks_bar.value() > 0
    files, passages, last = _wait_numbers(qtbot, w2, incomplete=True)
    assert files > 0 and "incomplete — resume" in last
    qtbot.mouseClick(view2.cancel_button, Qt.MouseButton.LeftButton)
    assert "Add a folder" not in view2.headline.text()
    assert "stopped before the end" in view2.headline.text()
    wait_idle(qtbot, w2)


def test_a_vanished_folder_is_marked_with_a_remove_button(qtbot, make_window, tmp_path):
    gone = tmp_path / "gone"
    gone.mkdir()
    w = make_window(check_models=False)
    w.folders.add([str(gone)])
    gone.rmdir()
    w.status_bar.refresh_overview()
    qtbot.waitUntil(
        lambda: w.folders_panel.tree.findChild(QPushButton, "removeMissing") is not None, timeout=20000
    )
    button = w.folders_panel.tree.findChild(QPushButton, "removeMissing")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.folders_panel.tree.topLevelItemCount() == 0, timeout=10000)
    assert w.folders.paths() == []
    wait_idle(qtbot, w)


def test_merging_a_parent_keeps_one_count_of_the_child_files(qtbot, make_window, tmp_path, monkeypatch):
    parent = tmp_path / "notes"
    child = write_docs(parent / "docs")
    w = make_window(check_models=False)
    opened_at: list[str] = []

    def pick(_parent, _title, start_dir=""):
        opened_at.append(start_dir)
        return str(child) if len(opened_at) == 1 else str(parent)

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", pick)
    asked: list[str] = []
    w.folders_panel.confirm = lambda _title, text: asked.append(text) or True  # type: ignore[method-assign]
    w.folders_panel.choose_folder()
    assert opened_at[0] == str(Path.home())
    wait_index_done(qtbot, w)
    wait_idle(qtbot, w, timeout=60000)
    w.folders_panel.choose_folder()
    assert asked and str(child.resolve()) in asked[0]
    assert w.folders.paths() == [str(parent.resolve())]  # merged: the parent replaced its child
    wait_idle(qtbot, w, timeout=60000)
    files, _passages, _last = _wait_numbers(qtbot, w, incomplete=False)
    assert files == 3  # the child's files count for the parent, once
    assert not w.indexing_view._report.files_indexed  # found unchanged: nothing embedded again
