"""Asking a question, once for every face: search, hold back local-only passages, build the
request, stream the answer, find its citations.

``ask`` is a generator of typed events; the window turns each into screen updates and ``qrag ask``
into terminal lines, so neither builds prompts, filters passages or reads citations itself. Which
passages may leave the machine is decided here, in ``number_passages``, and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

from qrag_desktop.core.citations import Citation, citations_in
from qrag_desktop.core.errors import AnswerError
from qrag_desktop.core.paths import under_any
from qrag_desktop.core.types import Hit, SearchResult

if TYPE_CHECKING:
    from qrag_desktop.core.answer import AnswerRequest
    from qrag_desktop.core.engine import Engine
    from qrag_desktop.core.jobs import JobControl
    from qrag_desktop.core.settings import Settings

NoAnswer = Literal["no_passages", "all_local_only", "answer_failed"]

NO_PASSAGES = "No passages were found for this question. Is anything indexed yet?"
ALL_LOCAL_ONLY = "All relevant passages are in local-only folders, so nothing was sent to the cloud model."


class AnswerModel(Protocol):
    """What the pipeline needs from an answer model (``answer.Answerer`` is the real one)."""

    def stream(self, request: AnswerRequest) -> Iterator[str]: ...


@dataclass(frozen=True)
class Passage:
    """A found passage; ``n`` is its [n] in the request, None when it stays on this machine."""

    hit: Hit
    n: int | None
    local_only: bool = False


@dataclass(frozen=True)
class PassagesFound:
    """Search results: first the hybrid recall (``reranked`` False), then the reranked list."""

    result: SearchResult
    passages: tuple[Passage, ...]

    @property
    def reranked(self) -> bool:
        return self.result.reranked


@dataclass(frozen=True)
class SentRequest:
    """The request about to leave the machine, exactly as sent (``text``: the last user message)."""

    text: str
    token_count: int
    exact: bool
    n_passages: int


@dataclass(frozen=True)
class AnswerDelta:
    text: str


@dataclass(frozen=True)
class AskOutcome:
    """The end of one question: the answer and its citations, or the plain reason there is none.

    ``answer`` may be set together with ``reason == "answer_failed"`` when a stream was cut off.
    """

    question: str
    passages: tuple[Passage, ...]
    answer: str | None
    citations: tuple[Citation, ...]
    reason: NoAnswer | None = None
    error: str | None = None  # the reason in words, for a person
    request_sent: bool = True  # False: the question's text never left this computer (no key)
    result: SearchResult | None = None  # the search the passages came from (its rerank counts)

    @property
    def sent(self) -> list[Hit]:
        return [p.hit for p in self.passages if p.n is not None]

    @property
    def held_back(self) -> int:
        return sum(1 for p in self.passages if p.n is None)

    def rerank_json(self) -> dict[str, Any]:
        """The search's reranking counts, as ``qrag ask --json`` reports them."""
        return (self.result or SearchResult(self.question, ())).rerank_json()


AskEvent = PassagesFound | SentRequest | AnswerDelta | AskOutcome


def number_passages(hits: Sequence[Hit], local_roots: Sequence[str]) -> tuple[Passage, ...]:
    """The one local-only decision: a hit under a local-only root gets no number and is never sent."""
    out: list[Passage] = []
    n = 0
    for h in hits:
        local = under_any(h.path, tuple(local_roots))
        if not local:
            n += 1
        out.append(Passage(h, None if local else n, local))
    return tuple(out)


def make_answerer(settings: Settings, api_key: str | None) -> AnswerModel:
    """The answer model the settings name (``api_key`` None: look it up per call; "": no key)."""
    from qrag_desktop.core.answer import Answerer

    return Answerer(
        model=settings.openai_model,
        base_url=settings.openai_base_url or None,
        api_key=api_key,
        timeout_s=settings.answer_timeout_s,
    )


def ask(
    engine: Engine,
    question: str,
    answerer: AnswerModel,
    *,
    history: Sequence[tuple[str, str]] = (),
    top_k: int | None = None,
    rerank: bool = True,
    control: JobControl | None = None,
    paths_prefix: Sequence[str] | None = None,
) -> Iterator[AskEvent]:
    """Answer ``question`` from the knowledge base; the last event is always an ``AskOutcome``.

    ``paths_prefix`` scopes the search to one folder or file (``core.scope``), inside the store query.
    The local-only folders are read once, at the moment of asking. An answer server's error ends
    in an outcome that says it (with any part of the answer that came); other errors raise.
    """
    from qrag_desktop.core.answer import build_request

    question = question.strip()
    local_roots = engine.folders.local_only_roots()
    passages: tuple[Passage, ...] = ()
    found: SearchResult | None = None
    for found in engine.search_stages(
        question, top_k=top_k, rerank=rerank, control=control, paths_prefix=paths_prefix
    ):
        passages = number_passages(found.hits, local_roots)
        yield PassagesFound(found, passages)
    sendable = [p.hit for p in passages if p.n is not None]
    if not passages:
        yield AskOutcome(question, passages, None, (), "no_passages", NO_PASSAGES, result=found)
        return
    if not sendable:
        yield AskOutcome(question, passages, None, (), "all_local_only", ALL_LOCAL_ONLY, result=found)
        return
    request = build_request(question, sendable, history, model=engine.settings.openai_model)
    yield SentRequest(request.text, request.token_count, request.token_count_exact, len(sendable))
    parts: list[str] = []
    try:
        for delta in answerer.stream(request):
            parts.append(delta)
            yield AnswerDelta(delta)
    except AnswerError as exc:
        answer = "".join(parts) or None
        cited = tuple(citations_in(answer, sendable)) if answer else ()
        yield AskOutcome(
            question,
            passages,
            answer,
            cited,
            "answer_failed",
            exc.user_text(),
            request_sent=exc.request_sent,
            result=found,
        )
        return
    answer = "".join(parts)
    yield AskOutcome(question, passages, answer, tuple(citations_in(answer, sendable)), result=found)


__all__ = [
    "ALL_LOCAL_ONLY",
    "NO_PASSAGES",
    "AnswerDelta",
    "AnswerModel",
    "AskEvent",
    "AskOutcome",
    "NoAnswer",
    "Passage",
    "PassagesFound",
    "SentRequest",
    "ask",
    "make_answerer",
    "number_passages",
]
