"""The `qrag` command line's options: commands, options every command takes, the search scope."""

from __future__ import annotations

import argparse
from typing import Any

from qrag_desktop import __version__


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


def scope(args: argparse.Namespace) -> Any:
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
