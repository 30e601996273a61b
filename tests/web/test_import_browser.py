"""A recruiter imports a file with a mapping of their own, watches it run,
reads the report and opens a possible duplicate, in a real Chromium."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from rapport.accounts.models import User
from rapport.sourcing.imports import import_run
from rapport.sourcing.models import DuplicateReview, ImportJob
from tests.conftest import PASSWORD
from tests.web.conftest import SHOTS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

FILE = Path(__file__).resolve().parent.parent / "sourcing" / "files" / "linkedin.csv"


def test_import_with_a_mapping_and_review_a_possible_duplicate(
    browser_page: Any, live_server: Any, owner: User
) -> None:
    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/candidates/")

    page.get_by_role("link", name="Import", exact=True).click()
    page.wait_for_url("**/imports/")
    page.get_by_label("File").set_input_files(str(FILE))
    page.get_by_role("button", name="Upload and map columns").click()
    page.wait_for_url(re.compile(r".*/imports/\d+/$"))
    assert page.get_by_role("heading", name="Map the columns").is_visible()
    assert page.get_by_role("combobox", name="Email Address").input_value() == "email"
    assert page.get_by_text("Email: “not-an-email” is not an email address.").is_visible()

    # The headline goes to the title instead, and the title column is skipped.
    page.get_by_role("combobox", name="Headline").select_option("current_title")
    page.get_by_role("combobox", name="Current Title").select_option("")
    page.get_by_role("button", name="Preview with these columns").click()
    preview = page.locator("table.import-preview")
    assert preview.get_by_text("Backend engineer Python, Django · Bluefin").is_visible()
    page.get_by_label("Tag everyone").fill("spring-fair")
    page.screenshot(path=str(SHOTS / "import-mapping.png"), full_page=True)
    page.get_by_role("button", name="Run the import").click()
    assert page.get_by_role("progressbar").is_visible()

    # The worker's part, run here: the page follows its progress on its own.
    job = ImportJob.objects.get()
    import_run(job_id=job.pk)
    page.get_by_text("possible duplicates").first.wait_for()
    summary = page.locator(".import-summary")
    assert summary.inner_text().split("\n") == [
        "3 created",
        "1 updated",
        "0 unchanged",
        "1 possible duplicates · review them",
        "4 rejected",
    ]
    page.screenshot(path=str(SHOTS / "import-report.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the report (CSV)").click()
    assert download.value.suggested_filename == f"report-{job.pk}-linkedin.csv"

    review = DuplicateReview.objects.get()
    link = page.get_by_role("link", name="Review the pair")
    assert link.get_attribute("href") == f"/sourcing/reviews/{review.pk}/"
    link.click()
    page.wait_for_url(f"**/sourcing/reviews/{review.pk}/")
    assert page.get_by_text("Maria Sousa").first.is_visible()
    assert page.get_by_text("Maria Souza").first.is_visible()
