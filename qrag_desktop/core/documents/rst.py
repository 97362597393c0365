"""reStructuredText: sections from underlined (and optionally overlined) titles.

As in docutils, heading levels are given by the order in which adornment styles first appear.
"""

from __future__ import annotations

import re

from qrag_desktop.core.documents.structure import SectionBuilder
from qrag_desktop.core.types import Section

_ADORNMENT = re.compile(r"""^([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])\1{2,}[ \t]*$""")


def parse_rst(text: str) -> tuple[str | None, tuple[Section, ...]]:
    """Return (title, sections); the title is the first heading of the first style."""
    builder = SectionBuilder()
    styles: list[tuple[str, bool]] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        after = lines[i + 2] if i + 2 < len(lines) else ""
        over = _ADORNMENT.match(line)
        # Overlined title: ===== / Title / =====
        if over and _is_title(nxt) and _ADORNMENT.match(after) and after.strip()[0] == line.strip()[0]:
            _heading(builder, styles, (line.strip()[0], True), nxt)
            i += 3
            continue
        # docutils accepts (with a warning) underlines shorter than the title, e.g. under CJK titles.
        under = _ADORNMENT.match(nxt)
        if under and _is_title(line) and (i == 0 or not lines[i - 1].strip()):
            _heading(builder, styles, (nxt.strip()[0], False), line)
            i += 2
            continue
        builder.text(line)
        i += 1
    title = builder.first_heading.get(1)
    return title, builder.sections()


def _is_title(line: str) -> bool:
    return bool(line.strip()) and not line[0].isspace() and not _ADORNMENT.match(line)


def _heading(
    builder: SectionBuilder, styles: list[tuple[str, bool]], style: tuple[str, bool], text: str
) -> None:
    if style not in styles:
        styles.append(style)
    builder.heading(styles.index(style) + 1, text.strip())
