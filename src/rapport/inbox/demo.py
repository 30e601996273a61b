"""A few days of replies for the demo installation, so that a first look at
the inbox shows what it is for. They go through `inbound_receive` like any
other mail, so they are classified, threaded and put on timelines for real."""

from __future__ import annotations

import datetime as dt
import random
from email.utils import format_datetime

from django.conf import settings
from django.utils import timezone

from rapport.inbox.models import Conversation, InboundMessage, InboundSource
from rapport.inbox.services import inbound_receive
from rapport.people.models import ContactKind, ContactPoint

REPLIES = [
    (
        "Re: Staying in touch",
        "Thanks for checking in! I'm not looking right now, but I'd be glad to hear about staff roles next spring.",
    ),
    (
        "Re: A platform role you might like",
        "This sounds interesting. Could you share the salary range and whether the team is fully remote?",
    ),
    (
        "Re: Coffee next week?",
        "Happy to. Tuesday or Wednesday afternoon works best for me; I'm in the office near the station.",
    ),
    (
        "Re: Our new data team",
        "I've just accepted an offer elsewhere, so the timing isn't right. Please keep me in mind for next year.",
    ),
    (
        "Re: Following up",
        "Sorry for the slow answer, it has been a busy quarter. Yes, I'm open to a first conversation.",
    ),
    (
        "Re: Engineering manager opening",
        "I'd love to learn more. Is the role hands-on, or mostly people management?",
    ),
    (
        "Re: Quick question",
        "My new email is on my profile now. And yes: Python and Go, mostly distributed systems.",
    ),
]
OUT_OF_OFFICE = "I am out of the office until Monday with limited access to email. For urgent matters please contact my team."
STRANGER = (
    "Open roles for designers?",
    "Hi! A friend told me you hire product designers. Do you keep a talent pool I could join?",
)


def demo_inbox(*, seed: int = 7) -> int:
    """Replies from a handful of demo candidates, an out-of-office and a
    stranger's question; nothing when the inbox holds mail already."""
    if InboundMessage.objects.exists():
        return 0
    people = list(
        ContactPoint.objects.filter(kind=ContactKind.EMAIL, is_primary=True)
        .select_related("candidate")
        .order_by("candidate_id")[:500]
    )
    if not people:
        return 0
    rng = random.Random(seed)
    chosen = rng.sample(people, k=min(len(people), len(REPLIES) + 1))
    now = timezone.now()
    received = 0
    for index, contact in enumerate(chosen[: len(REPLIES)]):
        subject, text = REPLIES[index]
        when = now - dt.timedelta(hours=rng.randint(1, 70))
        received += _receive(contact.candidate.full_name, contact.value, subject, text, when, index)
    if len(chosen) > len(REPLIES):
        contact = chosen[-1]
        when = now - dt.timedelta(hours=rng.randint(1, 24))
        received += _receive(contact.candidate.full_name, contact.value, "Automatic reply: Checking in",
                             OUT_OF_OFFICE, when, 98, auto=True)  # fmt: skip
    received += _receive(
        "Jules Moreau", "jules.moreau@example.net", *STRANGER, now - dt.timedelta(hours=3), 99
    )
    return received


def _receive(
    name: str,
    address: str,
    subject: str,
    text: str,
    when: dt.datetime,
    n: int,
    *,
    auto: bool = False,
) -> int:
    headers = [
        f"From: {name} <{address}>",
        f"To: Recruiting <recruiting@{settings.MAIL_DOMAIN}>",
        f"Subject: {subject}",
        f"Message-ID: <demo-{n}-{int(when.timestamp())}@example.org>",
        f"Date: {format_datetime(when)}",
        "Content-Type: text/plain; charset=utf-8",
    ]
    if auto:
        headers.append("Auto-Submitted: auto-replied")
    first = name.split()[0]
    body = f"Hi,\n\n{text}\n\nBest,\n{first}\n"
    raw = ("\n".join(headers) + "\n\n" + body).encode()
    message = inbound_receive(raw=raw, source=InboundSource.PIPE).message
    InboundMessage.objects.filter(pk=message.pk).update(received_at=when)
    if message.conversation_id:
        Conversation.objects.filter(pk=message.conversation_id).update(
            last_message_at=when, created_at=when, waiting_since=when
        )
    return 1
