"""A recruiter opens a job, finds the best of the talent pool for it, reads
why each ranks where it does, moves a weight, and adds three to the job, in
a real Chromium."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from rapport.accounts.models import User
from rapport.jobs.models import Application, Job
from rapport.jobs.services import SILVER_TAG
from rapport.outreach import services as outreach
from rapport.people.models import Candidate, CandidateTag
from rapport.people.services import tag_get_or_create
from tests.conftest import PASSWORD
from tests.jobs.conftest import job  # noqa: F401 (the job of the jobs tests)
from tests.web.conftest import SHOTS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_find_in_talent_pool_then_add_three(
    browser_page: Any,
    live_server: Any,
    owner: User,
    job: Job,  # noqa: F811
    make_candidate: Callable[..., Candidate],
) -> None:
    people = [
        ("Ana", "Senior Backend Engineer", "Lisbon", "PT", "senior", ["Python", "Django", "PostgreSQL"]),
        ("Bruno", "Backend Developer", "Porto", "PT", "mid", ["Python", "Django"]),
        ("Chloé", "Python Developer", "Lyon", "FR", "senior", ["Python", "Django"]),
        ("Dev", "Data Analyst", "Pune", "IN", "junior", ["Python", "SQL"]),
        ("Edu", "Nurse", "Lima", "PE", "mid", ["Nursing"]),
    ]  # fmt: skip
    made = {}
    for first, title, city, country, level, skills in people:
        made[first] = make_candidate(
            first_name=first, current_title=title, city=city, country=country,
            seniority=level, skills=skills,
        )  # fmt: skip
    tag = tag_get_or_create(name=SILVER_TAG)
    CandidateTag.objects.create(
        candidate=made["Dev"], tag=tag, reason="Reached Final for Data Engineer"
    )
    outreach.suppression_add(actor=owner, address=made["Bruno"].primary_email)

    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/candidates/")

    page.goto(f"{live_server.url}/jobs/{job.pk}/")
    page.get_by_role("link", name="Find in talent pool").click()
    page.wait_for_url(f"**/jobs/{job.pk}/rediscover/")
    rows = page.locator("table.rd-list > tbody > tr")
    assert rows.count() == 5
    assert rows.nth(0).locator("a.name").inner_text() == "Ana Example"
    # The count comes after the page, by htmx: wait for it.
    page.get_by_text("of the 5 candidates you can see").wait_for(timeout=10_000)
    assert "Cannot be contacted: Address on the suppression list" in rows.nth(1).inner_text()
    # Why Ana leads: every signal, with its points.
    rows.nth(0).get_by_text("Every signal").click()
    detail = rows.nth(0).locator("table.rd-parts").inner_text()
    assert "2 of 2: Django, Python" in detail
    assert "In Lisbon" in detail
    page.screenshot(path=str(SHOTS / "rediscovery.png"), full_page=True)

    # Level counts three times as much, location not at all: Chloé (senior,
    # in France) passes Bruno (mid-level, in Portugal), with the keyboard.
    slider = page.get_by_label("Seniority", exact=True)
    slider.focus()
    for _ in range(4):
        slider.press("ArrowRight")
    assert page.locator("#id_w_seniority-out").inner_text() == "3"
    slider = page.get_by_label("Location", exact=True)
    slider.focus()
    for _ in range(2):
        slider.press("ArrowLeft")
    page.get_by_role("button", name="Rank again").click()
    page.wait_for_url("**w_location=0*")
    names = page.locator("table.rd-list > tbody > tr a.name").all_inner_texts()
    assert names.index("Chloé Example") < names.index("Bruno Example")

    # Tick the top three and add them to the job.
    for n in range(3):
        rows.nth(n).locator("input[name=ids]").check()
    assert page.get_by_text("3 selected").is_visible()
    page.get_by_role("button", name="Add to Sourced").click()
    page.wait_for_url("**w_location=0*")
    assert page.get_by_text("Added 3 to Sourced of Senior Backend Engineer.").is_visible()
    assert page.locator("table.rd-list .badge", has_text="In this job: Sourced").count() == 3
    page.screenshot(path=str(SHOTS / "rediscovery-added.png"), full_page=True)
    added = set(Application.objects.filter(job=job).values_list("candidate__first_name", flat=True))  # fmt: skip
    assert {f"{name} Example" for name in added} == set(names[:3])
