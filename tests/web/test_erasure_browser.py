"""A recruiter erases a candidate who asked to be forgotten, in a real
Chromium: from the profile, through the page that says what goes, with the
name typed wrong and then right, to the record that names nobody."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from rapport.accounts.models import User
from rapport.core.models import Activity
from rapport.people.models import Candidate
from rapport.people.services import note_add
from tests.conftest import PASSWORD
from tests.web.conftest import SHOTS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_recruiter_erases_a_candidate_who_asked(
    browser_page: Any, live_server: Any, owner: User, make_candidate: Callable[..., Candidate]
) -> None:
    leaving = make_candidate(
        first_name="Ines",
        last_name="Duarte",
        current_title="Data Engineer",
        emails=["ines.duarte@example.org"],
        phones=["+55 11 91234-5678"],
        skills=["Python"],
    )
    note_add(actor=owner, candidate=leaving, body="Asked us to delete everything.")
    staying = make_candidate(first_name="Joao", last_name="Duarte", emails=["joao@example.org"])

    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/candidates/")

    page.goto(f"{live_server.url}/candidates/{leaving.pk}/")
    expect(page.get_by_role("button", name="Export their data")).to_be_visible()
    page.locator("a", has_text="Erase…").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "profile_privacy.png"))
    page.get_by_role("link", name="Erase…").click()
    expect(page.get_by_role("heading", name="Erase Ines Duarte")).to_be_visible()
    expect(page.get_by_role("heading", name="What goes")).to_be_visible()
    page.get_by_label("They asked to be erased").check()
    page.get_by_label("Note").fill("Email of 3 March")
    page.get_by_label("Their full name").fill("Ines")
    page.get_by_role("button", name="Erase for good").click()
    expect(page.locator(".errorlist")).to_contain_text("Type their full name, Ines Duarte")
    assert Candidate.objects.filter(pk=leaving.pk).exists()
    page.screenshot(path=str(SHOTS / "erase_confirm.png"), full_page=True)

    page.get_by_label("Their full name").fill("ines duarte")
    page.get_by_role("button", name="Erase for good").click()
    page.wait_for_url("**/settings/erasures/")
    expect(page.locator(".messages")).to_contain_text("Erased. Nothing of them is left")
    row = page.locator("table.list tbody tr").first
    expect(row).to_contain_text(f"#{leaving.pk}")
    expect(row).to_contain_text("They asked to be erased")
    expect(row).to_contain_text("Never contact")
    expect(row).to_contain_text("Email of 3 March")
    expect(page.locator("main")).not_to_contain_text("Ines")
    page.screenshot(path=str(SHOTS / "erasures.png"), full_page=True)

    page.goto(f"{live_server.url}/candidates/?q=duarte")
    expect(page.locator("main")).to_contain_text("Joao Duarte")
    expect(page.locator("main")).not_to_contain_text("Ines")
    assert not Candidate.objects.filter(pk=leaving.pk).exists()
    assert Candidate.objects.filter(pk=staying.pk).exists()


def test_an_admin_sees_who_the_retention_rule_would_erase_and_turns_it_on(
    browser_page: Any, live_server: Any, admin: User, make_candidate: Callable[..., Candidate]
) -> None:
    old = timezone.now() - dt.timedelta(days=900)
    for first in ("Olga", "Otto"):
        made = make_candidate(first_name=first, last_name="Oldfield")
        Candidate.objects.filter(pk=made.pk).update(created_at=old, updated_at=old)
        Activity.objects.filter(candidate=made).update(occurred_at=old)
    make_candidate(first_name="Nina", last_name="Newman")

    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill(admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/candidates/")
    page.get_by_role("link", name="Privacy notice").click()
    page.get_by_role("link", name="Retention rule").click()
    expect(page.get_by_role("heading", name="Due now")).to_be_visible()
    due = page.locator("section", has=page.get_by_role("heading", name="Due now"))
    expect(due).to_contain_text("2 candidates would be erased if the rule were on")
    expect(due).to_contain_text("Olga Oldfield")
    expect(due).not_to_contain_text("Nina")
    page.get_by_label("Erase candidates nobody has touched for this long").check()
    page.get_by_label("Months").fill("24")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Saved. The retention rule is on.")
    expect(due).to_contain_text("will be erased in the next runs")
    page.screenshot(path=str(SHOTS / "retention.png"), full_page=True)
    assert Candidate.objects.count() == 3, "saving erases nobody by itself"
