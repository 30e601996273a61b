"""A recruiter works a job's board in a real Chromium: drags a card from
Sourced to Interview with the mouse, moves another with the keyboard through
its "Move to…" form, rejects a third with a reason, all without the page
reloading; then looks at the list view and an application."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from rapport.accounts.models import User
from rapport.jobs.models import Application
from rapport.jobs.services import JobFields, application_create, job_create, job_set_status
from rapport.people.models import Candidate
from tests.conftest import PASSWORD
from tests.web.conftest import SHOTS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_recruiter_drags_moves_and_rejects_on_the_board(
    browser_page: Any,
    live_server: Any,
    owner: User,
    manager: User,
    make_candidate: Callable[..., Candidate],
) -> None:
    job = job_create(
        actor=owner,
        values=JobFields(
            title="Senior Backend Engineer",
            department="Engineering",
            location="Lisbon",
            country="PT",
            remote="hybrid",
            recruiter=owner,
            hiring_managers=[manager],
            required_skills=["Python", "Django"],
        ),
    )
    job = job_set_status(actor=owner, job=job, status="open")
    people = {}
    for first, last, title in (
        ("Ana", "Lima", "Backend Engineer"),
        ("Bruno", "Costa", "Python Developer"),
        ("Carla", "Mendes", "Data Engineer"),
        ("Dmitri", "Volkov", "Platform Engineer"),
    ):
        person = make_candidate(first_name=first, last_name=last, current_title=title)
        people[first] = application_create(actor=owner, job=job, candidate=person)

    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/candidates/")
    page.get_by_role("link", name="Jobs").click()
    page.get_by_role("link", name="Senior Backend Engineer").click()
    expect(page.get_by_role("heading", name="Sourced")).to_be_visible()
    # Marks this page: a full reload would forget it.
    page.evaluate("window.sameBoard = true")

    def column(name: str) -> Any:
        return page.locator(f'.board-col[data-name="{name}"]')

    # The mouse: drag Ana from Sourced to Interview.
    ana = column("Sourced").locator(".board-card", has_text="Ana Lima")
    ana.drag_to(column("Interview"))
    expect(page.locator("#board-status")).to_have_text("Ana Lima moved to Interview.")
    expect(column("Interview")).to_contain_text("Ana Lima")
    expect(column("Sourced")).not_to_contain_text("Ana Lima")
    expect(column("Interview").locator(".board-count")).to_have_text("1")
    assert Application.objects.get(pk=people["Ana"].pk).stage.name == "Interview"

    # The keyboard: focus Bruno's card, Tab to its menu, choose Screen, Enter on Move.
    bruno = column("Sourced").locator(".board-card", has_text="Bruno Costa")
    bruno.focus()
    page.keyboard.press("Tab")  # his name
    page.keyboard.press("Tab")  # the menu
    expect(page.get_by_label("Move Bruno Costa to")).to_be_focused()
    page.get_by_label("Move Bruno Costa to").select_option(label="Screen")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(column("Screen")).to_contain_text("Bruno Costa")
    expect(page.locator("#board-status")).to_have_text("Bruno Costa moved to Screen.")
    # The moved card keeps the focus, in its new column.
    expect(column("Screen").locator(".board-card", has_text="Bruno Costa")).to_be_focused()

    # Rejecting asks why; without a reason the service's refusal is shown.
    page.get_by_label("Move Carla Mendes to").select_option(label="Rejected")
    column("Sourced").locator(".board-card", has_text="Carla Mendes").get_by_role(
        "button", name="Move"
    ).click()
    dialog = page.locator("#reject-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Reject Carla Mendes?")
    dialog.get_by_role("button", name="Reject").click()
    expect(dialog.locator("[data-reject-error]")).to_have_text("Say why the candidate is rejected.")
    dialog.get_by_label("Reason").select_option(label="Skills or experience")
    dialog.get_by_label("Note").fill("No Django in production yet.")
    page.screenshot(path=str(SHOTS / "jobs_reject_dialog.png"))
    dialog.get_by_role("button", name="Reject").click()
    expect(dialog).to_be_hidden()
    expect(column("Rejected")).to_contain_text("Carla Mendes")
    expect(column("Rejected")).to_contain_text("Skills or experience")
    carla = Application.objects.get(pk=people["Carla"].pk)
    assert (carla.stage.name, carla.rejection_reason, carla.rejection_note) == (
        "Rejected",
        "skills",
        "No Django in production yet.",
    )
    assert page.evaluate("window.sameBoard") is True
    page.screenshot(path=str(SHOTS / "jobs_board.png"), full_page=True)
    column("Rejected").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "jobs_board_ended.png"))

    page.get_by_role("link", name="List", exact=True).click()
    expect(page.locator("table.applications")).to_contain_text("Ana Lima")
    expect(page.locator("table.applications")).to_contain_text("Skills or experience")
    page.screenshot(path=str(SHOTS / "jobs_list.png"), full_page=True)

    page.get_by_role("link", name="Carla Mendes").click()
    expect(page.get_by_role("heading", name="Stage history")).to_be_visible()
    expect(page.locator("main")).to_contain_text("No Django in production yet.")
    page.screenshot(path=str(SHOTS / "jobs_application.png"), full_page=True)
