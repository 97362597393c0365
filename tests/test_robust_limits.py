"""Limits on what one file may cost: a zip bomb is refused from its declared size, a parser that
grows past its memory cap fails alone, and Ctrl-C ends a run cleanly within seconds."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from qrag_desktop.core.documents import load_document
from qrag_desktop.core.documents.isolation import ParserPool
from qrag_desktop.core.errors import DocumentError
from tests.engine_helpers import write_files
from tests.robust_helpers import CLI_ENV, REPO, cli_command, run_cli_process


def _zip_bomb(path: Path, unpacked_mb: int) -> Path:
    """A .docx whose document.xml unpacks to ``unpacked_mb`` MB of one repeated byte."""
    block = b"<w:t>" + b"a" * (1024 * 1024 - 11) + b"</w:t>\n"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w", force_zip64=True) as f:
            for _ in range(unpacked_mb):
                f.write(block)
    return path


def test_a_zip_bomb_is_refused_from_its_declared_size(tmp_path: Path) -> None:
    bomb = _zip_bomb(tmp_path / "bomb.docx", 700)
    assert bomb.stat().st_size < 5 * 1024 * 1024
    started = time.monotonic()
    with pytest.raises(DocumentError, match="unpack to 700 MB"):
        load_document(bomb, max_bytes=50 * 1024 * 1024)
    assert time.monotonic() - started < 5  # refused from the zip directory, nothing was unpacked


def test_a_parser_that_outgrows_its_memory_cap_fails_alone(tmp_path: Path) -> None:
    if sys.platform != "linux":
        pytest.skip("the cap is an address-space limit, set where the OS offers one")
    big = tmp_path / "big.txt"
    big.write_bytes(b"lorem ipsum dolor sit amet\n" * (12 * 1024 * 1024 // 27 * 10))  # ~120 MB
    small = write_files(tmp_path, {"ok.md": "# Ok\n\nThe kiwi cannot fly.\n"}) / "ok.md"
    with ParserPool(timeout_s=60, memory_mb=200) as pool:
        with pytest.raises(DocumentError, match="out of memory|memory limit"):
            pool.parse(big, None)
        assert pool.parse(small, None).sections  # the next file is parsed as usual


def test_ctrl_c_ends_indexing_cleanly_within_seconds_and_the_next_run_completes(tmp_path: Path) -> None:
    files = {f"n{i:04d}.md": f"# Note {i}\n\n" + "The tide rises twice a day. " * 200 for i in range(400)}
    folder = write_files(tmp_path / "docs", files)
    data = tmp_path / "data"
    proc = subprocess.Popen(
        cli_command(data, "index", str(folder), "--keyword-only"),
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=CLI_ENV,
        cwd=REPO,
        start_new_session=True,
    )
    time.sleep(6)  # the parser process is running by now
    assert proc.poll() is None, proc.communicate()
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal sends to the whole foreground group
    pressed = time.monotonic()
    out, err = proc.communicate(timeout=60)
    assert time.monotonic() - pressed < 10, err
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert "Interrupted" in err

    done = run_cli_process(data, "index", str(folder), "--keyword-only", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["files_failed"] == [] and report["files_seen"] == 400
    st = run_cli_process(data, "status", "--json")
    assert json.loads(st.stdout)["files"] == 400
