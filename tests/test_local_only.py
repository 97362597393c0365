"""Local only holds everywhere: the folder list shows the registry's truth after every step, and no
request body ever carries text from a folder that was local-only when the question was asked; the
window and ``qrag ask`` give the same passages, request and citations for the same question."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from qrag_desktop.cli import main
from qrag_desktop.core.settings import FolderSetting, load_settings
from tests.ui_fixtures import *  # noqa: F403 - fixtures
from tests.ui_fixtures import wait_idle, wait_index_done, write_docs

pytestmark = pytest.mark.filterwarnings("ignore:GitWildMatchPattern:DeprecationWarning")

SECRET = "Zanzibar-42"
QUESTION = "What is the Milvus Lite project budget?"


def _private(tmp_path: Path) -> Path:
    private = tmp_path / "private"
    private.mkdir()
    (private / "secret.md").write_text(
        f"# Milvus budget\n\nThe Milvus Lite project budget is {SECRET} dollars, known only here.\n",
        encoding="utf-8",
    )
    return private


def _box_checked(w, path: str) -> bool:
    item = w.folders_panel.item_for(path)
    return item.checkState(w.folders_panel.COL_LOCAL) == Qt.CheckState.Checked


def _click_box(w, path: str, checked: bool) -> None:
    item = w.folders_panel.item_for(path)
    item.setCheckState(
        w.folders_panel.COL_LOCAL, Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
    )


def _ask(qtbot, w, question: str, server) -> list[dict]:
    before = len(server.requests)
    w.chat.question.setText(question)
    qtbot.mouseClick(w.chat.ask_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.asking.job is None and not w.chat.turns[-1].searching, timeout=60000)
    wait_idle(qtbot, w)
    return server.requests[before:]


def test_window_local_only_tick_is_the_truth_through_reindexing(
    qtbot, make_window, docs, openai_server, tmp_path
) -> None:
    private = str(_private(tmp_path).resolve())
    w = make_window()
    w.add_folders([str(docs), private])
    wait_index_done(qtbot, w)
    wait_idle(qtbot, w)

    def shows_truth(expected: bool) -> None:
        assert w.folders.is_local_only(private) is expected
        assert FolderSetting(private, expected) in w.settings.folders
        qtbot.waitUntil(lambda: _box_checked(w, private) is expected, timeout=5000)
        # the tick is saved: a new session reads the same
        assert FolderSetting(private, expected) in load_settings(w.paths).folders

    def index_again() -> None:
        qtbot.mouseClick(w.folders_panel.reindex_button, Qt.MouseButton.LeftButton)
        wait_index_done(qtbot, w)
        wait_idle(qtbot, w)  # the folder statistics have been redrawn

    _click_box(w, private, True)
    shows_truth(True)
    index_again()
    shows_truth(True)
    sent = _ask(qtbot, w, QUESTION, openai_server)
    assert sent and all(SECRET not in json.dumps(b) for b in sent)
    assert any(s.local_only and SECRET in s.hit.text for s in w.sources.sources())  # found, kept here
    shows_truth(True)

    _click_box(w, private, False)
    shows_truth(False)
    index_again()
    shows_truth(False)
    sent = _ask(qtbot, w, QUESTION, openai_server)
    assert any(SECRET in json.dumps(b) for b in sent)  # no longer local only: it may be sent

    _click_box(w, private, True)
    shows_truth(True)
    sent = _ask(qtbot, w, QUESTION, openai_server)
    assert sent and all(SECRET not in json.dumps(b) for b in sent)
    shows_truth(True)


@pytest.fixture
def qrag(
    tmp_path: Path, capsys, standin_embedder_path: str, standin_reranker_path: str, openai_server, monkeypatch
):
    data = tmp_path / "data"
    monkeypatch.setenv("OPENAI_API_KEY", openai_server.api_key)
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.base_url)

    def run(*args: str) -> tuple[int, str, str]:
        argv = ["--data-dir", str(data), "--embed-model", standin_embedder_path]
        rc = main(argv + ["--rerank-model", standin_reranker_path, *args])
        out, err = capsys.readouterr()
        return rc, out, err

    return run


def test_cli_local_only_set_and_cleared_on_an_indexed_folder(qrag, docs, openai_server, tmp_path) -> None:
    private = str(_private(tmp_path).resolve())

    def status_local() -> bool:
        rc, out, _ = qrag("status", "--json")
        return {f["path"]: f["local_only"] for f in json.loads(out)["folders"]}[private]

    def ask_sends_secret() -> bool:
        before = len(openai_server.requests)
        rc, out, err = qrag("ask", QUESTION, "--json")
        assert rc == 0, err
        sent = openai_server.requests[before:]
        assert sent, json.loads(out)
        return any(SECRET in json.dumps(b) for b in sent)

    assert qrag("index", str(docs), private)[0] == 0
    assert status_local() is False
    assert ask_sends_secret()  # indexed normally: its passages may leave

    rc, _, err = qrag("index", private, "--local-only")
    assert rc == 0 and "local only" in err
    assert status_local() is True
    rc, out, _ = qrag("status")
    assert f"{private}  [local only]" in out and "--no-local-only" in out
    assert not ask_sends_secret()

    rc, _, err = qrag("index", private, "--no-local-only")
    assert rc == 0 and "no longer local only" in err
    assert status_local() is False
    assert ask_sends_secret()

    # a first index with the flag protects at once, and indexing again without a flag keeps it
    other = write_docs(tmp_path / "other")
    assert qrag("index", str(other), "--local-only")[0] == 0 and qrag("index", str(other))[0] == 0
    rc, out, _ = qrag("status", "--json")
    assert {f["path"]: f["local_only"] for f in json.loads(out)["folders"]}[str(other.resolve())] is True


def test_window_and_cli_give_the_same_passages_request_and_citations(
    qtbot, make_window, docs, openai_server, tmp_path, qrag
) -> None:
    private = str(_private(tmp_path).resolve())
    openai_server.set_reply("Milvus Lite runs inside a Python process [2]. Both hold [1, 3-1].")
    w = make_window()
    w.add_folders([str(docs), private])
    wait_index_done(qtbot, w)
    _click_box(w, private, True)
    wait_idle(qtbot, w)
    [window_body] = _ask(qtbot, w, QUESTION, openai_server)
    window_passages = [(s.hit.path, s.hit.text) for s in w.sources.sources() if s.n is not None]
    window_cited = [
        s.n for row, s in enumerate(w.sources.sources()) if w.sources.list.topLevelItem(row).font(0).bold()
    ]
    w.close()

    rc, out, err = qrag("ask", QUESTION, "--json")
    assert rc == 0, err
    res = json.loads(out)
    cli_body = openai_server.requests[-1]
    assert cli_body["messages"] == window_body["messages"]
    assert [(p["path"], p["text"]) for p in res["passages"]] == window_passages
    assert sorted(c["n"] for c in res["citations"]) == sorted(window_cited)
    assert sorted(window_cited) == [1, 2, 3][: len(window_passages)]
    assert res["local_only_held_back"] >= 1 and SECRET not in json.dumps(cli_body)
