"""The vector store: one Milvus collection per knowledge base, dense + BM25 hybrid search.

The same code reaches a Milvus Lite folder on disk (``<data dir>/index.db``), a Milvus server or
Zilliz Cloud by URI/token. Callers code against the ``VectorStore`` protocol.

One file over 400 lines on purpose: ``MilvusStore`` is one class whose methods share the
collection's schema, its lock, the cached spec and path counts; split, they would read each
other's private state.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import numpy as np
from pymilvus import DataType, Function, FunctionType, MilvusClient
from pymilvus.exceptions import ConnectionConfigException, MilvusException

from qrag_desktop.core.errors import (
    ModelMismatchError,
    QragError,
    StoreError,
    StoreLockedError,
    StoreUnavailableError,
)
from qrag_desktop.core.keyword_tokens import install_in_milvus_lite
from qrag_desktop.core.messages import QT_TRANSLATE_NOOP, Phrase
from qrag_desktop.core.settings import Paths, Settings
from qrag_desktop.core.storage import disk_full_error, is_disk_full
from qrag_desktop.core.types import Chunk, Hit
from qrag_desktop.core.vector_store import EmbeddingSpec, StoreStats, VectorStore

log = logging.getLogger(__name__)


class _UnimplementedRpcFilter(logging.Filter):
    """Milvus Lite's in-process gRPC server does not implement every RPC that pymilvus probes
    (AllocTimestamp); grpc logs each probe as an ERROR with a traceback although nothing fails.
    Those records only alarm a person reading the log, so they are dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Method not implemented" not in record.getMessage()


logging.getLogger("grpc._server").addFilter(_UnimplementedRpcFilter())

TOKEN_ENV = "QRAG_MILVUS_TOKEN"
SPEC_PROPERTY = "qrag.embedding_spec"  # collection property holding the EmbeddingSpec as JSON
CONNECT_TIMEOUT_S = 10.0
# Fusion of dense and BM25 results: weighted reciprocal-rank fusion, done here rather than with
# Milvus's RRFRanker (which takes no weights). Measured on the shared Milvus-docs questions with
# MiniLM (tests/test_retrieval_quality.py): k=60 unweighted gave MRR@10 0.83; k=5 with the dense
# list weighted 1.5 gave 0.87, and every weight from 1.0 to 2.0 at k=5 stayed within 0.868-0.872.
RRF_K = 5
DENSE_WEIGHT = 1.5
# The most hits one Milvus search may return (its default ``topk`` cap).
MAX_TOPK = 16384

# VARCHAR limits are in UTF-8 bytes.
MAX_ID_BYTES = 64
MAX_PATH_BYTES = 4096
MAX_HEADING_BYTES = 4096
MAX_TEXT_BYTES = 65535
UPSERT_ROWS = 256  # rows per upsert request
# The Milvus Lite server runs in this process with gRPC's default ping policy (at most one ping per
# 5 minutes); pymilvus's client pings every 10 s, so on long commands the server answered with
# "GOAWAY ... too_many_pings" lines on stderr. Keepalive guards against dead network peers, which
# an in-process server cannot be: ping no more often than the server accepts, and never when idle.
LOCAL_GRPC_OPTIONS = {"grpc.keepalive_time_ms": 330_000, "grpc.keepalive_permit_without_calls": 0}

# jieba segments Chinese; "lowercase" makes a Milvus server match English case-insensitively the
# way Milvus Lite's jieba analyzer already does (Lite lowercases and ignores the filter).
# Words that carry no meaning for keyword search: without them, "how", "is", "?" and "的" weigh in
# every BM25 score. Measured on the shared questions: BM25 alone MRR@10 went from 0.60 to 0.76.
_STOP_EN = (
    "a about above after again against all am an and any are as at be because been before being below "
    "between both but by can could did do does doing down during each few for from further had has have "
    "having he her here hers herself him himself his how i if in into is it its itself just me more most my "
    "myself no nor not now of off on once only or other our ours ourselves out over own same she should so "
    "some such than that the their theirs them themselves then there these they this those through to too "
    "under until up very was we were what when where which while who whom why will with would you your "
    "yours yourself yourselves"
).split()
_STOP_PUNCT = list("?!.,;:()[]{}<>\"'`/\\|-_=+*&^%$#@~") + list("。，？！、：；（）“”‘’《》…")
_STOP_ZH = "的 了 是 在 和 与 及 或 把 被 中 吗 呢 吧 啊 这 那 个 什么 如何 怎么 怎样".split()
ANALYZER_PARAMS: dict[str, Any] = {
    "tokenizer": "jieba",
    "filter": ["lowercase", {"type": "stop", "stop_words": _STOP_EN + _STOP_PUNCT + _STOP_ZH}],
}
_OUTPUT_FIELDS = ["path", "page", "heading", "position", "text"]
_LIKE_UNSAFE = ("\\", "%", "_")

_UNKNOWN = object()
_REINDEX_HINT = QT_TRANSLATE_NOOP(
    "core", "Re-index with `qrag index --reembed`, or switch back to the old model."
)


# Milvus Lite runs one in-process server per folder and holds the folder's LOCK while it runs.
# Count this process's open stores per folder so the last close() releases the lock.
_LOCAL_USERS: Counter[str] = Counter()
_LOCAL_GUARD = threading.Lock()


class MilvusStore:
    """A knowledge base in one Milvus collection (Milvus Lite folder or Milvus server)."""

    def __init__(self, uri: str, *, token: str | None = None, collection: str = "knowledge") -> None:
        self._uri = uri
        self._token = token or ""
        self._collection = collection
        self._local = not uri.lower().startswith(("http://", "https://", "tcp://", "unix:"))
        self._local_path = os.path.abspath(uri) if self._local else ""
        self._client: MilvusClient | None = None
        self._loaded = False
        self._dirty = False  # unflushed writes: Milvus Lite searches growing data ~60x slower
        self._spec: EmbeddingSpec | None | object = _UNKNOWN  # cached; reset on open/close/drop
        # path -> chunk count, Milvus Lite only (its LOCK makes this process the only writer): a
        # full scan there materializes every row (~4 s for 20k chunks), so keep it up to date.
        self._path_counts: Counter[str] | None = None
        self._lock = threading.RLock()

    @classmethod
    def local(cls, path: Path | str, collection: str = "knowledge") -> MilvusStore:
        """A Milvus Lite store in the folder ``path`` (which must end in ``.db``, e.g. ``index.db``)."""
        path = str(path)
        if not path.endswith(".db"):
            raise ValueError(f"a Milvus Lite store path must end in .db: {path}")
        return cls(path, collection=collection)

    @property
    def location(self) -> str:
        """Where the store is, safe to show and log: credentials are stripped from a URI."""
        return self._local_path if self._local else _safe_uri(self._uri)

    # -- lifecycle -----------------------------------------------------------------------------

    def open(self) -> None:
        with self._lock:
            if self._client is not None:
                return
            client = self._connect_local() if self._local else self._connect_remote()
            self._client = client
            try:
                if client.has_collection(self._collection):
                    self._load_or_rebuild_indexes()
            except MilvusException as exc:
                self.close()
                if not self._local:
                    with self._translate(Phrase(QT_TRANSLATE_NOOP("core", "open the knowledge base"))):
                        raise
                raise StoreUnavailableError(
                    QT_TRANSLATE_NOOP("core", "The knowledge base at %1 cannot be read: it is damaged."),
                    args=(self.location,),
                    cause=exc,
                    hint=QT_TRANSLATE_NOOP(
                        "core",
                        "`qrag index --rebuild PATH...` sets it aside (nothing is deleted) and rebuilds it.",
                    ),
                ) from exc

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
            self._loaded = False
            self._spec = _UNKNOWN
            self._path_counts = None
            if client is None:
                return
            try:
                if self._dirty:
                    client.flush(self._collection)
            except MilvusException:
                log.warning("Flush on close failed for %s", self.location, exc_info=True)
            finally:
                self._dirty = False
                client.close()
                if self._local:
                    _release_local(self._local_path)

    def __enter__(self) -> MilvusStore:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _connect_local(self) -> MilvusClient:
        path = self._local_path
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        install_in_milvus_lite()  # English text is keyword-indexed without jieba's Chinese dictionary
        with _LOCAL_GUARD:
            if _LOCAL_USERS[path] == 0:
                _probe_local(path)  # pymilvus hides why a Lite server did not start; ask first
            try:
                client = MilvusClient(
                    path, timeout=CONNECT_TIMEOUT_S, dedicated=True, grpc_options=LOCAL_GRPC_OPTIONS
                )
            except MilvusException as exc:
                _probe_local(path)  # lost a race for the lock: say so precisely
                raise StoreUnavailableError(
                    QT_TRANSLATE_NOOP("core", "The knowledge base at %1 could not be opened."),
                    args=(path,),
                    cause=exc,
                    hint=QT_TRANSLATE_NOOP(
                        "core", "See the log; `qrag index --rebuild PATH...` sets it aside and rebuilds it."
                    ),
                ) from exc
            _LOCAL_USERS[path] += 1
        return client

    def _connect_remote(self) -> MilvusClient:
        where = self.location
        try:
            return MilvusClient(uri=self._uri, token=self._token, timeout=CONNECT_TIMEOUT_S, dedicated=True)
        except (ConnectionConfigException, ValueError):
            # pymilvus repeats the raw URI (credentials included) in its message: keep it out of logs.
            raise StoreUnavailableError(
                QT_TRANSLATE_NOOP("core", "The Milvus address %1 is not valid."),
                args=(where,),
                hint=QT_TRANSLATE_NOOP(
                    "core", "Use an address like http://localhost:19530 or https://<host>:<port>."
                ),
            ) from None
        except MilvusException as exc:
            raise StoreUnavailableError(
                QT_TRANSLATE_NOOP("core", "Cannot reach the Milvus server at %1."),
                args=(where,),
                cause=exc,
                hint=QT_TRANSLATE_NOOP(
                    "core",
                    "Check that the server is running and the address and token are right, "
                    "or clear the Milvus address in settings to use the local knowledge base.",
                ),
            ) from exc

    def _conn(self) -> MilvusClient:
        if self._client is None:
            self.open()
        assert self._client is not None
        return self._client

    @contextmanager
    def _translate(self, action: Phrase) -> Iterator[None]:
        """Turn Milvus errors into StoreError with a sentence a person can act on."""
        try:
            yield
        except QragError:
            raise
        except MilvusException as exc:
            if self._local and is_disk_full(exc):  # not damage: nothing is to be moved away
                raise disk_full_error(Path(self._local_path).parent, exc) from exc
            if self._local:
                raise StoreError(
                    QT_TRANSLATE_NOOP("core", "Could not %1 in the knowledge base at %2."),
                    args=(action, self.location),
                    cause=exc,
                    hint=QT_TRANSLATE_NOOP(
                        "core",
                        "See the log for details. If it keeps happening the folder may be damaged: "
                        "moving it away and indexing again rebuilds it.",
                    ),
                ) from exc
            if _is_connection_error(exc):
                raise StoreUnavailableError(
                    QT_TRANSLATE_NOOP("core", "Cannot reach the Milvus server at %1."),
                    args=(self.location,),
                    cause=exc,
                    hint=QT_TRANSLATE_NOOP("core", "Check that the server is running."),
                ) from exc
            raise StoreError(
                QT_TRANSLATE_NOOP("core", "The Milvus server at %1 refused to %2: %3"),
                args=(self.location, action, exc.message),
                cause=exc,
            ) from exc

    def _load_or_rebuild_indexes(self) -> None:
        """Load the collection; if that fails on a local store, once more without its index files.

        Milvus Lite writes an index file in place, after the data it indexes is committed: a crash
        or kill while it writes one leaves it cut short, and every later load fails on it though no
        data is lost. Index files are made from the data on load when missing, so they are deleted.
        """
        try:
            self._load()
        except MilvusException as exc:
            sidecars = _index_sidecars(self._local_path, self._collection) if self._local else []
            if not sidecars:
                raise
            log.warning(
                "Loading %s failed (%s); rebuilding its %d index file(s) from the stored data",
                self.location,
                str(exc.message).strip().splitlines()[0][:200] if exc.message else type(exc).__name__,
                len(sidecars),
            )
            log.debug("the failed load", exc_info=True)
            for f in sidecars:
                f.unlink(missing_ok=True)
            self._load()

    def _load(self) -> None:
        if not self._loaded:
            assert self._client is not None
            self._client.load_collection(self._collection)
            self._loaded = True

    def _ready(self) -> MilvusClient:
        """Connected, loaded, and (for Milvus Lite) flushed, so reads are correct and fast."""
        client = self._conn()
        self._load()
        if self._dirty and self._local:
            client.flush(self._collection)
            self._dirty = False
        return client

    # -- collection and its embedding spec ---------------------------------------------------

    def spec(self) -> EmbeddingSpec | None:
        with self._lock:
            if isinstance(self._spec, EmbeddingSpec) or self._spec is None:
                return self._spec
            client = self._conn()
            with self._translate(Phrase(QT_TRANSLATE_NOOP("core", "read the index settings"))):
                if not client.has_collection(self._collection):
                    self._spec = None
                    return None
                desc = client.describe_collection(self._collection)
            self._spec = _spec_from_description(desc)
            return self._spec

    def check_spec(self, spec: EmbeddingSpec) -> None:
        existing = self.spec()
        if existing is not None:
            _check_same(existing, spec)

    def ensure_collection(self, spec: EmbeddingSpec) -> None:
        if not 1 <= spec.dimension <= 32768:
            raise ValueError(f"embedding dimension out of range: {spec.dimension}")
        with self._lock:
            existing = self.spec()
            if existing is not None:
                _check_same(existing, spec)
                with self._translate(Phrase(QT_TRANSLATE_NOOP("core", "load the index"))):
                    self._load()
                return
            client = self._conn()
            with self._translate(Phrase(QT_TRANSLATE_NOOP("core", "create the index"))):
                client.create_collection(
                    self._collection,
                    schema=_schema(spec.dimension),
                    index_params=_index_params(client),
                    properties={SPEC_PROPERTY: json.dumps(asdict(spec), ensure_ascii=False)},
                    consistency_level="Strong",
                )
                self._loaded = False
                self._load()
            self._spec = spec
            log.info("Created collection %s at %s for %s", self._collection, self.location, spec)

    def drop(self) -> None:
        with self._lock:
            client = self._conn()
            with self._translate(Phrase(QT_TRANSLATE_NOOP("core", "delete the index"))):
                if client.has_collection(self._collection):
                    client.drop_collection(self._collection)
            self._loaded = False
            self._spec = None
            self._dirty = False
            self._path_counts = None

    # -- writes ---------------------------------------------------------------------------------

    def upsert(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        """Insert or replace chunks by id. Does not flush: call ``flush()`` after a batch."""
        if len(chunks) == 0:
            return
        vectors = np.asarray(vectors, dtype=np.float32)
        spec = self.spec()
        dim = spec.dimension if spec else -1
        if vectors.shape != (len(chunks), dim):
            raise ValueError(f"expected vectors of shape ({len(chunks)}, {dim}), got {vectors.shape}")
        rows = [
            {
                "id": c.id,
                "path": c.path,
                "page": -1 if c.page is None else int(c.page),
                "heading": _clip(c.heading, MAX_HEADING_BYTES),
                "position": int(c.position),
                "text": _clip(c.text, MAX_TEXT_BYTES),
                "content": _clip(c.embed_text, MAX_TEXT_BYTES),
                "dense": v,
            }
            for c, v in zip(chunks, vectors, strict=True)
        ]
        for c in chunks:
            if len(c.id.encode()) > MAX_ID_BYTES or len(c.path.encode()) > MAX_PATH_BYTES:
                raise ValueError(f"chunk id or path too long for the store: {c.id!r} in {c.path!r}")
        with self._lock:
            client = self._conn()
            with self._translate(Phrase(QT_TRANSLATE_NOOP("core", "save passages"))):
                self._forget_paths_of([c.id for c in chunks])
                # In requests of bounded size: one huge file's thousands of chunks in a single
                # request made the local server's work grow faster than the request.
                for at in range(0, len(rows), UPSERT_ROWS):
                    client.upsert(self._collection, rows[at : at + UPSERT_ROWS])
            if self._path_counts is not None:
                self._path_counts.update(c.path for c in chunks)
            self._dirty = True

    def delete_ids(self, ids: Sequence[str]) -> None:
        if not ids:
            return
        with self._lock:
            client = self._conn()
            with self._translate(Phrase(QT_TRANSLATE_NOOP("core", "delete passages"))):
                self._forget_paths_of(ids)
                client.delete(self._collection, ids=list(ids))
            self._dirty = True

    def _forget_paths_of(self, ids: Sequence[str]) -> None:
        """Keep the path counts right when rows are replaced or deleted."""
        if self._path_counts is None or self._client is None:
            return
        self._load()
        for row in self._client.get(self._collection, ids=list(ids), output_fields=["path"]):
            self._path_counts[row["path"]] -= 1
        self._path_counts = +self._path_counts  # drop paths that reached zero

    def delete_path(self, path: str) -> int:
        ids = self.ids_for_path(path)
        self.delete_ids(ids)
        return len(ids)

    def flush(self) -> None:
        with self._lock:
            client = self._conn()
            with self._translate(Phrase(QT_TRANSLATE_NOOP("core", "save the index"))):
                if client.has_collection(self._collection):
                    client.flush(self._collection)
            self._dirty = False

    # -- reads ----------------------------------------------------------------------------------

    def ids_for_path(self, path: str) -> list[str]:
        rows = self._query(f"path == {_lit(path)}", ["id"])
        return [r["id"] for r in rows]

    def vectors_for_ids(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored vectors of ``ids`` that are real: a placeholder (all zeros, written so a
        chunk is keyword-searchable before it is embedded) counts as missing, so it is never
        reused in place of an embedding."""
        if not ids or self.spec() is None:
            return {}
        with self._lock, self._translate(Phrase(QT_TRANSLATE_NOOP("core", "read vectors"))):
            rows = self._ready().get(self._collection, ids=list(ids), output_fields=["dense"])
        vectors = ((r["id"], np.asarray(r["dense"], dtype=np.float32)) for r in rows)
        return {i: v for i, v in vectors if not is_placeholder(v)}

    def count(self) -> int:
        if self.spec() is None:
            return 0
        with self._lock, self._translate(Phrase(QT_TRANSLATE_NOOP("core", "count passages"))):
            rows = self._ready().query(self._collection, filter="", output_fields=["count(*)"])
        return int(rows[0]["count(*)"]) if rows else 0

    def paths(self) -> dict[str, int]:
        with self._lock:
            if self._path_counts is not None:
                return dict(self._path_counts)
            counts = Counter(r["path"] for r in self._query('id != ""', ["path"]))
            if self._local and self.spec() is not None:
                self._path_counts = counts
            return dict(counts)

    def stats(self) -> StoreStats:
        spec = self.spec()
        paths = self.paths() if spec is not None else {}
        return StoreStats(chunks=sum(paths.values()), files=len(paths), spec=spec, location=self.location)

    def _query(self, expr: str, fields: list[str]) -> list[dict[str, Any]]:
        if self.spec() is None:
            return []
        with self._lock, self._translate(Phrase(QT_TRANSLATE_NOOP("core", "read the index"))):
            client = self._ready()
            if self._local:  # Milvus Lite has no result-window cap, and one call is fastest
                return list(client.query(self._collection, filter=expr, output_fields=fields))
            # A server caps one query's result window (16,384 rows by default): page through.
            rows: list[dict[str, Any]] = []
            it = client.query_iterator(self._collection, batch_size=4096, filter=expr, output_fields=fields)
            try:
                while batch := it.next():
                    rows.extend(batch)
            finally:
                it.close()
            return rows

    # -- search ---------------------------------------------------------------------------------

    def dense_search(self, vector: np.ndarray, k: int, *, paths: Sequence[str] | None = None) -> list[Hit]:
        """The ``k`` nearest chunks by inner product, placeholders left out.

        A placeholder's vector is all zeros, so its inner product with any query is exactly 0.0;
        a real unit vector scores exactly 0.0 only when exactly orthogonal to the query, and then
        it is no match anyway. Placeholders tie at 0.0 above every negative score, so when some
        were dropped and too few hits remain, the search asks for more.
        """
        spec = self.spec()
        if spec is None or k <= 0:
            return []
        _check_query_vector(vector, spec)
        expr = self._path_filter(paths)
        if expr is None:
            return []
        limit = min(k, MAX_TOPK)
        while True:
            with self._lock, self._translate(Phrase(QT_TRANSLATE_NOOP("core", "search"))):
                res = self._ready().search(
                    self._collection,
                    data=[_as_list(vector)],
                    anns_field="dense",
                    limit=limit,
                    filter=expr,
                    output_fields=_OUTPUT_FIELDS,
                    search_params={"metric_type": "IP"},
                )
            found = res[0]
            hits = [_hit(h, float(h["distance"])) for h in found if float(h["distance"]) != 0.0]
            if len(hits) >= k or len(found) < limit or limit >= MAX_TOPK:
                return hits[:k]
            limit = min(limit * 4, MAX_TOPK)

    def keyword_search(self, text: str, k: int, *, paths: Sequence[str] | None = None) -> list[Hit]:
        expr = self._path_filter(paths)
        if expr is None or k <= 0 or not text.strip() or self.spec() is None:
            return []
        with self._lock, self._translate(Phrase(QT_TRANSLATE_NOOP("core", "search"))):
            res = self._ready().search(
                self._collection,
                data=[text],
                anns_field="sparse",
                limit=k,
                filter=expr,
                output_fields=_OUTPUT_FIELDS,
                search_params={"metric_type": "BM25"},
            )
        # A BM25 score is never negative; Milvus Lite reports it negated as a distance, a server
        # reports it as is. abs() gives the score either way; the order is the server's.
        return [_hit(h, abs(float(h["distance"]))) for h in res[0]]

    def hybrid_search(
        self,
        text: str,
        vector: np.ndarray | None,
        k: int,
        *,
        candidates: int = 30,
        paths_prefix: Sequence[str] | None = None,
    ) -> list[Hit]:
        """Dense and BM25 recall, ``candidates`` each, fused by weighted RRF (``fuse_rrf``);
        keyword-only without a vector."""
        if vector is None:
            return self.keyword_search(text, k, paths=paths_prefix)
        if not text.strip():
            return self.dense_search(vector, k, paths=paths_prefix)
        if k <= 0:
            return []
        n = max(candidates, k)
        dense = self.dense_search(vector, n, paths=paths_prefix)
        keyword = self.keyword_search(text, n, paths=paths_prefix)
        return fuse_rrf(dense, keyword, k)

    def _path_filter(self, prefixes: Sequence[str] | None) -> str | None:
        """A filter for files under ``prefixes``: "" for no restriction (None or empty), None when
        nothing can match.

        A folder prefix (no trailing separator) matches the folder's files, not a sibling
        folder whose name merely starts the same. ``like`` is used only for prefixes free of
        ``\\ % _``: Milvus Lite evaluates LIKE escapes differently on growing and sealed data
        (and Arrow's prefix fast path ignores an escaped backslash), so those prefixes are
        resolved to an exact ``path in [...]`` list instead.
        """
        if not prefixes:
            return ""
        starts: list[str] = []
        exact: list[str] = []
        for p in prefixes:
            if not p:
                return ""
            if p.endswith(("/", "\\")):
                starts.append(p)
            else:
                exact.append(p)
                starts.append(p + ("\\" if "\\" in p and "/" not in p else "/"))
        clauses = [f"path == {_lit(p)}" for p in exact]
        tricky = []
        for s in starts:
            if any(ch in s for ch in _LIKE_UNSAFE):
                tricky.append(s)
            else:
                clauses.append(f"path like {_lit(s + '%')}")
        if tricky:
            matched: set[str] = set()
            known = list(self.paths()) if self._local else None
            for s in tricky:
                if known is None:
                    safe = s[: min(s.find(ch) if ch in s else len(s) for ch in _LIKE_UNSAFE)]
                    expr = f"path like {_lit(safe + '%')}" if safe else 'id != ""'
                    candidates = [r["path"] for r in self._query(expr, ["path"])]
                else:
                    candidates = known
                matched.update(p for p in candidates if p.startswith(s))
            if matched:
                clauses.append(f"path in [{', '.join(_lit(p) for p in sorted(matched))}]")
        if not clauses:
            return None
        return " or ".join(clauses)


def fuse_rrf(
    dense: Sequence[Hit],
    keyword: Sequence[Hit],
    k: int,
    *,
    rrf_k: int = RRF_K,
    dense_weight: float = DENSE_WEIGHT,
) -> list[Hit]:
    """Weighted reciprocal-rank fusion; a hit's score becomes its fused score."""
    scores: dict[str, float] = {}
    hits: dict[str, Hit] = {}
    for weight, ranked in ((dense_weight, dense), (1.0, keyword)):
        for rank, h in enumerate(ranked, 1):
            scores[h.chunk_id] = scores.get(h.chunk_id, 0.0) + weight / (rrf_k + rank)
            hits.setdefault(h.chunk_id, h)
    order = sorted(scores, key=lambda c: scores[c], reverse=True)[:k]
    return [dataclasses.replace(hits[c], score=scores[c]) for c in order]


def is_placeholder(vector: np.ndarray) -> bool:
    """Is this a placeholder vector (all zeros): a chunk stored before its embedding exists?"""
    return not np.any(vector)


def open_store(settings: Settings, paths: Paths, token: str | None = None) -> MilvusStore:
    """The store the settings point at: a Milvus server if ``milvus_uri`` is set, else the local file."""
    if settings.milvus_uri:
        return MilvusStore(
            settings.milvus_uri,
            token=token or os.environ.get(TOKEN_ENV) or None,
            collection=settings.collection,
        )
    return MilvusStore.local(paths.store_path, settings.collection)


# -- helpers ---------------------------------------------------------------------------------------


def _probe_local(path: str) -> None:
    """Open and close the Milvus Lite folder to learn why it cannot be served (lock or damage)."""
    from milvus_lite.db import MilvusLite
    from milvus_lite.exceptions import DataDirLockedError, MilvusLiteError

    try:
        MilvusLite(path).close()
    except DataDirLockedError as exc:
        raise StoreLockedError(
            QT_TRANSLATE_NOOP("core", "The knowledge base at %1 is open in another qrag-desktop process."),
            args=(path,),
            cause=exc,
            hint=QT_TRANSLATE_NOOP(
                "core", "Close the other window, or use --data-dir to open a different knowledge base."
            ),
        ) from exc
    except (MilvusLiteError, OSError) as exc:
        raise StoreUnavailableError(
            QT_TRANSLATE_NOOP(
                "core", "The knowledge base at %1 cannot be opened: it is damaged or not readable."
            ),
            args=(path,),
            cause=exc,
            hint=QT_TRANSLATE_NOOP(
                "core", "Check its permissions; `qrag index --rebuild PATH...` sets it aside and rebuilds it."
            ),
        ) from exc


def _index_sidecars(path: str, collection: str) -> list[Path]:
    """A Milvus Lite collection's index files (``.idx``, ``.sidx``): made from its data files."""
    partitions = Path(path) / "collections" / collection / "partitions"
    return sorted(f for f in partitions.glob("*/indexes/*") if f.suffix in (".idx", ".sidx") and f.is_file())


def _release_local(path: str) -> None:
    with _LOCAL_GUARD:
        _LOCAL_USERS[path] -= 1
        if _LOCAL_USERS[path] > 0:
            return
        del _LOCAL_USERS[path]
        from milvus_lite.server_manager import server_manager_instance

        server_manager_instance.release_server(path)  # stops the in-process server, frees the LOCK


def _schema(dim: int) -> Any:
    schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("id", DataType.VARCHAR, is_primary=True, max_length=MAX_ID_BYTES)
    schema.add_field("path", DataType.VARCHAR, max_length=MAX_PATH_BYTES)
    schema.add_field("page", DataType.INT64)
    schema.add_field("heading", DataType.VARCHAR, max_length=MAX_HEADING_BYTES)
    schema.add_field("position", DataType.INT64)
    schema.add_field("text", DataType.VARCHAR, max_length=MAX_TEXT_BYTES)
    schema.add_field(
        "content",
        DataType.VARCHAR,
        max_length=MAX_TEXT_BYTES,
        enable_analyzer=True,
        analyzer_params=ANALYZER_PARAMS,
    )
    schema.add_field("dense", DataType.FLOAT_VECTOR, dim=dim)
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    schema.add_function(
        Function(
            name="content_bm25",
            function_type=FunctionType.BM25,
            input_field_names=["content"],
            output_field_names=["sparse"],
        )
    )
    return schema


def _index_params(client: MilvusClient) -> Any:
    params = client.prepare_index_params()
    # FLAT: exact, and faster than HNSW in Milvus Lite at desktop sizes (see models-and-store.md).
    params.add_index("dense", index_type="FLAT", metric_type="IP")
    params.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
    return params


def _spec_from_description(desc: dict[str, Any]) -> EmbeddingSpec:
    dim = 0
    for f in desc.get("fields", []):
        if f.get("name") == "dense":
            dim = int(f.get("params", {}).get("dim", 0))
    raw = (desc.get("properties") or {}).get(SPEC_PROPERTY)
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        data = {}
    # A collection made by something else has no spec: "unknown" never matches a real model.
    return EmbeddingSpec(
        model_id=str(data.get("model_id") or "an unknown model"),
        dimension=dim or int(data.get("dimension") or 0),
        query_instruction=str(data.get("query_instruction") or ""),
    )


def _check_same(existing: EmbeddingSpec, wanted: EmbeddingSpec) -> None:
    if existing.model_id != wanted.model_id or existing.dimension != wanted.dimension:
        raise ModelMismatchError(
            QT_TRANSLATE_NOOP(
                "core", "This index was built with %1 (%2 dims); the current model is %3 (%4)."
            ),
            args=(existing.model_id, existing.dimension, wanted.model_id, wanted.dimension),
            hint=_REINDEX_HINT,
        )
    if existing.query_instruction != wanted.query_instruction:
        raise ModelMismatchError(
            QT_TRANSLATE_NOOP(
                "core",
                'This index was built with %1 and the query instruction "%2"; '
                'the current instruction is "%3".',
            ),
            args=(existing.model_id, existing.query_instruction, wanted.query_instruction),
            hint=QT_TRANSLATE_NOOP(
                "core", "Re-index with `qrag index --reembed`, or switch back to the old instruction."
            ),
        )


def _hit(h: dict[str, Any], score: float) -> Hit:
    e = h.get("entity") or {}
    page = e.get("page")
    return Hit(
        chunk_id=str(h.get("id", e.get("id"))),
        path=e["path"],
        page=None if page is None or page < 0 else int(page),
        heading=e.get("heading", ""),
        position=int(e.get("position", 0)),
        text=e.get("text", ""),
        score=score,
    )


def _check_query_vector(vector: np.ndarray, spec: EmbeddingSpec) -> None:
    if np.asarray(vector).size != spec.dimension:
        raise ModelMismatchError(
            QT_TRANSLATE_NOOP(
                "core", "The query vector has %1 dims; this index was built with %2 (%3 dims)."
            ),
            args=(np.asarray(vector).size, spec.model_id, spec.dimension),
            hint=_REINDEX_HINT,
        )


def _as_list(vector: np.ndarray) -> list[float]:
    v = np.asarray(vector, dtype=np.float32)
    if v.ndim != 1:
        v = v.reshape(-1)
    return v.tolist()


def _clip(s: str, max_bytes: int) -> str:
    """Cut to at most ``max_bytes`` of UTF-8 without splitting a character."""
    b = s.encode("utf-8")
    if len(b) <= max_bytes:
        return s
    return b[:max_bytes].decode("utf-8", errors="ignore")


def _lit(s: str) -> str:
    """A Milvus filter string literal."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'


def _safe_uri(uri: str) -> str:
    try:
        parts = urlsplit(uri)
    except ValueError:
        return "<invalid address>"
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = f"{host}:{port}" if port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _is_connection_error(exc: MilvusException) -> bool:
    msg = (exc.message or "").lower()
    return exc.code == 2 or "unavailable" in msg or "connect" in msg


__all__ = [
    "EmbeddingSpec",
    "MilvusStore",
    "StoreStats",
    "VectorStore",
    "is_placeholder",
    "open_store",
]
