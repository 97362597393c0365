"""`qrag index` and `qrag watch`: put folders in the index and keep them there."""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qrag_desktop.core.errors import QragError
from qrag_desktop.core.settings import Paths
from qrag_desktop.terminal import ProgressPrinter

if TYPE_CHECKING:
    from qrag_desktop.core.engine import Engine
    from qrag_desktop.core.jobs import JobControl


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
