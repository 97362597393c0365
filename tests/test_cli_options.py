"""Global options work before and after the command (`qrag index DIR --embed-model M`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from qrag_desktop.cli import main
from tests.engine_helpers import write_files

FILES = {
    "faq.md": "# FAQ\n\n## How is data stored?\n\nMilvus stores data in object storage such as MinIO.\n",
    "guide.txt": "Install the client with pip install pymilvus, then connect to the server.\n",
}


def test_global_options_after_the_command(tmp_path: Path, capsys, standin_embedder_path: str) -> None:
    docs = write_files(tmp_path / "docs", FILES)
    data = tmp_path / "data"
    rc = main(["index", str(docs), "--json", "--data-dir", str(data), "--embed-model", standin_embedder_path])
    out, err = capsys.readouterr()
    assert rc == 0, err
    assert json.loads(out)["files_indexed"] == 2
    # before the command, as always, and mixed: the one given before is not reset by the command
    rc = main(["--data-dir", str(data), "status", "--json", "--embed-model", standin_embedder_path])
    st = json.loads(capsys.readouterr().out)
    assert rc == 0 and st["files"] == 2 and st["model_id"] == standin_embedder_path
    assert st["store"].startswith(str(data))


def test_the_installed_command_accepts_options_after_the_command(tmp_path: Path) -> None:
    docs = write_files(tmp_path / "docs", FILES)
    data = tmp_path / "data"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    cmd = [sys.executable, "-m", "qrag_desktop.cli", "index", str(docs), "--keyword-only"]
    done = subprocess.run(
        [*cmd, "--data-dir", str(data), "--device", "cpu", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "unrecognized arguments" not in done.stderr
    assert json.loads(done.stdout)["files_indexed"] == 2
    assert (data / "index.db").exists()
