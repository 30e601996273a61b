"""The jobs pages for the whole cast: who sees what, who may do what, what a
forged or incomplete request gets, and how many queries the lists take."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rapport.accounts.models import User
from rapport.core.errors import PermissionDenied
from rapport.jobs.models import Application, DefaultStage, Job, JobStatusChange, Stage, StageChange
from rapport.jobs.selectors import job_metrics
from rapport.jobs.services import (
    SILVER_TAG,
    JobFields,
    Move,
    application_create,
    application_move,
    default_stage_add,
    default_stage_delete,
    default_stage_set_silver,
    default_stage_shift,
    default_stages,
    job_create,
    job_set_silver_stage,
    job_set_status,
)
from rapport.people.models import Candidate, CandidateTag
from tests.conftest import login

pytestmark = pytest.mark.django_db

MakeCandidate = Callable[..., Candidate]


def _apply(job: Job, owner: User, make_candidate: MakeCandidate, n: int) -> list[Application]:
    return [
        application_create(actor=owner, job=job, candidate=make_candidate(current_title="Engineer"))
        for _ in range(n)
    ]


def _other_job(owner: User) -> Job:
    return job_create(actor=owner, values=JobFields(title="Product Designer", department="Design"))


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- who sees what --------------------------------------------------------------------


def test_the_job_list_shows_each_member_of_the_cast_what_they_may_see(
    client: Client, cast: dict[str, User], job: Job
) -> None:
    for name in ("admin", "owner", "teammate", "sourcer", "manager"):
        login(client, cast[name])
        assert "Senior Backend Engineer" in _page(client, "/jobs/"), name
    login(client, cast["outsider"])
    page = _page(client, "/jobs/")
    assert "Senior Backend Engineer" not in page
    assert "You see the jobs you hire for" in page


def test_an_outsider_gets_a_404_on_every_page_of_a_job(
    client: Client, outsider: User, owner: User, job: Job, make_candidate: MakeCandidate
) -> None:
    application = _apply(job, owner, make_candidate, 1)[0]
    login(client, outsider)
    for url in (
        f"/jobs/{job.pk}/",
        f"/jobs/{job.pk}/list/",
        f"/jobs/{job.pk}/stages/",
        f"/jobs/{job.pk}/edit/",
        f"/applications/{application.pk}/",
        f"/applications/{application.pk}/reject/",
        f"/candidates/{application.candidate_id}/jobs/",
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(f"/applications/{application.pk}/move/", {"stage": job.stages.last().pk})
    assert response.status_code == 404
    assert Application.objects.get(pk=application.pk).stage.name == "Sourced"


def test_a_hiring_manager_sees_only_their_own_jobs(
    client: Client, manager: User, owner: User, job: Job, make_candidate: MakeCandidate
) -> None:
    other = _other_job(owner)
    job_set_status(actor=owner, job=other, status="open")
    theirs = _apply(job, owner, make_candidate, 1)[0]
    elsewhere = _apply(other, owner, make_candidate, 1)[0]
    login(client, manager)
    page = _page(client, "/jobs/?status=all")
    assert "Senior Backend Engineer" in page and "Product Designer" not in page
    assert client.get(f"/jobs/{other.pk}/").status_code == 404
    assert client.get(f"/applications/{elsewhere.pk}/").status_code == 404
    board = _page(client, f"/jobs/{job.pk}/")
    assert theirs.candidate.full_name in board
    assert 'draggable="true"' not in board and "Move to…" not in board
    assert "New job" not in _page(client, "/jobs/")
    # The candidate card on a profile lists only the applications they may see.
    card = _page(client, f"/candidates/{theirs.candidate_id}/jobs/")
    assert "Senior Backend Engineer" in card and "Add to job" not in card


def test_the_list_filters_by_status_and_department_with_counts(
    client: Client, owner: User, job: Job, make_candidate: MakeCandidate
) -> None:
    _other_job(owner)  # a draft
    _apply(job, owner, make_candidate, 2)
    login(client, owner)
    page = _page(client, "/jobs/")
    assert "Senior Backend Engineer" in page and "Product Designer" not in page
    assert '<td class="num">2</td>' in page  # two in progress
    assert "0 / 1" in page  # hired of the headcount
    drafts = _page(client, "/jobs/?status=draft")
    assert "Product Designer" in drafts and "Senior Backend Engineer" not in drafts
    design = _page(client, "/jobs/?status=all&department=Design")
    assert "Product Designer" in design and "Senior Backend Engineer" not in design
    assert "+ New job" in page


def test_the_job_list_takes_the_same_queries_for_two_jobs_or_ten(
    client: Client, owner: User, job: Job, make_candidate: MakeCandidate
) -> None:
    login(client, owner)
    _apply(job, owner, make_candidate, 2)
    client.get("/jobs/?status=all")
    with CaptureQueriesContext(connection) as few:
        client.get("/jobs/?status=all")
    for n in range(8):
        more = job_create(actor=owner, values=JobFields(title=f"Role {n}", department=f"D{n}"))
        _apply(more, owner, make_candidate, 1)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/jobs/?status=all").content.decode()
    assert "Role 7" in page
    assert len(many) == len(few)


# --- the board ---------------------------------------------------------------------------------


def test_the_board_shows_a_column_per_stage_with_cards_and_totals(
    client: Client, owner: User, job: Job, stage: Any, make_candidate: MakeCandidate
) -> None:
    first, second, third = _apply(job, owner, make_candidate, 3)
    Application.objects.filter(pk=first.pk).update(
        stage_entered_at=timezone.now() - dt.timedelta(days=4)
    )
    application_move(actor=owner, application=second, move=Move(stage("Interview")))
    login(client, owner)
    page = _page(client, f"/jobs/{job.pk}/")
    for name in ("Sourced", "Applied", "Interview", "Offer", "Hired", "Rejected", "Withdrawn"):
        assert f">{name}</h2>" in page
    assert page.index(">Offer</h2>") < page.index(">Hired</h2>") < page.index(">Rejected</h2>")
    assert '<span class="board-age" title="In Sourced since' in page
    assert ">4 d</span>" in page
    assert f"Move {third.candidate.full_name} to" in page
    assert 'draggable="true"' in page and "rapport/board.js" in page
    # The dated status history of the job.
    assert "Status history" in page and ">Draft</span>" in page and ">Open</span>" in page


def test_the_board_takes_the_same_queries_for_any_number_of_cards(
    client: Client,
    django_assert_num_queries: Any,
    owner: User,
    job: Job,
    stage: Any,
    make_candidate: MakeCandidate,
) -> None:
    login(client, owner)
    for application in _apply(job, owner, make_candidate, 3):
        application_move(actor=owner, application=application, move=Move(stage("Screen")))
    client.get(f"/jobs/{job.pk}/")
    with CaptureQueriesContext(connection) as few:
        client.get(f"/jobs/{job.pk}/")
    for application in _apply(job, owner, make_candidate, 12):
        application_move(actor=owner, application=application, move=Move(stage("Interview")))
    with django_assert_num_queries(len(few)):
        page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert page.count('class="board-card"') == 15


def test_a_column_of_more_than_fifty_says_how_many_more_and_links_to_the_list(
    client: Client, owner: User, job: Job, stage: Any, make_candidate: MakeCandidate
) -> None:
    sourced = stage("Sourced")
    candidates = [
        Candidate.objects.create(first_name=f"Bulk{n}", last_name="Person") for n in range(53)
    ]
    Application.objects.bulk_create(
        Application(candidate=c, job=job, stage=sourced, furthest_position=1) for c in candidates
    )
    login(client, owner)
    page = _page(client, f"/jobs/{job.pk}/")
    assert page.count('class="board-card"') == 50
    assert "3 more in Sourced: see them all in the list" in page
    assert f"/jobs/{job.pk}/list/?stage={sourced.pk}" in page


def test_the_board_shows_average_time_in_stage_and_median_time_to_hire(
    client: Client, owner: User, job: Job, stage: Any, make_candidate: MakeCandidate
) -> None:
    first, second = _apply(job, owner, make_candidate, 2)
    for application in (first, second):
        application_move(actor=owner, application=application, move=Move(stage("Interview")))
        application_move(actor=owner, application=application, move=Move(stage("Hired")))
    start = timezone.now() - dt.timedelta(days=30)
    # first: 2 days sourced, 4 in interview; second: 4 and 8 days.
    for application, days in ((first, (0, 2, 6)), (second, (0, 4, 12))):
        changes = list(StageChange.objects.filter(application=application).order_by("id"))
        for change, day in zip(changes, days, strict=True):
            StageChange.objects.filter(pk=change.pk).update(changed_at=start + dt.timedelta(day))
    metrics = job_metrics(job)
    assert metrics.per_stage[stage("Sourced").pk].average == dt.timedelta(days=3)
    assert metrics.per_stage[stage("Interview").pk].average == dt.timedelta(days=6)
    assert metrics.time_to_hire == dt.timedelta(days=9)
    assert metrics.hires == 2
    login(client, owner)
    page = _page(client, f"/jobs/{job.pk}/")
    assert "avg 3 d here" in page and "avg 6 d here" in page
    assert "9 d" in page and "median time to hire (2 hires)" in page


# --- moves -----------------------------------------------------------------------------------


def test_a_recruiter_moves_a_card_with_its_form(
    client: Client, owner: User, job: Job, stage: Any, make_candidate: MakeCandidate
) -> None:
    application = _apply(job, owner, make_candidate, 1)[0]
    login(client, owner)
    response = client.post(
        f"/applications/{application.pk}/move/",
        {"stage": stage("Interview").pk, "next": f"/jobs/{job.pk}/"},
        follow=True,
    )
    assert f"{application.candidate.full_name} moved to Interview." in response.content.decode()
    assert Application.objects.get(pk=application.pk).stage == stage("Interview")


def test_a_move_from_the_board_script_gets_the_board_back(
    client: Client, owner: User, job: Job, stage: Any, make_candidate: MakeCandidate
) -> None:
    application = _apply(job, owner, make_candidate, 1)[0]
    login(client, owner)
    response = client.post(
        f"/applications/{application.pk}/move/",
        {"stage": stage("Interview").pk},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    interview = html[html.index(">Interview</h2>") : html.index(">Final</h2>")]
    assert application.candidate.full_name in interview
    # What the script fetches to put the board back after a refused move.
    again = client.get(f"/jobs/{job.pk}/?partial=board").content.decode()
    assert "<html" not in again and 'class="board-card"' in again


@pytest.mark.parametrize("who", ["sourcer", "manager"])
def test_who_may_not_move_gets_a_403_page_that_says_so(
    client: Client,
    cast: dict[str, User],
    who: str,
    owner: User,
    job: Job,
    stage: Any,
    make_candidate: MakeCandidate,
) -> None:
    application = _apply(job, owner, make_candidate, 1)[0]
    login(client, cast[who])
    response = client.post(f"/applications/{application.pk}/move/", {"stage": stage("Final").pk})
    assert response.status_code == 403
    assert "may not do this" in response.content.decode()
    assert "Only recruiters and admins move candidates" in response.content.decode()
    bulk = client.post(
        f"/jobs/{job.pk}/list/move/", {"ids": [application.pk], "stage": stage("Final").pk}
    )
    assert bulk.status_code == 403
    assert Application.objects.get(pk=application.pk).stage.name == "Sourced"


def test_a_forged_move_to_another_jobs_stage_is_refused_with_a_message(
    client: Client, owner: User, job: Job, make_candidate: MakeCandidate
) -> None:
    application = _apply(job, owner, make_candidate, 1)[0]
    foreign = _other_job(owner).stages.get(name="Interview")
    login(client, owner)
    response = client.post(
        f"/applications/{application.pk}/move/", {"stage": foreign.pk}, follow=True
    )
    assert "That stage is not in the pipeline of Senior Backend Engineer" in (
        response.content.decode()
    )
    scripted = client.post(
        f"/applications/{application.pk}/move/",
        {"stage": foreign.pk},
        headers={"HX-Request": "true"},
    )
    assert scripted.status_code == 422
    assert "not in the pipeline" in scripted.content.decode()
    nonsense = client.post(f"/applications/{application.pk}/move/", {"stage": "x'; DROP"})
    assert nonsense.status_code == 302
    assert Application.objects.get(pk=application.pk).stage.name == "Sourced"


def test_an_empty_move_says_what_to_choose(
    client: Client, owner: User, job: Job, make_candidate: MakeCandidate
) -> None:
    application = _apply(job, owner, make_candidate, 1)[0]
    login(client, owner)
    response = client.post(f"/applications/{application.pk}/move/", {"stage": ""}, follow=True)
    assert "Choose the stage to move to." in response.content.decode()


def test_rejecting_without_a_reason_asks_for_one(
    client: Client, owner: User, job: Job, stage: Any, make_candidate: MakeCandidate
) -> None:
    application = _apply(job, owner, make_candidate, 1)[0]
    rejected = stage("Rejected")
    login(client, owner)
    # Without the script: the form goes to a page that asks why.
    response = client.post(f"/applications/{application.pk}/move/", {"stage": rejected.pk})
    assert response.status_code == 302
    assert response["Location"].startswith(f"/applications/{application.pk}/reject/?stage=")
    page = client.get(response["Location"]).content.decode()
    assert "Reject " + application.candidate.full_name in page and "Reason" in page
    refused = client.post(
        f"/applications/{application.pk}/reject/", {"stage": rejected.pk, "reason": ""}
    )
    assert "Say why the candidate is rejected." in refused.content.decode()
    # The script's dialog posts directly, and gets the service's words back.
    scripted = client.post(
        f"/applications/{application.pk}/move/",
        {"stage": rejected.pk, "reason": ""},
        headers={"HX-Request": "true"},
    )
    assert scripted.status_code == 422
    assert scripted.content.decode() == "Say why the candidate is rejected."
    assert Application.objects.get(pk=application.pk).stage.name == "Sourced"
    done = client.post(
        f"/applications/{application.pk}/reject/",
        {"stage": rejected.pk, "reason": "seniority", "note": "Strong, but junior for this."},
        follow=True,
    )
    assert f"{application.candidate.full_name} is rejected." in done.content.decode()
    application.refresh_from_db()
    assert application.stage == rejected
    assert (application.rejection_reason, application.rejection_note) == (
        "seniority",
        "Strong, but junior for this.",
    )


# --- the list view -----------------------------------------------------------------------------


def test_the_list_view_filters_sorts_and_shows_the_furthest_stage(
    client: Client, owner: User, job: Job, stage: Any, make_candidate: MakeCandidate
) -> None:
    first, second, third = _apply(job, owner, make_candidate, 3)
    application_move(actor=owner, application=first, move=Move(stage("Final")))
    application_move(actor=owner, application=first, move=Move(stage("Rejected"), "stronger"))
    application_move(actor=owner, application=second, move=Move(stage("Interview")))
    login(client, owner)
    page = _page(client, f"/jobs/{job.pk}/list/")
    assert all(a.candidate.full_name in page for a in (first, second, third))
    assert "Another candidate was stronger" in page
    row = page[page.index(first.candidate.full_name) :]
    assert "Final" in row[: row.index("</tr>")]
    only = _page(client, f"/jobs/{job.pk}/list/?stage={stage('Interview').pk}")
    assert second.candidate.full_name in only and third.candidate.full_name not in only
    by_name = _page(client, f"/jobs/{job.pk}/list/?sort=name")
    names = sorted([a.candidate for a in (first, second, third)], key=lambda c: c.last_name)
    assert by_name.index(names[0].full_name) < by_name.index(names[-1].full_name)


def test_the_list_view_takes_the_same_queries_for_any_number_of_rows(
    client: Client,
    django_assert_num_queries: Any,
    owner: User,
    job: Job,
    make_candidate: MakeCandidate,
) -> None:
    login(client, owner)
    _apply(job, owner, make_candidate, 2)
    client.get(f"/jobs/{job.pk}/list/")
    with CaptureQueriesContext(connection) as few:
        client.get(f"/jobs/{job.pk}/list/")
    _apply(job, owner, make_candidate, 10)
    with django_assert_num_queries(len(few)):
        page = client.get(f"/jobs/{job.pk}/list/").content.decode()
    assert page.count('name="ids"') == 12


def test_the_list_view_is_paginated(client: Client, owner: User, job: Job, stage: Any) -> None:
    candidates = [Candidate.objects.create(first_name=f"P{n}", last_name="Q") for n in range(55)]
    Application.objects.bulk_create(
        Application(candidate=c, job=job, stage=stage("Sourced"), furthest_position=1)
        for c in candidates
    )
    login(client, owner)
    assert _page(client, f"/jobs/{job.pk}/list/").count('name="ids"') == 50
    second = _page(client, f"/jobs/{job.pk}/list/?page=2")
    assert second.count('name="ids"') == 5 and "Page 2 of 2" in second


def test_a_bulk_move_moves_the_ticked_applications(
    client: Client, owner: User, job: Job, stage: Any, make_candidate: MakeCandidate
) -> None:
    first, second, third = _apply(job, owner, make_candidate, 3)
    login(client, owner)
    response = client.post(
        f"/jobs/{job.pk}/list/move/",
        {"ids": [first.pk, second.pk], "stage": stage("Screen").pk, "reason": "skills"},
        follow=True,
    )
    assert "Moved 2 to Screen." in response.content.decode()
    stages = dict(Application.objects.values_list("pk", "stage__name"))
    assert stages == {first.pk: "Screen", second.pk: "Screen", third.pk: "Sourced"}


def test_a_bulk_move_refuses_strangers_and_rejections_without_a_reason(
    client: Client, owner: User, job: Job, stage: Any, make_candidate: MakeCandidate
) -> None:
    mine = _apply(job, owner, make_candidate, 1)[0]
    other = _other_job(owner)
    stranger = _apply(other, owner, make_candidate, 1)[0]
    login(client, owner)
    forged = client.post(
        f"/jobs/{job.pk}/list/move/",
        {"ids": [mine.pk, stranger.pk], "stage": stage("Screen").pk},
        follow=True,
    )
    assert "Only applications to Senior Backend Engineer can move from here." in (
        forged.content.decode()
    )
    unreasoned = client.post(
        f"/jobs/{job.pk}/list/move/", {"ids": [mine.pk], "stage": stage("Rejected").pk}, follow=True
    )
    assert "Say why the candidate is rejected." in unreasoned.content.decode()
    nothing = client.post(f"/jobs/{job.pk}/list/move/", {"stage": stage("Screen").pk}, follow=True)
    assert "Tick at least one application first." in nothing.content.decode()
    assert set(Application.objects.values_list("stage__name", flat=True)) == {"Sourced"}


# --- an application -------------------------------------------------------------------------


def test_the_application_page_shows_history_time_to_hire_and_escaped_answers(
    client: Client, owner: User, job: Job, stage: Any, make_candidate: MakeCandidate
) -> None:
    candidate = make_candidate(first_name="Ana", last_name="Lima")
    application = application_create(
        actor=None,
        job=job,
        candidate=candidate,
        source="careers",
        answers=[
            {"question": "Why us?", "answer": "<script>alert(1)</script> payments!"},
            {"question": "Notice period", "answer": "1 month"},
        ],
    )
    application_move(actor=owner, application=application, move=Move(stage("Interview")))
    application_move(actor=owner, application=application, move=Move(stage("Hired")))
    start = timezone.now() - dt.timedelta(days=20)
    for change, day in zip(
        StageChange.objects.filter(application=application), (0, 5, 12), strict=True
    ):
        StageChange.objects.filter(pk=change.pk).update(changed_at=start + dt.timedelta(day))
    Application.objects.filter(pk=application.pk).update(hired_at=start + dt.timedelta(12))
    login(client, owner)
    page = _page(client, f"/applications/{application.pk}/")
    assert "Ana Lima" in page and f"/candidates/{candidate.pk}/" in page
    assert "Hired in 12 days" in page
    assert "5 days" in page and "7 days" in page  # Applied, then Interview
    assert "&lt;script&gt;alert(1)&lt;/script&gt; payments!" in page
    assert "<script>alert(1)</script>" not in page
    assert "Notice period" in page and "1 month" in page


def test_the_application_page_shows_the_rejection_reason(
    client: Client,
    cast: dict[str, User],
    owner: User,
    job: Job,
    stage: Any,
    make_candidate: MakeCandidate,
) -> None:
    application = _apply(job, owner, make_candidate, 1)[0]
    application_move(
        actor=owner,
        application=application,
        move=Move(stage("Rejected"), "location", "Needs to be in Lisbon twice a week."),
    )
    for who in ("owner", "sourcer", "manager"):
        login(client, cast[who])
        page = _page(client, f"/applications/{application.pk}/")
        assert "Location or time zone" in page and "Lisbon twice a week" in page
        assert ("Move to" in page) == (who == "owner")


# --- the job form and status -------------------------------------------------------------


def test_a_recruiter_makes_a_job_with_every_field(
    client: Client, owner: User, manager: User
) -> None:
    login(client, owner)
    form = _page(client, "/jobs/new/")
    assert "Hana Manager (hiring manager)" in form and "Rita Recruiter (recruiter)" in form
    response = client.post(
        "/jobs/new/",
        {
            "title": "Data Engineer",
            "department": "Data",
            "location": "Porto",
            "country": "PT",
            "timezone": "Europe/Lisbon",
            "remote": "remote",
            "employment_type": "contract",
            "seniority": "mid",
            "headcount": "2",
            "description": "Pipelines in **Python**.",
            "required_skills": "python, postgres",
            "nice_skills": "Kubernetes",
            "recruiter": owner.pk,
            "hiring_managers": [manager.pk],
            "published": "on",
        },
    )
    job = Job.objects.get(title="Data Engineer")
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert (job.status, job.remote, job.employment_type, job.headcount) == (
        "draft",
        "remote",
        "contract",
        2,
    )
    assert list(job.hiring_managers.all()) == [manager]
    edit = _page(client, f"/jobs/{job.pk}/edit/")
    assert 'value="Python, PostgreSQL"' in edit or 'value="PostgreSQL, Python"' in edit
    assert 'value="Kubernetes"' in edit


def test_the_job_form_shows_errors_next_to_their_fields(client: Client, owner: User) -> None:
    login(client, owner)
    response = client.post(
        "/jobs/new/",
        {
            "title": "  ",
            "timezone": "Mars/Olympus",
            "remote": "onsite",
            "employment_type": "full_time",
            "headcount": "1",
            "required_skills": "Python",
            "nice_skills": "python",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_title_error"' in page
    title = Job.objects.filter(title="").exists()
    assert not title
    response = client.post(
        "/jobs/new/",
        {
            "title": "Backend",
            "timezone": "Mars/Olympus",
            "remote": "onsite",
            "employment_type": "full_time",
            "headcount": "1",
            "required_skills": "Python",
            "nice_skills": "python",
        },
    )
    page = response.content.decode()
    timezone_error = page[page.index('id="id_timezone_error"') :]
    assert "Mars/Olympus" in timezone_error[:300] or "time zone" in timezone_error[:300].lower()
    nice_error = page[page.index('id="id_nice_skills_error"') :]
    assert "python is already required" in nice_error[:200]
    assert not Job.objects.filter(title="Backend").exists()


@pytest.mark.parametrize("who", ["sourcer", "manager"])
def test_who_may_not_manage_jobs_gets_a_403_on_the_job_forms(
    client: Client, cast: dict[str, User], who: str, job: Job
) -> None:
    login(client, cast[who])
    for url in ("/jobs/new/", f"/jobs/{job.pk}/edit/"):
        response = client.get(url)
        assert response.status_code == 403
        assert "Only recruiters and admins open, edit and close jobs" in response.content.decode()
    assert client.post(f"/jobs/{job.pk}/status/", {"status": "closed"}).status_code == 403
    assert Job.objects.get(pk=job.pk).status == "open"


def test_status_buttons_change_the_status_and_filling_awards_silver_medals(
    client: Client, owner: User, job: Job, stage: Any, make_candidate: MakeCandidate
) -> None:
    finalist, hired = _apply(job, owner, make_candidate, 2)
    application_move(actor=owner, application=finalist, move=Move(stage("Final")))
    application_move(actor=owner, application=hired, move=Move(stage("Hired")))
    login(client, owner)
    board = _page(client, f"/jobs/{job.pk}/")
    assert "Mark filled" in board and "Put on hold" in board and 'data-confirm="' in board
    response = client.post(f"/jobs/{job.pk}/status/", {"status": "filled"}, follow=True)
    page = response.content.decode()
    assert "Senior Backend Engineer is filled." in page and "silver-medallist" in page
    assert CandidateTag.objects.filter(candidate=finalist.candidate, tag__name=SILVER_TAG).exists()
    assert ">Reopen</button>" in page
    assert list(JobStatusChange.objects.filter(job=job).values_list("status", flat=True)) == [
        "draft",
        "open",
        "filled",
    ]
    refused = client.post(f"/jobs/{job.pk}/status/", {"status": "on_hold"}, follow=True)
    assert "A filled job cannot become on_hold." in refused.content.decode()


# --- pipelines ------------------------------------------------------------------------


def test_a_recruiter_edits_the_pipeline_of_a_job(
    client: Client, owner: User, job: Job, stage: Any, make_candidate: MakeCandidate
) -> None:
    _apply(job, owner, make_candidate, 1)
    login(client, owner)
    url = f"/jobs/{job.pk}/stages/"
    page = _page(client, url)
    assert "/automations/" in page and "silver medals from here" in page

    def act(**data: Any) -> str:
        return client.post(url, data, follow=True).content.decode()

    assert "Screen is now called Phone screen." in act(
        action="rename", stage=stage("Screen").pk, name="Phone screen"
    )
    assert "Take-home is added" in act(action="add", name="Take-home", kind="active")
    assert [s.name for s in job.stages.filter(kind="active")][-1] == "Take-home"
    act(action="up", stage=stage("Take-home").pk)
    assert [s.name for s in job.stages.filter(kind="active")][-2:] == ["Take-home", "Offer"]
    assert "Move everyone out of Sourced first." in act(action="delete", stage=stage("Sourced").pk)
    assert "Applied is removed" in act(action="delete", stage=stage("Applied").pk)
    assert "Who reaches Interview" in act(action="silver", stage=stage("Interview").pk)
    assert Job.objects.get(pk=job.pk).silver_stage == stage("Interview")
    assert "ends an application" in act(action="silver", stage=stage("Hired").pk)
    foreign = _other_job(owner).stages.first()
    assert foreign is not None
    assert "not in the pipeline" in act(action="rename", stage=foreign.pk, name="Mine now")
    assert Stage.objects.get(pk=foreign.pk).name != "Mine now"


def test_who_may_not_manage_jobs_sees_the_pipeline_but_cannot_change_it(
    client: Client, sourcer: User, job: Job, stage: Any
) -> None:
    login(client, sourcer)
    page = _page(client, f"/jobs/{job.pk}/stages/")
    assert "Sourced" in page and "Rename" not in page
    response = client.post(
        f"/jobs/{job.pk}/stages/", {"action": "rename", "stage": stage("Screen").pk, "name": "X"}
    )
    assert response.status_code == 403
    assert Stage.objects.filter(job=job, name="Screen").exists()


def test_an_admin_edits_the_default_pipeline_for_jobs_made_afterwards(
    client: Client, admin: User, owner: User, job: Job
) -> None:
    login(client, admin)
    url = "/settings/pipeline/"
    page = _page(client, url)
    assert "Changes here apply to jobs made afterwards" in page
    final = DefaultStage.objects.get(name="Final")

    def act(**data: Any) -> str:
        return client.post(url, data, follow=True).content.decode()

    assert "Assessment is added" in act(action="add", name="Assessment", kind="active")
    assessment = DefaultStage.objects.get(name="Assessment")
    act(action="up", stage=assessment.pk)
    assert "already has" in act(action="add", name="final", kind="active")
    assert "Choose another silver-medal stage first." in act(action="delete", stage=final.pk)
    assert "New jobs give silver medals from Interview." in act(
        action="silver", stage=DefaultStage.objects.get(name="Interview").pk
    )
    assert "Final is removed" in act(action="delete", stage=final.pk)
    assert "Hired is the only hired stage left." in act(
        action="delete", stage=DefaultStage.objects.get(name="Hired").pk
    )
    made = job_create(actor=owner, values=JobFields(title="After"))
    active = list(made.stages.filter(kind="active").values_list("name", flat=True))
    assert active == ["Sourced", "Applied", "Screen", "Interview", "Assessment", "Offer"]
    assert made.silver_stage is not None and made.silver_stage.name == "Interview"
    assert "Final" in job.stages.values_list("name", flat=True)  # existing jobs keep theirs


def test_only_admins_edit_the_default_pipeline(client: Client, owner: User) -> None:
    login(client, owner)
    response = client.get("/settings/pipeline/")
    assert response.status_code == 403
    assert "Only admins change the default pipeline." in response.content.decode()
    with pytest.raises(PermissionDenied):
        default_stage_add(actor=owner, name="Nope")


def test_the_default_pipeline_services_keep_it_whole(admin: User) -> None:
    stages = {s.name: s for s in default_stages()}
    with pytest.raises(ValidationError, match="choose a stage in progress"):
        default_stage_set_silver(actor=admin, stage=stages["Rejected"])
    default_stage_shift(actor=admin, stage=stages["Sourced"], by=-1)  # already first
    default_stage_shift(actor=admin, stage=stages["Offer"], by=5)  # already last active
    names = [s.name for s in DefaultStage.objects.all()]
    assert names[:6] == ["Sourced", "Applied", "Screen", "Interview", "Final", "Offer"]
    added = default_stage_add(actor=admin, name="Ghosted", kind="withdrawn")
    assert DefaultStage.objects.last() == added
    default_stage_delete(actor=admin, stage=stages["Withdrawn"])
    with pytest.raises(ValidationError, match="only withdrawn stage"):
        default_stage_delete(actor=admin, stage=added)


def test_a_silver_stage_must_be_a_stage_in_progress_of_the_same_job(
    owner: User, job: Job, stage: Any
) -> None:
    other = _other_job(owner)
    with pytest.raises(ValidationError, match="stage of another job"):
        job_set_silver_stage(actor=owner, job=job, stage=other.stages.get(name="Final"))
    with pytest.raises(ValidationError, match="ends an application"):
        job_set_silver_stage(actor=owner, job=job, stage=stage("Withdrawn"))
    assert job_set_silver_stage(actor=owner, job=job, stage=None).silver_stage is None


# --- the Jobs card of a candidate --------------------------------------------------------------


def test_the_candidate_page_loads_a_jobs_card(
    client: Client, owner: User, candidate: Candidate
) -> None:
    login(client, owner)
    page = _page(client, f"/candidates/{candidate.pk}/")
    assert f'hx-get="/candidates/{candidate.pk}/jobs/"' in page and ">Jobs</h2>" in page


def test_a_recruiter_adds_a_candidate_to_a_job_in_a_chosen_stage(
    client: Client, owner: User, job: Job, stage: Any, candidate: Candidate
) -> None:
    _other_job(owner)  # a draft: offered too
    login(client, owner)
    card = _page(client, f"/candidates/{candidate.pk}/jobs/")
    assert "Not in any job" in card and "Senior Backend Engineer: Interview" in card
    assert "Product Designer (draft)" in card
    response = client.post(
        f"/candidates/{candidate.pk}/jobs/add/",
        {"stage": stage("Interview").pk},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert "Added to Senior Backend Engineer in Interview." in html
    assert "in Interview" in html and "Senior Backend Engineer: Interview" not in html
    application = Application.objects.get(candidate=candidate)
    assert application.stage == stage("Interview") and application.source == "sourced"
    again = client.post(
        f"/candidates/{candidate.pk}/jobs/add/", {"stage": stage("Sourced").pk}, follow=True
    )
    assert "already in the pipeline of Senior Backend Engineer" in again.content.decode()


def test_a_sourcer_adds_at_the_first_stage_only(
    client: Client, sourcer: User, job: Job, stage: Any, candidate: Candidate
) -> None:
    login(client, sourcer)
    card = _page(client, f"/candidates/{candidate.pk}/jobs/")
    assert "They start in the job’s first stage." in card
    assert f'<option value="{stage("Sourced").pk}">Senior Backend Engineer</option>' in card
    forged = client.post(
        f"/candidates/{candidate.pk}/jobs/add/",
        {"stage": stage("Offer").pk},
        headers={"HX-Request": "true"},
    )
    assert "may add candidates at the first stage only" in forged.content.decode()
    client.post(f"/candidates/{candidate.pk}/jobs/add/", {"stage": stage("Sourced").pk})
    assert Application.objects.get(candidate=candidate).stage == stage("Sourced")


def test_a_hiring_manager_cannot_add_to_jobs(
    client: Client, manager: User, job: Job, stage: Any, candidate: Candidate
) -> None:
    login(client, manager)
    response = client.post(f"/candidates/{candidate.pk}/jobs/add/", {"stage": stage("Sourced").pk})
    assert response.status_code == 403
    assert not Application.objects.exists()
