"""Stages reached elsewhere are a share of that job's pipeline, never more:
a pipeline that lost its last stages after someone went through them must
not lift that person past the bound rediscovery proves its ranking with."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from rapport.accounts.models import User
from rapport.jobs import rediscovery
from rapport.jobs.models import Application, Stage
from rapport.jobs.rediscovery import Weights
from rapport.jobs.services import (
    JobFields,
    Move,
    application_create,
    application_move,
    job_create,
    job_set_silver_stage,
    job_set_status,
    stage_delete,
)
from rapport.people.models import Candidate

pytestmark = pytest.mark.django_db

# Skills decide, the stages reached elsewhere count for a little.
WEIGHTS = Weights(
    required=10.0, nice=9.0, text=0.0, title=0.0, location=0.0, seniority=0.0,
    history=6.0, silver=0.0, engagement=0.0,
)  # fmt: skip


def _went_through_a_pipeline_that_then_lost_its_last_stages(
    owner: User, candidate: Candidate
) -> None:
    other = job_set_status(
        actor=owner, job=job_create(actor=owner, values=JobFields(title="Data Engineer")),
        status="open",
    )  # fmt: skip
    stages = {s.name: s for s in Stage.objects.filter(job=other)}
    application = application_create(actor=owner, job=other, candidate=candidate)
    application = application_move(actor=owner, application=application, move=Move(stages["Offer"]))
    application_move(actor=owner, application=application, move=Move(stages["Hired"]))
    job_set_silver_stage(actor=owner, job=other, stage=stages["Screen"])
    for name in ("Offer", "Final", "Interview"):
        stage_delete(actor=owner, stage=stages[name])


def test_stages_reached_in_a_shortened_pipeline_count_as_the_whole_of_it(
    owner: User, make_candidate: Callable[..., Candidate]
) -> None:
    job = job_create(
        actor=owner,
        values=JobFields(
            title="Platform Engineer", required_skills=["Python", "Django", "Go"],
            nice_skills=["PostgreSQL"],
        ),
    )  # fmt: skip
    every_skill = make_candidate(first_name="Ada", skills=["Python", "Django", "Go", "PostgreSQL"])
    lifted = make_candidate(first_name="Lin", skills=["PostgreSQL"])
    _went_through_a_pipeline_that_then_lost_its_last_stages(owner, lifted)
    assert Application.objects.filter(candidate=lifted).exists()
    plan = rediscovery.plan_for(job)
    scope = rediscovery.scope_for(owner, job, hide_in_pipeline=False)
    k = rediscovery.Coefficients.of(plan, WEIGHTS)
    sql, params = rediscovery.features_sql(plan, k, scope, skill_floor=None)
    everyone = {f.id: f for f in rediscovery._fetch_features(sql, params)}

    best = max(everyone.values(), key=lambda f: (rediscovery.base_score(k, f), -f.id))
    found, search = rediscovery.rank(plan, WEIGHTS, scope, limit=1)

    assert search.exact
    assert [s.features.id for s in found] == [best.id], "the ranking skipped the best"
    assert everyone[lifted.pk].history == 1.0  # the whole pipeline, not 6 of its 3 stages
    assert best.id == every_skill.pk
