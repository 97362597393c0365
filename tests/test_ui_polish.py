"""A first hour that feels finished: first-run choices, names, wording, previews, Chinese core text."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt

from qrag_desktop.core.errors import AnswerError
from qrag_desktop.core.models.names import display_name, find_models
from qrag_desktop.core.settings import Settings
from qrag_desktop.core.types import Hit
from tests.ui_fixtures import *  # noqa: F403 - fixtures


# -- first run ---------------------------------------------------------------------------------------
def test_keyword_only_choice_is_remembered_and_not_asked_again(tmp_path) -> None:
    from qrag_desktop.core.settings import Paths, load_settings, save_settings
    from qrag_desktop.ui.first_run_dialog import FirstRunDialog, models_to_ask_about

    s = Settings(embed_model=str(tmp_path / "none-e"), rerank_model=str(tmp_path / "none-r"))
    missing = models_to_ask_about(s, embed_ok=False, rerank_ok=False)
    assert [r for r, _ in missing] == ["embed", "rerank"]
    dlg = FirstRunDialog(missing, {})
    dlg.keyword_button.click()
    assert dlg.choice == "keyword_only"
    # the window stores the choice; at the next start nothing is asked, not even about the reranker
    paths = Paths.resolve(tmp_path / "data").ensure()
    save_settings(paths, s.replace(models_choice=dlg.choice))
    again = load_settings(paths)
    assert models_to_ask_about(again, embed_ok=False, rerank_ok=False) == []
    # once an embedder is there, a missing reranker is offered again
    assert [r for r, _ in models_to_ask_about(again, embed_ok=True, rerank_ok=False)] == ["rerank"]


def test_dialog_grows_to_show_a_long_download_error(qtbot) -> None:
    from qrag_desktop.ui.first_run_dialog import FirstRunDialog

    dlg = FirstRunDialog([("embed", "Qwen/Qwen3-Embedding-0.6B"), ("rerank", "Qwen/Qwen3-Reranker-0.6B")], {})
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    before = dlg.height()
    dlg._on_download()
    dlg.download_failed(
        "Cannot download Qwen/Qwen3-Embedding-0.6B: no network. " * 6 + "Check the connection and try again."
    )
    qtbot.wait(50)
    assert dlg.height() > before
    status = dlg.status.geometry()
    # the whole message fits: its label is as tall as its wrapped text, and no button sits on it
    assert status.height() >= dlg.status.heightForWidth(status.width())
    for b in (dlg.download_button, dlg.folder_button, dlg.keyword_button):
        top_left = b.mapTo(dlg, b.rect().topLeft())
        assert top_left.y() >= status.bottom()


def test_choose_a_folder_sets_both_models_and_says_so(
    qtbot, tmp_path, standin_embedder_path, standin_reranker_path
) -> None:
    from qrag_desktop.ui.first_run_dialog import FirstRunDialog

    both = tmp_path / "models"
    shutil.copytree(standin_embedder_path, both / "Qwen3-Embedding-0.6B")
    shutil.copytree(standin_reranker_path, both / "Qwen3-Reranker-0.6B")
    dlg = FirstRunDialog([("embed", "Qwen/Qwen3-Embedding-0.6B"), ("rerank", "Qwen/Qwen3-Reranker-0.6B")], {})
    qtbot.addWidget(dlg)
    embed, rerank = [], []
    dlg.folder_chosen.connect(embed.append)
    dlg.rerank_folder_chosen.connect(rerank.append)
    dlg.use_folder(str(both))
    assert embed == [str((both / "Qwen3-Embedding-0.6B").resolve())]
    assert rerank == [str((both / "Qwen3-Reranker-0.6B").resolve())]
    assert "Qwen3-Embedding-0.6B" in dlg.chosen_summary and "Qwen3-Reranker-0.6B" in dlg.chosen_summary
    # a folder with only the embedder says that the reranker was not found there
    only = tmp_path / "only" / "model"
    shutil.copytree(standin_embedder_path, only)
    dlg2 = FirstRunDialog([("embed", "e"), ("rerank", "r")], {})
    qtbot.addWidget(dlg2)
    dlg2.use_folder(str(only.parent))
    assert "No reranking model" in dlg2.status.text()


# -- model names -------------------------------------------------------------------------------------
def test_model_names_a_person_recognises(tmp_path, standin_embedder_path, minilm_path) -> None:
    cache = tmp_path / "hub" / "models--Qwen--Qwen3-Embedding-0.6B" / "snapshots" / ("0" * 40)
    shutil.copytree(standin_embedder_path, cache)
    assert display_name(str(cache)) == "Qwen/Qwen3-Embedding-0.6B"
    assert display_name("Qwen/Qwen3-Reranker-0.6B") == "Qwen/Qwen3-Reranker-0.6B"
    # sentence-transformers' model card names the model, even in a folder called "model"
    assert Path(minilm_path).name == "model" and display_name(minilm_path) == "all-MiniLM-L6-v2"
    plain = tmp_path / "my-embedder" / "model"
    shutil.copytree(standin_embedder_path, plain)
    assert display_name(str(plain)) == "my-embedder"
    assert find_models(tmp_path / "hub").embed == str(cache.resolve())


# -- asking --------------------------------------------------------------------------------------------
@dataclass
class _Req:
    token_count: int
    exact: bool = True


def test_sent_to_the_cloud_says_where_or_that_nothing_went(qtbot, monkeypatch) -> None:
    from qrag_desktop.ui.sources_panel import SourcesPanel, sent_to_cloud_text

    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    assert "Nothing was sent" in sent_to_cloud_text(None, "http://127.0.0.1:8123/v1", "gpt-4o")
    sent = sent_to_cloud_text(_Req(412), "http://127.0.0.1:8123/v1", "gpt-4o")
    assert "127.0.0.1:8123" in sent and "gpt-4o" in sent and "412" in sent and "was sent" in sent
    assert "api.openai.com" in sent_to_cloud_text(_Req(5), None, "gpt-4o")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://models.internal:9000/v1")
    assert "models.internal:9000" in sent_to_cloud_text(_Req(5), None, "m")
    held = sent_to_cloud_text(_Req(5), None, "m", sent=False)
    assert held.startswith("Nothing was sent") and "models.internal:9000" in held

    panel = SourcesPanel()
    qtbot.addWidget(panel)
    panel.set_sent("the prompt", 12, model="gpt-4o", base_url="http://127.0.0.1:9/v1")
    assert "127.0.0.1:9" in panel.sent_label.text() and panel.sent_text.toPlainText() == "the prompt"
    panel.set_not_sent()
    assert panel.sent_label.text().startswith("Nothing was sent")


def test_the_no_key_message_is_said_once(qtbot) -> None:
    from qrag_desktop.ui.chat_pane import ChatPane, Turn
    from qrag_desktop.ui.sources_panel import Source

    chat = ChatPane()
    qtbot.addWidget(chat)
    err = AnswerError("No OpenAI API key is set.", hint="Add it in Settings, or set OPENAI_API_KEY.")
    hit = Hit("c1", "/docs/a.md", None, "A", 0, "text", 1.0)
    chat.turns.append(Turn("q?", sources=[Source(hit, 1)], error=err.user_text()))
    chat.set_notice("No generated answer: " + err.user_text())
    chat.render_transcript()
    assert not chat.notice.isVisible()
    shown = chat.transcript.toPlainText()
    assert shown.count("No OpenAI API key is set") == 1
    assert "on the right" in shown and "below" not in shown


def _passage_panel(qtbot, text: str):
    from qrag_desktop.ui.sources_panel import Source, SourcesPanel

    panel = SourcesPanel()
    qtbot.addWidget(panel)
    hits = [Hit(f"c{i}", f"/docs/{i}.md", None, "Run", i, text, 1.0 - i / 10) for i in range(3)]
    panel.set_sources([Source(h, i + 1) for i, h in enumerate(hits)])
    return panel


def test_passage_preview_renders_markdown_and_marks_the_question_words(qtbot) -> None:
    panel = _passage_panel(qtbot, "See [Run Milvus on Windows](https://milvus.io/docs) and **install** it.")
    panel.set_query("How do I install Milvus?")
    shown = panel.preview.toPlainText()
    assert "Run Milvus on Windows" in shown and "](" not in shown and "**" not in shown
    doc = panel.preview.document()
    marked = set()
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            frag = it.fragment()
            if frag.charFormat().background().style() != Qt.BrushStyle.NoBrush:
                marked.add(frag.text().lower())
            it += 1
        block = block.next()
    assert {"milvus", "install"} <= marked
    assert "how" not in marked


def test_cited_marks_survive_a_language_switch(qtbot) -> None:
    from qrag_desktop.ui.i18n import install_language

    panel = _passage_panel(qtbot, "text")
    panel.mark_cited({2})
    bold = lambda: [panel.list.topLevelItem(r).font(0).bold() for r in range(3)]  # noqa: E731
    assert bold() == [False, True, False]
    try:
        install_language("zh_CN")
        qtbot.waitUntil(lambda: panel.tabs.tabText(0) != "Sources", timeout=5000)
        assert bold() == [False, True, False]
    finally:
        install_language("en")


# -- Chinese core messages -----------------------------------------------------------------------------
def test_core_messages_appear_in_chinese_in_the_chinese_ui(qtbot, make_window, docs) -> None:
    from qrag_desktop.core.models.device import describe_device
    from qrag_desktop.ui.i18n import install_language

    w = make_window(key=None)  # the standin server is on localhost: keyless works; make it cloud
    try:
        install_language("zh_CN")
        assert describe_device("cpu").startswith("CPU，")
        err = AnswerError("No OpenAI API key is set.", hint="Add it in Settings, or set OPENAI_API_KEY.")
        no_key = "尚未设置 OpenAI API 密钥。 请在“设置”中添加，或设置环境变量 OPENAI_API_KEY。"
        assert err.user_text() == no_key
        assert err.message == "No OpenAI API key is set."  # the log keeps English
        w.settings_controller.apply(w.settings.replace(openai_base_url="https://api.example.invalid/v1"))
        w.add_folders([str(docs)])
        qtbot.waitUntil(lambda: w.indexing.job is None and w.indexing_view._report is not None, timeout=60000)
        qtbot.waitUntil(lambda: not w.jobs.jobs(), timeout=30000)
        w.chat.question.setText("What is BM25?")
        qtbot.mouseClick(w.chat.ask_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: w.asking.job is None and bool(w.chat.turns[-1].error), timeout=60000)
        assert "尚未设置 OpenAI API 密钥" in w.chat.transcript.toPlainText()
        assert "No OpenAI API key" not in w.chat.transcript.toPlainText()
    finally:
        install_language("en")
    assert AnswerError("No OpenAI API key is set.").user_text() == "No OpenAI API key is set."


def test_every_core_message_has_a_chinese_translation() -> None:
    import ast
    import xml.etree.ElementTree as ET

    import qrag_desktop

    root = Path(qrag_desktop.__file__).parent
    marked = set()
    for py in (root / "core").rglob("*.py"):
        for node in ast.walk(ast.parse(py.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "QT_TRANSLATE_NOOP"
                and isinstance(node.args[1], ast.Constant)
            ):
                assert node.args[0].value == "core", py
                marked.add(node.args[1].value)
    assert "No OpenAI API key is set." in marked and "CPU, %1 threads" in marked
    ts = ET.parse(root / "resources" / "i18n" / "qrag_zh_CN.ts").getroot()
    translated = {
        m.findtext("source"): m.find("translation")
        for ctx in ts
        if ctx.findtext("name") == "core"
        for m in ctx.findall("message")
    }
    for text in marked:
        tr = translated.get(text)
        assert tr is not None and tr.text and tr.get("type") is None, f"no Chinese for {text!r}"


# -- settings ------------------------------------------------------------------------------------------
def test_settings_say_where_the_key_and_server_come_from(qtbot, monkeypatch) -> None:
    from qrag_desktop.ui.settings_dialog import SettingsDialog

    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-the-environment-1234")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:8000/v1")
    dlg = SettingsDialog(Settings(), "sk-from-the-environment-1234")
    qtbot.addWidget(dlg)
    assert dlg.key_edit.placeholderText().startswith("From the environment (OPENAI_API_KEY)")
    assert "Saved" not in dlg.key_edit.placeholderText()
    assert not dlg.clear_key_button.isEnabled()  # not ours to remove
    assert "127.0.0.1:8000" in dlg.base_url_edit.placeholderText()
    assert "api.openai.com" not in dlg.base_url_edit.placeholderText()
    monkeypatch.delenv("OPENAI_API_KEY")
    monkeypatch.delenv("OPENAI_BASE_URL")
    dlg2 = SettingsDialog(Settings(), "sk-in-the-keychain-5678")
    qtbot.addWidget(dlg2)
    assert dlg2.key_edit.placeholderText().startswith("Saved in the system keychain")
    assert dlg2.clear_key_button.isEnabled()
    labels = [dlg2.findChildren(type(dlg2.models_source))]
    texts = {w.text() for group in labels for w in group}
    assert "Vector size (MRL)" not in texts and "Candidates per method" not in texts
    assert "MRL" in dlg2.dim_spin.toolTip() and "Candidates per method" in dlg2.candidates_spin.toolTip()


def test_environment_models_apply_for_the_run_and_never_reach_the_file(tmp_path) -> None:
    from qrag_desktop.core.settings import Paths, apply_env, load_settings, save_settings

    paths = Paths.resolve(tmp_path / "data").ensure()
    save_settings(paths, Settings(embed_model="on-disk/embedder"), env={})
    env = {"QRAG_EMBED_MODEL": "env/embedder"}
    run = apply_env(load_settings(paths), env)
    assert run.embed_model == "env/embedder"
    save_settings(paths, run.replace(top_k=7), env=env)  # the window saves after any change
    saved = load_settings(paths)
    assert saved.embed_model == "on-disk/embedder" and saved.top_k == 7


# -- conversations and folders -------------------------------------------------------------------------
def test_conversations_show_dates_rename_and_the_last_one(qtbot, tmp_path) -> None:
    from qrag_desktop.core.conversations import ConversationStore
    from qrag_desktop.ui.conversations_panel import ConversationsPanel

    store = ConversationStore(tmp_path / "c.sqlite")
    first = store.create("What is BM25?")
    second = store.create("What is BM25?")
    panel = ConversationsPanel()
    qtbot.addWidget(panel)
    renamed = []
    panel.rename_requested.connect(lambda cid, title: renamed.append((cid, title)))
    panel.set_conversations(store.conversations(), second.id)
    texts = [panel.list.item(i).text() for i in range(panel.list.count())]
    assert all("\n" in t and "Today" in t for t in texts)  # the date under each title
    assert panel.last_conversation_id() == second.id
    panel.rename_current("  BM25 again ")
    assert renamed == [(second.id, "BM25 again")]
    store.rename(*renamed[0])
    panel.set_conversations(store.conversations(), second.id)
    assert panel.titles() == ["BM25 again", "What is BM25?"]
    assert store.get(first.id).title == "What is BM25?"
    store.close()


def test_add_folder_opens_at_home_and_offers_to_merge_a_parent(qtbot, tmp_path) -> None:
    from qrag_desktop.core.folders import FolderRegistry
    from qrag_desktop.core.settings import FolderSetting
    from qrag_desktop.ui.folders_panel import FoldersPanel, folder_overlap

    panel = FoldersPanel()
    qtbot.addWidget(panel)
    assert panel.start_dir() == str(Path.home())
    child = tmp_path / "notes" / "faq"
    child.mkdir(parents=True)
    panel.show_registry(FolderRegistry((FolderSetting(str(child)),)))
    assert panel.start_dir() == str(child.parent)
    assert folder_overlap(str(tmp_path / "notes"), [str(child)]) == (None, [str(child)])
    asked, told, merged, added = [], [], [], []
    panel.confirm = lambda title, text: asked.append(text) or True  # type: ignore[method-assign]
    panel.inform = lambda title, text: told.append(text)  # type: ignore[method-assign]
    panel.merge_requested.connect(lambda p, held: merged.append((p, held)))
    panel.add_requested.connect(added.append)
    assert panel.add_folder(str(tmp_path / "notes"))
    assert merged == [(str(tmp_path / "notes"), [str(child)])] and not added
    assert "contains folders that are already in the knowledge base" in asked[0]
    assert not panel.add_folder(str(child / "sub"))  # already inside a known folder
    assert "already part of" in told[0] and not added


# -- indexing view -------------------------------------------------------------------------------------
def test_time_left_is_smoothed_and_estimating_until_stable() -> None:
    from qrag_desktop.ui.indexing_view import EtaEstimator

    eta = EtaEstimator(window_s=60, min_span_s=15)
    out = []
    done = 0
    for second in range(0, 240, 5):
        # a big file every 30 s: passages come in bursts, the real rate stays 2 per second
        done += 60 if second % 30 == 25 else 0
        out.append(eta.update(float(second), done, 2000))
    assert out[0] is None and out[2] is None  # "estimating…" at first
    settled = [e for e in out[-20:] if e is not None]
    assert settled, out
    # once stable, consecutive estimates do not jump the way a per-file rate did ("1 h 9 min" → "38 min")
    for a, b in zip(settled, settled[1:], strict=False):
        assert abs(a - b) <= 0.5 * max(a, b)


def test_a_paused_run_from_an_earlier_session_has_no_empty_bars(qtbot) -> None:
    from qrag_desktop.ui.indexing_view import IndexingView

    view = IndexingView()
    qtbot.addWidget(view)
    view.show()
    view.show_held_pause()
    assert "paused" in view.headline.text().lower()
    assert not view.files_bar.isVisible() and not view.chunks_bar.isVisible()
    assert view.resume_button.isVisible()
