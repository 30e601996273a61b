"""Calls and meetings logged by hand: what is refused, how they read on the
timeline, and who may log them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from rapport.accounts.models import User
from rapport.core.models import Activity, ActivityKind
from rapport.inbox.models import Interaction
from rapport.inbox.sms_services import interaction_log
from rapport.people.models import Candidate
from tests.conftest import login

pytestmark = pytest.mark.django_db


def log(actor: User, candidate: Candidate, **overrides: Any) -> Interaction:
    fields: dict[str, Any] = {
        "kind": "call",
        "occurred_at": timezone.now() - dt.timedelta(hours=2),
        "duration_minutes": 25,
        "outcome": "connected",
        "notes": "Talked about the platform team. She is open to a move in spring.",
    }
    return interaction_log(actor=actor, candidate=candidate, **{**fields, **overrides})


def refused(actor: User, candidate: Candidate, **overrides: Any) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        log(actor, candidate, **overrides)
    return caught.value.message_dict


def test_a_call_goes_on_the_timeline_at_the_time_it_happened(
    owner: User, candidate: Candidate
) -> None:
    when = timezone.now() - dt.timedelta(days=3)
    call = log(owner, candidate, occurred_at=when)
    event = Activity.objects.get(kind=ActivityKind.CALL_LOGGED)
    assert (event.candidate_id, event.actor, event.occurred_at) == (candidate.pk, owner, when)
    assert (event.target_type, event.target_id) == ("interaction", call.pk)
    assert event.summary == "Talked about the platform team. She is open to a move in spring."
    assert event.data == {
        "duration_minutes": 25,
        "outcome": "connected",
        "outcome_label": "Connected",
    }
    candidate.refresh_from_db()
    assert candidate.last_contacted_at == when


def test_a_meeting_without_notes_is_described_in_a_sentence(
    owner: User, candidate: Candidate
) -> None:
    log(owner, candidate, kind="meeting", outcome="held", duration_minutes=45, notes="  ")
    event = Activity.objects.get(kind=ActivityKind.MEETING_LOGGED)
    assert event.summary == "Meeting: held, 45 minutes."


def test_a_call_nobody_answered_is_not_contact(owner: User, candidate: Candidate) -> None:
    log(owner, candidate, outcome="no_answer", duration_minutes=None, notes="")
    candidate.refresh_from_db()
    assert candidate.last_contacted_at is None
    assert Activity.objects.get(kind=ActivityKind.CALL_LOGGED).summary == "Call: no answer."


def test_an_older_call_leaves_a_later_contact_alone(owner: User, candidate: Candidate) -> None:
    recent = timezone.now() - dt.timedelta(hours=1)
    log(owner, candidate, occurred_at=recent)
    log(owner, candidate, occurred_at=recent - dt.timedelta(days=30))
    candidate.refresh_from_db()
    assert candidate.last_contacted_at == recent


def test_bad_input_is_refused_naming_the_field(owner: User, candidate: Candidate) -> None:
    future = timezone.now() + dt.timedelta(days=1, minutes=5)
    assert list(refused(owner, candidate, occurred_at=future)) == ["occurred_at"]
    assert list(refused(owner, candidate, duration_minutes=-1)) == ["duration_minutes"]
    assert list(refused(owner, candidate, duration_minutes=24 * 60 + 1)) == ["duration_minutes"]
    wrong = refused(owner, candidate, kind="call", outcome="no_show")
    assert wrong == {
        "outcome": ["A call is one of: connected, left voicemail, no answer, wrong number."]
    }
    assert list(refused(owner, candidate, kind="meeting", outcome="voicemail")) == ["outcome"]
    assert list(refused(owner, candidate, kind="lunch")) == ["kind"]
    assert not Interaction.objects.exists()
    assert not Activity.objects.filter(kind__in=["call.logged", "meeting.logged"]).exists()


def test_the_edges_are_allowed(owner: User, candidate: Candidate) -> None:
    log(owner, candidate, occurred_at=timezone.now() + dt.timedelta(hours=23), duration_minutes=0)
    log(owner, candidate, duration_minutes=24 * 60, kind="meeting", outcome="rescheduled")
    assert Interaction.objects.count() == 2


def test_the_database_refuses_an_outcome_of_the_other_kind(
    owner: User, candidate: Candidate
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Interaction.objects.create(
            kind="meeting", outcome="voicemail", candidate=candidate, occurred_at=timezone.now()
        )


# --- the panel and who may log


def test_the_panel_logs_a_call_and_asks_the_page_to_reload_its_timeline(
    client: Client, owner: User, candidate: Candidate
) -> None:
    login(client, owner)
    url = f"/candidates/{candidate.pk}/interactions/"
    response = client.post(
        url,
        {"kind": "call", "occurred_at": "2026-01-12T15:30", "duration_minutes": "20",
         "outcome": "voicemail", "notes": "Left a message about the Lisbon role."},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    assert response.status_code == 200
    assert response["HX-Trigger"] == "timeline-changed"
    page = response.content.decode()
    assert "Logged; it is on the timeline." in page and "Left voicemail" in page
    call = Interaction.objects.get()
    assert timezone.localtime(call.occurred_at).strftime("%Y-%m-%d %H:%M") == "2026-01-12 15:30"
    timeline = client.get(f"/candidates/{candidate.pk}/").content.decode()
    assert "Left a message about the Lisbon role." in timeline
    assert "Left voicemail · 20 min" in timeline


def test_the_panel_puts_a_refusal_on_the_field(
    client: Client, owner: User, candidate: Candidate
) -> None:
    login(client, owner)
    response = client.post(
        f"/candidates/{candidate.pk}/interactions/",
        {"kind": "meeting", "occurred_at": "2026-01-12T15:30", "duration_minutes": "-5", "outcome": "connected"},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    page = response.content.decode()
    assert "A meeting is one of: held, no-show, rescheduled, cancelled." in page
    assert "Give the duration in minutes, from 0 to 1,440" in page
    assert 'id="call_outcome_error"' in page and "HX-Trigger" not in response
    assert not Interaction.objects.exists()


def test_without_javascript_the_form_posts_and_comes_back_to_the_page(
    client: Client, owner: User, candidate: Candidate
) -> None:
    login(client, owner)
    response = client.post(
        f"/candidates/{candidate.pk}/interactions/",
        {"kind": "meeting", "occurred_at": "2026-01-12T10:00", "duration_minutes": "60", "outcome": "held"},
    )  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == f"/candidates/{candidate.pk}/#timeline"
    assert Interaction.objects.get().kind == "meeting"


def test_the_whole_cast_logs_where_it_may(
    client: Client, cast: dict[str, User], candidate: Candidate
) -> None:
    """Everyone who sees the candidate may log a call or a meeting with them
    (the manager the candidate is shared with too); the outsider gets a 404."""
    url = f"/candidates/{candidate.pk}/interactions/"
    for name, user in cast.items():
        login(client, user)
        shown = client.get(url, HTTP_HX_REQUEST="true")
        posted = client.post(
            url,
            {"kind": "call", "occurred_at": "2026-01-12T09:00", "outcome": "connected", "notes": f"Call by {name}"},
            HTTP_HX_REQUEST="true",
        )  # fmt: skip
        logged = Interaction.objects.filter(notes=f"Call by {name}")
        if name == "outsider":
            assert (shown.status_code, posted.status_code) == (404, 404)
            assert not logged.exists()
        else:
            assert shown.status_code == 200 and "Log a call or meeting" in shown.content.decode(), (
                name
            )
            assert posted.status_code == 200, name
            assert logged.get().author == user
            assert Activity.objects.filter(kind=ActivityKind.CALL_LOGGED, actor=user).count() == 1
    assert Interaction.objects.count() == 5


def test_the_candidate_page_has_both_cards_for_those_who_may_use_them(
    client: Client, cast: dict[str, User], candidate: Candidate
) -> None:
    for name, user in cast.items():
        login(client, user)
        response = client.get(f"/candidates/{candidate.pk}/")
        page = response.content.decode()
        if name == "outsider":
            assert response.status_code == 404
            continue
        assert f"/candidates/{candidate.pk}/interactions/" in page, name
        assert (f"/candidates/{candidate.pk}/texts/" in page) == (name != "manager"), name
