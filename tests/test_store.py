"""The Milvus store, for real: Milvus Lite in a temp folder, and a `milvus-lite server` process."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from qrag_desktop.core.errors import (
    EngineClosedError,
    ModelMismatchError,
    StoreLockedError,
    StoreUnavailableError,
)
from qrag_desktop.core.settings import Paths, Settings
from qrag_desktop.core.store import EmbeddingSpec, MilvusStore, open_store
from qrag_desktop.core.types import Chunk

REPO = Path(__file__).resolve().parent.parent
DIM = 16
SPEC = EmbeddingSpec("test/tiny-embed", DIM, "Given a question, find passages")


def unit(v: np.ndarray) -> np.ndarray:
    return (v / np.linalg.norm(v, axis=-1, keepdims=True)).astype(np.float32)


def rand_vecs(n: int, seed: int, dim: int = DIM) -> np.ndarray:
    return unit(np.random.default_rng(seed).normal(size=(n, dim)))


def chunk(
    cid: str, path: str, text: str, *, page: int | None = None, heading: str = "", pos: int = 0
) -> Chunk:
    return Chunk(
        id=cid,
        path=path,
        page=page,
        heading=heading,
        position=pos,
        text=text,
        embed_text=f"{heading}\n{text}",
    )


# A small knowledge base: three files, one of them Chinese.
CORPUS = [
    chunk(
        "a0",
        "/kb/notes/milvus.md",
        "Milvus Lite keeps its data in a folder with a LOCK file.",
        heading="Store",
    ),
    chunk(
        "a1",
        "/kb/notes/milvus.md",
        "Hybrid search fuses dense and BM25 results with RRF.",
        heading="Search",
        pos=1,
    ),
    chunk(
        "b0", "/kb/papers/fox.pdf", "The quick brown fox jumps over the lazy dog.", page=3, heading="Intro"
    ),
    chunk("b1", "/kb/papers/fox.pdf", "Foxes are small omnivorous mammals.", page=4, pos=1),
    chunk("c0", "/kb/中文/向量.md", "向量数据库是一种专门存储和检索向量的数据库。", heading="简介"),
    chunk("c1", "/kb/中文/向量.md", "今天天气很好，我们去公园散步。", pos=1),
]


def fill(store: MilvusStore, chunks: list[Chunk] = CORPUS, seed: int = 0) -> np.ndarray:
    store.ensure_collection(SPEC)
    vecs = rand_vecs(len(chunks), seed)
    store.upsert(chunks, vecs)
    store.flush()
    return vecs


@pytest.fixture
def store_path(data_dir: Path) -> Path:
    return data_dir / "index.db"


@pytest.fixture
def store(store_path: Path) -> Iterator[MilvusStore]:
    s = MilvusStore.local(store_path)
    s.open()
    yield s
    s.close()


def test_hybrid_search_puts_the_relevant_passage_first(store: MilvusStore) -> None:
    vecs = fill(store)
    target = 1  # "Hybrid search fuses dense and BM25 results with RRF."
    query_vec = unit(vecs[target] + 0.3 * rand_vecs(1, 99)[0])

    hits = store.hybrid_search("hybrid search RRF", query_vec, k=3, candidates=10)

    assert [h.chunk_id for h in hits][:1] == ["a1"]
    assert len(hits) == 3
    assert hits[0].score >= hits[1].score >= hits[2].score > 0
    top = hits[0]
    assert (top.path, top.heading, top.position, top.page) == ("/kb/notes/milvus.md", "Search", 1, None)
    assert top.text == CORPUS[target].text
    # dense search alone also finds it, with an IP score near 1 for a near-identical vector
    dense = store.dense_search(query_vec, k=2)
    assert dense[0].chunk_id == "a1" and dense[0].score > 0.8


def test_hits_keep_page_numbers(store: MilvusStore) -> None:
    fill(store)
    hits = store.keyword_search("quick brown fox", k=1)
    assert hits[0].chunk_id == "b0" and hits[0].page == 3 and hits[0].heading == "Intro"


def test_keyword_only_mode_without_a_vector(store: MilvusStore) -> None:
    fill(store)
    hits = store.hybrid_search("omnivorous mammals", None, k=2)
    assert hits[0].chunk_id == "b1"
    assert hits[0].score > 0


def test_keyword_search_finds_chinese_and_english(store: MilvusStore) -> None:
    fill(store)
    zh = store.keyword_search("数据库", k=5)
    assert [h.chunk_id for h in zh] == ["c0"]  # jieba splits the passage; nothing else contains the word
    en = store.keyword_search("FOX", k=5)  # case does not matter
    assert en and en[0].chunk_id == "b0"
    assert all(h.path == "/kb/papers/fox.pdf" for h in en)
    assert store.keyword_search("天气 公园", k=5)[0].chunk_id == "c1"
    assert store.keyword_search("   ", k=5) == []


def test_delete_path_removes_a_file_from_results_and_counts(store: MilvusStore) -> None:
    fill(store)
    assert store.count() == 6
    assert store.paths() == {"/kb/notes/milvus.md": 2, "/kb/papers/fox.pdf": 2, "/kb/中文/向量.md": 2}

    assert store.delete_path("/kb/papers/fox.pdf") == 2
    store.flush()

    assert store.count() == 4
    assert "/kb/papers/fox.pdf" not in store.paths()
    assert store.keyword_search("fox", k=5) == []
    assert all(h.path != "/kb/papers/fox.pdf" for h in store.dense_search(rand_vecs(1, 0)[0], k=10))
    stats = store.stats()
    assert (stats.chunks, stats.files, stats.spec) == (4, 2, SPEC)
    assert store.delete_path("/kb/papers/fox.pdf") == 0


def test_search_sees_writes_without_an_explicit_flush(store: MilvusStore) -> None:
    store.ensure_collection(SPEC)
    store.upsert(CORPUS[:2], rand_vecs(2, 1))
    assert store.keyword_search("RRF", k=3)[0].chunk_id == "a1"
    store.delete_ids(["a1"])
    assert store.keyword_search("RRF", k=3) == []


def test_reopen_keeps_data_and_spec(store_path: Path) -> None:
    first = MilvusStore.local(store_path)
    first.open()
    first.ensure_collection(SPEC)
    vecs = rand_vecs(len(CORPUS), 0)
    first.upsert(CORPUS, vecs)  # no flush: close() must not lose it
    first.close()
    first.close()  # idempotent

    second = MilvusStore.local(store_path)
    try:
        second.open()
        second.open()
        assert second.spec() == SPEC
        assert second.count() == len(CORPUS)
        assert second.dense_search(vecs[4], k=1)[0].chunk_id == "c0"
        got = second.vectors_for_ids(["a0", "c1", "missing"])
        assert set(got) == {"a0", "c1"}
        np.testing.assert_allclose(got["c1"], vecs[5], rtol=1e-6)
    finally:
        second.close()


def test_a_different_model_is_refused(store: MilvusStore) -> None:
    fill(store)
    other = EmbeddingSpec("Qwen/Qwen3-Embedding-0.6B", 1024, SPEC.query_instruction)
    with pytest.raises(ModelMismatchError) as info:
        store.ensure_collection(other)
    assert info.value.message == (
        "This index was built with test/tiny-embed (16 dims); "
        "the current model is Qwen/Qwen3-Embedding-0.6B (1024)."
    )
    assert "qrag index --reembed" in (info.value.hint or "")
    with pytest.raises(ModelMismatchError):
        store.check_spec(other)
    assert store.count() == len(CORPUS)  # nothing was touched


def test_a_different_dimension_or_instruction_is_refused(store: MilvusStore) -> None:
    fill(store)
    with pytest.raises(ModelMismatchError, match=r"test/tiny-embed \(16 dims\).*test/tiny-embed \(32\)"):
        store.check_spec(EmbeddingSpec(SPEC.model_id, 32, SPEC.query_instruction))
    with pytest.raises(ModelMismatchError, match="query instruction"):
        store.ensure_collection(EmbeddingSpec(SPEC.model_id, DIM, "Another task"))
    store.ensure_collection(SPEC)  # the same spec is fine, and idempotent
    store.check_spec(SPEC)
    with pytest.raises(ModelMismatchError, match="The query vector has 32 dims"):
        store.hybrid_search("fox", rand_vecs(1, 0, 32)[0], k=3)
    with pytest.raises(ValueError):
        store.upsert(CORPUS[:1], rand_vecs(1, 0, 32))
    assert store.count() == len(CORPUS)


def test_drop_then_rebuild_with_a_new_model(store: MilvusStore) -> None:
    fill(store)
    new = EmbeddingSpec("other/model", 32, "task")
    store.drop()
    assert store.spec() is None and store.count() == 0 and store.paths() == {}
    assert store.keyword_search("fox", 3) == [] and store.dense_search(rand_vecs(1, 0, 32)[0], 3) == []
    store.check_spec(new)  # no index yet: nothing to mismatch
    store.ensure_collection(new)
    store.upsert(CORPUS[:1], rand_vecs(1, 5, 32))
    assert store.count() == 1 and store.spec() == new


def test_upsert_by_same_id_replaces_instead_of_duplicating(store: MilvusStore) -> None:
    fill(store)
    changed = chunk("b0", "/kb/papers/fox.pdf", "The quick brown fox now sleeps.", page=3)
    store.upsert([changed], rand_vecs(1, 7))
    store.flush()
    assert store.count() == len(CORPUS)
    assert sorted(store.ids_for_path("/kb/papers/fox.pdf")) == ["b0", "b1"]
    hits = store.keyword_search("sleeps", k=5)
    assert [h.text for h in hits] == ["The quick brown fox now sleeps."]
    assert store.keyword_search("lazy dog", k=5) == []


def test_file_counts_stay_right_through_replace_move_and_delete(store_path: Path) -> None:
    with MilvusStore.local(store_path) as store:
        fill(store)
        assert store.paths()["/kb/papers/fox.pdf"] == 2
        moved = chunk("b1", "/kb/renamed/fox.pdf", "Foxes are small omnivorous mammals.")
        store.upsert([moved, chunk("n0", "/kb/new.md", "new")], rand_vecs(2, 8))
        store.delete_ids(["c1", "nope"])
        seen = store.paths()
    assert seen == {
        "/kb/notes/milvus.md": 2,
        "/kb/papers/fox.pdf": 1,
        "/kb/renamed/fox.pdf": 1,
        "/kb/new.md": 1,
        "/kb/中文/向量.md": 1,
    }
    with MilvusStore.local(store_path) as fresh:  # counted from scratch
        assert fresh.paths() == seen


@pytest.mark.parametrize("flushed", [True, False], ids=["flushed", "unflushed"])
def test_folder_filter_limits_results_to_files_under_it(store: MilvusStore, flushed: bool) -> None:
    folders = ["/kb/notes/", "/kb/notes-old/", "/kb/my_docs/", "/kb/myXdocs/", "/kb/100%/", '/kb/a\\b"q/']
    chunks = [chunk(f"f{i}", f"{d}file.md", f"common words in folder {i}") for i, d in enumerate(folders)]
    store.ensure_collection(SPEC)
    vecs = rand_vecs(len(chunks), 3)
    store.upsert(chunks, vecs)
    if flushed:
        store.flush()

    q = unit(vecs.sum(axis=0))
    for i, folder in enumerate(folders):
        for prefix in (folder, folder.rstrip("/")):  # with or without the trailing separator
            want = [f"f{i}"]
            assert [h.chunk_id for h in store.keyword_search("common words", 10, paths=[prefix])] == want
            assert [h.chunk_id for h in store.dense_search(q, 10, paths=[prefix])] == want
            assert [h.chunk_id for h in store.hybrid_search("common", q, 10, paths_prefix=[prefix])] == want
    both = store.hybrid_search("common", q, 10, paths_prefix=["/kb/notes", "/kb/my_docs/"])
    assert sorted(h.chunk_id for h in both) == ["f0", "f2"]
    assert store.dense_search(q, 10, paths=["/elsewhere/"]) == []
    assert store.dense_search(q, 10, paths=["/kb/my_"]) == []  # a prefix is a folder, not a name start
    assert len(store.dense_search(q, 10, paths=None)) == len(folders)


def test_long_text_is_cut_on_a_character_boundary(store: MilvusStore) -> None:
    text = "数据" * 20000  # 120,000 bytes of UTF-8
    store.ensure_collection(SPEC)
    store.upsert([chunk("long", "/kb/long.md", text, heading="标题" * 1000)], rand_vecs(1, 2))
    hit = store.keyword_search("数据", k=1)[0]
    assert len(hit.text.encode()) <= 65535 and text.startswith(hit.text) and len(hit.text) > 20000
    assert len(hit.heading.encode()) <= 4096 and hit.heading.startswith("标题")


def test_stats_and_factory_never_show_the_token(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = Paths(data_dir=data_dir, config_dir=data_dir, log_dir=data_dir / "logs")
    local = open_store(Settings(), paths)
    assert local.location == str(paths.store_path)

    monkeypatch.setenv("QRAG_MILVUS_TOKEN", "s3cret-token")
    remote = open_store(
        Settings(milvus_uri="https://user:pw@milvus.example.com:19530", collection="kb2"), paths
    )
    assert remote.location == "https://milvus.example.com:19530"
    assert "pw" not in remote.location
    assert remote._token == "s3cret-token"  # from the environment, as the CLI and app rely on
    assert open_store(Settings(milvus_uri="http://h:1"), paths, token="given")._token == "given"


# -- one process per local store --------------------------------------------------------------

HOLDER = """
import sys
from qrag_desktop.core.store import MilvusStore
s = MilvusStore.local(sys.argv[1])
s.open()
print("READY", s.count(), flush=True)
sys.stdin.readline()
s.close()
"""


def open_in_another_process(path: Path) -> subprocess.CompletedProcess[str]:
    """Run HOLDER on ``path`` to the end: it prints READY and the store's row count, then closes."""
    return subprocess.run(
        [sys.executable, "-c", HOLDER, str(path)],
        cwd=REPO,
        input="\n",
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_second_process_is_refused_and_the_first_keeps_its_data(store_path: Path) -> None:
    with MilvusStore.local(store_path) as s:
        fill(s)
    with subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(store_path)],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as holder:
        try:
            assert holder.stdout is not None and holder.stdin is not None
            assert holder.stdout.readline().split() == ["READY", str(len(CORPUS))]

            second = MilvusStore.local(store_path)
            with pytest.raises(StoreLockedError) as info:
                second.open()
            assert info.value.message == (
                f"The knowledge base at {store_path} is open in another qrag-desktop process."
            )
            assert "--data-dir" in (info.value.hint or "")
            second.close()

            holder.stdin.write("\n")
            holder.stdin.flush()
            assert holder.wait(timeout=30) == 0
        finally:
            if holder.poll() is None:
                holder.kill()

    with MilvusStore.local(store_path) as again:
        assert again.count() == len(CORPUS) and again.spec() == SPEC


def test_closing_releases_the_lock_for_other_processes(store_path: Path) -> None:
    with MilvusStore.local(store_path) as s:
        fill(s)
    out = open_in_another_process(store_path)
    assert out.returncode == 0 and out.stdout.split() == ["READY", str(len(CORPUS))]


def test_a_closed_engine_does_not_reopen_its_store(tmp_path: Path) -> None:
    """Work that outlives close() (a job the app stopped waiting for) gets a clear error; it does
    not start a Milvus Lite server that holds the folder's LOCK with nobody left to close it."""
    from qrag_desktop.core.engine import Engine

    paths = Paths.resolve(tmp_path / "data").ensure()
    engine = Engine(Settings(), paths)
    assert engine.status().chunks == 0  # opens the store and the manifest
    engine.close()
    with pytest.raises(EngineClosedError, match="closed"):
        engine.status()
    assert engine._store is None
    out = open_in_another_process(paths.store_path)  # the folder is free for another process
    assert out.returncode == 0 and out.stdout.split()[0] == "READY", out.stderr[-1000:]


def test_a_damaged_store_says_so(store_path: Path) -> None:
    with MilvusStore.local(store_path) as s:
        fill(s)
    for manifest in store_path.glob("collections/knowledge/manifest.json*"):
        manifest.write_text("{ not json")
    damaged = MilvusStore.local(store_path)
    with pytest.raises(StoreUnavailableError, match="damaged"):
        damaged.open()
    damaged.close()


def test_an_index_file_cut_short_by_a_crash_is_rebuilt_and_nothing_is_lost(store_path: Path) -> None:
    """Milvus Lite writes its index files in place: a kill -9 while it writes one (CI saw it) left
    a file cut short, and every later open said the knowledge base was damaged."""
    with MilvusStore.local(store_path) as s:
        vecs = fill(s)
    with MilvusStore.local(store_path) as s:  # loading writes the index files of the stored data
        assert s.count() == len(CORPUS)
    sidecars = sorted(store_path.glob("collections/knowledge/partitions/*/indexes/*.idx"))
    assert sidecars
    whole = {f.name: f.stat().st_size for f in sidecars}
    for f in sidecars:
        f.write_bytes(f.read_bytes()[: f.stat().st_size // 2])

    with MilvusStore.local(store_path) as s:
        assert s.count() == len(CORPUS)
        assert s.dense_search(vecs[1], k=1)[0].chunk_id == "a1"
        assert s.keyword_search("quick brown fox", k=1)[0].chunk_id == "b0"
    rebuilt = {
        f.name: f.stat().st_size for f in store_path.glob("collections/knowledge/partitions/*/indexes/*.idx")
    }
    assert rebuilt == whole


def test_arrow_in_the_store_allocates_through_malloc_unless_the_user_chose_a_pool() -> None:
    """Arrow's own pool kept what each write freed: indexing a bigger folder held more and more."""
    code = "import qrag_desktop.core.store, pyarrow as pa; print(pa.default_memory_pool().backend_name)"
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True)
    assert out.stdout.split() == ["system"], out.stderr[-500:]
    env["ARROW_DEFAULT_MEMORY_POOL"] = "mimalloc"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True)
    assert out.stdout.split() == ["mimalloc"], out.stderr[-500:]


# -- a Milvus server by URI ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("milvus-server")
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "milvus_lite", "server", "--data-dir", str(data / "srv.db")]
        + ["--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"milvus-lite server exited with {proc.returncode}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("milvus-lite server did not accept connections within 60 s")
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.send_signal(signal.SIGINT)  # lets it close its data folder cleanly
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_server_insert_search_delete(server_uri: str, data_dir: Path) -> None:
    paths = Paths(data_dir=data_dir, config_dir=data_dir, log_dir=data_dir / "logs")
    store = open_store(Settings(milvus_uri=server_uri, collection="server_kb"), paths, token="root:Milvus")
    with store:
        store.drop()
        vecs = fill(store)
        assert store.spec() == SPEC
        assert store.hybrid_search("hybrid RRF", vecs[1], k=2)[0].chunk_id == "a1"
        assert store.keyword_search("数据库", k=3)[0].chunk_id == "c0"
        assert store.delete_path("/kb/notes/milvus.md") == 2
        store.flush()
        assert store.count() == 4
        assert store.keyword_search("RRF", k=3) == []
        stats = store.stats()
        assert (stats.chunks, stats.files, stats.location) == (4, 2, server_uri)
        assert "root:Milvus" not in stats.location
    with open_store(Settings(milvus_uri=server_uri, collection="server_kb"), paths) as again:
        assert again.count() == 4 and again.spec() == SPEC
        with pytest.raises(ModelMismatchError):
            again.check_spec(EmbeddingSpec("other", DIM, SPEC.query_instruction))


def test_a_server_that_is_not_running_is_reported_quickly() -> None:
    uri = f"http://127.0.0.1:{free_port()}"
    store = MilvusStore(uri, token="s3cret-token")
    started = time.monotonic()
    with pytest.raises(StoreUnavailableError) as info:
        store.open()
    assert time.monotonic() - started < 15
    assert info.value.message == f"Cannot reach the Milvus server at {uri}."
    assert "s3cret" not in info.value.user_text()
    store.close()


def test_an_invalid_server_address_does_not_echo_credentials() -> None:
    bad = MilvusStore("http://user:s3cret@host:notaport")
    with pytest.raises(StoreUnavailableError) as info:
        bad.open()
    assert "s3cret" not in info.value.user_text() and info.value.cause is None


def test_milvus_lite_unimplemented_rpc_noise_stays_out_of_the_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import qrag_desktop.core.store  # noqa: F401  (importing the store installs the filter)

    grpc_log = logging.getLogger("grpc._server")
    with caplog.at_level(logging.ERROR):
        grpc_log.error("Exception calling application: Method not implemented!")
        grpc_log.error("Exception calling application: disk full")
    messages = [r.getMessage() for r in caplog.records]
    assert messages == ["Exception calling application: disk full"]  # real errors still show
