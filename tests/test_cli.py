"""The `qrag` command line contract that people and our checks rely on."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qrag_desktop.cli import main
from tests.engine_helpers import write_files

GOOD = {
    "faq.md": "# Product FAQ\n\n## How is data stored?\n\n"
    "Milvus stores data in object storage such as MinIO or S3.\n",
    "flush.md": "# Flush\n\n## How does Milvus flush data?\n\n"
    "Growing segments are sealed and flushed to storage.\n",
    "guide.txt": "Install the client with pip install pymilvus, then connect to the server.\n",
}


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    d = write_files(tmp_path / "docs", GOOD)
    (d / "broken.pdf").write_bytes(
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R\ngarbage" + os.urandom(64)
    )
    (d / "binary.txt").write_bytes(bytes(range(256)) * 20)
    (d / "chinese-gbk.txt").write_bytes("向量数据库把数据存储在对象存储中。".encode("gbk"))
    return d


@pytest.fixture
def qrag(tmp_path: Path, capsys, standin_embedder_path: str, standin_reranker_path: str):
    data = tmp_path / "data"

    def run(*args: str, models: bool = True) -> tuple[int, str, str]:
        argv = ["--data-dir", str(data)]
        if models:
            argv += ["--embed-model", standin_embedder_path, "--rerank-model", standin_reranker_path]
        rc = main(argv + list(args))
        out, err = capsys.readouterr()
        return rc, out, err

    return run


def test_index_json_report_counts_and_failed_files(qrag, docs: Path) -> None:
    rc, out, err = qrag("index", str(docs), "--json")
    assert rc == 0, err
    report = json.loads(out)
    assert set(report) >= {
        "files_seen",
        "files_indexed",
        "files_unchanged",
        "files_failed",
        "chunks_added",
        "chunks_deleted",
        "chunks_total",
        "seconds",
    }
    assert report["files_seen"] == 6
    assert report["files_indexed"] == 4  # the three good files and the GBK one
    failed = {Path(f["path"]).name: f["error"] for f in report["files_failed"]}
    assert set(failed) == {"broken.pdf", "binary.txt"}
    assert "PDF" in failed["broken.pdf"] and "binary" in failed["binary.txt"]
    assert report["chunks_total"] == report["chunks_added"] >= 4

    rc, out, _ = qrag("index", str(docs), "--json")
    again = json.loads(out)
    assert again["files_unchanged"] == 4 and again["chunks_added"] == 0


def test_search_json_with_reranker_and_without(qrag, docs: Path) -> None:
    qrag("index", str(docs), "--json")
    rc, out, err = qrag("search", "how is data stored?", "--json", "--top-k", "3")
    assert rc == 0, err
    res = json.loads(out)
    assert res["query"] == "how is data stored?"
    assert [h["rank"] for h in res["hits"]] == [1, 2, 3]
    for h in res["hits"]:
        assert set(h) >= {"rank", "path", "page", "heading", "score", "text"}
        assert os.path.isabs(h["path"]) and Path(h["path"]).exists()
        assert 0.0 <= h["score"] <= 1.0  # P(yes) from the reranker
    assert res["reranked"] is True and "rerank_ms" in res["timings_ms"]
    scores = [h["score"] for h in res["hits"]]
    assert scores == sorted(scores, reverse=True)

    rc, out, err = qrag("search", "object storage MinIO", "--json", "--no-rerank")
    assert "Batches" not in err, err  # no sentence-transformers progress bar under the app's own lines
    res = json.loads(out)
    assert res["reranked"] is False and "rerank_ms" not in res["timings_ms"]
    assert Path(res["hits"][0]["path"]).name == "faq.md"  # the keyword match wins the fused ranking


def test_chinese_text_in_gbk_is_searchable_by_keyword(qrag, docs: Path) -> None:
    qrag("index", str(docs), "--json")
    rc, out, _ = qrag("search", "对象存储", "--json", "--no-rerank")
    hits = json.loads(out)["hits"]
    assert any("对象存储" in h["text"] for h in hits)


def test_status_json(qrag, docs: Path, standin_embedder_path: str) -> None:
    qrag("index", str(docs), "--json")
    rc, out, _ = qrag("status", "--json")
    st = json.loads(out)
    assert rc == 0 and st["files"] == 4 and st["files_failed"] == 2 and st["chunks"] >= 4
    assert st["model_id"] == standin_embedder_path and st["dimension"] > 0
    assert st["store"].endswith("index.db")
    assert [f["path"] for f in st["folders"]] == [str(docs.resolve())]


def test_ask_streams_an_answer_with_citations(qrag, docs: Path, openai_server, monkeypatch) -> None:
    qrag("index", str(docs), "--json")
    monkeypatch.setenv("OPENAI_API_KEY", openai_server.api_key)
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.base_url)
    openai_server.set_reply("Data lives in object storage [1]. Segments are flushed [2].")
    rc, out, err = qrag("ask", "how is data stored?", "--json")
    assert rc == 0, err
    res = json.loads(out)
    assert (
        res["error"] is None
        and res["answer"] == "Data lives in object storage [1]. Segments are flushed [2]."
    )
    assert [c["n"] for c in res["citations"]] == [1, 2]
    # the citation numbers point at the passages in the order they were sent
    sent = openai_server.requests[-1]["messages"][-1]["content"]
    for c in res["citations"]:
        assert f'<passage n="{c["n"]}" source="{Path(c["path"]).name}' in sent

    rc, out, _ = qrag("ask", "how is data stored?")
    assert "object storage [1]" in out and "Sources:" in out


def test_ask_without_key_still_shows_passages(qrag, docs: Path) -> None:
    qrag("index", str(docs), "--json")
    rc, out, _ = qrag("ask", "how is data stored?", "--json")
    res = json.loads(out)
    assert rc == 1 and res["answer"] is None  # no answer: a script must be able to tell
    assert "API key" in res["error"]
    assert res["passages"] and any("object storage" in p["text"] for p in res["passages"])


def test_ask_with_rejected_key_says_so(qrag, docs: Path, openai_server, monkeypatch) -> None:
    qrag("index", str(docs), "--json")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-wrong")
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.base_url)
    rc, out, _ = qrag("ask", "how is data stored?", "--json")
    res = json.loads(out)
    assert res["answer"] is None and "401" in res["error"] and res["passages"]


def test_missing_model_and_model_mismatch_are_clear(
    qrag, docs: Path, tmp_path: Path, minilm_path: str
) -> None:
    rc, _, err = qrag("--embed-model", str(tmp_path / "no-such-model"), "index", str(docs), models=False)
    assert rc == 2 and "no-such-model" in err
    qrag("index", str(docs), "--json")
    rc, _, err = qrag("--embed-model", minilm_path, "search", "storage", models=False)
    assert rc == 2 and "--reembed" in err
    rc, out, err = qrag("--embed-model", minilm_path, "index", str(docs), "--reembed", "--json", models=False)
    assert rc == 0, err
    assert json.loads(out)["files_indexed"] == 4


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def milvus_server(tmp_path: Path):
    port = _free_port()
    exe = Path(sys.executable).with_name("milvus-lite")
    cmd = [
        str(exe) if exe.exists() else "milvus-lite",
        "server",
        "--data-dir",
        str(tmp_path / "server"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"milvus-lite server exited: {proc.stderr.read().decode()[-2000:]}")
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("milvus-lite server did not start within 60 s")
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    proc.stderr.close()


@pytest.mark.slow
def test_index_and_search_through_a_milvus_server(qrag, docs: Path, milvus_server: str) -> None:
    rc, out, err = qrag("--milvus-uri", milvus_server, "index", str(docs), "--json")
    assert rc == 0, err
    assert json.loads(out)["files_indexed"] == 4
    rc, out, err = qrag(
        "--milvus-uri", milvus_server, "search", "object storage MinIO", "--json", "--no-rerank"
    )
    assert rc == 0, err
    assert Path(json.loads(out)["hits"][0]["path"]).name == "faq.md"
    rc, out, _ = qrag("--milvus-uri", milvus_server, "status", "--json")
    assert json.loads(out)["store"] == milvus_server
