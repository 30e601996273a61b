"""The whole way round, with real peers: a sequence's first step leaves
through a real worker to an SMTP server; the candidate's reply lands in a
real IMAP mailbox; the same worker reads it; the second step is never sent;
and the reply waits in the team inbox."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rapport.accounts.models import User
from rapport.inbox.models import Conversation, InboundKind, InboundMessage
from rapport.outreach import sequences, services
from rapport.outreach.models import (
    Enrollment,
    EnrollmentStatus,
    Message,
    MessageStatus,
    Sequence,
    SequenceStep,
)
from rapport.people.models import Candidate
from tests.conftest import login
from tests.inbox.dovecot import ImapAccount
from tests.outreach.conftest import Sink
from tests.workers import WorkerProcess, start_worker, wait_until

__all__ = ["start_worker"]  # a fixture, used by name

REPLY = """From: Maria Souza <maria.souza@example.org>
To: Rita Recruiter <rita@example.com>
Subject: Re: {subject}
Message-ID: <maria-e2e-1@mail.example.org>
In-Reply-To: {message_id}
References: {message_id}
Date: {date}
Content-Type: text/plain; charset=utf-8

Olá Rita, thanks for thinking of me. I'm happy where I am for now,
but let's keep in touch for next year.

On {date}, Rita Recruiter <rita@example.com> wrote:
> Hi Maria, a quick note about the payments team.
"""


@pytest.fixture
def two_steps(owner: User) -> Sequence:
    sequence = Sequence.objects.create(name="Payments team", sender=owner, created_by=owner)
    for position, wait in [(1, 0), (2, 2)]:
        template = services.template_create(
            actor=owner, name=f"Payments {position}", subject="The payments team",
            body=f"Hi {{{{ candidate.first_name }}}}, note {position} about the payments team.",
        )  # fmt: skip
        SequenceStep.objects.create(
            sequence=sequence, position=position, template=template, wait_days=wait, as_reply=True
        )
    return sequence


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_reply_in_the_mailbox_stops_the_sequence_and_waits_in_the_team_inbox(
    owner: User, candidate: Candidate, two_steps: Sequence, smtp_sink: Sink,
    imap_mailbox: ImapAccount, start_worker: Callable[..., WorkerProcess], always_open: Any,
    client: Client,
) -> None:  # fmt: skip
    sequences.sequence_enroll(actor=owner, sequence=two_steps, candidate_ids=[candidate.pk])
    assert sequences.sequences_advance() == 1  # step 1 is written to the outbox
    worker = start_worker(
        environment={
            "RAPPORT_EMAIL_URL": smtp_sink.url,
            "RAPPORT_IMAP_URL": imap_mailbox.url(),
            "RAPPORT_IMAP_POLL_SECONDS": "1",
            "RAPPORT_MAIL_DOMAIN": django_settings.MAIL_DOMAIN,
        }
    )
    step_one = Message.objects.get(enrollment__sequence=two_steps)
    wait_until(
        lambda: Message.objects.filter(pk=step_one.pk, status=MessageStatus.SENT).exists(),
        timeout=60, failure=worker.output,
    )  # fmt: skip
    step_one.refresh_from_db()
    assert [r.message["Message-ID"] for r in smtp_sink.to("maria.souza@example.org")] == [
        step_one.message_id
    ]

    reply = REPLY.format(
        subject=step_one.subject, message_id=step_one.message_id,
        date=timezone.now().strftime("%a, %d %b %Y %H:%M:%S +0000"),
    )  # fmt: skip
    imap_mailbox.append(reply.replace("\n", "\r\n").encode())
    wait_until(
        lambda: InboundMessage.objects.filter(kind=InboundKind.REPLY).exists(),
        timeout=60, failure=worker.output,
    )  # fmt: skip
    enrollment = Enrollment.objects.get(sequence=two_steps)
    assert enrollment.status == EnrollmentStatus.STOPPED and enrollment.stop_reason == "replied"

    # Even when step 2 falls due, nothing is written and nothing is sent.
    Enrollment.objects.filter(pk=enrollment.pk).update(next_due_at=timezone.now())
    assert sequences.sequences_advance() == 0
    assert Message.objects.filter(enrollment=enrollment).count() == 1
    assert len(smtp_sink.to("maria.souza@example.org")) == 1
    assert imap_mailbox.listing() and all(
        "\\Seen" not in flags for flags in imap_mailbox.listing().values()
    )  # the mailbox is left as it was

    conversation = Conversation.objects.get()
    login(client, owner)
    inbox = client.get(reverse("inbox")).content.decode()
    assert "Maria Souza" in inbox and f"Re: {step_one.subject}" in inbox
    page = client.get(reverse("conversation_detail", args=[conversation.pk])).content.decode()
    assert (
        "let&#x27;s keep in touch for next year" in page
        or "let's keep in touch for next year" in page
    )
    assert "a quick note about the payments team" not in page.split("Show the whole message")[0]
