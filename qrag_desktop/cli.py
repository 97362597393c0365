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
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qrag_desktop import __version__
from qrag_desktop.core.errors import QragError
from qrag_desktop.core.settings import (
    Paths,
    Settings,
    SettingsSetAside,
    apply_env,
    load_settings,
)
from qrag_desktop.terminal import ProgressPrinter

if TYPE_CHECKING:
    from qrag_desktop.core.engine import Engine
    from qrag_desktop.core.jobs import JobControl
    from qrag_desktop.core.types import Hit

log = logging.getLogger("qrag")
CLI_LOG = "qrag.log"  # in the data dir's log folder, beside the app's qrag-desktop.log


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="qrag", description="Private knowledge base: index folders, search, ask."
    )
    p.add_argument("--version", action="version", version=f"qrag {__version__}")
    _add_global_options(p)
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
        "--no-ocr", action="store_true", help="leave scanned PDF pages unread (OCR takes seconds a page)"
    )
    local = ix.add_mutually_exclusive_group()
    local.add_argument(
        "--local-only",
        action="store_const",
        const=True,
        dest="local_only",
        help="never send these folders' passages to the cloud (also for folders indexed before)",
    )
    local.add_argument(
        "--no-local-only",
        action="store_const",
        const=False,
        dest="local_only",
        help="let these folders' passages be sent to the answer model again",
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
    se.add_argument("--rerank-budget", type=float, metavar="SECONDS", help="time for reranking, in seconds")
    _add_scope_args(se)

    ask = sub.add_parser("ask", help="answer a question from your documents, with citations")
    ask.add_argument("question")
    ask.add_argument("--top-k", type=int, default=None)
    ask.add_argument("--no-rerank", action="store_true")
    ask.add_argument("--json", action="store_true")
    ask.add_argument("--rerank-budget", type=float, metavar="SECONDS", help="time for reranking, in seconds")
    _add_scope_args(ask)

    rm = sub.add_parser(
        "remove", help="take a file or folder out of the index (also one that no longer exists)"
    )
    rm.add_argument("paths", nargs="+", metavar="PATH")

    st = sub.add_parser("status", help="what is indexed, with which model, where")
    st.add_argument("--json", action="store_true")

    from qrag_desktop.bench import add_bench_parser

    add_bench_parser(sub)
    for command in sub.choices.values():  # `qrag index DIR --embed-model M` works too
        _add_global_options(command, after_command=True)
    return p


def _add_scope_args(p: argparse.ArgumentParser) -> None:
    scope = p.add_mutually_exclusive_group()
    scope.add_argument("--folder", metavar="PATH", help="search only the files under this folder")
    scope.add_argument("--file", metavar="PATH", help="search only this one file")


def _scope(args: argparse.Namespace) -> Any:
    """The scope named by --folder / --file (a filter inside the store query), else everything."""
    from qrag_desktop.core.scope import ALL, Scope

    if getattr(args, "folder", None):
        return Scope.folder(args.folder)
    if getattr(args, "file", None):
        return Scope.file(args.file)
    return ALL


def _add_global_options(p: argparse.ArgumentParser, *, after_command: bool = False) -> None:
    """Options that apply to every command. After the command, an option left out keeps the value
    given before it (SUPPRESS: no default overwrites it); one the command defines itself stays its own."""
    options: list[tuple[tuple[str, ...], dict[str, Any]]] = [
        (("--data-dir",), {"help": "where the index, settings and logs live (also QRAG_DATA_DIR)"}),
        (("--milvus-uri",), {"help": "use a Milvus server instead of the local file (also QRAG_MILVUS_URI)"}),
        (("--milvus-token",), {"help": "token for the Milvus server (also QRAG_MILVUS_TOKEN)"}),
        (("--embed-model",), {"help": "embedding model id or local folder (also QRAG_EMBED_MODEL)"}),
        (("--rerank-model",), {"help": "reranking model id or local folder (also QRAG_RERANK_MODEL)"}),
        (("--device",), {"choices": ["auto", "cpu", "cuda", "mps"], "help": "where models run"}),
        (("-v", "--verbose"), {"action": "store_true", "help": "log details to stderr"}),
    ]
    for flags, kwargs in options:
        if after_command:
            kwargs = {**kwargs, "default": argparse.SUPPRESS}
        try:
            p.add_argument(*flags, **kwargs)
        except argparse.ArgumentError:  # the command has its own option of that name (bench --device)
            pass


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
    if getattr(args, "rerank_budget", None) is not None:
        changes["rerank_budget_s"] = args.rerank_budget
    return s.replace(**changes) if changes else s


def _milvus_token(args: argparse.Namespace, settings: Settings) -> str | None:
    """The token for a Milvus server; the local Milvus Lite file needs none, so the keychain is
    not asked (a locked keychain would otherwise print a warning on every command)."""
    if args.milvus_token:
        return args.milvus_token
    if not settings.milvus_uri:
        return None
    from qrag_desktop.core.secrets import get_milvus_token

    return get_milvus_token()


@contextlib.contextmanager
def _ctrl_c_cancels(control: JobControl) -> Iterator[None]:
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


def cmd_index(args: argparse.Namespace, engine: Engine, paths: Paths) -> int:
    from qrag_desktop.core.jobs import JobControl
    from qrag_desktop.core.paths import normalise
    from qrag_desktop.core.progress import drain

    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        raise QragError(f"Not found: {', '.join(missing)}")
    # Remember the folders, so the app and later runs know what this knowledge base covers; the
    # local-only flag is set (or cleared) for folders indexed before too, and said when it changes.
    roots = [normalise(p) for p in args.paths]
    engine.folders.add(roots, local_only=bool(args.local_only))
    if args.local_only is not None:
        for root in roots:
            if root in engine.folders.paths() and engine.folders.set_local_only(root, args.local_only):
                state = "local only: never sent" if args.local_only else "no longer local only: may be sent"
                print(f"{root}: {state} to the answer model", file=sys.stderr)
    if getattr(args, "rebuild", False):
        for moved in engine.set_aside_index():
            print(f"set aside: {moved}", file=sys.stderr)
    if args.no_ocr:  # this run only; the saved setting is left as it is
        engine.settings = engine.settings.replace(ocr_enabled=False)
    control = JobControl()
    printer = ProgressPrinter()
    with _ctrl_c_cancels(control):
        report = drain(
            engine.index(roots, control, reembed=args.reembed, keyword_only=args.keyword_only),
            printer.update,
        )
    printer.finish()
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


def cmd_watch(args: argparse.Namespace, engine: Engine, paths: Paths) -> int:
    """Index once (changes made while nothing watched are found), then apply file changes as they come."""
    import queue

    from qrag_desktop.core.paths import normalise
    from qrag_desktop.core.progress import drain
    from qrag_desktop.core.watcher import FolderWatcher

    args.json, args.reembed, args.local_only = False, False, None
    rc = cmd_index(args, engine, paths)
    if rc != 0:
        return rc
    roots = [normalise(p) for p in args.paths]
    changes: queue.Queue[set[str]] = queue.Queue()
    print(f"Watching {len(roots)} folder(s); Ctrl-C to stop.", file=sys.stderr, flush=True)
    with FolderWatcher(roots, changes.put, debounce_s=args.debounce):
        try:
            while True:
                changed = changes.get()
                ev = drain(engine.index(roots, only=sorted(changed), keyword_only=args.keyword_only))
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


def _hit_json(rank: int, h: Hit) -> dict[str, Any]:
    """A hit; ``char_start``/``char_end`` place it in the text of its page (paged formats) or of its
    document (``core.passages.document_text``), null when the file changed since indexing."""
    from qrag_desktop.core.passages import locate

    where = locate(h.path, h.text, h.page)
    return {
        "rank": rank,
        "path": h.path,
        "page": h.page,
        "heading": h.heading,
        "score": round(h.score, 6),
        "text": h.text,
        "char_start": where.start if where else None,
        "char_end": where.end if where else None,
    }


def cmd_search(args: argparse.Namespace, engine: Engine) -> int:
    result = engine.search(
        args.query, top_k=args.top_k, rerank=not args.no_rerank, paths_prefix=_scope(args).paths_prefix()
    )
    if args.json:
        out = {
            "query": result.query,
            "hits": [_hit_json(i, h) for i, h in enumerate(result.hits, 1)],
            "timings_ms": {k: round(v, 2) for k, v in result.timings_ms.items()},
            "reranked": result.reranked,
            **result.rerank_json(),
            "notes": list(result.notes),
        }
        print(json.dumps(out, ensure_ascii=False))
        return 0
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    if result.rerank_note():
        print(f"note: {result.rerank_note()}", file=sys.stderr)
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


def cmd_ask(args: argparse.Namespace, engine: Engine) -> int:
    """Drives the same ask pipeline as the window (``core.asking``): same passages, request, citations."""
    from qrag_desktop.core.asking import AnswerDelta, AskOutcome, ask, make_answerer

    outcome: AskOutcome | None = None
    streamed = False
    answerer = make_answerer(engine.settings, None)  # None: the key from the environment or keychain
    for ev in ask(
        engine,
        args.question,
        answerer,
        top_k=args.top_k,
        rerank=not args.no_rerank,
        paths_prefix=_scope(args).paths_prefix(),
    ):
        if isinstance(ev, AnswerDelta) and not args.json:
            sys.stdout.write(ev.text)
            sys.stdout.flush()
            streamed = True
        elif isinstance(ev, AskOutcome):
            outcome = ev
    assert outcome is not None  # the pipeline always ends with its outcome
    if streamed:
        sys.stdout.write("\n")
    hits = [p.hit for p in outcome.passages]
    if args.json:
        out = {
            "question": args.question,
            "answer": outcome.answer,
            "error": outcome.error,
            "citations": [
                {"n": c.n, "path": c.path, "page": c.page, "heading": c.heading} for c in outcome.citations
            ],
            "passages": [_hit_json(i, h) for i, h in enumerate(outcome.sent if outcome.answer else hits, 1)],
            "local_only_held_back": outcome.held_back,
            **outcome.rerank_json(),
        }
        print(json.dumps(out, ensure_ascii=False))
        return 1 if outcome.error else 0  # a script must see that no (whole) answer was produced
    if outcome.error:
        lead = "The answer is incomplete" if outcome.answer else "No generated answer"
        print(f"{lead}: {outcome.error}", file=sys.stderr)
        print("Best passages:")
        for i, h in enumerate(hits, 1):
            print(
                f"[{i}] {h.path}"
                + (f" (page {h.page})" if h.page else "")
                + (f" — {h.heading}" if h.heading else "")
            )
            print("    " + " ".join(h.text.split())[:400] + "\n")
    else:
        print("\nSources:")
        for c in outcome.citations:
            print(
                f"[{c.n}] {c.path}"
                + (f" (page {c.page})" if c.page else "")
                + (f" — {c.heading}" if c.heading else "")
            )
    if outcome.held_back:
        print(f"({outcome.held_back} passage(s) from local-only folders were not sent.)", file=sys.stderr)
    return 1 if outcome.error else 0


def cmd_remove(args: argparse.Namespace, engine: Engine, paths: Paths) -> int:
    """Take paths out of the index and out of the remembered folders; they need not exist."""
    from qrag_desktop.core.paths import is_under, normalise

    for given in args.paths:
        root = normalise(given)
        files, chunks = engine.remove_path(root)
        known = [f.path for f in engine.folders.entries() if is_under(normalise(f.path), root)]
        for folder in known:
            engine.folders.remove(folder)
        if not known and files == 0:
            raise QragError(f"Nothing indexed under {given}.", hint="`qrag status` lists what is indexed.")
        print(f"Removed {files} files ({chunks} passages) under {root}.")
    return 0


def cmd_status(args: argparse.Namespace, engine: Engine) -> int:
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
    if any(f.local_only for f in st.folders):
        print("           (clear the flag with `qrag index --no-local-only FOLDER`)")
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
    from qrag_desktop.core.folders import FolderRegistry, save_to_settings_file

    engine = None
    paths: Paths | None = None
    try:
        paths = Paths.resolve(args.data_dir).ensure()
        logs.add_file(setup, paths.log_dir / CLI_LOG, verbose=args.verbose)
        log.info("qrag %s %s on %s", __version__, args.command, paths.data_dir)
        settings = _settings(args, paths)
        folders = FolderRegistry(settings.folders, save=save_to_settings_file(paths))
        engine = Engine(settings, paths, milvus_token=_milvus_token(args, settings), folders=folders)
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
