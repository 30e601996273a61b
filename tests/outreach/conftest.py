"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives and
answers with failures on request, and helpers to send through it."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from rapport.outreach import delivery
from rapport.outreach.models import Message


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    peer: Any = None  # the client's end of the connection it came over

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.data, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class Sink:
    """What the server received, and how it should answer next."""

    host: str
    port: int
    received: list[Received] = field(default_factory=list)
    # Answers to give instead of accepting, for a recipient or for anyone:
    # "451 4.3.0 Try later" (a deferral), "550 5.1.1 No such user" (a bounce).
    answers: dict[str, str] = field(default_factory=dict)
    fail_next: list[str] = field(default_factory=list)
    # Seconds each answer to RCPT waits, and the most recipients waiting at once.
    hold: float = 0.0
    holding: int = 0
    most_held: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.rcpt_tos]


class Handler:
    def __init__(self, sink: Sink) -> None:
        self.sink = sink

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        with self.sink.lock:
            if self.sink.fail_next:
                return self.sink.fail_next.pop(0)
            if address in self.sink.answers:
                return self.sink.answers[address]
            hold = self.sink.hold
            self.sink.holding += 1
            self.sink.most_held = max(self.sink.most_held, self.sink.holding)
        try:
            await asyncio.sleep(hold)
        finally:
            with self.sink.lock:
                self.sink.holding -= 1
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        with self.sink.lock:
            self.sink.received.append(
                Received(str(envelope.mail_from), list(envelope.rcpt_tos), bytes(content),
                         peer=session.peer)
            )  # fmt: skip
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_sink(settings: Any) -> Iterator[Sink]:
    """The SMTP server, with RAPPORT_EMAIL_URL pointing at it."""
    sink = Sink(host="127.0.0.1", port=_free_port())
    controller = Controller(Handler(sink), hostname=sink.host, port=sink.port)
    controller.start()
    settings.EMAIL_URL = sink.url
    try:
        yield sink
    finally:
        controller.stop()


@pytest.fixture
def deliver(settings: Any) -> Iterator[Callable[..., delivery.Outcome]]:
    """Run the worker's sending step until nothing is due (like a worker
    would), over three connections at once unless told otherwise."""
    transports: list[Any] = []

    def run(
        *, owner: str = "test-worker/0", rounds: int = 50, connections: int = 3
    ) -> delivery.Outcome:
        if not transports:
            transports.extend(delivery.transports(connections))
        total = delivery.Outcome()
        for _ in range(rounds):
            outcome = delivery.deliver_once(owner=owner, via=transports)
            for name in ("sent", "held", "later", "deferred", "bounced", "released"):
                setattr(total, name, getattr(total, name) + getattr(outcome, name))
            if not outcome.handled:
                break
        return total

    yield run
    for transport in transports:
        transport.close()


def refresh(message: Message) -> Message:
    message.refresh_from_db()
    return message


def plain(received: Received) -> str:
    part = received.message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def html(received: Received) -> str:
    part = received.message.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())


@pytest.fixture
def always_open(db: Any) -> Any:
    """A sending policy whose window never closes, for tests about other things."""
    from rapport.outreach.policy import organisation_policy

    policy = organisation_policy()
    policy.window = {"days": [0, 1, 2, 3, 4, 5, 6], "start": "00:00", "end": "23:59:59"}
    policy.save()
    return policy
