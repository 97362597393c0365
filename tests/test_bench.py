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
    standin_onnx_cache: Path,
) -> None:
    monkeypatch.setenv("QRAG_CACHE_DIR", str(standin_onnx_cache))  # exports shared with test_onnx_path
    folder = tmp_path / "notes"  # the end-to-end mode's folder: two small files
    folder.mkdir()
    for i in range(2):
        body = " ".join(f"Sentence {j} of note {i} about flushing collections." for j in range(60))
        (folder / f"note{i}.md").write_text(f"# Note {i}\n\n{body}\n", encoding="utf-8")
    args = ["bench", "--json", "--quick", "--device", "cpu", "--index-corpus", str(folder)]
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

    # The CPU comes first: its name, cores and the instruction sets that decide the format.
    cpu = report["cpu"]
    assert list(report)[0] == "cpu"
    assert cpu["model"] and cpu["physical_cores"] >= 1
    sets = cpu["instruction_sets"]
    assert set(sets) == {"avx2", "avx_vnni", "avx512f", "avx512_vnni", "avx512_bf16", "amx"}
    assert all(v is None or isinstance(v, bool) for v in sets.values())
    if Path("/proc/cpuinfo").is_file():  # Linux: every flag is known
        assert all(isinstance(v, bool) for v in sets.values())
    assert cpu["peak_gflops"]["fp32"] > 0 and cpu["peak_gflops"]["int8"] >= cpu["peak_gflops"]["fp32"]
    # Each candidate format timed on the same texts; the one chosen marked; one that cannot run
    # here says why instead of a figure.
    for key, figure in (("embed_formats", "tokens_per_s"), ("rerank10_formats", "ms")):
        formats = report[key]
        assert {"fp32", "int8", "onnx-fp32", "onnx-int8"} <= set(formats), formats
        assert formats["fp32"][figure] > 0 and formats["int8"][figure] > 0
        assert all((figure in e) != ("error" in e) for e in formats.values()), formats
        assert [f for f, e in formats.items() if e["chosen"]] == ["fp32"]
        assert 0 < formats["fp32"]["share_of_limit"] < 1
    assert 0 < report["embed_limit"]["share"] < 1 and report["embed_limit"]["limit"] == "fp32"
    assert 0 < report["rerank_limit"]["share"] < 1
    # Search with reranking: at the default budget, and with every candidate reranked.
    assert report["search_rerank_full_p50_ms"] > 0
    budget = report["search_rerank_budget"]
    assert budget["budget_s"] == 2.5  # the app's default on a CPU
    assert len(budget["reranked"]) == report["search_rerank_questions"] >= 1
    assert all(1 <= n <= of for n, of in zip(budget["reranked"], budget["candidates"], strict=True))
    assert set(report["targets"]) >= {"embed_speedup", "rerank10_speedup", "search_rerank_p95_ms"}
    assert report["targets"]["peak_rss_index_mb"]["value"] == own["index_peak_rss_mb"]
    # The end-to-end mode indexed the whole folder and says where the time went.
    corpus = report["index_corpus"]
    assert corpus["files_indexed"] == 2 and corpus["passages"] > 0 and corpus["passages_per_s"] > 0
    assert set(corpus["stages_s"]) == {"parse", "chunk", "embed", "store", "other"}
    assert corpus["stages_s"]["embed"] > 0 and corpus["stages_s"]["parse"] > 0


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


def test_cpu_limit_follows_the_documented_rule() -> None:
    """2 AVX2 cores at 2.5 GHz: 160 GFLOP/s fp32, int8 twice that; VNNI makes int8 four times."""
    from qrag_desktop.bench_cpu import parse_cpuinfo, peak_gflops, sets_from_flags

    info = parse_cpuinfo(
        "model name\t: Laptop CPU\nflags\t\t: fpu sse2 avx fma avx2\ncpu MHz\t\t: 2500.000\n"
    )
    assert info["model"] == "Laptop CPU" and info["mhz"] == 2500.0
    sets = sets_from_flags(info["flags"])
    assert sets["avx2"] and not sets["avx_vnni"] and not sets["amx"]
    cpu = {"physical_cores": 2, "max_mhz": 2500, "instruction_sets": sets}
    assert peak_gflops(cpu) == {"fp32": 160.0, "int8": 320.0, "bf16": None}
    vnni = {**cpu, "instruction_sets": {**sets, "avx_vnni": True}}
    assert peak_gflops(vnni)["int8"] == 640.0
    avx512 = {**cpu, "instruction_sets": {**sets, "avx512f": True, "avx512_bf16": True}}
    assert peak_gflops(avx512) == {"fp32": 320.0, "int8": 640.0, "bf16": 640.0}
