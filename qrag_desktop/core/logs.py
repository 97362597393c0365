"""Logging for both faces: everything to a log file, only our own words to the terminal.

A person at a terminal reads one line per problem; the libraries' own error lines (pymilvus and
the Milvus Lite server log each failed call with a traceback) and their chatter (faiss announcing
its AVX2 build) go to the log file, where the cause belongs. Every handler redacts secrets.
"""

from __future__ import annotations

import logging
import logging.handlers
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from qrag_desktop.core.secrets import RedactingFilter

OWN_LOGGERS = ("qrag", "qrag_desktop")
FILE_FORMAT = "%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"
# pymilvus gives these loggers their own stderr handlers and stops propagation; we route them
# through ours instead, so their lines reach the log file and not the terminal.
_ROUTED = ("pymilvus", "pymilvus.milvus_client", "pymilvus.bulk_writer")
# Libraries whose INFO lines read like news to a person ("Loading faiss with AVX2 support").
_QUIET = {"faiss": logging.WARNING, "faiss.loader": logging.WARNING, "milvus_lite": logging.WARNING}


class OwnLinesOnly(logging.Filter):
    """On the terminal: our own loggers' records; the libraries' go to the log file only."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.name.split(".")[0] in OWN_LOGGERS


@dataclass
class LogSetup:
    """What ``configure`` changed, so a caller that runs more than once (tests) can undo it."""

    handlers: list[logging.Handler] = field(default_factory=list)
    root_level: int = logging.WARNING
    file: Path | None = None

    def undo(self) -> None:
        root = logging.getLogger()
        for h in self.handlers:
            root.removeHandler(h)
            h.close()
        root.setLevel(self.root_level)


def quiet_libraries() -> None:
    """Configure the libraries' loggers at their source: levels, and pymilvus's private handlers."""
    for name, level in _QUIET.items():
        logging.getLogger(name).setLevel(level)
    for name in _ROUTED:
        lg = logging.getLogger(name)
        for h in list(lg.handlers):
            if isinstance(h, logging.StreamHandler) and not isinstance(h, logging.FileHandler):
                lg.removeHandler(h)
        lg.propagate = True


def file_handler(path: Path, level: int) -> logging.Handler:
    path.parent.mkdir(parents=True, exist_ok=True)
    h = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    h.setFormatter(logging.Formatter(FILE_FORMAT))
    h.setLevel(level)
    h.addFilter(RedactingFilter())
    return h


def configure(*, verbose: bool, terminal: TextIO | None = None) -> LogSetup:
    """Route the libraries' loggers and, with ``terminal``, add a terminal handler.

    The terminal shows our own warnings, or everything at INFO with ``verbose``. Call
    ``add_file`` once the log folder is known.
    """
    import pymilvus  # noqa: F401 - it installs its handlers on import; route them before use

    quiet_libraries()
    root = logging.getLogger()
    setup = LogSetup(root_level=root.level)
    if terminal is not None:
        term = logging.StreamHandler(terminal)
        term.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        term.setLevel(logging.INFO if verbose else logging.WARNING)
        if not verbose:
            term.addFilter(OwnLinesOnly())
        term.addFilter(RedactingFilter())
        root.addHandler(term)
        setup.handlers.append(term)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    return setup


def add_file(setup: LogSetup, log_file: Path, *, verbose: bool) -> Path | None:
    """Also log to ``log_file``; None (and nothing else) when it cannot be written."""
    try:
        fh = file_handler(log_file, logging.DEBUG if verbose else logging.INFO)
    except OSError:
        logging.getLogger("qrag").info("no log file: %s cannot be written", log_file)
        return None
    logging.getLogger().addHandler(fh)
    setup.handlers.append(fh)
    setup.file = log_file
    return log_file


__all__ = ["LogSetup", "OwnLinesOnly", "add_file", "configure", "file_handler", "quiet_libraries"]
