"""A folder of nasty files goes through the whole indexing path: each bad file gets a clear error,
every other file is indexed, and a damaged index is rebuilt without deleting anything by hand."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from qrag_desktop.cli import main
from qrag_desktop.core.documents import load_document
from qrag_desktop.core.engine import Engine
from qrag_desktop.core.errors import StoreUnavailableError
from qrag_desktop.core.indexer import IndexReport
from qrag_desktop.core.progress import drain
from qrag_desktop.core.settings import Paths, Settings


def build_nasty_folder(root: Path) -> Path:
    root.mkdir()
    (root / "Ünïcödé näme 文档 (1).md").write_text("# Café notes\n\nThe zebrafish sleeps at noon.\n", "utf-8")
    deep = root.joinpath(*[f"level{i}" for i in range(40)])
    deep.mkdir(parents=True)
    (deep / "bottom.txt").write_text("The deepest note mentions a narwhal.\n", "utf-8")
    (root / "loop").mkdir()
    os.symlink(root / "loop", root / "loop" / "again")  # a folder that contains itself
    os.symlink(root / "selfref.md", root / "selfref.md")  # a file symlink loop
    (root / "gbk.txt").write_bytes("向量数据库把数据存储在对象存储中，检索时先召回再重排。".encode("gbk"))
    (root / "sjis.txt").write_bytes(
        "ベクトルデータベースはデータをオブジェクトストレージに保存します。".encode("shift_jis")
    )
    (root / "utf16.txt").write_bytes("The quokka smiles in UTF-16.\n".encode("utf-16"))
    (root / "latin1.txt").write_bytes("Größe über Maß: the kangaroo jumps.\n".encode("latin-1"))
    (root / "page.html").write_text(
        "<html><head><title>Page</title><style>.wombat{color:red}</style>"
        "<script>var platypusSecret = 1;</script></head>"
        "<body><h1>Visible</h1><p>The echidna lays eggs.</p></body></html>",
        "utf-8",
    )
    (root / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\n" + b"\x00\xff" * 100)
    (root / "image.md").write_bytes(bytes(range(256)) * 40)
    (root / "empty.txt").write_bytes(b"")
    (root / "huge.txt").write_text("lorem ipsum " * 200_000, "utf-8")  # ~2.4 MB, over a 1 MB limit
    return root


@pytest.fixture
def engine(tmp_path: Path):
    e = Engine(Settings(max_file_mb=1.0), Paths.resolve(tmp_path / "data").ensure())
    yield e
    e.close()


def index(engine: Engine, folder: Path, **kw) -> IndexReport:
    return drain(engine.index([folder], keyword_only=True, **kw))


def test_every_bad_file_fails_alone_with_a_reason(engine: Engine, tmp_path: Path) -> None:
    folder = build_nasty_folder(tmp_path / "nasty")
    report = index(engine, folder)
    failed = {Path(p).name: err for p, err in report.files_failed}
    assert set(failed) == {"selfref.md", "broken.pdf", "image.md", "empty.txt", "huge.txt"}, failed
    assert "loop" in failed["selfref.md"]
    assert "PDF" in failed["broken.pdf"]
    assert "binary" in failed["image.md"]
    assert "empty" in failed["empty.txt"]
    assert "too large" in failed["huge.txt"]
    indexed = {Path(p).name for p in engine.store.paths()}
    assert indexed == {
        "Ünïcödé näme 文档 (1).md",
        "bottom.txt",
        "gbk.txt",
        "sjis.txt",
        "utf16.txt",
        "latin1.txt",
        "page.html",
    }

    def top(q: str) -> str:
        hits = engine.search(q, rerank=False).hits
        return Path(hits[0].path).name if hits else ""

    assert top("zebrafish") == "Ünïcödé näme 文档 (1).md"
    assert top("narwhal") == "bottom.txt"
    assert top("对象存储") == "gbk.txt"
    assert top("quokka") == "utf16.txt"
    assert top("kangaroo") == "latin1.txt"
    assert top("echidna") == "page.html"
    assert engine.search("platypusSecret", rerank=False).hits == ()  # script code is not indexed
    assert engine.search("wombat", rerank=False).hits == ()  # nor style sheets


def test_a_file_deleted_while_indexing_fails_alone(engine: Engine, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in ("a.md", "b.md", "c.md"):
        (folder / name).write_text(f"# {name}\n\nText of {name} about otters.\n", "utf-8")

    def parse_after_someone_deletes_b(path: Path, max_bytes: int | None):
        if path.name == "b.md" and path.exists():
            path.unlink()
        return load_document(path, max_bytes=max_bytes)

    report = index(engine, folder, parse=parse_after_someone_deletes_b)
    assert [(Path(p).name, e) for p, e in report.files_failed] == [
        ("b.md", "file not found (moved or deleted?)")
    ]
    assert report.files_indexed == 2


def test_damaged_manifest_and_store_are_rebuilt_from_the_files(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.md").write_text("# Otters\n\nOtters hold hands while sleeping.\n", "utf-8")
    data = tmp_path / "data"
    assert main(["--data-dir", str(data), "index", str(folder), "--keyword-only", "--json"]) == 0
    capsys.readouterr()
    (data / "manifest.sqlite").write_bytes(b"this is not a database" * 100)
    for f in (data / "manifest.sqlite-wal", data / "manifest.sqlite-shm"):
        f.unlink(missing_ok=True)
    for m in (data / "index.db").rglob("manifest.json*"):
        m.write_text("{ not json")

    with pytest.raises(StoreUnavailableError):
        Engine(Settings(), Paths.resolve(data)).status()
    rc = main(["--data-dir", str(data), "index", str(folder), "--keyword-only", "--json"])
    err = capsys.readouterr().err
    assert rc == 2 and "--rebuild" in err  # the message says what to do

    rc = main(["--data-dir", str(data), "index", str(folder), "--keyword-only", "--rebuild", "--json"])
    out, err = capsys.readouterr()
    assert rc == 0, err
    assert json.loads(out)["files_indexed"] == 1
    assert "set aside" in err
    assert list(data.glob("manifest.sqlite.damaged-*")) and list(data.glob("index.db.damaged-*"))
    rc = main(["--data-dir", str(data), "search", "otters", "--json", "--no-rerank"])
    assert Path(json.loads(capsys.readouterr().out)["hits"][0]["path"]).name == "a.md"
