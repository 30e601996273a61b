"""The whole of a role opening, as a recruiter does it in a real Chromium:
open the job, find the best of the talent pool for it, add three, drag one
to Interview on the board, schedule the interview from the application, and
read the invitation in the captured mailbox."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from rapport.accounts.models import User
from rapport.jobs.models import Application, Interview, Job
from rapport.outreach.models import CapturedMail
from rapport.people.models import Candidate
from tests.conftest import PASSWORD
from tests.jobs.conftest import job
from tests.outreach.conftest import deliver
from tests.web.conftest import SHOTS

__all__ = ["deliver", "job"]  # fixtures of other folders, used here too

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

POOL = [
    ("Ana", "Senior Backend Engineer", "Lisbon", "PT", "senior", ["Python", "Django", "PostgreSQL"]),
    ("Bruno", "Backend Developer", "Porto", "PT", "mid", ["Python", "Django"]),
    ("Chloé", "Python Developer", "Lyon", "FR", "senior", ["Python", "Django"]),
    ("Dev", "Data Analyst", "Pune", "IN", "junior", ["SQL"]),
    ("Edu", "Nurse", "Lima", "PE", "mid", ["Nursing"]),
]  # fmt: skip


def test_a_role_opens_and_is_filled_from_the_warm_pool(
    browser_page: Any, live_server: Any, settings: Any, owner: User, manager: User,
    job: Job, make_candidate: Callable[..., Candidate], deliver: Callable[..., Any],
) -> None:  # fmt: skip
    settings.BASE_URL = live_server.url
    for first, title, city, country, level, skills in POOL:
        make_candidate(
            first_name=first, last_name="Example", current_title=title, city=city,
            country=country, seniority=level, skills=skills,
        )  # fmt: skip
    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/candidates/")

    # Open the job, then look in the talent pool before posting anything.
    page.locator("nav.nav").get_by_role("link", name="Jobs").click()
    page.get_by_role("link", name="Senior Backend Engineer").click()
    page.get_by_role("link", name="Find in talent pool").click()
    page.wait_for_url(f"**/jobs/{job.pk}/rediscover/")
    rows = page.locator("table.rd-list > tbody > tr")
    names = rows.locator("a.name").all_inner_texts()
    assert names[0] == "Ana Example"
    assert names.index("Edu Example") > 2  # a nurse is not a backend engineer
    for n in range(3):
        rows.nth(n).locator("input[name=ids]").check()
    page.get_by_role("button", name="Add to Sourced").click()
    expect(page.get_by_text("Added 3 to Sourced of Senior Backend Engineer.")).to_be_visible()
    top_three = set(names[:3])
    in_job = Application.objects.filter(job=job).select_related("candidate")
    assert {a.candidate.full_name for a in in_job} == top_three

    # The board: drag Ana from Sourced to Interview.
    page.get_by_role("link", name="Board").click()

    def column(name: str) -> Any:
        return page.locator(f'.board-col[data-name="{name}"]')

    expect(column("Sourced").locator(".board-count")).to_have_text("3")
    column("Sourced").locator(".board-card", has_text="Ana Example").drag_to(column("Interview"))
    expect(page.locator("#board-status")).to_have_text("Ana Example moved to Interview.")
    expect(column("Interview").locator(".board-card", has_text="Ana Example")).to_be_visible()
    page.screenshot(path=str(SHOTS / "hiring-board.png"), full_page=True)
    ana = Application.objects.get(job=job, candidate__first_name="Ana")
    assert ana.stage.name == "Interview"

    # Her application: schedule the interview, with Hana on the panel.
    column("Interview").get_by_role("link", name="Ana Example").click()
    page.wait_for_url(f"**/applications/{ana.pk}/")
    page.locator("#interviews").get_by_role("link", name="Schedule interview").click()
    day = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    page.get_by_label("Title").fill("Technical interview")
    page.get_by_label("Date").fill(day)
    page.get_by_label("Time", exact=True).fill("10:30")
    page.get_by_label("Time zone").select_option("Europe/Lisbon")
    page.get_by_label("Hana Manager (Hiring manager)").check()
    page.get_by_label("Video link").fill("https://meet.example.com/ana")
    page.get_by_role("button", name="Schedule and invite").click()
    expect(page.locator(".messages")).to_contain_text("invitations on their way")
    interview = Interview.objects.get()

    # The worker sends them; the captured mailbox holds Ana's invitation.
    assert deliver().sent >= 2
    page.goto(f"{live_server.url}/outreach/mailbox/")
    mailbox = page.locator("table.list")
    expect(mailbox).to_contain_text("Interview invitation: Senior Backend Engineer")
    expect(mailbox).to_contain_text("hana@example.com")
    page.locator("table.list tr", has_text=ana.candidate.primary_email).get_by_role(
        "link", name="Interview invitation: Senior Backend Engineer"
    ).click()
    expect(page.locator("#calendar-title")).to_have_text("Calendar invitation")
    page.screenshot(path=str(SHOTS / "hiring-invitation.png"), full_page=True)
    raw = bytes(CapturedMail.objects.get(message__to_email=ana.candidate.primary_email).raw)
    calendar = Calendar.from_ical(_calendar_part(raw))
    event = calendar.walk("VEVENT")[0]
    assert (str(calendar["METHOD"]), str(event["UID"])) == ("REQUEST", interview.uid)
    assert event.decoded("DTSTART") == interview.starts_at


def _calendar_part(raw: bytes) -> bytes:
    import email
    import email.policy

    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    part = next(p for p in parsed.walk() if p.get_content_type() == "text/calendar")
    return bytes(part.get_payload(decode=True))
