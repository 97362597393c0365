"""The index follows the folders: edits under a running window, changes made while it was closed,
a removed folder, a retried file, and a paused run that survives a restart."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from qrag_desktop.core.settings import FolderSetting
from tests.ui_fixtures import *  # noqa: F403 - fixtures
from tests.ui_fixtures import progress_settled, standin_settings, wait_idle, wait_index_done, write_docs

pytestmark = pytest.mark.filterwarnings("ignore:GitWildMatchPattern:DeprecationWarning")

FAST = 0.3  # watcher debounce for tests, seconds


def _status(w, path: Path) -> str | None:
    rec = w.engine.manifest.get(str(path.resolve()))
    return rec.status if rec else None


def _row(w, path: Path):
    return w.indexing_view.model.status_of(str(path.resolve()))


def _found(w, word: str) -> set[str]:
    """Files whose passages contain ``word``, as a keyword search returns them."""
    return {os.path.basename(h.path) for h in w.engine.search(word, rerank=False).hits if word in h.text}


@pytest.fixture
def settings_for(standin_embedder_path, standin_reranker_path, openai_server):
    def make(*folders: Path, **kw):
        return standin_settings(
            standin_embedder_path,
            standin_reranker_path,
            openai_server,
            folders=tuple(FolderSetting(str(f.resolve())) for f in folders),
            **kw,
        )

    return make


def test_edits_under_an_open_window_reach_the_index(qtbot, make_window, docs):
    w = make_window(watch_debounce_s=FAST)
    w.add_folders([str(docs)])
    wait_index_done(qtbot, w)
    wait_idle(qtbot, w)
    assert w.watcher.folders == (str(docs.resolve()),)

    new = docs / "zebra.md"
    new.write_text("# Zebras\n\nZebrafish and zebras both have stripes.\n", encoding="utf-8")
    qtbot.waitUntil(lambda: _status(w, new) == "done", timeout=20000)
    qtbot.waitUntil(lambda: _row(w, new) is not None and _row(w, new).status == "done", timeout=5000)
    wait_idle(qtbot, w)
    assert "zebra.md" in _found(w, "Zebrafish")

    (docs / "milvus.md").write_text("# Milvus\n\nQuokkas now live in this file.\n", encoding="utf-8")
    qtbot.waitUntil(lambda: "milvus.md" in _found_when_idle(w, "Quokkas"), timeout=20000)
    assert "milvus.md" not in _found(w, "Lite")  # the old text left with the old chunks

    (docs / "rerank.txt").unlink()
    qtbot.waitUntil(lambda: _status(w, docs / "rerank.txt") is None, timeout=20000)
    qtbot.waitUntil(lambda: _row(w, docs / "rerank.txt").status == "removed", timeout=5000)
    wait_idle(qtbot, w)
    assert "rerank.txt" not in _found(w, "cross-encoder")
    # the folders panel counts what is left: milvus.md, bm25.html, zebra.md
    item = w.folders_panel.item_for(str(docs.resolve()))
    qtbot.waitUntil(lambda: item.text(w.folders_panel.COL_FILES).startswith("3"), timeout=10000)


def _found_when_idle(w, word: str) -> set[str]:
    return set() if w.jobs.jobs() else _found(w, word)


def test_changes_made_while_closed_are_found_at_the_next_start(
    qtbot, make_window, docs, settings_for, tmp_path
):
    data = tmp_path / "kb"
    w = make_window(settings_for(docs), data_dir=data, check_models=False)
    qtbot.waitUntil(lambda: w.indexing_view._report is not None, timeout=60000)  # the start-up pass
    wait_idle(qtbot, w)
    assert _status(w, docs / "milvus.md") == "done"
    w.close()

    (docs / "later.md").write_text(
        "# Later\n\nWritten while the app was closed: narwhals.\n", encoding="utf-8"
    )
    (docs / "bm25.html").unlink()
    w2 = make_window(settings_for(docs), data_dir=data, check_models=False)
    qtbot.waitUntil(lambda: w2.indexing_view._report is not None, timeout=60000)
    report = w2.indexing_view._report
    assert report.files_indexed == 1  # later.md; everything else cost a stat
    assert report.files_unchanged == 2  # milvus.md, rerank.txt (broken.pdf fails again)
    assert _row(w2, docs / "later.md").status == "done"
    assert _row(w2, docs / "milvus.md").status == "unchanged"
    assert _row(w2, docs / "bm25.html").status == "removed"
    assert w2.tabs.currentWidget() is w2.chat_splitter  # it ran quietly, the Ask tab stays in front
    wait_idle(qtbot, w2)
    assert "later.md" in _found(w2, "narwhals")


def test_removing_a_folder_takes_its_passages_out(qtbot, make_window, docs, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "wombat.md").write_text("# Wombats\n\nWombats dig burrows and have cube droppings.\n", "utf-8")
    w = make_window()
    w.add_folders([str(docs), str(other)])
    wait_index_done(qtbot, w)
    wait_idle(qtbot, w)
    assert "wombat.md" in _found(w, "Wombats")

    panel = w.folders_panel
    panel.tree.setCurrentItem(panel.item_for(str(other.resolve())))
    qtbot.mouseClick(panel.remove_button, Qt.MouseButton.LeftButton)  # confirm answers yes in tests
    assert panel.item_for(str(other.resolve())) is None
    assert w.watcher.folders == (str(docs.resolve()),)
    wait_idle(qtbot, w)
    assert _found(w, "Wombats") == set()
    assert w.engine.manifest.all(folder=str(other.resolve())) == []
    assert "milvus.md" in _found(w, "Milvus")  # the other folder is untouched


def test_retry_failed_reads_a_fixed_file_again(qtbot, make_window, docs):
    bad = docs / "notes.txt"
    bad.write_bytes(b"\x00\x01\x02\x03 not text at all \xff\xfe\x00")
    w = make_window()
    w.add_folders([str(docs)])
    wait_index_done(qtbot, w)
    wait_idle(qtbot, w)
    w.watcher.stop()  # so that it is Retry, not the watcher, that picks the fix up
    assert _row(w, bad).status == "failed" and "binary" in _row(w, bad).error
    view = w.indexing_view
    assert view.retry_button.isEnabled()

    bad.write_text("Notes: the fixed file now holds plain text about pangolins.\n", encoding="utf-8")
    qtbot.mouseClick(view.retry_button, Qt.MouseButton.LeftButton)
    wait_index_done(qtbot, w)
    assert _row(w, bad).status == "done" and not _row(w, bad).error
    assert _status(w, bad) == "done"
    assert _row(w, docs / "broken.pdf").status == "failed"  # still broken, retried, still says why
    wait_idle(qtbot, w)
    assert "notes.txt" in _found(w, "pangolins")


def test_a_paused_run_survives_a_restart(qtbot, make_window, settings_for, tmp_path):
    folder = write_docs(tmp_path / "big")
    for i in range(24):
        (folder / f"note{i:02}.md").write_text(
            f"# Note {i}\n\n" + f"Paragraph {i} about vector search and reranking. " * 150, encoding="utf-8"
        )
    data = tmp_path / "kb"
    s = settings_for(folder, index_batch_chunks=8)
    w = make_window(s, data_dir=data, check_models=False)
    view = w.indexing_view
    # Pause once a file is finished (a group of files takes several embedding batches).
    qtbot.waitUntil(lambda: any(r.status == "done" for r in view.model.rows()), timeout=60000)
    qtbot.mouseClick(view.pause_button, Qt.MouseButton.LeftButton)
    # the batch under way finishes, then nothing moves
    qtbot.waitUntil(lambda: progress_settled(qtbot, view), timeout=30000)
    done_before = {r.path for r in w.engine.manifest.all() if r.status == "done"}
    assert done_before and view._report is None
    w.close()

    w2 = make_window(s, data_dir=data, check_models=False)
    view2 = w2.indexing_view
    qtbot.waitUntil(lambda: view2.held, timeout=20000)
    assert w2.tabs.currentWidget() is view2
    assert view2.resume_button.isVisible() and not view2.pause_button.isVisible()
    assert "paused" in view2.headline.text()
    qtbot.wait(500)
    assert w2.indexing.job is None  # it waits to be asked
    qtbot.mouseClick(view2.resume_button, Qt.MouseButton.LeftButton)
    wait_index_done(qtbot, w2)
    report = view2._report
    assert not report.cancelled
    assert report.files_unchanged >= len(done_before)  # finished files cost a stat, no embedding
    assert report.files_indexed == 27 - report.files_unchanged  # 28 files, broken.pdf fails
    assert w2.engine.manifest.get_meta("paused_run") is None
    assert not view2.held
