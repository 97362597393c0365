"""Retrieval quality on the shared Milvus docs corpus, with the real small MiniLM model, no reranker.

The naive baseline (1500-char windows, MiniLM) reaches MRR@10 0.832 at best; this pipeline must
do clearly better: MRR@10 >= 0.85 and hit@5 >= 0.93.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from qrag_desktop.core.engine import Engine
from qrag_desktop.core.evaluation import load_questions, score
from qrag_desktop.core.progress import drain
from qrag_desktop.core.settings import Paths, Settings

# Indexing the whole corpus takes minutes on two cores: more than the suite's per-test limit.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(3000)]


# "onnx-int8" exports MiniLM and runs it through ONNX Runtime with int8 weights, the path most laptops
# get for the 0.6B models: the whole pipeline (chunks, BM25, fusion) and the quantization must keep
# the bar together. "auto" keeps MiniLM in torch fp32 (a small model): the same pipeline on exact
# vectors, measured at MRR@10 0.865; indexing the corpus costs 4-6 minutes per format on two
# cores, so CI runs the int8 path only, and QRAG_QUALITY_FORMATS=auto,onnx-int8 runs both.
FORMATS = [f.strip() for f in os.environ.get("QRAG_QUALITY_FORMATS", "onnx-int8").split(",") if f.strip()]


@pytest.fixture(scope="module", params=FORMATS)
def corpus_engine(request, tmp_path_factory, shared_dir: Path, minilm_path: str):
    if request.param.startswith("onnx"):
        pytest.importorskip("onnxruntime")
    paths = Paths.resolve(tmp_path_factory.mktemp("eval-data")).ensure()
    settings = Settings(embed_model=minilm_path, rerank_enabled=False, device="cpu", numeric=request.param)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("QRAG_CACHE_DIR", str(tmp_path_factory.mktemp("eval-cache")))  # its export, not the user's
        engine = Engine(settings, paths)
        report = drain(engine.index([shared_dir / "corpora" / "milvus-docs-en"]))
        assert not report.cancelled
        numeric = engine.embedder().numeric
        assert numeric is not None and numeric.format == (
            "fp32" if request.param == "auto" else request.param
        )
        yield engine, report
        engine.close()


def test_corpus_indexes_completely(corpus_engine, shared_dir: Path) -> None:
    engine, report = corpus_engine
    md_files = list((shared_dir / "corpora" / "milvus-docs-en").rglob("*.md"))
    assert report.files_seen == len(md_files)
    assert report.files_failed == ()
    assert report.files_indexed == len(md_files)
    assert report.chunks_total == engine.store.count() > len(md_files)


def test_hybrid_recall_beats_the_naive_baseline(corpus_engine, shared_dir: Path) -> None:
    engine, _ = corpus_engine
    questions = load_questions(shared_dir / "eval" / "queries.jsonl")
    corpus = shared_dir / "corpora" / "milvus-docs-en"
    scores = score(questions, lambda q: engine.search(q, top_k=20, rerank=False), corpus)
    numeric = engine.embedder().numeric
    print(
        f"retrieval quality (MiniLM {numeric.format if numeric else '?'}, hybrid, no rerank):",
        scores.to_json(),
    )
    assert scores.mrr10 >= 0.85, scores.to_json()
    assert scores.hit5 >= 0.93, scores.to_json()
