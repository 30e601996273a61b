"""Jobs, stages and applications through the API, for the whole cast."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from rapport.accounts.models import User
from rapport.jobs.models import Application, Job, JobStatusChange
from rapport.jobs.services import application_create
from rapport.people.models import Candidate
from tests.api.client import ApiClient
from tests.jobs.conftest import job, stage

__all__ = ["job", "stage"]

pytestmark = pytest.mark.django_db


def msgs(response: Any) -> list[str]:
    return [item["msg"] for item in response.json()["detail"]]


def test_a_recruiter_opens_a_job_and_reads_it_back(api: ApiClient, manager: User) -> None:
    made = api.post(
        "/jobs",
        {
            "title": "Staff Data Engineer",
            "department": "Data",
            "country": "Portugal",
            "remote": "remote",
            "hiring_manager_ids": [manager.pk],
            "required_skills": ["python", "k8s"],
            "nice_skills": ["Airflow"],
            "description": "Pipelines *at scale*.",
        },
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["status"], body["country"], body["slug"]) == ("draft", "PT", "staff-data-engineer")
    assert [m["email"] for m in body["hiring_managers"]] == [manager.email]
    assert {s["name"]: s["required"] for s in body["skills"]} == {
        "Python": True,
        "Kubernetes": True,
        "Apache Airflow": False,
    }
    opened = api.post(f"/jobs/{body['id']}/status", {"status": "open"})
    assert opened.json()["status"] == "open" and opened.json()["opened_at"]
    stages = api.get(f"/jobs/{body['id']}/stages").json()
    assert [s["name"] for s in stages][:3] == ["Sourced", "Applied", "Screen"]


def test_a_patch_changes_only_what_was_sent(api: ApiClient, job: Job, manager: User) -> None:
    response = api.patch(f"/jobs/{job.pk}", {"headcount": 3})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["headcount"] == 3 and body["title"] == "Senior Backend Engineer"
    assert [m["id"] for m in body["hiring_managers"]] == [manager.pk]
    assert len(body["skills"]) == 3


def test_bad_job_input_names_the_field(api: ApiClient, job: Job) -> None:
    response = api.post("/jobs", {"title": "Designer", "country": "Atlantis"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "country"]
    back = api.post(f"/jobs/{job.pk}/status", {"status": "draft"})
    assert back.status_code == 422 and "cannot become draft" in msgs(back)[0]
    assert JobStatusChange.objects.filter(job=job).count() == 2


def test_applications_move_through_the_pipeline_and_keep_their_history(
    api: ApiClient, job: Job, candidate: Candidate, stage: Callable[[str], Any]
) -> None:
    made = api.post(f"/jobs/{job.pk}/applications", {"candidate_id": candidate.pk})
    assert made.status_code == 201, made.content
    app_id = made.json()["id"]
    again = api.post(f"/jobs/{job.pk}/applications", {"candidate_id": candidate.pk})
    assert again.status_code == 422 and "already in the pipeline" in msgs(again)[0]
    moved = api.post(f"/applications/{app_id}/move", {"stage_id": stage("Interview").pk})
    assert moved.json()["stage"]["name"] == "Interview"
    no_reason = api.post(f"/applications/{app_id}/move", {"stage_id": stage("Rejected").pk})
    assert no_reason.status_code == 422 and "Say why" in msgs(no_reason)[0]
    rejected = api.post(
        f"/applications/{app_id}/move",
        {"stage_id": stage("Rejected").pk, "reason": "skills", "note": "More Go, please."},
    )
    body = rejected.json()
    assert (body["rejection_reason"], body["rejection_note"]) == ("skills", "More Go, please.")
    assert [h["to_stage"] for h in body["history"]] == ["Sourced", "Interview", "Rejected"]
    listed = api.get(f"/jobs/{job.pk}/applications", stage_id=stage("Rejected").pk).json()
    assert [row["candidate"]["full_name"] for row in listed["results"]] == ["Maria Souza"]


def test_a_stage_of_another_job_is_refused(
    api: ApiClient, job: Job, owner: User, candidate: Candidate
) -> None:
    other = api.post("/jobs", {"title": "Designer"}).json()
    foreign = next(s for s in api.get(f"/jobs/{other['id']}/stages").json() if s["name"] == "Final")
    application = application_create(actor=owner, job=job, candidate=candidate)
    response = api.post(f"/applications/{application.pk}/move", {"stage_id": foreign["id"]})
    assert response.status_code == 422 and "stage of another job" in msgs(response)[0]
    application.refresh_from_db()
    assert application.stage.name == "Sourced"


def test_a_bulk_move_is_all_or_nothing(
    api: ApiClient,
    job: Job,
    owner: User,
    make_candidate: Callable[..., Candidate],
    stage: Callable[[str], Any],
) -> None:
    rows = [application_create(actor=owner, job=job, candidate=make_candidate()) for _ in range(3)]
    ids = [a.pk for a in rows]
    missing = api.post(
        f"/jobs/{job.pk}/applications/move",
        {"application_ids": [*ids, 999_999], "stage_id": stage("Screen").pk},
    )
    assert missing.status_code == 404 and "999999" in missing.json()["detail"]
    assert not Application.objects.filter(stage__name="Screen").exists()
    done = api.post(
        f"/jobs/{job.pk}/applications/move",
        {"application_ids": ids, "stage_id": stage("Screen").pk},
    )
    assert done.json() == {"moved": 3}


def test_stages_are_edited_through_the_api(api: ApiClient, job: Job) -> None:
    added = api.post(f"/jobs/{job.pk}/stages", {"name": "Take-home"}).json()
    renamed = api.patch(f"/jobs/{job.pk}/stages/{added['id']}", {"name": "Exercise"})
    assert renamed.json()["name"] == "Exercise"
    active = [s["id"] for s in api.get(f"/jobs/{job.pk}/stages").json() if s["kind"] == "active"]
    order = [active[-1], *active[:-1]]
    reordered = api.post(f"/jobs/{job.pk}/stage-order", {"order": order}).json()
    assert reordered[0]["name"] == "Exercise"
    assert api.delete(f"/jobs/{job.pk}/stages/{added['id']}").status_code == 204


@pytest.mark.parametrize("who", ["admin", "owner", "teammate", "sourcer", "manager", "outsider"])
def test_each_role_sees_and_does_what_the_app_allows(
    who: str,
    cast: dict[str, User],
    api_as: Callable[[User], ApiClient],
    job: Job,
    owner: User,
    candidate: Candidate,
    stage: Callable[[str], Any],
) -> None:
    application = application_create(actor=owner, job=job, candidate=candidate)
    client = api_as(cast[who])
    listed = [row["id"] for row in client.get("/jobs").json()["results"]]
    assert listed == ([] if who == "outsider" else [job.pk])
    seen = client.get(f"/applications/{application.pk}")
    assert seen.status_code == (404 if who == "outsider" else 200)
    moved = client.post(f"/applications/{application.pk}/move", {"stage_id": stage("Screen").pk})
    expected = {"admin": 200, "owner": 200, "teammate": 200, "sourcer": 403, "manager": 403}
    assert moved.status_code == expected.get(who, 404)
    created = client.post("/jobs", {"title": "Another"})
    assert created.status_code == (201 if who in {"admin", "owner", "teammate"} else 403)
