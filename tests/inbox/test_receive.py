"""Receiving mail: recorded once, classified, and what each kind does."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from rapport.accounts.models import User
from rapport.core.models import Activity, ActivityKind, Notification
from rapport.inbox import services as inbox_services
from rapport.inbox.models import Conversation, InboundKind, InboundMessage
from rapport.inbox.services import inbound_receive
from rapport.outreach import policy, sequences, services
from rapport.outreach.models import (
    Enrollment,
    EnrollmentStatus,
    Message,
    MessageStatus,
    Sequence,
    SequenceStep,
    Suppression,
)
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


def _auto_reply(world: World) -> bytes:
    return world.fill(
        b"From: Ana Souza <{{ana.email}}>\nTo: {{sender}}\n"
        b"Subject: Automatic reply: {{m1.subject}}\nAuto-Submitted: auto-replied\n"
        b"Message-ID: <oof-1@mail.example.com.br>\nIn-Reply-To: {{m1.message_id}}\n\n"
        b"I am out of the office until 2 December with limited access to email.\n"
    )


def _enrol(world: World, *, stop_on_auto_reply: bool) -> Any:
    template = services.template_create(
        actor=world.sender, name=f"Step {stop_on_auto_reply}", subject="Hello", body="Hi"
    )
    sequence = Sequence.objects.create(
        name=f"Nurture {stop_on_auto_reply}", sender=world.sender, created_by=world.sender,
        stop_on_auto_reply=stop_on_auto_reply,
    )  # fmt: skip
    SequenceStep.objects.create(sequence=sequence, position=1, template=template, wait_days=3)
    sequences.sequence_enroll(
        actor=world.sender, sequence=sequence, candidate_ids=[world.candidates["ana"].pk]
    )
    return Enrollment.objects.get(sequence=sequence)


def test_an_automatic_reply_is_recorded_and_stops_only_the_sequences_that_ask(world: World) -> None:
    keeps = _enrol(world, stop_on_auto_reply=False)
    stops = _enrol(world, stop_on_auto_reply=True)
    message = inbound_receive(raw=_auto_reply(world), source="pipe").message
    assert message.kind == InboundKind.AUTO_REPLY
    assert message.candidate == world.candidates["ana"]
    keeps.refresh_from_db()
    stops.refresh_from_db()
    assert keeps.status == EnrollmentStatus.ACTIVE
    assert stops.status == EnrollmentStatus.STOPPED and stops.stop_reason == "auto-reply"
    assert (
        Activity.objects.filter(kind=ActivityKind.EMAIL_AUTO_REPLIED, automated=True).count() == 1
    )
    assert not Conversation.objects.exists()  # nothing to answer
    assert (
        not Message.objects.exclude(pk__in=[m.pk for m in world.messages.values()])
        .filter(candidate=world.candidates["ana"], enrollment__isnull=True)
        .exists()
    )  # and nothing answered it


def test_a_reply_stops_every_sequence_of_the_candidate(world: World) -> None:
    enrollment = _enrol(world, stop_on_auto_reply=False)
    inbound_receive(raw=world.fill(REPLY), source="pipe")
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.STOPPED and enrollment.stop_reason == "replied"


def _soft_bounce(world: World, n: int) -> bytes:
    return world.fill(
        b"From: MAILER-DAEMON@mx.example.org\nTo: {{m3.verp}}\n"
        b"Subject: Delivery Status Notification (Failure)\n"
        + f"Message-ID: <soft-{n}@mx.example.org>\n".encode()
        + b"Content-Type: multipart/report; report-type=delivery-status; boundary=b\n\n"
        b"--b\nContent-Type: text/plain\n\nThe mailbox is full.\n"
        b"--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n"
        b"Final-Recipient: rfc822; chen.wei@example.cn\nAction: failed\nStatus: 4.2.2\n"
        b"Diagnostic-Code: smtp; 452 4.2.2 Mailbox full\n--b--\n"
    )


def test_soft_bounces_suppress_the_address_only_after_repeats(world: World, settings: Any) -> None:
    settings.INBOUND_SOFT_BOUNCES = 3
    digest = policy.address_digest("chen.wei@example.cn")
    for n in range(2):
        message = inbound_receive(raw=_soft_bounce(world, n), source="pipe").message
        assert message.kind == InboundKind.BOUNCE and message.bounce_hard is False
        assert message.bounce_status == "4.2.2"
    assert not Suppression.objects.filter(digest=digest).exists()
    inbound_receive(raw=_soft_bounce(world, 3), source="pipe")
    assert Suppression.objects.filter(digest=digest).exists()
    assert Message.objects.get(pk=world.messages["m3"].pk).reason == "soft_bounces"


def test_unmatched_mail_can_be_placed_with_a_candidate_and_then_counts_as_a_reply(
    world: World, owner: User
) -> None:
    raw = world.fill(
        b"From: Someone <stranger@example.net>\nTo: {{sender}}\nSubject: A friend said to write\n"
        b"Message-ID: <s-1@example.net>\n\nHello, Ana told me about the backend roles.\n"
    )
    message = inbound_receive(raw=raw, source="pipe").message
    assert message.kind == InboundKind.UNMATCHED
    conversation = message.conversation
    assert conversation is not None and conversation.candidate is None
    inbox_services.conversation_place(
        actor=owner, conversation=conversation, candidate=world.candidates["chen"]
    )
    message.refresh_from_db()
    assert message.kind == InboundKind.REPLY and message.candidate == world.candidates["chen"]
    assert Activity.objects.filter(
        kind=ActivityKind.EMAIL_REPLIED, candidate=world.candidates["chen"], actor=owner
    ).exists()


def test_an_answer_from_the_inbox_is_threaded_and_records_the_time_it_took(
    world: World, owner: User
) -> None:
    message = inbound_receive(raw=world.fill(REPLY), source="pipe").message
    conversation = message.conversation
    assert conversation is not None
    sent = inbox_services.conversation_reply(
        actor=owner, conversation=conversation, body="Great, Thursday at 10 then."
    )
    assert sent.in_reply_to == "<ana-reply-1@mail.example.com.br>"
    assert world.messages["m1"].message_id in sent.references
    assert sent.subject == "Re: Backend roles at Lumen"
    message.refresh_from_db()
    conversation.refresh_from_db()
    assert message.answered_by == owner and message.response_seconds is not None
    assert not conversation.needs_reply


def test_a_message_over_the_size_limit_keeps_its_headers_and_says_so(
    world: World, settings: Any
) -> None:
    settings.INBOUND_MAX_BYTES = 10_000
    raw = world.fill(REPLY) + b"x" * 20_000 + b"\n"
    message = inbound_receive(raw=raw, source="pipe").message
    assert message.kind == InboundKind.REPLY  # the headers were enough to place it
    assert message.size > 20_000 and len(bytes(message.raw)) < 10_000
    assert any("over the limit" in p for p in message.problems)


def test_rapport_inbound_reads_a_message_from_a_file_and_twice_records_it_once(
    world: World, tmp_path: Any
) -> None:
    path = tmp_path / "reply.eml"
    path.write_bytes(world.fill(REPLY))
    out = io.StringIO()
    call_command("inbound", str(path), stdout=out)
    call_command("inbound", str(path), stdout=out)
    lines = out.getvalue().splitlines()
    assert f"reply for candidate {world.candidates['ana'].pk}, recorded" in lines[0]
    assert "already recorded" in lines[1]
    assert InboundMessage.objects.count() == 1


def test_the_http_endpoint_takes_raw_mail_only_with_an_admins_token(
    world: World, client: Client, admin: User, owner: User, token_for: Callable[[User], str]
) -> None:
    raw = world.fill(REPLY)
    url = reverse("inbound_http")
    assert client.post(url, raw, content_type="message/rfc822").status_code == 401
    refused = client.post(url, raw, content_type="message/rfc822",
                          HTTP_AUTHORIZATION=f"Bearer {token_for(owner)}")  # fmt: skip
    assert refused.status_code == 403 and not InboundMessage.objects.exists()
    response = client.post(url, raw, content_type="message/rfc822",
                           HTTP_AUTHORIZATION=f"Bearer {token_for(admin)}")  # fmt: skip
    assert response.status_code == 201
    body = response.json()
    assert body["kind"] == "reply" and body["candidate"] == world.candidates["ana"].pk
    assert InboundMessage.objects.get().candidate == world.candidates["ana"]
