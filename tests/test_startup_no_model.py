"""A start with nothing changed recognises every file from the manifest and a stat: no model loads."""

from __future__ import annotations

import os
from pathlib import Path

from qrag_desktop.core.engine import Engine
from qrag_desktop.core.indexer import IndexReport
from qrag_desktop.core.settings import FolderSetting, Paths, Settings
from tests.engine_helpers import write_files
from tests.ui_fixtures import *  # noqa: F403 - fixtures
from tests.ui_fixtures import standin_settings, wait_idle, wait_index_done

FILES = {
    "a.md": "# A\n\nMilvus stores data in object storage such as MinIO.\n",
    "b.txt": "Install the client with pip install pymilvus.\n",
    "c.md": "# C\n\nReranking reads each candidate with the question.\n",
}


def _report(events: list) -> IndexReport:
    assert isinstance(events[-1], IndexReport)
    return events[-1]


def test_unchanged_files_need_no_model_and_a_change_loads_it(
    tmp_path: Path, standin_embedder_path: str
) -> None:
    docs = write_files(tmp_path / "docs", FILES)
    paths = Paths.resolve(tmp_path / "data").ensure()
    settings = Settings(embed_model=standin_embedder_path, device="cpu", folders=(FolderSetting(str(docs)),))
    first = Engine(settings, paths)
    assert _report(list(first.index([docs]))).files_indexed == 3
    first.close()

    again = Engine(settings, paths)
    events = list(again.index([docs]))
    rep = _report(events)
    assert (rep.files_unchanged, rep.files_indexed, rep.files_failed) == (3, 0, ())
    assert rep.chunks_total >= 3
    assert again._embedder is None  # the model was not loaded to find that nothing changed
    unchanged = [e.file.path for e in events if getattr(e, "file", None) is not None]
    assert sorted(Path(p).name for p in unchanged) == ["a.md", "b.txt", "c.md"]
    # a changed file is embedded: now the model loads
    (docs / "b.txt").write_text("Install the client with pip, then connect to the server.\n")
    rep = _report(list(again.index([docs])))
    assert rep.files_indexed == 1 and again._embedder is not None
    again.close()

    # a vanished file needs the full run, which removes its passages
    third = Engine(settings, paths)
    os.remove(docs / "c.md")
    rep = _report(list(third.index([docs])))
    assert rep.chunks_deleted >= 1 and third._embedder is not None
    third.close()


def test_window_restart_with_nothing_changed_loads_no_model(
    qtbot, make_window, docs, tmp_path, standin_embedder_path, standin_reranker_path, openai_server
) -> None:
    s = standin_settings(standin_embedder_path, standin_reranker_path, openai_server)
    data = tmp_path / "kb"
    w = make_window(s, data_dir=data)
    w.add_folders([str(docs)])
    wait_index_done(qtbot, w)
    wait_idle(qtbot, w)
    indexed = w.indexing_view._report.files_indexed
    assert indexed > 0
    w.close()

    w2 = make_window(w.settings, data_dir=data)
    qtbot.waitUntil(lambda: w2.indexing_view._report is not None, timeout=60000)
    wait_idle(qtbot, w2)
    rep = w2.indexing_view._report
    # unchanged files and the broken ones (failed before, not changed since), no model loaded
    assert rep.files_indexed == 0 and rep.files_unchanged == indexed and rep.files_failed
    assert w2._engine is not None and w2._engine._embedder is None
    assert "Indexing done" in w2.indexing_view.headline.text()
