"""A job the cast shares: `owner` recruits for it and `manager` hires for it;
`outsider` is a hiring manager of nothing here. A crowd of candidates for
the ranking's tests."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest

from rapport.accounts.models import User
from rapport.jobs.models import Application, Job, Stage
from rapport.jobs.services import SILVER_TAG, JobFields, job_create, job_set_status
from rapport.people.models import Candidate, CandidateTag
from rapport.people.services import tag_get_or_create


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


SKILLS = ["Python", "Django", "PostgreSQL", "Docker", "Go", "Nursing", "Java"]
TITLES = [
    "Senior Backend Engineer", "Backend Developer", "Data Analyst", "Sr Software Engineer",
    "Nurse", "Engineering Manager", "Python Developer", "",
]  # fmt: skip
PLACES = [
    ("Lisbon", "PT", "Europe/Lisbon"), ("Porto", "PT", "Europe/Lisbon"),
    ("Berlin", "DE", "Europe/Berlin"), ("Recife", "BR", "America/Recife"), ("", "", ""),
]  # fmt: skip
LEVELS = ["junior", "mid", "senior", "lead", ""]


@pytest.fixture
def crowd(owner: User, job: Job, make_candidate: Callable[..., Candidate]) -> list[Candidate]:
    """160 candidates drawn at random (the same each run): many share the
    same skills, so floors fall between equal scores; some have a silver
    medal or went far in another job, the signals only a few can get."""
    rng = random.Random(7)
    other = job_set_status(
        actor=owner,
        job=job_create(actor=owner, values=JobFields(title="Data Engineer")),
        status="open",
    )
    silver = tag_get_or_create(name=SILVER_TAG)
    first_stage = other.stages.order_by("position")[0]
    made = []
    for n in range(160):
        city, country, zone = rng.choice(PLACES)
        candidate = make_candidate(
            current_title=rng.choice(TITLES), city=city, country=country, timezone=zone,
            seniority=rng.choice(LEVELS), skills=rng.sample(SKILLS, rng.randint(0, 4)),
        )  # fmt: skip
        Candidate.objects.filter(pk=candidate.pk).update(engagement_score=rng.randint(0, 100))
        if n % 9 == 0:
            CandidateTag.objects.create(candidate=candidate, tag=silver, reason="Reached Final")
        if n % 7 == 0:
            Application.objects.create(
                candidate=candidate, job=other, stage=first_stage,
                furthest_position=rng.randint(1, 6), source="test",
            )  # fmt: skip
        made.append(candidate)
    return made
