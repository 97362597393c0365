"""No model on disk: the first-run dialog says so and keyword-only search works. Chinese UI loads."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from qrag_desktop.core.settings import Settings
from tests.ui_fixtures import *  # noqa: F403 - fixtures
from tests.ui_fixtures import wait_idle, wait_index_done

pytestmark = pytest.mark.filterwarnings("ignore:GitWildMatchPattern:DeprecationWarning")


def test_missing_model_offers_keyword_search_which_works(qtbot, make_window, docs, tmp_path, openai_server):
    s = Settings(
        embed_model=str(tmp_path / "no-such-embedder"),
        rerank_model=str(tmp_path / "no-such-reranker"),
        openai_base_url=openai_server.base_url,
        device="cpu",
    )
    w = make_window(s)
    qtbot.waitUntil(lambda: w.first_run_dialog is not None and w.first_run_dialog.isVisible(), timeout=20000)
    dlg = w.first_run_dialog
    assert "keyword search" in dlg.intro.text()
    assert "no-such-embedder" in dlg.models_label.text()
    qtbot.mouseClick(dlg.keyword_button, Qt.MouseButton.LeftButton)
    assert w.first_run_dialog is None
    assert "Keyword search only" in w.models_label.text()

    w.add_folders([str(docs)])
    wait_index_done(qtbot, w)
    assert any(r.status == "done" for r in w.indexing_view.model.rows())
    wait_idle(qtbot, w)
    w.chat.question.setText("BM25 term frequency")
    qtbot.mouseClick(w.chat.ask_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: w.asking.job is None and w.chat.turns and not w.chat.turns[-1].searching, timeout=30000
    )
    sources = w.sources.sources()
    assert sources and sources[0].hit.path.endswith("bm25.html")  # the keyword match comes first
    qtbot.waitUntil(lambda: not w.jobs.jobs(), timeout=30000)


def test_chinese_translation_changes_the_window(qtbot, make_window):
    from qrag_desktop.ui.i18n import install_language

    w = make_window(check_models=False)
    assert w.tabs.tabText(0) == "Ask"
    assert w.folders_panel.title.text() == "Knowledge folders"
    try:
        assert install_language("zh_CN") == "zh_CN"
        qtbot.waitUntil(lambda: w.tabs.tabText(0) == "提问", timeout=5000)
        assert w.folders_panel.title.text() == "知识文件夹"
        assert w.chat.ask_button.text() == "提问"
        assert w.indexing_view.pause_button.text() == "暂停"
        assert "私人知识库" in w.windowTitle()
    finally:
        install_language("en")
    qtbot.waitUntil(lambda: w.tabs.tabText(0) == "Ask", timeout=5000)
    wait_idle(qtbot, w)
