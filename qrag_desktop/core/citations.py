"""The one reading of ``[n]`` citations in an answer, shared by the core, the CLI and the chat pane.

``[1]``, ``[1][3]``, ``[1, 2]``, ``[2-4]`` and a reversed ``[3-1]`` (read as 1 to 3) all cite;
a range wider than 50 counts only its first end (a year range like ``[1990-2020]`` is no citation
list).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from qrag_desktop.core.types import Hit

CITE_PATTERN = re.compile(r"\[\s*(\d+(?:\s*(?:,|-|–)\s*\d+)*)\s*\]")
_MAX_RANGE = 50


@dataclass(frozen=True)
class Citation:
    """A passage the answer cites: ``n`` is its [n] number in the prompt."""

    n: int
    path: str
    page: int | None
    heading: str


def numbers_in(group: str) -> list[int]:
    """The numbers one bracket cites, in the order written (``group``: the text inside ``[...]``)."""
    out: list[int] = []
    for part in group.split(","):
        ends = [int(x) for x in re.split(r"\s*[-–]\s*", part.strip())]
        if len(ends) == 2 and abs(ends[1] - ends[0]) < _MAX_RANGE:
            lo, hi = min(ends), max(ends)
            out.extend(range(lo, hi + 1))
        else:
            out.extend(ends[:1])
    return out


def cited_numbers(answer: str) -> list[int]:
    """Every number the answer cites, in order of first citation, each once."""
    seen: list[int] = []
    for match in CITE_PATTERN.finditer(answer):
        for n in numbers_in(match.group(1)):
            if n not in seen:
                seen.append(n)
    return seen


def citations_in(answer: str, hits: Sequence[Hit]) -> list[Citation]:
    """Passages the answer cites, in order of first citation; numbers with no passage are dropped."""
    return [
        Citation(n=n, path=hits[n - 1].path, page=hits[n - 1].page, heading=hits[n - 1].heading)
        for n in cited_numbers(answer)
        if 1 <= n <= len(hits)
    ]


__all__ = ["CITE_PATTERN", "Citation", "citations_in", "cited_numbers", "numbers_in"]
