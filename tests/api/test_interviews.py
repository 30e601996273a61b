"""Interviews and feedback through the API, for the whole cast."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from rapport.accounts.models import User
from rapport.jobs.models import Application, Interview, Job, Scorecard, Stage
from rapport.jobs.services import application_create
from rapport.outreach.models import Message
from rapport.people.models import Candidate
from tests.api.client import ApiClient
from tests.jobs.conftest import job, stage
from tests.jobs.interview_helpers import in_two_days

__all__ = ["job", "stage"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(
    job: Job, candidate: Candidate, owner: User, stage: Callable[[str], Stage]
) -> Application:
    return application_create(actor=owner, job=job, candidate=candidate, stage=stage("Interview"))


def schedule(api: ApiClient, application: Application, *ids: int, **extra: Any) -> Any:
    starts = in_two_days().replace(tzinfo=None)  # no offset: read in the zone given
    body = {
        "title": "Technical interview",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + dt.timedelta(hours=1)).isoformat(),
        "timezone": "Europe/Lisbon",
        "interviewer_ids": list(ids),
        "video_url": "https://meet.example.com/abc",
        **extra,
    }
    return api.post(f"/applications/{application.pk}/interviews", body)


def test_a_recruiter_schedules_reschedules_and_cancels(
    api: ApiClient, application: Application, owner: User, manager: User
) -> None:
    made = schedule(api, application, owner.pk, manager.pk)
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["candidate_time"]["zone"] == "America/Sao_Paulo"
    in_sao_paulo = in_two_days().astimezone(ZoneInfo("America/Sao_Paulo"))
    assert f"{in_sao_paulo:%H:%M}–" in body["candidate_time"]["text"]
    assert {u["email"] for u in body["interviewers"]} == {owner.email, manager.email}
    interview = Interview.objects.get(pk=body["id"])
    first = Calendar.from_ical(Message.objects.get(key=f"iv{interview.pk}:0:c").calendar)
    event = next(iter(first.walk("VEVENT")))
    assert (str(first["METHOD"]), int(event["SEQUENCE"])) == ("REQUEST", 0)

    later = (dt.datetime.fromisoformat(body["starts_at"]) + dt.timedelta(hours=2)).isoformat()
    moved = api.patch(
        f"/interviews/{interview.pk}",
        {
            "starts_at": later,
            "ends_at": (dt.datetime.fromisoformat(later) + dt.timedelta(hours=1)).isoformat(),
        },
    )
    assert moved.status_code == 200, moved.content
    assert moved.json()["sequence"] == 1 and moved.json()["title"] == "Technical interview"
    update = Calendar.from_ical(Message.objects.get(key=f"iv{interview.pk}:1:c").calendar)
    assert int(next(iter(update.walk("VEVENT")))["SEQUENCE"]) == 1

    cancelled = api.post(f"/interviews/{interview.pk}/cancel", {"note": "The role is on hold."})
    assert cancelled.json()["status"] == "cancelled"
    last = Message.objects.filter(
        key__startswith=f"iv{interview.pk}:", key__endswith=":c"
    ).order_by("-id")[0]
    assert str(Calendar.from_ical(last.calendar)["METHOD"]) == "CANCEL"


def test_bad_interviews_are_refused_on_their_field(
    api: ApiClient, application: Application, owner: User
) -> None:
    bad_link = schedule(api, application, owner.pk, video_url="javascript:alert(1)")
    assert bad_link.status_code == 422
    assert bad_link.json()["detail"][0]["loc"][-1] == "video_url"
    nobody = schedule(api, application, 987_654)
    assert nobody.status_code == 422 and "987654" in nobody.json()["detail"][0]["msg"]
    starts = in_two_days().replace(tzinfo=None)
    backwards = schedule(
        api, application, owner.pk,
        ends_at=(starts - dt.timedelta(hours=1)).isoformat(),
    )  # fmt: skip
    assert backwards.status_code == 422
    assert not Interview.objects.exists()


@pytest.mark.parametrize("who", ["admin", "owner", "teammate", "sourcer", "manager", "outsider"])
def test_feedback_is_read_only_by_those_who_may(
    who: str,
    cast: dict[str, User],
    api: ApiClient,
    api_as: Callable[[User], ApiClient],
    application: Application,
    owner: User,
    manager: User,
) -> None:
    interview_id = schedule(api, application, owner.pk, manager.pk).json()["id"]
    given = api_as(manager).post(
        f"/interviews/{interview_id}/scorecards",
        {"rating": 4, "recommendation": "yes", "notes": "Strong on the ORM."},
    )
    assert given.status_code == 200, given.content
    client = api_as(cast[who])
    seen = client.get(f"/interviews/{interview_id}")
    assert seen.status_code == (404 if who == "outsider" else 200)
    cards = client.get(f"/interviews/{interview_id}/scorecards")
    if who in {"admin", "owner", "teammate", "manager"}:
        assert [c["notes"] for c in cards.json()] == ["Strong on the ORM."]
    else:
        assert cards.status_code == 404
        assert "Strong on the ORM." not in cards.content.decode()
    assert Scorecard.objects.count() == 1


def test_giving_feedback_again_changes_it(
    api: ApiClient,
    api_as: Callable[[User], ApiClient],
    application: Application,
    owner: User,
    manager: User,
) -> None:
    interview_id = schedule(api, application, owner.pk, manager.pk).json()["id"]
    hana = api_as(manager)
    hana.post(f"/interviews/{interview_id}/scorecards", {"rating": 2, "recommendation": "no"})
    again = hana.post(
        f"/interviews/{interview_id}/scorecards", {"rating": 5, "recommendation": "strong_yes"}
    )
    assert (again.json()["rating"], again.json()["recommendation"]) == (5, "strong_yes")
    assert Scorecard.objects.count() == 1
    out_of_range = hana.post(
        f"/interviews/{interview_id}/scorecards", {"rating": 9, "recommendation": "yes"}
    )
    assert out_of_range.status_code == 422


def test_my_interviews_lists_where_i_interview(
    api: ApiClient,
    api_as: Callable[[User], ApiClient],
    application: Application,
    owner: User,
    manager: User,
) -> None:
    interview_id = schedule(api, application, manager.pk).json()["id"]
    assert [i["id"] for i in api_as(manager).get("/interviews").json()] == [interview_id]
    assert api.get("/interviews").json() == []
    assert [i["id"] for i in api.get("/interviews", scope="all").json()] == [interview_id]
