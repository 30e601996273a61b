"""A recruiter's first session, in a real Chromium."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rapport.accounts.models import User
from rapport.people.models import Candidate
from rapport.people.services import pool_create
from tests.conftest import PASSWORD

SHOTS = Path(__file__).resolve().parent.parent / "screenshots"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_recruiter_adds_a_candidate_and_builds_their_timeline(
    browser_page: Any, live_server: Any, owner: User
) -> None:
    page = browser_page
    pool_create(actor=owner, name="Senior Backend")
    page.goto(f"{live_server.url}/login/")
    page.screenshot(path=str(SHOTS / "login.png"))
    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/candidates/")

    page.get_by_role("link", name="+ Add candidate").click()
    page.get_by_label("First name").fill("Lucía")
    page.get_by_label("Last name").fill("Fernández")
    page.get_by_label("Current title").fill("Staff Data Engineer")
    page.get_by_label("Emails").fill("lucia@example.org")
    page.get_by_label("Phones").fill("+34 612 34 56 78")
    page.get_by_label("Country").select_option("ES")
    page.get_by_label("City").fill("Madrid")
    page.get_by_label("Skills").fill("python, k8s, Apache Spark")
    page.screenshot(path=str(SHOTS / "candidate_form.png"), full_page=True)
    page.get_by_role("button", name="Add candidate").click()
    page.wait_for_url("**/candidates/*/")
    lucia = Candidate.objects.get(first_name="Lucía")

    page.get_by_label("Note", exact=True).fill(
        "Met at **PyData Madrid**. Open to a move in spring."
    )
    page.get_by_role("button", name="Add note").click()
    page.get_by_label("New tag").fill("pydata-2026")
    page.get_by_role("button", name="Tag", exact=True).click()
    page.get_by_label("Pool", exact=True).select_option(label="Senior Backend")
    page.get_by_role("button", name="Add to pool").click()

    timeline = page.locator("#timeline")
    timeline.get_by_text("PyData Madrid").wait_for()
    text = timeline.inner_text()
    for expected in [
        "Added to pool",
        "Senior Backend",
        "Tagged",
        "pydata-2026",
        "Note",
        "Candidate added",
    ]:
        assert expected in text, f"{expected!r} missing from the timeline"
    assert text.index("Added to pool") < text.index("Tagged") < text.index("PyData Madrid")
    assert page.get_by_text("+34 612 34 56 78").is_visible()
    assert page.locator(".chip-skill", has_text="Kubernetes").is_visible()
    page.screenshot(path=str(SHOTS / "candidate_page.png"), full_page=True)

    page.locator("#timeline").get_by_role("link", name="Note").click()
    page.wait_for_url(f"**/candidates/{lucia.pk}/?kind=note.added")
    filtered = page.locator("#timeline .timeline").inner_text()
    assert "PyData Madrid" in filtered and "Senior Backend" not in filtered

    page.get_by_role("link", name="Candidates").first.click()
    page.get_by_label("Search candidates").fill('skill:k8s city:madrid "pydata"')
    page.keyboard.press("Enter")
    page.wait_for_url("**/candidates/?q=*")
    assert page.get_by_role("link", name="Lucía Fernández").is_visible()
    page.screenshot(path=str(SHOTS / "candidate_list.png"), full_page=True)
