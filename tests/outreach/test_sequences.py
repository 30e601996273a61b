"""Sequences: steps after waits, in one thread, stopping the moment the
candidate answers (or bounces, unsubscribes, applies), enrolled once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from rapport.accounts.models import User
from rapport.core.activity import activity_record
from rapport.core.models import ActivityKind
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
from rapport.search.services import segment_create
from tests.outreach.conftest import Sink

pytestmark = pytest.mark.django_db


@pytest.fixture
def sequence(owner: User, teammate: User) -> Sequence:
    seq = Sequence.objects.create(name="Warm-up", sender=teammate, created_by=owner)
    for position, (subject, wait) in enumerate(
        [("Hello {{ candidate.first_name }}", 0), ("Following up", 3), ("Last note", 5)], 1
    ):
        template = services.template_create(
            actor=owner,
            name=f"Step {position}",
            subject=subject,
            body=f"Step {position} for {{{{ candidate.first_name }}}}",
        )
        SequenceStep.objects.create(
            sequence=seq, position=position, template=template, wait_days=wait
        )
    return seq


def _advance(now: dt.datetime | None = None) -> int:
    return sequences.sequences_advance(now=now)


def _due_everything() -> None:
    Enrollment.objects.filter(next_due_at__isnull=False).update(next_due_at=timezone.now())


def test_steps_follow_each_other_in_one_thread_from_the_teammate(
    sequence: Sequence, owner: User, teammate: User, candidate: Candidate, smtp_sink: Sink,
    deliver: Callable[..., Any], always_open: Any,
) -> None:  # fmt: skip
    always_open.cap_messages = 5  # three steps within a week, in this test
    always_open.save()
    assert (
        sequences.sequence_enroll(
            actor=owner, sequence=sequence, candidate_ids=[candidate.pk]
        ).enrolled
        == 1
    )
    assert _advance() == 1
    deliver()
    enrollment = Enrollment.objects.get()
    # The second step is due three days after the first was sent.
    first = Message.objects.get(step__position=1)
    assert enrollment.next_due_at == first.sent_at + dt.timedelta(days=3)
    assert _advance() == 0
    for _ in range(2):
        _due_everything()
        _advance()
        deliver()
    mails = [r.message for r in smtp_sink.received]
    assert [m["Subject"] for m in mails] == ["Hello Maria", "Re: Hello Maria", "Re: Hello Maria"]
    assert mails[0]["From"] == "Tom Teammate <tom@example.com>"
    assert mails[1]["In-Reply-To"] == mails[0]["Message-ID"] == mails[2]["References"]
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.FINISHED


def test_a_reply_on_the_timeline_stops_the_sequence_before_the_next_step(
    sequence: Sequence, owner: User, candidate: Candidate, smtp_sink: Sink,
    deliver: Callable[..., Any], always_open: Any,
) -> None:  # fmt: skip
    sequences.sequence_enroll(actor=owner, sequence=sequence, candidate_ids=[candidate.pk])
    _advance()
    deliver()
    _due_everything()
    _advance()  # step 2 is written and queued
    activity_record(
        kind=ActivityKind.EMAIL_REPLIED, candidate=candidate, actor=None, summary="Sounds good!"
    )
    deliver()
    assert len(smtp_sink.received) == 1
    enrollment = Enrollment.objects.get()
    assert enrollment.status == EnrollmentStatus.STOPPED and enrollment.stop_reason == "replied"
    assert Message.objects.get(step__position=2).status == MessageStatus.CANCELLED


def test_an_auto_reply_stops_only_sequences_that_ask_for_it(
    sequence: Sequence, owner: User, candidate: Candidate, always_open: Any
) -> None:
    sequences.sequence_enroll(actor=owner, sequence=sequence, candidate_ids=[candidate.pk])
    activity_record(
        kind=sequences.AUTO_REPLY, candidate=candidate, actor=None, summary="Out of office"
    )
    assert _advance() == 1
    Sequence.objects.filter(pk=sequence.pk).update(stop_on_auto_reply=True)
    Enrollment.objects.update(next_position=2, next_due_at=timezone.now())
    assert _advance() == 0
    assert Enrollment.objects.get().stop_reason == "auto-reply"


def test_a_hard_bounce_stops_the_sequence(
    sequence: Sequence, owner: User, candidate: Candidate, smtp_sink: Sink,
    deliver: Callable[..., Any], always_open: Any,
) -> None:  # fmt: skip
    smtp_sink.answers["maria.souza@example.org"] = "550 5.1.1 Unknown user"
    sequences.sequence_enroll(actor=owner, sequence=sequence, candidate_ids=[candidate.pk])
    _advance()
    deliver()
    enrollment = Enrollment.objects.get()
    assert enrollment.status == EnrollmentStatus.STOPPED and enrollment.stop_reason == "bounced"


def test_a_step_held_back_for_good_stops_the_sequence(
    sequence: Sequence, owner: User, candidate: Candidate, deliver: Callable[..., Any],
    smtp_sink: Sink, always_open: Any,
) -> None:  # fmt: skip
    sequences.sequence_enroll(actor=owner, sequence=sequence, candidate_ids=[candidate.pk])
    services.unsubscribe(candidate=candidate, source="link")
    assert Enrollment.objects.get().stop_reason == "unsubscribed"
    assert _advance() == 0


def test_a_candidate_is_enrolled_once_even_after_stopping(
    sequence: Sequence, owner: User, candidate: Candidate
) -> None:
    sequences.sequence_enroll(actor=owner, sequence=sequence, candidate_ids=[candidate.pk])
    sequences.enrollments_stop(candidate=candidate, reason="by hand", actor=owner)
    again = sequences.sequence_enroll(
        actor=owner, sequence=sequence, candidate_ids=[candidate.pk, candidate.pk]
    )
    assert (again.enrolled, again.already) == (0, 1)
    assert Enrollment.objects.count() == 1


def test_new_members_of_a_segment_are_enrolled_automatically_once(
    sequence: Sequence, owner: User, make_candidate: Callable[..., Candidate]
) -> None:
    segment = segment_create(actor=owner, name="Rustaceans", query="skill:rust")
    Sequence.objects.filter(pk=sequence.pk).update(auto_segment=segment)
    first = make_candidate(skills=["Rust"])
    make_candidate(skills=["Go"])
    assert sequences.sequences_auto_enroll() == 1
    assert sequences.sequences_auto_enroll() == 0
    second = make_candidate(skills=["Rust"])
    assert sequences.sequences_auto_enroll() == 1
    assert set(Enrollment.objects.values_list("candidate_id", flat=True)) == {first.pk, second.pk}


def test_business_days_skip_the_weekend() -> None:
    friday = dt.datetime(2026, 11, 27, 10, tzinfo=dt.UTC)
    assert sequences.add_wait(friday, 1, business=True) == friday + dt.timedelta(days=3)
    assert sequences.add_wait(friday, 5, business=True) == friday + dt.timedelta(days=7)
    assert sequences.add_wait(friday, 1, business=False) == friday + dt.timedelta(days=1)
