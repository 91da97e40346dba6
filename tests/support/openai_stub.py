"""A local OpenAI-compatible server whose behaviour the tests control (also used by bench/)."""

from __future__ import annotations

import contextlib
import json
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class StubBehaviour:
    mode: str = "ok"  # ok | slow | error500 | error429 | malformed | cut
    reply: str = "Use Situation-Behavior-Impact and name one specific moment [1]. Ask how it landed [2]."
    delay_seconds: float = 0.0
    token_interval_seconds: float = 0.0
    responder: Callable[[dict[str, Any]], str] | None = None  # the reply computed from the request, if set
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)


def _chunk(text: str, finish: str | None = None) -> bytes:
    body = {
        "id": "chatcmpl-stub",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "stub-model",
        "choices": [{"index": 0, "delta": {"content": text} if text else {}, "finish_reason": finish}],
    }
    return f"data: {json.dumps(body)}\n\n".encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    behaviour: StubBehaviour

    def log_message(self, *args: Any) -> None:
        pass

    def _send_chunk(self, payload: bytes) -> None:
        self.wfile.write(f"{len(payload):x}\r\n".encode() + payload + b"\r\n")
        self.wfile.flush()

    def do_POST(self) -> None:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout)
            self._respond()

    def _respond(self) -> None:
        behaviour = self.behaviour
        length = int(self.headers.get("Content-Length", "0"))
        request = json.loads(self.rfile.read(length) or b"{}")
        behaviour.requests.append(request)
        behaviour.headers.append({k.lower(): v for k, v in self.headers.items()})
        if behaviour.mode == "slow":
            time.sleep(behaviour.delay_seconds or 5)
        if behaviour.mode in {"error500", "error429"}:
            code = 500 if behaviour.mode == "error500" else 429
            body = json.dumps({"error": {"message": "stub failure", "type": "server_error"}}).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            if code == 429:
                self.send_header("Retry-After", "0")
            self.end_headers()
            self.wfile.write(body)
            return
        if behaviour.delay_seconds and behaviour.mode == "ok":
            time.sleep(behaviour.delay_seconds)
        stream = bool(request.get("stream"))
        reply = behaviour.responder(request) if behaviour.responder is not None else behaviour.reply
        if behaviour.mode == "malformed":
            body = b"{this is not json" if not stream else b"data: {not json at all\n\n"
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream" if stream else "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if not stream:
            body = json.dumps(
                {
                    "id": "chatcmpl-stub",
                    "object": "chat.completion",
                    "created": 0,
                    "model": "stub-model",
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": reply},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        words = reply.split(" ")
        for index, word in enumerate(words):
            if behaviour.mode == "cut" and index == len(words) // 2:
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(2)
                return
            self._send_chunk(_chunk(word if index == 0 else " " + word))
            if behaviour.token_interval_seconds:
                time.sleep(behaviour.token_interval_seconds)
        self._send_chunk(_chunk("", finish="stop"))
        self._send_chunk(b"data: [DONE]\n\n")
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up mid-stream (a timeout, a reply cut short on purpose) is not an error."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class OpenAIStub:
    """``with OpenAIStub() as stub:`` serves ``stub.base_url`` on 127.0.0.1 in a thread."""

    def __init__(self, behaviour: StubBehaviour | None = None) -> None:
        self.behaviour = behaviour or StubBehaviour()
        handler = type("Handler", (_Handler,), {"behaviour": self.behaviour})
        self.server = _QuietServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> OpenAIStub:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
