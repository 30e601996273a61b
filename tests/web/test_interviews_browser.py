"""A recruiter schedules an interview from an application's page, reads its
time in everyone's zone, finds the invitations in the captured mailbox, and
a hiring manager on the panel gives feedback, in a real Chromium."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from rapport.accounts.models import User
from rapport.jobs.models import Interview, Job, Stage
from rapport.jobs.services import application_create
from rapport.outreach.models import CapturedMail
from rapport.people.models import Candidate
from tests.conftest import PASSWORD
from tests.jobs.conftest import job, stage
from tests.outreach.conftest import deliver
from tests.web.conftest import SHOTS

__all__ = ["deliver", "job", "stage"]  # fixtures of other folders, used here too

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _sign_in(page: Any, url: str, user: User) -> None:
    page.goto(f"{url}/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/candidates/")


def test_a_recruiter_schedules_an_interview_and_the_panel_gives_feedback(
    browser_page: Any, live_server: Any, settings: Any, owner: User, manager: User,
    candidate: Candidate, job: Job, stage: Callable[[str], Stage], deliver: Callable[..., Any],
) -> None:  # fmt: skip
    settings.BASE_URL = live_server.url
    application = application_create(
        actor=owner, job=job, candidate=candidate, stage=stage("Interview")
    )
    page = browser_page
    # The recruiter reads in Tokyo: "You" is in Tokyo time.
    page.context.new_cdp_session(page).send(
        "Emulation.setTimezoneOverride", {"timezoneId": "Asia/Tokyo"}
    )
    _sign_in(page, live_server.url, owner)

    # From the application page: the card, then the scheduler.
    page.goto(f"{live_server.url}/applications/{application.pk}/")
    card = page.locator("#interviews")
    expect(card).to_contain_text("No interviews yet.")
    card.get_by_role("link", name="Schedule interview").click()
    expect(page.locator("h1")).to_have_text("Schedule an interview")
    day = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    page.get_by_label("Title").fill("Technical interview")
    page.get_by_label("Date").fill(day)
    page.get_by_label("Time", exact=True).fill("11:00")
    page.get_by_label("Time zone").select_option("Europe/Lisbon")
    page.get_by_label("Duration").select_option("45")
    page.get_by_label("Hana Manager (Hiring manager)").check()
    page.get_by_label("Notes for the interviewers").fill("Pair on a small Django change.")
    page.get_by_label("Video link").fill("javascript:alert(1)")
    page.get_by_role("button", name="Schedule and invite").click()
    expect(page.locator(".field.has-error")).to_contain_text("starting with https://")
    page.get_by_label("Video link").fill("https://meet.example.com/tech-maria")
    page.get_by_label("Location").fill("Rua Augusta 10, Lisbon (2nd floor)")
    page.screenshot(path=str(SHOTS / "interview-schedule.png"), full_page=True)
    page.get_by_role("button", name="Schedule and invite").click()

    # The interview, in Lisbon (scheduled), São Paulo (Maria) and this browser's zone.
    expect(page.locator(".messages")).to_contain_text("3 invitations on their way.")
    interview = Interview.objects.get()
    lisbon = interview.starts_at.astimezone(ZoneInfo("Europe/Lisbon"))
    sao_paulo = interview.starts_at.astimezone(ZoneInfo("America/Sao_Paulo"))
    assert f"{lisbon:%H:%M}" == "11:00"
    times = page.locator("table.iv-times")
    expect(times).to_contain_text(f"{sao_paulo:%H:%M}–")
    expect(times).to_contain_text("America/Sao Paulo")
    tokyo = interview.starts_at.astimezone(ZoneInfo("Asia/Tokyo"))
    you = times.locator("tr", has_text="You")
    expect(you).to_contain_text("Your browser’s time zone, Asia/Tokyo")
    expect(you).to_contain_text(f"{tokyo:%I:%M}")
    page.screenshot(path=str(SHOTS / "interview-detail.png"), full_page=True)

    # The worker sends them; the captured mailbox shows both kinds.
    assert deliver().sent == 3
    page.goto(f"{live_server.url}/outreach/mailbox/")
    expect(page.locator("table.list")).to_contain_text(
        "Interview invitation: Senior Backend Engineer"
    )
    expect(page.locator("table.list")).to_contain_text("hana@example.com")
    page.get_by_role("link", name="Interview invitation: Senior Backend Engineer").click()
    expect(page.locator("#calendar-title")).to_have_text("Calendar invitation")
    expect(page.locator(".mail-text").last).to_contain_text("METHOD:REQUEST")
    page.screenshot(path=str(SHOTS / "interview-invitation-mail.png"), full_page=True)
    raw = bytes(CapturedMail.objects.get(message__to_email="maria.souza@example.org").raw)
    assert b"text/calendar" in raw
    calendar = Calendar.from_ical(_calendar_of(raw))
    assert str(calendar.walk("VEVENT")[0]["UID"]) == interview.uid

    # Hana, on the panel, gives her feedback; she sees the interview in her list.
    page.get_by_role("button", name="Sign out").click()
    _sign_in(page, live_server.url, manager)
    page.goto(f"{live_server.url}/interviews/")
    expect(page.locator("table.list")).to_contain_text("Technical interview")
    page.screenshot(path=str(SHOTS / "interviews-mine.png"), full_page=True)
    page.get_by_role("link", name="Technical interview").click()
    page.get_by_role("link", name="Give feedback").click()
    page.get_by_text("4 · Good").click()
    page.get_by_text("Strong yes").click()
    page.get_by_label("Notes").fill("Clear about trade-offs; wrote tests first.")
    page.screenshot(path=str(SHOTS / "interview-feedback.png"), full_page=True)
    page.get_by_role("button", name="Submit feedback").click()
    expect(page.locator(".messages")).to_contain_text("Feedback saved")
    expect(page.locator("#feedback")).to_contain_text("Clear about trade-offs")
    page.goto(f"{live_server.url}/applications/{application.pk}/")
    card = page.locator("#interviews")
    expect(card).to_contain_text("average of 1 scorecard")
    expect(card).to_contain_text("Strong yes")
    card.screenshot(path=str(SHOTS / "interview-card.png"))
    page.screenshot(path=str(SHOTS / "interview-application.png"), full_page=True)


def _calendar_of(raw: bytes) -> bytes:
    import email
    import email.policy

    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    part = next(p for p in parsed.walk() if p.get_content_type() == "text/calendar")
    return bytes(part.get_payload(decode=True))
