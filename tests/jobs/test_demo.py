"""The demo jobs: lived-in pipelines made from the demo candidates, made once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from rapport.accounts.models import User
from rapport.core.models import Activity
from rapport.jobs.models import Application, Job, JobStatusChange, StageAutomation, StageChange
from rapport.jobs.selectors import jobs_visible
from rapport.jobs.services import SILVER_TAG
from rapport.outreach.models import Template
from rapport.people.demo import demo_load
from rapport.people.models import Candidate, CandidateTag

pytestmark = pytest.mark.django_db


def _run() -> str:
    out = StringIO()
    call_command("jobs_demo", stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {
        "jobs": Job.objects.count(),
        "status changes": JobStatusChange.objects.count(),
        "applications": Application.objects.count(),
        "stage changes": StageChange.objects.count(),
        "activities": Activity.objects.count(),
        "tags": CandidateTag.objects.count(),
    }


def test_the_demo_jobs_look_lived_in_and_a_second_run_changes_nothing() -> None:
    demo_load(candidates=150, seed=5)
    first = _run()
    assert "Added 4 demo jobs with 38 applications; 3 silver medallists" in first
    jobs = {job.title: job for job in Job.objects.all()}
    assert {title: job.status for title, job in jobs.items()} == {
        "Senior Backend Engineer": "open",
        "Product Designer": "open",
        "Frontend Engineer": "filled",
        "Site Reliability Engineer": "draft",
    }
    backend = jobs["Senior Backend Engineer"]
    rows = list(Application.objects.filter(job=backend).select_related("stage"))
    assert len(rows) == 20
    assert len({row.stage.name for row in rows}) >= 7
    now = timezone.now()
    entered = sorted(row.stage_entered_at for row in rows)
    assert entered[-1] < now and entered[-1] - entered[0] > dt.timedelta(days=14)
    assert all(row.created_at <= row.stage_entered_at for row in rows)
    assert {row.rejection_reason for row in rows if row.stage.name == "Rejected"} == {
        "skills",
        "seniority",
        "location",
    }
    # Each history goes forward in time, from the job's opening on.
    opened = backend.opened_at
    assert opened is not None and opened < now - dt.timedelta(days=40)
    for row in rows:
        times = list(row.stage_changes.order_by("id").values_list("changed_at", flat=True))
        assert times == sorted(times) and times[0] >= opened and times[-1] == row.stage_entered_at
    # The filled job's finalists who were not hired are silver medallists.
    frontend = jobs["Frontend Engineer"]
    silver = CandidateTag.objects.filter(
        tag__name=SILVER_TAG, reason__contains=f"(job {frontend.pk})"
    )
    reasons = sorted(silver.values_list("reason", flat=True))
    assert reasons == [
        f"Reached Final for Frontend Engineer (job {frontend.pk})",
        f"Reached Final for Frontend Engineer (job {frontend.pk})",
        f"Reached Offer for Frontend Engineer (job {frontend.pk})",
    ]
    hired = Application.objects.get(job=frontend, stage__kind="hired")
    assert not silver.filter(candidate=hired.candidate).exists()
    assert frontend.closed_at is not None and frontend.closed_at < now - dt.timedelta(days=30)
    assert not Application.objects.filter(job=jobs["Site Reliability Engineer"]).exists()
    # The demo hiring manager sees the jobs she hires for, and only those.
    hannah = User.objects.get(email="hannah.okafor@example.com")
    assert set(jobs_visible(hannah).values_list("title", flat=True)) == {
        "Senior Backend Engineer",
        "Frontend Engineer",
    }
    # Its stages bring an email or a task, from starter templates.
    assert "Added 3 stage automations with starter templates." in first
    automations = {
        a.stage.name: (a.template.name if a.template else "", a.review, a.task_title)
        for a in StageAutomation.objects.filter(stage__job=backend).select_related(
            "stage", "template"
        )
    }
    assert automations == {
        "Screen": ("Screening call invitation", True, "Book the screening call"),
        "Offer": ("", False, "Prepare the offer with the hiring manager"),
        "Rejected": ("Not this time, with thanks", True, ""),
    }
    before = _counts()
    second = _run()
    assert "stage automations" not in second
    assert StageAutomation.objects.count() == 3 and Template.objects.count() == 2
    assert "Demo jobs skipped: Senior Backend Engineer, Product Designer" in second
    assert _counts() == before


def test_there_are_no_demo_jobs_without_the_demo_team(
    make_candidate: Callable[..., Candidate],
) -> None:
    make_candidate()
    assert "Demo jobs skipped: no demo team or candidates" in _run()
    assert not Job.objects.exists()
