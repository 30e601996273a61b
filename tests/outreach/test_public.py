"""What a candidate reaches from an email, without signing in: one-click
unsubscribe, the preference centre, leaving entirely, and what a bad link
shows."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from rapport.accounts.models import User
from rapport.core.models import Activity, ActivityKind
from rapport.outreach import public, services, tokens
from rapport.outreach.models import (
    Campaign,
    Frequency,
    Message,
    MessageKind,
    MessageStatus,
    Preference,
    Suppression,
    Topic,
)
from rapport.outreach.policy import address_digest
from rapport.people.models import Candidate
from rapport.people.services import pool_add, pool_create
from tests.outreach.conftest import Sink, html, plain, refresh

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_throttle() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def campaign_for(
    owner: User, people: list[Candidate], *, name: str = "News", topic: Topic | None = None
) -> Campaign:
    """A campaign to `people`, its messages written and due now."""
    template = services.template_create(
        actor=owner, name=name, subject=f"{name} for {{{{ candidate.first_name }}}}",
        body="Hello {{ candidate.first_name }}, [see the roles](https://jobs.example.com/open).",
        topic=topic,
    )  # fmt: skip
    pool = pool_create(actor=owner, name=f"Pool {name}")
    pool_add(actor=owner, pool=pool, candidates=people)
    campaign = services.campaign_create(actor=owner, name=name, template=template, pool=pool)
    services.campaign_queue_messages(campaign)
    return campaign


def path_of(url: str) -> str:
    return urlsplit(url).path


def unsubscribe_path(candidate: Candidate) -> str:
    return f"/unsubscribe/{tokens.candidate_token(candidate.pk)}/"


def preferences_path(candidate: Candidate) -> str:
    return f"/preferences/{tokens.candidate_token(candidate.pk)}/"


def text(response: Any) -> str:
    return str(response.content.decode())


# --- unsubscribe


def test_opening_the_unsubscribe_link_shows_a_button_and_changes_nothing(
    client: Client, candidate: Candidate
) -> None:
    response = client.get(unsubscribe_path(candidate))
    assert response.status_code == 200
    page = text(response)
    assert "Unsubscribe from our updates?" in page and "Hi Maria," in page
    assert '<button class="btn btn-primary" type="submit">Unsubscribe</button>' in page
    assert client.head(unsubscribe_path(candidate)).status_code == 200
    assert not Preference.objects.filter(candidate=candidate).exists()
    assert not Activity.objects.filter(candidate=candidate, kind=ActivityKind.UNSUBSCRIBED).exists()


def test_a_mail_clients_one_click_post_unsubscribes_without_login_or_csrf(
    owner: User, candidate: Candidate
) -> None:
    campaign = campaign_for(owner, [candidate])
    personal = services.email_send(actor=owner, candidate=candidate, subject="Hi", body="Call?")
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        unsubscribe_path(candidate),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert "you're unsubscribed" in text(response)
    assert Preference.objects.get(candidate=candidate).unsubscribed_at is not None
    activity = Activity.objects.get(candidate=candidate, kind=ActivityKind.UNSUBSCRIBED)
    assert activity.data == {"source": "one-click"} and activity.actor is None
    # Mail already queued is held back at once; personal mail still goes.
    [queued] = campaign.messages.all()
    assert (queued.status, queued.reason) == (MessageStatus.SUPPRESSED, "unsubscribed")
    assert refresh(personal).status == MessageStatus.QUEUED
    # A second request is harmless and still answers 200.
    assert strict.post(unsubscribe_path(candidate)).status_code == 200
    assert Activity.objects.filter(candidate=candidate, kind=ActivityKind.UNSUBSCRIBED).count() == 1
    page = text(strict.get(unsubscribe_path(candidate)))
    assert "You're already unsubscribed, Maria" in page


def test_the_unsubscribe_link_in_a_delivered_email_works_and_the_next_send_is_held(
    owner: User, candidate: Candidate, smtp_sink: Sink, deliver: Callable[..., Any],
    always_open: Any,
) -> None:  # fmt: skip
    campaign_for(owner, [candidate], name="First")
    assert deliver().sent == 1
    [received] = smtp_sink.received
    header = received.message["List-Unsubscribe"]
    url = re.search(r"<(https?://[^>]+)>", header)
    assert url is not None and url.group(1) in plain(received) and url.group(1) in html(received)
    Client(enforce_csrf_checks=True).post(
        path_of(url.group(1)), "List-Unsubscribe=One-Click", "application/x-www-form-urlencoded"
    )
    second = campaign_for(owner, [candidate], name="Second")
    assert deliver().sent == 0
    assert len(smtp_sink.received) == 1
    assert second.messages.get().status == MessageStatus.SUPPRESSED


def test_the_mailto_unsubscribe_address_carries_a_token_that_round_trips(
    owner: User, candidate: Candidate, smtp_sink: Sink, deliver: Callable[..., Any],
    always_open: Any,
) -> None:  # fmt: skip
    campaign_for(owner, [candidate])
    deliver()
    header = smtp_sink.received[0].message["List-Unsubscribe"]
    found = re.search(r"<mailto:unsubscribe\+([^@>]+)@([^>]+)>", header)
    assert found is not None
    assert ":" not in found.group(1)
    assert tokens.candidate_from_token(found.group(1).replace(".", ":")) == candidate.pk
    assert "Maria" not in header and "souza" not in header.lower()


# --- bad links


def test_a_bad_token_gets_a_friendly_not_found_page(client: Client, candidate: Candidate) -> None:
    good = tokens.candidate_token(candidate.pk)
    forged = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    for path in (
        f"/unsubscribe/{forged}/",
        f"/preferences/{forged}/",
        f"/preferences/{forged}/leave/",
        "/preferences/not-a-token/",
    ):
        response = client.get(path)
        assert response.status_code == 404
        assert "This link isn't working" in text(response)
        assert "Maria" not in text(response)
    assert client.post(f"/unsubscribe/{forged}/").status_code == 404
    assert not Preference.objects.exists()


def test_a_signed_token_for_nobody_looks_the_same_as_a_bad_one(
    client: Client, candidate: Candidate
) -> None:
    nobody = tokens.candidate_token(candidate.pk + 1000)
    forged = f"{candidate.pk:x}:forged"
    assert text(client.get(f"/preferences/{nobody}/")) == text(
        client.get(f"/preferences/{forged}/")
    )


def test_an_address_that_keeps_guessing_is_turned_away_for_a_while(
    client: Client, candidate: Candidate
) -> None:
    for n in range(public.BAD_TOKEN_LIMIT):
        assert client.get(f"/preferences/{n:x}:guess/").status_code == 404
    response = client.get(preferences_path(candidate))
    assert response.status_code == 429
    assert "Please try again in a few minutes" in text(response)
    assert "Maria" not in text(response)
    assert response["Retry-After"] == str(public.BAD_TOKEN_SECONDS)
    other = Client(REMOTE_ADDR="192.0.2.7")
    assert other.get(preferences_path(candidate)).status_code == 200


# --- the preference centre


def test_the_preference_page_shows_the_first_name_and_nothing_else_about_them(
    client: Client, candidate: Candidate, owner: User
) -> None:
    Topic.objects.create(name="Engineering roles", description="Jobs in our engineering teams")
    Topic.objects.create(name="Events", position=1)
    response = client.get(preferences_path(candidate))
    assert response.status_code == 200
    page = text(response)
    assert "Hi Maria, what would you like to hear about?" in page
    for private in ("Souza", "maria.souza", "Bluefin", "São Paulo", "Rita", owner.email):
        assert private not in page
    assert "Engineering roles" in page and "Jobs in our engineering teams" in page
    assert "At most once a month" in page
    assert response["Cache-Control"] == "private, no-store"
    assert "noindex" in response["X-Robots-Tag"]
    # Every topic is ticked and "keep me posted" chosen when nothing was said yet.
    ticked = re.findall(r"<input[^>]*\bchecked", page)
    assert len(ticked) == 4  # two topics, "keep me posted", the normal frequency
    assert not Preference.objects.exists()


def test_saving_preferences_applies_them_and_queued_mail_follows_them(
    client: Client, owner: User, candidate: Candidate, smtp_sink: Sink,
    deliver: Callable[..., Any], always_open: Any,
) -> None:  # fmt: skip
    events = Topic.objects.create(name="Events")
    jobs = Topic.objects.create(name="Engineering roles", position=1)
    to_events = campaign_for(owner, [candidate], name="Meetup", topic=events)
    to_jobs = campaign_for(owner, [candidate], name="Roles", topic=jobs)
    page = client.get(preferences_path(candidate))
    assert page.status_code == 200
    response = client.post(
        preferences_path(candidate),
        {
            "subscribed": "yes",
            "topics": [jobs.pk],  # Events unticked
            "frequency": Frequency.NORMAL,
            "pause": "",
            "roles": "Backend, team lead",
            "locations": "Lisbon or remote",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("?saved=1")
    preference = Preference.objects.get(candidate=candidate)
    assert list(preference.topics_declined.all()) == [events]
    assert preference.frequency == Frequency.NORMAL
    assert (preference.roles, preference.locations) == ("Backend, team lead", "Lisbon or remote")
    assert preference.unsubscribed_at is None and preference.paused_until is None
    assert Activity.objects.filter(
        candidate=candidate, kind=ActivityKind.PREFERENCES_UPDATED
    ).exists()
    # The message about the declined topic is held back; the other goes.
    assert deliver().sent == 1
    assert to_events.messages.get().status == MessageStatus.SUPPRESSED
    assert to_events.messages.get().reason == "topic_declined"
    assert to_jobs.messages.get().status == MessageStatus.SENT
    # The page shows what was saved.
    saved = text(client.get(response["Location"]))
    assert "Saved. Your choices apply from now on" in saved
    assert 'value="Backend, team lead"' in saved
    assert re.search(rf'value="{jobs.pk}"[^>]*checked', saved)
    assert not re.search(rf'value="{events.pk}"[^>]*checked', saved)


def test_a_pause_moves_queued_mail_until_after_it(
    client: Client, owner: User, candidate: Candidate, smtp_sink: Sink,
    deliver: Callable[..., Any], always_open: Any,
) -> None:  # fmt: skip
    campaign = campaign_for(owner, [candidate])
    client.post(
        preferences_path(candidate),
        {"subscribed": "yes", "frequency": Frequency.QUARTERLY, "pause": "90"},
    )
    preference = Preference.objects.get(candidate=candidate)
    until = preference.paused_until
    assert preference.frequency == Frequency.QUARTERLY
    assert until == timezone.localdate() + dt.timedelta(days=90)
    assert deliver().sent == 0 and smtp_sink.received == []
    message = campaign.messages.get()
    assert (message.status, message.reason) == (MessageStatus.QUEUED, "paused")
    assert message.due_at.date() > until
    page = text(client.get(preferences_path(candidate)))
    assert f"Updates are paused until {until:%-d %B %Y}" in page
    assert re.search(r'value="quarterly"[^>]*checked', page)


def test_a_pause_until_a_chosen_date_needs_the_date_and_refuses_the_past(
    client: Client, candidate: Candidate
) -> None:
    base = {"subscribed": "yes", "frequency": Frequency.NORMAL, "pause": "date"}
    response = client.post(preferences_path(candidate), base)
    assert response.status_code == 200
    assert "Choose the date you&#x27;d like to hear from us again." in text(response)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = client.post(preferences_path(candidate), {**base, "paused_until": yesterday})
    assert "Choose a date from today on." in text(response)
    assert not Preference.objects.exists()
    later = timezone.localdate() + dt.timedelta(days=20)
    client.post(preferences_path(candidate), {**base, "paused_until": later.isoformat()})
    assert Preference.objects.get(candidate=candidate).paused_until == later


def test_unsubscribing_from_the_preference_page_holds_queued_mail_and_can_be_undone(
    client: Client, owner: User, candidate: Candidate
) -> None:
    campaign = campaign_for(owner, [candidate])
    client.post(preferences_path(candidate), {"subscribed": "no", "frequency": "normal"})
    assert Preference.objects.get(candidate=candidate).unsubscribed_at is not None
    assert campaign.messages.get().status == MessageStatus.SUPPRESSED
    page = text(client.get(preferences_path(candidate)))
    assert re.search(r'value="no"[^>]*checked', page)
    client.post(preferences_path(candidate), {"subscribed": "yes", "frequency": "normal"})
    assert Preference.objects.get(candidate=candidate).unsubscribed_at is None


def test_the_preference_form_is_protected_against_cross_site_posts(candidate: Candidate) -> None:
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(preferences_path(candidate), {"subscribed": "no", "frequency": "normal"})
    assert response.status_code == 403
    assert not Preference.objects.exists()


# --- leaving entirely


def test_leaving_entirely_asks_first_then_stops_every_email(
    client: Client, owner: User, candidate: Candidate
) -> None:
    campaign = campaign_for(owner, [candidate])
    personal = services.email_send(actor=owner, candidate=candidate, subject="Hi", body="Call?")
    leave_path = f"{preferences_path(candidate)}leave/"
    page = text(client.get(leave_path))
    assert "Stop all email from us?" in page and "including personal messages" in page
    assert not Preference.objects.exists()
    response = client.post(leave_path)
    assert response.status_code == 200
    assert "You won't hear from us again, Maria" in text(response)
    preference = Preference.objects.get(candidate=candidate)
    assert preference.left_at is not None and preference.unsubscribed_at is not None
    assert Suppression.objects.filter(digest=address_digest("maria.souza@example.org")).exists()
    assert campaign.messages.get().status == MessageStatus.SUPPRESSED
    personal = refresh(personal)
    assert personal.kind == MessageKind.TRANSACTIONAL
    assert (personal.status, personal.reason) == (MessageStatus.SUPPRESSED, "left")
    # The preference link now says so, with no form to change anything.
    again = text(client.get(preferences_path(candidate)))
    assert "You won't hear from us again" in again and "<form" not in again


def test_nothing_is_held_for_other_candidates(
    client: Client, owner: User, candidate: Candidate, make_candidate: Callable[..., Candidate]
) -> None:
    other = make_candidate(first_name="Joana")
    campaign = campaign_for(owner, [candidate, other])
    client.post(unsubscribe_path(candidate))
    statuses = dict(campaign.messages.values_list("candidate_id", "status"))
    assert statuses == {candidate.pk: MessageStatus.SUPPRESSED, other.pk: MessageStatus.QUEUED}
    assert not Message.objects.filter(candidate=other, status=MessageStatus.SUPPRESSED).exists()
