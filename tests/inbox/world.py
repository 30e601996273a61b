"""A small world that inbound mail can answer: three candidates, each sent one
message through the outbox and a real SMTP server, and the values the corpus
placeholders stand for."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.utils import timezone

from rapport.accounts.models import User
from rapport.outreach import mime, services
from rapport.outreach.models import Message, MessageStatus
from rapport.people.models import Candidate

PLACEHOLDER = re.compile(rb"\{\{\s*([a-z0-9_.]+)\s*\}\}")


@dataclass
class World:
    sender: User
    candidates: dict[str, Candidate]
    messages: dict[str, Message]
    values: dict[str, str] = field(default_factory=dict)

    def fill(self, raw: bytes) -> bytes:
        """`raw` with its {{placeholders}} replaced; an unknown one is an error."""

        def value(match: re.Match[bytes]) -> bytes:
            name = match.group(1).decode()
            if name not in self.values:
                raise KeyError(f"unknown placeholder {{{{{name}}}}}")
            return self.values[name].encode()

        return PLACEHOLDER.sub(value, raw)


@pytest.fixture
def world(
    settings: Any,
    make_candidate: Callable[..., Candidate],
    owner: User,
    smtp_sink: Any,
    deliver: Callable[..., Any],
    always_open: Any,
) -> World:
    settings.MAIL_DOMAIN = "rapport.example"
    settings.BOUNCE_ADDRESS = "bounces@rapport.example"
    settings.REPLY_ADDRESS = "replies@rapport.example"
    owner.name = "Riley Park"
    owner.email = "riley@rapport.example"
    owner.save()
    people = {
        "ana": make_candidate(first_name="Ana", last_name="Souza", emails=["ana.souza@example.com.br"], country="BR"),
        "bruno": make_candidate(first_name="Bruno", last_name="Keller",
                                emails=["bruno@example.org", "bruno.work@example.net"], country="DE"),
        "chen": make_candidate(first_name="Chen", last_name="Wei", emails=["chen.wei@example.cn"], country="CN"),
    }  # fmt: skip
    subjects = {
        "m1": "Backend roles at Lumen",
        "m2": "Platform team at Lumen",
        "m3": "Data roles at Lumen",
    }
    sent = {}
    for (_name, candidate), (key, subject) in zip(people.items(), subjects.items(), strict=True):
        sent[key] = services.email_send(
            actor=owner, candidate=candidate, subject=subject,
            body=f"Hi {{{{ candidate.first_name }}}}, are you open to {subject.lower()}?",
        )  # fmt: skip
    deliver()
    for message in sent.values():
        message.refresh_from_db()
        assert message.status == MessageStatus.SENT, message.reason
    values = {
        "domain": settings.MAIL_DOMAIN,
        "sender": owner.email,
        "sender_name": owner.name,
        "ana.email": "ana.souza@example.com.br",
        "bruno.email": "bruno@example.org",
        "bruno.email2": "bruno.work@example.net",
        "chen.email": "chen.wei@example.cn",
        "outsider.email": "stranger@example.net",
    }
    for key, message in sent.items():
        values[f"{key}.message_id"] = message.message_id
        values[f"{key}.subject"] = message.subject
        values[f"{key}.verp"] = mime.return_path(message)
        values[f"{key}.reply_to"] = mime.reply_address(message)
        values[f"{key}.date"] = (message.sent_at or timezone.now()).strftime(
            "%a, %d %b %Y %H:%M:%S +0000"
        )
    return World(sender=owner, candidates=people, messages=sent, values=values)
