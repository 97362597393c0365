"""Asking: the answer streams in, citations link to sources, the text sent is shown; errors in words."""

from __future__ import annotations

import pytest

from qrag_desktop.core.settings import FolderSetting
from tests.ui_fixtures import *  # noqa: F403 - fixtures
from tests.ui_fixtures import wait_idle, wait_index_done

pytestmark = pytest.mark.filterwarnings("ignore:GitWildMatchPattern:DeprecationWarning")

REPLY = "Milvus Lite runs inside a Python process [1]. Reranking improves precision [2]."


def _ask(qtbot, w, question: str) -> None:
    w.chat.question.setText(question)
    qtbot.mouseClick(w.chat.ask_button, __import__("PySide6.QtCore").QtCore.Qt.MouseButton.LeftButton)


def test_answer_streams_with_citations_and_the_sent_text_shown(
    qtbot, make_window, docs, openai_server, tmp_path
):
    openai_server.set_reply(REPLY)
    openai_server.chunk_pause_s = 0.05
    w = make_window()
    w.add_folders([str(docs)])
    wait_index_done(qtbot, w)
    wait_idle(qtbot, w)

    _ask(qtbot, w, "What is Milvus Lite?")
    turn = w.chat.turns[-1]
    # streaming: part of the answer is on screen before the rest arrives
    qtbot.waitUntil(lambda: turn.streaming and 0 < len(turn.answer) < len(REPLY), timeout=60000)
    assert not w.chat.ask_button.isEnabled() and w.chat.stop_button.isVisible()
    qtbot.waitUntil(lambda: w.asking.job is None, timeout=30000)
    assert turn.answer == REPLY
    shown = w.chat.transcript.toPlainText()
    assert "Milvus Lite runs inside a Python process" in shown
    assert "](cite:0/1)" in w.chat.markdown() and "](cite:0/2)" in w.chat.markdown()
    # the sources panel lists the passages, numbered as in the prompt
    sources = w.sources.sources()
    assert sources and sources[0].n == 1
    assert w.sources.list.topLevelItemCount() == len(sources)
    # the exact text sent is the text shown, with its token count
    [body] = openai_server.requests
    assert body["messages"][-1]["content"] == w.sources.sent_text.toPlainText()
    assert "tokens" in w.sources.sent_label.text()
    # clicking [2] selects passage 2 and shows it in context
    w.chat.transcript.anchorClicked.emit(__import__("PySide6.QtCore").QtCore.QUrl("cite:0/2"))
    assert w.sources.selected_source().n == 2
    assert w.sources.selected_source().hit.text[:30] in w.sources.preview.toPlainText()

    # a follow-up sees the conversation so far
    _ask(qtbot, w, "And where does it store data?")
    qtbot.waitUntil(lambda: w.asking.job is None and len(openai_server.requests) == 2, timeout=60000)
    msgs = openai_server.requests[1]["messages"]
    assert {"role": "user", "content": "What is Milvus Lite?"} in msgs
    assert {"role": "assistant", "content": REPLY} in msgs
    w.close()

    # the conversation is kept: a new window on the same data dir lists and reopens it
    w2 = make_window(data_dir=tmp_path / "data", check_models=False)
    assert w2.conversations_panel.titles() == ["What is Milvus Lite?"]
    item = w2.conversations_panel.list.item(0)
    qtbot.mouseClick(
        w2.conversations_panel.list.viewport(),
        __import__("PySide6.QtCore").QtCore.Qt.MouseButton.LeftButton,
        pos=w2.conversations_panel.list.visualItemRect(item).center(),
    )
    assert [t.question for t in w2.chat.turns] == ["What is Milvus Lite?", "And where does it store data?"]
    assert "Milvus Lite runs inside a Python process" in w2.chat.transcript.toPlainText()
    assert w2.sources.sources()
    # and can be deleted
    w2.conversations_panel.delete_button.click()
    assert w2.conversations_panel.titles() == []
    wait_idle(qtbot, w2)


def test_local_only_passages_are_never_sent(
    qtbot, make_window, docs, openai_server, tmp_path, standin_embedder_path, standin_reranker_path
):
    private = tmp_path / "private"
    private.mkdir()
    (private / "secret.md").write_text(
        "# Milvus budget\n\nThe Milvus Lite project budget is Zanzibar-42 dollars, known only here.\n",
        encoding="utf-8",
    )
    w = make_window()
    w.add_folders([str(docs), str(private)])
    wait_index_done(qtbot, w)
    # the user ticks "local only" on the private folder
    item = w.folders_panel.item_for(str(private.resolve()))
    item.setCheckState(w.folders_panel.COL_LOCAL, __import__("PySide6.QtCore").QtCore.Qt.CheckState.Checked)
    assert FolderSetting(str(private.resolve()), True) in w.settings.folders
    wait_idle(qtbot, w)

    _ask(qtbot, w, "What is the Milvus Lite budget?")
    qtbot.waitUntil(lambda: w.asking.job is None, timeout=60000)
    sources = w.sources.sources()
    assert any(s.local_only and "Zanzibar" in s.hit.text for s in sources)  # searchable ...
    assert openai_server.requests
    for body in openai_server.requests:  # ... but never sent
        assert "Zanzibar" not in str(body)
        assert "secret.md" not in str(body)
    assert "Zanzibar" not in w.sources.sent_text.toPlainText()


def test_no_key_server_down_and_rejected_key_say_why_and_keep_passages(
    qtbot, make_window, docs, openai_server, refused_base_url
):
    w = make_window(key=None)
    w.add_folders([str(docs)])
    wait_index_done(qtbot, w)
    wait_idle(qtbot, w)

    def ask_and_wait(q: str) -> str:
        n = len(w.chat.turns)
        _ask(qtbot, w, q)
        qtbot.waitUntil(lambda: w.asking.job is None and len(w.chat.turns) == n + 1, timeout=60000)
        assert w.sources.sources(), "the best passages are still shown"
        assert not w.chat.turns[-1].answer
        # said once: in the conversation, not again in a bar under it
        error = w.chat.turns[-1].error
        assert error and not w.chat.notice.isVisible()
        assert w.chat.transcript.toPlainText().count(error.split(".")[0]) == 1
        return "No generated answer: " + error

    # no key, cloud server
    w.engine.settings = w.settings.replace(openai_base_url="https://api.openai.com/v1")
    assert "No OpenAI API key" in ask_and_wait("What is BM25?")
    # server down
    w._api_key_provider = lambda: "sk-whatever-123456"
    w.engine.settings = w.settings.replace(openai_base_url=refused_base_url)
    text = ask_and_wait("What is BM25?")
    assert "No generated answer" in text and "reach" in text.lower() or "connect" in text.lower()
    # rejected key
    w.engine.settings = w.settings.replace(openai_base_url=openai_server.base_url)
    text = ask_and_wait("What is BM25?")
    assert "401" in text or "key" in text.lower()
