"""A candidate opens the preference link from an email they received, in a
real Chromium, changes what they hear about and sees it saved; then uses
the unsubscribe link."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from rapport.accounts.models import User
from rapport.outreach import services
from rapport.outreach.models import Frequency, Preference, Topic
from rapport.people.models import Candidate
from rapport.people.services import pool_add, pool_create
from tests.outreach.conftest import Sink, always_open, deliver, plain, smtp_sink
from tests.web.conftest import SHOTS

__all__ = ["always_open", "deliver", "smtp_sink"]  # the outreach fixtures, used here too

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_candidate_changes_their_preferences_from_the_link_in_an_email(
    browser_page: Any, live_server: Any, settings: Any, owner: User, candidate: Candidate,
    smtp_sink: Sink, deliver: Callable[..., Any], always_open: Any,
) -> None:  # fmt: skip
    cache.clear()
    settings.BASE_URL = live_server.url
    Topic.objects.create(name="Engineering roles", description="Openings in our product teams")
    events = Topic.objects.create(name="Events and meetups", position=1)
    Topic.objects.create(name="Newsletter", description="A short note each quarter", position=2)
    template = services.template_create(
        actor=owner, name="Roles", subject="New roles, {{ candidate.first_name }}",
        body="Hi {{ candidate.first_name }}, we have openings you may like.",
    )  # fmt: skip
    pool = pool_create(actor=owner, name="Warm")
    pool_add(actor=owner, pool=pool, candidates=[candidate])
    campaign = services.campaign_create(actor=owner, name="Roles", template=template, pool=pool)
    services.campaign_queue_messages(campaign)
    assert deliver().sent == 1
    text = plain(smtp_sink.received[0])
    link = re.search(r"Choose what you hear about: (\S+)", text)
    assert link is not None and link.group(1).startswith(f"{live_server.url}/preferences/")

    page = browser_page
    page.goto(link.group(1))
    assert page.get_by_role("heading", name="Hi Maria, what would you like to hear about?")
    assert page.get_by_label("Keep me posted").is_checked()
    assert page.get_by_label("Events and meetups").is_checked()
    assert page.get_by_text("Souza").count() == 0
    # The date field only shows when a date is what they want.
    assert not page.get_by_label("Pause until").is_visible()
    page.screenshot(path=str(SHOTS / "preferences.png"), full_page=True)

    page.get_by_label("Events and meetups").uncheck()
    page.get_by_label("At most once a month").check()
    page.get_by_label("Pause updates").select_option("date")
    later = timezone.localdate().replace(year=timezone.localdate().year + 1, day=1)
    page.get_by_label("Pause until").fill(later.isoformat())
    page.get_by_label("Roles you'd like to hear about").fill("Staff backend engineer")
    page.get_by_label("Where you'd like to work").fill("São Paulo or remote")
    page.get_by_role("button", name="Save my preferences").click()
    page.wait_for_url("**/?saved=1")
    assert page.get_by_role("status").inner_text().startswith("Saved.")
    assert page.get_by_text(f"Updates are paused until {later:%-d %B %Y}").is_visible()
    assert not page.get_by_label("Events and meetups").is_checked()
    assert page.get_by_label("At most once a month").is_checked()

    preference = Preference.objects.get(candidate=candidate)
    assert list(preference.topics_declined.all()) == [events]
    assert preference.frequency == Frequency.MONTHLY
    assert preference.paused_until == later
    assert (preference.roles, preference.locations) == (
        "Staff backend engineer",
        "São Paulo or remote",
    )
    assert preference.unsubscribed_at is None

    # On a phone, the same page reads in one column.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(SHOTS / "preferences-phone.png"), full_page=True)

    # The unsubscribe link in the same email: a page with a button first.
    unsubscribe = re.search(r"Unsubscribe: (\S+)", text)
    assert unsubscribe is not None
    page.goto(unsubscribe.group(1))
    page.screenshot(path=str(SHOTS / "unsubscribe-phone.png"), full_page=True)
    assert Preference.objects.get(candidate=candidate).unsubscribed_at is None
    page.get_by_role("button", name="Unsubscribe").click()
    page.get_by_text("Done: you're unsubscribed.").wait_for()
    page.screenshot(path=str(SHOTS / "unsubscribed-phone.png"), full_page=True)
    assert Preference.objects.get(candidate=candidate).unsubscribed_at is not None
