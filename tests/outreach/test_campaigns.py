"""Campaigns: who will receive one, sending it once to everyone, pausing,
resuming, cancelling, scheduling."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from rapport.accounts.models import User
from rapport.outreach import services
from rapport.outreach.models import (
    Campaign,
    CampaignStatus,
    Message,
    MessageStatus,
    Preference,
)
from rapport.outreach.tasks import campaign_queue
from rapport.people.models import Candidate, ConsentState
from rapport.people.services import pool_add, pool_create
from rapport.search.services import segment_create
from tests.outreach.conftest import Sink, plain

pytestmark = pytest.mark.django_db

BODY = "Hi {{ candidate.first_name }},\n\nWe are hiring {{ candidate.top_skill }} people."


@pytest.fixture
def people(make_candidate: Callable[..., Candidate]) -> list[Candidate]:
    return [
        make_candidate(first_name=name, skills=[skill], timezone="Europe/Lisbon")
        for name, skill in [("Ana", "Python"), ("Bea", "Go"), ("Caio", "Rust"), ("Duda", "Python")]
    ]


@pytest.fixture
def campaign(owner: User, people: list[Candidate]) -> Campaign:
    pool = pool_create(actor=owner, name="Warm engineers")
    pool_add(actor=owner, pool=pool, candidates=people)
    template = services.template_create(
        actor=owner, name="Hiring", subject="{{ candidate.first_name }}, hello", body=BODY
    )
    return services.campaign_create(
        actor=owner, name="November hiring", template=template, pool=pool
    )


def _run_queue(campaign: Campaign) -> int:
    return int(campaign_queue.call(campaign_id=campaign.pk))


def test_the_preview_says_who_is_held_back_by_which_policy(
    campaign: Campaign, people: list[Candidate], always_open: Any
) -> None:
    _ana, bea, caio, duda = people
    Preference.objects.create(candidate=bea, unsubscribed_at=timezone.now())
    Candidate.objects.filter(pk=caio.pk).update(consent=ConsentState.WITHDRAWN)
    duda.contacts.all().delete()
    preview = services.campaign_preview(campaign)
    assert preview.total == 4 and preview.now == 1 and preview.will_receive == 1
    assert dict(preview.held) == {"unsubscribed": 1, "consent_withdrawn": 1, "no_address": 1}


def test_a_campaign_goes_once_to_everyone_personalised(
    campaign: Campaign, people: list[Candidate], owner: User, smtp_sink: Sink,
    deliver: Callable[..., Any], always_open: Any,
) -> None:  # fmt: skip
    services.campaign_launch(actor=owner, campaign=campaign)
    assert _run_queue(campaign) == 4
    assert _run_queue(campaign) == 0  # written already; a second run changes nothing
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENDING
    assert deliver().sent == 4
    assert sorted(r.message["Subject"] for r in smtp_sink.received) == [
        "Ana, hello", "Bea, hello", "Caio, hello", "Duda, hello",
    ]  # fmt: skip
    bea = next(r for r in smtp_sink.received if r.message["Subject"] == "Bea, hello")
    assert "We are hiring Go people." in plain(bea)
    assert "Unsubscribe:" in plain(bea)
    assert bea.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert bea.message["List-Unsubscribe"].startswith("<http")
    assert "mailto:unsubscribe+" in bea.message["List-Unsubscribe"]
    assert services.campaigns_finish() == 1
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DONE
    assert deliver().sent == 0


def test_an_unsubscribe_during_a_batch_holds_back_the_rest_of_that_batch(
    campaign: Campaign, people: list[Candidate], owner: User, smtp_sink: Sink,
    always_open: Any, monkeypatch: pytest.MonkeyPatch, settings: Any,
) -> None:  # fmt: skip
    from rapport.outreach import delivery
    from rapport.outreach.smtp import SmtpTransport

    class UnsubscribingDuda(SmtpTransport):
        """The real connection; Duda unsubscribes once the first message is out."""

        def step(self) -> bool:
            through = super().step()
            if through:
                services.unsubscribe(candidate=people[3], source="link")
            return through

    monkeypatch.setattr(delivery, "CHECK_SECONDS", 0.0)  # every message reads the facts anew
    services.campaign_launch(actor=owner, campaign=campaign)
    _run_queue(campaign)
    via = UnsubscribingDuda(settings.EMAIL_URL)
    try:
        outcome = delivery.deliver_once(owner="w/0", via=[via])
    finally:
        via.close()
    assert (outcome.sent, outcome.held) == (3, 1)
    duda = Message.objects.get(candidate=people[3])
    assert (duda.status, duda.reason) == (MessageStatus.SUPPRESSED, "unsubscribed")
    assert "Duda, hello" not in [r.message["Subject"] for r in smtp_sink.received]


def test_the_messages_a_batch_holds_back_are_written_together_with_their_reasons(
    campaign: Campaign, people: list[Candidate], owner: User, smtp_sink: Sink,
    always_open: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from rapport.outreach import delivery

    _ana, bea, caio, duda = people
    services.campaign_launch(actor=owner, campaign=campaign)
    _run_queue(campaign)
    Preference.objects.create(candidate=bea, unsubscribed_at=timezone.now())
    Candidate.objects.filter(pk=caio.pk).update(consent=ConsentState.WITHDRAWN)
    Message.objects.filter(candidate=duda).update(to_email="")
    monkeypatch.setattr(delivery, "CHECK_SECONDS", 3600.0)  # the facts are read once
    claimed = delivery.claim(owner="w/0")
    sending = delivery._Sending(claimed, owner="w/0", deadline=time.monotonic() + 60)
    via = delivery.transport()
    try:
        sending.run([via])  # Ana's goes; the others wait to be written
    finally:
        via.close()
    with CaptureQueriesContext(connection) as queries:
        sending.settled.write()
    statements = [q["sql"] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert len(statements) == 4  # which are still ours, then one update per reason
    held = dict(
        Message.objects.filter(status=MessageStatus.SUPPRESSED).values_list("candidate", "reason")
    )
    assert held == {bea.pk: "unsubscribed", caio.pk: "consent_withdrawn", duda.pk: "no_address"}
    assert delivery.sends_record([m.pk for m in claimed]) == 1  # Ana's, marked with the batch
    assert not Message.objects.filter(status=MessageStatus.SENDING).exists()


def test_messages_wait_for_the_window_in_each_candidates_time_zone(
    campaign: Campaign, people: list[Candidate], owner: User
) -> None:
    Candidate.objects.filter(pk=people[0].pk).update(timezone="Asia/Tokyo")
    services.campaign_launch(actor=owner, campaign=campaign)
    _run_queue(campaign)
    tokyo = Message.objects.get(candidate=people[0])
    lisbon = Message.objects.get(candidate=people[1])
    local_tokyo = tokyo.due_at.astimezone(dt.timezone(dt.timedelta(hours=9)))
    assert local_tokyo.weekday() < 5 and 8 <= local_tokyo.hour < 18
    assert tokyo.due_at != lisbon.due_at or tokyo.due_at <= timezone.now()


def test_pausing_stops_sending_and_resuming_carries_on(
    campaign: Campaign, owner: User, smtp_sink: Sink, deliver: Callable[..., Any], always_open: Any
) -> None:
    services.campaign_launch(actor=owner, campaign=campaign)
    _run_queue(campaign)
    services.campaign_pause(actor=owner, campaign=campaign)
    assert set(campaign.messages.values_list("status", flat=True)) == {MessageStatus.PAUSED}
    assert deliver().sent == 0
    services.campaign_resume(actor=owner, campaign=campaign)
    assert deliver().sent == 4
    assert len(smtp_sink.received) == 4


def test_a_message_claimed_before_the_pause_is_not_sent(
    campaign: Campaign, owner: User, smtp_sink: Sink, always_open: Any
) -> None:
    from rapport.outreach import delivery

    services.campaign_launch(actor=owner, campaign=campaign)
    _run_queue(campaign)
    claimed = delivery.claim(owner="w/0")
    services.campaign_pause(actor=owner, campaign=campaign)
    via = delivery.transport()
    try:
        Message.objects.filter(pk__in=[m.pk for m in claimed]).update(
            lease_expires_at=timezone.now() - dt.timedelta(seconds=1)
        )
        outcome = delivery.deliver_once(owner="w/1", via=[via])
    finally:
        via.close()
    assert outcome.sent == 0 and smtp_sink.received == []
    assert set(campaign.messages.values_list("status", flat=True)) == {MessageStatus.PAUSED}


def test_cancelling_keeps_what_was_sent_and_sends_nothing_more(
    campaign: Campaign, owner: User, smtp_sink: Sink, deliver: Callable[..., Any], always_open: Any
) -> None:
    services.campaign_launch(actor=owner, campaign=campaign)
    _run_queue(campaign)
    first = campaign.messages.order_by("id").first()
    assert first is not None
    Message.objects.exclude(pk=first.pk).update(due_at=timezone.now() + dt.timedelta(hours=1))
    deliver()
    services.campaign_cancel(actor=owner, campaign=campaign)
    statuses = sorted(campaign.messages.values_list("status", flat=True))
    assert statuses == [MessageStatus.CANCELLED] * 3 + [MessageStatus.SENT]
    with pytest.raises(ValidationError):
        services.campaign_cancel(actor=owner, campaign=campaign)


def test_a_scheduled_campaign_starts_when_its_time_comes(campaign: Campaign, owner: User) -> None:
    later = timezone.now() + dt.timedelta(hours=2)
    services.campaign_launch(actor=owner, campaign=campaign, at=later)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SCHEDULED
    assert services.campaign_start_due() == 0
    assert services.campaign_start_due(now=later + dt.timedelta(seconds=1)) == 1
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.QUEUEING


def test_a_campaign_to_a_segment_reaches_its_members_now(
    owner: User,
    people: list[Candidate],
    smtp_sink: Sink,
    deliver: Callable[..., Any],
    always_open: Any,
) -> None:
    segment = segment_create(actor=owner, name="Pythonistas", query="skill:python")
    template = services.template_create(actor=owner, name="Py", subject="Python news", body=BODY)
    campaign = services.campaign_create(actor=owner, name="Py", template=template, segment=segment)
    services.campaign_launch(actor=owner, campaign=campaign)
    _run_queue(campaign)
    deliver()
    assert sorted(r.rcpt_tos[0] for r in smtp_sink.received) == sorted(
        c.contacts.get().value for c in people if c.first_name in ("Ana", "Duda")
    )


def test_a_campaign_needs_one_audience_and_a_live_template(owner: User, campaign: Campaign) -> None:
    with pytest.raises(ValidationError, match="segment or a pool"):
        services.campaign_create(actor=owner, name="x", template=campaign.template)


def test_a_sourcer_may_run_campaigns_but_a_hiring_manager_may_not(
    sourcer: User, manager: User, campaign: Campaign
) -> None:
    from rapport.core.errors import PermissionDenied

    assert services.campaign_preview(campaign).total == 4
    with pytest.raises(PermissionDenied):
        services.campaign_launch(actor=manager, campaign=campaign)
    services.campaign_launch(actor=sourcer, campaign=campaign)
