"""Split Documents into Chunks that fit the embedding model's token budget.

Structure first: a chunk never spans two sections (pages, heading paths). Inside a section, whole
paragraphs are kept together when they fit, then sentences and lines, and only a run with no break
at all (a minified line) is cut at token boundaries. Consecutive chunks of a section overlap by
about ``overlap`` tokens. Token counts come from the real tokenizer, one batch call per document,
and every chunk's ``embed_text`` (header included) is checked against the budget at the end.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from dataclasses import dataclass
from typing import Any, Protocol

from qrag_desktop.core.errors import ConfigError
from qrag_desktop.core.messages import QT_TRANSLATE_NOOP
from qrag_desktop.core.types import Chunk, Document

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
# Without a tokenizer: a CJK character, a word piece of up to 6 letters/digits, or a symbol.
_ESTIMATE_TOKEN = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]{{1,6}}|[^\w\s]|_")
_CJK_CHAR = re.compile(f"[{_CJK}]")
# A sentence ends at . ! ? followed by a space, or at a CJK full stop, which needs no space.
_SENTENCE_END = re.compile(r"""[.!?]+["')\]]*[ \t]+(?=\S)|[。！？]+[」』”’）)]*""")


def chunk_id(path: str, position: int, text: str) -> str:
    """A stable id: the same file, place and passage give the same id on every run and machine."""
    key = f"{path}\x00{position}\x00{text}".encode("utf-8", "surrogatepass")
    return hashlib.sha256(key).hexdigest()[:32]


class _Counter(Protocol):
    def spans(self, texts: list[str]) -> list[list[tuple[int, int]]]:
        """Character spans of each text's tokens."""
        ...

    def counts(self, texts: list[str]) -> list[int]: ...


class _EstimateCounter:
    """For keyword-only indexing without a model: errs on the high side of real subword counts."""

    def spans(self, texts: list[str]) -> list[list[tuple[int, int]]]:
        return [[m.span() for m in _ESTIMATE_TOKEN.finditer(t)] for t in texts]

    def counts(self, texts: list[str]) -> list[int]:
        return [sum(1 for _ in _ESTIMATE_TOKEN.finditer(t)) for t in texts]


class _TokenizerCounter:
    """Counts with a Hugging Face tokenizer, special tokens excluded."""

    def __init__(self, tokenizer: Any) -> None:
        self.tokenizer = tokenizer
        self.offsets = bool(getattr(tokenizer, "is_fast", False))

    def _encode(self, texts: list[str], offsets: bool) -> Any:
        return self.tokenizer(
            texts,
            add_special_tokens=False,
            return_offsets_mapping=offsets,
            return_attention_mask=False,
            return_token_type_ids=False,
            verbose=False,  # long texts are what we are here to split; no "longer than max" warning
        )

    def spans(self, texts: list[str]) -> list[list[tuple[int, int]]]:
        if not texts:
            return []
        if not self.offsets:  # slow tokenizers have no offsets: approximate, the final check corrects
            return _EstimateCounter().spans(texts)
        return list(self._encode(texts, True)["offset_mapping"])

    def counts(self, texts: list[str]) -> list[int]:
        if not texts:
            return []
        return [len(ids) for ids in self._encode(texts, False)["input_ids"]]


@dataclass(frozen=True)
class _Piece:
    """A sentence, line or token run of a section: text[start:end], which is tokens lo..hi of it."""

    start: int
    end: int
    para: int
    lo: int
    hi: int
    boundary: bool = True  # starts a sentence or line (False for the later parts of a cut run)


class Chunker:
    """Structure-aware splitter. ``tokenizer`` is a Hugging Face tokenizer, or None for an estimate."""

    # Chunks estimated within this many tokens of the limit are re-counted exactly: counting a slice
    # by the tokens of its whole section can be off by a token or two at the slice's edges.
    _SLACK = 8

    def __init__(self, tokenizer: Any = None, chunk_tokens: int = 384, overlap: int = 48) -> None:
        if chunk_tokens < 32:
            raise ConfigError(
                QT_TRANSLATE_NOOP("core", "The chunk size must be at least 32 tokens, not %1."),
                args=(chunk_tokens,),
                hint=QT_TRANSLATE_NOOP("core", "Set chunk_tokens in the settings file (settings.toml)."),
            )
        if not 0 <= overlap <= chunk_tokens // 2:
            raise ConfigError(
                QT_TRANSLATE_NOOP(
                    "core", "The chunk overlap must be between 0 and half the chunk size (%1 tokens), not %2."
                ),
                args=(chunk_tokens // 2, overlap),
                hint=QT_TRANSLATE_NOOP("core", "Set chunk_overlap in the settings file (settings.toml)."),
            )
        self.chunk_tokens = chunk_tokens
        self.overlap = overlap
        self._counter: _Counter = (
            _TokenizerCounter(tokenizer) if tokenizer is not None else _EstimateCounter()
        )
        joined, a, b = self._counter.counts(["a\n\nb", "a", "b"])
        self._join_cost = max(0, joined - a - b)  # of the blank line between header and passage

    def chunk(self, doc: Document) -> list[Chunk]:
        """Chunks in reading order; ``position`` counts over the whole document."""
        sections = [s for s in doc.sections if s.text.strip()]
        if not sections:
            return []
        headers = [self._header(doc.title, s.heading_path) for s in sections]
        header_tokens = self._counter.counts(headers)
        for i, n in enumerate(header_tokens):
            if n > self.chunk_tokens // 4:  # a runaway heading must not crowd out the passage
                headers[i] = self._truncate(headers[i], self.chunk_tokens // 4)
                header_tokens[i] = self._counter.counts([headers[i]])[0]
        # A table's header row is repeated at the top of every chunk of its rows.
        repeats = [self._table_repeat(s.table_header) for s in sections]
        repeat_tokens = self._counter.counts(repeats)
        # A table's section starts with its header; a later piece of a long table (a section cut
        # into blocks) does not, and gets it all the same.
        bodies = [
            s.text[len(r) :] if r and s.text.startswith(r) else s.text
            for s, r in zip(sections, repeats, strict=True)
        ]
        # One tokenizer call for the whole document: every section with its token offsets.
        all_spans = self._counter.spans(bodies)

        passages: list[tuple[int, str, int]] = []  # (section index, text, estimated embed tokens)
        for i, text in enumerate(bodies):
            fixed = header_tokens[i] + self._join_cost + (repeat_tokens[i] if repeats[i] else 0)
            budget = self.chunk_tokens - fixed - 1
            spans = all_spans[i]
            ends = [e for _, e in spans]
            starts = [s for s, _ in spans]
            for start, end in self._pack(text, spans, _pieces(text, starts, ends), budget):
                estimate = bisect.bisect_left(starts, end) - bisect.bisect_right(ends, start)
                passages.append((i, repeats[i] + text[start:end], fixed + estimate))

        near = [k for k, (_, _, n) in enumerate(passages) if n > self.chunk_tokens - self._SLACK]
        exact = dict(
            zip(
                near,
                self._counter.counts([f"{headers[passages[k][0]]}\n\n{passages[k][1]}" for k in near]),
                strict=True,
            )
        )
        fitted: list[tuple[int, str]] = []
        for k, (i, text, _) in enumerate(passages):
            if exact.get(k, 0) <= self.chunk_tokens:
                fitted.append((i, text))
            else:
                fitted.extend((i, t) for t in self._refit(headers[i], text))

        return [
            Chunk(
                id=chunk_id(doc.path, position, text),
                path=doc.path,
                page=sections[i].page,
                heading=" > ".join(sections[i].heading_path),
                position=position,
                text=text,
                embed_text=f"{headers[i]}\n\n{text}",
            )
            for position, (i, text) in enumerate(fitted)
        ]

    def _table_repeat(self, table_header: str) -> str:
        """What to repeat in each chunk of a table: its header and a newline, unless the header is so
        wide that repeating it would leave little room for rows (then the rows go alone)."""
        if not table_header or self._counter.counts([table_header])[0] > self.chunk_tokens // 3:
            return ""
        return table_header + "\n"

    @staticmethod
    def _header(title: str, heading_path: tuple[str, ...]) -> str:
        crumbs = list(heading_path)
        if crumbs and crumbs[0] == title:
            crumbs = crumbs[1:]
        return f"{title}\n{' > '.join(crumbs)}" if crumbs else title

    def _truncate(self, text: str, limit: int) -> str:
        spans = self._counter.spans([text])[0]
        return text if len(spans) <= limit else text[: spans[limit - 2][1]] + " …"

    def _pack(
        self, text: str, spans: list[tuple[int, int]], pieces: list[_Piece], budget: int
    ) -> list[tuple[int, int]]:
        """Greedy packing into (start, end) character ranges; paragraphs kept whole when they fit.

        Sizes are differences of token indices into the section, so the tokens between pieces
        (newlines, for BPE tokenizers) are counted too.
        """
        overlap = min(self.overlap, budget // 4)
        longest = max(1, budget - overlap - 2)
        pieces = [p for piece in pieces for p in _split_long(text, spans, piece, longest)]
        piece_starts = [p.lo for p in pieces if p.boundary]
        char_at: dict[int, int] = {}
        for p in pieces:
            char_at.setdefault(p.lo, p.start)
        chunks: list[tuple[int, int]] = []
        first = 0  # token index where the open chunk starts
        last = -1  # index of the open chunk's last piece; -1: no open chunk

        def overlap_start() -> int:
            """Token index to start the next chunk at: about ``overlap`` tokens before the open
            chunk's end, at a sentence or line start if one is in reach, else at a word start."""
            end = pieces[last].hi
            lowest = max(first + 1, end - overlap)
            if overlap == 0 or lowest >= end:
                return end
            k = bisect.bisect_left(piece_starts, lowest)
            if k < len(piece_starts) and piece_starts[k] < end:
                return piece_starts[k]
            best = max(range(lowest, end), key=lambda x: _cut_quality(text, spans[x][0]))  # earliest best
            return best if _cut_quality(text, spans[best][0]) > 0 else end

        def open_at(k: int, tokens_to: int) -> int:
            """Close the open chunk; the next one starts after the overlap and runs to ``tokens_to``."""
            if last < 0:
                return pieces[k].lo
            chunks.append((char_at.get(first, pieces[0].start), pieces[last].end))
            start = overlap_start()
            if start >= pieces[k].lo or tokens_to - start > budget:
                return pieces[k].lo
            if start not in char_at:
                char_at[start] = _skip_space(text, spans[start][0])
            return start

        i = 0
        while i < len(pieces):
            j = i
            while j + 1 < len(pieces) and pieces[j + 1].para == pieces[i].para:
                j += 1
            if last >= 0 and pieces[j].hi - first <= budget:
                last = j  # the whole paragraph fits in the open chunk
            elif pieces[j].hi - pieces[i].lo <= budget and last >= 0:
                first, last = open_at(i, pieces[j].hi), j  # break at the paragraph, not inside it
            else:
                for k in range(i, j + 1):
                    if last >= 0 and pieces[k].hi - first <= budget:
                        last = k
                    else:
                        first, last = open_at(k, pieces[k].hi), k
            i = j + 1
        if last >= 0:
            chunks.append((char_at.get(first, pieces[0].start), pieces[last].end))
        return chunks

    def _refit(self, header: str, text: str) -> list[str]:
        """Cut a passage whose embed text is over budget, measuring with the tokenizer itself."""
        out: list[str] = []
        rest = text
        for _ in range(1000):
            n = self._counter.counts([f"{header}\n\n{rest}"])[0]
            if n <= self.chunk_tokens:
                break
            spans = self._counter.spans([rest])[0]
            keep = max(1, len(spans) - (n - self.chunk_tokens) - 2)
            if keep >= len(spans):
                break
            cut = spans[keep - 1][1]
            while True:  # shrink until the head fits (slow tokenizers have estimated spans only)
                head = rest[:cut].rstrip()
                if self._counter.counts([f"{header}\n\n{head}"])[0] <= self.chunk_tokens or keep <= 1:
                    break
                keep = max(1, keep * 3 // 4)
                cut = spans[keep - 1][1]
            if head.strip():
                out.append(head)
            rest = rest[cut:].lstrip()
        if rest.strip():
            out.append(rest)
        return out


def _pieces(text: str, starts: list[int], ends: list[int]) -> list[_Piece]:
    """Sentences and lines of a section, with their token ranges; blank lines start paragraphs."""
    pieces: list[_Piece] = []
    para = 0
    blank = False
    a = 0
    for line in text.split("\n"):
        b = a + len(line)
        if not line.strip():
            blank = True
        else:
            if blank and pieces:
                para += 1
            blank = False
            cut = a
            for m in _SENTENCE_END.finditer(text, a, b):
                _add_piece(pieces, text, cut, m.end(), para, starts, ends)
                cut = m.end()
            _add_piece(pieces, text, cut, b, para, starts, ends)
        a = b + 1
    return pieces


def _add_piece(
    pieces: list[_Piece], text: str, a: int, b: int, para: int, starts: list[int], ends: list[int]
) -> None:
    a = _skip_space(text, a)
    while b > a and text[b - 1].isspace():
        b -= 1
    if a < b:
        lo = bisect.bisect_right(ends, a)  # first token ending after a
        hi = max(lo, bisect.bisect_left(starts, b))  # first token starting at or after b
        pieces.append(_Piece(a, b, para, lo, hi))


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i].isspace():
        i += 1
    return i


def _cut_quality(text: str, i: int) -> int:
    """How well a cut at ``i`` keeps words whole: 2 after whitespace or at a CJK character, 1 where a
    word starts after punctuation (``a,b``), 0 inside a word."""
    if i == 0 or text[i - 1].isspace() or _CJK_CHAR.match(text, i) is not None:
        return 2
    return 1 if text[i].isalnum() and not text[i - 1].isalnum() else 0


def _split_long(text: str, spans: list[tuple[int, int]], piece: _Piece, longest: int) -> list[_Piece]:
    """Cut a piece longer than ``longest`` tokens at token boundaries, at a word start if one is near."""
    if piece.hi - piece.lo <= longest:
        return [piece]
    out: list[_Piece] = []
    k = piece.lo
    while k < piece.hi:
        end = min(k + longest, piece.hi)
        if end < piece.hi:
            window = range(end, k + longest // 2, -1)
            if window:  # latest best cut in the second half of the window
                best = max(window, key=lambda e: _cut_quality(text, spans[e][0]))
                if _cut_quality(text, spans[best][0]) > 0:
                    end = best
        start = piece.start if k == piece.lo else _skip_space(text, spans[k][0])
        stop = piece.end if end == piece.hi else spans[end - 1][1]
        out.append(_Piece(start, stop, piece.para, k, end, boundary=k == piece.lo))
        k = end
    return out


__all__ = ["Chunker", "chunk_id"]
