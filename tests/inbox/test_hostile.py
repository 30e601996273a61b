"""Hostile and awkward mail: nothing blocks the mailbox, nobody can suppress a
candidate with a forged report, people's replies stay replies, and text from
outside is never read as a template."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from rapport.accounts.models import User
from rapport.core.models import Notification
from rapport.inbox import imap
from rapport.inbox.models import Conversation, InboundKind, InboundMessage
from rapport.inbox.services import conversation_place, conversation_reply, inbound_receive
from rapport.outreach import policy
from rapport.outreach.models import Message, MessageStatus, Suppression, SuppressionReason
from tests.conftest import login
from tests.inbox.dovecot import ImapAccount
from tests.inbox.test_receive import REPLY
from tests.inbox.world import World

pytestmark = pytest.mark.django_db


def _nested(depth: int) -> bytes:
    head = b"From: x@example.net\nSubject: nest\nMessage-ID: <nest@example.net>\n"
    inner = b"Content-Type: text/plain\n\nbottom\n"
    for _ in range(depth):
        inner = b"Content-Type: message/rfc822\n\n" + inner
    return head + inner


def test_a_message_nested_a_thousand_deep_is_kept_unread_and_the_mailbox_moves_on(
    world: World, imap_mailbox: ImapAccount
) -> None:
    imap_mailbox.append(_nested(1200))
    imap_mailbox.append(world.fill(REPLY))
    assert imap.mailbox_read_once() == 2
    unreadable = InboundMessage.objects.get(subject__contains="could not read")
    assert unreadable.kind == InboundKind.UNMATCHED and unreadable.raw
    assert "could not be read" in unreadable.problems[0]
    assert InboundMessage.objects.get(kind=InboundKind.REPLY).candidate == world.candidates["ana"]


def _report(world: World, *, recipient: str, references: str, from_: str) -> bytes:
    return world.fill(
        f"From: {from_}\nTo: {{{{sender}}}}\nSubject: Delivery Status Notification (Failure)\n"
        "Message-ID: <forged-1@example.net>\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\n\n'
        "--b\nContent-Type: text/plain\n\nYour message could not be delivered.\n"
        "--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\n"
        f"Final-Recipient: rfc822; {recipient}\nAction: failed\nStatus: 5.1.1\n"
        "--b\nContent-Type: text/rfc822-headers\n\n"
        f"Message-ID: <someone-elses@example.net>\nReferences: {references}\n--b--\n".encode()
    )


def test_a_report_that_only_names_our_message_in_references_changes_nothing(world: World) -> None:
    raw = _report(world, recipient="typo@exmaple.com", references="{{m1.message_id}}",
                  from_="Stranger <stranger@example.net>")  # fmt: skip
    message = inbound_receive(raw=raw, source="pipe").message
    assert message.kind == InboundKind.BOUNCE and message.answers is None
    assert Message.objects.get(pk=world.messages["m1"].pk).status == MessageStatus.SENT
    assert not Suppression.objects.exists()


def test_a_report_about_our_message_to_another_recipient_changes_nothing(world: World) -> None:
    raw = world.fill(
        _report(
            world, recipient="typo@exmaple.com", references="", from_="MAILER-DAEMON@x.net"
        ).replace(b"<someone-elses@example.net>", b"{{m1.message_id}}")
    )
    inbound_receive(raw=raw, source="pipe")
    assert not Suppression.objects.exists()


def test_a_genuine_report_without_the_return_path_suppresses_with_the_bounce_reason(
    world: World,
) -> None:
    raw = world.fill(
        _report(
            world, recipient="{{ana.email}}", references="", from_="MAILER-DAEMON@x.net"
        ).replace(b"<someone-elses@example.net>", b"{{m1.message_id}}")
    )
    message = inbound_receive(raw=raw, source="pipe").message
    assert message.answers == world.messages["m1"] and message.matched_by == "dsn"
    suppression = Suppression.objects.get(digest=policy.address_digest("ana.souza@example.com.br"))
    assert suppression.reason == SuppressionReason.HARD_BOUNCE


@pytest.mark.parametrize(
    ("subject", "text"),
    [
        ("Re: {{m1.subject}}", "Yes please! I'm away next week but free after the 9th."),
        ("Re: {{m1.subject}}", "My last message wasn't delivered to Tom, could you forward it?"),
    ],
)
def test_a_persons_reply_that_mentions_being_away_or_undelivered_mail_stays_a_reply(
    world: World, subject: str, text: str
) -> None:
    raw = world.fill(
        f"From: Ana <{{{{ana.email}}}}>\nTo: {{{{sender}}}}\nSubject: {subject}\n"
        f"Message-ID: <human-{len(text)}@example.com.br>\nIn-Reply-To: {{{{m1.message_id}}}}\n\n"
        f"{text}\n".encode()
    )
    assert inbound_receive(raw=raw, source="pipe").message.kind == InboundKind.REPLY


def test_our_own_subject_words_never_make_a_reply_automatic(world: World) -> None:
    Message.objects.filter(pk=world.messages["m1"].pk).update(subject="Out of office hours support")
    raw = world.fill(
        b"From: Ana <{{ana.email}}>\nTo: {{sender}}\nSubject: Re: Out of office hours support\n"
        b"Message-ID: <human-ooo@example.com.br>\nIn-Reply-To: {{m1.message_id}}\n\nCount me in.\n"
    )
    assert inbound_receive(raw=raw, source="pipe").message.kind == InboundKind.REPLY


def test_a_subject_with_template_syntax_goes_back_exactly_as_written(
    world: World, owner: User
) -> None:
    raw = world.fill(
        b"From: Ana <{{ana.email}}>\nTo: {{sender}}\n"
        b"Subject: salary {{ '{{' }} 7*7 }} {% if true %}X{% endif %} {% oops\n"
        b"Message-ID: <jinja@example.com.br>\n\nHi!\n"
    )
    raw = raw.replace(b"{{ '{{' }}", b"{{")
    message = inbound_receive(raw=raw, source="pipe").message
    assert message.conversation is not None
    sent = conversation_reply(actor=owner, conversation=message.conversation, body="Thanks!")
    assert sent.subject == "Re: salary {{ 7*7 }} {% if true %}X{% endif %} {% oops"


def test_an_answer_goes_to_the_address_that_wrote(world: World, owner: User) -> None:
    raw = world.fill(
        REPLY.replace(
            b"From: Ana Souza <{{ana.email}}>", b"From: Bruno <{{bruno.email2}}>"
        ).replace(b"{{m1.", b"{{m2.")
    )
    message = inbound_receive(raw=raw, source="pipe").message
    assert message.candidate == world.candidates["bruno"] and message.conversation is not None
    sent = conversation_reply(actor=owner, conversation=message.conversation, body="Thanks!")
    assert sent.to_email == "bruno.work@example.net"


def test_placing_unmatched_mail_keeps_the_senders_address_for_the_answer(
    world: World, owner: User
) -> None:
    raw = world.fill(
        b"From: Ana at work <ana@work.example>\nTo: {{sender}}\nSubject: From my work address\n"
        b"Message-ID: <work-1@work.example>\n\nThis is Ana, writing from work.\n"
    )
    conversation = inbound_receive(raw=raw, source="pipe").message.conversation
    assert conversation is not None
    conversation_place(actor=owner, conversation=conversation, candidate=world.candidates["ana"])
    assert world.candidates["ana"].contacts.filter(value="ana@work.example").exists()
    sent = conversation_reply(actor=owner, conversation=conversation, body="Hi Ana!")
    assert sent.to_email == "ana@work.example"
    again = inbound_receive(
        raw=raw.replace(b"work-1@", b"work-2@"), source="pipe"
    ).message  # her next message is hers at once
    assert again.kind == InboundKind.REPLY and again.candidate == world.candidates["ana"]


def test_a_very_long_message_id_is_still_recorded_once(world: World) -> None:
    long_id = b"<" + b"x" * 400 + b"@example.com.br>"
    raw = world.fill(REPLY.replace(b"<ana-reply-1@mail.example.com.br>", long_id))
    inbound_receive(raw=raw, source="pipe")
    inbound_receive(raw=raw + b"\n", source="pipe")  # other bytes, same Message-ID
    assert InboundMessage.objects.count() == 1


def test_a_notification_opens_where_it_points_and_is_then_read(
    world: World, owner: User, client: Client
) -> None:
    inbound_receive(raw=world.fill(REPLY), source="pipe")
    notification = Notification.objects.get(user=owner)
    login(client, owner)
    response = client.get(reverse("notification_open", args=[notification.pk]))
    assert response.status_code == 302 and response["Location"] == notification.url
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_a_hiring_manager_sees_the_reply_on_the_timeline_but_no_link_to_the_inbox(
    world: World, owner: User, manager: User, client: Client, settings: Any
) -> None:
    from rapport.people.services import candidate_share

    candidate_share(actor=owner, candidate=world.candidates["ana"], user=manager)
    inbound_receive(raw=world.fill(REPLY), source="pipe")
    login(client, manager)
    page = client.get(reverse("candidate_detail", args=[world.candidates["ana"].pk]))
    text = page.content.decode()
    assert "Thursday works for me." in text and "Open the thread" not in text
    login(client, owner)
    assert (
        "Open the thread"
        in client.get(
            reverse("candidate_detail", args=[world.candidates["ana"].pk])
        ).content.decode()
    )
    assert Conversation.objects.count() == 1
