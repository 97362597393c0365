"""Test-wide setup: no display, no network, a fresh data dir per test, shared fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Never reach a model hub from tests: models load from local folders or the local cache only.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# A key that may be set on a developer's machine must not leak into tests.
os.environ.pop("OPENAI_API_KEY", None)
for _var in (
    "QRAG_DATA_DIR",
    "QRAG_EMBED_MODEL",
    "QRAG_RERANK_MODEL",
    "QRAG_MILVUS_URI",
    "QRAG_MILVUS_TOKEN",
):
    os.environ.pop(_var, None)

pytest_plugins = ["tests.standin_fixtures", "tests.openai_server"]

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The team's shared material (corpus, eval questions), beside the repository.

    Tests that need it skip, saying why, when it is absent (the app itself never needs it)."""
    if not (SHARED / "corpora" / "milvus-docs-en").is_dir():
        pytest.skip(f"shared corpus not found at {SHARED}")
    return SHARED


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    return d
