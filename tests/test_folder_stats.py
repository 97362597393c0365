"""The folders' numbers as every face reads them: counted by path (a merged child folder's files
count for its parent), and a run that stops before its end leaves its folders marked incomplete."""

from __future__ import annotations

from pathlib import Path

from qrag_desktop.core.folders import FolderRegistry, read_incomplete, read_stats, track_run
from qrag_desktop.core.manifest import Manifest
from qrag_desktop.core.progress import IndexProgress, IndexReport
from qrag_desktop.core.settings import FolderSetting


def _report(cancelled: bool) -> IndexReport:
    return IndexReport(1, 1, 0, (), 2, 0, 2, 0.1, cancelled=cancelled)


def _put(m: Manifest, path: str, folder: str, status: str, chunks: int) -> None:
    m.put(
        path,
        folder=folder,
        size=1,
        mtime_ns=1,
        digest=path,
        status=status,
        chunk_ids=[f"{path}#{i}" for i in range(chunks)],
        settings_key="k",
    )


def test_stats_count_files_under_each_folder_and_runs_mark_incomplete(tmp_path: Path) -> None:
    m = Manifest(tmp_path / "manifest.sqlite")
    parent, child = str(tmp_path / "notes"), str(tmp_path / "notes" / "docs")
    _put(m, child + "/a.md", child, "done", 3)  # indexed when only the child was a folder
    _put(m, parent + "/b.md", parent, "done", 2)
    _put(m, parent + "/c.md", parent, "writing", 4)  # read, not yet embedded
    _put(m, parent + "/d.pdf", parent, "failed", 0)

    events = [IndexProgress("embedding", 1, 3), _report(cancelled=True)]
    assert list(track_run(m, [parent], events, full=True)) == events
    stats = read_stats(m, [parent])[parent]
    assert (stats.files, stats.chunks, stats.failed, stats.pending) == (2, 5, 1, 1)
    assert stats.incomplete and read_incomplete(m) == [parent]

    list(track_run(m, [parent], [_report(cancelled=False)], full=False))  # a few changed files
    assert read_incomplete(m) == [parent]
    list(track_run(m, [parent], [_report(cancelled=False)], full=True))
    assert read_incomplete(m) == [] and not read_stats(m, [parent])[parent].incomplete

    registry = FolderRegistry([FolderSetting(parent), FolderSetting(str(tmp_path / "other"))])
    registry.set_stats(read_stats(m, registry.paths()))
    totals = registry.totals()
    assert totals is not None and (totals.files, totals.chunks) == (2, 5)
    assert registry.incomplete() == [parent]  # c.md still waits for its embedding
    m.close()


def test_a_run_shows_as_running_until_numbers_read_after_its_end_arrive(tmp_path: Path) -> None:
    """Numbers read before a run ended (when its folder was added: 0 files) must not show as its
    result: the folder stays "indexing" until numbers read after the end come."""
    m = Manifest(tmp_path / "manifest.sqlite")
    folder = str(tmp_path / "notes")
    registry = FolderRegistry([FolderSetting(folder)])
    registry.set_running([folder])
    asked_before_the_end = registry.runs_ended
    before = read_stats(m, [folder])  # read while the run had stored nothing yet
    _put(m, folder + "/a.md", folder, "done", 3)
    registry.run_ended()
    registry.set_stats(before, runs_ended=asked_before_the_end)
    (entry,) = registry.entries()
    assert entry.indexing and entry.stats is not None and entry.stats.files == 0

    registry.set_stats(read_stats(m, [folder]), runs_ended=registry.runs_ended)
    (entry,) = registry.entries()
    assert not entry.indexing and entry.stats is not None
    assert (entry.stats.files, entry.stats.chunks) == (1, 3)

    registry.set_running([folder])  # a second run whose numbers cannot be read at its end
    registry.run_ended()
    registry.stats_unavailable()
    assert not registry.entries()[0].indexing
    m.close()
