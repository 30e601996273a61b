"""Every change to segments."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from rapport.accounts.models import Capability
from rapport.core.errors import PermissionDenied
from rapport.core.text import fold
from rapport.people.services import require
from rapport.search.compiler import compile_query
from rapport.search.models import Segment
from rapport.search.query import QueryError
from rapport.search.selectors import segment_query

if TYPE_CHECKING:
    from rapport.accounts.models import User


@transaction.atomic
def segment_create(
    *, actor: User, name: str, query: str, description: str = "", shared: bool = False
) -> Segment:
    require(actor, Capability.SAVE_SEGMENTS)
    name, query = _clean(actor, name=name, query=query)
    now = timezone.now()
    return Segment.objects.create(
        name=name,
        query=query,
        description=description.strip()[:300],
        owner=actor,
        shared=shared,
        created_at=now,
        updated_at=now,
    )


@transaction.atomic
def segment_update(
    *,
    actor: User,
    segment: Segment,
    name: str,
    query: str,
    description: str = "",
    shared: bool = False,
) -> Segment:
    _check_owner(actor, segment)
    segment.name, segment.query = _clean(actor, name=name, query=query, segment=segment)
    segment.description = description.strip()[:300]
    segment.shared = shared
    segment.updated_at = timezone.now()
    segment.save()
    return segment


@transaction.atomic
def segment_delete(*, actor: User, segment: Segment) -> None:
    _check_owner(actor, segment)
    segment.delete()


def _check_owner(actor: User, segment: Segment) -> None:
    """Whoever may use a shared segment may not change it: its owner and
    admins may."""
    require(actor, Capability.SAVE_SEGMENTS)
    if segment.owner_id != actor.pk and not actor.can(Capability.MANAGE_SETTINGS):
        raise PermissionDenied(
            f"Only {segment.owner.display_name} (who made it) or an admin may change this segment."
        )


def _clean(
    actor: User, *, name: str, query: str, segment: Segment | None = None
) -> tuple[str, str]:
    """A name no other segment has, and a query that runs: one that would
    refer to the segment itself, directly or through others, does not."""
    name = " ".join(name.split())[:120]
    query = query.strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = ["A segment needs a name."]
    else:
        others = (
            Segment.objects.all() if segment is None else Segment.objects.exclude(pk=segment.pk)
        )
        if any(fold(other) == fold(name) for other in others.values_list("name", flat=True)):
            errors["name"] = [f"There is already a segment called “{name}”."]
    if not query:
        errors["query"] = ["A segment needs a query, e.g. skill:python country:BR."]
    elif "name" not in errors:
        try:
            compile_query(actor, query, segments=_with_this(name, query))
        except QueryError as exc:
            errors["query"] = [f"{exc.message} (at character {exc.position + 1})"]
    if errors:
        raise ValidationError(errors)
    return name, query


def _with_this(name: str, query: str) -> Callable[[User, str], str | None]:
    """Segment lookups as they will be once this one is saved, so that
    `segment:` cycles through it are found before it exists."""

    def lookup(user: User, wanted: str) -> str | None:
        if fold(wanted) == fold(name):
            return query
        return segment_query(user, wanted)

    return lookup
