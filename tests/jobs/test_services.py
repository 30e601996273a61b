from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from rapport.accounts.models import User
from rapport.core.errors import PermissionDenied
from rapport.core.models import Activity
from rapport.jobs.models import Application, Job, JobStatusChange, StageChange
from rapport.jobs.selectors import application_get, job_get, jobs_visible
from rapport.jobs.services import (
    SILVER_TAG,
    JobFields,
    Move,
    application_create,
    application_move,
    applications_move,
    job_create,
    job_set_status,
    stage_add,
    stage_delete,
    stage_reorder,
)
from rapport.people.models import Candidate, CandidateTag
from rapport.people.selectors import candidate_get, candidates_visible

pytestmark = pytest.mark.django_db


def test_a_new_job_copies_the_default_pipeline(job: Job) -> None:
    names = list(job.stages.values_list("name", "kind"))
    assert names == [
        ("Sourced", "active"),
        ("Applied", "active"),
        ("Screen", "active"),
        ("Interview", "active"),
        ("Final", "active"),
        ("Offer", "active"),
        ("Hired", "hired"),
        ("Rejected", "rejected"),
        ("Withdrawn", "withdrawn"),
    ]
    assert job.silver_stage is not None and job.silver_stage.name == "Final"
    assert job.slug == "senior-backend-engineer"
    assert "<strong>payments</strong>" in job.description_html
    skills = {(link.skill.name, link.required) for link in job.skill_links.select_related("skill")}
    assert skills == {("Python", True), ("Django", True), ("PostgreSQL", False)}


def test_each_status_change_is_dated(job: Job, owner: User) -> None:
    job_set_status(actor=owner, job=job, status="on_hold")
    job_set_status(actor=owner, job=job, status="open")
    assert list(JobStatusChange.objects.filter(job=job).values_list("status", flat=True)) == [
        "draft",
        "open",
        "on_hold",
        "open",
    ]
    job.refresh_from_db()
    assert job.opened_at is not None and job.closed_at is None


def test_a_job_cannot_go_back_to_draft(job: Job, owner: User) -> None:
    with pytest.raises(ValidationError, match="cannot become draft"):
        job_set_status(actor=owner, job=job, status="draft")


def test_a_second_job_with_the_same_title_gets_its_own_address(job: Job, owner: User) -> None:
    other = job_create(actor=owner, values=JobFields(title="Senior Backend Engineer"))
    assert other.slug == "senior-backend-engineer-2"


def test_a_job_with_no_skills_is_fine_and_a_job_without_title_is_not(owner: User) -> None:
    assert (
        job_create(actor=owner, values=JobFields(title="Office manager")).skill_links.count() == 0
    )
    with pytest.raises(ValidationError, match="needs a title"):
        job_create(actor=owner, values=JobFields(title="   "))


def test_only_recruiters_and_admins_open_jobs(sourcer: User, manager: User) -> None:
    for user in (sourcer, manager):
        with pytest.raises(PermissionDenied):
            job_create(actor=user, values=JobFields(title="Designer"))


def test_moves_keep_history_and_go_on_the_timeline(
    job: Job, owner: User, candidate: Candidate, stage: Callable[[str], Any]
) -> None:
    application = application_create(actor=owner, job=job, candidate=candidate)
    assert application.stage.name == "Sourced"
    application_move(actor=owner, application=application, move=Move(stage("Interview")))
    application_move(actor=owner, application=application, move=Move(stage("Screen")))
    history = list(
        StageChange.objects.filter(application=application).values_list("to_stage__name", flat=True)
    )
    assert history == ["Sourced", "Interview", "Screen"]
    application.refresh_from_db()
    assert application.furthest_position == stage("Interview").position
    kinds = list(
        Activity.objects.filter(
            candidate=candidate, kind__in=["application.created", "stage.changed"]
        )
        .order_by("id")
        .values_list("summary", flat=True)
    )
    assert kinds == [
        "Senior Backend Engineer: Sourced",
        "Senior Backend Engineer: Sourced → Interview",
        "Senior Backend Engineer: Interview → Screen",
    ]


def test_applying_twice_to_the_same_job_is_refused_and_nothing_doubles(
    job: Job, owner: User, candidate: Candidate
) -> None:
    application_create(actor=owner, job=job, candidate=candidate)
    with pytest.raises(ValidationError, match="already in the pipeline"):
        application_create(actor=owner, job=job, candidate=candidate)
    assert Application.objects.filter(job=job, candidate=candidate).count() == 1


def test_a_stage_of_another_job_is_refused(job: Job, owner: User, candidate: Candidate) -> None:
    other = job_create(actor=owner, values=JobFields(title="Designer"))
    application = application_create(actor=owner, job=job, candidate=candidate)
    foreign = other.stages.get(name="Interview")
    with pytest.raises(ValidationError, match="stage of another job"):
        application_move(actor=owner, application=application, move=Move(foreign))
    application.refresh_from_db()
    assert application.stage.name == "Sourced"


def test_a_rejection_needs_a_reason(
    job: Job, owner: User, candidate: Candidate, stage: Callable[[str], Any]
) -> None:
    application = application_create(actor=owner, job=job, candidate=candidate)
    with pytest.raises(ValidationError, match="Say why"):
        application_move(actor=owner, application=application, move=Move(stage("Rejected")))
    application_move(
        actor=owner,
        application=application,
        move=Move(stage("Rejected"), reason="skills", note="Needs more Django."),
    )
    application.refresh_from_db()
    assert (application.rejection_reason, application.rejection_note) == (
        "skills",
        "Needs more Django.",
    )
    assert application.ended_at is not None


def test_a_sourcer_adds_to_a_job_but_does_not_move(
    job: Job, sourcer: User, candidate: Candidate, stage: Callable[[str], Any]
) -> None:
    application = application_create(actor=sourcer, job=job, candidate=candidate)
    with pytest.raises(PermissionDenied):
        application_move(actor=sourcer, application=application, move=Move(stage("Screen")))


def test_bulk_moves_check_every_application_first(
    job: Job, owner: User, make_candidate: Callable[..., Candidate], stage: Callable[[str], Any]
) -> None:
    people = [make_candidate() for _ in range(3)]
    applications = [application_create(actor=owner, job=job, candidate=p) for p in people]
    other = job_create(actor=owner, values=JobFields(title="Designer"))
    stranger = application_create(actor=owner, job=other, candidate=people[0])
    with pytest.raises(ValidationError, match="Only applications to"):
        applications_move(
            actor=owner, job=job, applications=[*applications, stranger], move=Move(stage("Screen"))
        )
    assert Application.objects.filter(job=job, stage__name="Screen").count() == 0
    moved = applications_move(
        actor=owner, job=job, applications=applications, move=Move(stage("Screen"))
    )
    assert moved == 3


def test_filling_a_job_makes_silver_medallists_of_finalists_not_hired(
    job: Job, owner: User, make_candidate: Callable[..., Candidate], stage: Callable[[str], Any]
) -> None:
    hired, finalist, screened = (make_candidate() for _ in range(3))
    for person, where in ((hired, "Hired"), (finalist, "Final"), (screened, "Screen")):
        application = application_create(actor=owner, job=job, candidate=person)
        application_move(actor=owner, application=application, move=Move(stage(where)))
    rejected_later = Application.objects.get(candidate=finalist)
    application_move(
        actor=owner, application=rejected_later, move=Move(stage("Rejected"), reason="stronger")
    )
    job_set_status(actor=owner, job=job, status="filled")
    tagged = CandidateTag.objects.filter(tag__name=SILVER_TAG)
    assert [link.candidate_id for link in tagged] == [finalist.pk]
    assert tagged[0].reason == f"Reached Final for Senior Backend Engineer (job {job.pk})"
    assert Candidate.objects.filter(pk=finalist.pk).exists()


def test_reordering_stages_keeps_how_far_each_candidate_got(
    job: Job, owner: User, candidate: Candidate, stage: Callable[[str], Any]
) -> None:
    application = application_create(actor=owner, job=job, candidate=candidate)
    application_move(actor=owner, application=application, move=Move(stage("Screen")))
    order = [stage(n).pk for n in ("Sourced", "Screen", "Applied", "Interview", "Final", "Offer")]
    stage_reorder(actor=owner, job=job, order=order)
    application.refresh_from_db()
    assert application.furthest_position == stage("Screen").position == 2


def test_stages_can_be_added_and_only_empty_ones_deleted(
    job: Job, owner: User, candidate: Candidate, stage: Callable[[str], Any]
) -> None:
    take_home = stage_add(actor=owner, job=job, name="Take-home")
    assert take_home.position == 7 and stage("Hired").position == 8
    application_create(actor=owner, job=job, candidate=candidate, stage=take_home)
    with pytest.raises(ValidationError, match="Move everyone out"):
        stage_delete(actor=owner, stage=take_home)
    with pytest.raises(ValidationError, match="only hired stage"):
        stage_delete(actor=owner, stage=stage("Hired"))


@pytest.mark.parametrize("who", ["admin", "owner", "teammate", "sourcer", "manager", "outsider"])
def test_hiring_managers_see_their_jobs_and_those_candidates_only(
    who: str, cast: dict[str, User], job: Job, owner: User, make_candidate: Callable[..., Candidate]
) -> None:
    applicant, bystander = make_candidate(), make_candidate()
    application = application_create(actor=owner, job=job, candidate=applicant)
    user = cast[who]
    sees_job = who != "outsider"
    assert jobs_visible(user).filter(pk=job.pk).exists() is sees_job
    if sees_job:
        assert job_get(user, job.pk) == job
        assert application_get(user, application.pk) == application
        assert candidate_get(user, applicant.pk) == applicant
    else:
        with pytest.raises(Http404):
            job_get(user, job.pk)
        with pytest.raises(Http404):
            application_get(user, application.pk)
        with pytest.raises(Http404):
            candidate_get(user, applicant.pk)
    sees_bystander = who in {"admin", "owner", "teammate", "sourcer"}
    assert candidates_visible(user).filter(pk=bystander.pk).exists() is sees_bystander


def test_the_silver_medals_reason_shows_on_the_profile_to_the_team_only(
    job: Job,
    owner: User,
    manager: User,
    candidate: Candidate,
    stage: Callable[[str], Any],
) -> None:
    from django.test import Client

    from tests.conftest import login

    application = application_create(actor=owner, job=job, candidate=candidate)
    application_move(actor=owner, application=application, move=Move(stage("Final")))
    application_move(
        actor=owner, application=application, move=Move(stage("Rejected"), reason="stronger")
    )
    job_set_status(actor=owner, job=job, status="filled")
    why = f"Reached Final for Senior Backend Engineer (job {job.pk})"
    team = login(Client(), owner).get(f"/candidates/{candidate.pk}/").content.decode()
    assert f"<strong>{SILVER_TAG}</strong>: {why}" in team
    # Hana, who sees only some jobs, gets the tag; its reasons may name jobs
    # she does not see, so they are left off her profile card.
    hana = login(Client(), manager).get(f"/candidates/{candidate.pk}/").content.decode()
    assert f"?tag={SILVER_TAG}" in hana
    assert f"<strong>{SILVER_TAG}</strong>:" not in hana
