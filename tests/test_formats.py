"""The documents people really have: scanned PDFs, tables, slides, spreadsheets, e-books, and the
hostile versions of each, read through the real CLI and parsers."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from qrag_desktop.cli import main
from qrag_desktop.core.chunking import Chunker
from qrag_desktop.core.documents import load_document
from tests.data_builders import (
    has_chinese_font,
    write_docx,
    write_encrypted_office,
    write_epub,
    write_pptx,
    write_scanned_pdf,
    write_table_pdf,
    write_text_pdf,
    write_xlsx,
    write_zip_bomb,
)
from tests.test_documents import _error

PORTS = [
    ["Service", "Default port", "Protocol"],
    ["milvus", "19530", "gRPC"],
    ["minio", "9000", "HTTP"],
    ["etcd", "2379", "gRPC"],
]
SCAN_EN = "The quartermaster keeps the zephyrine ledger."
SCAN_ZH = "扫描页里的琥珀色账本"


@pytest.fixture
def zh_font(qapp) -> None:
    if not has_chinese_font():
        pytest.skip("no installed font can draw Chinese, so no Chinese scan can be made")


@pytest.fixture
def folder(tmp_path: Path, qapp) -> Path:
    """One of each format, and the hostile variants, in one folder."""
    d = tmp_path / "kb"
    d.mkdir()
    scan = [["A typed letter, scanned."], [SCAN_EN]]
    if has_chinese_font():  # a CI image may have none; the Chinese page is then left out
        scan.append([SCAN_ZH])
    write_scanned_pdf(d / "scan.pdf", scan)
    write_table_pdf(d / "ports.pdf", ["Ports used by the services."], PORTS)
    write_docx(d / "spec.docx", [("h1", "Network"), ("p", "Ports below."), ("table", PORTS)])
    write_pptx(
        d / "talk.pptx",
        [("Roadmap", "Ship the viewer", "Mention the marmalade budget"), ("Risks", "Scans", "")],
    )
    write_xlsx(
        d / "budget.xlsx",
        {"Costs": [["Item", "Cost", "Double"], ["Servers", 120, "=B2*2"]], "People": [["Name"], ["Ada"]]},
        cached={"Costs!C2": 240},
    )
    write_epub(d / "book.epub", "Tides", [("Moon", "<p>The moon pulls the ocean.</p>")])
    # hostile variants
    (d / "broken.pptx").write_bytes(b"PK\x03\x04 not really a zip")
    write_zip_bomb(d / "bomb.xlsx", member="xl/worksheets/sheet1.xml")
    write_encrypted_office(d / "locked.pptx", d / "talk.pptx", "s3cret")
    (d / "broken.epub").write_bytes(b"garbage")
    return d


def test_index_reads_every_format_and_reports_each_hostile_file(folder: Path, tmp_path: Path, capsys) -> None:
    data = tmp_path / "data"
    rc = main(["--data-dir", str(data), "index", str(folder), "--keyword-only", "--json"])
    out, err = capsys.readouterr()
    assert rc == 0, err
    report = json.loads(out)
    failed = {Path(f["path"]).name: f["error"] for f in report["files_failed"]}
    assert set(failed) == {"broken.pptx", "bomb.xlsx", "locked.pptx", "broken.epub"}
    assert "zip bomb" in failed["bomb.xlsx"] and "password protected" in failed["locked.pptx"]
    assert all("\n" not in reason for reason in failed.values())
    assert report["files_indexed"] == 6

    def search(query: str) -> list[dict]:
        main(["--data-dir", str(data), "search", query, "--json", "--no-rerank", "--top-k", "3"])
        return json.loads(capsys.readouterr().out)["hits"]

    scanned = search("zephyrine")  # a word that exists only in the image of page 2
    assert scanned and Path(scanned[0]["path"]).name == "scan.pdf" and scanned[0]["page"] == 2
    assert scanned[0]["char_start"] is None  # a scanned page is not read again by OCR to place it
    if has_chinese_font():
        chinese = search("琥珀色账本")
        assert chinese and Path(chinese[0]["path"]).name == "scan.pdf" and chinese[0]["page"] == 3
    row = search("etcd")
    assert {Path(h["path"]).name for h in row} >= {"ports.pdf", "spec.docx"}
    for h in row:
        if Path(h["path"]).suffix in (".pdf", ".docx"):  # the row comes with its column names
            assert (
                "| etcd | 2379 | gRPC |" in h["text"] and "| Service | Default port | Protocol |" in h["text"]
            )
            assert h["char_start"] is not None and h["char_end"] > h["char_start"]
    notes = search("marmalade")
    assert notes and Path(notes[0]["path"]).name == "talk.pptx" and notes[0]["page"] == 1
    assert [Path(h["path"]).name for h in search("Ada")][:1] == ["budget.xlsx"]
    assert [Path(h["path"]).name for h in search("ocean")][:1] == ["book.epub"]


def test_chinese_scan_is_read(tmp_path: Path, zh_font: None) -> None:
    path = write_scanned_pdf(tmp_path / "zh.pdf", [[SCAN_ZH]])
    seen: list[str] = []
    doc = load_document(path, progress=seen.append)
    assert "琥珀色账本" in doc.sections[0].text and doc.sections[0].page == 1
    assert seen == ["OCR page 1 of 1"]


def test_ocr_can_be_turned_off(tmp_path: Path, qapp) -> None:
    path = write_scanned_pdf(tmp_path / "scan.pdf", [[SCAN_EN]])
    assert _error(path, ocr=False) == "no text; scanned? (OCR is turned off in Settings)"


def test_text_pages_are_not_read_by_ocr(tmp_path: Path) -> None:
    path = write_text_pdf(tmp_path / "t.pdf", [["A page with a real text layer and enough words."]])
    seen: list[str] = []
    load_document(path, progress=seen.append)
    assert seen == []


def test_each_chunk_of_a_long_table_repeats_its_header(tmp_path: Path) -> None:
    rows = [["Setting", "Default", "Meaning"]] + [
        [f"option_{i}", str(i), f"what option {i} does"] for i in range(120)
    ]
    doc = load_document(write_docx(tmp_path / "big.docx", [("h1", "Options"), ("table", rows)]))
    chunks = Chunker(chunk_tokens=96, overlap=0).chunk(doc)
    table_chunks = [c for c in chunks if "option_" in c.text]
    assert len(table_chunks) > 3
    for c in table_chunks:
        assert c.text.startswith("| Setting | Default | Meaning |\n| --- | --- | --- |\n| option_")
    found = {line for c in table_chunks for line in c.text.split("\n")[2:]}
    assert {f"| option_{i} | {i} | what option {i} does |" for i in range(120)} <= found  # no row lost


@pytest.mark.parametrize("one_path", [False, True])
def test_pdf_table_rows_carry_their_header(tmp_path: Path, one_path: bool) -> None:
    path = write_table_pdf(tmp_path / "t.pdf", ["Ports used by the services."], PORTS, one_path=one_path)
    doc = load_document(path)
    assert [s.text for s in doc.sections if not s.table_header] == ["Ports used by the services."]
    (table,) = [s for s in doc.sections if s.table_header]
    assert (
        table.page == 1 and table.table_header == "| Service | Default port | Protocol |\n| --- | --- | --- |"
    )
    assert "| etcd | 2379 | gRPC |" in table.text


def test_a_piece_of_a_long_table_gets_the_header_too() -> None:
    """A long section may be cut into blocks before chunking; the blocks after the first one do not
    start with the header, and their rows still carry it."""
    from qrag_desktop.core.types import Document, Section

    header = "| Key | Value |\n| --- | --- |"
    rows = "\n".join(f"| k{i} | v{i} |" for i in range(40))
    doc = Document(
        path="/t.xlsx", title="T", kind="xlsx", sections=(Section(rows, ("Sheet",), table_header=header),)
    )
    chunks = Chunker(chunk_tokens=64, overlap=0).chunk(doc)
    assert len(chunks) > 2 and all(c.text.startswith(header + "\n| k") for c in chunks)


def test_pptx_slides_are_pages_with_titles_and_notes(tmp_path: Path) -> None:
    doc = load_document(
        write_pptx(tmp_path / "t.pptx", [("Roadmap", "Ship it", "Say thanks"), ("Risks", "Scans", "")])
    )
    assert doc.kind == "pptx" and doc.title == "Roadmap"
    assert [(s.page, s.heading_path) for s in doc.sections] == [(1, ("Roadmap",)), (2, ("Risks",))]
    assert "Ship it" in doc.sections[0].text and "Speaker notes:\nSay thanks" in doc.sections[0].text


def test_xlsx_sheets_are_sections_and_formulas_are_values(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "b.xlsx",
        {"Costs": [["Item", "Cost", "Double"], ["Servers", 120, "=B2*2"]], "People": [["Name"], ["Ada"]]},
        cached={"Costs!C2": 240},
    )
    doc = load_document(path)
    assert [s.heading_path for s in doc.sections] == [("Costs",), ("People",)]
    assert "| Servers | 120 | 240 |" in doc.sections[0].text and "B2*2" not in doc.sections[0].text


def test_epub_chapters_are_headings(tmp_path: Path) -> None:
    path = write_epub(
        tmp_path / "b.epub", "Tides", [("Moon", "<p>Pulls.</p>"), ("Sun", "<p>Also pulls.</p>")]
    )
    doc = load_document(path)
    assert doc.title == "Tides"
    assert [(s.heading_path[0], s.text) for s in doc.sections] == [("Moon", "Pulls."), ("Sun", "Also pulls.")]


@pytest.mark.parametrize("suffix", [".docx", ".pptx", ".xlsx", ".epub"])
def test_zip_bomb_is_refused_from_its_directory(tmp_path: Path, suffix: str) -> None:
    assert "zip bomb" in _error(write_zip_bomb(tmp_path / f"bomb{suffix}"))


def test_password_protected_office_files(tmp_path: Path) -> None:
    xlsx = write_xlsx(tmp_path / "b.xlsx", {"S": [["a"], ["b"]]})
    docx_path = write_docx(tmp_path / "d.docx", [("p", "secret")])
    assert (
        _error(write_encrypted_office(tmp_path / "lx.xlsx", xlsx, "pw"))
        == "encrypted XLSX (password protected)"
    )
    assert (
        _error(write_encrypted_office(tmp_path / "ld.docx", docx_path, "pw"))
        == "encrypted DOCX (password protected)"
    )


def test_epub_with_drm_is_refused(tmp_path: Path) -> None:
    path = write_epub(tmp_path / "b.epub", "T", [("One", "<p>x</p>")])
    with zipfile.ZipFile(path, "a") as z:
        z.writestr(
            "META-INF/encryption.xml",
            '<encryption><EncryptedData><CipherData><CipherReference URI="EPUB/chap_1.xhtml"/>'
            "</CipherData></EncryptedData></encryption>",
        )
    assert _error(path) == "DRM-protected EPUB (encrypted content)"
