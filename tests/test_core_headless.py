"""The core runs without Qt: in a fresh interpreter where importing PySide6 fails, it indexes a folder
on the stand-in models and finds a passage (the import contracts in pyproject say the same statically)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.engine_helpers import write_files

SCRIPT = textwrap.dedent(
    """
    import importlib.abc, json, sys

    class NoQt(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name == "PySide6" or name.startswith(("PySide6.", "shiboken6")):
                raise ImportError(f"{name} is not available here")
            return None

    sys.meta_path.insert(0, NoQt())
    try:
        import PySide6  # noqa: F401
    except ImportError:
        pass
    else:
        raise SystemExit("PySide6 could still be imported")

    from qrag_desktop.core.engine import Engine
    from qrag_desktop.core.progress import drain
    from qrag_desktop.core.settings import FolderSetting, Paths, Settings

    data, folder, embed, rerank = sys.argv[1:5]
    settings = Settings(embed_model=embed, rerank_model=rerank, device="cpu",
                        folders=(FolderSetting(folder),))
    engine = Engine(settings, Paths.resolve(data).ensure())
    try:
        report = drain(engine.index([folder]))
        result = engine.search("Where does Milvus Lite keep its data?")
    finally:
        engine.close()
    print(json.dumps({
        "indexed": report.files_indexed,
        "paths": [h.path for h in result.hits],
        "reranked": result.reranked,
        "qt_loaded": sorted(m for m in sys.modules if m.startswith(("PySide6", "shiboken6"))),
    }))
    """
)


def test_core_indexes_and_searches_where_pyside6_cannot_be_imported(
    tmp_path: Path, standin_embedder_path: str, standin_reranker_path: str
) -> None:
    folder = write_files(
        tmp_path / "docs",
        {
            "lite.md": "# Milvus Lite\n\nMilvus Lite keeps its data in a local file next to the app.\n",
            "other.txt": "A cross-encoder reranker reads the query and a passage together.\n",
        },
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            SCRIPT,
            str(tmp_path / "data"),
            str(folder),
            standin_embedder_path,
            standin_reranker_path,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["indexed"] == 2
    assert any(p.endswith("lite.md") for p in out["paths"])
    assert out["reranked"] is True
    assert out["qt_loaded"] == []
