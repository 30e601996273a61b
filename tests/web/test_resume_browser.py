"""A recruiter uploads a résumé on a candidate's page, keeps some of what was
read from it, and finds it on the profile, in a real Chromium."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from rapport.accounts.models import User
from rapport.people.models import Candidate
from rapport.sourcing.models import Resume, ResumeStatus
from tests.conftest import PASSWORD
from tests.sourcing.resume_samples import PEOPLE_BY_KEY, docx_one_column, pdf_one_column
from tests.sourcing.test_resumes import zipped
from tests.web.conftest import SHOTS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_recruiter_uploads_a_resume_and_keeps_what_was_read(
    browser_page: Any,
    live_server: Any,
    settings: Any,
    tmp_path: Path,
    owner: User,
    make_candidate: Any,
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    ana = PEOPLE_BY_KEY["ana"]
    candidate: Candidate = make_candidate(
        first_name="Ana", last_name="Carvalho", emails=[], skills=["Python"], country="BR"
    )
    resume_file = tmp_path / "Ana Carvalho - CV.docx"
    resume_file.write_bytes(docx_one_column(ana, skills_table=True))

    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/candidates/")
    page.goto(f"{live_server.url}/candidates/{candidate.pk}/")

    card = page.locator("#resumes")
    expect(card).to_contain_text("No résumé yet.")
    card.get_by_label("Upload a résumé").set_input_files(str(resume_file))
    card.get_by_role("button", name="Upload", exact=True).click()
    page.wait_for_url("**/resumes/*/confirm/")
    expect(page.get_by_role("heading", name="What the résumé says")).to_be_visible()
    review = page.locator(".resume-review")
    expect(review).to_contain_text("Bluefin Analytics")
    expect(review).to_contain_text("Kubernetes")
    expect(page.get_by_label("Current title as read")).to_have_value("Senior Backend Engineer")
    page.screenshot(path=str(SHOTS / "resume_confirm.png"), full_page=True)

    # Keep the title as read, correct the company, take two skills and the
    # address; leave the years of experience out.
    expect(page.get_by_label("Keep the current title")).to_be_checked()
    page.get_by_label("Current company as read").fill("Bluefin Analytics S.A.")
    page.get_by_label("Keep the years of experience").uncheck()
    page.get_by_label("Redis").check()
    page.get_by_label("Kubernetes").check()
    page.get_by_label("ana.carvalho@example.org").check()
    page.get_by_label("Go", exact=True).uncheck()
    page.get_by_role("button", name="Save the ticked fields").click()
    page.wait_for_url(f"**/candidates/{candidate.pk}/")

    expect(page.locator(".messages")).to_contain_text("Saved to the profile")
    expect(page.locator(".profile-head .headline")).to_have_text(
        "Senior Backend Engineer at Bluefin Analytics S.A."
    )
    skills = page.locator(".chip-skill")
    expect(skills.filter(has_text="Kubernetes")).to_be_visible()
    expect(skills.filter(has_text="Redis")).to_be_visible()
    expect(skills.filter(has_text=re.compile(r"^Go$"))).to_have_count(0)
    expect(page.locator(".contact-row", has_text="ana.carvalho@example.org")).to_be_visible()
    expect(card).to_contain_text("Ana Carvalho - CV.docx")
    expect(card.locator(".status")).to_have_text("Confirmed")
    page.locator("#resumes").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "resume_profile.png"), full_page=True)

    candidate.refresh_from_db()
    assert candidate.current_company == "Bluefin Analytics S.A."
    assert candidate.years_experience is None
    assert Resume.objects.get().status == ResumeStatus.CONFIRMED

    # The file comes back as an attachment, byte for byte.
    with page.expect_download() as download:
        card.get_by_role("link", name="Ana Carvalho - CV.docx").click()
    saved = tmp_path / "downloaded.docx"
    download.value.save_as(str(saved))
    assert download.value.suggested_filename == "Ana Carvalho - CV.docx"
    assert saved.read_bytes() == resume_file.read_bytes()


def test_a_recruiter_uploads_a_zip_of_resumes_and_reads_the_report(
    browser_page: Any,
    live_server: Any,
    settings: Any,
    tmp_path: Path,
    owner: User,
    make_candidate: Any,
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    jose = PEOPLE_BY_KEY["jose"]
    known = make_candidate(first_name="José", last_name="Müller", emails=[jose.email])
    archive = tmp_path / "résumés.zip"
    archive.write_bytes(
        zipped(
            {
                "jose.pdf": pdf_one_column(jose),
                "zoe.docx": docx_one_column(PEOPLE_BY_KEY["zoe"]),
                "../escape.pdf": pdf_one_column(PEOPLE_BY_KEY["priya"]),
                "notes.txt": b"call back on Monday",
            }
        )
    )
    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/candidates/")
    page.goto(f"{live_server.url}/candidates/{known.pk}/")
    page.locator("#resumes").get_by_role("link", name="Upload many résumés at once").click()
    page.wait_for_url("**/resumes/bulk/")
    page.get_by_label("Résumés (PDF or DOCX) or a zip of them").set_input_files(str(archive))
    page.get_by_role("button", name="Read the résumés").click()
    report = page.locator("#bulk-report")
    expect(report).to_contain_text("1 created · 1 updated · 0 unchanged · 2 not read")
    expect(report.get_by_role("row", name="jose.pdf")).to_contain_text("Matched by email")
    expect(report.get_by_role("row", name="escape.pdf")).to_contain_text(
        "points outside the archive"
    )
    page.screenshot(path=str(SHOTS / "resume_bulk.png"), full_page=True)
    report.get_by_role("link", name="Zoë O'Brien").click()
    expect(page.get_by_role("heading", name="Zoë O'Brien")).to_be_visible()
    expect(page.locator("#resumes")).to_contain_text("Read, to confirm")
