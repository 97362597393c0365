"""Grounded answers against a real OpenAI-compatible HTTP server on localhost (tests/openai_server.py)."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backends import fail

from qrag_desktop.core.answer import (
    SYSTEM_PROMPT,
    Answerer,
    AnswerRequest,
    Citation,
    build_request,
    citations_in,
)
from qrag_desktop.core.errors import AnswerError
from qrag_desktop.core.types import Hit

HITS = (
    Hit("c1", "/docs/milvus/index.md", None, "Index types > HNSW", 3, "HNSW builds a layered graph.", 0.9),
    Hit("c2", "/docs/manual.pdf", 12, "", 0, "IVF_FLAT splits vectors into clusters.", 0.8),
    Hit("c3", "C:\\notes\\tuning.txt", None, "Tuning", 1, "Raise ef for better recall.", 0.7),
)


@pytest.fixture(autouse=True)
def _no_stored_key(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No key from the developer's environment or keychain: keyring's own "no backend" backend."""
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every DNS lookup or connect attempted during the test; each one is refused."""
    seen: list[Any] = []

    def getaddrinfo(*args: Any, **kwargs: Any) -> Any:
        seen.append(args[:2])
        raise OSError("network use in a test that must not touch the network")

    def connect(self: socket.socket, address: Any) -> None:
        seen.append(address)
        raise OSError("network use in a test that must not touch the network")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    return seen


def _answerer(server: Any, **kwargs: Any) -> Answerer:
    kwargs.setdefault("api_key", server.api_key)
    return Answerer(base_url=server.base_url, **kwargs)


def _request() -> AnswerRequest:
    return build_request("Which index suits high recall?", HITS)


# --- the request -------------------------------------------------------------------------------


def test_request_numbers_the_passages_and_ends_with_the_question() -> None:
    req = build_request("Which index suits high recall?", HITS)

    assert req.text == (
        "Passages:\n\n"
        '<passage n="1" source="index.md — Index types > HNSW">\nHNSW builds a layered graph.\n</passage>\n\n'
        '<passage n="2" source="manual.pdf (page 12)">\n'
        "IVF_FLAT splits vectors into clusters.\n</passage>\n\n"
        '<passage n="3" source="tuning.txt — Tuning">\nRaise ef for better recall.\n</passage>\n\n'
        "Question: Which index suits high recall?"
    )
    assert req.messages[0] == {"role": "system", "content": SYSTEM_PROMPT}
    assert req.messages[-1] == {"role": "user", "content": req.text}
    assert req.passages == HITS
    for asked in ("only", "[1]", "[1][3]", "language of the question", "do not contain the answer"):
        assert asked in SYSTEM_PROMPT


def test_long_passages_are_clipped() -> None:
    long_hit = Hit("c9", "/a/long.md", None, "", 0, "word " * 5000, 1.0)
    req = build_request("q?", [long_hit], max_passage_chars=100)
    passage = req.text.split("\n", 3)[3].split("\n</passage>")[0]
    assert len(passage) <= 102
    assert passage.endswith("…")


def test_no_passages_is_said_plainly() -> None:
    req = build_request("Anything?", [])
    assert "No passages were found" in req.text
    assert req.text.endswith("Question: Anything?")


def test_history_goes_before_the_question_and_is_bounded() -> None:
    history = [(f"question {i}", f"answer {i}") for i in range(8)]
    req = build_request("And now?", HITS, history)

    turns = req.messages[1:-1]
    assert [m["role"] for m in turns] == ["user", "assistant"] * 6
    assert turns[0]["content"] == "question 2"  # the two oldest turns are dropped
    assert turns[-1]["content"] == "answer 7"


def test_token_count_without_the_tiktoken_vocabulary_is_an_offline_estimate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, connections: list[Any]
) -> None:
    # An empty cache, and a damaged file where o200k_base would be (tiktoken would re-download it).
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    (tmp_path / "fb374d419588a4632f3f557e76b4b70aebbca790").write_bytes(b"damaged")

    started = time.monotonic()
    req = build_request("Which index suits high recall?", HITS)

    assert time.monotonic() - started < 1.0
    assert connections == []
    assert req.token_count_exact is False
    chars = sum(len(m["content"]) for m in req.messages)
    assert chars / 4 <= req.token_count <= chars / 4 + 40


# --- streaming ----------------------------------------------------------------------------------


def test_answer_streams_in_pieces_and_server_gets_the_shown_text(openai_server: Any) -> None:
    req = _request()
    started = time.monotonic()
    deltas: list[str] = []
    first_at = None
    for delta in _answerer(openai_server).stream(req):
        first_at = first_at or time.monotonic()
        deltas.append(delta)

    answer = "".join(deltas)
    assert len(deltas) > 1
    assert answer == openai_server.reply_for(openai_server.requests[-1])
    assert "[1]" in answer and "[2]" in answer
    assert first_at is not None and started < first_at < openai_server.stream_done_at[-1]

    sent = openai_server.requests[-1]
    assert sent["stream"] is True
    assert sent["model"] == "gpt-4o"
    assert sent["messages"] == list(req.messages)
    assert sent["messages"][-1]["content"] == req.text  # what the user is shown is what was sent
    assert openai_server.calls[-1][2] == f"Bearer {openai_server.api_key}"


def test_history_reaches_the_server(openai_server: Any) -> None:
    req = build_request("And IVF?", HITS, [("What is HNSW?", "A graph index [1].")])
    list(_answerer(openai_server).stream(req))
    roles = [(m["role"], m["content"]) for m in openai_server.requests[-1]["messages"][1:3]]
    assert roles == [("user", "What is HNSW?"), ("assistant", "A graph index [1].")]


def test_streamed_answer_citations_map_to_the_passages(openai_server: Any) -> None:
    openai_server.set_reply("IVF splits vectors [2]. Raise ef [3][1], see also [2, 3] and [7].")
    answer = "".join(_answerer(openai_server).stream(_request()))
    assert citations_in(answer, HITS) == [
        Citation(n=2, path="/docs/manual.pdf", page=12, heading=""),
        Citation(n=3, path="C:\\notes\\tuning.txt", page=None, heading="Tuning"),
        Citation(n=1, path="/docs/milvus/index.md", page=None, heading="Index types > HNSW"),
    ]


@pytest.mark.parametrize(
    ("answer", "cited"),
    [
        ("Nothing cited.", []),
        ("See [1, 3].", [1, 3]),
        ("See [2–3] and [1].", [2, 3, 1]),
        ("Out of range [0] [4] [2023], in range [2].", [2]),
        ("A link [text](http://x) and [ 3 ].", [3]),
    ],
)
def test_citation_forms(answer: str, cited: list[int]) -> None:
    assert [c.n for c in citations_in(answer, HITS)] == cited


def test_local_server_needs_no_key(openai_server: Any) -> None:
    openai_server.api_key = None  # a keyless local server (Ollama, vLLM)
    answer = "".join(Answerer(base_url=openai_server.base_url, api_key="").stream(_request()))
    assert "[1]" in answer
    assert openai_server.calls[-1][2] == "Bearer not-needed"


def test_key_is_looked_up_when_not_given(openai_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    answerer = Answerer(base_url=openai_server.base_url.replace("127.0.0.1", "localhost"))
    monkeypatch.setenv("OPENAI_API_KEY", openai_server.api_key)  # set after the Answerer was made
    assert "".join(answerer.stream(_request()))
    assert openai_server.calls[-1][2] == f"Bearer {openai_server.api_key}"


def test_stopping_early_closes_the_stream(openai_server: Any) -> None:
    gen = _answerer(openai_server).stream(_request())
    assert next(gen)
    gen.close()  # the user pressed Stop; the fixture's teardown finds no handler left hanging


# --- failures a person must understand ---------------------------------------------------------


def _error(answerer: Answerer, req: AnswerRequest | None = None) -> AnswerError:
    with pytest.raises(AnswerError) as info:
        list(answerer.stream(req or _request()))
    return info.value


def test_no_key_says_so_without_touching_the_network(connections: list[Any]) -> None:
    err = _error(Answerer())  # api.openai.com, no key anywhere
    assert err.message == "No OpenAI API key is set."
    assert err.hint == "Add it in Settings, or set OPENAI_API_KEY."
    assert connections == [] and not err.request_sent  # the window says nothing was sent


def test_rejected_key(openai_server: Any) -> None:
    err = _error(_answerer(openai_server, api_key="sk-wrong-key-000000"))
    assert err.message == "The API key was rejected (401)."
    assert "Check the key" in (err.hint or "")
    assert "sk-wrong-key-000000" not in err.user_text()
    assert err.request_sent  # the text reached the server, which refused the key


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (429, None, "Too many requests: the answer server is rate limiting this key (429)."),
        (429, "insufficient_quota", "The account's quota is used up (429)."),
        (404, None, "The model gpt-4o was not found at 127.0.0.1:"),
        (500, None, "The answer server returned an error (500): The server had an error"),
    ],
)
def test_server_errors_are_explained(
    openai_server: Any, status: int, code: str | None, expected: str
) -> None:
    openai_server.fail_with(status, code=code)
    started = time.monotonic()
    err = _error(_answerer(openai_server))
    assert err.message.startswith(expected)
    assert time.monotonic() - started < 5  # no retry back-off
    assert len(openai_server.requests) == 1


def test_timeout(openai_server: Any) -> None:
    openai_server.delay_s = 5
    started = time.monotonic()
    err = _error(_answerer(openai_server, timeout_s=0.5))
    assert err.message == "The answer server did not respond within 0.5 s."
    assert time.monotonic() - started < 3


def test_stall_in_the_middle_of_an_answer_is_a_timeout(openai_server: Any) -> None:
    openai_server.chunk_pause_s = 5
    err = _error(_answerer(openai_server, timeout_s=0.5))
    assert err.message == "The answer server did not respond within 0.5 s."


def test_error_in_the_middle_of_an_answer(openai_server: Any) -> None:
    openai_server.error_mid_stream = "The model is overloaded."
    received: list[str] = []
    with pytest.raises(AnswerError) as info:
        for delta in _answerer(openai_server).stream(_request()):
            received.append(delta)
    assert info.value.message == "The answer server reported an error: The model is overloaded."
    assert len(received) == 2  # what arrived before the error was shown


def test_refused_connection(refused_base_url: str) -> None:
    host = refused_base_url.split("/")[2]
    started = time.monotonic()
    err = _error(Answerer(base_url=refused_base_url, api_key="sk-anything-1234567"))
    assert err.message == f"Cannot reach {host}: no network or the server is down."
    assert not err.request_sent
    assert time.monotonic() - started < 5


# --- the Settings "test" button ----------------------------------------------------------------


def test_check_reports_a_working_setup(openai_server: Any) -> None:
    result = _answerer(openai_server).check()
    assert result.startswith("Connected to 127.0.0.1:")
    assert "gpt-4o is available" in result
    assert openai_server.calls[-1][:2] == ("GET", "/v1/models")


def test_check_reports_an_unknown_model(openai_server: Any) -> None:
    result = _answerer(openai_server, model="gpt-9").check()
    assert "gpt-9 is not among the 2 models" in result


def test_check_reports_a_rejected_key(openai_server: Any) -> None:
    with pytest.raises(AnswerError, match=r"The API key was rejected \(401\)\."):
        _answerer(openai_server, api_key="sk-wrong-key-000000").check()


def test_check_reports_no_key(connections: list[Any]) -> None:
    with pytest.raises(AnswerError, match="No OpenAI API key is set."):
        Answerer().check()
    assert connections == []
