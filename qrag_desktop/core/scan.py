"""Find the files to index under a folder, honouring gitignore-style exclusion rules."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import pathspec

from qrag_desktop.core.documents import is_supported

# Sensible defaults: version control, dependency and cache folders, hidden folders, editor
# lock and temporary files. A folder's own `.qragignore` (gitignore syntax) adds to these.
DEFAULT_EXCLUDES: tuple[str, ...] = (
    ".git/",
    ".hg/",
    ".svn/",
    "node_modules/",
    "__pycache__/",
    ".venv/",
    "venv/",
    ".*/",
    ".*",
    "~$*",
    ".~lock.*#",
    "*~",
    "*.tmp",
    "*.temp",
    "*.swp",
    "*.swo",
    "*.lock",
    "*.part",
    "*.crdownload",
)
IGNORE_FILE = ".qragignore"


def exclusion_spec(folder: Path, extra: Iterable[str] = ()) -> pathspec.GitIgnoreSpec:
    lines = list(DEFAULT_EXCLUDES) + list(extra)
    ignore_file = folder / IGNORE_FILE
    if ignore_file.is_file():
        try:
            lines += ignore_file.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            pass
    return pathspec.GitIgnoreSpec.from_lines(lines)


def iter_files(folder: str | os.PathLike[str], extra_excludes: Iterable[str] = ()) -> Iterator[Path]:
    """Yield supported files under ``folder`` (absolute paths, sorted per directory).

    Symlinked folders are not followed, so a symlink loop cannot trap the walk; a symlink to a
    file is yielded and the loader reports it if it cannot be read.
    """
    root = Path(folder).expanduser().resolve()
    if root.is_file():
        if is_supported(root):
            yield root
        return
    spec = exclusion_spec(root, extra_excludes)
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False, onerror=None):
        rel_dir = os.path.relpath(dirpath, root)
        rel_dir = "" if rel_dir == "." else rel_dir.replace(os.sep, "/") + "/"
        dirnames[:] = sorted(d for d in dirnames if not spec.match_file(rel_dir + d + "/"))
        for name in sorted(filenames):
            rel = rel_dir + name
            if spec.match_file(rel):
                continue
            p = Path(dirpath) / name
            if is_supported(p):
                yield p


def stored_name(path: str) -> str:
    """The name the index keeps, shows and prints for ``path``: itself when it is valid Unicode.

    A name whose bytes are not valid UTF-8 (an old archive, another locale) reaches Python with
    lone surrogates, which SQLite, Milvus and a terminal all refuse. Such a name is kept as its
    raw bytes with the undecodable ones spelled out (``\\xff``): lossless, and printable anywhere.
    """
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(path).decode("utf-8", "backslashreplace")
    return path


def is_excluded(folder: str | os.PathLike[str], path: str | os.PathLike[str]) -> bool:
    """True when ``path`` (under ``folder``) is excluded by the rules or not a supported type."""
    root = Path(folder).resolve()
    p = Path(path)
    try:
        rel = p.relative_to(root).as_posix()
    except ValueError:
        return True
    spec = exclusion_spec(root)
    parts = rel.split("/")
    for i in range(1, len(parts)):
        if spec.match_file("/".join(parts[:i]) + "/"):
            return True
    return spec.match_file(rel) or not is_supported(p)
