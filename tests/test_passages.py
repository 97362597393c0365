"""Finding a retrieved passage in its document, for the viewer and for `qrag search --json`."""

from __future__ import annotations

import json
from pathlib import Path

from qrag_desktop.cli import main
from qrag_desktop.core.chunking import Chunker
from qrag_desktop.core.documents import load_document
from qrag_desktop.core.passages import document_text, find_passage, locate
from tests.data_builders import write_docx, write_text_pdf


def test_every_chunk_is_found_where_it_is_in_the_document(tmp_path: Path) -> None:
    md = tmp_path / "guide.md"
    paras = [f"Paragraph {i} says   something about topic {i}.  " for i in range(60)]
    md.write_text("# Guide\n\n" + "\n\n\n".join(paras) + "\n", encoding="utf-8")
    doc = load_document(md)
    text = document_text(doc)
    for chunk in Chunker(chunk_tokens=48, overlap=8).chunk(doc):
        where = find_passage(text, chunk.text)
        assert where is not None
        assert " ".join(text[where[0] : where[1]].split()) == " ".join(chunk.text.split())


def test_a_table_chunk_is_found_at_its_rows(tmp_path: Path) -> None:
    rows = [["Key", "Value"]] + [[f"k{i}", f"v{i}"] for i in range(80)]
    doc = load_document(write_docx(tmp_path / "t.docx", [("table", rows)]))
    text = document_text(doc)
    later = [c for c in Chunker(chunk_tokens=64, overlap=0).chunk(doc) if "| k79 |" in c.text][0]
    start, end = find_passage(text, later.text) or (0, 0)
    assert text[start:end].startswith("| k") and text[start:end].endswith("| k79 | v79 |")
    assert "| Key | Value |" not in text[start:end]  # the repeated header is not where the rows are


def test_pdf_offsets_count_in_the_cited_page(tmp_path: Path) -> None:
    pdf = write_text_pdf(tmp_path / "p.pdf", [["First page words."], ["Second page has the answer here."]])
    where = locate(str(pdf), "the answer here", page=2)
    assert where is not None and where.page == 2
    assert where.text[where.start : where.end] == "the answer here"
    assert locate(str(pdf), "the answer here", page=1) is None
    assert locate(str(tmp_path / "gone.md"), "x") is None


def test_search_json_hits_carry_offsets(tmp_path: Path, capsys) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text("# A\n\nIntro line.\n\nThe zanzibar clause is in force.\n", encoding="utf-8")
    data = str(tmp_path / "data")
    assert main(["--data-dir", data, "index", str(docs), "--keyword-only", "--json"]) == 0
    capsys.readouterr()
    main(["--data-dir", data, "search", "zanzibar", "--json", "--no-rerank"])
    hit = json.loads(capsys.readouterr().out)["hits"][0]
    text = document_text(load_document(docs / "a.md"))
    assert text[hit["char_start"] : hit["char_end"]] == hit["text"]
