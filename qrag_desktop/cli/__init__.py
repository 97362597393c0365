"""The `qrag` command line: a second face on the same engine as the desktop app.

``main`` reads the options (``parser``), opens the engine and hands it to one command
(``indexing``, ``querying``, ``manage``); errors become one line on stderr and an exit code."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Any

from qrag_desktop import __version__
from qrag_desktop.cli.indexing import cmd_index, cmd_watch
from qrag_desktop.cli.manage import cmd_remove, cmd_status
from qrag_desktop.cli.parser import build_parser
from qrag_desktop.cli.querying import cmd_ask, cmd_search
from qrag_desktop.core.errors import QragError
from qrag_desktop.core.settings import (
    Paths,
    Settings,
    SettingsSetAside,
    apply_env,
    load_settings,
)

__all__ = ["build_parser", "main"]

log = logging.getLogger("qrag")
CLI_LOG = "qrag.log"  # in the data dir's log folder, beside the app's qrag-desktop.log


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
