"""Receiving mail: recorded once, classified, and what each kind does."""

from __future__ import annotations

import pytest

from rapport.core.models import Activity, ActivityKind, Notification
from rapport.inbox.models import Conversation, InboundKind, InboundMessage
from rapport.inbox.services import inbound_receive
from rapport.outreach import policy
from rapport.outreach.models import Message, MessageStatus, Suppression
from tests.inbox.world import World

pytestmark = pytest.mark.django_db

REPLY = b"""From: Ana Souza <{{ana.email}}>
To: Riley Park <{{sender}}>
Subject: Re: {{m1.subject}}
Message-ID: <ana-reply-1@mail.example.com.br>
In-Reply-To: {{m1.message_id}}
References: {{m1.message_id}}
Date: Tue, 24 Nov 2026 10:00:00 -0300
Content-Type: text/plain; charset=utf-8

Oi Riley, yes, I would love to hear more. Thursday works for me.

On Mon, 23 Nov 2026 at 09:12, Riley Park <{{sender}}> wrote:
> Hi Ana, are you open to backend roles at lumen?
"""


def test_a_reply_lands_on_the_candidates_timeline_with_its_new_words_only(world: World) -> None:
    received = inbound_receive(raw=world.fill(REPLY), source="pipe")
    message = received.message
    assert received.created
    assert message.kind == InboundKind.REPLY
    assert message.matched_by == "thread"
    assert message.candidate == world.candidates["ana"]
    assert message.answers == world.messages["m1"]
    assert message.text == "Oi Riley, yes, I would love to hear more. Thursday works for me."
    assert "are you open to backend roles" in message.text_full
    activity = Activity.objects.get(
        kind=ActivityKind.EMAIL_REPLIED, candidate=world.candidates["ana"]
    )
    assert activity.data["text"] == message.text
    assert activity.data["answers_subject"] == "Backend roles at Lumen"
    conversation = Conversation.objects.get()
    assert conversation.candidate == world.candidates["ana"]
    assert conversation.needs_reply and conversation.unread
    assert (
        Notification.objects.filter(user=world.sender, candidate=world.candidates["ana"]).count()
        == 1
    )


def test_the_same_message_received_twice_is_recorded_once(world: World) -> None:
    raw = world.fill(REPLY)
    first = inbound_receive(raw=raw, source="pipe")
    again = inbound_receive(raw=raw, source="imap", source_key="imap:box:1:7")
    assert not again.created and again.message == first.message
    assert InboundMessage.objects.count() == 1
    assert Activity.objects.filter(kind=ActivityKind.EMAIL_REPLIED).count() == 1


def test_a_forged_in_reply_to_from_someone_else_never_reaches_the_candidate(world: World) -> None:
    raw = world.fill(
        REPLY.replace(b"From: Ana Souza <{{ana.email}}>", b"From: Chen <{{chen.email}}>")
    )
    message = inbound_receive(raw=raw, source="pipe").message
    assert message.kind == InboundKind.UNMATCHED
    assert message.candidate is None
    assert message.suggested_candidate == world.candidates["ana"]
    assert not Activity.objects.filter(kind=ActivityKind.EMAIL_REPLIED).exists()


def test_a_hard_bounce_suppresses_the_address(world: World) -> None:
    raw = world.fill(
        b"From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\n"
        b"To: {{m2.verp}}\nSubject: Undelivered Mail Returned to Sender\n"
        b"Message-ID: <bounce-1@mx.example.org>\n\n"
        b"I'm sorry to have to inform you that your message could not\n"
        b"be delivered to one or more recipients.\n\n<bruno@example.org>: 550 5.1.1 User unknown\n"
    )
    message = inbound_receive(raw=raw, source="pipe").message
    assert message.kind == InboundKind.BOUNCE and message.bounce_hard is True
    assert message.matched_by == "verp"
    assert message.answers == world.messages["m2"]
    assert Message.objects.get(pk=world.messages["m2"].pk).status == MessageStatus.BOUNCED
    assert Suppression.objects.filter(digest=policy.address_digest("bruno@example.org")).exists()
