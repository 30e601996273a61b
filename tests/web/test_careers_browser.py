"""A candidate applies on the careers site in a real Chromium: finds the role
on the public list by its team, reads the job page, fills in the apply form
with a real PDF and the job's questions, and sees the confirmation. Then the
recruiter finds the application, the funnel and the candidate's timeline."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache

from rapport.accounts.models import User
from rapport.jobs.models import Application, Job, QuestionKind
from rapport.jobs.services import JobFields, job_create, job_set_status
from rapport.outreach.models import Message
from rapport.sourcing import careers
from tests.conftest import PASSWORD
from tests.jobs.conftest import job
from tests.sourcing.test_community import pdf_resume
from tests.web.conftest import SHOTS

__all__ = ["job"]  # the jobs fixture, used here too

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_candidate_finds_a_role_applies_with_a_pdf_and_the_recruiter_sees_it(
    browser_page: Any, live_server: Any, settings: Any, tmp_path: Path, owner: User, job: Job
) -> None:
    cache.clear()
    settings.BASE_URL = live_server.url
    settings.MEDIA_ROOT = tmp_path / "media"
    for title, department, location, remote in (
        ("Account Executive", "Sales", "Berlin", "remote"),
        ("Product Designer", "Design", "Lisbon", "hybrid"),
        ("Site Reliability Engineer", "Engineering", "Porto", "onsite"),
    ):
        made = job_create(
            actor=owner,
            values=JobFields(
                title=title, department=department, location=location, remote=remote,
                recruiter=owner, description="A role on a kind team.",
            ),
        )  # fmt: skip
        job_set_status(actor=owner, job=made, status="open")
    why = careers.QuestionFields(label="Why this role?", kind=QuestionKind.LONG, required=True)
    careers.question_add(actor=owner, job=job, values=why)
    visa = careers.QuestionFields(
        label="Do you need a visa to work in Portugal?", kind=QuestionKind.YES_NO, required=True
    )
    careers.question_add(actor=owner, job=job, values=visa)
    resume = tmp_path / "Jo Almeida CV.pdf"
    resume.write_bytes(pdf_resume())

    page = browser_page
    page.goto(f"{live_server.url}/careers/")
    assert page.get_by_role("heading", name="Come and do the best work of your career").is_visible()
    assert page.get_by_text("4 open roles").is_visible()
    page.screenshot(path=str(SHOTS / "careers-list.png"), full_page=True)

    page.get_by_label("Team").select_option("Engineering")
    page.get_by_role("button", name="Find roles").click()
    page.wait_for_url("**/careers/?*department=Engineering*")
    assert page.get_by_text("2 of 4 open roles match").is_visible()
    assert page.get_by_role("link", name=re.compile("Account Executive")).count() == 0
    page.get_by_role("link", name=re.compile("Senior Backend Engineer")).click()

    page.wait_for_url(f"**/careers/{job.slug}/")
    assert page.get_by_role("heading", name="Senior Backend Engineer", level=1).is_visible()
    assert page.get_by_text("payments").is_visible()
    assert page.get_by_role("link", name="Join the talent community").is_visible()
    page.screenshot(path=str(SHOTS / "careers-job.png"), full_page=True)
    page.get_by_role("link", name="Apply for this role").click()

    page.wait_for_url(f"**/careers/{job.slug}/apply/")
    page.get_by_label("First name").fill("Jo")
    page.get_by_label("Last name").fill("Almeida")
    page.get_by_label("Email").fill("jo.almeida@example.net")
    page.get_by_label("Phone").fill("+351 912 345 678")
    page.get_by_label("Where are you based?").fill("Porto")
    page.get_by_label("Your CV").set_input_files(str(resume))
    page.get_by_label("Why this role?").fill("Payments at scale, and a team I'd learn from.")
    page.get_by_role("group", name="Do you need a visa").get_by_text("No", exact=True).click()
    # Forgetting the consent box is explained, and nothing typed is lost.
    page.get_by_role("button", name="Send my application").click()
    assert page.get_by_text("Please tick the box to agree to the privacy notice").is_visible()
    assert page.get_by_label("Why this role?").input_value().startswith("Payments at scale")
    page.get_by_label("Your CV").set_input_files(str(resume))  # files are never kept by a browser
    page.get_by_label("I have read the privacy notice (version 1) and agree to it").check()
    page.screenshot(path=str(SHOTS / "careers-apply.png"), full_page=True)
    page.get_by_role("button", name="Send my application").click()

    assert page.get_by_role("heading", name="Thank you, Jo!").is_visible()
    assert page.get_by_role("status").inner_text().startswith("Your application for Senior")
    page.screenshot(path=str(SHOTS / "careers-thanks.png"), full_page=True)
    application = Application.objects.select_related("candidate", "stage").get()
    assert (application.candidate.full_name, application.stage.name) == ("Jo Almeida", "Applied")
    assert Message.objects.get().to_email == "jo.almeida@example.net"

    # On a phone the form is one column, with nothing wider than the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/careers/{job.slug}/apply/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    first, last = (page.get_by_label(n).bounding_box() for n in ("First name", "Last name"))
    assert first is not None and last is not None and last["y"] > first["y"]
    page.screenshot(path=str(SHOTS / "careers-apply-phone.png"), full_page=True)

    # The recruiter's side.
    page.set_viewport_size({"width": 1360, "height": 900})
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/candidates/")
    page.goto(f"{live_server.url}/jobs/{job.pk}/careers/")
    row = page.get_by_role("row", name=re.compile("Jo Almeida"))
    assert "Applied" in row.inner_text()
    row.get_by_text("2 answers").click()
    assert row.get_by_text("Payments at scale, and a team I'd learn from.").is_visible()
    stats = page.locator(".careers-stats").inner_text()
    assert re.search(r"1\s+job page views", stats) and re.search(r"1\s+applications sent", stats)
    # The phone's visit to the form counted as a second start.
    assert re.search(r"2\s+apply forms started", stats)
    assert re.search(r"50%\s+completion rate", stats) and re.search(r"100%\s+conversion", stats)
    page.screenshot(path=str(SHOTS / "careers-staff.png"), full_page=True)
    page.get_by_role("link", name="Apply-form questions (2)").click()
    adding = page.get_by_role("region", name="Add a question")
    adding.get_by_label("Question", exact=True).fill("When could you start?")
    adding.get_by_label("Answer", exact=True).select_option(label="One of a list")
    adding.get_by_label("Answers to choose from").fill("Now\nIn a month\nIn three months")
    adding.get_by_role("button", name="Add question").click()
    assert page.get_by_text("Added “When could you start?”").is_visible()
    page.get_by_role("button", name="Move “When could you start?” up").click()
    labels = page.locator(".careers-label").all_inner_texts()
    assert labels == [
        "Why this role?",
        "When could you start?",
        "Do you need a visa to work in Portugal?",
    ]
    page.screenshot(path=str(SHOTS / "careers-questions.png"), full_page=True)
    page.goto(f"{live_server.url}/jobs/{job.pk}/careers/")
    page.get_by_role("link", name="Jo Almeida").click()
    page.wait_for_url(f"**/candidates/{application.candidate_id}/")
    assert page.get_by_text("Senior Backend Engineer: Applied").first.is_visible()
