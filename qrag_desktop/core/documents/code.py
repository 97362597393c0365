"""Source code: one section, or for Python one per top-level function or class."""

from __future__ import annotations

import ast
import warnings

from qrag_desktop.core.documents.structure import tidy
from qrag_desktop.core.types import Section


def parse_code(text: str, suffix: str) -> tuple[Section, ...]:
    if suffix == ".py":
        sections = _python_sections(text)
        if sections is not None:
            return sections
    body = tidy(text)
    return (Section(text=body),) if body.strip() else ()


def _python_sections(text: str) -> tuple[Section, ...] | None:
    """Split at top-level defs and classes (decorators included); None when the file does not parse."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. SyntaxWarning for invalid escapes in old code
            tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    lines = text.split("\n")
    spans: list[tuple[int, int, tuple[str, ...]]] = []  # 0-based [start, end) line ranges
    cursor = 0
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)]) - 1
            last = node.end_lineno or node.lineno
            if first > cursor:
                spans.append((cursor, first, ()))  # module-level code between definitions
            kind = "class" if isinstance(node, ast.ClassDef) else "def"
            spans.append((first, last, (f"{kind} {node.name}",)))
            cursor = last
    spans.append((cursor, len(lines), ()))
    sections: list[Section] = []
    for start, end, path in spans:
        body = tidy("\n".join(lines[start:end]))
        if body.strip():
            sections.append(Section(text=body, heading_path=path))
    return tuple(sections)
