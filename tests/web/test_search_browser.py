"""A recruiter searches, narrows with a facet, saves a segment and tags
everyone in it, in a real Chromium."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from rapport.accounts.models import User
from rapport.people.models import Candidate, CandidateTag
from tests.conftest import PASSWORD
from tests.web.conftest import SHOTS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_search_facet_segment_and_bulk_tag(
    browser_page: Any,
    live_server: Any,
    owner: User,
    make_candidate: Callable[..., Candidate],
) -> None:
    for n in range(4):
        make_candidate(
            first_name=f"Ana{n}", skills=["Python", "Django"], country="BR", city="São Paulo"
        )
    for n in range(3):
        make_candidate(first_name=f"Ben{n}", skills=["Python"], country="DE", city="Berlin")
    make_candidate(first_name="Cleo", skills=["Java"], country="BR")
    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/candidates/")

    # Type with completion: "sk" offers skill:, then "py" offers Python.
    box = page.get_by_label("Search candidates")
    box.click()
    box.type("sk")
    page.get_by_role("option", name="skill:  e.g. skill:python").click()
    box.type("py")
    page.get_by_role("option", name="Python", exact=True).click()
    assert box.input_value() == "skill:Python "
    box.press("Enter")
    page.wait_for_url("**/candidates/?q=*")
    assert page.get_by_text("7 matching").is_visible()
    assert page.locator("mark.hit", has_text="Python").count() == 7

    # Narrow by a facet: Brazil.
    page.locator("details.facet", has_text="Country").locator("summary").click()
    page.get_by_role("link", name="Brazil").click()
    page.wait_for_url("**country%3ABR*")
    assert page.get_by_text("4 matching").is_visible()
    assert page.get_by_role("link", name="Ana0 Example").is_visible()
    assert page.get_by_role("link", name="Ben0 Example").count() == 0
    chips = page.locator(".query-chips li")
    assert chips.all_inner_texts() == ["skill:Python\n×", "country:BR\n×"]
    page.screenshot(path=str(SHOTS / "search.png"), full_page=True)

    # Save it as a segment, shared with the team.
    page.get_by_role("link", name="Save as segment").click()
    page.get_by_label("Name").fill("Brazilian Pythonistas")
    page.get_by_label("Share with the team").check()
    page.get_by_role("button", name="Save segment").click()
    page.wait_for_url("**/segments/*/")
    assert page.get_by_text("4 in this segment right now").is_visible()
    page.screenshot(path=str(SHOTS / "segment.png"), full_page=True)

    # Tag everyone in it, from the segment page.
    page.get_by_text("Act on all 4 in this segment").click()
    page.locator("#all-action").select_option("tag")
    page.locator("#all-tag").fill("warm-brazil")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Apply to all 4").click()
    page.wait_for_selector("text=Tag: 4 changed of 4 matches.")
    tagged = CandidateTag.objects.filter(tag__name="warm-brazil")
    assert sorted(tagged.values_list("candidate__first_name", flat=True)) == [
        "Ana0", "Ana1", "Ana2", "Ana3",
    ]  # fmt: skip

    # The segment list counts its members.
    page.get_by_role("link", name="Segments").click()
    row = page.locator("tr", has_text="Brazilian Pythonistas")
    row.locator("td.num", has_text="4").wait_for()
    page.screenshot(path=str(SHOTS / "segments.png"), full_page=True)
