"""Small helpers shared by the engine-level tests (indexer, progressive indexing, CLI)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from qrag_desktop.core.engine import Engine


def write_files(root: Path, files: dict[str, str]) -> Path:
    """Write ``files`` (relative path -> UTF-8 text) under ``root``; returns ``root``."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def all_ids(engine: Engine) -> list[str]:
    """Every chunk id in the engine's store, path by path (duplicates would show twice)."""
    return [i for path in engine.store.paths() for i in engine.store.ids_for_path(path)]


def spy_on_embedding(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """From now on, every passage the engine's real embedding model is asked to embed."""
    seen: list[str] = []
    emb = engine.embedder()
    real = emb.embed_documents

    def spy(texts: Any, **kw: Any) -> Any:
        seen.extend(texts)
        return real(texts, **kw)

    monkeypatch.setattr(emb, "embed_documents", spy)
    return seen
