"""Folders that are renamed, moved or deleted: their passages do not linger, a vanished folder is
reported, `qrag remove` takes any path out, and a renamed folder's vectors are reused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qrag_desktop.core.engine import Engine
from qrag_desktop.core.indexer import IndexReport
from qrag_desktop.core.settings import Paths, Settings
from tests.engine_helpers import all_ids, spy_on_embedding, write_files
from tests.robust_helpers import Cli, in_process_cli

DOCS = {
    "a.md": "# A\n\nThe zebrafish sleeps at noon.\n",
    "sub/b.txt": "The narwhal sings under the ice.\n",
    "sub/c.md": "# C\n\nThe okapi hides in the rainforest.\n",
}


def _index(engine: Engine, *folders: Path) -> IndexReport:
    *_, report = engine.index([str(f) for f in folders])
    assert isinstance(report, IndexReport)
    return report


def test_a_renamed_folder_moves_its_passages_and_reuses_their_vectors(
    tmp_path: Path, standin_embedder_path: str, monkeypatch
) -> None:
    engine = Engine(
        Settings(embed_model=standin_embedder_path, rerank_enabled=False, device="cpu"),
        Paths.resolve(tmp_path / "data").ensure(),
    )
    try:
        old = write_files(tmp_path / "Projects", DOCS)
        first = _index(engine, old)
        embedded = spy_on_embedding(engine, monkeypatch)
        new = old.rename(tmp_path / "Projects-2026")

        report = _index(engine, new)  # only the new name is indexed: the old one is gone
        assert embedded == []  # found by content hash: the vectors were reused
        paths = set(engine.store.paths())
        assert all(p.startswith(str(new)) for p in paths), paths
        assert len(paths) == 3 and report.chunks_total == first.chunks_total
        assert len(all_ids(engine)) == len(set(all_ids(engine))) == first.chunks_total
        assert engine.status().files == 3
    finally:
        engine.close()


@pytest.fixture
def qrag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    return in_process_cli(tmp_path / "data", capsys)


def test_a_deleted_folder_is_reported_and_can_be_removed(qrag, tmp_path: Path) -> None:
    keep = write_files(tmp_path / "keep", {"k.md": "# K\n\nThe kiwi cannot fly.\n"})
    gone = write_files(tmp_path / "gone", DOCS)
    assert qrag("index", str(keep), str(gone), "--keyword-only")[0] == 0
    for p in sorted(gone.rglob("*"), reverse=True):
        p.rmdir() if p.is_dir() else p.unlink()
    gone.rmdir()

    rc, out, err = qrag("status")
    assert rc == 0 and "Missing" in out and str(gone) in out and "qrag remove" in out, out
    st = json.loads(qrag("status", "--json")[1])
    assert st["missing_folders"] == [str(gone)]

    rc, out, err = qrag("remove", str(gone))
    assert rc == 0, err
    assert "3 files" in out
    st = json.loads(qrag("status", "--json")[1])
    assert st["files"] == 1 and st["missing_folders"] == []
    assert [f["path"] for f in st["folders"]] == [str(keep)]
    rc, out, _ = qrag("search", "narwhal ice", "--json", "--no-rerank")
    assert all("gone" not in h["path"] for h in json.loads(out)["hits"])


def test_remove_takes_out_one_file_or_subfolder_and_says_when_nothing_matched(qrag, tmp_path: Path) -> None:
    docs = write_files(tmp_path / "docs", DOCS)
    assert qrag("index", str(docs), "--keyword-only")[0] == 0
    rc, out, _ = qrag("remove", str(docs / "sub"))
    assert rc == 0 and "2 files" in out
    assert json.loads(qrag("status", "--json")[1])["files"] == 1
    rc, _, err = qrag("remove", str(tmp_path / "never-indexed"))
    assert rc == 2 and "Nothing indexed under" in err
