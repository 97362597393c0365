"""One knowledge base: settings, store, manifest and models, shared by the CLI and the app.

Models load lazily and once; one lock serialises model calls so indexing and chat never run two
forward passes on one model at the same time.

One piece on purpose (over 400 lines): this is the facade both faces (window and CLI) hold, and
its parts share one lifecycle (open lazily, close once, never reopen after close) under the locks
above. The work itself lives elsewhere: indexing in ``indexer``, searching in ``retrieval``, the
unchanged-files start in ``unchanged``, the folders in ``folders``.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from qrag_desktop.core.chunking import Chunker
from qrag_desktop.core.documents import load_document
from qrag_desktop.core.errors import EngineClosedError, ModelNotFoundError, QragError, StoreError
from qrag_desktop.core.folders import FolderRegistry
from qrag_desktop.core.indexer import Indexer, ParseFn, settings_key
from qrag_desktop.core.jobs import JobControl
from qrag_desktop.core.manifest import FileRecord, Manifest
from qrag_desktop.core.messages import QT_TRANSLATE_NOOP, tr
from qrag_desktop.core.paths import is_under, normalise
from qrag_desktop.core.progress import IndexProgress, IndexReport
from qrag_desktop.core.retrieval import Retriever
from qrag_desktop.core.scan import stored_name
from qrag_desktop.core.settings import FolderSetting, Paths, Settings, rerank_budget_for
from qrag_desktop.core.types import Document, Progress, SearchResult
from qrag_desktop.core.unchanged import all_unchanged, remember_full_run
from qrag_desktop.core.vector_store import EmbeddingSpec, VectorStore

if TYPE_CHECKING:
    from qrag_desktop.core.documents.isolation import ParserPool
    from qrag_desktop.core.models.embedder import Embedder
    from qrag_desktop.core.models.reranker import Reranker

log = logging.getLogger(__name__)

KEYWORD_ONLY = "(keyword only)"
KEYWORD_ONLY_DIM = 8
MAX_TOP_K = 100
# Address space per parser process, on top of its start-up size (about 70 MB). OCR needs the most:
# reading dense A4 scans peaked at 1.98 GB with 2 ONNX Runtime threads and 2.21 GB with 4 (a machine
# of 4 or more cores): more than the 2 GB this was before, where a failed page is silently skipped.
# 4 GB leaves room for larger pages and still stops a zip bomb (5.4 GB and growing) well before swap.
PARSER_MEMORY_MB = 4096
PARSER_TIMEOUT_S = 60.0  # per file; each page of OCR adds PARSER_OCR_PAGE_S, up to PARSER_MAX_TIMEOUT_S
# OCR of a dense A4 page takes about 12 CPU-s; on a 2-core machine shared with other work it took 27 s
# of wall time a page, so each page earns 45 s (time a fast page leaves over goes to the next).
PARSER_OCR_PAGE_S = 45.0
PARSER_MAX_TIMEOUT_S = 30 * 60.0  # a 1,000-page scan must not hold indexing for hours


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
    missing_folders: tuple[str, ...] = ()  # known folders that are not on disk now
    store_disagrees: str | None = None  # the store lacks passages the manifest says are there


def _parse_in_process(path: Path, max_bytes: int | None, ocr: bool = True) -> Document:
    return load_document(path, max_bytes=max_bytes, ocr=ocr)


def checked_query(query: str, top_k: int | None) -> tuple[int | None, tuple[str, ...]]:
    """Refuse a blank query or a top-k below 1; clamp a huge top-k, with a note that says so.

    A blank query would return unrelated passages (and an answer to nothing); a top-k of a million
    would rerank every chunk in the index.
    """
    if not query or not query.strip():
        raise QragError(
            QT_TRANSLATE_NOOP("core", "The question is empty."),
            hint=QT_TRANSLATE_NOOP("core", "Type a few words to search for."),
        )
    if top_k is None:
        return None, ()
    if top_k < 1:
        raise QragError(QT_TRANSLATE_NOOP("core", "top-k must be at least 1, not %1."), args=(top_k,))
    if top_k > MAX_TOP_K:
        return MAX_TOP_K, (
            tr(
                QT_TRANSLATE_NOOP(
                    "core", "A search returns at most %1 passages: top-k %2 was lowered to it."
                ),
                MAX_TOP_K,
                top_k,
            ),
        )
    return top_k, ()


def _disagreement(records: Sequence[FileRecord], chunks: int, per_path: dict[str, int]) -> str | None:
    """A sentence when files the manifest calls done have other passage counts in the store."""
    done = [r for r in records if r.status == "done"]
    off = sum(1 for r in done if per_path.get(r.path, 0) != len(r.chunk_ids))
    if not off:
        return None
    return (
        f"The store's passages do not match {off} of {len(done)} indexed files ({chunks} passages "
        "stored): `qrag index` with your folders indexes those files again."
    )


class Engine:
    """``folders``: the knowledge folders' registry, which outlives an engine replaced for new models
    (default: one holding ``settings.folders``, not saved anywhere)."""

    def __init__(
        self,
        settings: Settings,
        paths: Paths,
        *,
        milvus_token: str | None = None,
        folders: FolderRegistry | None = None,
    ) -> None:
        self.folders = folders if folders is not None else FolderRegistry(settings.folders)
        self._settings = settings
        self.paths = paths
        self._milvus_token = milvus_token
        self._store: VectorStore | None = None
        self._manifest: Manifest | None = None
        self._embedder: Embedder | None = None
        self._reranker: Reranker | None = None
        self._pool: ParserPool | None = None
        # One lock per part: loading a model (seconds) must not block opening the store.
        self._store_lock = threading.Lock()
        self._manifest_lock = threading.Lock()
        self._embedder_lock = threading.Lock()
        self._reranker_lock = threading.Lock()
        self.model_lock = threading.Lock()
        self._closed = False
        # Things the user should hear about once (a damaged file set aside and rebuilt): the CLI
        # prints them, the app shows them in a dialog.
        self.notices: list[str] = []

    def _check_open(self) -> None:
        # Work that outlives close() (a job the app stopped waiting for) must not quietly reopen
        # the store: that would start a Milvus Lite server, take its LOCK and never release it.
        if self._closed:
            raise EngineClosedError(QT_TRANSLATE_NOOP("core", "This knowledge base was closed."))

    @property
    def settings(self) -> Settings:
        """The settings, with the folders as the registry knows them (it is their one truth)."""
        return self._settings.replace(folders=self.folders.folders)

    @settings.setter
    def settings(self, new: Settings) -> None:
        self._settings = new  # its folders are ignored: change them through ``self.folders``

    # -- parts, loaded on first use -----------------------------------------------------------------
    @property
    def store(self) -> VectorStore:
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
                notice = self._manifest.notice()
                if notice:
                    self.notices.append(notice)
            return self._manifest

    def _new_embedder(self) -> Embedder:
        from qrag_desktop.core.models.embedder import Embedder

        return Embedder(
            self.settings.embed_model,
            device=self.settings.device,
            dim=self.settings.embed_dim,
            query_instruction=self.settings.query_instruction,
            precision=self.settings.numeric,
        )

    def _new_reranker(self) -> Reranker:
        from qrag_desktop.core.models.reranker import Reranker

        return Reranker(
            self.settings.rerank_model,
            device=self.settings.device,
            instruction=self.settings.rerank_instruction,
            precision=self.settings.numeric,
        )

    def embedder(self) -> Embedder:
        """The embedding model, loaded on first call (raises ModelNotFoundError when not on disk)."""
        with self._embedder_lock:
            if self._embedder is None:
                emb = self._new_embedder()
                emb.warm_up()
                self._embedder = emb
            return self._embedder

    def reranker(self) -> Reranker:
        with self._reranker_lock:
            if self._reranker is None:
                rr = self._new_reranker()
                rr.warm_up()
                self._reranker = rr
            return self._reranker

    def prepare_models(
        self, control: JobControl | None = None, *, embedder: bool = True, reranker: bool = False
    ) -> Iterator[Progress]:
        """The one-off work the models need before their first load on this computer (the ONNX
        export), with progress and cancel; nothing when they are loaded or need none. A model not
        on disk is left to the load that follows, which says so."""
        wanted: list[Callable[[], Embedder | Reranker]] = []
        if embedder and self._embedder is None:
            wanted.append(self._new_embedder)
        if reranker and self.settings.rerank_enabled and self._reranker is None:
            wanted.append(self._new_reranker)
        for make in wanted:
            try:
                yield from make().prepare(control)
            except ModelNotFoundError:
                continue

    def current_spec(self) -> EmbeddingSpec:
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
        parse: ParseFn | None = None,
    ) -> Iterator[IndexProgress | IndexReport]:
        """Index ``folders`` (a generator of progress; the last item is the report).

        ``keyword_only`` indexes for BM25 search with no embedding model (zero vectors), so the
        app is useful before a model is on disk; a later run with a model re-embeds.
        """
        control = control or JobControl()
        if not keyword_only and not reembed and only is None:
            quick = all_unchanged(self.manifest, self.store, self.settings, folders)
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
            for step in self.prepare_models(control):
                yield IndexProgress("preparing", detail=step.message)
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
            remember_full_run(
                self.manifest, self.settings, settings_key(chunker, spec.model_id, spec.dimension), spec
            )
        indexer = Indexer(
            store=store,
            manifest=self.manifest,
            chunker=chunker,
            embedder=embedder,
            dimension=spec.dimension,
            parse=parse or self._parser(control),
            settings_key=settings_key(chunker, spec.model_id, spec.dimension),
            max_bytes=int(self.settings.max_file_mb * 1024 * 1024),
            model_lock=self.model_lock,
            batch_chunks=self.settings.index_batch_chunks,
        )
        yield from indexer.run(folders, control, only=only)

    def _parser(self, control: JobControl) -> ParseFn:
        """Parse in a separate process with time and memory limits, so a pathological file cannot
        hang us; a cancelled run stops waiting for the file being parsed at once. The parser's
        progress lines ("OCR page 2 of 9") come back through the job's progress."""
        try:
            from qrag_desktop.core.documents.isolation import ParserPool
        except ImportError:  # pragma: no cover
            return functools.partial(_parse_in_process, ocr=self.settings.ocr_enabled)
        if self._pool is None:
            self._pool = ParserPool(
                timeout_s=PARSER_TIMEOUT_S,
                memory_mb=PARSER_MEMORY_MB,
                step_s=PARSER_OCR_PAGE_S,
                max_timeout_s=PARSER_MAX_TIMEOUT_S,
            )
        return functools.partial(
            self._pool.parse_steps, ocr=self.settings.ocr_enabled, cancelled=lambda: control.cancelled
        )

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
        return self.remove_path(folder)[1]

    def remove_path(self, path: str | os.PathLike[str]) -> tuple[int, int]:
        """Take every file at or under ``path`` out of the index, whether or not it still exists
        (a deleted, renamed or unmounted folder). Returns (files, chunks) removed."""
        root = stored_name(normalise(path))

        def inside(p: str) -> bool:
            return is_under(p, root)

        records = [rec.path for rec in self.manifest.all() if inside(rec.path)]
        stray = [p for p in self.store.paths() if inside(p) and p not in set(records)]
        chunks = 0
        for p in records:  # chunks first, the manifest row last: a crash in between is repeated
            chunks += self.store.delete_path(p)
            self.manifest.delete(p)
        for p in stray:  # in the store without a manifest row (a manifest set aside)
            chunks += self.store.delete_path(p)
        self.store.flush()
        return len(records) + len(stray), chunks

    def missing_folders(self) -> tuple[str, ...]:
        """Known folders (settings, or the manifest) that are not there now: moved, deleted or unmounted."""
        known = [normalise(f.path) for f in self.settings.folders]
        known += [f for f in self.manifest.folders() if f not in known]
        return tuple(f for f in known if not os.path.exists(f))

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
        # The default budget depends on where the reranker runs: on a CPU it bounds the wait, on a GPU
        # all candidates are scored in well under a second.
        budget = rerank_budget_for(self.settings.rerank_budget_s, reranker.device) if reranker else None
        r = Retriever(
            store,
            embedder,
            reranker,
            candidates=self.settings.candidates,
            rerank_candidates=self.settings.rerank_candidates,
            top_k=self.settings.top_k,
            model_lock=self.model_lock,
            rerank_budget_s=budget,
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

        top_k, limit_note = checked_query(query, top_k)
        retriever, notes = self.retriever(rerank=rerank)
        notes += limit_note
        for result in retriever.stages(
            query, top_k=top_k, rerank=rerank, paths_prefix=paths_prefix, control=control
        ):
            yield dataclasses.replace(result, notes=result.notes + notes)

    def search(
        self,
        query: str,
        *,
        top_k: int | None = None,
        rerank: bool = True,
        paths_prefix: Sequence[str] | None = None,
        control: JobControl | None = None,
    ) -> SearchResult:
        *_, last = self.search_stages(
            query, top_k=top_k, rerank=rerank, paths_prefix=paths_prefix, control=control
        )
        return last

    def local_only_roots(self) -> list[str]:
        return self.folders.local_only_roots()

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
            missing_folders=self.missing_folders(),
            store_disagrees=_disagreement(records, stats.chunks, store.paths() if spec else {}),
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
