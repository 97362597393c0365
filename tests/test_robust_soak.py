"""Soak: a watched folder is edited, renamed and pruned for a bounded time (QRAG_SOAK_S, a minute
by default) while the watcher keeps the index up to date; then the store, the manifest and the
files on disk must agree exactly, and a full scan must find nothing left to do."""

from __future__ import annotations

import os
import queue
import random
import threading
import time
from pathlib import Path

import pytest

from qrag_desktop.core.engine import Engine
from qrag_desktop.core.indexer import IndexReport, file_digest
from qrag_desktop.core.scan import iter_files, stored_name
from qrag_desktop.core.settings import Paths, Settings
from qrag_desktop.core.watcher import FolderWatcher

WORDS = "tide moon ocean river salmon heron granite basalt maple willow comet nebula".split()


def _text(rng: random.Random) -> str:
    body = " ".join(rng.choice(WORDS) + str(rng.randint(0, 999)) for _ in range(rng.randint(20, 400)))
    return f"# {rng.choice(WORDS)}\n\n{body}\n"


class Mutator:
    """Random edits of a folder tree, the kinds a person and their tools make."""

    def __init__(self, root: Path, seed: int) -> None:
        self.root = root
        self.rng = random.Random(seed)
        self.n = 0

    def files(self) -> list[Path]:
        return [p for p in self.root.rglob("*") if p.is_file()]

    def dirs(self) -> list[Path]:
        return [self.root] + [p for p in self.root.rglob("*") if p.is_dir()]

    def step(self) -> None:
        rng, files = self.rng, self.files()
        op = rng.choice(["create", "create", "edit", "edit", "rename", "move_dir", "delete", "odd_name"])
        self.n += 1
        if op == "create" or not files:
            folder = rng.choice(self.dirs())
            if rng.random() < 0.2:
                folder = folder / f"dir{self.n}"
                folder.mkdir(exist_ok=True)
            (folder / f"note{self.n}.{rng.choice(['md', 'txt'])}").write_text(_text(rng), "utf-8")
        elif op == "edit":
            p = rng.choice(files)
            with open(p, "a", encoding="utf-8") as f:
                f.write(_text(rng))
        elif op == "rename":
            p = rng.choice(files)
            p.rename(p.with_name(f"renamed{self.n}{p.suffix}"))
        elif op == "move_dir":
            subdirs = [d for d in self.dirs() if d != self.root]
            if subdirs:
                d = rng.choice(subdirs)
                d.rename(self.root / f"moved{self.n}")
        elif op == "delete":
            rng.choice(files).unlink()
        elif op == "odd_name":  # a name whose bytes are not UTF-8
            with open(os.fsencode(self.root) + b"/old-\xe9t\xe9-%d.txt" % self.n, "w") as f:
                f.write(_text(rng))


@pytest.mark.slow
def test_watched_folder_soak_ends_with_store_manifest_and_files_in_agreement(tmp_path: Path) -> None:
    seconds = float(os.environ.get("QRAG_SOAK_S", "60"))
    root = tmp_path / "watched"
    root.mkdir()
    mutator = Mutator(root, seed=int(os.environ.get("QRAG_SOAK_SEED", "13")))
    for _ in range(30):
        mutator.step()
    engine = Engine(Settings(), Paths.resolve(tmp_path / "data").ensure())
    roots = [str(root)]
    changes: queue.Queue[set[str]] = queue.Queue()
    errors: list[BaseException] = []
    busy = threading.Event()

    def apply() -> None:  # what `qrag watch` does: each batch of changes is one index run
        while True:
            batch = changes.get()
            if batch is None:
                return
            busy.set()
            try:
                for _ in engine.index(roots, only=sorted(batch), keyword_only=True):
                    pass
            except BaseException as exc:  # noqa: BLE001 - reported by the test below
                errors.append(exc)
            finally:
                busy.clear()

    try:
        for _ in engine.index(roots, keyword_only=True):
            pass
        worker = threading.Thread(target=apply, name="soak-index")
        worker.start()
        with FolderWatcher(roots, changes.put, debounce_s=0.3):
            end = time.monotonic() + seconds
            steps = 0
            while time.monotonic() < end:
                for _ in range(mutator.rng.randint(1, 6)):
                    mutator.step()
                    steps += 1
                time.sleep(mutator.rng.uniform(0.05, 0.8))
            quiet_until = time.monotonic() + 3.0  # let the last events arrive and be applied
            while time.monotonic() < quiet_until or not changes.empty() or busy.is_set():
                time.sleep(0.1)
        changes.put(None)  # type: ignore[arg-type]
        worker.join(timeout=60)
        assert not errors, errors
        assert steps > 10

        on_disk = {stored_name(str(p)): p for p in iter_files(root)}
        records = {r.path: r for r in engine.manifest.all()}
        assert set(records) == set(on_disk), set(records) ^ set(on_disk)
        assert all(r.status == "done" for r in records.values()), [
            r for r in records.values() if r.status != "done"
        ]
        per_path = engine.store.paths()
        assert set(per_path) == set(on_disk)
        for name, path in on_disk.items():
            assert per_path[name] == len(records[name].chunk_ids), name
            assert records[name].hash == file_digest(path), name
        assert engine.store.count() == sum(per_path.values())  # no chunk without a file

        *_, report = engine.index(roots, keyword_only=True)  # a full scan: nothing left to do
        assert isinstance(report, IndexReport)
        assert (report.files_indexed, report.chunks_added, report.chunks_deleted) == (0, 0, 0), report
    finally:
        engine.close()
