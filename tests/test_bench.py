"""`qrag bench` runs end to end on tiny stand-ins and reports every figure the issue asks for.

No timing assertions: speed is measured by the benchmark itself, not by timed tests.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qrag_desktop.cli import main

KEYS = (
    "embed_tokens_per_s",
    "embed_tokens_per_s_naive",
    "embed_chunks_per_s",
    "rerank10_ms",
    "rerank10_ms_naive",
    "rerank30_ms",
    "rerank30_ms_naive",
    "search_p50_ms",
    "search_p95_ms",
    "search_rerank_p50_ms",
    "peak_rss_mb",
    "device",
)


def test_bench_quick_prints_one_json_object_with_the_figures(
    standin_embedder_path: str,
    standin_reranker_path: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("QRAG_CACHE_DIR", str(tmp_path / "cache"))
    args = ["bench", "--json", "--quick", "--device", "cpu"]
    args += ["--embed-model", standin_embedder_path, "--rerank-model", standin_reranker_path]
    args += ["--index-model", standin_embedder_path, "--standins", str(tmp_path / "standins")]
    assert main(args) == 0
    out = capsys.readouterr().out.strip()
    report = json.loads(out)  # one object, nothing else on stdout
    for key in KEYS:
        assert key in report, key
    assert report["device"] == "cpu"
    assert report["embed_tokens_per_s"] > 0 and report["embed_tokens_per_s_naive"] > 0
    assert report["rerank10_ms"] > 0 and report["rerank10_ms_naive"] > 0
    assert report["search_questions"] >= 3 and report["search_p50_ms"] > 0
    assert report["search_rerank_p50_ms"] > 0
    assert report["index"]["model"] == standin_embedder_path and report["index"]["chunks"] > 0
    assert report["embed_numeric"]["format"] == "fp32"  # a tiny model is never worth calibrating
    # Indexing and answering were measured again, each in a fresh process, on 2 files.
    own = report["memory_own_process"]
    assert "index_error" not in own and "answer_error" not in own, own
    assert own["files"] == 2 and own["chunks"] > 0
    assert own["index_peak_rss_mb"] > 0 and own["answer_peak_rss_mb"] > 0
    assert report["peak_rss_index_mb"] == own["index_peak_rss_mb"]
    assert report["peak_rss_mb"] == max(own["index_peak_rss_mb"], own["answer_peak_rss_mb"])
    assert not (tmp_path / "standins").exists()  # models were given: no stand-in was built


def test_bench_finds_the_shared_corpus_from_a_subfolder(tmp_path: Path) -> None:
    from qrag_desktop.bench import find_shared

    (tmp_path / "shared" / "corpora" / "x").mkdir(parents=True)
    start = tmp_path / "main" / "sub"
    start.mkdir(parents=True)
    assert find_shared(Path("shared") / "corpora" / "x", start) == tmp_path / "shared" / "corpora" / "x"
    assert find_shared(Path("shared") / "corpora" / "y", start) is None


def test_rerank_parts_time_each_technique_and_leave_the_reranker_as_it_was(
    standin_reranker_path: str,
) -> None:
    from qrag_desktop.bench import rerank_parts
    from qrag_desktop.core.models.reranker import Reranker, load_causal_lm

    reranker = Reranker(standin_reranker_path, device="cpu", precision="fp32")
    docs = [f"Passage {i} about collections, indexes and flushing. " * (i + 1) for i in range(6)]
    before = reranker.score("How do I flush?", docs)
    parts = rerank_parts(reranker, "How do I flush?", docs, standin_reranker_path, "cpu", load_causal_lm)
    from qrag_desktop.core.models.numerics import cpu_candidates

    assert set(parts) == {
        "last_logits_packed_fp32",
        "plus_shared_prefix_fp32",
        "plus_doc_budget_fp32",
        *(f"plus_{fmt}" for fmt in cpu_candidates()),  # int8; bf16 too where the CPU has it
    }
    assert "plus_int8" in parts
    assert all(v is not None and v > 0 for v in parts.values())
    # The measured switches are put back: the app's own scores come out unchanged.
    assert reranker.share_prefix and reranker.numeric is not None and reranker.numeric.format == "fp32"
    assert reranker.score("How do I flush?", docs) == pytest.approx(before, abs=1e-6)
