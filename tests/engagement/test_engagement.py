"""The engagement score: what it counts, how it decays, where it shows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from rapport.accounts.models import User
from rapport.core import schedule
from rapport.core.models import Activity, PeriodicRun
from rapport.engagement.scoring import Event, band, score, score_value
from rapport.engagement.services import engagement_refresh
from rapport.people.models import Candidate
from rapport.search.compiler import compile_query
from tests.conftest import login

NOW = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)
MakeCandidate = Callable[..., Candidate]


def days_ago(n: float) -> dt.datetime:
    return NOW - dt.timedelta(days=n)


def test_a_recent_reply_counts_more_than_old_ones() -> None:
    fresh = score_value([Event("email.replied", days_ago(7))], NOW)
    stale = score_value([Event("email.replied", days_ago(400))] * 3, NOW)
    assert fresh > stale > 0


def test_points_halve_every_ninety_days() -> None:
    # A tiny score is nearly linear in the points: compare the raw decay.
    now = score_value([Event("note.added", NOW)], NOW)
    later = score_value([Event("note.added", days_ago(90))], NOW)
    assert later == pytest.approx(now / 2, rel=0.05)


def test_automated_and_bookkeeping_events_count_for_nothing() -> None:
    events = [
        Event("email.sent", days_ago(1), automated=True),
        Event("tag.added", days_ago(1)),
        Event("pool.added", days_ago(1)),
        Event("candidate.updated", days_ago(1)),
    ]
    found = score(events, NOW)
    assert found.value == 0 and found.band == "none"
    assert found.reasons == ["No replies, calls or meetings yet."]


def test_the_score_never_passes_a_hundred() -> None:
    events = [Event("meeting.logged", days_ago(1))] * 200
    assert 99 < score_value(events, NOW) <= 100


def test_the_bands_and_the_reasons() -> None:
    assert [band(v) for v in (0, 0.9, 1, 24.9, 25, 59.9, 60, 100)] == [
        "none", "none", "low", "low", "medium", "medium", "high", "high",
    ]  # fmt: skip
    found = score(
        [
            Event("email.replied", days_ago(3)),
            Event("email.replied", days_ago(40)),
            Event("call.logged", days_ago(1)),
            Event("email.sent", days_ago(2)),
        ],
        NOW,
    )
    assert found.band == "high"
    assert found.reasons == [
        "2 replies, the last 3 days ago",
        "1 call, the last yesterday",
        "1 email sent, the last 2 days ago",
    ]


def log(candidate: Candidate, kind: str, when: dt.datetime, *, automated: bool = False) -> None:
    Activity.objects.create(
        candidate=candidate, kind=kind, occurred_at=when, automated=automated, summary=kind
    )


def test_refresh_writes_scores_and_the_search_reads_them(
    make_candidate: MakeCandidate, owner: User
) -> None:
    warm = make_candidate(first_name="Warm")
    cold = make_candidate(first_name="Cold")
    log(warm, "email.replied", days_ago(2))
    log(warm, "meeting.logged", days_ago(5))
    log(cold, "email.sent", days_ago(300), automated=True)
    assert engagement_refresh(now=NOW) == 1
    warm.refresh_from_db()
    assert warm.engagement_score == score_value(
        [Event("email.replied", days_ago(2)), Event("meeting.logged", days_ago(5))], NOW
    )
    assert engagement_refresh(now=NOW) == 0  # a second run finds nothing to change

    def found(query: str) -> set[str]:
        rows = Candidate.objects.filter(compile_query(owner, query).condition)
        return set(rows.values_list("first_name", flat=True))

    assert found("engagement:medium OR engagement:high") == {"Warm"}
    assert found("engagement:none") == {"Cold"}

    # Months later, with nothing new, the score has decayed.
    engagement_refresh(now=NOW + dt.timedelta(days=365))
    warm.refresh_from_db()
    assert 0 < warm.engagement_score < 25


def test_a_periodic_task_is_enqueued_once_per_interval(db: None) -> None:
    registered = dict(schedule.REGISTRY)  # every app's, put back after
    schedule.REGISTRY.clear()
    schedule.every(dt.timedelta(hours=24), "rapport.core.tasks.ping")
    try:
        now = timezone.now()
        assert schedule.tick(now=now) == ["rapport.core.tasks.ping"]
        assert schedule.tick(now=now + dt.timedelta(hours=1)) == []
        assert schedule.tick(now=now + dt.timedelta(hours=25)) == ["rapport.core.tasks.ping"]
        run = PeriodicRun.objects.get(name="rapport.core.tasks.ping")
        assert run.last_enqueued_at == now + dt.timedelta(hours=25)
    finally:
        schedule.REGISTRY.clear()
        schedule.REGISTRY.update(registered)


def test_the_profile_panel_explains_the_score_to_those_who_see_the_candidate(
    client: Client, candidate: Candidate, owner: User, manager: User, outsider: User
) -> None:
    log(candidate, "email.replied", timezone.now() - dt.timedelta(days=3))
    log(candidate, "call.logged", timezone.now() - dt.timedelta(days=10))
    url = f"/candidates/{candidate.pk}/engagement/"
    for user in (owner, manager):
        login(client, user)
        page = client.get(url).content.decode()
        assert "1 reply, the last 3 days ago" in page and "1 call, the last 10 days ago" in page
        assert "Medium" in page or "High" in page
    login(client, outsider)
    assert client.get(url).status_code == 404
    login(client, owner)
    profile = client.get(f"/candidates/{candidate.pk}/").content.decode()
    assert f'hx-get="/candidates/{candidate.pk}/engagement/"' in profile
