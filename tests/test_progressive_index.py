"""Progressive indexing: a file is findable by keyword as soon as it is read, long before its
passages are embedded; dense search never sees a passage that has no vector yet."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from qrag_desktop.core.engine import Engine
from qrag_desktop.core.indexer import IndexProgress, IndexReport
from qrag_desktop.core.jobs import JobControl
from qrag_desktop.core.progress import drain
from qrag_desktop.core.settings import Paths, Settings
from qrag_desktop.core.store import EmbeddingSpec, MilvusStore
from qrag_desktop.core.types import Chunk
from tests.engine_helpers import all_ids, spy_on_embedding, write_files

# One file per write group (index_batch_chunks=1), each with a word no other file has.
DOCS = {
    "alpha.md": "# Alpha\n\nThe alpha notes talk about lighthouses on the northern coast.\n",
    "beta.md": "# Beta\n\nBeta covers sourdough starters and how long they keep.\n",
    "gamma.md": "# Gamma\n\nGamma is about tram timetables in the old town.\n",
    "omega.md": "# Omega\n\nOmega describes the zanzibar archive and its catalogue cards.\n",
}
LAST = "omega.md"  # written last: still a placeholder while the first file is embedded
LAST_WORD = "zanzibar"


@pytest.fixture
def engine(tmp_path: Path, standin_embedder_path: str) -> Iterator[Engine]:
    e = Engine(
        Settings(embed_model=standin_embedder_path, rerank_enabled=False, device="cpu", index_batch_chunks=1),
        Paths.resolve(tmp_path / "data").ensure(),
    )
    yield e
    e.close()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return write_files(tmp_path / "docs", DOCS)


def path_of(folder: Path, name: str) -> str:
    return str((folder / name).resolve())


def ids_of(engine: Engine, path: str) -> list[str]:
    return engine.store.ids_for_path(path)


def finish(events: Iterator[IndexProgress | IndexReport]) -> IndexReport:
    return drain(events)


def until_first_file_done(events: Iterator[IndexProgress | IndexReport]) -> str:
    """Drive the run to the moment its first file is stored with vectors; the run waits there."""
    for ev in events:
        if isinstance(ev, IndexProgress) and ev.file is not None and ev.file.status == "done":
            return ev.file.path
    raise AssertionError("the run ended before any file was done")


def test_a_file_is_found_by_keyword_before_it_is_embedded(engine: Engine, folder: Path) -> None:
    events = engine.index([folder])
    try:
        first_done = until_first_file_done(events)
        last = path_of(folder, LAST)
        assert first_done != last
        assert engine.manifest.get(last).status == "writing"  # not embedded yet

        # keyword search, and the app's own (hybrid) search, find the file not embedded yet
        assert [h.path for h in engine.store.keyword_search(LAST_WORD, 3)] == [last]
        result = engine.search(f"where is the {LAST_WORD} archive", rerank=False)
        assert last in [h.path for h in result.hits]

        # dense search sees only what has real vectors: the finished file, no placeholder
        query = engine.embedder().embed_query("archive catalogue cards")
        dense = engine.store.dense_search(query, k=50)
        assert {h.path for h in dense} == {first_done}
        assert all(h.score != 0.0 for h in dense)

        report = finish(events)
    finally:
        events.close()  # a run left suspended would write to the store after the test closed it
    assert report.files_indexed == len(DOCS) and not report.cancelled
    # now the same passage has its real vector: dense search finds it, its vector is not zero
    dense = engine.store.dense_search(query, k=50)
    assert last in {h.path for h in dense}
    last_ids = ids_of(engine, last)
    vectors = engine.store.vectors_for_ids(last_ids)
    assert set(vectors) == set(last_ids) and all(np.linalg.norm(v) > 0.5 for v in vectors.values())
    assert engine.store.count() == len(all_ids(engine)) == len(set(all_ids(engine)))


def test_search_while_indexing_is_paused(engine: Engine, folder: Path) -> None:
    """The person pauses a long run and asks a question: the answer includes unembedded files."""
    control = JobControl()
    paused = threading.Event()
    reports: list[IndexReport] = []

    def work() -> None:
        for ev in engine.index([folder], control):
            if isinstance(ev, IndexProgress) and ev.file is not None and ev.file.status == "done":
                if not paused.is_set():
                    control.pause()
                    paused.set()
            elif isinstance(ev, IndexReport):
                reports.append(ev)

    worker = threading.Thread(target=work)
    worker.start()
    try:
        assert paused.wait(300), "no file was finished"
        result = engine.search(f"{LAST_WORD} archive", rerank=False)
        assert path_of(folder, LAST) in [h.path for h in result.hits]
        assert engine.manifest.get(path_of(folder, LAST)).status == "writing"
    finally:
        control.resume()
        worker.join(300)
    assert not worker.is_alive()
    assert reports and reports[0].files_indexed == len(DOCS)


def test_an_edited_file_is_never_found_in_two_versions(engine: Engine, folder: Path) -> None:
    """While the new version waits to be embedded, keyword search finds it and not the old one."""
    finish(engine.index([folder]))
    target = folder / LAST
    target.write_text("# Omega\n\nOmega now describes the quokka archive.\n", encoding="utf-8")
    events = engine.index([folder])
    try:
        for ev in events:
            if isinstance(ev, IndexProgress) and ev.stage == "embedding":
                break  # the edit is read and stored, not embedded yet
        assert engine.manifest.get(path_of(folder, LAST)).status == "writing"
        assert [h.path for h in engine.store.keyword_search("quokka", 3)] == [path_of(folder, LAST)]
        assert engine.store.keyword_search(LAST_WORD, 3) == []
        report = finish(events)
    finally:
        events.close()
    assert report.files_indexed == 1 and report.chunks_deleted == 1
    assert engine.store.count() == len(DOCS)


@pytest.mark.parametrize("stop", ["cancel", "abandon"])
def test_a_run_stopped_before_vectors_is_finished_by_the_next(
    engine: Engine, folder: Path, monkeypatch, stop: str
) -> None:
    """Stopped after the placeholders were stored, before any vector: the next run embeds them all."""
    control = JobControl()
    events = engine.index([folder], control)
    try:
        for ev in events:
            if isinstance(ev, IndexProgress) and ev.stage == "embedding":
                break  # the first group starts embedding: every file is stored as placeholders
        if stop == "cancel":
            control.cancel()
            report = finish(events)
            assert report.cancelled and report.files_indexed == 0
    finally:
        events.close()  # "abandon": the job dies where it stands, as in a kill (nothing flagged done)
    ids = all_ids(engine)
    assert len(ids) == len(DOCS)  # one passage per file, each a placeholder
    assert engine.store.vectors_for_ids(ids) == {}
    assert [h.path for h in engine.store.keyword_search(LAST_WORD, 3)] == [path_of(folder, LAST)]
    assert all(r.status == "writing" for r in engine.manifest.all())

    embedded = spy_on_embedding(engine, monkeypatch)
    report = finish(engine.index([folder]))
    assert report.files_indexed == len(DOCS) and report.chunks_added == len(DOCS)
    assert len(embedded) == len(DOCS)  # every placeholder was embedded, none twice
    ids = all_ids(engine)
    assert len(ids) == len(set(ids)) == engine.store.count() == len(DOCS)
    assert set(engine.store.vectors_for_ids(ids)) == set(ids)  # all real now
    assert all(r.status == "done" for r in engine.manifest.all())


def test_keyword_only_index_is_unchanged(tmp_path: Path, folder: Path) -> None:
    """Without an embedding model the zero vectors are final: done, counted, found by keyword."""
    e = Engine(Settings(rerank_enabled=False, index_batch_chunks=1), Paths.resolve(tmp_path / "kw").ensure())
    try:
        report = finish(e.index([folder], keyword_only=True))
        assert report.files_indexed == len(DOCS) and report.chunks_added == e.store.count() == len(DOCS)
        assert all(r.status == "done" for r in e.manifest.all())
        result = e.search(LAST_WORD)
        assert [h.path for h in result.hits] == [path_of(folder, LAST)]
        again = finish(e.index([folder], keyword_only=True))
        assert again.files_unchanged == len(DOCS) and again.chunks_added == 0
    finally:
        e.close()


# -- the store on its own -----------------------------------------------------------------------------

DIM = 8


def _chunk(cid: str, text: str) -> Chunk:
    return Chunk(id=cid, path=f"/kb/{cid}.md", page=None, heading="", position=0, text=text, embed_text=text)


def test_dense_search_skips_placeholders_yet_returns_k_real_hits(tmp_path: Path) -> None:
    """Many placeholders tie at score 0.0, above real passages that score below zero: dense
    search still returns the k real ones, and vectors_for_ids treats placeholders as missing."""
    store = MilvusStore.local(tmp_path / "index.db")
    try:
        store.ensure_collection(EmbeddingSpec("test/tiny", DIM, ""))
        q = np.eye(DIM, dtype=np.float32)[0]
        real = [_chunk("near", "near"), _chunk("side", "side"), _chunk("away", "away")]
        real_vecs = np.stack([q, np.eye(DIM, dtype=np.float32)[1] * 0.9 + q * 0.1, -q]).astype(np.float32)
        store.upsert(real, real_vecs)
        holes = [_chunk(f"ph{i:02d}", f"placeholder {i}") for i in range(40)]
        store.upsert(holes, np.zeros((len(holes), DIM), dtype=np.float32))
        store.flush()
        hits = store.dense_search(q, k=3)
        assert [h.chunk_id for h in hits] == ["near", "side", "away"]
        assert store.vectors_for_ids(["near", "ph00", "ph01"]).keys() == {"near"}
        assert [h.chunk_id for h in store.keyword_search("placeholder 7", 1)] == ["ph07"]
    finally:
        store.close()
