"""Retrieval quality on questions with known answers: hit@k and MRR@10 over distinct source files."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from qrag_desktop.core.types import SearchResult


@dataclass(frozen=True)
class Question:
    q: str
    gold: tuple[str, ...]  # paths relative to the corpus root


@dataclass(frozen=True)
class Scores:
    n: int
    hit1: float
    hit5: float
    mrr10: float
    ranks: tuple[int | None, ...]  # per question: rank of the first gold file, None if not in the top 10

    def to_json(self) -> dict[str, float]:
        return {
            "n": self.n,
            "hit@1": round(self.hit1, 4),
            "hit@5": round(self.hit5, 4),
            "mrr@10": round(self.mrr10, 4),
        }


def load_questions(path: Path) -> list[Question]:
    out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            out.append(Question(q=d["q"], gold=tuple(d["gold"])))
    return out


def first_gold_rank(result: SearchResult, corpus_root: Path, gold: Iterable[str]) -> int | None:
    """1-based rank of the first gold file among the distinct files of the hits, in hit order."""
    root = Path(corpus_root).resolve()
    gold_set = set(gold)
    files: list[str] = []
    for h in result.hits:
        try:
            rel = Path(h.path).resolve().relative_to(root).as_posix()
        except ValueError:
            rel = h.path
        if rel not in files:
            files.append(rel)
    for i, f in enumerate(files, 1):
        if f in gold_set:
            return i
    return None


def score(questions: Sequence[Question], search: Callable[[str], SearchResult], corpus_root: Path) -> Scores:
    ranks = [first_gold_rank(search(q.q), corpus_root, q.gold) for q in questions]
    ranks10 = [r if r is not None and r <= 10 else None for r in ranks]
    n = len(questions)
    return Scores(
        n=n,
        hit1=sum(1 for r in ranks10 if r == 1) / n,
        hit5=sum(1 for r in ranks10 if r is not None and r <= 5) / n,
        mrr10=sum(1.0 / r for r in ranks10 if r is not None) / n,
        ranks=tuple(ranks10),
    )
