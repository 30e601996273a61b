"""Defects found in review of the jobs app, each pinned by a test."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from rapport.accounts.models import User
from rapport.jobs import interviews as iv
from rapport.jobs.models import Application, Job, Stage
from rapport.jobs.selectors import may_see_feedback
from rapport.jobs.services import JobFields, application_create, job_update
from rapport.people.models import Candidate
from tests.conftest import login
from tests.jobs.conftest import job, stage
from tests.jobs.interview_helpers import interview_fields

__all__ = ["job", "stage"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(
    job: Job, candidate: Candidate, owner: User, stage: Callable[[str], Stage]
) -> Application:
    """An application with an interview and the recruiter's confidential feedback."""
    application = application_create(
        actor=owner, job=job, candidate=candidate, stage=stage("Interview")
    )
    interview = iv.interview_schedule(
        actor=owner, application=application, fields=interview_fields([owner])
    )
    iv.scorecard_submit(
        actor=owner,
        interview=interview,
        rating=2,
        recommendation="no",
        notes="Struggled with the ORM question.",
    )
    return application


def test_a_sourcer_cannot_be_made_a_hiring_manager(job: Job, owner: User, sourcer: User) -> None:
    values = JobFields(title=job.title, recruiter=owner, hiring_managers=[sourcer])
    with pytest.raises(ValidationError) as refused:
        job_update(actor=owner, job=job, values=values)
    assert "cannot hire" in " ".join(refused.value.messages)
    assert list(job.hiring_managers.all()) != [sourcer]


def test_a_sourcer_named_on_a_job_still_never_reads_feedback(
    client: Client, job: Job, scored: Application, sourcer: User, manager: User
) -> None:
    # Named before a role change, or written straight to the database.
    job.hiring_managers.add(sourcer)
    assert may_see_feedback(manager, job)
    assert not may_see_feedback(sourcer, job)
    interview = scored.interviews.get()
    page = login(client, sourcer).get(f"/interviews/{interview.pk}/")
    assert page.status_code == 200
    assert "Struggled with the ORM question." not in page.content.decode()
    assert client.get(f"/interviews/{interview.pk}/feedback/").status_code == 404


def test_a_sourcer_named_on_a_job_is_not_offered_as_an_interviewer(
    job: Job, sourcer: User, manager: User, owner: User
) -> None:
    job.hiring_managers.add(sourcer)
    eligible = set(iv.interviewers_eligible(job))
    assert manager in eligible and owner in eligible
    assert sourcer not in eligible


def test_a_hiring_manager_reads_nothing_of_another_jobs_pipeline_on_a_timeline(
    client: Client,
    job: Job,
    candidate: Candidate,
    owner: User,
    manager: User,
    stage: Callable[[str], Stage],
    token_for: Callable[[User], str],
) -> None:
    from rapport.jobs.services import Move, application_move, job_create, job_set_status
    from rapport.people.selectors import timeline
    from tests.api.client import ApiClient

    secret = job_create(actor=owner, values=JobFields(title="Chief Financial Officer"))
    secret = job_set_status(actor=owner, job=secret, status="open")
    other = application_create(actor=owner, job=secret, candidate=candidate)
    screen = Stage.objects.get(job=secret, name="Screen")
    application_move(actor=owner, application=other, move=Move(stage=screen))
    application_create(actor=owner, job=job, candidate=candidate, stage=stage("Interview"))

    summaries = [e.summary for e in timeline(manager, candidate)]
    assert any("Senior Backend Engineer" in s for s in summaries)
    assert not any("Chief Financial Officer" in s for s in summaries)
    assert any("Chief Financial Officer" in e.summary for e in timeline(owner, candidate))

    page = login(client, manager).get(f"/candidates/{candidate.pk}/")
    assert page.status_code == 200
    assert "Senior Backend Engineer" in page.content.decode()
    assert "Chief Financial Officer" not in page.content.decode()
    api = ApiClient(token_for(manager)).get(f"/candidates/{candidate.pk}/timeline")
    assert "Chief Financial Officer" not in api.content.decode()
    assert "Senior Backend Engineer" in api.content.decode()
