"""The engagement score: 0 to 100, from what happened between a candidate
and the team.

Each human touch adds points by kind (a reply counts more than an email we
sent), halving every HALF_LIFE days, so a reply last week outweighs three
last year. A person's opens (the first of each message) and clicks count a
little. Machine-made events (automated follow-ups; opens and clicks by mail
scanners and privacy proxies, see outreach.tracking) and the team's own
bookkeeping (tags, pools, edits) count for nothing. The sum goes through
100·(1 − e^(−sum/SCALE)): more touches always help, never past 100.

Bands, used by `engagement:` in the query language:
none (< 1), low (1 to 25), medium (25 to 60), high (60 and more).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

HALF_LIFE = 90.0  # days
SCALE = 40.0
WEIGHTS = {
    "email.replied": 30.0,
    "sms.received": 30.0,
    "meeting.logged": 25.0,
    "call.logged": 18.0,
    "stage.changed": 10.0,
    "consent.given": 8.0,
    "email.sent": 3.0,
    "sms.sent": 3.0,
    "email.clicked": 3.0,
    "note.added": 2.0,
    "email.opened": 1.0,
}
LABELS = {
    "email.replied": ("reply", "replies"),
    "sms.received": ("text received", "texts received"),
    "meeting.logged": ("meeting", "meetings"),
    "call.logged": ("call", "calls"),
    "stage.changed": ("stage change", "stage changes"),
    "consent.given": ("consent given", "consents given"),
    "email.sent": ("email sent", "emails sent"),
    "sms.sent": ("text sent", "texts sent"),
    "email.clicked": ("link clicked", "links clicked"),
    "note.added": ("note", "notes"),
    "email.opened": ("email opened", "emails opened"),
}
# Each band's score range, [low, high); the one definition, which the
# search's engagement: field and its facet read too.
BANDS: dict[str, tuple[float | None, float | None]] = {
    "none": (None, 1.0),
    "low": (1.0, 25.0),
    "medium": (25.0, 60.0),
    "high": (60.0, None),
}


@dataclass(frozen=True)
class Event:
    kind: str
    occurred_at: dt.datetime
    automated: bool = False


@dataclass(frozen=True)
class Score:
    value: float
    band: str
    reasons: list[str]


def points(events: Iterable[Event], now: dt.datetime) -> dict[str, tuple[int, float, dt.datetime]]:
    """Per kind: how many events, their decayed points, the latest one."""
    found: dict[str, tuple[int, float, dt.datetime]] = {}
    for event in events:
        weight = WEIGHTS.get(event.kind)
        if weight is None or event.automated:
            continue
        age = max(0.0, (now - event.occurred_at).total_seconds() / 86400)
        decayed = weight * 0.5 ** (age / HALF_LIFE)
        count, total, latest = found.get(event.kind, (0, 0.0, event.occurred_at))
        found[event.kind] = (count + 1, total + decayed, max(latest, event.occurred_at))
    return found


def score_value(events: Iterable[Event], now: dt.datetime) -> float:
    return _squash(points(events, now))


def _squash(found: dict[str, tuple[int, float, dt.datetime]]) -> float:
    """Points, summed and squashed to 0–100."""
    raw = sum(total for _, total, _ in found.values())
    return round(100 * (1 - math.exp(-raw / SCALE)), 1)


def band(value: float) -> str:
    return next(name for name, (low, _) in reversed(BANDS.items()) if value >= (low or 0.0))


def score(events: Iterable[Event], now: dt.datetime) -> Score:
    """The score with what made it, strongest first, for the profile."""
    found = points(events, now)
    value = _squash(found)
    ranked = sorted(found.items(), key=lambda item: -item[1][1])
    reasons = [
        f"{count} {LABELS[kind][count != 1]}, the last {_when(latest, now)}"
        for kind, (count, _, latest) in ranked[:3]
    ]
    if not reasons:
        reasons = ["No replies, calls or meetings yet."]
    return Score(value, band(value), reasons)


def _when(moment: dt.datetime, now: dt.datetime) -> str:
    days = (now - moment).days
    if days < 1:
        hours = int((now - moment).total_seconds() // 3600)
        return "within the hour" if hours < 1 else f"{hours} hour{'s' if hours > 1 else ''} ago"
    if days < 2:
        return "yesterday"
    if days < 60:
        return f"{days} days ago"
    if days < 730:
        return f"{days // 30} months ago"
    return f"{days // 365} years ago"
