"""Hostile folders and damaged state: one odd file name, a damaged manifest or conversation
history, a data dir that cannot be written. Each ends in one clear message, never a traceback,
and a second run ends in the same state as a clean run."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from qrag_desktop.core.conversations import ConversationStore
from tests.engine_helpers import write_files
from tests.robust_helpers import Cli, in_process_cli

GOOD = {
    "alpha.md": "# Alpha\n\nThe zebrafish sleeps at noon.\n",
    "beta.txt": "The narwhal sings under the ice.\n",
}


@pytest.fixture
def qrag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    """The real CLI in this process, keyword-only (no model needed); returns (rc, stdout, stderr)."""
    return in_process_cli(tmp_path / "data", capsys)


def _index(qrag, folder: Path) -> dict:
    rc, out, err = qrag("index", str(folder), "--keyword-only", "--json")
    assert rc == 0, err
    return json.loads(out)


def _status(qrag) -> dict:
    rc, out, err = qrag("status", "--json")
    assert rc == 0, err
    return json.loads(out)


# --- 1. file names that are not valid UTF-8 ------------------------------------------------------


def test_a_file_name_with_invalid_utf8_bytes_is_indexed_under_a_lossless_name(qrag, tmp_path: Path) -> None:
    folder = write_files(tmp_path / "docs", GOOD)
    raw = os.fsencode(folder) + b"/old-archive-\xff\xfe-caf\xe9.txt"  # Latin-1 bytes from an old archive
    with open(raw, "wb") as f:
        f.write(b"The okapi hides in the rainforest.\n")
    (folder / "line\nbreak.md").write_text("# Odd\n\nThe axolotl regrows its legs.\n", "utf-8")
    # two names that differ only in Unicode normalisation (NFC and NFD): two files, both kept
    (folder / "caf\u00e9.md").write_text("# Cafe\n\nThe espresso is strong.\n", "utf-8")
    (folder / "cafe\u0301.md").write_text("# Cafe\n\nThe latte is mild.\n", "utf-8")

    report = _index(qrag, folder)
    assert report["files_failed"] == []
    assert report["files_indexed"] == 6
    assert _status(qrag)["files"] == 6

    rc, out, err = qrag("search", "okapi rainforest", "--json", "--no-rerank")
    assert rc == 0, err
    paths = [h["path"] for h in json.loads(out)["hits"]]
    # The name as shown: the undecodable bytes spelled out, so nothing is lost and it prints anywhere
    assert any(p.endswith("old-archive-\\xff\\xfe-caf\\xe9.txt") for p in paths), paths

    again = _index(qrag, folder)  # nothing changed: nothing is done again, nothing doubles
    assert again["files_unchanged"] == 6 and again["files_indexed"] == 0
    assert again["chunks_total"] == report["chunks_total"]


# --- 2. a damaged manifest or conversation history --------------------------------------------


def _damage(db: Path) -> None:
    """Keep SQLite's header page, overwrite every later page: "database disk image is malformed"."""
    data = bytearray(db.read_bytes())
    assert len(data) > 4 * 4096, len(data)
    data[4096:] = b"\xa5" * (len(data) - 4096)
    db.write_bytes(bytes(data))


def test_a_damaged_manifest_is_set_aside_and_rebuilt(qrag, tmp_path: Path) -> None:
    folder = write_files(tmp_path / "docs", GOOD)
    clean = _index(qrag, folder)
    manifest = qrag.data / "manifest.sqlite"
    _damage(manifest)

    rc, out, err = qrag("status")
    assert rc == 0, err
    assert "damaged" in err and "set aside" in err
    aside = list(qrag.data.glob("manifest.sqlite.damaged-*"))
    assert aside, list(qrag.data.iterdir())  # renamed, not deleted
    assert aside[0].read_bytes()[4096:4200] == b"\xa5" * 104

    rebuilt = _index(qrag, folder)
    assert rebuilt["files_failed"] == [] and rebuilt["files_indexed"] == 2
    assert rebuilt["chunks_total"] == clean["chunks_total"]  # nothing doubled
    st = _status(qrag)
    assert st["files"] == 2 and st["chunks"] == clean["chunks_total"]


def test_a_manifest_that_is_not_a_database_is_set_aside(qrag, tmp_path: Path) -> None:
    folder = write_files(tmp_path / "docs", GOOD)
    clean = _index(qrag, folder)
    (qrag.data / "manifest.sqlite").write_bytes(b"this is not a database" * 300)
    rebuilt = _index(qrag, folder)
    assert rebuilt["files_indexed"] == 2 and rebuilt["chunks_total"] == clean["chunks_total"]


def test_a_damaged_conversation_history_is_set_aside_and_starts_empty(tmp_path: Path) -> None:
    path = tmp_path / "conversations.sqlite"
    store = ConversationStore(path)
    for i in range(40):
        c = store.create(f"question {i}")
        store.add_message(c.id, f"question {i}", "answer " * 200, [])
    store.close()
    _damage(path)

    store = ConversationStore(path)
    assert store.set_aside is not None and store.set_aside.exists()
    assert "damaged" in (store.notice() or "")
    assert store.conversations() == []
    c = store.create("a new question")
    store.add_message(c.id, "a new question", "works", [])
    assert [x.title for x in store.conversations()] == ["a new question"]
    store.close()


# --- 6. the store and the manifest disagree ------------------------------------------------------


def test_a_store_that_lost_its_data_is_noticed_and_healed(qrag, tmp_path: Path) -> None:
    folder = write_files(tmp_path / "docs", {**GOOD, "gamma.md": "# Gamma\n\nThe quokka smiles.\n"})
    clean = _index(qrag, folder)
    shutil.rmtree(qrag.data / "index.db")  # the store's files are lost; the manifest still says done

    rc, out, err = qrag("status")
    assert rc == 0
    assert "3 indexed files" in out and "qrag index" in out, out
    assert _status(qrag)["store_disagrees"]

    healed = _index(qrag, folder)
    assert healed["files_unchanged"] == 0 and healed["files_indexed"] == 3
    assert healed["files_repaired"] == 3
    assert healed["chunks_total"] == clean["chunks_total"]
    assert not _status(qrag)["store_disagrees"]
    rc, out, _ = qrag("search", "quokka", "--json", "--no-rerank")
    assert any(h["path"].endswith("gamma.md") for h in json.loads(out)["hits"])


def test_a_damaged_settings_file_is_set_aside_and_defaults_are_used(qrag, tmp_path: Path) -> None:
    qrag.data.mkdir(parents=True)
    (qrag.data / "settings.toml").write_text('embed_model = "half a string\nfolders = [[', "utf-8")
    rc, out, err = qrag("status", "--json")
    assert rc == 0, err
    assert "settings" in err and "set aside" in err
    assert list(qrag.data.glob("settings.toml.damaged-*"))
    rc, out, err = qrag("status")
    assert rc == 0 and "set aside" not in err
