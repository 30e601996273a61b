"""Durations as the jobs pages show them: "4 d" on a card, "4 days" to read."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

register = template.Library()

# (seconds in the unit, short, singular, plural)
UNITS = (
    (86_400, "d", "day", "days"),
    (3_600, "h", "hour", "hours"),
    (60, "min", "minute", "minutes"),
)


def _parts(span: dt.timedelta | None) -> tuple[int, str, str, str] | None:
    if span is None:
        return None
    seconds = max(0, int(span.total_seconds()))
    for size, short, one, many in UNITS:
        if seconds >= size:
            return seconds // size, short, one, many
    return 0, "min", "minute", "minutes"


@register.filter
def span(value: dt.timedelta | None) -> str:
    """A duration in its largest unit: "4 d", "3 h", "12 min"; "–" for none."""
    parts = _parts(value)
    return "–" if parts is None else f"{parts[0]} {parts[1]}"


@register.filter
def span_long(value: dt.timedelta | None) -> str:
    """The same, in words: "4 days", "1 hour"."""
    parts = _parts(value)
    if parts is None:
        return "no time yet"
    n, _, one, many = parts
    return f"{n} {one if n == 1 else many}"


@register.filter
def since(moment: dt.datetime | None) -> dt.timedelta | None:
    """How long ago a moment was, for `span`: `{{ a.stage_entered_at|since|span }}`."""
    return None if moment is None else timezone.now() - moment
