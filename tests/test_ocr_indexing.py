"""Scanned PDFs through the real parser pool and indexing job: the OCR setting reaches the parser,
"OCR page n of m" reaches the progress a person watches, and a long scan gets the time it needs
while a cancel still stops it at once."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import pytest

from qrag_desktop.cli import main
from qrag_desktop.core.documents.isolation import ParserPool
from qrag_desktop.core.engine import PARSER_MEMORY_MB, Engine
from qrag_desktop.core.errors import DocumentError
from qrag_desktop.core.jobs import JobControl
from qrag_desktop.core.progress import IndexProgress, IndexReport
from qrag_desktop.core.settings import Paths, Settings
from qrag_desktop.terminal import ProgressPrinter
from tests.data_builders import write_scanned_pdf

SCAN_EN = "The quartermaster keeps the zephyrine ledger."
# One word per page, each found only in that page's image.
PAGE_WORDS = ("marigold", "tamarind", "obsidian", "lanolin")


def _pages() -> list[list[str]]:
    return [[f"Page {n} lists the {word} stock."] for n, word in enumerate(PAGE_WORDS, start=1)]


@pytest.fixture
def engine(tmp_path: Path, standin_embedder_path: str):
    e = Engine(
        Settings(embed_model=standin_embedder_path, rerank_enabled=False, device="cpu"),
        Paths.resolve(tmp_path / "data").ensure(),
    )
    yield e
    e.close()


def test_the_ocr_setting_reaches_the_parser_pool(tmp_path: Path, qapp, capsys) -> None:
    folder = tmp_path / "kb"
    folder.mkdir()
    write_scanned_pdf(folder / "scan.pdf", [["A typed letter, scanned."], [SCAN_EN]])
    data = tmp_path / "data"

    def index(*flags: str) -> dict:
        rc = main(["--data-dir", str(data), "index", str(folder), "--keyword-only", "--json", *flags])
        out, err = capsys.readouterr()
        assert rc == 0, err
        return json.loads(out)

    def search(query: str) -> list[dict]:
        main(["--data-dir", str(data), "search", query, "--json", "--no-rerank", "--top-k", "3"])
        return json.loads(capsys.readouterr().out)["hits"]

    off = index("--no-ocr")
    assert [(Path(f["path"]).name, f["error"]) for f in off["files_failed"]] == [
        ("scan.pdf", "no text; scanned? (OCR is turned off in Settings)")
    ]
    assert search("zephyrine") == []

    on = index()  # the setting (on by default) again: the failed file is read this time
    assert on["files_failed"] == [] and on["files_indexed"] == 1
    hits = search("zephyrine")
    assert hits and Path(hits[0]["path"]).name == "scan.pdf" and hits[0]["page"] == 2


def test_ocr_progress_reaches_the_indexing_progress(engine: Engine, tmp_path: Path, qapp) -> None:
    folder = tmp_path / "kb"
    folder.mkdir()
    scan = write_scanned_pdf(folder / "scan.pdf", [[SCAN_EN], ["A second scanned page."]])
    events = [ev for ev in engine.index([folder], keyword_only=True) if isinstance(ev, IndexProgress)]
    ocr = [(ev.current, ev.detail) for ev in events if ev.detail]
    assert ocr == [(str(scan), "OCR page 1 of 2"), (str(scan), "OCR page 2 of 2")]
    # what the terminal shows for such an event
    stream = io.StringIO()
    ProgressPrinter(stream).update(next(ev for ev in events if ev.detail))
    assert "OCR page 1 of 2" in stream.getvalue()


def test_the_window_shows_the_page_being_read(qtbot) -> None:
    from qrag_desktop.ui.indexing_view import IndexingView

    view = IndexingView()
    qtbot.addWidget(view)
    view.job_started()
    view.on_event(IndexProgress("parsing", 0, 3, current="/docs/scan.pdf", detail="OCR page 2 of 9"))
    assert "/docs/scan.pdf" in view.current_label.text() and "OCR page 2 of 9" in view.current_label.text()
    view.on_event(IndexProgress("parsing", 1, 3, current="/docs/next.md"))
    assert "OCR" not in view.current_label.text()


def test_a_scan_longer_than_the_base_limit_is_read_page_by_page(tmp_path: Path, qapp) -> None:
    warm = write_scanned_pdf(tmp_path / "warm.pdf", [["Warming up."]])
    scan = write_scanned_pdf(tmp_path / "long.pdf", _pages())
    base = 1.0
    with ParserPool(timeout_s=60, memory_mb=PARSER_MEMORY_MB, step_s=30) as pool:
        pool.parse(warm)  # the OCR engine is loaded, so what follows times the pages alone
        started = time.monotonic()
        doc = pool.parse(scan, timeout_s=base)
        took = time.monotonic() - started
        assert [s.page for s in doc.sections] == [1, 2, 3, 4]
        assert all(word in s.text for word, s in zip(PAGE_WORDS, doc.sections, strict=True))
        # Without the time each page earns, the same file runs out of its base limit.
        pool.step_s = 0
        with pytest.raises(DocumentError, match=r"^timed out after 1 s$"):
            pool.parse(scan, timeout_s=base)
    assert took > base  # so the first read did need more than the base limit


def test_cancel_stops_a_long_scan_within_seconds(engine: Engine, tmp_path: Path, qapp) -> None:
    folder = tmp_path / "kb"
    folder.mkdir()
    write_scanned_pdf(folder / "long.pdf", _pages())
    control = JobControl()
    cancelled_at = None
    report = None
    for ev in engine.index([folder], control, keyword_only=True):
        if isinstance(ev, IndexReport):
            report = ev
        elif ev.detail and cancelled_at is None:  # OCR has started on page 1
            control.cancel()
            cancelled_at = time.monotonic()
    assert cancelled_at is not None and report is not None and report.cancelled
    assert time.monotonic() - cancelled_at < 5
    assert report.files_indexed == 0
    assert engine._pool is not None and engine._pool.worker_pids == []  # the busy parser was stopped
