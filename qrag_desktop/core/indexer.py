"""Index folders: scan, parse, chunk, embed, store — as a generator that yields progress.

Order of writes (why a kill -9 at any moment loses nothing and doubles nothing):

1. Before any chunk of a file is written, its manifest row is set to ``writing`` with the new
   chunk ids. A crash after this point leaves a row that the next run re-processes.
2. Every chunk stored under the file's path whose id is not in the new list (an older
   version's, or a crashed run's) is deleted: no orphans survive, and a search never sees two
   versions of one file.
3. Chunks are upserted by deterministic id (hash of path, position, text): writing the same
   chunk twice replaces it, so re-processing never creates duplicates. A chunk is written
   twice on purpose: right after its file is parsed, with a placeholder (all-zero) vector, so
   keyword search finds it while embedding is still running; then, once embedded, with its
   real vector under the same id. Dense search leaves placeholders out.
4. The store is flushed, and only then is the manifest row set to ``done``. So ``done`` always
   means "all chunks stored with their real vectors, and nothing else under the path".

On re-processing, chunks already stored under their id with a real vector are not embedded
again, so the work done before a crash is kept; a placeholder counts as not embedded. Deleted
files lose their chunks first and their manifest row last, so a crash in between is simply
repeated.

One file over 400 lines on purpose: the write order above spans scanning, parsing, embedding,
writing and cleaning; kept in one class, its invariants can be read in one place.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from qrag_desktop.core.chunking import Chunker
from qrag_desktop.core.errors import Cancelled, DocumentError
from qrag_desktop.core.jobs import JobControl
from qrag_desktop.core.manifest import FileRecord, Manifest
from qrag_desktop.core.messages import QT_TRANSLATE_NOOP, english, tr
from qrag_desktop.core.paths import normalise
from qrag_desktop.core.progress import FileStatus, IndexProgress, IndexReport, Stage
from qrag_desktop.core.scan import iter_files, stored_name
from qrag_desktop.core.types import Chunk, Document

if TYPE_CHECKING:
    from qrag_desktop.core.models.embedder import Embedder
    from qrag_desktop.core.vector_store import VectorStore

log = logging.getLogger(__name__)

# A parser returns the Document, or a generator that yields progress lines ("OCR page 2 of 9") and
# returns it (ParserPool.parse_steps), whose lines the job passes on as IndexProgress.detail.
ParseFn = Callable[[Path, "int | None"], "Document | Generator[str, None, Document]"]


@dataclass(frozen=True)
class _Changed:
    size: int
    mtime_ns: int
    digest: str


@dataclass
class _Pending:
    """A parsed file waiting to be embedded and written."""

    path: str
    folder: str
    size: int
    mtime_ns: int
    digest: str
    chunks: list[Chunk]
    reuse: dict[str, np.ndarray] = field(default_factory=dict)  # chunk id -> vector we already have
    missing: list[Chunk] = field(default_factory=list)  # stored as placeholders: still to embed


def _relay(
    steps: Generator[str, None, Document], done: int, total: int, path: str
) -> Generator[IndexProgress, None, Document]:
    """The parser's progress lines as IndexProgress of the file being read; returns its Document.

    A job closed mid-file closes the parser too, which stops its worker instead of leaving it busy.
    """
    try:
        while True:
            try:
                line = next(steps)
            except StopIteration as finished:
                document: Document = finished.value
                return document
            yield IndexProgress("parsing", done, total, current=path, detail=line)
    finally:
        steps.close()


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def settings_key(chunker: Chunker, embed_model: str | None, dim: int | None) -> str:
    """Everything that changes a file's chunks or vectors; a change re-indexes the file."""
    return json.dumps(
        {"tokens": chunker.chunk_tokens, "overlap": chunker.overlap, "model": embed_model, "dim": dim},
        sort_keys=True,
    )


class Indexer:
    def __init__(
        self,
        *,
        store: VectorStore,
        manifest: Manifest,
        chunker: Chunker,
        embedder: Embedder | None,
        dimension: int,
        parse: ParseFn,
        settings_key: str,
        max_bytes: int | None = None,
        batch_chunks: int = 64,
        embed_batch_tokens: int | None = None,
        model_lock: threading.Lock | None = None,
    ) -> None:
        self.store = store
        self.manifest = manifest
        self.chunker = chunker
        self.embedder = embedder
        self.dimension = dimension
        self.parse = parse
        self.settings_key = settings_key
        self.max_bytes = max_bytes
        self.batch_chunks = batch_chunks
        self.embed_batch_tokens = embed_batch_tokens  # None: the embedder's own budget for its device
        # Taken per embedding batch, not per run, so a question asked while indexing gets the
        # model between two batches instead of waiting for the whole run.
        self.model_lock = model_lock or threading.Lock()
        self._store_counts: dict[str, int] = {}
        self._repaired: set[str] = set()

    # -- the job ---------------------------------------------------------------------------------
    def run(
        self,
        folders: Sequence[str | os.PathLike[str]],
        control: JobControl | None = None,
        *,
        only: Sequence[str] | None = None,
    ) -> Iterator[IndexProgress | IndexReport]:
        """Bring the index in line with ``folders``. Yields progress; the last item is the report.

        ``only``: restrict the work to these files (the watcher's changed paths); deletion of
        vanished files is then limited to them too.
        """
        control = control or JobControl()
        t0 = time.monotonic()
        roots = [normalise(f) for f in folders]
        failed: dict[str, str] = {}
        added = deleted = unchanged = indexed = 0
        cancelled = False

        try:
            # 1. scan
            # Files are known by their stored name (scan.stored_name): the path itself, unless
            # its bytes are not valid UTF-8; ``on_disk`` keeps the real path of those few.
            seen: dict[str, str] = {}  # stored name -> folder
            on_disk: dict[str, str] = {}
            only_set = {stored_name(normalise(p)) for p in only} if only is not None else None
            for root in roots:
                if not Path(root).exists():
                    failed[stored_name(root)] = "folder not found (moved, deleted or unmounted?)"
                    continue
                folder = stored_name(root)
                for p in iter_files(root):
                    sp = str(p)
                    name = stored_name(sp)
                    if only_set is None or _covered(name, only_set):
                        seen.setdefault(name, folder)
                        if name != sp:
                            on_disk[name] = sp
                    if len(seen) % 200 == 0:
                        control.checkpoint()
                        yield IndexProgress("scanning", files_total=len(seen), current=sp)
            files = sorted(seen)
            total = len(files)
            yield IndexProgress("scanning", files_total=total)

            # 2. decide what changed (a stat per file; a hash only when size or mtime moved).
            #    The store's passages per path are checked against the manifest at the same time:
            #    a file whose passages were lost (store files deleted, a store set aside) is redone.
            self._store_counts = self.store.paths() if files else {}
            self._repaired = set()
            todo: list[tuple[str, str, int, int, str]] = []  # path, folder, size, mtime, digest
            done_count = 0
            for path in files:
                control.checkpoint()
                verdict = self._what_changed(path, seen[path], on_disk.get(path, path))
                if isinstance(verdict, _Changed):
                    todo.append((path, seen[path], verdict.size, verdict.mtime_ns, verdict.digest))
                    yield IndexProgress(
                        "parsing", done_count, total, current=path, file=FileStatus(path, "queued")
                    )
                    continue
                done_count += 1
                if verdict.status == "failed":
                    failed[path] = verdict.error or ""
                else:
                    unchanged += 1
                yield self._file_event("parsing", done_count, total, verdict)

            # 3. vanished or now-excluded files leave the index (renames are matched first)
            vanished = self._vanished([stored_name(r) for r in roots], seen, only_set)
            vanished_by_hash = {rec.hash: rec for rec in vanished if rec.status == "done"}
            # Files gone from folders outside this run (a renamed or moved folder indexed under its
            # new name) are rename candidates too; one that is matched leaves the index with its
            # vectors reused, instead of staying there under its old path for ever.
            gone = self._gone_elsewhere(seen, vanished) if todo else {}
            moved: list[FileRecord] = []

            # 4. parse and chunk what changed; store each few files' chunks at once as
            #    placeholders, so keyword search finds them long before they are embedded
            pending: list[_Pending] = []
            unstored: list[_Pending] = []  # parsed, not yet written as placeholders
            unstored_chunks = chunks_total = 0
            for path, folder, size, mtime_ns, digest in todo:
                control.checkpoint()
                yield IndexProgress(
                    "parsing", done_count, total, current=path, file=FileStatus(path, "parsing")
                )
                try:
                    parsed = self.parse(Path(on_disk.get(path, path)), self.max_bytes)
                    if isinstance(parsed, Generator):  # its lines reach the window while it reads
                        doc = yield from _relay(parsed, done_count, total, path)
                    else:
                        doc = parsed
                    if doc.path != path:
                        doc = dataclasses.replace(doc, path=path, title=stored_name(doc.title))
                    chunks = self.chunker.chunk(doc)
                    if not chunks:
                        raise DocumentError(QT_TRANSLATE_NOOP("core", "no text"))
                except DocumentError as exc:
                    if control.cancelled:  # the parser was stopped for the cancel: not this file's fault
                        raise Cancelled() from exc
                    failed[path] = exc.message
                    self._mark_failed(path, folder, size, mtime_ns, digest, exc)
                    deleted += self.store.delete_path(path)
                    done_count += 1
                    # The window shows the reason in its language; the manifest and report keep English.
                    yield self._file_event(
                        "parsing", done_count, total, FileStatus(path, "failed", exc.user_message())
                    )
                    continue
                item = _Pending(path, folder, size, mtime_ns, digest, chunks)
                old = vanished_by_hash.pop(digest, None)
                if old is None and digest in gone:
                    old = gone.pop(digest)
                    moved.append(old)
                if old is not None:  # a rename or move: reuse the vectors by position
                    item.reuse = self._vectors_by_position(old.chunk_ids, chunks)
                pending.append(item)
                unstored.append(item)
                unstored_chunks += len(chunks)
                chunks_total += len(chunks)
                if unstored_chunks >= self.batch_chunks:
                    a, d = self._write_placeholders(unstored)
                    added, deleted = added + a, deleted + d
                    unstored, unstored_chunks = [], 0
            if unstored:
                a, d = self._write_placeholders(unstored)
                added, deleted = added + a, deleted + d

            # vanished files: chunks first, manifest row last
            for rec in vanished + moved:
                control.checkpoint()
                deleted += self.store.delete_path(rec.path)
                self.manifest.delete(rec.path)
                yield IndexProgress("cleaning", done_count, total, file=FileStatus(rec.path, "removed"))
            if vanished or moved:
                self.store.flush()

            # 5. embed and write, in groups of files
            chunks_done = 0
            t_embed = time.monotonic()
            group: list[_Pending] = []
            group_chunks = 0
            for i, item in enumerate(pending):
                group.append(item)
                group_chunks += len(item.chunks)
                if group_chunks < self.batch_chunks and i + 1 < len(pending):
                    continue
                for ev in self._write_group(
                    group, control, done_count, total, chunks_done, chunks_total, t_embed
                ):
                    if isinstance(ev, int):
                        added += ev
                    else:
                        yield ev
                chunks_done += group_chunks
                done_count += len(group)
                indexed += len(group)
                group, group_chunks = [], 0
        except Cancelled:
            cancelled = True
        finally:
            try:
                self.store.flush()
            except Exception:  # noqa: BLE001 - the report must still come out
                pass

        yield IndexReport(
            files_seen=len(seen) if "seen" in locals() else 0,
            files_indexed=indexed,
            files_unchanged=unchanged,
            files_failed=tuple(sorted(failed.items())),
            chunks_added=added,
            chunks_deleted=deleted,
            chunks_total=self.store.count(),
            seconds=time.monotonic() - t0,
            cancelled=cancelled,
            files_repaired=len(self._repaired),
        )

    # -- pieces ----------------------------------------------------------------------------------
    def _what_changed(self, path: str, folder: str, disk_path: str) -> FileStatus | _Changed:
        """A stat per file; a hash only when size or mtime moved; an embedding only when content did."""
        found = self.manifest.get(path)
        # the file's record, when it was indexed whole with today's settings
        indexed = found is not None and found.status == "done" and found.settings_key == self.settings_key
        rec = found if indexed else None
        if rec is not None and self._store_counts.get(path, 0) != len(rec.chunk_ids):
            log.info(
                "%s: %d passages in the store, %d expected: indexing it again",
                path,
                self._store_counts.get(path, 0),
                len(rec.chunk_ids),
            )
            self._repaired.add(path)
            rec = None
        try:
            st = os.stat(disk_path)
            if rec is not None and rec.size == st.st_size and rec.mtime_ns == st.st_mtime_ns:
                return FileStatus(path, "unchanged", chunks=len(rec.chunk_ids))
            digest = file_digest(Path(disk_path))
        except OSError as exc:
            return FileStatus(path, "failed", _os_error_text(exc))
        if rec is not None and rec.hash == digest:
            # touched but not changed: remember the new stat, embed nothing
            self.manifest.put(
                path,
                folder=folder,
                size=st.st_size,
                mtime_ns=st.st_mtime_ns,
                digest=digest,
                status="done",
                chunk_ids=rec.chunk_ids,
                settings_key=self.settings_key,
            )
            return FileStatus(path, "unchanged", chunks=len(rec.chunk_ids))
        return _Changed(st.st_size, st.st_mtime_ns, digest)

    def _file_event(self, stage: Stage, done: int, total: int, fs: FileStatus) -> IndexProgress:
        return IndexProgress(stage, done, total, current=fs.path, file=fs)

    def _vanished(self, roots: list[str], seen: dict[str, str], only: set[str] | None) -> list[FileRecord]:
        out = []
        for rec in self.manifest.all():
            if rec.path in seen:
                continue
            if only is not None:
                if _covered(rec.path, only):
                    out.append(rec)
                continue
            if any(rec.path == r or rec.path.startswith(r.rstrip(os.sep) + os.sep) for r in roots):
                out.append(rec)
        return out

    def _gone_elsewhere(self, seen: dict[str, str], vanished: list[FileRecord]) -> dict[str, FileRecord]:
        """Indexed files outside this run's folders that are no longer on disk, by content hash."""
        skip = {rec.path for rec in vanished}
        out: dict[str, FileRecord] = {}
        for rec in self.manifest.all():
            if rec.status == "done" and rec.path not in seen and rec.path not in skip:
                if not os.path.lexists(rec.path):
                    out.setdefault(rec.hash, rec)
        return out

    def _record(self, item: _Pending, status: str) -> None:
        """The manifest row of a file being written ("writing") or fully stored ("done")."""
        self.manifest.put(
            item.path,
            folder=item.folder,
            size=item.size,
            mtime_ns=item.mtime_ns,
            digest=item.digest,
            status=status,
            chunk_ids=[c.id for c in item.chunks],
            settings_key=self.settings_key,
        )

    def _mark_failed(
        self, path: str, folder: str, size: int, mtime_ns: int, digest: str, exc: DocumentError
    ) -> None:
        """The reason is kept in English and as template and arguments (shown translated later)."""
        self.manifest.put(
            path,
            folder=folder,
            size=size,
            mtime_ns=mtime_ns,
            digest=digest,
            status="failed",
            chunk_ids=[],
            settings_key=self.settings_key,
            error=exc.message,
            error_template=exc.template,
            error_args=tuple(english(a) for a in exc.message_args),
        )

    def _vectors_by_position(self, old_ids: Sequence[str], chunks: list[Chunk]) -> dict[str, np.ndarray]:
        if len(old_ids) != len(chunks):
            return {}
        try:
            old_vecs = self.store.vectors_for_ids(list(old_ids))
        except Exception:  # noqa: BLE001 - reuse is an optimisation; embedding again is correct
            return {}
        return {c.id: old_vecs[o] for o, c in zip(old_ids, chunks, strict=True) if o in old_vecs}

    def _write_placeholders(self, items: list[_Pending]) -> tuple[int, int]:
        """Mark ``items`` writing, delete what no longer belongs to them, then store every chunk
        that has no real vector yet: with a vector kept from a rename when there is one, else with
        a placeholder that keyword search finds and dense search skips. Fills each item's
        ``missing`` (what is left to embed).

        Returns (chunks stored for good, not as placeholders; chunks deleted). Without an
        embedding model a zero vector is final, so then every chunk written counts.
        """
        for item in items:
            self._record(item, "writing")
        # the old version leaves before the new one arrives: a search never sees both
        stale: list[str] = []
        for item in items:
            keep = {c.id for c in item.chunks}
            stale.extend(i for i in self.store.ids_for_path(item.path) if i not in keep)
        self.store.delete_ids(stale)
        real = self.store.vectors_for_ids([c.id for item in items for c in item.chunks])
        zero = np.zeros(self.dimension, dtype=np.float32)
        rows: list[Chunk] = []
        vecs: list[np.ndarray] = []
        placeholders = 0
        for item in items:
            item.missing = []
            for c in item.chunks:
                if c.id in real:  # an unchanged passage of an edited file, or a stopped run's work
                    continue
                vec = item.reuse.get(c.id)
                if vec is None:
                    vec = zero
                    if self.embedder is not None:
                        item.missing.append(c)
                        placeholders += 1
                rows.append(c)
                vecs.append(vec)
        if rows:
            self.store.upsert(rows, np.stack(vecs).astype(np.float32, copy=False))
        return len(rows) - placeholders, len(stale)

    def _write_group(
        self,
        group: list[_Pending],
        control: JobControl,
        files_done: int,
        files_total: int,
        chunks_done: int,
        chunks_total: int,
        t_embed: float,
    ) -> Iterator[IndexProgress | int]:
        """Embed the group's placeholders and store their real vectors, then mark its files done.

        Yields progress, and last the number of chunks stored with real vectors.
        """
        for item in group:
            yield IndexProgress(
                "embedding",
                files_done,
                files_total,
                chunks_done,
                chunks_total,
                current=item.path,
                file=FileStatus(item.path, "embedding", chunks=len(item.chunks)),
            )

        # (1) embed the placeholders, batch by batch (pause/cancel between batches)
        need = [c for item in group for c in item.missing]
        vectors: dict[str, np.ndarray] = {}
        if need:
            assert self.embedder is not None
            n_done = 0
            batches = self.embedder.embed_documents(
                [c.embed_text for c in need], batch_tokens=self.embed_batch_tokens
            )
            while True:
                with self.model_lock:
                    batch = next(batches, None)
                if batch is None:
                    break
                for idx, vec in zip(batch.indices, batch.vectors, strict=True):
                    vectors[need[int(idx)].id] = vec
                n_done += len(batch.indices)
                elapsed = max(time.monotonic() - t_embed, 1e-6)
                done_now = chunks_done + n_done
                rate = done_now / elapsed
                eta = (chunks_total - done_now) / rate if rate > 0 else None
                yield IndexProgress(
                    "embedding",
                    files_done,
                    files_total,
                    done_now,
                    chunks_total,
                    current=group[-1].path,
                    chunks_per_s=rate,
                    eta_s=eta,
                )
                control.checkpoint()
        added = 0
        if need:  # the real vectors replace the placeholders, under the same ids
            mat = np.stack([vectors[c.id] for c in need]).astype(np.float32, copy=False)
            self.store.upsert(need, mat)
            added = len(need)
        self.store.flush()
        # (2) done: every chunk has its real vector (the stale ones went when the placeholders came)
        for item in group:
            self._record(item, "done")
            files_done += 1
            yield IndexProgress(
                "embedding",
                files_done,
                files_total,
                chunks_done,
                chunks_total,
                current=item.path,
                file=FileStatus(item.path, "done", chunks=len(item.chunks)),
            )
        yield added


def _covered(path: str, only: set[str]) -> bool:
    """Is ``path`` one of ``only``, or inside a folder that is (a moved or deleted folder)?"""
    if path in only:
        return True
    parent = os.path.dirname(path)
    while parent and parent != os.path.dirname(parent):
        if parent in only:
            return True
        parent = os.path.dirname(parent)
    return False


def _os_error_text(exc: OSError) -> str:
    import errno

    if exc.errno == errno.ENOENT:
        return tr(QT_TRANSLATE_NOOP("core", "file not found (moved or deleted?)"))
    if exc.errno in (errno.EACCES, errno.EPERM):
        return tr(QT_TRANSLATE_NOOP("core", "permission denied"))
    if exc.errno == errno.ELOOP:
        return tr(QT_TRANSLATE_NOOP("core", "symlink loop"))
    return tr(QT_TRANSLATE_NOOP("core", "cannot read file: %1"), exc.strerror or exc)
