"""A Twilio-compatible SMS provider on loopback: a real HTTP server (the
standard library's, in a thread) that implements the Messages endpoint,
checks HTTP Basic authentication and answers as told."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest

SID = "AC0123456789abcdef0123456789abcdef"
TOKEN = "s3cr3t-token"


@dataclass
class Answer:
    status: int
    body: dict[str, Any] | str


@dataclass
class Provider:
    """What the server received, and how it answers next."""

    host: str
    port: int
    received: list[dict[str, str]] = field(default_factory=list)  # every authenticated request
    answers: list[Answer] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://{SID}:{TOKEN}@{self.host}:{self.port}"

    accepted: list[dict[str, str]] = field(default_factory=list)

    def next_answer(self, form: dict[str, str]) -> Answer:
        """The scripted answer, if any; else the text is accepted."""
        with self.lock:
            self.received.append(form)
            if self.answers:
                return self.answers.pop(0)
            self.accepted.append(form)
            sid = f"SM{len(self.accepted):032d}"
        return Answer(201, {"sid": sid, "status": "queued", "to": form["To"], "body": form["Body"]})


class Handler(BaseHTTPRequestHandler):
    provider: Provider

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        expected = "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
        if self.path != f"/2010-04-01/Accounts/{SID}/Messages.json":
            self._answer(
                Answer(404, {"code": 20404, "message": "The requested resource was not found"})
            )
        elif self.headers.get("Authorization") != expected:
            self._answer(Answer(401, {"code": 20003, "message": "Authenticate", "status": 401}))
        elif self.headers.get("Content-Type") != "application/x-www-form-urlencoded":
            self._answer(Answer(400, {"code": 0, "message": "Expected a form"}))
        else:
            self._answer(self.provider.next_answer(form))

    def _answer(self, answer: Answer) -> None:
        payload = answer.body if isinstance(answer.body, str) else json.dumps(answer.body)
        data = payload.encode()
        self.send_response(answer.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def sms_provider(settings: Any) -> Iterator[Provider]:
    """The server, with RAPPORT_SMS_URL pointing at it."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    provider = Provider(host="127.0.0.1", port=server.server_address[1])
    Handler.provider = provider
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_URL = provider.url
    settings.SMS_FROM = "+15005550006"
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
