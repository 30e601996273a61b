"""Rediscovery: the talent pool ranked for a job, explained, scoped to the
user, and the two actions on the ranking (add to the job, enrol in a
sequence)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from rapport.accounts.models import User
from rapport.jobs import rediscovery
from rapport.jobs.models import Application, Job
from rapport.jobs.rediscovery import Weights, rediscover, rediscovery_add, rediscovery_enrol
from rapport.jobs.services import (
    SILVER_TAG,
    JobFields,
    application_create,
    job_create,
    job_set_status,
)
from rapport.outreach import services as outreach
from rapport.outreach.models import Enrollment, Preference, Sequence, SequenceStep
from rapport.people.models import Candidate, CandidateTag, ConsentState
from rapport.people.services import note_add, tag_get_or_create
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def pool(make_candidate: Callable[..., Candidate]) -> dict[str, Candidate]:
    """Five people for the `job` fixture (Senior Backend Engineer in Lisbon,
    Python and Django required, PostgreSQL nice to have), best first."""
    made = {
        "ana": make_candidate(
            first_name="Ana", current_title="Senior Backend Engineer", city="Lisbon",
            country="PT", timezone="Europe/Lisbon", seniority="senior",
            skills=["Python", "Django", "PostgreSQL"],
        ),
        "bruno": make_candidate(
            first_name="Bruno", current_title="Backend Developer", city="Porto", country="PT",
            timezone="Europe/Lisbon", seniority="mid", skills=["Python", "Django"],
        ),
        "eva": make_candidate(
            first_name="Eva", current_title="Data Analyst", city="Recife", country="BR",
            seniority="junior", skills=["Python"],
        ),
        "carla": make_candidate(
            first_name="Carla", current_title="Data Analyst", city="Recife", country="BR",
            seniority="junior", skills=["Python"],
        ),
        "dora": make_candidate(first_name="Dora", current_title="Nurse", skills=["Nursing"]),
    }  # fmt: skip
    silver = tag_get_or_create(name=SILVER_TAG)
    CandidateTag.objects.create(candidate=made["eva"], tag=silver, reason="Reached Final for Ops")
    return made


def _names(ranking: rediscovery.Ranking) -> list[str]:
    return [row.candidate.first_name for row in ranking.rows]


def _part(row: rediscovery.Ranked, key: str) -> rediscovery.Part:
    return next(p for p in row.parts if p.key == key)


def test_it_ranks_the_pool_best_fit_first(
    owner: User, job: Job, pool: dict[str, Candidate]
) -> None:
    ranking = rediscover(owner, job)
    assert _names(ranking) == ["Ana", "Bruno", "Eva", "Carla", "Dora"]
    assert ranking.search.exact
    ana = ranking.rows[0]
    assert _part(ana, "required").detail == "2 of 2: Django, Python"
    assert _part(ana, "nice").detail == "1 of 1: PostgreSQL"
    assert _part(ana, "location").detail.startswith("In Lisbon")
    assert _part(ana, "title").share == 1.0
    bruno = ranking.rows[1]
    # "Developer" answers "Engineer"; Porto is in the job's country.
    assert "2 of 3 words" in _part(bruno, "title").detail
    assert _part(bruno, "location").detail.startswith("In PT, another city")
    assert _part(bruno, "nice").detail == "0 of 1"


def test_the_silver_medal_lifts_a_candidate_above_an_equal_one(
    owner: User, job: Job, pool: dict[str, Candidate]
) -> None:
    rows = {r.candidate.first_name: r for r in rediscover(owner, job).rows}
    assert rows["Eva"].score == pytest.approx(rows["Carla"].score + 1.0)
    assert _part(rows["Eva"], "silver").detail == "Reached Final for Ops"
    assert all(p.key != "silver" for p in rows["Carla"].parts)


def test_scores_add_up_to_the_points_of_the_signals(
    owner: User, job: Job, pool: dict[str, Candidate]
) -> None:
    for row in rediscover(owner, job).rows:
        assert row.score == pytest.approx(sum(p.points for p in row.parts), abs=1e-5)


def test_skills_match_through_an_alias(
    owner: User, make_candidate: Callable[..., Candidate], manager: User
) -> None:
    platform = job_create(
        actor=owner,
        values=JobFields(title="Platform Engineer", required_skills=["k8s", "Go"]),
    )
    make_candidate(first_name="Kai", skills=["Kubernetes", "golang"])
    make_candidate(first_name="Lea", skills=["Python"])
    ranking = rediscover(owner, platform)
    assert _names(ranking)[0] == "Kai"
    assert _part(ranking.rows[0], "required").detail == "2 of 2: Go, Kubernetes"
    assert _part(ranking.rows[1], "required").detail == "0 of 2; missing Go, Kubernetes"


def test_a_word_of_the_description_that_is_a_skill_alias_finds_the_skill(
    owner: User, make_candidate: Callable[..., Candidate]
) -> None:
    ops = job_create(
        actor=owner, values=JobFields(title="Operator", description="Run our k8s clusters.")
    )
    make_candidate(first_name="Kai", skills=["Kubernetes"])
    row = rediscover(owner, ops).rows[0]
    assert "k8s" in _part(row, "text").detail


def test_a_job_with_no_skills_still_ranks_by_title_and_text_and_says_so(
    owner: User, make_candidate: Callable[..., Candidate]
) -> None:
    plain = job_create(
        actor=owner,
        values=JobFields(title="Pastry Chef", description="Croissants and laminated dough."),
    )
    make_candidate(first_name="Paul", current_title="Pastry Chef", skills=[])
    make_candidate(first_name="Rita", current_title="Accountant", skills=[])
    make_candidate(first_name="Lou", current_title="Baker", headline="Croissants", skills=[])
    ranking = rediscover(owner, plain)
    assert _names(ranking) == ["Paul", "Lou", "Rita"]
    assert any("names no skills" in note for note in ranking.plan.notes)
    assert all(p.key not in ("required", "nice") for p in ranking.rows[0].parts)


def test_an_empty_pool_ranks_nobody(owner: User, job: Job) -> None:
    ranking = rediscover(owner, job)
    assert ranking.rows == []
    assert ranking.search.exact


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        (Weights(required=-1), "required must be a number from 0 to 10"),
        (
            Weights(**dict.fromkeys(rediscovery._KEYS, 0.0)),
            "At least one weight must be above zero",
        ),
        (Weights(text=float("nan")), "text must be a number"),
        (Weights(title=11), "title must be a number from 0 to 10"),
    ],
)
def test_weights_that_rank_nothing_are_refused(
    owner: User, job: Job, weights: Weights, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        rediscover(owner, job, weights=weights)
    assert message in " ".join(caught.value.messages)


def test_weights_change_the_order(owner: User, job: Job, pool: dict[str, Candidate]) -> None:
    # Only seniority and location count: Carla and Eva (junior, Brazil) fall
    # behind Dora, whose level is unknown.
    weights = Weights(**(dict.fromkeys(rediscovery._KEYS, 0.0) | {"seniority": 1.0}))
    names = _names(rediscover(owner, job, weights=weights))
    assert names[:2] == ["Ana", "Bruno"]
    assert names.index("Dora") < names.index("Carla")


def test_a_suppressed_address_is_flagged_as_not_contactable(
    owner: User, job: Job, pool: dict[str, Candidate]
) -> None:
    outreach.suppression_add(actor=owner, address=pool["bruno"].primary_email)
    Candidate.objects.filter(pk=pool["carla"].pk).update(consent=ConsentState.WITHDRAWN)
    Preference.objects.create(candidate=pool["dora"], left_at="2026-01-01T00:00Z")
    rows = {r.candidate.first_name: r for r in rediscover(owner, job).rows}
    assert rows["Bruno"].reach == rediscovery.Reach(False, "Address on the suppression list")
    assert rows["Carla"].reach == rediscovery.Reach(False, "Consent withdrawn")
    assert rows["Dora"].reach == rediscovery.Reach(False, "Asked to hear nothing more")
    assert rows["Ana"].reach.ok
    # Still listed, in the same order: reachability is a flag, not a score.
    assert [r.candidate.first_name for r in rediscover(owner, job).rows][:2] == ["Ana", "Bruno"]


def test_candidates_in_the_pipeline_are_marked_and_can_be_hidden(
    owner: User, job: Job, pool: dict[str, Candidate]
) -> None:
    application_create(actor=owner, job=job, candidate=pool["ana"])
    ranking = rediscover(owner, job)
    assert ranking.rows[0].in_pipeline == "Sourced"
    assert "Ana" not in _names(rediscover(owner, job, hide_in_pipeline=True))


def test_stages_reached_in_another_job_count(
    owner: User, job: Job, pool: dict[str, Candidate], stage: Callable[[str], Any]
) -> None:
    other = job_set_status(
        actor=owner,
        job=job_create(actor=owner, values=JobFields(title="Data Engineer")),
        status="open",
    )
    application = application_create(actor=owner, job=other, candidate=pool["carla"])
    Application.objects.filter(pk=application.pk).update(furthest_position=5)
    rows = {r.candidate.first_name: r for r in rediscover(owner, job).rows}
    history = _part(rows["Carla"], "history")
    assert history.detail == "Reached Final for Data Engineer"
    assert history.share == pytest.approx(5 / 6)


# --- who sees what ----------------------------------------------------------------------


def test_a_hiring_manager_ranks_only_their_jobs_candidates(
    owner: User, manager: User, job: Job, pool: dict[str, Candidate], candidate: Candidate
) -> None:
    application_create(actor=owner, job=job, candidate=pool["carla"])
    names = _names(rediscover(manager, job))
    # Carla is in the job; Maria (`candidate`) was shared with the manager.
    assert sorted(names) == ["Carla", "Maria"]


def test_the_rediscovery_page_is_a_404_for_a_hiring_manager_of_another_job(
    client: Client, outsider: User, job: Job
) -> None:
    response = login(client, outsider).get(reverse("job_rediscover", args=[job.pk]))
    assert response.status_code == 404


def test_a_sourcers_ranking_never_reads_confidential_notes(
    owner: User, sourcer: User, make_candidate: Callable[..., Candidate]
) -> None:
    secret = job_create(
        actor=owner, values=JobFields(title="Zeppelin Pilot", description="Fly the zeppelin.")
    )
    quiet = make_candidate(first_name="Quinn", skills=[])
    note_add(actor=owner, candidate=quiet, body="Flew a zeppelin once", confidential=True)
    make_candidate(first_name="Uma", skills=[])
    for_owner = rediscover(owner, secret).rows[0]
    assert for_owner.candidate.first_name == "Quinn"
    assert "zeppelin" in _part(for_owner, "text").detail
    for row in rediscover(sourcer, secret).rows:
        assert "zeppelin" not in _part(row, "text").detail
        assert _part(row, "text").share == 0


# --- acting on the ranking ----------------------------------------------------------------


def test_adding_to_the_job_is_idempotent(owner: User, job: Job, pool: dict[str, Candidate]) -> None:
    ids = [pool["ana"].pk, pool["bruno"].pk, pool["eva"].pk]
    first = rediscovery_add(actor=owner, job=job, candidate_ids=ids)
    assert (first.added, first.already, first.stage) == (3, 0, "Sourced")
    again = rediscovery_add(actor=owner, job=job, candidate_ids=[*ids, pool["carla"].pk])
    assert (again.added, again.already) == (1, 3)
    assert Application.objects.filter(job=job).count() == 4
    assert set(Application.objects.filter(job=job).values_list("source", flat=True)) == {
        "rediscovery"
    }


@pytest.fixture
def sequence(owner: User, teammate: User) -> Sequence:
    seq = Sequence.objects.create(name="New opening", sender=teammate, created_by=owner)
    template = outreach.template_create(
        actor=owner, name="Opening", subject="A new role", body="Hi {{ candidate.first_name }}"
    )
    SequenceStep.objects.create(sequence=seq, position=1, template=template, wait_days=0)
    return seq


def test_enrolling_the_top_skips_who_cannot_be_contacted(
    owner: User, job: Job, pool: dict[str, Candidate], sequence: Sequence
) -> None:
    outreach.suppression_add(actor=owner, address=pool["bruno"].primary_email)
    ranking = rediscover(owner, job)
    done = rediscovery_enrol(actor=owner, sequence=sequence, rows=ranking.rows, top=3)
    assert (done.enrolled, done.already) == (2, 0)
    assert done.skipped == [("Bruno Example", "Address on the suppression list")]
    enrolled = set(Enrollment.objects.filter(sequence=sequence).values_list("candidate_id", flat=True))  # fmt: skip
    assert enrolled == {pool["ana"].pk, pool["eva"].pk}
    again = rediscovery_enrol(actor=owner, sequence=sequence, rows=ranking.rows, top=3)
    assert (again.enrolled, again.already) == (0, 2)


# --- the page -------------------------------------------------------------------------


def _page(client: Client, job: Job, **query: str) -> Any:
    return client.get(reverse("job_rediscover", args=[job.pk]), query)


def test_the_page_explains_the_ranking(
    client: Client, owner: User, job: Job, pool: dict[str, Candidate]
) -> None:
    html = _page(login(client, owner), job).content.decode()
    assert html.index("Ana Example") < html.index("Bruno Example") < html.index("Dora Example")
    assert "2 of 2: Django, Python" in html
    assert "Reached Final for Ops" in html
    assert "nobody else could reach this list" in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"w_title": "lots"}, "Title: enter a number from 0 to 10."),
        ({"w_location": "-2"}, "Location: a weight cannot be below 0."),
        (
            dict.fromkeys((f"w_{s.key}" for s in rediscovery.SIGNALS), "0"),
            "Every weight is zero, so nothing would rank",
        ),
    ],
)
def test_weights_that_cannot_rank_are_refused_with_a_message(
    client: Client,
    owner: User,
    job: Job,
    pool: dict[str, Candidate],
    query: dict[str, str],
    message: str,
) -> None:
    response = _page(login(client, owner), job, **query)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Ana Example" not in response.content.decode()


def test_weights_in_the_address_change_the_ranking(
    client: Client, owner: User, job: Job, pool: dict[str, Candidate]
) -> None:
    query = dict.fromkeys((f"w_{s.key}" for s in rediscovery.SIGNALS), "0") | {"w_silver": "5"}
    html = _page(login(client, owner), job, **query).content.decode()
    assert html.index("Eva Example") < html.index("Ana Example")


def test_an_empty_pool_gets_a_friendly_page(client: Client, owner: User, job: Job) -> None:
    html = _page(login(client, owner), job).content.decode()
    assert "Your talent pool is empty." in html


def test_the_page_costs_the_same_queries_for_more_candidates(
    client: Client,
    owner: User,
    job: Job,
    make_candidate: Callable[..., Candidate],
    django_assert_max_num_queries: Any,
) -> None:
    login(client, owner)
    for n in range(3):
        make_candidate(first_name=f"A{n}", skills=["Python", "Django"])
    _page(client, job)  # the vocabulary and the policy are read once
    with django_assert_max_num_queries(40) as few:
        _page(client, job)
    # More people, each with skills, tags and a history to explain, read the
    # same way (the number of rounds depends on the scores, not the rows).
    for n in range(12):
        make_candidate(first_name=f"B{n}", skills=["Python", "Django"], tags=["hot-lead"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = _page(client, job).content.decode()
    assert "B11 Example" in html


def test_adding_from_the_page_reports_what_was_done(
    client: Client, owner: User, job: Job, pool: dict[str, Candidate]
) -> None:
    login(client, owner)
    url = reverse("job_rediscover_add", args=[job.pk])
    ids = [pool["ana"].pk, pool["bruno"].pk]
    client.post(url, {"ids": ids, "w_title": "3"})
    response = client.post(url, {"ids": ids, "w_title": "3"}, follow=True)
    assert response.redirect_chain[-1][0].endswith("?w_title=3")
    assert "Added 0 to Sourced of Senior Backend Engineer. 2 were in its pipeline already." in (
        response.content.decode()
    )


def test_a_hiring_manager_cannot_add_or_enrol(
    client: Client, manager: User, job: Job, candidate: Candidate, sequence: Sequence
) -> None:
    login(client, manager)
    added = client.post(
        reverse("job_rediscover_add", args=[job.pk]), {"ids": [candidate.pk]}, follow=True
    )
    assert "may not do this" in added.content.decode()
    enrolled = client.post(
        reverse("job_rediscover_enrol", args=[job.pk]),
        {"sequence": sequence.pk, "top": "1"},
        follow=True,
    )
    assert "may not do this" in enrolled.content.decode()
    assert not Application.objects.filter(job=job).exists()
    assert not Enrollment.objects.exists()


def test_enrolling_from_the_page_names_who_was_left_out(
    client: Client, owner: User, job: Job, pool: dict[str, Candidate], sequence: Sequence
) -> None:
    outreach.suppression_add(actor=owner, address=pool["bruno"].primary_email)
    response = login(client, owner).post(
        reverse("job_rediscover_enrol", args=[job.pk]),
        {"sequence": sequence.pk, "top": "2"},
        follow=True,
    )
    html = response.content.decode()
    assert "Enrolled 1 in New opening." in html
    assert "Bruno Example (address on the suppression list)" in html
