"""The sending policy: windows in the candidate's time zone, the frequency
cap across everything, and the candidate's own choices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from rapport.accounts.models import User
from rapport.outreach import policy, services
from rapport.outreach.models import (
    Frequency,
    Message,
    MessageKind,
    MessageStatus,
    Preference,
    Topic,
)
from rapport.people.models import Candidate, ConsentState

UTC = dt.UTC
TUE_THU_MORNINGS = policy.Window(days=(1, 2, 3), start=dt.time(9, 0), end=dt.time(11, 30))


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "zone", "expected"),
    [
        # Tuesday 10:00 in Tokyo is 01:00 UTC: inside, goes now.
        ("2026-11-24T01:00", "Asia/Tokyo", "2026-11-24T01:00"),
        # Tuesday 01:00 UTC is Monday 20:00 in New York: wait for Tuesday 09:00 there.
        ("2026-11-24T01:00", "America/New_York", "2026-11-24T14:00"),
        # Thursday 11:30 in London is closed: next Tuesday 09:00.
        ("2026-11-26T11:30", "Europe/London", "2026-12-01T09:00"),
        # Saturday in Sydney: Tuesday 09:00 there is Monday 22:00 UTC.
        ("2026-11-28T00:00", "Australia/Sydney", "2026-11-30T22:00"),
    ],
)
def test_the_window_is_read_in_the_candidates_time_zone(now: str, zone: str, expected: str) -> None:
    assert TUE_THU_MORNINGS.opens(at(now), ZoneInfo(zone)) == at(expected)


def test_the_window_follows_daylight_saving_time() -> None:
    window = policy.Window(days=(0, 1, 2, 3, 4, 5, 6), start=dt.time(9), end=dt.time(10))
    new_york = ZoneInfo("America/New_York")
    # 09:00 in New York is 14:00 UTC before the change (EST) and 13:00 after (EDT, 8 March 2026).
    assert window.opens(at("2026-03-07T15:00"), new_york) == at("2026-03-08T13:00")
    assert window.opens(at("2026-03-06T15:00"), new_york) == at("2026-03-07T14:00")
    # And back in November (1 November 2026).
    assert window.opens(at("2026-10-31T15:00"), new_york) == at("2026-11-01T14:00")


def test_a_window_that_opens_in_the_skipped_hour_opens_just_after_it() -> None:
    window = policy.Window(days=(6,), start=dt.time(2, 30), end=dt.time(4))
    opens = window.opens(at("2026-03-08T00:00"), ZoneInfo("America/New_York"))
    # 02:30 does not exist that night; 03:30 EDT is 07:30 UTC.
    assert opens == at("2026-03-08T07:30")


def _queue_sent(
    candidate: Candidate, *, when: dt.datetime, kind: str = MessageKind.NURTURE
) -> Message:
    n = Message.objects.count()
    return Message.objects.create(
        candidate=candidate, kind=kind, key=f"t{n}", message_id=f"<t{n}@x>", from_name="x",
        from_email="x@example.com", to_email="maria.souza@example.org", subject="s", body_text="t",
        body_html="h", status=MessageStatus.SENT, sent_at=when,
    )  # fmt: skip


def _decide(candidate: Candidate, now: dt.datetime, **kwargs: Any) -> policy.Verdict:
    facts = policy.facts_for([candidate.pk], ["maria.souza@example.org"], now=now)
    return policy.decide(
        facts,
        candidate_id=candidate.pk,
        address=kwargs.pop("address", "maria.souza@example.org"),
        kind=kwargs.pop("kind", MessageKind.NURTURE),
        window=kwargs.pop(
            "window", policy.Window(days=tuple(range(7)), start=dt.time(0), end=dt.time(23, 59, 59))
        ),
        **kwargs,
    )


@pytest.mark.django_db
def test_the_cap_counts_every_message_from_every_source(candidate: Candidate) -> None:
    now = at("2026-11-24T12:00")
    _queue_sent(candidate, when=now - dt.timedelta(days=6))  # a campaign
    _queue_sent(
        candidate, when=now - dt.timedelta(days=1), kind=MessageKind.TRANSACTIONAL
    )  # a personal one
    verdict = _decide(candidate, now)
    assert verdict.reason == "frequency_cap"
    # It may go once the older of the two leaves the seven days.
    assert verdict.later == now + dt.timedelta(days=1)
    # A personal message is exempt from the cap.
    assert _decide(candidate, now, kind=MessageKind.TRANSACTIONAL).send


@pytest.mark.django_db
def test_messages_being_sent_by_another_worker_count_towards_the_cap(candidate: Candidate) -> None:
    now = at("2026-11-24T12:00")
    _queue_sent(candidate, when=now - dt.timedelta(days=2))
    other = _queue_sent(candidate, when=now)
    Message.objects.filter(pk=other.pk).update(status=MessageStatus.SENDING, sent_at=None)
    assert _decide(candidate, now).reason == "frequency_cap"


@pytest.mark.django_db
def test_the_candidates_own_frequency_is_stricter_than_the_cap(candidate: Candidate) -> None:
    now = at("2026-11-24T12:00")
    Preference.objects.create(candidate=candidate, frequency=Frequency.MONTHLY)
    _queue_sent(candidate, when=now - dt.timedelta(days=10))
    verdict = _decide(candidate, now)
    assert verdict.reason == "own_frequency"
    assert verdict.later == now + dt.timedelta(days=20)


@pytest.mark.django_db
def test_a_pause_holds_nurture_mail_until_the_day_after(candidate: Candidate) -> None:
    now = at("2026-11-24T12:00")
    Preference.objects.create(candidate=candidate, paused_until=dt.date(2026, 12, 31))
    verdict = _decide(candidate, now)
    assert verdict.reason == "paused" and verdict.later == at("2027-01-01T00:00")
    assert _decide(candidate, now, kind=MessageKind.TRANSACTIONAL).send


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("setup", "nurture", "personal"),
    [
        ({"unsubscribed": True}, "unsubscribed", ""),
        ({"left": True}, "left", "left"),
        ({"consent": ConsentState.WITHDRAWN}, "consent_withdrawn", ""),
        ({"require_consent": True}, "no_consent", ""),
        ({"suppressed": True}, "suppressed", "suppressed"),
        ({"no_address": True}, "no_address", "no_address"),
    ],
)
def test_who_is_held_back_and_from_what(
    candidate: Candidate, setup: dict[str, Any], nurture: str, personal: str
) -> None:
    now = timezone.now()
    if setup.get("unsubscribed") or setup.get("left"):
        Preference.objects.create(
            candidate=candidate, unsubscribed_at=now, left_at=now if setup.get("left") else None
        )
    if "consent" in setup:
        Candidate.objects.filter(pk=candidate.pk).update(consent=setup["consent"])
    if setup.get("require_consent"):
        current = policy.organisation_policy()
        current.require_consent = True
        current.save()
    if setup.get("suppressed"):
        from rapport.outreach.models import Suppression

        Suppression.objects.create(
            digest=policy.address_digest("Maria.Souza@example.org"), reason="manual"
        )
    address = "" if setup.get("no_address") else "maria.souza@example.org"
    held = _decide(candidate, now, address=address)
    assert held.held and held.reason == nurture
    personal_verdict = _decide(candidate, now, address=address, kind=MessageKind.TRANSACTIONAL)
    assert personal_verdict.reason == personal and personal_verdict.send == (not personal)


@pytest.mark.django_db
def test_a_declined_topic_holds_back_only_that_topic(candidate: Candidate) -> None:
    events, jobs = Topic.objects.create(name="Events"), Topic.objects.create(name="Jobs")
    preference = Preference.objects.create(candidate=candidate)
    preference.topics_declined.add(events)
    now = timezone.now()
    assert _decide(candidate, now, topic_id=events.pk).reason == "topic_declined"
    assert _decide(candidate, now, topic_id=jobs.pk).send


@pytest.mark.django_db
def test_the_organisation_window_applies_when_a_send_has_none(candidate: Candidate) -> None:
    Candidate.objects.filter(pk=candidate.pk).update(timezone="")
    current = policy.organisation_policy()
    current.window = TUE_THU_MORNINGS.to_json()
    current.fallback_timezone = "Europe/Paris"
    current.save()
    verdict = _decide(candidate, at("2026-11-24T12:00"), window=None)  # Tuesday 13:00 in Paris
    assert verdict.reason == "window" and verdict.later == at("2026-11-25T08:00")


@pytest.mark.django_db
def test_unsubscribing_holds_back_mail_already_queued(
    owner: User, candidate: Candidate, make_candidate: Callable[..., Candidate]
) -> None:
    template = services.template_create(actor=owner, name="News", subject="News", body="Hello")
    from rapport.people.services import pool_add, pool_create

    pool = pool_create(actor=owner, name="Warm")
    pool_add(actor=owner, pool=pool, candidates=[candidate])
    campaign = services.campaign_create(actor=owner, name="November", template=template, pool=pool)
    services.campaign_queue_messages(campaign)
    [message] = campaign.messages.all()
    assert message.status == MessageStatus.QUEUED
    assert services.unsubscribe(candidate=candidate, source="link")
    message.refresh_from_db()
    assert message.status == MessageStatus.SUPPRESSED and message.reason == "unsubscribed"
    assert not services.unsubscribe(candidate=candidate, source="link")
