"""Large and slow inputs: a one-line text file just under the size limit ends in seconds with a
reason, never a hang, and text under the cap is parsed in bounded pieces."""

from __future__ import annotations

import json
from pathlib import Path

from qrag_desktop.core.chunking import Chunker
from qrag_desktop.core.documents import BLOCK_CHARS, load_document
from tests.engine_helpers import write_files
from tests.robust_helpers import run_cli_process


def _one_line(path: Path, mb: float) -> Path:
    word = b"lorem ipsum dolor sit amet zebra narwhal "
    with open(path, "wb") as f:
        f.write(word * int(mb * 1024 * 1024 / len(word)))
    return path


def test_a_48_mb_one_line_text_file_gets_a_reason_not_a_hang(tmp_path: Path) -> None:
    folder = write_files(tmp_path / "docs", {"good.md": "# Good\n\nThe okapi hides in the rainforest.\n"})
    _one_line(folder / "huge-one-line.txt", 48)
    # A guard, not a speed test: before the fix this ran for more than 15 minutes.
    done = run_cli_process(tmp_path / "data", "index", str(folder), "--keyword-only", "--json", timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    report = json.loads(done.stdout)
    failed = {Path(f["path"]).name: f["error"] for f in report["files_failed"]}
    assert set(failed) == {"huge-one-line.txt"}
    assert "too much text" in failed["huge-one-line.txt"]
    assert report["files_indexed"] == 1


def test_text_under_the_cap_is_cut_into_bounded_sections_and_chunked(tmp_path: Path) -> None:
    path = _one_line(tmp_path / "big.txt", 3)
    doc = load_document(path)
    assert len(doc.sections) > 1
    assert all(len(s.text) <= BLOCK_CHARS for s in doc.sections)
    assert sum(len(s.text) for s in doc.sections) >= 3 * 1024 * 1024 - len(doc.sections) - 64
    chunks = Chunker(None, 384, 48).chunk(doc)
    assert chunks and all("lorem" in c.text for c in chunks[:3])
    # every word of the file is in some chunk: nothing was dropped at a block's edge
    assert sum(c.text.count("narwhal") for c in chunks) >= path.read_bytes().count(b"narwhal")


def test_the_benchmark_figure_for_parse_and_chunk_is_measured_on_both_shapes() -> None:
    from qrag_desktop.core.documents.throughput import parse_and_chunk_throughput

    figures = parse_and_chunk_throughput(0.25)
    for shape in ("one_line", "paragraphs"):
        assert figures[f"{shape}_mb_per_s"] > 0 and figures[f"{shape}_chunks"] > 10
