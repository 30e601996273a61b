"""Opens and clicks: the links that record them, and what a request to them
means.

Each message's HTML part carries a 1×1 image at a signed URL of its own
(`/m/<message token>/open.gif`) while the sending policy's `track_opens` is
on, and each of its http(s) links goes through `/m/<message token>/link/`
with the target and a signature over the message and the target, so the
redirect only ever leads where one of our own emails pointed (it cannot be
used as an open redirect). The unsubscribe and preference links are never
rewritten, and the text part keeps plain links.

Mail scanners follow every link and privacy proxies fetch every image
before anyone reads anything. An event is flagged as a machine's (with the
reason in `MessageEvent.machine`) when:

- it is a HEAD request ("head"): browsers GET, link checkers HEAD;
- it came within MACHINE_SECONDS of the message leaving our server, or
  before the send was even recorded ("too_soon"): nobody reads that fast;
- it has no User-Agent at all ("no_agent");
- its User-Agent names a known scanner, proxy or robot ("agent:<name>",
  see KNOWN_AGENTS).

Gmail's and Yahoo's image proxies are not on the list: they fetch the image
when the reader opens the message, so their opens are real ones. Apple's
Mail Privacy Protection loads every image in advance, under the bare agent
"Mozilla/5.0", and is.

A flagged event is kept, and shown on the timeline as an automated
Activity, but counts neither for the engagement score nor in the rates. A
human's first open of a message becomes an Activity (repeated opens only
add events); every click does.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import re
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from django.conf import settings
from django.db import transaction
from django.utils.crypto import constant_time_compare

from rapport.core.activity import activity_record
from rapport.core.models import ActivityKind
from rapport.outreach import tokens
from rapport.outreach.models import EventKind, Message, MessageEvent
from rapport.people.models import Candidate

CLICK = "rapport.outreach.click"
MACHINE_SECONDS = 10
# Lower-case pieces of a User-Agent, and the name recorded for each. Small on
# purpose: each names software that fetches mail content without a reader.
KNOWN_AGENTS: tuple[tuple[str, str], ...] = (
    ("barracuda", "barracuda"),
    ("mimecast", "mimecast"),
    ("proofpoint", "proofpoint"),
    ("bingpreview", "microsoft-safe-links"),
    ("safelinks", "microsoft-safe-links"),
    ("symantec", "symantec"),
    ("forcepoint", "forcepoint"),
    ("trendmicro", "trend-micro"),
    ("headlesschrome", "headless-browser"),
    ("python-requests", "script"),
    ("python-urllib", "script"),
    ("go-http-client", "script"),
    ("curl/", "script"),
    ("wget/", "script"),
    ("bot", "robot"),
    ("spider", "robot"),
    ("crawler", "robot"),
)
# Apple Mail Privacy Protection's prefetch sends exactly this.
APPLE_PRIVACY_AGENT = "Mozilla/5.0"
# A transparent 1×1 GIF.
PIXEL = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
_LINK = re.compile(r"""(<a\b[^>]*?\shref=)(["'])(.*?)\2""", re.IGNORECASE | re.DOTALL)


# --- the links


def open_url(message_id: int) -> str:
    return f"{settings.BASE_URL}/m/{tokens.message_token(message_id)}/open.gif"


def click_url(message_id: int, target: str) -> str:
    token = tokens.message_token(message_id)
    return (
        f"{settings.BASE_URL}/m/{token}/link/"
        f"?to={quote(target, safe='')}&s={_link_signature(message_id, target)}"
    )


def click_target(message_id: int, target: str, signature: str) -> str | None:
    """The target of a click link when its signature holds, else None."""
    if not target or not _trackable(target):
        return None
    if not constant_time_compare(signature, _link_signature(message_id, target)):
        return None
    return target


def _link_signature(message_id: int, target: str, *, secret: str | None = None) -> str:
    return tokens.signature(f"{message_id}:{target}", CLICK, secret=secret)


def _trackable(url: str) -> bool:
    return urlsplit(url).scheme.lower() in ("http", "https")


def _ours_to_keep(url: str, base_url: str) -> bool:
    """The unsubscribe and preference links stay as they are."""
    return url.startswith((f"{base_url}/unsubscribe/", f"{base_url}/preferences/"))


@functools.lru_cache(maxsize=1024)
def _tracked_target(href: str, base_url: str) -> tuple[str, str] | None:
    """A link's target and its quoted form when the link is to go through
    click tracking, else None. Kept a while: a campaign's messages share
    their links, and parsing each again cost more than signing it."""
    target = html.unescape(href).strip()
    if not _trackable(target) or _ours_to_keep(target, base_url):
        return None
    return target, quote(target, safe="")


def tracked_html(body: str, message_id: int) -> str:
    """`body` with each http(s) link going through its click link."""
    base_url, secret = settings.BASE_URL, settings.SECRET_KEY
    prefix = f"{base_url}/m/{tokens.message_token(message_id, secret=secret)}/link/?to="

    def rewrite(match: re.Match[str]) -> str:
        found = _tracked_target(match.group(3), base_url)
        if found is None:
            return match.group(0)
        target, quoted = found
        signature = _link_signature(message_id, target, secret=secret)
        quote_mark = match.group(2)
        new = html.escape(f"{prefix}{quoted}&s={signature}", quote=True)
        return f"{match.group(1)}{quote_mark}{new}{quote_mark}"

    return _LINK.sub(rewrite, body)


_PIXEL_TAG = re.compile(r'<img src="[^"]*/m/[0-9a-f]+-[A-Za-z0-9_-]+/open\.gif"[^>]*>')
_CLICK_HREF = re.compile(r'href="[^"]*/m/[0-9a-f]+-[A-Za-z0-9_-]+/link/\?to=([^&"]*)&amp;s=[^"]*"')


def untracked_html(body: str) -> str:
    """A sent message's HTML without its open pixel and with its links going
    straight to their targets: for the team to read it (in the captured
    mailbox) without counting as the candidate opening or clicking."""
    body = _PIXEL_TAG.sub("", body)
    return _CLICK_HREF.sub(lambda m: f'href="{html.escape(unquote(m.group(1)), quote=True)}"', body)


def pixel_html(message_id: int) -> str:
    return (
        f'<img src="{html.escape(open_url(message_id))}" width="1" height="1" alt="" '
        'style="display:block;border:0;width:1px;height:1px;overflow:hidden;">'
    )


# --- telling machines from people


@dataclass(frozen=True)
class Request:
    """What a tracking request tells us."""

    method: str
    user_agent: str
    at: dt.datetime


def machine_reason(request: Request, *, sent_at: dt.datetime | None) -> str:
    """Why the request looks automated, or "" when it looks like a person."""
    if request.method.upper() == "HEAD":
        return "head"
    if sent_at is None or request.at - sent_at < dt.timedelta(seconds=MACHINE_SECONDS):
        return "too_soon"
    agent = request.user_agent.strip()
    if not agent:
        return "no_agent"
    if agent == APPLE_PRIVACY_AGENT:
        return "agent:apple-privacy"
    lowered = agent.lower()
    for piece, name in KNOWN_AGENTS:
        if piece in lowered:
            return f"agent:{name}"
    return ""


# --- recording


def open_record(*, message_id: int, request: Request) -> MessageEvent | None:
    """Record an open of the message (None when there is no such message)."""
    return _record(message_id=message_id, kind=EventKind.OPEN, url="", request=request)


def click_record(*, message_id: int, url: str, request: Request) -> MessageEvent | None:
    return _record(message_id=message_id, kind=EventKind.CLICK, url=url, request=request)


def _record(*, message_id: int, kind: str, url: str, request: Request) -> MessageEvent | None:
    with transaction.atomic():
        # Locked, so two opens at once cannot both count as the first.
        message = (
            Message.objects.select_for_update()
            .only("pk", "candidate_id", "subject", "sent_at")
            .filter(pk=message_id)
            .first()
        )
        if message is None:
            return None
        machine = machine_reason(request, sent_at=message.sent_at)
        earlier = MessageEvent.objects.filter(message=message, kind=kind)
        earlier = earlier.exclude(machine="") if machine else earlier.filter(machine="")
        first = not earlier.exists()
        event = MessageEvent.objects.create(
            message=message, kind=kind, occurred_at=request.at, url=url[:2000],
            user_agent=request.user_agent[:300], machine=machine,
        )  # fmt: skip
        if kind == EventKind.CLICK or first:
            _timeline(message, event)
    return event


def _timeline(message: Message, event: MessageEvent) -> None:
    opened = event.kind == EventKind.OPEN
    summary = f"{'Opened' if opened else 'Clicked a link in'}: {message.subject}"
    if event.machine:
        summary = f"{summary} (automated: {event.machine})"
    data: dict[str, str] = {"machine": event.machine}
    if event.url:
        data["url"] = event.url[:500]
    activity_record(
        kind=ActivityKind.EMAIL_OPENED if opened else ActivityKind.EMAIL_CLICKED,
        candidate=Candidate(pk=message.candidate_id),
        actor=None,
        summary=summary,
        target=message,
        data=data,
        automated=bool(event.machine),
    )
