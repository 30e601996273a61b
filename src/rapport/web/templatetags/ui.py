"""Template helpers available in every template (registered as builtins)."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.timesince import timesince

from rapport.core.contacts import display_phone
from rapport.core.geo import country_name

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
    "call.logged": ("☎", "email"),
    "meeting.logged": ("◷", "email"),
    "stage.changed": ("➔", "update"),
}


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
