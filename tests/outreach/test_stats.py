"""The figures of campaigns, sequences (step by step) and templates: what
each counts, that machines are left out, that a reply or an unsubscribe
counts for the last message before it, and a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from rapport.accounts.models import User
from rapport.core.activity import activity_record
from rapport.core.models import ActivityKind
from rapport.outreach import sequences, services, stats, tracking
from rapport.outreach.models import (
    Campaign,
    Enrollment,
    Message,
    MessageStatus,
    Sequence,
    SequenceStep,
)
from rapport.people.models import Candidate
from rapport.people.services import pool_add, pool_create
from tests.outreach.conftest import Sink

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"


def _ago(**delta: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(**delta)


def _open(message: Message, agent: str = BROWSER) -> None:
    request = tracking.Request("GET", agent, timezone.now())
    tracking.open_record(message_id=message.pk, request=request)


def _click(message: Message) -> None:
    request = tracking.Request("GET", BROWSER, timezone.now())
    tracking.click_record(message_id=message.pk, url="https://example.com/", request=request)


def _reply(candidate: Candidate, at: dt.datetime) -> None:
    activity = activity_record(
        kind=ActivityKind.EMAIL_REPLIED, candidate=candidate, actor=None, summary="Yes!"
    )
    type(activity).objects.filter(pk=activity.pk).update(occurred_at=at)


@pytest.fixture
def people(make_candidate: Callable[..., Candidate]) -> dict[str, Candidate]:
    names = ["Ana", "Bea", "Caio", "Duda", "Enzo", "Fabi", "Gil"]
    found = {name: make_candidate(first_name=name) for name in names}
    found["Fabi"].contacts.all().delete()
    return found


@pytest.fixture
def campaign(owner: User, people: dict[str, Candidate]) -> Campaign:
    template = services.template_create(
        actor=owner, name="Roles", subject="Roles", body="Hi {{ candidate.first_name }}"
    )
    pool = pool_create(actor=owner, name="Warm")
    pool_add(actor=owner, pool=pool, candidates=list(people.values()))
    return services.campaign_create(actor=owner, name="Roles", template=template, pool=pool)


def test_campaign_figures_count_people_not_machines_in_two_queries(
    campaign: Campaign, people: dict[str, Candidate], owner: User, smtp_sink: Sink,
    deliver: Callable[..., Any], always_open: Any, django_assert_num_queries: Any,
) -> None:  # fmt: skip
    services.campaign_queue_messages(campaign)
    of = {m.candidate.first_name: m for m in campaign.messages.select_related("candidate")}
    services.unsubscribe(candidate=people["Enzo"], source="link")  # held at once
    smtp_sink.answers[people["Duda"].contacts.get().value] = "550 5.1.1 No such user"
    Message.objects.filter(pk=of["Gil"].pk).update(due_at=_ago(days=-1))  # not due yet
    assert deliver().sent == 3
    campaign.messages.filter(sent_at__isnull=False).update(sent_at=_ago(hours=2))

    _open(of["Ana"])
    _click(of["Ana"])
    _reply(people["Ana"], _ago(hours=1))
    _open(of["Bea"], agent="Mozilla/5.0")  # Apple's privacy proxy
    services.unsubscribe(candidate=people["Bea"], source="one-click")
    # Caio got a personal email after the campaign and replied to that.
    personal = services.email_send(actor=owner, candidate=people["Caio"], subject="Hi", body="x")
    deliver()
    Message.objects.filter(pk=personal.pk).update(sent_at=_ago(hours=1))
    _reply(people["Caio"], _ago(minutes=30))

    with django_assert_num_queries(2):
        figures = stats.campaign_stats(campaign)
    assert (figures.total, figures.queued, figures.sent) == (7, 1, 3)
    assert (figures.opened, figures.clicked, figures.replied, figures.unsubscribed) == (1, 1, 1, 1)
    assert (figures.bounced, figures.bounced_unsent, figures.failed) == (1, 1, 0)
    assert figures.held == 2
    assert [(r.code, r.label, r.count) for r in figures.held_reasons] == [
        ("no_address", "No email address", 1),
        ("unsubscribed", "Unsubscribed", 1),
    ]
    assert figures.open_rate == pytest.approx(1 / 3)
    assert figures.reply_rate == pytest.approx(1 / 3)
    assert figures.bounce_rate == pytest.approx(1 / 4)
    # The personal email owns Caio's reply; the campaign's template counts its own.
    assert stats.template_stats(campaign.template) == figures


def test_a_campaign_that_sent_nothing_has_no_rates(campaign: Campaign) -> None:
    figures = stats.campaign_stats(campaign)
    assert figures == stats.Stats()
    assert figures.open_rate is None and figures.bounce_rate is None


def test_a_template_counts_every_message_written_from_it(
    campaign: Campaign, owner: User, people: dict[str, Candidate], smtp_sink: Sink,
    deliver: Callable[..., Any], always_open: Any, django_assert_num_queries: Any,
) -> None:  # fmt: skip
    template = campaign.template
    services.email_send(
        actor=owner, candidate=people["Ana"], subject="Hi", body="x", template=template
    )
    deliver()
    with django_assert_num_queries(2):
        figures = stats.template_stats(template)
    assert (figures.total, figures.sent) == (1, 1)


@pytest.fixture
def sequence(owner: User, teammate: User) -> Sequence:
    seq = Sequence.objects.create(name="Warm-up", sender=teammate, created_by=owner)
    for position, wait in ((1, 0), (2, 3), (3, 5)):
        template = services.template_create(
            actor=owner, name=f"Step {position}", subject="Hello", body=f"Step {position}"
        )
        SequenceStep.objects.create(
            sequence=seq, position=position, template=template, wait_days=wait
        )
    return seq


def _next_step(deliver: Callable[..., Any]) -> None:
    Enrollment.objects.filter(next_due_at__isnull=False).update(next_due_at=timezone.now())
    sequences.sequences_advance()
    deliver()


def test_sequence_figures_step_by_step_in_four_queries(
    sequence: Sequence, owner: User, people: dict[str, Candidate], smtp_sink: Sink,
    deliver: Callable[..., Any], always_open: Any, django_assert_num_queries: Any,
) -> None:  # fmt: skip
    ana, bea, caio, duda = (people[n] for n in ("Ana", "Bea", "Caio", "Duda"))
    sequences.sequence_enroll(
        actor=owner, sequence=sequence, candidate_ids=[c.pk for c in (ana, bea, caio, duda)]
    )
    Enrollment.objects.update(enrolled_at=_ago(hours=4))
    _next_step(deliver)
    Message.objects.filter(step__position=1).update(sent_at=_ago(hours=3))
    _reply(ana, _ago(hours=2))  # replied by email
    # Duda called back: a teammate stops the sequence, noting the reply.
    sequences.enrollments_stop(candidate=duda, reason="replied", actor=owner)
    _next_step(deliver)
    step2 = {m.candidate_id: m for m in Message.objects.filter(step__position=2)}
    Message.objects.filter(step__position=2, sent_at__isnull=False).update(sent_at=_ago(hours=1))
    _click(step2[bea.pk])
    _open(step2[caio.pk], agent="Mozilla/5.0 (compatible; Mimecast)")
    services.unsubscribe(candidate=caio, source="link")

    with django_assert_num_queries(4):
        figures = stats.sequence_stats(sequence)
    first, second, third = figures.steps
    assert [row.step.position for row in figures.steps] == [1, 2, 3]
    assert first.step.template.name == "Step 1"
    assert (first.stats.sent, first.stats.replied, first.stats.unsubscribed) == (4, 2, 0)
    assert (second.stats.total, second.stats.sent) == (2, 2)  # not written for those who replied
    assert (second.stats.opened, second.stats.clicked) == (1, 1)  # the scanner is left out
    assert (second.stats.replied, second.stats.unsubscribed) == (0, 1)
    assert third.stats == stats.Stats()
    assert (figures.total.sent, figures.total.replied, figures.total.unsubscribed) == (6, 2, 1)
    assert figures.total.reply_rate == pytest.approx(2 / 6)
    enrollments = figures.enrollments
    assert (enrollments.total, enrollments.active, enrollments.stopped) == (4, 1, 3)
    assert enrollments.stop_reasons == {"replied": 2, "unsubscribed": 1}


def test_messages_held_back_are_counted_by_reason_per_step(
    sequence: Sequence, owner: User, people: dict[str, Candidate], smtp_sink: Sink,
    deliver: Callable[..., Any], always_open: Any,
) -> None:  # fmt: skip
    fabi = people["Fabi"]  # no address
    sequences.sequence_enroll(actor=owner, sequence=sequence, candidate_ids=[fabi.pk])
    _next_step(deliver)
    figures = stats.sequence_stats(sequence)
    assert figures.steps[0].stats.held == 1
    assert [(r.code, r.count) for r in figures.steps[0].stats.held_reasons] == [("no_address", 1)]
    assert figures.total.held_reasons == figures.steps[0].stats.held_reasons
    assert Message.objects.get().status == MessageStatus.SUPPRESSED
