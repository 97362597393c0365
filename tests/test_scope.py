"""Asking one folder or one file: the scope is a filter inside the store query, not after it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from qrag_desktop.cli import main
from qrag_desktop.core.scope import ALL, Scope
from tests.engine_helpers import write_files

# Many passages in big.md match the question better than the one line in the small file does,
# so an unscoped top-3 is all big.md and the small file only shows up when it is the scope.
_BIG = "\n\n".join(
    f"## Server {i}\n\nThe default port of the server is 19530. The server port is set in the "
    f"server port section of the configuration, port {19530 + i}."
    for i in range(12)
)
_SMALL = (
    "# Garden diary\n\nTomatoes need sun and water every morning. The shed holds the tools.\n\n"
    "The neighbour asked which port the garden gateway uses; it is 8080.\n"
)


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    write_files(root / "manuals", {"big.md": "# Server manual\n\n" + _BIG})
    write_files(root / "notes", {"garden.md": _SMALL})
    # A sibling whose name starts like the scoped folder must stay out of a folder scope.
    write_files(root / "notes-old", {"old.md": "# Old\n\nThe old port of the server was 8080.\n"})
    return root


@pytest.fixture
def qrag(tmp_path: Path, capsys, standin_embedder_path: str, standin_reranker_path: str):
    data = tmp_path / "data"

    def run(*args: str) -> dict:
        argv = ["--data-dir", str(data), "--embed-model", standin_embedder_path]
        argv += ["--rerank-model", standin_reranker_path]
        rc = main(argv + list(args))
        out, err = capsys.readouterr()
        assert rc == 0, err
        return json.loads(out)

    return run


def _names(result: dict) -> list[str]:
    return [Path(h["path"]).name for h in result["hits"]]


def test_a_scoped_search_finds_a_file_the_unscoped_top_k_leaves_out(qrag, kb: Path) -> None:
    qrag("index", str(kb), "--json")
    query = ["search", "which port does the server use", "--json", "--no-rerank", "--top-k", "3"]

    unscoped = _names(qrag(*query))
    assert "garden.md" not in unscoped and "big.md" in unscoped  # crowded out without a scope

    by_file = qrag(*query, "--file", str(kb / "notes" / "garden.md"))
    assert _names(by_file) and set(_names(by_file)) == {"garden.md"}
    assert "8080" in " ".join(h["text"] for h in by_file["hits"])

    by_folder = _names(qrag(*query, "--folder", str(kb / "notes")))
    assert by_folder and set(by_folder) == {"garden.md"}  # notes-old/ is not under notes/

    reranked = _names(qrag(*query[:-3], "--top-k", "3", "--folder", str(kb / "manuals")))
    assert reranked and set(reranked) == {"big.md"}


def test_ask_one_file_sends_only_that_files_passages(
    qrag, kb: Path, openai_server, monkeypatch: pytest.MonkeyPatch
) -> None:
    qrag("index", str(kb), "--json")
    monkeypatch.setenv("OPENAI_API_KEY", openai_server.api_key)
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.base_url)
    openai_server.set_reply("It is 8080 [1].")
    garden = kb / "notes" / "garden.md"
    out = qrag("ask", "which port does the server use", "--json", "--no-rerank", "--file", str(garden))
    assert out["answer"] == "It is 8080 [1]."
    assert out["passages"] and {Path(p["path"]).name for p in out["passages"]} == {"garden.md"}
    assert out["citations"][0]["path"] == str(garden.resolve())


def test_folder_and_file_cannot_be_given_together(qrag, kb: Path, capsys) -> None:
    with pytest.raises(SystemExit):
        main(["search", "x", "--folder", str(kb), "--file", str(kb / "notes" / "garden.md")])
    assert "not allowed with" in capsys.readouterr().err


def test_scope_filter_and_description(tmp_path: Path) -> None:
    folder = Scope.folder(tmp_path / "notes")
    assert folder.paths_prefix() == [str((tmp_path / "notes").resolve()) + os.sep]
    assert folder.describe() == "folder notes"
    one = Scope.file(tmp_path / "a.md")
    assert one.paths_prefix() == [str((tmp_path / "a.md").resolve())] and one.describe() == "file a.md"
    assert ALL.paths_prefix() is None and ALL.describe() == "all folders"
