"""How fast the parse-and-chunk stage runs, for the benchmark: MB of text per second.

Two shapes of input, both made here so the figure does not depend on a corpus: one long line
(a log or a minified dump, the case that used to hang) and ordinary paragraphs.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from qrag_desktop.core.chunking import Chunker
from qrag_desktop.core.documents import load_document

_WORDS = b"the tide rises twice a day because the moon pulls the ocean toward it while earth turns "


def _write(path: Path, mb: float, paragraphs: bool) -> int:
    size = int(mb * 1024 * 1024)
    if paragraphs:
        para = (_WORDS * 6).strip() + b".\n\n"
        data = para * (size // len(para) + 1)
    else:
        data = _WORDS * (size // len(_WORDS) + 1)
    path.write_bytes(data[:size])
    return size


def parse_and_chunk_throughput(
    mb: float = 6.0, tokenizer: Any = None, *, chunk_tokens: int = 384, overlap: int = 48
) -> dict[str, float]:
    """Seconds and MB/s of ``load_document`` + ``Chunker.chunk`` on ``mb`` MB of text, per shape.

    ``tokenizer``: the embedding model's tokenizer (as indexing uses it), or None for the
    keyword-only estimate. Runs in this process: no parser process start-up in the figure.
    """
    chunker = Chunker(tokenizer, chunk_tokens=chunk_tokens, overlap=overlap)
    out: dict[str, float] = {"mb": mb}
    with tempfile.TemporaryDirectory(prefix="qrag-throughput-") as tmp:
        for shape, paragraphs in (("one_line", False), ("paragraphs", True)):
            path = Path(tmp) / f"{shape}.txt"
            size = _write(path, mb, paragraphs)
            t0 = time.perf_counter()
            chunks = chunker.chunk(load_document(path))
            seconds = time.perf_counter() - t0
            out[f"{shape}_s"] = round(seconds, 3)
            out[f"{shape}_mb_per_s"] = round(size / (1024 * 1024) / seconds, 2)
            out[f"{shape}_chunks"] = len(chunks)
    return out


__all__ = ["parse_and_chunk_throughput"]
