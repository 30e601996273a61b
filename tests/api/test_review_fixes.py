"""Defects found in review of the jobs, interviews and rediscovery API, each
pinned by a test."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from rapport.accounts.models import User
from rapport.jobs.models import Application, Job, Stage
from rapport.jobs.services import application_create
from rapport.people.models import Candidate
from tests.api.client import ApiClient
from tests.jobs.conftest import job, stage
from tests.jobs.interview_helpers import in_two_days

__all__ = ["job", "stage"]

pytestmark = pytest.mark.django_db

# Larger than any database key: SQLite and PostgreSQL both refuse it as a parameter.
HUGE = 2**70


@pytest.fixture
def application(
    job: Job, candidate: Candidate, owner: User, stage: Callable[[str], Stage]
) -> Application:
    return application_create(actor=owner, job=job, candidate=candidate, stage=stage("Interview"))


def locs(response: Any) -> list[list[Any]]:
    return [item["loc"] for item in response.json()["detail"]]


def test_a_sourcer_cannot_be_named_a_hiring_manager(
    api: ApiClient, job: Job, sourcer: User, manager: User
) -> None:
    response = api.patch(f"/jobs/{job.pk}", {"hiring_manager_ids": [manager.pk, sourcer.pk]})
    assert response.status_code == 422, response.content
    assert any("cannot hire" in item["msg"] for item in response.json()["detail"])
    assert list(job.hiring_managers.all()) == [manager]


def test_an_id_too_large_for_the_database_is_refused_not_a_crash(
    api: ApiClient, job: Job, application: Application, stage: Callable[[str], Stage]
) -> None:
    moved = api.post(
        f"/jobs/{job.pk}/applications/move",
        {"stage_id": stage("Screen").pk, "application_ids": [application.pk, HUGE]},
    )
    assert moved.status_code == 422, moved.content
    assert ["body", "application_ids", 1] in locs(moved)
    application.refresh_from_db()
    assert application.stage.name == "Interview"

    listed = api.get(f"/jobs/{job.pk}/applications", stage_id=HUGE)
    assert listed.status_code == 422, listed.content
    assert ["query", "stage_id"] in locs(listed)


def test_an_interviewer_id_too_large_is_refused_not_a_crash(
    api: ApiClient, application: Application, owner: User
) -> None:
    starts = in_two_days()
    response = api.post(
        f"/applications/{application.pk}/interviews",
        {
            "title": "Technical interview",
            "starts_at": starts.isoformat(),
            "ends_at": starts.replace(hour=11).isoformat(),
            "timezone": "Europe/Lisbon",
            "interviewer_ids": [owner.pk, HUGE],
            "video_url": "https://meet.example.com/abc",
        },
    )
    assert response.status_code == 422, response.content
    assert ["body", "interviewer_ids", 1] in locs(response)
    assert not application.interviews.exists()


def test_a_rediscovered_candidate_id_too_large_is_refused_not_a_crash(
    api: ApiClient, job: Job, candidate: Candidate
) -> None:
    response = api.post(f"/jobs/{job.pk}/rediscover/add", {"candidate_ids": [candidate.pk, HUGE]})
    assert response.status_code == 422, response.content
    assert ["body", "candidate_ids", 1] in locs(response)
    assert not Application.objects.filter(job=job).exists()


def test_a_nul_in_a_job_or_a_stage_is_dropped_not_a_crash(api: ApiClient, job: Job) -> None:
    # PostgreSQL refuses NUL in text: it used to be written as it came.
    changed = api.patch(
        f"/jobs/{job.pk}",
        {"title": "Staff\x00 Engineer", "department": "Data\x00", "description": "Hi\x00 there"},
    )
    assert changed.status_code == 200, changed.content
    body = changed.json()
    assert (body["title"], body["department"], body["description"]) == (
        "Staff Engineer",
        "Data",
        "Hi there",
    )
    added = api.post(f"/jobs/{job.pk}/stages", {"name": "Take\x00-home"})
    assert added.status_code == 201, added.content
    assert added.json()["name"] == "Take-home"
    renamed = api.patch(f"/jobs/{job.pk}/stages/{added.json()['id']}", {"name": "Case\x00 study"})
    assert renamed.json()["name"] == "Case study"
