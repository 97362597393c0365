"""The window as a whole: a small screen (the question field, the folder names), the last
conversation open again at start, and the one-time notices about damaged files."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QStyle, QTreeWidget, QTreeWidgetItem

from qrag_desktop.core.conversations import ConversationStore
from qrag_desktop.core.settings import Paths
from qrag_desktop.ui.window_layout import QUESTION_MIN_WIDTH
from tests.ui_fixtures import *  # noqa: F403 - fixtures
from tests.ui_fixtures import wait_idle


def test_a_small_window_keeps_the_question_field_and_the_side_panel_collapses(qtbot, make_window):
    w = make_window(check_models=False)
    w.resize(1600, 1000)
    qtbot.waitUntil(lambda: w.width() == 1600)
    w.main_splitter.setSizes([500, 1100])  # a side panel made wide on a big screen
    w.resize(1024, 640)
    qtbot.waitUntil(lambda: w.width() == 1024)
    QApplication.processEvents()
    side = w.main_splitter.sizes()[0]
    assert 0 < side <= 0.3 * 1024 + 1
    assert w.chat.question.width() >= QUESTION_MIN_WIDTH
    w.side_action.trigger()  # hide the side panel
    assert w.main_splitter.sizes()[0] == 0 and not w.side_action.isChecked()
    w.side_action.trigger()
    assert w.main_splitter.sizes()[0] > 0
    wait_idle(qtbot, w)


def _shown(tree: QTreeWidget, item: QTreeWidgetItem, col: int) -> str:
    """The text a cell shows: its own, elided as the view elides it to the column's width."""
    margin = tree.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, tree) + 1
    width = tree.header().sectionSize(col) - 2 * margin
    return tree.fontMetrics().elidedText(item.text(col), tree.textElideMode(), width)


def test_folder_names_stay_readable_in_a_1024_window(qtbot, make_window, tmp_path):
    short = tmp_path / "milvus-docs"
    long = tmp_path / "quarterly-project-notes-and-meeting-minutes-2024"
    for folder in (short, long):
        folder.mkdir()
    w = make_window(check_models=False)
    w.resize(1024, 640)
    w.show()
    qtbot.waitUntil(lambda: w.width() == 1024)
    w.folders.add([str(short), str(long)])
    QApplication.processEvents()
    panel = w.folders_panel
    tree = panel.tree
    rows = {tree.topLevelItem(i).toolTip(panel.COL_FOLDER): tree.topLevelItem(i) for i in range(2)}
    assert set(rows) == {str(short), str(long)}  # the full path is the tooltip
    assert _shown(tree, rows[str(short)], panel.COL_FOLDER) == "milvus-docs"  # whole, not "mil…"
    seen = _shown(tree, rows[str(long)], panel.COL_FOLDER)
    assert "…" in seen and seen.startswith("quarterly") and seen.endswith("2024")  # the middle goes
    for item in rows.values():  # the numbers are never cut
        for col in (panel.COL_FILES, panel.COL_CHUNKS, panel.COL_LAST):
            assert _shown(tree, item, col) == item.text(col)
    assert sum(tree.header().sectionSize(c) for c in range(5)) <= tree.viewport().width()
    assert panel.tree.headerItem().toolTip(panel.COL_LAST) == "Last indexed"
    wait_idle(qtbot, w)


def test_the_last_conversation_is_open_again_at_start(qtbot, make_window, tmp_path):
    data = tmp_path / "kb"
    store = ConversationStore(Paths.resolve(data).ensure().conversations_path)
    older = store.create("What is BM25?")
    store.add_message(older.id, "What is BM25?", "A keyword ranking.", [])
    last = store.create("Which vector database runs in a Python process?")
    store.add_message(last.id, "Which vector database runs in a Python process?", "Milvus Lite [1].", [])
    store.close()
    w = make_window(data_dir=data, check_models=False)
    assert [t.question for t in w.chat.turns] == ["Which vector database runs in a Python process?"]
    assert w.asking.conversation_id == last.id
    selected = w.conversations_panel.list.selectedItems()
    assert selected and "Which vector database" in selected[0].text()
    wait_idle(qtbot, w)


def test_damaged_history_and_manifest_are_told_once(qtbot, make_window, tmp_path):
    data = tmp_path / "kb"
    paths = Paths.resolve(data).ensure()
    paths.conversations_path.write_bytes(b"this is not a database" * 100)
    paths.manifest_path.write_bytes(b"neither is this" * 100)
    w = make_window(data_dir=data, check_models=False)

    def texts() -> list[str]:
        return [box.text() for box in w._messages]

    qtbot.waitUntil(lambda: len([t for t in texts() if "damaged" in t]) >= 2, timeout=20000)
    assert any("conversation history" in t for t in texts())
    assert sum("damaged" in t for t in texts()) == 2  # once each, not after every job
    w.status_bar.refresh_overview()
    wait_idle(qtbot, w)
    assert sum("damaged" in t for t in texts()) == 2


def test_keyword_only_chosen_once_is_not_asked_again_at_the_next_start(qtbot, make_window, tmp_path):
    from PySide6.QtCore import Qt

    from qrag_desktop.core.settings import Settings, load_settings

    data = tmp_path / "kb"
    s = Settings(embed_model=str(tmp_path / "no-embedder"), rerank_model=str(tmp_path / "no-reranker"))
    w = make_window(s, data_dir=data)
    qtbot.waitUntil(lambda: w.first_run_dialog is not None and w.first_run_dialog.isVisible(), timeout=20000)
    qtbot.mouseClick(w.first_run_dialog.keyword_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, w)
    w.close()

    saved = load_settings(Paths.resolve(data))
    assert saved.models_choice == "keyword_only"
    w2 = make_window(saved, data_dir=data)
    qtbot.waitUntil(lambda: w2.keyword_only, timeout=20000)  # the models were checked: still none
    wait_idle(qtbot, w2)
    assert w2.first_run_dialog is None
    assert "Keyword search only" in w2.models_label.text()
