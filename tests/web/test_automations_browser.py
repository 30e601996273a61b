"""A recruiter automates a stage, moves a candidate into it, finds the task
and the held email beside their tasks, edits the email and sends it, and reads
it in the captured mailbox, in a real Chromium."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from rapport.accounts.models import User
from rapport.jobs.automations import automations_process
from rapport.jobs.models import Stage
from rapport.jobs.services import JobFields, application_create, job_create, job_set_status
from rapport.outreach.models import MessageKind
from rapport.outreach.services import template_create
from rapport.people.models import Candidate
from tests.conftest import PASSWORD
from tests.outreach.conftest import deliver
from tests.web.conftest import SHOTS

__all__ = ["deliver"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_recruiter_automates_a_stage_and_sends_the_held_email_as_edited(
    browser_page: Any, live_server: Any, settings: Any, owner: User, candidate: Candidate,
    deliver: Callable[..., Any],
) -> None:  # fmt: skip
    settings.BASE_URL = live_server.url
    template_create(
        actor=owner, name="Interview invitation", kind=MessageKind.TRANSACTIONAL,
        subject="{{ candidate.first_name }}, let's meet about {{ job.title }}",
        body="Hi {{ candidate.first_name }},\n\nWe would love to talk about **{{ job.title }}**."
        "\n\n{{ sender.name }}",
    )  # fmt: skip
    job = job_create(
        actor=owner,
        values=JobFields(title="Platform Engineer", department="Engineering", recruiter=owner),
    )
    job = job_set_status(actor=owner, job=job, status="open")
    interview = Stage.objects.get(job=job, name="Interview")
    application = application_create(actor=owner, job=job, candidate=candidate)

    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/candidates/")

    # Automate the Interview stage: an email held for review, and a task.
    page.goto(f"{live_server.url}/jobs/{job.pk}/automations/")
    row = page.locator(f"#stage-{interview.pk}")
    expect(row).to_contain_text("Nothing happens.")
    row.get_by_text("Automate").click()
    row.get_by_label("Email").select_option(label="Interview invitation")
    row.get_by_label("Hold it for me to read, edit and send").check()
    row.get_by_label("Task for the recruiter").fill("Prepare the interview panel")
    row.get_by_label("Task due in (days)").fill("0")
    page.screenshot(path=str(SHOTS / "automations-form.png"), full_page=True)
    row.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Automation of Interview saved.")
    row = page.locator(f"#stage-{interview.pk}")
    expect(row).to_contain_text("Sends “Interview invitation” as they enter, held for review")
    expect(row).to_contain_text("Task “Prepare the interview panel”, due the same day")
    page.screenshot(path=str(SHOTS / "automations-editor.png"), full_page=True)

    # Move Maria into Interview from her application page; a worker runs.
    page.goto(f"{live_server.url}/applications/{application.pk}/")
    page.get_by_label("Move to").select_option(label="Interview")
    page.get_by_role("button", name="Move", exact=True).click()
    expect(page.locator("h1 + .headline")).to_contain_text("Interview")
    assert automations_process().review == 1

    # The task and the held email wait beside each other.
    page.reload()
    tasks_link = page.get_by_role("navigation", name="Main").get_by_role("link", name="Tasks")
    expect(tasks_link).to_contain_text("1")
    tasks_link.click()
    expect(page.locator(".tasks")).to_contain_text("Prepare the interview panel")
    expect(page.locator(".tasks")).to_contain_text("Platform Engineer · Interview")
    page.screenshot(path=str(SHOTS / "tasks.png"), full_page=True)
    page.get_by_role("link", name="Emails held for your review: 1").click()

    # Read it as Maria will, change it, send it.
    held = page.locator(".review-run")
    expect(held).to_have_count(1)
    expect(held.get_by_label("Subject")).to_have_value("Maria, let's meet about Platform Engineer")
    body = held.get_by_label("Message")
    expect(body).to_have_value(
        "Hi Maria,\n\nWe would love to talk about **Platform Engineer**.\n\nRita Recruiter\n"
    )
    body.fill(
        "Hi Maria,\n\nWe would love to talk about **Platform Engineer**: would Tuesday "
        "or Wednesday afternoon suit you?\n\nRita"
    )
    page.screenshot(path=str(SHOTS / "automations-review.png"), full_page=True)
    held.get_by_role("button", name="Send").click()
    expect(page.locator(".messages")).to_contain_text("Email to Maria Souza queued to send.")
    expect(page.locator(".empty")).to_contain_text("Nothing to review.")

    # The outbox sends it; the application shows it, and the mailbox has it.
    assert deliver().sent == 1
    page.goto(f"{live_server.url}/applications/{application.pk}/")
    card = page.locator("section[aria-labelledby='automated-title']")
    expect(card.locator(".run-status")).to_have_text("Sent")
    expect(card).to_contain_text("Maria, let's meet about Platform Engineer")
    expect(card).to_contain_text("edited and sent by Rita Recruiter")
    card.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "automations-application.png"), full_page=True)
    card.get_by_role("link", name="read it").click()
    expect(page.locator("body")).to_contain_text("Tuesday or Wednesday afternoon")

    # Done with the task.
    page.goto(f"{live_server.url}/tasks/")
    page.get_by_role("button", name="Mark “Prepare the interview panel” done").click()
    expect(page.locator(".messages")).to_contain_text("Done: Prepare the interview panel.")
    expect(page.locator(".empty")).to_contain_text("No open tasks.")
