"""The ONNX Runtime CPU path gives the torch path's answers, exports once, survives a killed export,
and steps aside (saying why) when ONNX Runtime is missing. Exports use the tiny stand-ins."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")

from qrag_desktop.core.engine import Engine  # noqa: E402
from qrag_desktop.core.errors import Cancelled  # noqa: E402
from qrag_desktop.core.jobs import JobControl  # noqa: E402
from qrag_desktop.core.models import numerics, onnx_export  # noqa: E402
from qrag_desktop.core.models.embedder import Embedder  # noqa: E402
from qrag_desktop.core.models.reranker import Reranker  # noqa: E402
from qrag_desktop.core.progress import IndexProgress, drain  # noqa: E402
from qrag_desktop.core.settings import Paths, Settings  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
TEXTS = list(numerics.SAMPLE_PASSAGES)
QUERIES = list(numerics.SAMPLE_QUERIES)


@pytest.fixture(scope="module")
def onnx_cache(standin_onnx_cache: Path) -> Iterator[Path]:
    """The stand-ins' export cache shared with the other tests (never the user's cache)."""
    cache = standin_onnx_cache
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("QRAG_CACHE_DIR", str(cache))
        yield cache


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)


@pytest.fixture(scope="module")
def torch_vectors(standin_embedder_path: str) -> np.ndarray:
    return Embedder(standin_embedder_path, device="cpu", precision="fp32").embed_all(TEXTS)


def test_onnx_embeddings_agree_with_torch_fp32_and_hold_no_torch_model(
    onnx_cache: Path, standin_embedder_path: str, torch_vectors: np.ndarray
) -> None:
    import torch

    for fmt, floor in (("onnx-fp32", 0.9999), ("onnx-int8", 0.95)):
        emb = Embedder(standin_embedder_path, device="cpu", precision=fmt)
        vectors = emb.embed_all(TEXTS)
        assert emb.numeric is not None and emb.numeric.format == fmt
        # int8 on random 64-dim weights is the pessimistic case; real weights are held to 0.99 by
        # the guard and by the retrieval-quality test with MiniLM.
        assert _cosines(torch_vectors, vectors).min() >= floor, fmt
        assert emb.query_prompt is not None and emb.embed_query("flush").shape == (emb.dimension,)
        # Only the session and the tokenizer: no torch copy of the model stays in memory.
        assert not any(isinstance(v, torch.nn.Module) for v in vars(emb._st).values())


def test_left_padding_gives_a_padded_batch_the_vectors_of_single_rows(
    onnx_cache: Path, standin_embedder_path: str
) -> None:
    emb = Embedder(standin_embedder_path, device="cpu", precision="onnx-fp32")
    emb.warm_up()
    assert emb.tokenizer.padding_side == "left"  # last-token pooling reads position -1
    texts = ["short", TEXTS[0], TEXTS[2] + " " + TEXTS[3]]
    batch = emb.embed_all(texts, batch_tokens=10_000)  # one padded batch
    single = np.stack([emb.embed_all([t])[0] for t in texts])
    np.testing.assert_allclose(batch, single, atol=1e-5)


def test_onnx_reranker_scores_and_order_agree_with_torch_fp32(
    onnx_cache: Path, standin_reranker_path: str
) -> None:
    ref = Reranker(standin_reranker_path, device="cpu", precision="fp32", batch_size=3)
    expected = [ref.score(q, TEXTS) for q in QUERIES]
    fp32 = Reranker(standin_reranker_path, device="cpu", precision="onnx-fp32", batch_size=3)
    got = [fp32.score(q, TEXTS) for q in QUERIES]
    assert fp32.numeric is not None and fp32.numeric.format == "onnx-fp32"
    np.testing.assert_allclose(got, expected, atol=1e-4)
    assert [np.argsort(g).tolist() for g in got] == [np.argsort(e).tolist() for e in expected]
    int8 = Reranker(standin_reranker_path, device="cpu", precision="onnx-int8", batch_size=3)
    quantized = [int8.score(q, TEXTS) for q in QUERIES]
    assert int8.numeric is not None and int8.numeric.format == "onnx-int8"
    assert numerics.rankings_agree(expected, quantized).ok  # fp32's top-5 order, near-ties aside
    # One row at a time gives the padded batches' scores: left padding is respected.
    alone = [int8.score(QUERIES[0], [t])[0] for t in TEXTS]
    np.testing.assert_allclose(alone, quantized[0], atol=0.05)


def test_a_second_load_reuses_the_cached_export(onnx_cache: Path, standin_embedder_path: str) -> None:
    Embedder(standin_embedder_path, device="cpu", precision="onnx-int8").warm_up()  # exported by now
    before = onnx_export.exports_started
    t0 = time.perf_counter()
    again = Embedder(standin_embedder_path, device="cpu", precision="onnx-int8")
    assert list(again.prepare()) == []  # nothing to prepare: no progress, no export
    again.warm_up()
    assert onnx_export.exports_started == before
    assert again.numeric is not None and again.numeric.format == "onnx-int8"
    assert time.perf_counter() - t0 < 10  # an export starts a process that imports torch: seconds


def test_cancelling_the_export_kills_it_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, standin_reranker_path: str
) -> None:
    monkeypatch.setenv("QRAG_CACHE_DIR", str(tmp_path))
    control = JobControl()
    rr = Reranker(standin_reranker_path, device="cpu", precision="onnx-int8")
    steps = rr.prepare(control)
    first = next(steps)
    assert (first.done, first.total) == (1, onnx_export.STEPS)
    assert "once" in first.message
    control.cancel()
    with pytest.raises(Cancelled):
        list(steps)
    assert not list((tmp_path / "onnx").glob("reranker-*"))
    assert not list((tmp_path / "onnx").glob(".tmp-*"))


KILLED_EXPORT = """
import os, sys
sys.path.insert(0, {repo!r})
from qrag_desktop.core.models import onnx_export
if __name__ == "__main__":
    for step in onnx_export.ensure_export("embedder", {model!r}):
        print(step.done, flush=True)
"""


def test_an_export_killed_half_way_is_not_used_and_the_next_start_exports_with_progress(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, standin_embedder_path: str
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("QRAG_CACHE_DIR", str(cache))
    script = tmp_path / "export.py"
    script.write_text(textwrap.dedent(KILLED_EXPORT.format(repo=str(REPO), model=standin_embedder_path)))
    with subprocess.Popen(
        [sys.executable, str(script)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "QRAG_CACHE_DIR": str(cache)},
        start_new_session=True,
    ) as proc:
        try:
            assert proc.stdout is not None
            while proc.stdout.readline().strip() != "2":  # the model is loaded, the graph being written
                assert proc.poll() is None, "the export ended before it could be killed"
        finally:
            os.killpg(proc.pid, signal.SIGKILL)  # the app and its export child, as a crash would
            proc.wait(30)
    left = list((cache / "onnx").glob(".tmp-*"))
    assert left and not list((cache / "onnx").glob("embedder-*"))

    # The next start: an engine set to onnx-int8 indexes and searches; the half-written export is
    # not loaded, a new one is made and its progress reaches the indexing stream.
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "flush.md").write_text("# Flush\n\nFlush seals growing segments so that search is fast.\n")
    (docs / "bananas.md").write_text("# Bananas\n\nBananas are yellow fruit rich in potassium.\n")
    settings = Settings(
        embed_model=standin_embedder_path, rerank_enabled=False, device="cpu", numeric="onnx-int8"
    )
    engine = Engine(settings, Paths.resolve(tmp_path / "data").ensure())
    try:
        events: list[IndexProgress] = []
        report = drain(engine.index([docs]), events.append)
        preparing = [ev.detail for ev in events if ev.stage == "preparing"]
        assert preparing and all(d and "once" in d for d in preparing)
        assert report.files_indexed == 2 and not report.files_failed
        assert engine.embedder().numeric is not None and engine.embedder().numeric.format == "onnx-int8"
        result = engine.search("bananas potassium", top_k=2, rerank=False)
        assert result.hits and result.hits[0].path.endswith("bananas.md")
    finally:
        engine.close()
    assert not any(p.exists() for p in left)  # the dead export's folder is gone
    assert len(list((cache / "onnx").glob("embedder-*"))) == 1


NO_RUNTIME = """
import logging, sys
sys.modules["onnxruntime"] = None  # as if it were not installed
sys.path.insert(0, {repo!r})
logging.basicConfig(level=logging.INFO, format="LOG %(message)s", stream=sys.stdout)
from qrag_desktop.core.models.embedder import Embedder
emb = Embedder({model!r}, device="cpu", precision="onnx-int8")
vector = emb.embed_query("flush")
print("FORMAT", emb.numeric.format, vector.shape[0])
"""


def test_without_onnxruntime_torch_serves_and_the_log_says_why_in_one_line(
    tmp_path: Path, standin_embedder_path: str
) -> None:
    script = NO_RUNTIME.format(repo=str(REPO), model=standin_embedder_path)
    env = {**os.environ, "QRAG_CACHE_DIR": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300, check=True
    ).stdout
    assert "FORMAT int8 64" in out  # torch's int8 serves, the vectors come
    why = [line for line in out.splitlines() if line.startswith("LOG") and "onnxruntime" in line]
    assert len(why) == 1 and "torch" in why[0], out
    assert not (tmp_path / "onnx").exists()  # no export was attempted
