"""The `qrag` command line: a second face on the same engine as the desktop app."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

from qrag_desktop import __version__
from qrag_desktop.core.errors import AnswerError, QragError
from qrag_desktop.core.settings import FolderSetting, Paths, Settings, apply_env, load_settings, save_settings

log = logging.getLogger("qrag")


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

    st = sub.add_parser("status", help="what is indexed, with which model, where")
    st.add_argument("--json", action="store_true")

    from qrag_desktop.bench import add_bench_parser

    add_bench_parser(sub)
    for command in sub.choices.values():  # `qrag index DIR --embed-model M` works too
        _add_global_options(command, after_command=True)
    return p


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
    s = apply_env(load_settings(paths))
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
    try:
        for ev in engine.index(roots, control, reembed=args.reembed, keyword_only=args.keyword_only):
            if isinstance(ev, IndexReport):
                report = ev
            else:
                printer.update(ev)
    except KeyboardInterrupt:
        control.cancel()
        printer.finish()
        print("Interrupted: what was done is kept; run the same command to continue.", file=sys.stderr)
        return 130
    printer.finish()
    assert report is not None
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
        return 0
    if error:
        print(f"No generated answer: {error}", file=sys.stderr)
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
    return 0


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


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
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
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
    try:
        paths = Paths.resolve(args.data_dir).ensure()
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
        raise AssertionError(args.command)
    except QragError as exc:
        log.debug("error", exc_info=exc.cause or exc)
        print(f"error: {exc.user_text()}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    finally:
        if engine is not None:
            engine.close()


if __name__ == "__main__":
    sys.exit(main())
