"""Reading files into Documents: structure, encodings, and a clear message for every bad file."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from qrag_desktop.core.documents import SUPPORTED_SUFFIXES, is_supported, load_document, reading
from qrag_desktop.core.documents.isolation import ParserPool
from qrag_desktop.core.errors import DocumentError
from qrag_desktop.core.types import Document
from tests.data_builders import (
    write_blank_pdf,
    write_docx,
    write_encrypted_pdf,
    write_pdf_with_content,
    write_text_pdf,
)

CHINESE = "向量数据库存储数据"
JAPANESE = "ベクトルデータベース"
GERMAN = "Größe über Maß"


def _error(path: Path, **kwargs: object) -> str:
    with pytest.raises(DocumentError) as info:
        load_document(path, **kwargs)  # type: ignore[arg-type]
    return info.value.message


# --- Markdown ---------------------------------------------------------------------------------

FAQ = """---
id: product_faq.md
title: Front Matter Title
summary: Answers.
---

# Product FAQ

Intro paragraph.

## How does Milvus flush data?

Milvus flushes when a segment is sealed.

```python
# Set up a Milvus client
client = MilvusClient("milvus.db")
```

### Details

Growing segments are searchable.

Setext heading
--------------

Under the setext heading.
"""


def test_markdown_sections_follow_headings_with_breadcrumbs(tmp_path: Path) -> None:
    path = tmp_path / "product_faq.md"
    path.write_text(FAQ, encoding="utf-8")
    doc = load_document(path)

    assert doc.kind == "markdown"
    assert doc.title == "Product FAQ"
    assert doc.path == str(path.resolve())
    paths = [s.heading_path for s in doc.sections]
    assert paths == [
        ("Product FAQ",),
        ("Product FAQ", "How does Milvus flush data?"),
        ("Product FAQ", "How does Milvus flush data?", "Details"),
        ("Product FAQ", "Setext heading"),
    ]
    flush = doc.sections[1].text
    # The code block stays in its section, comment line included, and is not a heading.
    assert "# Set up a Milvus client" in flush and 'client = MilvusClient("milvus.db")' in flush
    assert all("id: product_faq.md" not in s.text for s in doc.sections)  # front matter stripped
    assert doc.sections[3].text == "Under the setext heading."


def test_markdown_title_falls_back_to_front_matter_then_file_stem(tmp_path: Path) -> None:
    with_meta = tmp_path / "a.md"
    with_meta.write_text("---\ntitle: Upgrade Guide\n---\n\n## Step one\n\nDo it.\n", encoding="utf-8")
    plain = tmp_path / "release-notes.markdown"
    plain.write_text("Just some notes, no headings.\n", encoding="utf-8")

    assert load_document(with_meta).title == "Upgrade Guide"
    doc = load_document(plain)
    assert doc.title == "release-notes"
    assert doc.sections[0].text == "Just some notes, no headings."


def test_markdown_of_headings_only_is_still_searchable(tmp_path: Path) -> None:
    path = tmp_path / "stub.md"
    path.write_text("---\ntitle: Stub\n---\n\n# Upgrade Embedded Milvus\n", encoding="utf-8")
    doc = load_document(path)
    assert [s.text for s in doc.sections] == ["Upgrade Embedded Milvus"]


# --- Text, reStructuredText, code ------------------------------------------------------------


def test_plain_text_is_one_section_titled_by_file_name(tmp_path: Path) -> None:
    path = tmp_path / "server.log"
    path.write_text("2024-01-01 started\n\n\n\n2024-01-02 stopped\n", encoding="utf-8")
    doc = load_document(path)
    assert (doc.kind, doc.title, doc.encoding) == ("text", "server", "utf-8")
    assert doc.sections[0].text == "2024-01-01 started\n\n2024-01-02 stopped"


def test_rst_headings_by_underline_style(tmp_path: Path) -> None:
    path = tmp_path / "guide.rst"
    path.write_text(
        "=====\nGuide\n=====\n\nIntro.\n\nInstall\n=======\n\nRun pip.\n\nOn Linux\n--------\n\nUse apt.\n\n"
        "Usage\n=====\n\nQuery it.\n",
        encoding="utf-8",
    )
    doc = load_document(path)
    assert doc.kind == "rst" and doc.title == "Guide"
    assert [(s.heading_path, s.text) for s in doc.sections] == [
        (("Guide",), "Intro."),
        (("Guide", "Install"), "Run pip."),
        (("Guide", "Install", "On Linux"), "Use apt."),
        (("Guide", "Usage"), "Query it."),
    ]


def test_python_source_splits_at_top_level_definitions(tmp_path: Path) -> None:
    path = tmp_path / "tool.py"
    path.write_text(
        '"""Tool."""\nimport os\n\n\n@decorator\ndef load(path):\n    """Load it."""\n    return 1\n\n\n'
        "class Store:\n    def put(self):\n        pass\n\n\nif __name__ == '__main__':\n    load('x')\n",
        encoding="utf-8",
    )
    doc = load_document(path)
    assert doc.kind == "code"
    assert [s.heading_path for s in doc.sections] == [(), ("def load",), ("class Store",), ()]
    assert doc.sections[1].text.startswith("@decorator\ndef load(path):")
    assert "def put(self)" in doc.sections[2].text


def test_other_source_and_broken_python_stay_whole(tmp_path: Path) -> None:
    js = tmp_path / "app.JS"
    js.write_text("function a() {}\n\nfunction b() {}\n", encoding="utf-8")
    broken = tmp_path / "old.py"
    broken.write_text("print 'python 2'\ndef f():\n    pass\n", encoding="utf-8")
    assert [s.text for s in load_document(js).sections] == ["function a() {}\n\nfunction b() {}"]
    assert len(load_document(broken).sections) == 1


# --- Encodings --------------------------------------------------------------------------------

ENCODED = [
    ("gbk", f"{CHINESE}。Milvus 是一个开源的向量数据库。", "gb18030"),
    ("gbk", CHINESE, "gb18030"),
    ("shift_jis", f"{JAPANESE}は埋め込みを保存します。", "cp932"),
    ("shift_jis", JAPANESE, "cp932"),
    ("latin-1", GERMAN, "cp1252"),
    ("latin-1", "España: el niño come piña.", "cp1252"),
    ("cp1250", "Zażółć gęślą jaźń. Łódź jest dużym miastem.", "cp1250"),
    ("utf-16-le", f"{GERMAN} {CHINESE}", "utf-16-le"),  # BOM-less, with ASCII-range characters
    ("utf-16-be", f"Size: {GERMAN}", "utf-16-be"),
]


@pytest.mark.parametrize(("codec", "text", "detected"), ENCODED)
def test_legacy_encodings_are_detected(tmp_path: Path, codec: str, text: str, detected: str) -> None:
    path = tmp_path / "note.txt"
    path.write_bytes(text.encode(codec))
    doc = load_document(path)
    assert doc.sections[0].text == text
    assert doc.encoding == detected


@pytest.mark.parametrize(
    ("codec", "encoding"),
    [
        ("utf-8-sig", "utf-8-sig"),
        ("utf-16", "utf-16-le"),
        ("utf-16-be", "utf-16-be"),
        ("utf-32", "utf-32-le"),
    ],
)
def test_byte_order_marks_decide_the_encoding(tmp_path: Path, codec: str, encoding: str) -> None:
    text = f"# {CHINESE}\n\n{JAPANESE} {GERMAN}\n"
    data = text.encode(codec)
    if codec == "utf-16-be":
        data = b"\xfe\xff" + data
    path = tmp_path / "multi.md"
    path.write_bytes(data)
    doc = load_document(path)
    assert doc.title == CHINESE
    assert doc.sections[0].text == f"{JAPANESE} {GERMAN}"
    assert doc.encoding == encoding


# --- PDF, DOCX, HTML --------------------------------------------------------------------------


def test_pdf_gives_one_section_per_page(tmp_path: Path) -> None:
    path = write_text_pdf(
        tmp_path / "manual.pdf",
        [["Milvus stores vectors.", "Second line (with parens)"], [], ["Third page text."]],
        title="User Manual",
    )
    doc = load_document(path)
    assert doc.kind == "pdf" and doc.title == "User Manual"
    assert [(s.page, s.text) for s in doc.sections] == [
        (1, "Milvus stores vectors.\nSecond line (with parens)"),
        (3, "Third page text."),
    ]


def test_pdf_encrypted_with_empty_password_opens(tmp_path: Path) -> None:
    source = write_text_pdf(tmp_path / "src.pdf", [["Readable by anyone."]])
    path = write_encrypted_pdf(tmp_path / "perm.pdf", source, user_password="")
    assert load_document(path).sections[0].text == "Readable by anyone."


def test_docx_headings_and_tables(tmp_path: Path) -> None:
    path = write_docx(
        tmp_path / "spec.docx",
        [
            ("title", "Storage Spec"),
            ("p", "Intro text."),
            ("h1", "Install"),
            ("p", "Run pip."),
            ("h2", "On Windows"),
            ("table", [["Name", "Size"], ["Milvus", "Big"]]),
            ("h1", "Use"),
            ("p", "Query it."),
        ],
    )
    doc = load_document(path)
    assert doc.kind == "docx" and doc.title == "Storage Spec"
    assert [(s.heading_path, s.text) for s in doc.sections] == [
        ((), "Intro text."),
        (("Install",), "Run pip."),
        (("Install", "On Windows"), "| Name | Size |\n| --- | --- |\n| Milvus | Big |"),
        (("Use",), "Query it."),
    ]


def test_html_visible_text_by_headings(tmp_path: Path) -> None:
    path = tmp_path / "page.htm"
    path.write_text(
        "<!DOCTYPE html><html><head><title>Milvus Docs</title><style>p {color: red}</style>"
        "<script>var secret = 1;</script></head><body><noscript>Enable JS</noscript>"
        "<h1>Overview</h1><p>Milvus   is a\nvector database.</p><template><p>hidden</p></template>"
        "<h2>Install</h2><p>Run <code>pip install pymilvus</code>.</p>"
        "<pre>def f():\n    return 1</pre><table><tr><td>a</td><td>b</td></tr></table>"
        "<!-- a comment --></body></html>",
        encoding="utf-8",
    )
    doc = load_document(path)
    assert doc.kind == "html" and doc.title == "Milvus Docs"
    assert [(s.heading_path, s.text) for s in doc.sections] == [
        (("Overview",), "Milvus is a vector database."),
        (("Overview", "Install"), "Run pip install pymilvus.\n\ndef f():\n    return 1\n\na | b"),
    ]


def test_html_meta_charset_is_honoured(tmp_path: Path) -> None:
    path = tmp_path / "cn.html"
    html = f'<html><head><meta charset="gbk"></head><body><h1>{CHINESE}</h1><p>{CHINESE}。</p></body></html>'
    path.write_bytes(html.encode("gbk"))
    doc = load_document(path)
    assert doc.title == CHINESE and doc.encoding == "gbk"


# --- Supported types --------------------------------------------------------------------------


def test_supported_suffixes_any_case() -> None:
    assert {".md", ".txt", ".rst", ".pdf", ".docx", ".html", ".py", ".lua"} <= SUPPORTED_SUFFIXES
    assert is_supported("Notes/README.MD") and is_supported(Path("a/b.Docx"))
    assert not is_supported("photo.jpg") and not is_supported("Makefile")


# --- Bad input: one clear message each -------------------------------------------------------


def test_binary_file_with_text_name(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(bytes(range(256)) * 8)
    assert _error(path) == "binary file, not text"


def test_binary_file_with_markdown_name(tmp_path: Path) -> None:
    path = tmp_path / "image.md"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(2048))
    assert _error(path) == "binary file, not text"


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.md"
    path.write_bytes(b"")
    assert _error(path) == "empty file"


def test_whitespace_only_file(tmp_path: Path) -> None:
    path = tmp_path / "blank.txt"
    path.write_text("  \n\t\n   \n", encoding="utf-8")
    assert _error(path) == "no text"


def test_file_larger_than_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("word " * 600_000, encoding="utf-8")  # 3,000,000 bytes
    assert _error(path, max_bytes=1024 * 1024) == "file too large (2.9 MB, limit 1.0 MB)"
    assert load_document(path, max_bytes=4 * 1024 * 1024).kind == "text"


def test_damaged_pdf(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R\n" + os.urandom(300))
    assert _error(path).startswith("damaged PDF: ")


def test_password_protected_pdf(tmp_path: Path) -> None:
    source = write_text_pdf(tmp_path / "src.pdf", [["Top secret."]])
    path = write_encrypted_pdf(tmp_path / "locked.pdf", source, user_password="s3cret")
    assert _error(path) == "encrypted PDF (password protected)"


def test_pdf_without_text_layer(tmp_path: Path) -> None:
    path = write_blank_pdf(tmp_path / "scan.pdf")
    with pytest.raises(DocumentError) as info:
        load_document(path)
    assert info.value.message == "no text; scanned?"
    assert info.value.hint and "OCR" in info.value.hint


def test_docx_that_is_a_zip_of_something_else(tmp_path: Path) -> None:
    path = tmp_path / "report.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("photos/cat.txt", "not a word document")
    assert _error(path) == "not a valid DOCX file"


def test_docx_that_is_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "report.docx"
    path.write_text("plain text pretending", encoding="utf-8")
    assert _error(path) == "not a valid DOCX file"


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "secret.md"
    path.write_text("# Secret\n", encoding="utf-8")
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):  # root reads anything: make open() fail as it would for a user

            def refuse(*args: object, **kwargs: object) -> None:
                raise PermissionError(13, "Permission denied", str(path))

            monkeypatch.setattr(reading, "open", refuse, raising=False)
        assert _error(path) == "permission denied"
    finally:
        path.chmod(0o644)


def test_vanished_file(tmp_path: Path) -> None:
    path = tmp_path / "gone.md"
    path.write_text("# Here\n", encoding="utf-8")
    path.unlink()
    assert _error(path) == "file not found (moved or deleted?)"


def test_directory_with_a_document_name(tmp_path: Path) -> None:
    path = tmp_path / "chapter.md"
    path.mkdir()
    assert _error(path) == "this is a folder, not a file"


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
def test_symlink_loop(tmp_path: Path) -> None:
    a, b = tmp_path / "a.md", tmp_path / "b.md"
    a.symlink_to(b)
    b.symlink_to(a)
    assert _error(a) == "symbolic link loop (the link points back to itself)"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_named_pipe_is_refused_without_blocking(tmp_path: Path) -> None:
    path = tmp_path / "stream.txt"
    os.mkfifo(path)  # opening it for reading would block until a writer appears
    started = time.monotonic()
    assert _error(path) == "not a regular file (a pipe, socket or device)"
    assert time.monotonic() - started < 2


def test_unsupported_file_type(tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0" + os.urandom(100))
    assert _error(path) == "unsupported file type"


# --- Parsing in a separate process -----------------------------------------------------------


def _slow_pdf(tmp_path: Path) -> Path:
    """A real pathological file: one page with 100,000 text operators takes pypdf ~10 s or more."""
    ops = "(word) Tj 0 -1 Td\n" * 100_000
    return write_pdf_with_content(tmp_path / "huge-page.pdf", f"BT /F1 12 Tf 72 720 Td\n{ops}ET")


@pytest.fixture(scope="module")
def pool() -> Iterator[ParserPool]:
    with ParserPool(timeout_s=60) as p:
        yield p


def test_pool_parses_in_a_reused_worker_and_passes_errors_through(pool: ParserPool, tmp_path: Path) -> None:
    good = tmp_path / "faq.md"
    good.write_text(FAQ, encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")

    doc = pool.parse(good)
    assert isinstance(doc, Document) and doc.title == "Product FAQ"
    assert doc == load_document(good)
    pids = pool.worker_pids
    with pytest.raises(DocumentError, match="^empty file$"):
        pool.parse(empty)
    assert pool.parse(good, max_bytes=10_000).title == "Product FAQ"
    assert pool.worker_pids == pids and len(pids) == 1  # one process served all three files


def test_pool_times_out_on_a_pathological_file_and_recovers(pool: ParserPool, tmp_path: Path) -> None:
    slow = _slow_pdf(tmp_path)
    good = tmp_path / "ok.txt"
    good.write_text("still fine", encoding="utf-8")
    pool.parse(good)  # worker up, so the limit below measures parsing, not start-up
    old = pool.worker_pids

    started = time.monotonic()
    with pytest.raises(DocumentError, match=r"^timed out after 0\.5 s$"):
        pool.parse(slow, timeout_s=0.5)
    assert time.monotonic() - started < 5
    assert pool.worker_pids == []  # the stuck worker was killed

    assert pool.parse(good).sections[0].text == "still fine"
    assert pool.worker_pids != old


def test_pool_reports_a_crashed_parser(pool: ParserPool, tmp_path: Path) -> None:
    slow = _slow_pdf(tmp_path)
    good = tmp_path / "ok.txt"
    good.write_text("after the crash", encoding="utf-8")
    pool.parse(good)
    (pid,) = pool.worker_pids
    # Kill the worker mid-parse, as the OS does to a process that runs out of memory.
    killer = threading.Timer(0.5, os.kill, args=(pid, getattr(signal, "SIGKILL", signal.SIGTERM)))
    killer.start()
    try:
        with pytest.raises(DocumentError, match="^parser crashed$"):
            pool.parse(slow)
    finally:
        killer.join()
    assert pool.parse(good).sections[0].text == "after the crash"


def test_pool_close_is_idempotent_and_stops_workers(tmp_path: Path) -> None:
    good = tmp_path / "ok.txt"
    good.write_text("x", encoding="utf-8")
    pool = ParserPool(timeout_s=30)
    pool.parse(good)
    (pid,) = pool.worker_pids
    pool.close()
    pool.close()
    assert pool.worker_pids == []
    with pytest.raises(OSError):
        os.kill(pid, 0)  # the worker process is gone (reaped)
    with pytest.raises(RuntimeError):
        pool.parse(good)
