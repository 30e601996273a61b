"""A job the cast shares: `owner` recruits for it and `manager` hires for it;
`outsider` is a hiring manager of nothing here."""

from __future__ import annotations

from typing import Any

import pytest

from rapport.accounts.models import User
from rapport.jobs.models import Job, Stage
from rapport.jobs.services import JobFields, job_create, job_set_status


@pytest.fixture
def job(owner: User, manager: User) -> Job:
    made = job_create(
        actor=owner,
        values=JobFields(
            title="Senior Backend Engineer",
            department="Engineering",
            location="Lisbon",
            country="PT",
            timezone="Europe/Lisbon",
            remote="hybrid",
            description="We build **payments** in Python and Django.",
            seniority="senior",
            recruiter=owner,
            hiring_managers=[manager],
            required_skills=["Python", "Django"],
            nice_skills=["PostgreSQL"],
        ),
    )
    return job_set_status(actor=owner, job=made, status="open")


@pytest.fixture
def stage(job: Job) -> Any:
    """A stage of `job` by name: stage("Interview")."""

    def named(name: str) -> Stage:
        return Stage.objects.get(job=job, name=name)

    return named
