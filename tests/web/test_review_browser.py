"""A recruiter reviews a possible duplicate in a real Chromium: opens it from
the queue, picks fields, merges, sees one record, undoes the merge from the
history and finds both people back as they were."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from rapport.accounts.models import User
from rapport.people.models import Candidate
from rapport.people.services import note_add, pool_add, pool_create
from rapport.sourcing.models import DuplicateReview, ImportJob
from tests.conftest import PASSWORD
from tests.web.conftest import SHOTS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_recruiter_merges_a_possible_duplicate_and_undoes_it(
    browser_page: Any,
    live_server: Any,
    owner: User,
    teammate: User,
    make_candidate: Callable[..., Candidate],
) -> None:
    older = make_candidate(
        first_name="Maria",
        last_name="Souza",
        current_title="Backend Engineer",
        current_company="Bluefin Analytics",
        city="São Paulo",
        country="BR",
        emails=["maria.souza@example.org"],
        phones=["+55 11 91234-5678"],
        skills=["Python", "Django"],
        tags=["silver-medallist"],
    )
    newer = make_candidate(
        actor=teammate,
        first_name="Maria",
        last_name="Sousa",
        headline="Staff engineer, data platforms",
        current_title="Staff Engineer",
        current_company="Bluefin Analytics",
        city="São Paulo",
        country="BR",
        source="ats-import",
        emails=["m.sousa@example.net"],
        skills=["Python", "Kubernetes"],
        tags=["referral"],
    )
    pool_add(actor=owner, pool=pool_create(actor=owner, name="Platform"), candidates=[newer])
    note_add(actor=teammate, candidate=newer, body="Prefers remote work.")
    job = ImportJob.objects.create(
        original_name="old-ats-export.csv", digest="0" * 64, format="csv"
    )
    DuplicateReview.objects.create(
        candidate=newer, other=older, score=92, reasons=["similar name", "same company"], job=job
    )

    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/candidates/")

    duplicates = page.get_by_role("link", name="Duplicates")
    expect(duplicates).to_contain_text("1")
    duplicates.click()
    expect(page.get_by_role("heading", name="Possible duplicates")).to_be_visible()
    expect(page.locator(".dupe-list")).to_contain_text("similar name; same company")
    page.screenshot(path=str(SHOTS / "review_queue.png"), full_page=True)

    page.get_by_role("link", name="Review Maria Souza and Maria Sousa").click()
    expect(page.get_by_role("heading", name="Are these the same person?")).to_be_visible()
    compare = page.locator("table.compare")
    expect(compare.get_by_role("row", name="Notes 0 1")).to_be_visible()
    expect(compare.locator("tr.compare-same", has_text="Company")).to_contain_text(
        "Bluefin Analytics"
    )
    page.get_by_role("radio", name="Staff Engineer", exact=True).check()
    expect(page.get_by_role("radio", name="Staff engineer, data platforms")).to_be_checked()
    page.get_by_role("radio", name="m.sousa@example.net").check()
    page.screenshot(path=str(SHOTS / "review_compare.png"), full_page=True)

    page.get_by_role("button", name="Merge into Maria Souza").click()
    page.wait_for_url(f"**/candidates/{older.pk}/")
    expect(page.locator(".messages")).to_contain_text("Maria Sousa (#")
    expect(page.locator(".profile-head")).to_contain_text("Staff Engineer at Bluefin Analytics")
    expect(page.locator("#contacts-title").locator("xpath=../..")).to_contain_text(
        "m.sousa@example.net"
    )
    expect(page.locator(".timeline")).to_contain_text("Merged with a duplicate")
    expect(page.locator(".timeline")).to_contain_text("Prefers remote work.")
    page.screenshot(path=str(SHOTS / "merge_result.png"), full_page=True)

    page.locator(".messages").get_by_role("link", name="Undo").click()
    expect(page.get_by_role("heading", name="Merge history")).to_be_visible()
    row = page.locator(".merge-list tbody tr").first
    expect(row).to_contain_text("A possible duplicate (92 alike), from old-ats-export.csv")
    page.screenshot(path=str(SHOTS / "merge_history.png"), full_page=True)
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Undo the merge of Maria Sousa").click()
    expect(page.locator(".messages")).to_contain_text("are two records again")
    expect(row).to_contain_text("Undone")

    page.locator(".messages").get_by_role("link", name="Maria Sousa").click()
    page.wait_for_url(f"**/candidates/{newer.pk}/")
    expect(page.locator(".profile-head")).to_contain_text("Staff Engineer at Bluefin Analytics")
    expect(page.locator(".timeline")).to_contain_text("Prefers remote work.")
    expect(page.locator(".timeline")).to_contain_text("Merge undone")
    page.goto(f"{live_server.url}/candidates/{older.pk}/")
    expect(page.locator(".profile-head")).to_contain_text("Backend Engineer at Bluefin Analytics")
    expect(page.locator(".timeline")).not_to_contain_text("Prefers remote work.")
    page.screenshot(path=str(SHOTS / "merge_undone.png"), full_page=True)

    page.get_by_role("link", name="Merge with…").click()
    expect(page.locator(".partners")).to_contain_text("Maria Sousa")  # she looks alike
    page.screenshot(path=str(SHOTS / "merge_pick.png"), full_page=True)

    page.goto(f"{live_server.url}/sourcing/reviews/")
    expect(page.locator(".dupe-list")).to_contain_text("Maria Sousa")  # back in the queue
