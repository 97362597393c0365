"""One way to name a folder or file: absolute, user-expanded, symlinks resolved.

Folders in the settings, manifest rows and search hits are compared as strings, so every place
that compares them must spell a path the same way; this module is that one spelling.
"""

from __future__ import annotations

import os
from pathlib import Path


def normalise(path: str | os.PathLike[str]) -> str:
    """The canonical spelling of ``path`` (``~`` expanded, made absolute, links resolved)."""
    return str(Path(path).expanduser().resolve())


def is_under(path: str, root: str) -> bool:
    """True when ``path`` is ``root`` or lies inside it (both already normalised)."""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def under_any(path: str, roots: list[str] | tuple[str, ...]) -> bool:
    return any(is_under(path, r) for r in roots)


__all__ = ["is_under", "normalise", "under_any"]
