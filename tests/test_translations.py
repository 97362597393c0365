"""Translations survive the README's own lupdate command, and the window's controllers (which call
``tr`` from ``ui.i18n``) show Chinese in the Chinese UI."""

from __future__ import annotations

import glob
import re
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import qrag_desktop
from tests.ui_fixtures import *  # noqa: F403 - fixtures

PACKAGE = Path(qrag_desktop.__file__).resolve().parent
TS = PACKAGE / "resources" / "i18n" / "qrag_zh_CN.ts"


def _finished(ts: Path) -> set[tuple[str | None, str | None, str | None]]:
    """(context, source, translation) of every finished translation."""
    return {
        (ctx.findtext("name"), m.findtext("source"), m.findtext("translation"))
        for ctx in ET.parse(ts).getroot().iter("context")
        for m in ctx.iter("message")
        if m.find("translation[@type]") is None and m.find("translation") is not None
    }


def test_the_readme_lupdate_command_keeps_every_translation(tmp_path) -> None:
    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    m = re.search(r"`cd qrag_desktop && (pyside6-lupdate [^`]+)`", readme)
    assert m, "the README says how to update the translations"
    lupdate = shutil.which("pyside6-lupdate") or str(Path(sys.executable).parent / "pyside6-lupdate")
    if not Path(lupdate).exists():
        pytest.skip("pyside6-lupdate is not installed")
    args = shlex.split(m.group(1))
    ts = tmp_path / "qrag_zh_CN.ts"
    shutil.copy(TS, ts)
    ts_at = args.index("-ts") + 1
    assert args[ts_at] == "resources/i18n/qrag_zh_CN.ts"
    args[ts_at] = str(ts)
    files = [f for a in args[1:] for f in (sorted(glob.glob(a, root_dir=PACKAGE)) if "*" in a else [a])]
    subprocess.run([lupdate, *files], cwd=PACKAGE, check=True, capture_output=True, timeout=120)
    before, after = _finished(TS), _finished(ts)
    assert len(before) > 200
    assert before - after == set(), "the documented command drops these translations"
    unfinished = ET.parse(ts).getroot().findall(".//translation[@type='unfinished']")
    assert [u.text for u in unfinished] == []  # every string in the code has its Chinese


def test_window_controller_strings_are_chinese_in_the_chinese_ui(qtbot, make_window) -> None:
    from qrag_desktop.ui.i18n import failure_text, install_language

    w = make_window(check_models=False)
    try:
        install_language("zh_CN")
        qtbot.waitUntil(lambda: w.index_label.text().startswith("索引："), timeout=20000)
        assert w.status_bar.device_label.text().startswith("设备：")
        assert failure_text(ValueError("boom"), "test") == "意外错误：boom"
    finally:
        install_language("en")
    qtbot.waitUntil(lambda: w.index_label.text().startswith("Index: "), timeout=20000)


def test_file_store_and_manifest_messages_are_chinese_in_the_chinese_ui(qtbot, make_window, docs, tmp_path):
    from qrag_desktop.core.errors import StoreError
    from qrag_desktop.core.messages import QT_TRANSLATE_NOOP, Phrase
    from qrag_desktop.core.settings import Paths
    from qrag_desktop.ui.i18n import install_language
    from tests.ui_fixtures import wait_index_done

    (docs / "empty.md").write_bytes(b"")
    data = tmp_path / "kb"
    Paths.resolve(data).ensure().manifest_path.write_bytes(b"not a manifest" * 100)
    try:
        install_language("zh_CN")
        w = make_window(data_dir=data)
        qtbot.waitUntil(lambda: any("索引清单" in box.text() for box in w._messages), timeout=20000)
        assert not any("index manifest" in box.text() for box in w._messages)
        w.add_folders([str(docs)])
        wait_index_done(qtbot, w)
        rows = {r.path.rsplit("/", 1)[-1]: r for r in w.indexing_view.model.rows()}
        assert rows["empty.md"].status == "failed" and rows["empty.md"].error == "空文件"
        assert rows["broken.pdf"].error.startswith("损坏的 PDF")  # read in the parser process
        assert dict(w.indexing_view._report.files_failed)[str(docs / "empty.md")] == "empty file"  # log, CLI
        err = StoreError(
            QT_TRANSLATE_NOOP("core", "Could not %1 in the knowledge base at %2."),
            args=(Phrase(QT_TRANSLATE_NOOP("core", "search")), "/kb"),
        )
        assert err.user_message() == "无法在位于 /kb 的知识库中搜索。"
        assert err.message == "Could not search in the knowledge base at /kb."
    finally:
        install_language("en")


def test_question_disk_and_settings_messages_are_chinese_in_the_chinese_ui(qtbot, tmp_path) -> None:
    import pickle

    from qrag_desktop.core.engine import checked_query
    from qrag_desktop.core.errors import QragError
    from qrag_desktop.core.messages import QT_TRANSLATE_NOOP
    from qrag_desktop.core.settings import Paths
    from qrag_desktop.core.sqlite_files import open_checked
    from qrag_desktop.ui.i18n import install_language

    in_the_way = tmp_path / "a file"
    in_the_way.write_text("not a folder")
    try:
        install_language("zh_CN")
        with pytest.raises(QragError) as empty:
            checked_query("   ", 5)
        assert empty.value.user_text() == "问题为空。 请输入几个要搜索的词。"
        assert empty.value.message == "The question is empty."  # log and qrag stay English
        with pytest.raises(QragError) as folder:
            Paths.resolve(in_the_way).ensure()
        assert folder.value.user_message().startswith("无法创建数据文件夹：")
        with pytest.raises(QragError) as manifest:  # a phrase inside a phrase: "The %1 cannot be created"
            open_checked(
                in_the_way / "m.sqlite", lambda db: None, what=QT_TRANSLATE_NOOP("core", "index manifest")
            )
        assert manifest.value.user_message().startswith(f"无法创建索引清单：{in_the_way}：")
        assert manifest.value.message.startswith(f"The index manifest cannot be created: {in_the_way}: ")
        again = pickle.loads(pickle.dumps(manifest.value.message_args))  # the parser process sends these
        assert again == manifest.value.message_args and again[0].args == manifest.value.message_args[0].args
    finally:
        install_language("en")
    assert empty.value.user_text() == "The question is empty. Type a few words to search for."


def test_a_chunk_size_refused_by_the_engine_is_said_in_chinese(
    qtbot, make_window, docs, standin_embedder_path, standin_reranker_path, openai_server
) -> None:
    from qrag_desktop.ui.i18n import install_language
    from tests.ui_fixtures import standin_settings

    settings = standin_settings(standin_embedder_path, standin_reranker_path, openai_server, chunk_tokens=16)
    try:
        install_language("zh_CN")
        w = make_window(settings, check_models=False)
        w.add_folders([str(docs)])
        headline = w.indexing_view.headline
        qtbot.waitUntil(lambda: w.indexing.job is None and "16" in headline.text(), timeout=60000)
        assert "分块大小至少为 32 个词元，而不是 16。" in headline.text()
        assert "chunk_tokens" in headline.text()  # the hint names the setting to change
        assert "must be at least" not in headline.text()
    finally:
        install_language("en")


def test_failure_reasons_read_back_after_a_restart_are_chinese(
    qtbot, make_window, docs, tmp_path, standin_embedder_path, standin_reranker_path, openai_server
) -> None:
    from qrag_desktop.ui.i18n import install_language
    from tests.ui_fixtures import standin_settings, wait_idle, wait_index_done

    (docs / "empty.md").write_bytes(b"")
    data = tmp_path / "kb"
    s = standin_settings(standin_embedder_path, standin_reranker_path, openai_server)
    try:
        install_language("zh_CN")
        w = make_window(s, data_dir=data)
        w.add_folders([str(docs)])
        wait_index_done(qtbot, w)
        wait_idle(qtbot, w)
        live = {r.path: r.error for r in w.indexing_view.model.rows() if r.status == "failed"}
        assert sorted(Path(p).name for p in live) == ["broken.pdf", "empty.md"]
        w.close()

        w2 = make_window(w.settings, data_dir=data)  # a restart: the reasons come from the manifest
        qtbot.waitUntil(lambda: w2.indexing_view._report is not None, timeout=60000)
        wait_idle(qtbot, w2)
        assert w2.indexing_view._report.files_indexed == 0  # nothing was read again
        again = {r.path: r.error for r in w2.indexing_view.model.rows() if r.status == "failed"}
        assert again == live  # the same words as when the files failed, in Chinese
        assert again[str(docs / "empty.md")] == "空文件"
        assert again[str(docs / "broken.pdf")].startswith("损坏的 PDF：")  # a reason with an argument
        report = dict(w2.indexing_view._report.files_failed)  # the log and qrag --json keep English
        assert report[str(docs / "empty.md")] == "empty file"
        assert report[str(docs / "broken.pdf")].startswith("damaged PDF: ")
    finally:
        install_language("en")


def test_a_manifest_from_before_reason_templates_shows_its_reasons_in_chinese(qapp, tmp_path) -> None:
    import sqlite3

    from qrag_desktop.core.manifest import Manifest
    from qrag_desktop.ui.i18n import install_language

    old = tmp_path / "manifest.sqlite"
    with sqlite3.connect(old) as db:  # the table as earlier versions made it, with a failed file
        db.execute(
            "CREATE TABLE files (path TEXT PRIMARY KEY, folder TEXT NOT NULL, size INTEGER NOT NULL,"
            " mtime_ns INTEGER NOT NULL, hash TEXT NOT NULL, status TEXT NOT NULL, error TEXT,"
            " chunk_ids TEXT NOT NULL, settings_key TEXT NOT NULL, updated_at REAL NOT NULL)"
        )
        db.execute(
            "INSERT INTO files VALUES ('/d/e.md', '/d', 0, 1, 'h', 'failed', 'empty file', '[]', 'k', 1.0)"
        )
    db.close()
    manifest = Manifest(old)
    try:
        assert manifest.set_aside is None  # an older manifest is not damaged
        install_language("zh_CN")
        rec = manifest.get("/d/e.md")
        assert rec is not None and rec.error == "empty file" and rec.shown_error() == "空文件"
        manifest.put(
            "/d/big.md",
            folder="/d",
            size=9,
            mtime_ns=1,
            digest="h2",
            status="failed",
            chunk_ids=[],
            settings_key="k",
            error="file too large (9 MB, limit 1 MB)",
            error_template="file too large (%1 MB, limit %2 MB)",
            error_args=("9", "1"),
        )
        big = manifest.get("/d/big.md")
        assert big is not None and big.shown_error() == "文件过大（9 MB，上限 1 MB）"
        assert big.error == "file too large (9 MB, limit 1 MB)"
    finally:
        install_language("en")
        manifest.close()
