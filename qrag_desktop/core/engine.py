"""One knowledge base: settings, store, manifest and models, shared by the CLI and the app.

Models load lazily and once; one lock serialises model calls so indexing and chat never run two
forward passes on one model at the same time.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from qrag_desktop.core.chunking import Chunker
from qrag_desktop.core.documents import load_document
from qrag_desktop.core.errors import EngineClosedError, ModelNotFoundError, QragError, StoreError
from qrag_desktop.core.indexer import FileStatus, Indexer, IndexProgress, IndexReport, settings_key
from qrag_desktop.core.jobs import JobControl
from qrag_desktop.core.manifest import Manifest
from qrag_desktop.core.messages import QT_TRANSLATE_NOOP, tr
from qrag_desktop.core.retrieval import Retriever
from qrag_desktop.core.settings import FolderSetting, Paths, Settings
from qrag_desktop.core.types import Document, SearchResult

log = logging.getLogger(__name__)

KEYWORD_ONLY = "(keyword only)"
KEYWORD_ONLY_DIM = 8


@dataclass(frozen=True)
class Status:
    files: int
    files_failed: int
    chunks: int
    model_id: str | None
    dimension: int | None
    query_instruction: str | None
    store: str
    data_dir: str
    folders: tuple[FolderSetting, ...]


def _parse_in_process(path: Path, max_bytes: int | None) -> Document:
    return load_document(path, max_bytes=max_bytes)


class Engine:
    def __init__(self, settings: Settings, paths: Paths, *, milvus_token: str | None = None) -> None:
        self.settings = settings
        self.paths = paths
        self._milvus_token = milvus_token
        self._store = None
        self._manifest: Manifest | None = None
        self._embedder = None
        self._reranker = None
        self._pool = None
        # One lock per part: loading a model (seconds) must not block opening the store.
        self._store_lock = threading.Lock()
        self._manifest_lock = threading.Lock()
        self._embedder_lock = threading.Lock()
        self._reranker_lock = threading.Lock()
        self.model_lock = threading.Lock()
        self._closed = False

    def _check_open(self) -> None:
        # Work that outlives close() (a job the app stopped waiting for) must not quietly reopen
        # the store: that would start a Milvus Lite server, take its LOCK and never release it.
        if self._closed:
            raise EngineClosedError("This knowledge base was closed.")

    # -- parts, loaded on first use -----------------------------------------------------------------
    @property
    def store(self):  # -> MilvusStore
        with self._store_lock:
            if self._store is None:
                self._check_open()
                from qrag_desktop.core.store import open_store

                self.paths.ensure()
                store = open_store(self.settings, self.paths, token=self._milvus_token)
                store.open()
                self._store = store
            return self._store

    @property
    def manifest(self) -> Manifest:
        with self._manifest_lock:
            if self._manifest is None:
                self._check_open()
                self.paths.ensure()
                self._manifest = Manifest(self.paths.manifest_path)
            return self._manifest

    def embedder(self):  # -> Embedder
        """The embedding model, loaded on first call (raises ModelNotFoundError when not on disk)."""
        with self._embedder_lock:
            if self._embedder is None:
                from qrag_desktop.core.models.embedder import Embedder

                emb = Embedder(
                    self.settings.embed_model,
                    device=self.settings.device,
                    dim=self.settings.embed_dim,
                    query_instruction=self.settings.query_instruction,
                    precision=self.settings.numeric,
                )
                emb.warm_up()
                self._embedder = emb
            return self._embedder

    def reranker(self):  # -> Reranker
        with self._reranker_lock:
            if self._reranker is None:
                from qrag_desktop.core.models.reranker import Reranker

                rr = Reranker(
                    self.settings.rerank_model,
                    device=self.settings.device,
                    instruction=self.settings.rerank_instruction,
                    precision=self.settings.numeric,
                )
                rr.warm_up()
                self._reranker = rr
            return self._reranker

    def current_spec(self):  # -> EmbeddingSpec
        from qrag_desktop.core.store import EmbeddingSpec

        emb = self.embedder()
        return EmbeddingSpec(
            model_id=self.settings.embed_model,
            dimension=emb.dimension,
            query_instruction=self.settings.query_instruction,
        )

    # -- indexing -----------------------------------------------------------------------------------
    def index(
        self,
        folders: Sequence[str | os.PathLike[str]],
        control: JobControl | None = None,
        *,
        reembed: bool = False,
        keyword_only: bool = False,
        only: Sequence[str] | None = None,
        parse=None,
    ) -> Iterator[IndexProgress | IndexReport]:
        """Index ``folders`` (a generator of progress; the last item is the report).

        ``keyword_only`` indexes for BM25 search with no embedding model (zero vectors), so the
        app is useful before a model is on disk; a later run with a model re-embeds.
        """
        from qrag_desktop.core.store import EmbeddingSpec

        if not keyword_only and not reembed and only is None:
            quick = self._all_unchanged(folders)
            if quick is not None:  # nothing to embed: the model is not loaded for nothing
                log.info(
                    "nothing changed under %d folder(s): the embedding model is not loaded", len(folders)
                )
                yield from quick
                return
        store = self.store
        if keyword_only:
            embedder = None
            spec = EmbeddingSpec(model_id=KEYWORD_ONLY, dimension=KEYWORD_ONLY_DIM, query_instruction="")
            tokenizer = None
        else:
            embedder = self.embedder()
            spec = self.current_spec()
            tokenizer = embedder.tokenizer
        existing = store.spec()
        if existing is not None and (reembed or existing.model_id == KEYWORD_ONLY) and existing != spec:
            log.info("re-embedding: dropping collection built with %s", existing.model_id)
            store.drop()
            self.manifest.clear()
        store.ensure_collection(spec)
        chunk_tokens, overlap = self.settings.chunk_tokens, self.settings.chunk_overlap
        if embedder is not None and embedder.max_tokens and embedder.max_tokens < chunk_tokens:
            # The model reads no more than its window: the budget shrinks to it, and the overlap
            # keeps its share of the budget. Measured with MiniLM (256-token window) on the shared
            # questions: overlap 32 of 256 gave MRR@10 0.868, a fixed 48 gave 0.840.
            overlap = round(overlap * embedder.max_tokens / chunk_tokens)
            chunk_tokens = int(embedder.max_tokens)
        chunker = Chunker(tokenizer, chunk_tokens=chunk_tokens, overlap=overlap)
        if not keyword_only:  # what a later start compares with, before loading any model
            self.manifest.set_meta(
                self._quick_check_key(),
                json.dumps(
                    {
                        "settings_key": settings_key(chunker, spec.model_id, spec.dimension),
                        "spec": dataclasses.asdict(spec),
                    }
                ),
            )
        indexer = Indexer(
            store=store,
            manifest=self.manifest,
            chunker=chunker,
            embedder=embedder,
            dimension=spec.dimension,
            parse=parse or self._parser(),
            settings_key=settings_key(chunker, spec.model_id, spec.dimension),
            max_bytes=int(self.settings.max_file_mb * 1024 * 1024),
            model_lock=self.model_lock,
            batch_chunks=self.settings.index_batch_chunks,
        )
        yield from indexer.run(folders, control, only=only)

    def _quick_check_key(self) -> str:
        s = self.settings
        return "unchanged_check:" + json.dumps(
            [s.embed_model, s.embed_dim, s.query_instruction, s.chunk_tokens, s.chunk_overlap]
        )

    def _all_unchanged(self, folders: Sequence[str | os.PathLike[str]]) -> list | None:
        """The events of a run that finds every file as it was indexed, decided from the manifest and
        a stat per file, with no model loaded; None when anything needs the full run (a new, changed,
        vanished or failed file, other settings, another index)."""
        t0 = time.monotonic()
        raw = self.manifest.get_meta(self._quick_check_key())
        try:
            known = json.loads(raw) if raw else None
            key, spec = (known["settings_key"], known["spec"]) if known else (None, None)
        except (ValueError, KeyError, TypeError):
            return None
        if key is None:
            return None
        current = self.store.spec()
        if current is None or dataclasses.asdict(current) != spec:
            return None
        from qrag_desktop.core.scan import iter_files

        files: list[FileStatus] = []
        failed: list[tuple[str, str]] = []
        seen: set[str] = set()
        for folder in folders:
            root = str(Path(folder).expanduser().resolve())
            if not Path(root).is_dir():
                return None
            records = {r.path: r for r in self.manifest.all(folder=root)}
            n = 0
            for p in iter_files(root):
                path = str(p)
                rec = records.get(path)
                if path in seen or rec is None or rec.status not in ("done", "failed"):
                    return None
                if rec.status == "done" and rec.settings_key != key:
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
                    failed.append((path, rec.error or ""))
                    files.append(FileStatus(path, "failed", rec.error))
                else:
                    files.append(FileStatus(path, "unchanged", chunks=len(rec.chunk_ids)))
            if n != len(records):  # a file is gone: the full run removes its passages
                return None
        total = len(files)
        events: list = [IndexProgress("scanning", files_total=total)]
        events += [
            IndexProgress("parsing", i + 1, total, current=f.path, file=f) for i, f in enumerate(files)
        ]
        events.append(
            IndexReport(
                files_seen=total,
                files_indexed=0,
                files_unchanged=total - len(failed),
                files_failed=tuple(sorted(failed)),
                chunks_added=0,
                chunks_deleted=0,
                chunks_total=self.store.count(),
                seconds=time.monotonic() - t0,
            )
        )
        return events

    def _parser(self):
        """Parse in a separate process with a time limit, so a pathological file cannot hang us."""
        try:
            from qrag_desktop.core.documents.isolation import ParserPool
        except ImportError:  # pragma: no cover
            return _parse_in_process
        if self._pool is None:
            self._pool = ParserPool(timeout_s=60.0)
        return self._pool.parse

    def set_aside_index(self) -> list[Path]:
        """Move the manifest and the local store out of the way, so the next run rebuilds them.

        For a damaged index: nothing is deleted (the old files are renamed with a timestamp, for
        the user or a bug report), and the documents themselves are never touched. Against a
        Milvus server the collection is dropped instead. Returns the paths set aside.
        """
        import time as _time

        if self.settings.milvus_uri:
            self.store.drop()
        self._close_parts()  # released for the rename; the same engine rebuilds them next
        stamp = _time.strftime("%Y%m%d-%H%M%S")
        moved: list[Path] = []
        candidates = [
            self.paths.manifest_path,
            Path(f"{self.paths.manifest_path}-wal"),
            Path(f"{self.paths.manifest_path}-shm"),
        ]
        if not self.settings.milvus_uri:
            candidates.append(self.paths.store_path)
        for p in candidates:
            if p.exists():
                target = p.with_name(f"{p.name}.damaged-{stamp}")
                p.rename(target)
                moved.append(target)
        return moved

    def remove_folder(self, folder: str) -> int:
        """Take a folder's chunks out of the index. Returns the number of chunks removed."""
        root = str(Path(folder).expanduser().resolve())
        removed = 0
        for rec in self.manifest.all(folder=root):
            removed += self.store.delete_path(rec.path)
            self.manifest.delete(rec.path)
        self.store.flush()
        return removed

    # -- searching ----------------------------------------------------------------------------------
    def retriever(self, *, rerank: bool = True) -> tuple[Retriever, tuple[str, ...]]:
        """A retriever matching what the index was built with; notes say what had to be skipped."""
        store = self.store
        spec = store.spec()
        notes: list[str] = []
        embedder = None
        if spec is not None and spec.model_id != KEYWORD_ONLY:
            embedder = self.embedder()
            store.check_spec(self.current_spec())
        elif spec is not None:
            notes.append(
                tr(
                    QT_TRANSLATE_NOOP(
                        "core", "This index was built for keyword search only; results are keyword matches."
                    )
                )
            )
        reranker = None
        if rerank and self.settings.rerank_enabled:
            try:
                reranker = self.reranker()
            except ModelNotFoundError as exc:
                notes.append(tr(QT_TRANSLATE_NOOP("core", "%1 Results are not reranked."), exc.user_text()))
        r = Retriever(
            store,
            embedder,
            reranker,
            candidates=self.settings.candidates,
            rerank_candidates=self.settings.rerank_candidates,
            top_k=self.settings.top_k,
            model_lock=self.model_lock,
        )
        return r, tuple(notes)

    def search_stages(
        self,
        query: str,
        *,
        top_k: int | None = None,
        rerank: bool = True,
        paths_prefix: Sequence[str] | None = None,
        control: JobControl | None = None,
    ) -> Iterator[SearchResult]:
        import dataclasses

        retriever, notes = self.retriever(rerank=rerank)
        for result in retriever.stages(
            query, top_k=top_k, rerank=rerank, paths_prefix=paths_prefix, control=control
        ):
            yield dataclasses.replace(result, notes=result.notes + notes)

    def search(self, query: str, **kwargs) -> SearchResult:
        *_, last = self.search_stages(query, **kwargs)
        return last

    def local_only_roots(self) -> list[str]:
        return [str(Path(f.path).expanduser().resolve()) for f in self.settings.folders if f.local_only]

    # -- status / lifetime --------------------------------------------------------------------------
    def status(self) -> Status:
        store = self.store
        stats = store.stats()
        records = self.manifest.all()
        spec = stats.spec
        return Status(
            files=sum(1 for r in records if r.status == "done"),
            files_failed=sum(1 for r in records if r.status == "failed"),
            chunks=stats.chunks,
            model_id=spec.model_id if spec else None,
            dimension=spec.dimension if spec else None,
            query_instruction=spec.query_instruction if spec else None,
            store=stats.location,
            data_dir=str(self.paths.data_dir),
            folders=self.settings.folders,
        )

    def close(self) -> None:
        """Idempotent: close parser processes, the store and the manifest; they are not reopened."""
        self._closed = True
        self._close_parts()

    def _close_parts(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None
        with self._store_lock:  # a thread opening the store right now finishes first
            store, self._store = self._store, None
        if store is not None:
            try:
                store.close()
            except StoreError:
                pass
        with self._manifest_lock:
            manifest, self._manifest = self._manifest, None
        if manifest is not None:
            manifest.close()


__all__ = ["Engine", "KEYWORD_ONLY", "QragError", "Status"]
