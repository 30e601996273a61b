"""Opens and clicks: the pixel and the links in the HTML part, what a person
and what a machine leave behind, and that the redirect only goes where our
own email pointed."""

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
from rapport.engagement import scoring
from rapport.outreach import services, tokens, tracking
from rapport.outreach.models import EventKind, Message, MessageEvent
from rapport.people.models import Candidate
from rapport.people.services import pool_add, pool_create
from tests.outreach.conftest import Sink, html, plain, refresh

pytestmark = pytest.mark.django_db

BROWSER = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Safari/605.1.15"
)
BODY = (
    "Hello {{ candidate.first_name }}, [see the roles](https://jobs.example.com/open?team=data&x=1)"
    " or [our blog](http://blog.example.com/post).\n\n"
    "[Your preferences]({{ preferences_url }})"
)


@pytest.fixture(autouse=True)
def fresh_throttle() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def sent(
    owner: User, candidate: Candidate, smtp_sink: Sink, deliver: Callable[..., Any],
    always_open: Any,
) -> Message:  # fmt: skip
    """A campaign message, delivered a minute ago."""
    template = services.template_create(actor=owner, name="Roles", subject="Roles", body=BODY)
    pool = pool_create(actor=owner, name="Warm")
    pool_add(actor=owner, pool=pool, candidates=[candidate])
    campaign = services.campaign_create(actor=owner, name="Roles", template=template, pool=pool)
    services.campaign_queue_messages(campaign)
    assert deliver().sent == 1
    message = campaign.messages.get()
    Message.objects.filter(pk=message.pk).update(sent_at=timezone.now() - dt.timedelta(minutes=1))
    return refresh(message)


def links(markup: str) -> list[str]:
    return [m.replace("&amp;", "&") for m in re.findall(r'<a\b[^>]*href="([^"]+)"', markup)]


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


# --- the email


def test_the_html_part_carries_the_pixel_and_tracked_links_and_the_text_part_plain_ones(
    sent: Message, smtp_sink: Sink
) -> None:
    [received] = smtp_sink.received
    markup = html(received)
    token = tokens.message_token(sent.pk)
    assert f'src="{tracking.open_url(sent.pk)}"' in markup
    found = links(markup)
    assert found[0] == tracking.click_url(sent.pk, "https://jobs.example.com/open?team=data&x=1")
    assert found[1] == tracking.click_url(sent.pk, "http://blog.example.com/post")
    assert all(f"/m/{token}/link/" in url for url in found[:2])
    # The preference and unsubscribe links are never rewritten.
    preferences = f"/preferences/{tokens.candidate_token(sent.candidate_id)}/"
    unsubscribe = f"/unsubscribe/{tokens.candidate_token(sent.candidate_id)}/"
    assert found[2].endswith(preferences)
    assert [u for u in found if u.endswith(unsubscribe)]
    assert len(found) == 5  # two links, the body's preference link, the footer's two
    text = plain(received)
    assert "https://jobs.example.com/open?team=data&x=1" in text
    assert "/m/" not in text and ".gif" not in text


def test_with_open_tracking_off_there_is_no_pixel_and_opens_are_not_recorded(
    owner: User, candidate: Candidate, smtp_sink: Sink, deliver: Callable[..., Any],
    always_open: Any, client: Client,
) -> None:  # fmt: skip
    services.policy_update(actor=_admin(), track_opens=False)
    message = services.email_send(actor=owner, candidate=candidate, subject="Hi", body=BODY)
    deliver()
    markup = html(smtp_sink.received[0])
    assert "open.gif" not in markup and "<img" not in markup
    assert links(markup)[0].startswith(tracking.click_url(message.pk, "")[:40])
    response = client.get(path_of(tracking.open_url(message.pk)), HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 200 and response["Content-Type"] == "image/gif"
    assert not MessageEvent.objects.exists()


def _admin() -> User:
    from rapport.accounts.models import Role
    from rapport.accounts.services import user_create

    return user_create(email="policy@example.com", role=Role.ADMIN, name="P", password="x" * 12)


# --- opens


def test_a_persons_open_is_recorded_once_on_the_timeline(sent: Message, client: Client) -> None:
    url = path_of(tracking.open_url(sent.pk))
    for _ in range(3):
        response = client.get(url, HTTP_USER_AGENT=BROWSER)
        assert response.status_code == 200
        assert response.content == tracking.PIXEL and response["Content-Type"] == "image/gif"
        assert "no-store" in response["Cache-Control"]
    events = MessageEvent.objects.filter(message=sent, kind=EventKind.OPEN)
    assert events.count() == 3 and set(events.values_list("machine", flat=True)) == {""}
    assert events.first().user_agent == BROWSER  # type: ignore[union-attr]
    [opened] = Activity.objects.filter(kind=ActivityKind.EMAIL_OPENED)
    assert opened.candidate_id == sent.candidate_id and opened.target_id == sent.pk
    assert opened.automated is False and opened.summary == "Opened: Roles"


@pytest.mark.parametrize(
    ("agent", "method", "seconds_after", "reason"),
    [
        (BROWSER, "get", 2, "too_soon"),
        (BROWSER, "head", 120, "head"),
        ("Mozilla/5.0", "get", 120, "agent:apple-privacy"),
        ("Mozilla/5.0 (compatible; Barracuda Sentinel)", "get", 120, "agent:barracuda"),
        ("python-requests/2.32", "get", 120, "agent:script"),
        ("", "get", 120, "no_agent"),
    ],
)
def test_a_machines_open_is_kept_but_flagged_and_automated(
    sent: Message, client: Client, agent: str, method: str, seconds_after: int, reason: str
) -> None:
    Message.objects.filter(pk=sent.pk).update(
        sent_at=timezone.now() - dt.timedelta(seconds=seconds_after)
    )
    response = getattr(client, method)(path_of(tracking.open_url(sent.pk)), HTTP_USER_AGENT=agent)
    assert response.status_code == 200
    event = MessageEvent.objects.get(message=sent)
    assert event.machine == reason
    activity = Activity.objects.get(kind=ActivityKind.EMAIL_OPENED)
    assert activity.automated is True and activity.data["machine"] == reason
    # A person opening it afterwards still counts, once.
    Message.objects.filter(pk=sent.pk).update(sent_at=timezone.now() - dt.timedelta(minutes=5))
    client.get(path_of(tracking.open_url(sent.pk)), HTTP_USER_AGENT=BROWSER)
    human = Activity.objects.filter(kind=ActivityKind.EMAIL_OPENED, automated=False)
    assert human.count() == 1


def test_a_bad_pixel_token_records_nothing(sent: Message, client: Client) -> None:
    assert client.get(f"/m/{sent.pk:x}:forged/open.gif").status_code == 404
    gone = tokens.message_token(sent.pk + 1000)
    assert client.get(f"/m/{gone}/open.gif", HTTP_USER_AGENT=BROWSER).status_code == 200
    assert not MessageEvent.objects.exists()


# --- clicks


def test_a_click_redirects_to_the_target_and_each_click_is_on_the_timeline(
    sent: Message, client: Client
) -> None:
    target = "https://jobs.example.com/open?team=data&x=1"
    url = path_of(tracking.click_url(sent.pk, target))
    for _ in range(2):
        response = client.get(url, HTTP_USER_AGENT=BROWSER)
        assert response.status_code == 302 and response["Location"] == target
        assert response["Referrer-Policy"] == "no-referrer"
    events = MessageEvent.objects.filter(message=sent, kind=EventKind.CLICK)
    assert list(events.values_list("url", "machine")) == [(target, "")] * 2
    clicks = Activity.objects.filter(kind=ActivityKind.EMAIL_CLICKED, automated=False)
    assert clicks.count() == 2
    assert clicks.first().data["url"] == target  # type: ignore[union-attr]


def test_a_scanner_following_every_link_is_flagged(sent: Message, client: Client) -> None:
    Message.objects.filter(pk=sent.pk).update(sent_at=timezone.now())
    target = "http://blog.example.com/post"
    response = client.get(path_of(tracking.click_url(sent.pk, target)), HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 302
    assert MessageEvent.objects.get().machine == "too_soon"
    assert Activity.objects.get(kind=ActivityKind.EMAIL_CLICKED).automated is True


def test_the_redirect_goes_only_where_our_email_pointed(sent: Message, client: Client) -> None:
    good = tracking.click_url(sent.pk, "https://jobs.example.com/open")
    evil = "https://evil.example.net/login"
    tampered = good.replace("jobs.example.com%2Fopen", "evil.example.net%2Flogin")
    assert tampered != good
    other_message = tracking.click_url(sent.pk + 1, evil)  # signed for another message
    mixed = path_of(other_message).replace(
        tokens.message_token(sent.pk + 1), tokens.message_token(sent.pk)
    )
    not_web = tracking.click_url(sent.pk, "javascript:alert(1)")
    for url in (path_of(tampered), mixed, path_of(not_web), f"/m/{sent.pk:x}:x/link/?to=x&s=y"):
        response = client.get(url, HTTP_USER_AGENT=BROWSER)
        assert response.status_code == 404
        assert "This link isn't working" in response.content.decode()
    assert not MessageEvent.objects.exists()


# --- what counts


def test_machine_reasons() -> None:
    sent_at = timezone.now() - dt.timedelta(minutes=1)

    def reason(agent: str, *, method: str = "GET", after: float = 60) -> str:
        at = sent_at + dt.timedelta(seconds=after)
        return tracking.machine_reason(tracking.Request(method, agent, at), sent_at=sent_at)

    assert reason(BROWSER) == ""
    assert reason("Mozilla/5.0 (Windows NT 10.0; Win64; x64; GoogleImageProxy)") == ""
    assert reason(BROWSER, after=tracking.MACHINE_SECONDS - 1) == "too_soon"
    assert tracking.machine_reason(tracking.Request("GET", BROWSER, sent_at), sent_at=None) == (
        "too_soon"
    )
    assert reason("Mozilla/5.0 (compatible; Mimecast)") == "agent:mimecast"
    assert reason("Mozilla/5.0 BingPreview/1.0b") == "agent:microsoft-safe-links"
    assert reason("Googlebot/2.1") == "agent:robot"


def test_people_opening_and_clicking_raise_engagement_and_machines_do_not() -> None:
    now = timezone.now()
    human = [
        scoring.Event("email.opened", now),
        scoring.Event("email.clicked", now),
    ]
    machine = [scoring.Event(e.kind, now, automated=True) for e in human]
    assert scoring.score_value(human, now) > 0
    assert scoring.score_value(machine, now) == 0
    assert scoring.WEIGHTS["email.clicked"] < scoring.WEIGHTS["email.replied"]
    assert scoring.WEIGHTS["email.opened"] < scoring.WEIGHTS["email.sent"]


def test_a_signed_in_teammate_opening_or_clicking_is_not_recorded(
    sent: Message, client: Client, owner: User
) -> None:
    client.force_login(owner)
    assert client.get(path_of(tracking.open_url(sent.pk)), HTTP_USER_AGENT=BROWSER).content == (
        tracking.PIXEL
    )
    target = "http://blog.example.com/post"
    response = client.get(path_of(tracking.click_url(sent.pk, target)), HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 302 and response["Location"] == target
    assert not MessageEvent.objects.exists()
    assert not Activity.objects.filter(
        kind__in=[ActivityKind.EMAIL_OPENED, ActivityKind.EMAIL_CLICKED]
    ).exists()
