"""The index follows files created, modified, renamed and deleted while a watcher runs."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from qrag_desktop.core.engine import Engine
from qrag_desktop.core.indexer import IndexReport
from qrag_desktop.core.progress import drain
from qrag_desktop.core.settings import Paths, Settings
from qrag_desktop.core.watcher import FolderWatcher


def wait_for(cond, timeout: float = 30.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def watched(tmp_path: Path, standin_embedder_path: str):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.md").write_text("# Alpha\n\nThe first note about apples.\n", encoding="utf-8")
    engine = Engine(
        Settings(embed_model=standin_embedder_path, rerank_enabled=False, device="cpu"),
        Paths.resolve(tmp_path / "data").ensure(),
    )
    for _ in engine.index([folder]):
        pass
    updates: list[IndexReport] = []
    busy = threading.Lock()

    def on_change(paths: set[str]) -> None:
        with busy:
            updates.append(drain(engine.index([folder], only=sorted(paths))))

    watcher = FolderWatcher([folder], on_change, debounce_s=0.3)
    watcher.start()
    yield folder, engine, updates
    watcher.stop()
    with busy:
        engine.close()


def indexed(engine: Engine) -> set[str]:
    return {Path(p).name for p in engine.store.paths()}


def test_index_follows_create_modify_rename_delete(watched) -> None:
    folder, engine, updates = watched
    (folder / "b.md").write_text("# Beta\n\nBananas are yellow.\n", encoding="utf-8")
    assert wait_for(lambda: "b.md" in indexed(engine)), "a new file was not indexed"

    (folder / "b.md").write_text("# Beta\n\nBlueberries are blue.\n", encoding="utf-8")
    assert wait_for(
        lambda: any("Blueberries" in h.text for h in engine.search("Blueberries", rerank=False).hits)
    )
    assert not any("Bananas" in h.text for h in engine.search("Bananas yellow", rerank=False, top_k=10).hits)

    (folder / "b.md").rename(folder / "c.md")
    assert wait_for(lambda: indexed(engine) == {"a.md", "c.md"}), indexed(engine)

    (folder / "a.md").unlink()
    assert wait_for(lambda: indexed(engine) == {"c.md"}), indexed(engine)


def test_a_burst_of_saves_is_one_update(watched) -> None:
    folder, engine, updates = watched
    f = folder / "draft.md"
    for i in range(10):
        f.write_text(f"# Draft\n\nVersion {i} of the draft.\n", encoding="utf-8")
        time.sleep(0.02)
    assert wait_for(lambda: "draft.md" in indexed(engine))
    time.sleep(1.0)
    assert len(updates) == 1, [u.files_indexed for u in updates]
    assert any("Version 9" in h.text for h in engine.search("Version 9 draft", rerank=False).hits)
