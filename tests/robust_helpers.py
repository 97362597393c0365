"""The real `qrag` CLI for the robustness tests: in this process, or as a child process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from qrag_desktop.cli import main

REPO = Path(__file__).resolve().parent.parent
CLI_ENV = {**os.environ, "PYTHONPATH": str(REPO)}

Cli = Callable[..., tuple[int, str, str]]


def in_process_cli(data: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    """``run(*args)`` -> (rc, stdout, stderr) on the data dir ``data``; a traceback fails the test."""

    def run(*args: str) -> tuple[int, str, str]:
        rc = main(["--data-dir", str(data), *args])
        out, err = capsys.readouterr()
        assert "Traceback" not in err, err
        return rc, out, err

    run.data = data  # type: ignore[attr-defined]
    return run


def cli_command(data: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "qrag_desktop.cli", "--data-dir", str(data), *args]


def run_cli_process(
    data: Path, *args: str, timeout: float = 300, **kw: Any
) -> subprocess.CompletedProcess[str]:
    """The CLI in a child process (signals, exit codes, what reaches a real terminal)."""
    return subprocess.run(
        cli_command(data, *args), capture_output=True, text=True, timeout=timeout, env=CLI_ENV, cwd=REPO, **kw
    )
