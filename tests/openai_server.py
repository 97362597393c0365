"""A real OpenAI-compatible HTTP server on 127.0.0.1 for tests (pytest plugin, see conftest).

It speaks enough of the chat-completions protocol for the ``openai`` client: streamed (SSE) and
plain completions, and the model list. It records what it receives, checks the bearer key, and
can be told to fail, stall or say something else. Fixtures: ``openai_server``, ``refused_base_url``.
"""

from __future__ import annotations

import json
import re
import socket
import struct
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

DEFAULT_KEY = "sk-test-0123456789abcdef"

_ERRORS: dict[int, dict[str, Any]] = {
    401: {
        "message": "Incorrect API key provided",
        "type": "invalid_request_error",
        "code": "invalid_api_key",
    },
    403: {"message": "You are not allowed to sample from this model", "type": "invalid_request_error"},
    404: {"message": "The model does not exist", "type": "invalid_request_error", "code": "model_not_found"},
    429: {"message": "Rate limit reached for requests", "type": "requests", "code": "rate_limit_exceeded"},
    500: {"message": "The server had an error while processing your request.", "type": "server_error"},
}


@dataclass
class OpenAIServerState:
    """What the test controls and sees. Plain attributes; the handler threads read them per request."""

    base_url: str = ""
    api_key: str | None = DEFAULT_KEY  # None: accept any or no key (a keyless local server)
    requests: list[dict[str, Any]] = field(default_factory=list)  # parsed JSON bodies, in order
    calls: list[tuple[str, str, str | None]] = field(default_factory=list)  # (method, path, Authorization)
    delay_s: float = 0.0  # wait before answering (for timeout tests)
    chunk_pause_s: float = 0.02  # pause between streamed chunks, so streaming is observable
    models: tuple[str, ...] = ("gpt-4o", "gpt-4o-mini")
    stream_done_at: list[float] = field(default_factory=list)  # time.monotonic() when a stream ended
    error_mid_stream: str | None = None  # send an error event with this message after the first words
    raw_reply: bytes | None = None  # answer with HTTP 200 and exactly these bytes (e.g. invalid JSON)
    cut_after: int | None = None  # reset the connection after this many streamed words
    _reply: str | None = None
    _fail: tuple[int, dict[str, Any]] | None = None
    _stop: threading.Event = field(default_factory=threading.Event)

    def set_reply(self, text: str | None) -> None:
        """Stream ``text`` as the answer; None restores the default answer built from the request."""
        self._reply = text

    def fail_with(self, status: int | None, message: str | None = None, code: str | None = None) -> None:
        """Answer every request with this HTTP status and an OpenAI-style error body; None stops failing."""
        if status is None:
            self._fail = None
            return
        error = dict(_ERRORS.get(status, {"message": f"Error {status}", "type": "server_error"}))
        if message is not None:
            error["message"] = message
        if code is not None:
            error["code"] = code
        self._fail = (status, {"error": error})

    def reply_for(self, body: dict[str, Any]) -> str:
        """The default answer names the passages it was given and cites the first two."""
        if self._reply is not None:
            return self._reply
        messages = body.get("messages") or [{}]
        last = str(messages[-1].get("content", ""))
        given = re.findall(r"^\[(\d+)\] (.+)$", last, flags=re.MULTILINE) or re.findall(
            r'^<passage n="(\d+)" source="([^"]*)">$', last, flags=re.MULTILINE
        )
        if not given:
            return "The passages do not contain the answer."
        parts = [f"{name} says so [{n}]" for n, name in given[:2]]
        return "According to the passages, " + " and ".join(parts) + ". That is the answer."


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"  # one request per connection: handler threads end with the response

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep test output quiet
        pass

    def _send_json(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _gate(self) -> bool:
        """Common checks; False when an error response has been sent (or the test is over)."""
        st = self.server.state
        auth = self.headers.get("Authorization")
        st.calls.append((self.command, self.path, auth))
        if st.delay_s and st._stop.wait(st.delay_s):
            return False  # teardown: the client has long given up
        if st._fail is not None:
            self._send_json(*st._fail)
            return False
        if st.api_key is not None and auth != f"Bearer {st.api_key}":
            self._send_json(401, {"error": _ERRORS[401]})
            return False
        return True

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        try:
            if self.path.rstrip("/") != "/v1/models":
                self._send_json(
                    404, {"error": {"message": f"Unknown path {self.path}", "type": "invalid_request_error"}}
                )
                return
            if self._gate():
                data = [
                    {"id": m, "object": "model", "created": 0, "owned_by": "test"}
                    for m in self.server.state.models
                ]
                self._send_json(200, {"object": "list", "data": data})
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client went away (timeout tests)

    def do_POST(self) -> None:  # noqa: N802
        try:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            if self.path.rstrip("/") != "/v1/chat/completions":
                self._send_json(
                    404, {"error": {"message": f"Unknown path {self.path}", "type": "invalid_request_error"}}
                )
                return
            self.server.state.requests.append(body)
            if not self._gate():
                return
            if self.server.state.raw_reply is not None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(self.server.state.raw_reply)
                return
            if body.get("stream"):
                self._stream(body)
            else:
                self._complete(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _complete(self, body: dict[str, Any]) -> None:
        text = self.server.state.reply_for(body)
        self._send_json(
            200,
            {
                "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model", "gpt-4o"),
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
                ],
                "usage": {"prompt_tokens": 10, "completion_tokens": len(text.split()), "total_tokens": 10},
            },
        )

    def _stream(self, body: dict[str, Any]) -> None:
        st = self.server.state
        text = st.reply_for(body)
        cid, created, model = (
            f"chatcmpl-{uuid.uuid4().hex[:12]}",
            int(time.time()),
            body.get("model", "gpt-4o"),
        )
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()

        def event(delta: dict[str, Any], finish: str | None = None) -> None:
            chunk = {
                "id": cid,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.flush()

        event({"role": "assistant", "content": ""})
        for i, piece in enumerate(re.findall(r"\S+\s*|\s+", text)):  # word by word, like a model
            if st._stop.wait(st.chunk_pause_s):
                return
            if st.cut_after is not None and i == st.cut_after:
                # an abrupt reset (RST), as a proxy or a crashed server gives, not a clean end
                self.wfile.flush()
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
                return
            if i == 2 and st.error_mid_stream is not None:
                error = {"error": {"message": st.error_mid_stream, "type": "server_error"}}
                self.wfile.write(f"data: {json.dumps(error)}\n\n".encode())
                self.wfile.flush()
                return
            event({"content": piece})
        event({}, "stop")
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()
        st.stream_done_at.append(time.monotonic())


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins handler threads: nothing dangles after a test
    block_on_close = True

    def __init__(self, state: OpenAIServerState) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = state


@pytest.fixture
def openai_server() -> Iterator[OpenAIServerState]:
    """A live chat-completions server on a free localhost port, expecting ``.api_key``."""
    state = OpenAIServerState()
    server = _Server(state)
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state._stop.set()  # wake handlers that are stalling on purpose
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def refused_base_url() -> str:
    """A localhost URL where nothing listens: connecting is refused at once."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"
