"""Template helpers available in every template (registered as builtins)."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince

from rapport.core.contacts import display_phone
from rapport.core.geo import country_name
from rapport.core.text import fold, words

if TYPE_CHECKING:
    from rapport.core.models import Activity

register = template.Library()

KIND_ICONS = {
    "candidate.created": ("✦", "created"),
    "candidate.updated": ("✎", "update"),
    "contact.added": ("☏", "update"),
    "contact.removed": ("☏", "update"),
    "note.added": ("✍", "note"),
    "tag.added": ("#", "tag"),
    "tag.removed": ("#", "tag"),
    "pool.added": ("◎", "pool"),
    "pool.removed": ("◎", "pool"),
    "owner.changed": ("➜", "update"),
    "candidate.shared": ("⇄", "update"),
    "email.sent": ("✉", "email"),
    "email.replied": ("↩", "reply"),
    "sms.sent": ("✆", "email"),
    "sms.received": ("↩", "reply"),
    "sms.opted_out": ("⊘", "update"),
    "call.logged": ("☎", "email"),
    "meeting.logged": ("◷", "email"),
    "stage.changed": ("➔", "update"),
    "email.bounced": ("⚠", "update"),
    "email.auto_replied": ("↻", "email"),
    "email.opened": ("◉", "email"),
    "email.clicked": ("↗", "email"),
    "email.unsubscribed": ("⊘", "update"),
    "preferences.updated": ("⚙", "update"),
    "sequence.enrolled": ("▶", "email"),
    "sequence.stopped": ("■", "email"),
    "consent.given": ("✓", "update"),
    "consent.withdrawn": ("⊘", "update"),
    "candidate.merged": ("⇉", "update"),
    "candidate.unmerged": ("⇇", "update"),
    "application.created": ("▣", "created"),
    "candidate.hired": ("★", "created"),
    "interview.scheduled": ("◷", "email"),
    "interview.updated": ("◷", "email"),
    "interview.cancelled": ("⊘", "update"),
    "scorecard.added": ("✓", "note"),
}


@register.filter
def activity_meta(event: Activity) -> str:
    """The line under a text, a call or a meeting on the timeline: the
    number it went to or came from; the outcome and how long it took."""
    data = event.data or {}
    if event.kind.startswith("sms."):
        number = display_phone(str(data.get("number", "")))
        if data.get("direction") == "out":
            return f"To {number}" + (
                " · captured: kept here, never sent" if data.get("captured") else ""
            )
        return f"From {number}"
    if event.kind in ("call.logged", "meeting.logged"):
        minutes = data.get("duration_minutes")
        parts = [str(data.get("outcome_label", "")), f"{minutes} min" if minutes else ""]
        return " · ".join(p for p in parts if p)
    return ""


@register.filter
def avatar_class(seed: object) -> str:
    return f"av-{sum(map(ord, str(seed))) % 8}"


@register.filter
def ago(moment: dt.datetime) -> str:
    """ "3 days ago": the largest unit only, which is all a list row needs."""
    return f"{timesince(moment, depth=1)} ago"


@register.filter
def country(code: str) -> str:
    return country_name(code)


@register.filter
def phone(value: str) -> str:
    return display_phone(value)


@register.filter
def kind_icon(kind: str) -> str:
    return KIND_ICONS.get(kind, ("•", ""))[0]


@register.filter
def kind_class(kind: str) -> str:
    return "tl-" + KIND_ICONS.get(kind, ("•", "other"))[1]


_token = re.compile(r"[^\W_]+")


@register.filter
def highlight(text: object, terms: list[str] | None) -> SafeString | str:
    """The text, escaped, with the words the search asked for marked. Accents
    and case are ignored as the search ignores them; `dev*` marks words that
    begin with dev."""
    value = "" if text is None else str(text)
    if not terms or not value:
        return value
    exact: set[str] = set()
    prefixes: list[str] = []
    for term in terms:
        found = words(term.rstrip("*"))
        if term.endswith("*") and found:
            exact.update(found[:-1])
            prefixes.append(found[-1])
        else:
            exact.update(found)
    pieces: list[str] = []
    last = 0
    for match in _token.finditer(value):
        folded = fold(match.group())
        if folded in exact or any(folded.startswith(p) for p in prefixes):
            pieces.append(escape(value[last : match.start()]))
            pieces.append(f'<mark class="hit">{escape(match.group())}</mark>')
            last = match.end()
    pieces.append(escape(value[last:]))
    return mark_safe("".join(pieces))  # noqa: S308 (every piece is escaped)


@register.filter
def get_item(mapping: object, key: object) -> object:
    """`mapping[key]` in a template, or "" when it is not there."""
    if isinstance(mapping, dict):
        return mapping.get(key, "")
    return ""


@register.filter
def percent(fraction: float | None) -> str:
    """0.234 as "23%", or "–" when there is nothing to divide by."""
    if fraction is None:
        return "–"
    return (
        f"{fraction * 100:.0f}%" if fraction >= 0.1 or fraction == 0 else f"{fraction * 100:.1f}%"
    )
