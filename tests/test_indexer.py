"""Incremental, crash-safe indexing: what a person sees when re-indexing, renaming, deleting, killing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import qrag_desktop.core.indexer as indexer_mod
from qrag_desktop.core.engine import Engine
from qrag_desktop.core.indexer import IndexProgress, IndexReport
from qrag_desktop.core.jobs import JobControl
from qrag_desktop.core.settings import Paths, Settings
from tests.engine_helpers import all_ids, spy_on_embedding, write_files

DOCS = {
    "flush.md": "# Flushing\n\nMilvus flushes growing segments to object storage when they are sealed.\n",
    "index.md": "# Indexes\n\nHNSW builds a graph; IVF_FLAT clusters vectors into lists.\n",
    "notes/storage.txt": "Data is stored in object storage such as MinIO or S3.\n",
    "notes/deep/guide.md": "# Guide\n\n## Install\n\nRun pip install pymilvus to get the client.\n",
}


def write_tree(root: Path, docs: dict[str, str] = DOCS) -> Path:
    return write_files(root, docs)


def run(engine: Engine, folder: Path, control: JobControl | None = None, **kw) -> tuple[IndexReport, list]:
    events = []
    report = None
    for ev in engine.index([folder], control, **kw):
        if isinstance(ev, IndexReport):
            report = ev
        else:
            events.append(ev)
    assert report is not None
    return report, events


@pytest.fixture
def engine(tmp_path: Path, standin_embedder_path: str):
    e = Engine(
        Settings(embed_model=standin_embedder_path, rerank_enabled=False, device="cpu"),
        Paths.resolve(tmp_path / "data").ensure(),
    )
    yield e
    e.close()


@pytest.fixture
def embedded(engine: Engine, monkeypatch) -> list[str]:
    """Every text the embedding model is asked to embed (a spy on the real model)."""
    return spy_on_embedding(engine, monkeypatch)


def test_first_run_indexes_every_file_and_reports_progress(engine: Engine, tmp_path: Path) -> None:
    folder = write_tree(tmp_path / "docs")
    report, events = run(engine, folder)
    assert report.files_seen == 4 and report.files_indexed == 4 and report.files_failed == ()
    assert report.chunks_added == report.chunks_total == engine.store.count() > 0
    done = {
        e.file.path for e in events if isinstance(e, IndexProgress) and e.file and e.file.status == "done"
    }
    assert done == {str((folder / rel).resolve()) for rel in DOCS}
    hits = engine.search("where is data stored object storage", rerank=False).hits
    assert any(h.path.endswith("storage.txt") for h in hits)


def test_reindex_of_unchanged_tree_embeds_nothing_and_reads_no_file(
    engine: Engine, tmp_path: Path, embedded: list[str], monkeypatch
) -> None:
    folder = write_tree(tmp_path / "docs")
    run(engine, folder)
    embedded.clear()
    reads: list[Path] = []
    real_digest = indexer_mod.file_digest
    monkeypatch.setattr(indexer_mod, "file_digest", lambda p: reads.append(p) or real_digest(p))
    report, _ = run(engine, folder, parse=lambda p, m: pytest.fail(f"parsed {p}"))
    assert report.files_unchanged == 4 and report.files_indexed == 0
    assert report.chunks_added == 0 and report.chunks_deleted == 0
    assert embedded == [] and reads == []


def test_touched_but_identical_file_costs_a_hash_not_an_embedding(engine, tmp_path, embedded) -> None:
    folder = write_tree(tmp_path / "docs")
    run(engine, folder)
    embedded.clear()
    f = folder / "index.md"
    os.utime(f, (time.time() + 10, time.time() + 10))
    report, _ = run(engine, folder)
    assert report.files_unchanged == 4 and embedded == []


def test_modified_file_reembeds_only_that_file(engine: Engine, tmp_path: Path, embedded: list[str]) -> None:
    folder = write_tree(tmp_path / "docs")
    run(engine, folder)
    before = engine.store.count()
    embedded.clear()
    (folder / "index.md").write_text("# Indexes\n\nDiskANN keeps the graph on SSD.\n", encoding="utf-8")
    report, _ = run(engine, folder)
    assert report.files_indexed == 1 and report.files_unchanged == 3
    assert embedded and all("DiskANN" in t for t in embedded)
    assert engine.store.count() == before  # one chunk replaced by one chunk
    texts = [h.text for h in engine.search("DiskANN graph on SSD", rerank=False, top_k=10).hits]
    assert any("DiskANN" in t for t in texts) and not any("HNSW" in t for t in texts)


def test_renamed_file_is_repointed_not_reembedded(
    engine: Engine, tmp_path: Path, embedded: list[str]
) -> None:
    folder = write_tree(tmp_path / "docs")
    run(engine, folder)
    embedded.clear()
    old = folder / "notes" / "storage.txt"
    new = folder / "moved" / "storage-renamed.txt"
    new.parent.mkdir()
    old.rename(new)
    report, _ = run(engine, folder)
    assert embedded == []  # the vectors were reused
    paths = set(engine.store.paths())
    assert str(new.resolve()) in paths and str(old.resolve()) not in paths
    assert report.files_indexed == 1


def test_deleted_file_leaves_the_index(engine: Engine, tmp_path: Path) -> None:
    folder = write_tree(tmp_path / "docs")
    run(engine, folder)
    (folder / "notes" / "storage.txt").unlink()
    report, _ = run(engine, folder)
    assert report.chunks_deleted >= 1
    assert not any(p.endswith("storage.txt") for p in engine.store.paths())
    assert not any(
        h.path.endswith("storage.txt") for h in engine.search("object storage MinIO", rerank=False).hits
    )


def test_exclusion_rules_remove_files_from_the_index(engine: Engine, tmp_path: Path) -> None:
    folder = write_tree(tmp_path / "docs")
    (folder / "node_modules").mkdir()
    (folder / "node_modules" / "pkg.md").write_text("# dependency readme\n\nnot yours\n", encoding="utf-8")
    (folder / ".hidden").mkdir()
    (folder / ".hidden" / "secret.md").write_text("# hidden\n\nsecret\n", encoding="utf-8")
    report, _ = run(engine, folder)
    assert report.files_seen == 4  # defaults exclude node_modules/ and hidden folders
    (folder / ".qragignore").write_text("notes/\n", encoding="utf-8")
    report, _ = run(engine, folder)
    assert not any("/notes/" in p for p in engine.store.paths())
    assert report.chunks_deleted >= 2


def test_cancel_keeps_finished_files_and_resume_completes(engine: Engine, tmp_path: Path) -> None:
    many = {f"doc{i:02d}.md": f"# Doc {i}\n\n" + ("word " * 300) + f"unique{i}\n" for i in range(12)}
    folder = write_tree(tmp_path / "docs", many)
    engine.settings = engine.settings.replace(index_batch_chunks=1)  # commit file by file
    control = JobControl()
    report = None
    for ev in engine.index([folder], control):
        if isinstance(ev, IndexProgress) and ev.file and ev.file.status == "done":
            control.cancel()
        if isinstance(ev, IndexReport):
            report = ev
    assert report is not None and report.cancelled
    done_first = report.files_indexed
    assert 0 < done_first < 12
    report2, _ = run(engine, folder)
    assert report2.files_unchanged == done_first and report2.files_indexed == 12 - done_first
    ids = all_ids(engine)
    assert len(ids) == len(set(ids)) == engine.store.count()


def _done_rows(data: Path) -> int:
    """Files the manifest marks done, read while another process writes it (SQLite WAL)."""
    import sqlite3

    db = data / "manifest.sqlite"
    if not db.exists():
        return 0
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return con.execute("SELECT count(*) FROM files WHERE status='done'").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return 0


def _clean_ids(tmp_path: Path, folder: Path, model: str) -> set[str]:
    e = Engine(
        Settings(embed_model=model, rerank_enabled=False, device="cpu"),
        Paths.resolve(tmp_path / "clean").ensure(),
    )
    try:
        run(e, folder)
        return set(all_ids(e))
    finally:
        e.close()


@pytest.mark.slow
def test_kill_9_at_any_moment_then_restart_gives_the_clean_result(
    tmp_path: Path, shared_dir: Path, standin_embedder_path: str
) -> None:
    corpus = shared_dir / "corpora" / "milvus-docs-en"
    folder = tmp_path / "corpus"
    folder.mkdir()
    # a part of the shared corpus keeps this test to a minute on two cores
    for p in sorted(corpus.rglob("*.md"))[:40]:
        (folder / p.relative_to(corpus)).parent.mkdir(parents=True, exist_ok=True)
        (folder / p.relative_to(corpus)).write_bytes(p.read_bytes())
    clean = _clean_ids(tmp_path, folder, standin_embedder_path)
    data = tmp_path / "killed"
    cmd = [
        sys.executable,
        "-m",
        "qrag_desktop.cli",
        "--data-dir",
        str(data),
        "--embed-model",
        standin_embedder_path,
        "--device",
        "cpu",
        "index",
        str(folder),
        "--json",
    ]
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    # Kill -9 once the manifest shows N files done (so each kill lands mid-run, with work stored),
    # plus one kill a moment after a write group starts, i.e. in the middle of embedding/writing.
    for files_done, extra_delay in ((3, 0.0), (12, 0.3), (25, 0.0)):
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        deadline = time.monotonic() + 300
        while proc.poll() is None and time.monotonic() < deadline:
            if _done_rows(data) >= files_done:
                time.sleep(extra_delay)
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the run finished before it could be killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
    stored_before = _done_rows(data)
    assert 25 <= stored_before < 40
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    assert out.returncode == 0, out.stderr
    resumed = json.loads(out.stdout)
    e = Engine(
        Settings(embed_model=standin_embedder_path, rerank_enabled=False, device="cpu"), Paths.resolve(data)
    )
    try:
        ids = all_ids(e)
        assert len(ids) == len(set(ids)), "duplicate chunks after kill -9"
        assert set(ids) == clean, "index differs from a clean run's"
        assert e.store.count() == len(clean)
        assert all(r.status == "done" for r in e.manifest.all())
    finally:
        e.close()
    # the resumed run embedded only what the killed runs had not stored
    assert resumed["chunks_added"] < len(clean)
