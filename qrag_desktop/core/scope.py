"""What a search or a question covers: every indexed folder, one folder, or one file.

A scope becomes a path filter inside the store query itself (``MilvusStore._path_filter``), so a
small document is searched on its own terms and never crowded out of the top-k by large ones.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Scope:
    """``kind`` is "all", "folder" or "file"; ``path`` is absolute for the last two."""

    kind: str = "all"
    path: str = ""

    @classmethod
    def folder(cls, path: str | os.PathLike[str]) -> Scope:
        return cls("folder", _absolute(path))

    @classmethod
    def file(cls, path: str | os.PathLike[str]) -> Scope:
        return cls("file", _absolute(path))

    @property
    def is_all(self) -> bool:
        return self.kind == "all" or not self.path

    def paths_prefix(self) -> list[str] | None:
        """The store's path filter: None for everything; a folder ends in a separator so that a
        sibling folder whose name merely starts the same is not included."""
        if self.is_all:
            return None
        if self.kind == "folder":
            return [self.path.rstrip("/\\") + os.sep]
        return [self.path]

    def describe(self) -> str:
        """For a person: shown beside the question and in the Sent-to-the-cloud tab."""
        if self.is_all:
            return "all folders"
        name = Path(self.path).name or self.path
        return f"folder {name}" if self.kind == "folder" else f"file {name}"


def _absolute(path: str | os.PathLike[str]) -> str:
    """Resolved like the indexer resolves folders, so the filter matches the stored paths."""
    return str(Path(path).expanduser().resolve())


ALL = Scope()

__all__ = ["ALL", "Scope"]
