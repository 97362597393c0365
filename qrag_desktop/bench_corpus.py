"""``qrag bench --index-corpus DIR``: index a whole folder end to end, as the app does, and time it.

The other figures time the models on a sample; a person waits for the whole folder: scanning,
parsing (in the parser's own process), chunking, embedding and storing, each file's chunks first
as keyword-searchable placeholders and then with their vectors. This mode runs ``Engine.index``
on every file of the folder into a store in a temporary folder, with the benchmarked embedding
model and numeric format, and reports passages/s and files/s for the whole run and where the
time went. The stage split is measured by wrapping the parts the engine calls (the parse
function, ``Chunker.chunk``, the embedder's batches, the store's writes), not by changing them;
"other" is what is left (scanning, hashing, the manifest, progress).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# Every store call the indexer makes (Milvus Lite answers each through its local server).
STORE_CALLS = (
    "upsert",
    "delete_ids",
    "delete_path",
    "flush",
    "ids_for_path",
    "vectors_for_ids",
    "paths",
    "count",
    "spec",
    "ensure_collection",
    "check_spec",
)


class StageClock:
    """Seconds spent in each named stage, added up across calls."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {"parse": 0.0, "chunk": 0.0, "embed": 0.0, "store": 0.0}

    def wrap(self, stage: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds[stage] += time.perf_counter() - t0

        return timed

    def steps(self, stage: str, gen: Iterator[Any]) -> Generator[Any, None, Any]:
        """``gen``'s items, the time spent producing each added to ``stage`` (not the consumer's);
        its return value (a generator's ``StopIteration.value``) passed on."""
        try:
            while True:
                t0 = time.perf_counter()
                try:
                    item = next(gen)
                except StopIteration as finished:
                    return finished.value
                finally:
                    self.seconds[stage] += time.perf_counter() - t0
                yield item
        finally:
            close = getattr(gen, "close", None)
            if close is not None:
                close()


@contextmanager
def _timing_chunker(clock: StageClock) -> Iterator[None]:
    """Time ``Chunker.chunk`` for the run (the engine makes its chunker inside ``index``)."""
    from qrag_desktop.core.chunking import Chunker

    original = Chunker.chunk
    Chunker.chunk = clock.wrap("chunk", original)  # type: ignore[method-assign]
    try:
        yield
    finally:
        Chunker.chunk = original  # type: ignore[method-assign]


def index_corpus(
    folder: Path, workdir: Path, *, embed_model: str, device: str, precision: str
) -> dict[str, Any]:
    """Index every file under ``folder`` into a fresh store in ``workdir``; the figures."""
    from qrag_desktop.core.engine import Engine
    from qrag_desktop.core.jobs import JobControl
    from qrag_desktop.core.progress import drain
    from qrag_desktop.core.settings import Paths, Settings

    settings = Settings(embed_model=embed_model, device=device, numeric=precision, folders=())
    engine = Engine(settings, Paths.resolve(workdir / "corpus-data").ensure())
    clock = StageClock()
    try:
        t_load = time.perf_counter()
        embedder = engine.embedder()  # loaded (and its format chosen) before the clock starts
        load_s = time.perf_counter() - t_load
        store = engine.store
        for name in STORE_CALLS:
            if hasattr(store, name):
                setattr(store, name, clock.wrap("store", getattr(store, name)))
        embed_documents = embedder.embed_documents
        embedder.embed_documents = lambda *a, **k: clock.steps("embed", embed_documents(*a, **k))  # type: ignore[method-assign]
        control = JobControl()
        parse = engine._parser(control)  # the app's parser (its own process), timed from outside

        def timed_parse(path: Path, max_bytes: int | None) -> Any:
            t0 = time.perf_counter()
            try:
                out = parse(path, max_bytes)
            finally:
                clock.seconds["parse"] += time.perf_counter() - t0
            return clock.steps("parse", out) if isinstance(out, Generator) else out

        t0 = time.perf_counter()
        with _timing_chunker(clock):
            report = drain(engine.index([folder], control, parse=timed_parse))
        seconds = time.perf_counter() - t0
        passages = report.chunks_total
        numeric = getattr(embedder, "numeric", None)
    finally:
        engine.close()
    stages = {k: round(v, 2) for k, v in clock.seconds.items()}
    stages["other"] = round(max(0.0, seconds - sum(clock.seconds.values())), 2)
    return {
        "folder": str(folder),
        "embed_model": embed_model,
        "embed_format": getattr(numeric, "format", None),
        "model_load_s": round(load_s, 1),
        "files_seen": report.files_seen,
        "files_indexed": report.files_indexed,
        "files_failed": len(report.files_failed),
        "passages": passages,
        "seconds": round(seconds, 2),
        "passages_per_s": round(passages / seconds, 2) if seconds > 0 else None,
        "files_per_s": round(report.files_indexed / seconds, 3) if seconds > 0 else None,
        "stages_s": stages,
        "stage_share": {k: round(v / seconds, 3) for k, v in stages.items()} if seconds > 0 else {},
    }


__all__ = ["StageClock", "index_corpus"]
