"""The terminal shows our own lines: no library chatter (faiss's CPU announcement), no gRPC
keepalive complaints from the in-process Milvus Lite server."""

from __future__ import annotations

from pathlib import Path

from qrag_desktop.core.store import EmbeddingSpec, MilvusStore
from tests.engine_helpers import write_files
from tests.robust_helpers import run_cli_process


def test_verbose_commands_do_not_print_faiss_or_milvus_lite_chatter(tmp_path: Path) -> None:
    folder = write_files(tmp_path / "docs", {"a.md": "# A\n\nThe zebrafish sleeps at noon.\n"})
    for args in (["index", str(folder), "--keyword-only"], ["search", "zebrafish", "--no-rerank"]):
        done = run_cli_process(tmp_path / "data", "-v", *args, timeout=180)
        assert done.returncode == 0, done.stderr
        assert "faiss" not in done.stderr and "MilvusLite server" not in done.stderr, done.stderr
        assert "qrag" in done.stderr  # -v still shows our own INFO lines


def test_the_local_store_pings_no_more_often_than_its_server_allows(tmp_path: Path) -> None:
    with MilvusStore.local(tmp_path / "index.db") as store:
        store.ensure_collection(EmbeddingSpec("x", 8, ""))
        options = store._conn()._get_connection()._grpc_options  # what the channel was built with
    assert options["grpc.keepalive_time_ms"] >= 300_000  # gRPC servers' default minimum: 5 minutes
    assert not options["grpc.keepalive_permit_without_calls"]
