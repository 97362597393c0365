"""Collect text under a stack of headings into Sections; shared by the structured formats."""

from __future__ import annotations

import re
from collections.abc import Sequence

from qrag_desktop.core.documents.tables import table_section
from qrag_desktop.core.types import Section

_BLANK_RUNS = re.compile(r"\n[ \t]*(?:\n[ \t]*)+\n")


class SectionBuilder:
    """Feed headings and text in reading order; ``sections()`` gives one Section per heading path.

    A heading of level n closes every open heading of level >= n, so the path is a breadcrumb.
    """

    def __init__(self) -> None:
        self._stack: list[tuple[int, str]] = []
        self._lines: list[str] = []
        self._sections: list[Section] = []
        self._bare: list[tuple[str, ...]] = []  # heading paths with no text under them
        self.first_heading: dict[int, str] = {}

    def heading(self, level: int, text: str) -> None:
        text = " ".join(text.split())
        if not text:
            return
        self._flush()
        while self._stack and self._stack[-1][0] >= level:
            self._stack.pop()
        self._stack.append((level, text))
        self.first_heading.setdefault(level, text)

    def text(self, text: str) -> None:
        self._lines.append(text)

    def table(self, rows: Sequence[Sequence[object]], page: int | None = None) -> None:
        """A table under the current headings, as its own Section (see ``tables.table_section``)."""
        section = table_section(rows, tuple(t for _, t in self._stack), page)
        if section is None:
            return
        self._flush()
        self._sections.append(section)

    def sections(self) -> tuple[Section, ...]:
        self._flush()
        if not self._sections:
            # A file of headings only (an outline, a stub page) still has text worth finding.
            return tuple(Section(text=path[-1], heading_path=path) for path in self._bare)
        return tuple(self._sections)

    def _flush(self) -> None:
        body = tidy("\n".join(self._lines))
        self._lines = []
        path = tuple(t for _, t in self._stack)
        if body:
            self._sections.append(Section(text=body, heading_path=path))
        elif path:
            self._bare.append(path)


def tidy(text: str) -> str:
    """Strip trailing spaces and outer blank lines; collapse runs of blank lines to one."""
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return _BLANK_RUNS.sub("\n\n", text).strip("\n")
