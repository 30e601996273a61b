"""A person joins the talent community in a real Chromium: fills in the
public page, finds the confirmation in the mailbox (a real SMTP server on
loopback), opens the link, confirms, lands on the thank-you page and goes
on to their preferences."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache

from rapport.people.models import Candidate, ConsentState, Pool
from rapport.people.services import pool_create
from rapport.privacy.models import Consent
from rapport.sourcing import community
from tests.conftest import PASSWORD
from tests.outreach.conftest import Sink, plain, smtp_sink
from tests.sourcing.test_community import run_confirmations
from tests.web.conftest import SHOTS

__all__ = ["smtp_sink"]  # the outreach fixture, used here too

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_person_joins_from_the_public_page_and_confirms_from_their_email(
    browser_page: Any, live_server: Any, settings: Any, owner: Any, smtp_sink: Sink
) -> None:
    cache.clear()
    settings.BASE_URL = live_server.url
    pool = pool_create(actor=owner, name="Platform engineers")
    page = browser_page
    page.set_viewport_size({"width": 1100, "height": 900})
    page.goto(community.join_url(pool))
    assert page.get_by_role("heading", name="Join our talent community").is_visible()
    assert "Platform engineers" not in page.content()  # the pool is the team's business
    # The honeypot is there for robots only: off the page, out of the tab order.
    trap = page.get_by_label("Leave this field empty").bounding_box()
    assert trap is not None and trap["x"] + trap["width"] < 0

    page.get_by_label("First name").fill("Aiko")
    page.get_by_label("Last name").fill("Tanaka")
    page.get_by_label("Email").fill("aiko.tanaka@example.net")
    page.get_by_label("Roles you're interested in").fill("Site reliability, platform")
    page.get_by_label("Teams or departments").fill("Infrastructure")
    page.get_by_label("Where you'd like to work").fill("Tokyo or remote")
    page.get_by_text("Read the privacy notice (version 1)", exact=True).click()
    assert page.get_by_role("heading", name="What we keep").is_visible()
    page.screenshot(path=str(SHOTS / "community-join.png"), full_page=True)

    # Forgetting the box is explained, and nothing typed is lost.
    page.get_by_role("button", name="Join the talent community").click()
    assert page.get_by_text("Please tick the box to agree to the privacy notice").is_visible()
    assert page.get_by_label("First name").input_value() == "Aiko"
    page.get_by_label("I have read the privacy notice (version 1) and agree to it").check()
    page.get_by_role("button", name="Join the talent community").click()
    assert page.get_by_role("heading", name="Check your inbox").is_visible()
    assert page.get_by_text("aiko.tanaka@example.net").is_visible()
    page.screenshot(path=str(SHOTS / "community-check-inbox.png"), full_page=True)
    assert not Candidate.objects.exists()

    assert run_confirmations() == ["sent"]
    [mail] = smtp_sink.to("aiko.tanaka@example.net")
    link = re.search(r"https?://\S+/join/confirm/\S+/", plain(mail))
    assert link is not None and link.group(0).startswith(live_server.url)

    page.goto(link.group(0))
    assert page.get_by_role("heading", name="One last step, Aiko").is_visible()
    page.get_by_role("button", name="Yes, confirm and join").click()
    assert page.get_by_role("heading", name="Welcome aboard, Aiko!").is_visible()
    assert page.get_by_role("status").inner_text().startswith("Done")
    page.screenshot(path=str(SHOTS / "community-welcome.png"), full_page=True)

    aiko = Candidate.objects.get()
    assert (aiko.full_name, aiko.source, aiko.consent) == (
        "Aiko Tanaka",
        "talent-community",
        ConsentState.GIVEN,
    )
    assert Consent.objects.get(candidate=aiko).notice.version == "1"
    assert list(Pool.objects.filter(candidates=aiko)) == [pool]

    page.get_by_role("link", name="Choose what you hear about").click()
    assert page.get_by_role("heading", name="Hi Aiko, what would you like to hear about?")
    assert page.get_by_label("Roles you'd like to hear about").input_value() == (
        "Site reliability, platform; Infrastructure"
    )
    assert page.get_by_label("Where you'd like to work").input_value() == "Tokyo or remote"

    # The link has done its job.
    page.goto(link.group(0))
    assert page.get_by_role("heading", name="You've already confirmed").is_visible()

    # On a phone the page is one column, with nothing wider than the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(community.join_url())
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    first, last = (page.get_by_label(n).bounding_box() for n in ("First name", "Last name"))
    assert first is not None and last is not None and last["y"] > first["y"]
    page.screenshot(path=str(SHOTS / "community-join-phone.png"), full_page=True)


def _sign_in(page: Any, live_server: Any, user: Any) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/candidates/")


def test_a_hiring_manager_refers_a_friend_and_the_team_sees_who_to_thank(
    browser_page: Any, live_server: Any, settings: Any, owner: Any, manager: Any
) -> None:
    settings.BASE_URL = live_server.url
    page = browser_page
    pool_create(actor=owner, name="Platform engineers")
    _sign_in(page, live_server, manager)
    page.get_by_role("link", name="Referrals").click()
    assert page.get_by_text("You haven't referred anyone yet.").is_visible()
    page.get_by_role("link", name="Refer someone").first.click()
    page.get_by_label("First name").fill("Tomás")
    page.get_by_label("Last name").fill("Reyes")
    page.get_by_label("Email").fill("tomas.reyes@example.net")
    page.get_by_label("Current title").fill("Site reliability engineer")
    page.get_by_label("Current company").fill("Northwind")
    page.get_by_label("Why them?").fill("We ran on-call together for two years. Calm under fire.")
    page.get_by_label("They know I'm passing their details to the recruiting team").check()
    page.screenshot(path=str(SHOTS / "referral-form.png"), full_page=True)
    page.get_by_role("button", name="Refer them").click()
    page.wait_for_url("**/refer/")
    assert page.get_by_text("Tomás Reyes is now in the talent pool").is_visible()
    row = page.get_by_role("row", name=re.compile("Tomás Reyes"))
    assert "Not yet" in row.inner_text()
    page.screenshot(path=str(SHOTS / "referrals.png"), full_page=True)
    row.get_by_role("link", name="Tomás Reyes").click()
    page.wait_for_url("**/candidates/*/")
    assert page.get_by_text("Calm under fire.").first.is_visible()

    page.get_by_role("button", name="Sign out").click()
    _sign_in(page, live_server, owner)
    page.get_by_role("link", name="Talent community").click()
    page.get_by_label("For one pool").select_option(label="Platform engineers")
    page.get_by_role("button", name="Make link").click()
    link = page.get_by_label("Sign-up link for Platform engineers").input_value()
    assert link.startswith(f"{live_server.url}/join/")
    page.screenshot(path=str(SHOTS / "community-admin.png"), full_page=True)
    page.get_by_role("link", name="Referrals").click()
    page.get_by_role("link", name="Everyone's").click()
    row = page.get_by_role("row", name=re.compile("Tomás Reyes"))
    assert "Hana Manager" in row.inner_text()
