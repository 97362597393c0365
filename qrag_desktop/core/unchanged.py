"""A start-up index run that finds nothing changed, decided without loading any model.

Every start re-checks the knowledge folders. When each file has the size and modification time the
manifest recorded, under the settings and store of the last full run, and the store still holds
each file's passages, the run's events are produced from the manifest and a stat per file: the
embedding model (seconds to load on a CPU) is loaded only when there is something to embed.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from collections.abc import Sequence
from pathlib import Path

from qrag_desktop.core.manifest import Manifest
from qrag_desktop.core.paths import normalise
from qrag_desktop.core.progress import FileStatus, IndexProgress, IndexReport
from qrag_desktop.core.scan import iter_files, stored_name
from qrag_desktop.core.settings import Settings
from qrag_desktop.core.vector_store import EmbeddingSpec, VectorStore


def _meta_key(settings: Settings) -> str:
    s = settings
    return "unchanged_check:" + json.dumps(
        [s.embed_model, s.embed_dim, s.query_instruction, s.chunk_tokens, s.chunk_overlap]
    )


def remember_full_run(manifest: Manifest, settings: Settings, key: str, spec: EmbeddingSpec) -> None:
    """What a later start compares with, before loading any model."""
    manifest.set_meta(
        _meta_key(settings),
        json.dumps(
            {"settings_key": key, "spec": dataclasses.asdict(spec), "ocr_enabled": settings.ocr_enabled}
        ),
    )


def all_unchanged(
    manifest: Manifest, store: VectorStore, settings: Settings, folders: Sequence[str | os.PathLike[str]]
) -> list[IndexProgress | IndexReport] | None:
    """The events of a run that finds every file as it was indexed; None when anything needs the
    full run (a new, changed, vanished or failed file, other settings, another index, passages
    missing from the store, a name the full run stores differently, OCR switched on or off: a scan
    that failed without it is read with it)."""
    t0 = time.monotonic()
    raw = manifest.get_meta(_meta_key(settings))
    try:
        known = json.loads(raw) if raw else None
        key, spec = (known["settings_key"], known["spec"]) if known else (None, None)
        ocr = known.get("ocr_enabled", True) if known else None  # runs before it was kept: on
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    if key is None or ocr != settings.ocr_enabled:
        return None
    current = store.spec()
    if current is None or dataclasses.asdict(current) != spec:
        return None
    counts = store.paths()  # passages per path: a file whose passages were lost is redone
    files: list[FileStatus] = []
    failed: list[tuple[str, str]] = []
    seen: set[str] = set()
    for folder in folders:
        root = normalise(folder)
        if not Path(root).is_dir():
            return None
        records = {r.path: r for r in manifest.all(folder=root)}
        n = 0
        for p in iter_files(root):
            path = str(p)
            rec = records.get(path)
            if (
                path in seen
                or rec is None
                or stored_name(path) != path
                or rec.status not in ("done", "failed")
            ):
                return None
            if rec.status == "done" and (
                rec.settings_key != key or counts.get(path, 0) != len(rec.chunk_ids)
            ):
                return None
            try:
                st = os.stat(path)
            except OSError:
                return None
            if (st.st_size, st.st_mtime_ns) != (rec.size, rec.mtime_ns):
                return None
            seen.add(path)
            n += 1
            if rec.status == "failed":  # unchanged since it failed; "Retry failed files" tries again
                failed.append((path, rec.error or ""))  # the report stays English
                files.append(FileStatus(path, "failed", rec.shown_error()))  # the window's language
            else:
                files.append(FileStatus(path, "unchanged", chunks=len(rec.chunk_ids)))
        if n != len(records):  # a file is gone: the full run removes its passages
            return None
    total = len(files)
    events: list[IndexProgress | IndexReport] = [IndexProgress("scanning", files_total=total)]
    events += [IndexProgress("parsing", i + 1, total, current=f.path, file=f) for i, f in enumerate(files)]
    events.append(
        IndexReport(
            files_seen=total,
            files_indexed=0,
            files_unchanged=total - len(failed),
            files_failed=tuple(sorted(failed)),
            chunks_added=0,
            chunks_deleted=0,
            chunks_total=store.count(),
            seconds=time.monotonic() - t0,
        )
    )
    return events
