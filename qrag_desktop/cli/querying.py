"""`qrag search` and `qrag ask`: passages for a query, an answer with citations."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from qrag_desktop.cli.output import hit_json
from qrag_desktop.cli.parser import scope

if TYPE_CHECKING:
    from qrag_desktop.core.engine import Engine


def cmd_search(args: argparse.Namespace, engine: Engine) -> int:
    result = engine.search(
        args.query, top_k=args.top_k, rerank=not args.no_rerank, paths_prefix=scope(args).paths_prefix()
    )
    if args.json:
        out = {
            "query": result.query,
            "hits": [hit_json(i, h) for i, h in enumerate(result.hits, 1)],
            "timings_ms": {k: round(v, 2) for k, v in result.timings_ms.items()},
            "reranked": result.reranked,
            **result.rerank_json(),
            "notes": list(result.notes),
        }
        print(json.dumps(out, ensure_ascii=False))
        return 0
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    if result.rerank_note():
        print(f"note: {result.rerank_note()}", file=sys.stderr)
    if not result.hits:
        print("No passages found. Is anything indexed? Try `qrag status`.")
    for i, h in enumerate(result.hits, 1):
        where = h.path + (f" (page {h.page})" if h.page else "")
        print(f"[{i}] {h.score:.3f}  {where}")
        if h.heading:
            print(f"    {h.heading}")
        snippet = " ".join(h.text.split())
        print(f"    {snippet[:300]}{'…' if len(snippet) > 300 else ''}\n")
    t = result.timings_ms
    print(", ".join(f"{k} {v:.0f} ms" for k, v in t.items()), file=sys.stderr)
    return 0


def cmd_ask(args: argparse.Namespace, engine: Engine) -> int:
    """Drives the same ask pipeline as the window (``core.asking``): same passages, request, citations."""
    from qrag_desktop.core.asking import AnswerDelta, AskOutcome, ask, make_answerer

    outcome: AskOutcome | None = None
    streamed = False
    answerer = make_answerer(engine.settings, None)  # None: the key from the environment or keychain
    for ev in ask(
        engine,
        args.question,
        answerer,
        top_k=args.top_k,
        rerank=not args.no_rerank,
        paths_prefix=scope(args).paths_prefix(),
    ):
        if isinstance(ev, AnswerDelta) and not args.json:
            sys.stdout.write(ev.text)
            sys.stdout.flush()
            streamed = True
        elif isinstance(ev, AskOutcome):
            outcome = ev
    assert outcome is not None  # the pipeline always ends with its outcome
    if streamed:
        sys.stdout.write("\n")
    hits = [p.hit for p in outcome.passages]
    if args.json:
        out = {
            "question": args.question,
            "answer": outcome.answer,
            "error": outcome.error,
            "citations": [
                {"n": c.n, "path": c.path, "page": c.page, "heading": c.heading} for c in outcome.citations
            ],
            "passages": [hit_json(i, h) for i, h in enumerate(outcome.sent if outcome.answer else hits, 1)],
            "local_only_held_back": outcome.held_back,
            **outcome.rerank_json(),
        }
        print(json.dumps(out, ensure_ascii=False))
        return 1 if outcome.error else 0  # a script must see that no (whole) answer was produced
    if outcome.error:
        lead = "The answer is incomplete" if outcome.answer else "No generated answer"
        print(f"{lead}: {outcome.error}", file=sys.stderr)
        print("Best passages:")
        for i, h in enumerate(hits, 1):
            print(
                f"[{i}] {h.path}"
                + (f" (page {h.page})" if h.page else "")
                + (f" — {h.heading}" if h.heading else "")
            )
            print("    " + " ".join(h.text.split())[:400] + "\n")
    else:
        print("\nSources:")
        for c in outcome.citations:
            print(
                f"[{c.n}] {c.path}"
                + (f" (page {c.page})" if c.page else "")
                + (f" — {c.heading}" if c.heading else "")
            )
    if outcome.held_back:
        print(f"({outcome.held_back} passage(s) from local-only folders were not sent.)", file=sys.stderr)
    return 1 if outcome.error else 0
