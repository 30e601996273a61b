"""The sending policy, decided for each message at the moment it would go.

In order, a message is:
- held back for good (status "suppressed", with the reason) when the address
  is suppressed, the candidate asked to hear nothing more, has no address,
  or (nurture only) unsubscribed, declined the message's topic, or has not
  given the consent the organisation requires or withdrew it;
- moved later (still queued, with the reason) when (nurture only) the
  candidate paused mail, the organisation-wide frequency cap or the
  candidate's own frequency is reached, or it is outside the send window in
  the candidate's time zone;
- otherwise sent.

Mail about a candidate to a teammate (kind "staff": an interviewer's
invitation) is held back only when its address is suppressed.

The frequency cap counts every message sent to the candidate, nurture or
personal, from every campaign, sequence and sender (never staff mail), and those being sent at
this moment by any worker. A message is claimed before it is checked, so of
two workers checking at once, the later sees the earlier's claim: the cap
may delay a message that could have gone, never let one too many through.

`facts_for` reads what the rules need for many messages at once (a fixed
number of queries), so the worker checks a batch and the campaign page
previews a whole audience with the same rules.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from rapport.outreach.models import (
    Frequency,
    Message,
    MessageKind,
    MessageStatus,
    Preference,
    SendingPolicy,
    Suppression,
)
from rapport.people.models import Candidate, ConsentState


def any_of(values: Iterable[Any], *, kind: Literal["bigint", "text"] = "bigint") -> RawSQL:
    """Values for an `__in` lookup (`id__in=any_of(ids)`) as one parameter:
    an array on PostgreSQL, a JSON list on SQLite. Given a list, the ORM
    prepares each value through the field and writes a placeholder for it,
    which for the 200 messages of a sending batch cost more than the query."""
    values = list(values)
    if connection.vendor == "postgresql":
        literal = array_literal(values)
        return RawSQL(f"SELECT unnest(%s::{kind}[])", [literal])  # noqa: S611 (kind: a type name)
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(values)])


def array_literal(values: Iterable[int | str | dt.datetime | None]) -> str:
    """Values as one PostgreSQL array literal (`{1,2,"text"}`), to be
    passed as one string and cast (`%s::bigint[]`). Given a list, the
    driver quotes each element on its own (searching each for characters to
    escape): for a batch's 200 ids, twice the time of the query itself;
    as text, five times. Strings and times are double-quoted, with
    backslashes and double quotes escaped, so any text comes back as it
    was (a brace, a comma, the word NULL); None is NULL."""
    return "{" + ",".join(map(_array_element, values)) + "}"


def _array_element(value: int | str | dt.datetime | None) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        raise TypeError("array_literal takes ids, text and times, not booleans")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        value = value.isoformat()
    if not isinstance(value, str):
        raise TypeError(f"array_literal cannot write a {type(value).__name__}")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


# Reasons, with what the team reads about them.
REASONS = {
    "suppressed": "Address on the suppression list",
    "left": "Asked to hear nothing more",
    "no_address": "No email address",
    "unsubscribed": "Unsubscribed",
    "topic_declined": "Declined this topic",
    "no_consent": "No consent",
    "consent_withdrawn": "Consent withdrawn",
    "paused": "Paused mail",
    "frequency_cap": "Contact limit reached",
    "own_frequency": "Their chosen frequency",
    "window": "Outside the send window",
    "campaign_paused": "Campaign paused",
    "cancelled": "Cancelled",
    "sequence_stopped": "Sequence stopped",
    "deferred": "Server deferred it; retrying",
}
OWN_FREQUENCY_DAYS = {Frequency.MONTHLY: 30, Frequency.QUARTERLY: 90}
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def address_digest(address: str) -> str:
    """How an address is kept on the suppression list."""
    return hashlib.sha256(address.strip().lower().encode()).hexdigest()


# --- send windows


@dataclass(frozen=True)
class Window:
    """Days of the week (0 = Monday) and local hours when mail may arrive."""

    days: tuple[int, ...] = (0, 1, 2, 3, 4)
    start: dt.time = dt.time(8, 0)
    end: dt.time = dt.time(18, 0)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Window | None:
        if not data:
            return None
        return cls(
            days=tuple(sorted({int(d) for d in data["days"]})),
            start=dt.time.fromisoformat(data["start"]),
            end=dt.time.fromisoformat(data["end"]),
        )

    def to_json(self) -> dict[str, Any]:
        return {"days": list(self.days), "start": self.start.isoformat("minutes"), "end": self.end.isoformat("minutes" if not self.end.second else "seconds")}  # fmt: skip

    def __str__(self) -> str:
        days = ", ".join(DAY_NAMES[d] for d in self.days)
        return f"{days}, {self.start:%H:%M}–{self.end:%H:%M}"

    def opens(self, at: dt.datetime, zone: ZoneInfo) -> dt.datetime:
        """`at` when it is inside the window, else the next moment it opens."""
        local = at.astimezone(zone)
        for offset in range(8):
            day = local.date() + dt.timedelta(days=offset)
            if day.weekday() not in self.days:
                continue
            start = _aware(day, self.start, zone)
            end = _aware(day, self.end, zone)
            if at < start:
                return start
            if at < end:
                return at
        raise ValueError("A send window needs at least one day.")


def _aware(day: dt.date, time: dt.time, zone: ZoneInfo) -> dt.datetime:
    """A local wall time as an instant. A time the clock skips (02:30 on the
    spring-forward night) is read with the offset before the change, which
    lands just after the gap (03:30); a time that happens twice (autumn)
    is its first occurrence."""
    return dt.datetime.combine(day, time, tzinfo=zone).astimezone(dt.UTC)


@functools.lru_cache(maxsize=1024)
def zone_of(name: str, fallback: str) -> ZoneInfo:
    for candidate in (name, fallback, "UTC"):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def organisation_policy() -> SendingPolicy:
    policy = SendingPolicy.objects.order_by("id").first()
    return policy if policy is not None else SendingPolicy.objects.create()


def organisation_window(policy: SendingPolicy) -> Window:
    return Window.from_json(policy.window) or Window()


# --- the facts a batch of checks reads


class CandidateFacts(NamedTuple):
    """What the rules read of a candidate."""

    timezone: str
    consent: str


@dataclass
class Facts:
    policy: SendingPolicy
    now: dt.datetime
    candidates: dict[int, CandidateFacts] = field(default_factory=dict)
    preferences: dict[int, Preference] = field(default_factory=dict)
    declined: dict[int, set[int]] = field(default_factory=dict)  # candidate -> topic ids
    suppressed: set[str] = field(default_factory=set)  # digests
    # Each candidate's recent sends (and sends in progress, at `now`), newest first.
    recent: dict[int, list[tuple[int, dt.datetime]]] = field(default_factory=dict)
    digests: dict[str, str] = field(default_factory=dict)  # address -> its digest
    # When each send window opens after `now` in each time zone: a batch's
    # candidates share a few.
    opening: dict[tuple[Window, ZoneInfo], dt.datetime] = field(default_factory=dict)

    def opens(self, window: Window, zone: ZoneInfo) -> dt.datetime:
        key = (window, zone)
        found = self.opening.get(key)
        if found is None:
            found = self.opening[key] = window.opens(self.now, zone)
        return found

    @functools.cached_property
    def window(self) -> Window:
        return organisation_window(self.policy)


def facts_for(
    candidate_ids: Iterable[int],
    addresses: Iterable[str],
    *,
    now: dt.datetime | None = None,
    policy: SendingPolicy | None = None,
) -> Facts:
    ids = list(set(candidate_ids))
    policy = policy or organisation_policy()
    facts = Facts(policy=policy, now=now or timezone.now())
    facts.candidates = {
        pk: CandidateFacts(zone, consent)
        for pk, zone, consent in Candidate.objects.filter(pk__in=any_of(ids)).values_list(
            "id", "timezone", "consent"
        )
    }
    facts.preferences = {
        p.candidate_id: p for p in Preference.objects.filter(candidate_id__in=any_of(ids))
    }
    if facts.preferences:
        for candidate_id, topic_id in Preference.topics_declined.through.objects.filter(
            preference_id__in=list(facts.preferences)
        ).values_list("preference_id", "topic_id"):
            facts.declined.setdefault(candidate_id, set()).add(topic_id)
    facts.digests = {a: address_digest(a) for a in addresses if a}
    digests = set(facts.digests.values())
    facts.suppressed = set(
        Suppression.objects.filter(digest__in=any_of(digests, kind="text")).values_list(
            "digest", flat=True
        )
    )
    facts.recent = _recent_sends(ids, facts.now, policy)
    return facts


def _recent_sends(
    ids: list[int], now: dt.datetime, policy: SendingPolicy
) -> dict[int, list[tuple[int, dt.datetime]]]:
    since = now - dt.timedelta(days=max(policy.cap_days, *OWN_FREQUENCY_DAYS.values()))
    found: dict[int, list[tuple[int, dt.datetime]]] = {}
    for candidate_id, message_id, sent_at in _recent_rows(ids, since):
        found.setdefault(candidate_id, []).append((message_id, sent_at or now))
    for sends in found.values():
        sends.sort(key=lambda s: s[1], reverse=True)
    return found


RECENT_ROWS = (
    "SELECT c.id, m.id, m.sent_at FROM unnest(%s::bigint[]) AS c (id) CROSS JOIN LATERAL ("
    "SELECT m.id, m.sent_at FROM {table} AS m WHERE m.candidate_id = c.id "
    "AND ((m.status = %s AND m.sent_at >= %s) OR m.status = %s) AND m.kind <> %s "
    "OFFSET 0) AS m"  # OFFSET 0: keep the look-up per candidate (see _recent_rows)
)


def _recent_rows(ids: list[int], since: dt.datetime) -> Iterable[tuple[int, int, Any]]:
    """(candidate, message, sent at) of the candidates' sends since then and
    in progress, not counting mail to teammates.

    On PostgreSQL, one look-up of the candidate index per candidate. Asked
    as `candidate_id IN (...)`, the planner weighed the candidates against
    the statuses, and while a campaign goes out its statistics lag behind
    (they still say "sent" is rare): it read every sent message of the
    campaign through other indexes to pick out 200 candidates' (85 ms a
    batch against about 1 ms)."""
    if connection.vendor != "postgresql":
        return (
            Message.objects.filter(candidate_id__in=any_of(ids))
            .filter(
                Q(status=MessageStatus.SENT, sent_at__gte=since) | Q(status=MessageStatus.SENDING)
            )
            .exclude(kind=MessageKind.STAFF)
            .order_by()
            .values_list("candidate_id", "id", "sent_at")
        )
    statement = RECENT_ROWS.format(table=connection.ops.quote_name(Message._meta.db_table))
    params: list[Any] = [
        array_literal(ids),
        MessageStatus.SENT,
        since,
        MessageStatus.SENDING,
        MessageKind.STAFF,
    ]
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


# --- the decision


@dataclass(frozen=True)
class Verdict:
    send: bool
    reason: str = ""
    later: dt.datetime | None = None  # when it may go; None with a reason: never

    @property
    def held(self) -> bool:
        return not self.send and self.later is None


SEND = Verdict(send=True)


def decide(
    facts: Facts,
    *,
    candidate_id: int,
    address: str,
    kind: str,
    topic_id: int | None = None,
    window: Window | None = None,
    message_id: int | None = None,
) -> Verdict:
    """What the policy says about one message now (see the module doc)."""
    held = _held(facts, candidate_id=candidate_id, address=address, kind=kind, topic_id=topic_id)
    if held:
        return Verdict(send=False, reason=held)
    if kind != MessageKind.NURTURE:
        return SEND
    for rule in (_paused, _capped, _own_frequency):
        later = rule(facts, candidate_id, message_id)
        if later is not None:
            return later
    candidate = facts.candidates.get(candidate_id)
    zone = zone_of(candidate.timezone if candidate else "", facts.policy.fallback_timezone)
    opens = facts.opens(window or facts.window, zone)
    if opens > facts.now:
        return Verdict(send=False, reason="window", later=opens)
    return SEND


def _held(facts: Facts, *, candidate_id: int, address: str, kind: str, topic_id: int | None) -> str:
    if not address:
        return "no_address"
    if (facts.digests.get(address) or address_digest(address)) in facts.suppressed:
        return "suppressed"
    if kind == MessageKind.STAFF:  # to a teammate: the candidate's wishes are not theirs
        return ""
    preference = facts.preferences.get(candidate_id)
    if preference is not None and preference.left_at:
        return "left"
    if kind != MessageKind.NURTURE:
        return ""
    if preference is not None and preference.unsubscribed_at:
        return "unsubscribed"
    if topic_id is not None and topic_id in facts.declined.get(candidate_id, set()):
        return "topic_declined"
    candidate = facts.candidates.get(candidate_id)
    consent = candidate.consent if candidate else ConsentState.UNKNOWN
    if consent == ConsentState.WITHDRAWN:
        return "consent_withdrawn"
    if facts.policy.require_consent and consent not in (
        ConsentState.GIVEN,
        ConsentState.LEGITIMATE_INTEREST,
    ):
        return "no_consent"
    return ""


def _paused(facts: Facts, candidate_id: int, message_id: int | None) -> Verdict | None:
    preference = facts.preferences.get(candidate_id)
    if preference is None or not preference.paused_on(facts.now.date()):
        return None
    assert preference.paused_until is not None
    resume = dt.datetime.combine(preference.paused_until + dt.timedelta(days=1), dt.time(), dt.UTC)
    return Verdict(send=False, reason="paused", later=resume)


def _others(facts: Facts, candidate_id: int, message_id: int | None) -> list[dt.datetime]:
    return [at for mid, at in facts.recent.get(candidate_id, []) if mid != message_id]


def _capped(facts: Facts, candidate_id: int, message_id: int | None) -> Verdict | None:
    return _limit(
        _others(facts, candidate_id, message_id),
        limit=facts.policy.cap_messages,
        days=facts.policy.cap_days,
        now=facts.now,
        reason="frequency_cap",
    )


def _own_frequency(facts: Facts, candidate_id: int, message_id: int | None) -> Verdict | None:
    preference = facts.preferences.get(candidate_id)
    days = OWN_FREQUENCY_DAYS.get(preference.frequency) if preference else None  # type: ignore[call-overload]
    if days is None:
        return None
    return _limit(
        _others(facts, candidate_id, message_id),
        limit=1,
        days=days,
        now=facts.now,
        reason="own_frequency",
    )


def _limit(
    sends: Sequence[dt.datetime], *, limit: int, days: int, now: dt.datetime, reason: str
) -> Verdict | None:
    """At most `limit` sends in any `days`: when reached, wait until the
    oldest of the last `limit` leaves the period."""
    if limit <= 0 or len(sends) < limit:
        return None
    period = dt.timedelta(days=days)
    inside = [at for at in sends if at > now - period]
    if len(inside) < limit:
        return None
    oldest_counted = sorted(inside, reverse=True)[limit - 1]
    return Verdict(send=False, reason=reason, later=oldest_counted + period)
