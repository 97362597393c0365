"""The `qrag` command line: a second face on the same engine as the desktop app."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from qrag_desktop import __version__
from qrag_desktop.core.errors import AnswerError, QragError
from qrag_desktop.core.settings import (
    FolderSetting,
    Paths,
    Settings,
    SettingsSetAside,
    apply_env,
    load_settings,
    save_settings,
)

log = logging.getLogger("qrag")
CLI_LOG = "qrag.log"  # in the data dir's log folder, beside the app's qrag-desktop.log


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="qrag", description="Private knowledge base: index folders, search, ask."
    )
    p.add_argument("--version", action="version", version=f"qrag {__version__}")
    p.add_argument("--data-dir", help="where the index, settings and logs live (also QRAG_DATA_DIR)")
    p.add_argument(
        "--milvus-uri", help="use a Milvus server instead of the local file (also QRAG_MILVUS_URI)"
    )
    p.add_argument("--milvus-token", help="token for the Milvus server (also QRAG_MILVUS_TOKEN)")
    p.add_argument("--embed-model", help="embedding model id or local folder (also QRAG_EMBED_MODEL)")
    p.add_argument("--rerank-model", help="reranking model id or local folder (also QRAG_RERANK_MODEL)")
    p.add_argument("--device", choices=["auto", "cpu", "cuda", "mps"], help="where models run")
    p.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    sub = p.add_subparsers(dest="command", required=True)

    ix = sub.add_parser("index", help="parse, chunk, embed and store files under folders")
    ix.add_argument("paths", nargs="+", metavar="PATH")
    ix.add_argument("--json", action="store_true", help="print one JSON report at the end")
    ix.add_argument("--reembed", action="store_true", help="drop the index and embed everything again")
    ix.add_argument(
        "--rebuild",
        action="store_true",
        help="set a damaged index aside (renamed, not deleted) and rebuild it from the files",
    )
    ix.add_argument(
        "--keyword-only", action="store_true", help="index for keyword search, no embedding model"
    )
    ix.add_argument(
        "--local-only", action="store_true", help="never send these folders' passages to the cloud"
    )

    wa = sub.add_parser("watch", help="index folders, then follow their changes until Ctrl-C")
    wa.add_argument("paths", nargs="+", metavar="PATH")
    wa.add_argument("--debounce", type=float, default=1.0, help="seconds of quiet before an update")
    wa.add_argument("--keyword-only", action="store_true", help=argparse.SUPPRESS)

    se = sub.add_parser("search", help="show the best passages for a query")
    se.add_argument("query")
    se.add_argument("--top-k", type=int, default=None)
    se.add_argument("--no-rerank", action="store_true", help="hybrid recall only, skip the cross-encoder")
    se.add_argument("--json", action="store_true")

    ask = sub.add_parser("ask", help="answer a question from your documents, with citations")
    ask.add_argument("question")
    ask.add_argument("--top-k", type=int, default=None)
    ask.add_argument("--no-rerank", action="store_true")
    ask.add_argument("--json", action="store_true")

    rm = sub.add_parser(
        "remove", help="take a file or folder out of the index (also one that no longer exists)"
    )
    rm.add_argument("paths", nargs="+", metavar="PATH")

    st = sub.add_parser("status", help="what is indexed, with which model, where")
    st.add_argument("--json", action="store_true")

    from qrag_desktop.bench import add_bench_parser

    add_bench_parser(sub)
    return p


def _settings(args: argparse.Namespace, paths: Paths) -> Settings:
    try:
        loaded = load_settings(paths)
    except SettingsSetAside as exc:  # said once; this run and the next go on with defaults
        print(f"note: {exc.user_text()}", file=sys.stderr)
        loaded = Settings()
    s = apply_env(loaded)
    changes: dict[str, Any] = {}
    if args.milvus_uri:
        changes["milvus_uri"] = args.milvus_uri
    if args.embed_model:
        changes["embed_model"] = args.embed_model
    if args.rerank_model:
        changes["rerank_model"] = args.rerank_model
    if args.device:
        changes["device"] = args.device
    return s.replace(**changes) if changes else s


def _milvus_token(args: argparse.Namespace) -> str | None:
    if args.milvus_token:
        return args.milvus_token
    from qrag_desktop.core.secrets import get_milvus_token

    return get_milvus_token()


class _ProgressPrinter:
    """A one-line progress bar on a terminal; occasional plain lines otherwise."""

    def __init__(self, stream=sys.stderr) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.last = 0.0

    def update(self, ev: Any) -> None:
        from qrag_desktop.core.indexer import IndexProgress

        if not isinstance(ev, IndexProgress):
            return
        if ev.file is not None and ev.file.status == "failed":
            self._line(f"failed: {ev.file.path}: {ev.file.error}")
        now = time.monotonic()
        if now - self.last < (0.1 if self.tty else 5.0):
            return
        self.last = now
        if ev.stage == "embedding" and ev.chunks_total:
            frac = ev.chunks_done / ev.chunks_total
            extra = f"{ev.chunks_done}/{ev.chunks_total} chunks"
            if ev.chunks_per_s:
                extra += f", {ev.chunks_per_s:.1f}/s"
            if ev.eta_s is not None:
                extra += f", ETA {_fmt_secs(ev.eta_s)}"
        else:
            frac = ev.files_done / ev.files_total if ev.files_total else 0.0
            extra = f"{ev.files_done}/{ev.files_total} files"
        bar = "#" * int(frac * 30)
        text = f"{ev.stage:<9} [{bar:<30}] {frac * 100:5.1f}% {extra}"
        if self.tty:
            self.stream.write("\r" + text[:120].ljust(120))
            self.stream.flush()
        else:
            self._line(text)

    def _line(self, text: str) -> None:
        if self.tty:
            self.stream.write("\r" + " " * 120 + "\r")
        self.stream.write(text + "\n")
        self.stream.flush()

    def finish(self) -> None:
        if self.tty:
            self.stream.write("\r" + " " * 120 + "\r")
            self.stream.flush()


@contextlib.contextmanager
def _ctrl_c_cancels(control: Any) -> Iterator[None]:
    """The first Ctrl-C cancels the job: it stops at its next checkpoint (a file, a batch), with
    everything finished so far stored; a second one interrupts at once."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_ctrl_c(signum: int, frame: Any) -> None:
        if control.cancelled:
            raise KeyboardInterrupt
        control.cancel()
        print("\nStopping after the current step (Ctrl-C again to stop at once)...", file=sys.stderr)

    previous = signal.signal(signal.SIGINT, on_ctrl_c)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _fmt_secs(s: float) -> str:
    s = int(s)
    return f"{s // 3600}h{s % 3600 // 60:02d}m" if s >= 3600 else f"{s // 60}m{s % 60:02d}s"


def cmd_index(args: argparse.Namespace, engine: Any, paths: Paths) -> int:
    from qrag_desktop.core.indexer import IndexReport
    from qrag_desktop.core.jobs import JobControl

    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        raise QragError(f"Not found: {', '.join(missing)}")
    # Remember the folders, so the app and later runs know what this knowledge base covers.
    roots = [str(Path(p).expanduser().resolve()) for p in args.paths]
    known = {f.path for f in engine.settings.folders}
    new = tuple(FolderSetting(r, local_only=args.local_only) for r in roots if r not in known)
    if new:
        saved = load_settings(paths)
        save_settings(paths, saved.replace(folders=saved.folders + new))
    if getattr(args, "rebuild", False):
        for moved in engine.set_aside_index():
            print(f"set aside: {moved}", file=sys.stderr)
    control = JobControl()
    printer = _ProgressPrinter()
    report: IndexReport | None = None
    with _ctrl_c_cancels(control):
        for ev in engine.index(roots, control, reembed=args.reembed, keyword_only=args.keyword_only):
            if isinstance(ev, IndexReport):
                report = ev
            else:
                printer.update(ev)
    printer.finish()
    assert report is not None
    if report.cancelled:
        print("Interrupted: what was done is kept; run the same command to continue.", file=sys.stderr)
        return 130
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        print(
            f"Indexed {report.files_indexed} files ({report.files_unchanged} unchanged, "
            f"{len(report.files_failed)} failed): +{report.chunks_added} / -{report.chunks_deleted} chunks, "
            f"{report.chunks_total} in the index, {report.seconds:.1f} s."
        )
        for path, error in report.files_failed:
            print(f"  failed: {path}: {error}")
        if report.files_repaired:
            print(
                f"  repaired: {report.files_repaired} files had lost their passages and were indexed again."
            )
    return 0


def cmd_watch(args: argparse.Namespace, engine: Any, paths: Paths) -> int:
    """Index once (changes made while nothing watched are found), then apply file changes as they come."""
    import queue

    from qrag_desktop.core.indexer import IndexReport
    from qrag_desktop.core.watcher import FolderWatcher

    args.json, args.reembed, args.local_only = False, False, False
    rc = cmd_index(args, engine, paths)
    if rc != 0:
        return rc
    roots = [str(Path(p).expanduser().resolve()) for p in args.paths]
    changes: queue.Queue[set[str]] = queue.Queue()
    print(f"Watching {len(roots)} folder(s); Ctrl-C to stop.", file=sys.stderr, flush=True)
    with FolderWatcher(roots, changes.put, debounce_s=args.debounce):
        try:
            while True:
                changed = changes.get()
                for ev in engine.index(roots, only=sorted(changed), keyword_only=args.keyword_only):
                    if isinstance(ev, IndexReport):
                        print(
                            f"updated: {ev.files_indexed} indexed, "
                            f"+{ev.chunks_added}/-{ev.chunks_deleted} chunks, "
                            f"{len(ev.files_failed)} failed, {ev.chunks_total} in the index",
                            file=sys.stderr,
                            flush=True,
                        )
                        for path, error in ev.files_failed:
                            print(f"  failed: {path}: {error}", file=sys.stderr, flush=True)
        except KeyboardInterrupt:
            return 0


def _hit_json(rank: int, h: Any) -> dict[str, Any]:
    return {
        "rank": rank,
        "path": h.path,
        "page": h.page,
        "heading": h.heading,
        "score": round(h.score, 6),
        "text": h.text,
    }


def cmd_search(args: argparse.Namespace, engine: Any) -> int:
    result = engine.search(args.query, top_k=args.top_k, rerank=not args.no_rerank)
    if args.json:
        out = {
            "query": result.query,
            "hits": [_hit_json(i, h) for i, h in enumerate(result.hits, 1)],
            "timings_ms": {k: round(v, 2) for k, v in result.timings_ms.items()},
            "reranked": result.reranked,
            "notes": list(result.notes),
        }
        print(json.dumps(out, ensure_ascii=False))
        return 0
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    if not result.hits:
        print("No passages found. Is anything indexed? Try `qrag status`.")
    for i, h in enumerate(result.hits, 1):
        where = h.path + (f" (page {h.page})" if h.page else "")
        print(f"[{i}] {h.score:.3f}  {where}")
        if h.heading:
            print(f"    {h.heading}")
        snippet = " ".join(h.text.split())
        print(f"    {snippet[:300]}{'…' if len(snippet) > 300 else ''}\n")
    t = result.timings_ms
    print(", ".join(f"{k} {v:.0f} ms" for k, v in t.items()), file=sys.stderr)
    return 0


def cmd_ask(args: argparse.Namespace, engine: Any) -> int:
    from qrag_desktop.core.answer import Answerer, build_request, citations_in
    from qrag_desktop.core.secrets import get_api_key

    result = engine.search(args.question, top_k=args.top_k, rerank=not args.no_rerank)
    local_roots = engine.local_only_roots()
    sendable = [h for h in result.hits if not any(_under(h.path, r) for r in local_roots)]
    held_back = len(result.hits) - len(sendable)
    answer_text: str | None = None
    error: str | None = None
    if not result.hits:
        error = "No passages found in the index for this question."
    elif not sendable:
        error = "All relevant passages are in local-only folders, so nothing was sent to the cloud model."
    else:
        request = build_request(args.question, sendable, model=engine.settings.openai_model)
        answerer = Answerer(
            model=engine.settings.openai_model,
            base_url=engine.settings.openai_base_url or os.environ.get("OPENAI_BASE_URL") or None,
            api_key=get_api_key(),
            timeout_s=engine.settings.answer_timeout_s,
        )
        parts: list[str] = []
        try:
            for delta in answerer.stream(request):
                parts.append(delta)
                if not args.json:
                    sys.stdout.write(delta)
                    sys.stdout.flush()
            answer_text = "".join(parts)
            if not args.json:
                sys.stdout.write("\n")
        except AnswerError as exc:
            error = exc.user_text()
            if parts:  # a stream cut off half-way: keep what came, say what happened
                answer_text = "".join(parts)
                if not args.json:
                    sys.stdout.write("\n")
    citations = citations_in(answer_text, sendable) if answer_text else []
    if args.json:
        out = {
            "question": args.question,
            "answer": answer_text,
            "error": error,
            "citations": [
                {"n": c.n, "path": c.path, "page": c.page, "heading": c.heading} for c in citations
            ],
            "passages": [_hit_json(i, h) for i, h in enumerate(sendable if answer_text else result.hits, 1)],
            "local_only_held_back": held_back,
        }
        print(json.dumps(out, ensure_ascii=False))
        return 1 if error else 0  # a script must see that no (whole) answer was produced
    if error:
        lead = "The answer is incomplete" if answer_text else "No generated answer"
        print(f"{lead}: {error}", file=sys.stderr)
        print("Best passages:")
        for i, h in enumerate(result.hits, 1):
            print(
                f"[{i}] {h.path}"
                + (f" (page {h.page})" if h.page else "")
                + (f" — {h.heading}" if h.heading else "")
            )
            print("    " + " ".join(h.text.split())[:400] + "\n")
    else:
        print("\nSources:")
        for c in citations:
            print(
                f"[{c.n}] {c.path}"
                + (f" (page {c.page})" if c.page else "")
                + (f" — {c.heading}" if c.heading else "")
            )
    if held_back:
        print(f"({held_back} passage(s) from local-only folders were not sent.)", file=sys.stderr)
    return 1 if error else 0


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def cmd_remove(args: argparse.Namespace, engine: Any, paths: Paths) -> int:
    """Take paths out of the index and out of the remembered folders; they need not exist."""
    for given in args.paths:
        root = str(Path(given).expanduser().resolve())
        files, chunks = engine.remove_path(root)
        saved = load_settings(paths)
        kept = tuple(f for f in saved.folders if not _under(str(Path(f.path).expanduser().resolve()), root))
        if kept != saved.folders:
            save_settings(paths, saved.replace(folders=kept))
            engine.settings = engine.settings.replace(folders=kept)
        elif files == 0:
            raise QragError(f"Nothing indexed under {given}.", hint="`qrag status` lists what is indexed.")
        print(f"Removed {files} files ({chunks} passages) under {root}.")
    return 0


def cmd_status(args: argparse.Namespace, engine: Any) -> int:
    st = engine.status()
    out = {
        "files": st.files,
        "files_failed": st.files_failed,
        "chunks": st.chunks,
        "model_id": st.model_id,
        "dimension": st.dimension,
        "query_instruction": st.query_instruction,
        "store": st.store,
        "data_dir": st.data_dir,
        "folders": [{"path": f.path, "local_only": f.local_only} for f in st.folders],
        "missing_folders": list(st.missing_folders),
        "store_disagrees": st.store_disagrees,
    }
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
        return 0
    print(f"Data dir:  {st.data_dir}")
    print(f"Store:     {st.store}")
    print(
        f"Model:     {st.model_id or '(nothing indexed yet)'}"
        + (f" ({st.dimension} dims)" if st.dimension else "")
    )
    print(
        f"Indexed:   {st.files} files, {st.chunks} chunks"
        + (f", {st.files_failed} failed" if st.files_failed else "")
    )
    for f in st.folders:
        print(f"Folder:    {f.path}" + ("  [local only]" if f.local_only else ""))
    if st.store_disagrees:
        print(f"Warning:   {st.store_disagrees}")
    for m in st.missing_folders:
        print(f"Missing:   {m} (moved, deleted or unmounted?): `qrag remove {m}` takes it out of the index")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from qrag_desktop.core import logs

    setup = logs.configure(verbose=args.verbose, terminal=sys.stderr)
    try:
        return _run(args, setup)
    finally:
        setup.undo()


def _run(args: argparse.Namespace, setup: Any) -> int:
    from qrag_desktop.core import logs

    if not args.verbose:
        # Our own progress line is the one a person should see on stderr: no per-library bars
        # ("Loading weights") and no jieba dictionary chatter.
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        import jieba  # it sets its own logger to DEBUG on import, so quiet it after importing

        jieba.setLogLevel(logging.WARNING)
    if args.command == "bench":  # its own temporary knowledge base; never the user's
        from qrag_desktop.bench import run_bench

        return run_bench(args)
    from qrag_desktop.core.engine import Engine

    engine = None
    paths: Paths | None = None
    try:
        paths = Paths.resolve(args.data_dir).ensure()
        logs.add_file(setup, paths.log_dir / CLI_LOG, verbose=args.verbose)
        log.info("qrag %s %s on %s", __version__, args.command, paths.data_dir)
        settings = _settings(args, paths)
        engine = Engine(settings, paths, milvus_token=_milvus_token(args))
        if args.command == "index":
            return cmd_index(args, engine, paths)
        if args.command == "watch":
            return cmd_watch(args, engine, paths)
        if args.command == "search":
            return cmd_search(args, engine)
        if args.command == "ask":
            return cmd_ask(args, engine)
        if args.command == "status":
            return cmd_status(args, engine)
        if args.command == "remove":
            return cmd_remove(args, engine, paths)
        raise AssertionError(args.command)
    except QragError as exc:
        log.info("error: %s", exc.user_text(), exc_info=exc.cause or exc)
        print(f"error: {exc.user_text()}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except Exception as exc:  # unexpected: one line here, the traceback in the log file
        from qrag_desktop.core.secrets import redact
        from qrag_desktop.core.storage import disk_full_error, is_disk_full

        if is_disk_full(exc) and paths is not None:
            err = disk_full_error(paths.data_dir, exc)
            log.info("error: %s", err.user_text(), exc_info=exc)
            print(f"error: {err.user_text()}", file=sys.stderr)
            return 2
        log.exception("unexpected error")
        where = f" The details are in {setup.file}." if setup.file else ""
        print(redact(f"error: unexpected {type(exc).__name__}: {exc}.{where}"), file=sys.stderr)
        return 1
    finally:
        if engine is not None:
            for notice in engine.notices:
                print(f"note: {notice}", file=sys.stderr)
            engine.close()


if __name__ == "__main__":
    sys.exit(main())
