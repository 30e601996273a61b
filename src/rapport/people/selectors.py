"""Every read of the talent pool, scoped to the acting user.

Views and API endpoints fetch through these functions only, so the rules of
who sees what hold everywhere: a user who may not see an object gets a 404,
never a hint that it exists."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.http import Http404

from rapport.accounts.models import Capability, display_name
from rapport.core.models import Activity
from rapport.people.models import (
    Candidate,
    CandidateShare,
    CandidateSkill,
    CandidateTag,
    ContactKind,
    ContactPoint,
    Note,
    Pool,
    PoolMembership,
    Tag,
)

if TYPE_CHECKING:
    from rapport.accounts.models import User

SORTS: dict[str, tuple[str, ...]] = {
    "name": ("last_name", "first_name", "id"),
    "-name": ("-last_name", "-first_name", "-id"),
    "created": ("created_at", "id"),
    "-created": ("-created_at", "-id"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
    "contacted": ("last_contacted_at", "id"),
    "-contacted": ("-last_contacted_at", "-id"),
}
DEFAULT_SORT = "-created"

# What a list shows of a candidate's owner: a name (or the email's local
# part), and in the API the id and the email too. The rest of the owner's row
# (the hash of their password, their email signature, a dozen columns) is
# not read for every candidate of a page. Written as `only()` with every
# column of the candidate: `defer()` of the others costs more to compile,
# since Django then goes through every relation that points at a user.
OWNER_SHOWN = ("id", "name", "email")
LIST_COLUMNS = (
    *(f.name for f in Candidate._meta.concrete_fields),
    *(f"owner__{name}" for name in OWNER_SHOWN),
)


# Later apps grant more candidates to users who do not see the whole pool
# (jobs: a hiring manager sees the candidates of their jobs). Each grant is a
# condition on Candidate for one user; people itself knows nothing of them.
_VISIBILITY_GRANTS: dict[str, Callable[[User], Q]] = {}


def visibility_grant_register(name: str, grant: Callable[[User], Q]) -> None:
    """Let `grant(user)` widen what a user without the whole pool may see."""
    _VISIBILITY_GRANTS[name] = grant


def candidates_visible(user: User) -> QuerySet[Candidate]:
    """All candidates the user may see."""
    if not user.is_active:
        return Candidate.objects.none()
    if user.can(Capability.SEE_ALL_CANDIDATES):
        return Candidate.objects.all()
    visible = Q(Exists(CandidateShare.objects.filter(candidate=OuterRef("pk"), user=user)))
    for grant in _VISIBILITY_GRANTS.values():
        visible |= grant(user)
    return Candidate.objects.filter(visible)


def candidate_get(user: User, pk: int | str) -> Candidate:
    """The candidate, or a 404 for anyone who may not see them."""
    try:
        return candidates_visible(user).select_related("owner").get(pk=int(pk))
    except (Candidate.DoesNotExist, ValueError, TypeError):
        raise Http404("No such candidate.") from None


# Where a candidate who is gone now lives (sourcing: merged into another), so
# that an old link leads somewhere. Each forward maps an id to another or None.
_FORWARDS: dict[str, Callable[[int], int | None]] = {}


def candidate_forward_register(name: str, forward: Callable[[int], int | None]) -> None:
    _FORWARDS[name] = forward


def candidate_forwarded(user: User, pk: int) -> Candidate | None:
    """The candidate an old id now leads to, if the user may see them."""
    seen = {pk}
    current = pk
    for _ in range(10):  # a merge of a merge of…; never a loop
        target = next((t for f in _FORWARDS.values() if (t := f(current)) is not None), None)
        if target is None or target in seen:
            return None
        found = candidates_visible(user).filter(pk=target).first()
        if found is not None:
            return found
        seen.add(target)
        current = target
    return None


def candidate_get_full(user: User, pk: int | str) -> Candidate:
    """The candidate with everything the profile shows, in a fixed number of queries."""
    candidate = candidate_get(user, pk)
    attach_shown(user, [candidate])
    return candidate


class SkillShown(NamedTuple):
    name: str
    level: int | None
    years: int | None


class PoolShown(NamedTuple):
    id: int
    name: str
    added_at: dt.datetime
    added_by: str


@dataclass(slots=True)
class Shown:
    """What pages and endpoints show of a candidate beyond the candidate's own
    row, fetched for a whole page at once by `attach_shown`.

    Plain values with no way back to the candidate: the objects of a page
    then form no reference cycles and are freed as soon as the response is
    sent, instead of piling up for the cyclic garbage collector, whose
    pauses made the slow tail of the list pages (docs/decisions/0002)."""

    contacts: list[ContactPoint] = field(default_factory=list)
    skills: list[SkillShown] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    # Why a rule tagged them (a silver medal names the job and the stage),
    # as (tag, reason); for users who see the whole pool only, since a
    # reason may name a job others do not see.
    tag_reasons: list[tuple[str, str]] = field(default_factory=list)
    pools: list[PoolShown] = field(default_factory=list)

    @property
    def skill_names(self) -> str:
        return ", ".join(skill.name for skill in self.skills)

    @property
    def emails(self) -> list[ContactPoint]:
        return [c for c in self.contacts if c.kind == ContactKind.EMAIL]

    @property
    def phones(self) -> list[ContactPoint]:
        return [c for c in self.contacts if c.kind == ContactKind.PHONE]


def attach_shown(
    user: User,
    candidates: Iterable[Candidate],
    *,
    contacts: bool = True,
    pools: bool = True,
    skills_by_level: bool = False,
) -> None:
    """Set `candidate.shown` on each candidate: contacts, skills (by name, or
    strongest first), tags and, for users who see the team's pools, the
    active pools. One query per kind, whatever the number of candidates."""
    by_id: dict[int, Shown] = {}
    for candidate in candidates:
        candidate.shown = by_id[candidate.pk] = Shown()
    if not by_id:
        return
    ids = list(by_id)
    if contacts:
        for contact in ContactPoint.objects.filter(candidate_id__in=ids):
            by_id[contact.candidate_id].contacts.append(contact)
    skill_order = (
        (F("level").desc(nulls_last=True), "skill__name") if skills_by_level else ("skill__name",)
    )
    skill_rows = (
        CandidateSkill.objects.filter(candidate_id__in=ids)
        .order_by(*skill_order)
        .values_list("candidate_id", "skill__name", "level", "years")
    )
    for candidate_id, name, level, years in skill_rows:
        by_id[candidate_id].skills.append(SkillShown(name, level, years))
    tag_rows = (
        CandidateTag.objects.filter(candidate_id__in=ids)
        .order_by("tag__name")
        .values_list("candidate_id", "tag__name", "reason")
    )
    sees_reasons = user.can(Capability.SEE_ALL_CANDIDATES)
    for candidate_id, name, reason in tag_rows:
        by_id[candidate_id].tags.append(name)
        if reason and sees_reasons:
            by_id[candidate_id].tag_reasons.append((name, reason))
    if pools and user.can(Capability.SEE_ALL_CANDIDATES):
        # The rule of pools_visible: the team's active pools, for the team.
        pool_rows = (
            PoolMembership.objects.filter(candidate_id__in=ids, pool__archived_at__isnull=True)
            .order_by("pool__name", "pool_id")
            .values_list(
                "candidate_id",
                "pool_id",
                "pool__name",
                "added_at",
                "added_by__name",
                "added_by__email",
            )
        )
        for candidate_id, pool_id, name, added_at, by_name, by_email in pool_rows:
            added_by = display_name(by_name, by_email) if by_email else ""
            by_id[candidate_id].pools.append(PoolShown(pool_id, name, added_at, added_by))


def candidate_list(
    user: User,
    *,
    condition: Q | None = None,
    sort: str = DEFAULT_SORT,
    tag: str = "",
    pool: int | None = None,
    owner: int | None = None,
) -> QuerySet[Candidate]:
    """The candidates the list page and the list endpoint show, filtered (by
    `condition`, a compiled search, and the simple filters) and sorted."""
    rows = candidates_visible(user)
    if condition is not None:
        rows = rows.filter(condition)
    if tag:
        rows = rows.filter(
            Exists(CandidateTag.objects.filter(candidate=OuterRef("pk"), tag__name=tag))
        )
    if pool is not None:
        members = PoolMembership.objects.filter(
            candidate=OuterRef("pk"), pool_id=pool, pool__in=pools_visible(user)
        )
        rows = rows.filter(Exists(members))
    if owner is not None:
        rows = rows.filter(owner_id=owner)
    order = SORTS.get(sort, SORTS[DEFAULT_SORT])
    if sort.endswith("contacted"):
        first = (
            F("last_contacted_at").desc(nulls_last=True)
            if sort.startswith("-")
            else F("last_contacted_at").asc(nulls_last=True)
        )
        return rows.select_related("owner").only(*LIST_COLUMNS).order_by(first, order[1])
    return rows.select_related("owner").only(*LIST_COLUMNS).order_by(*order)


def notes_visible(user: User, candidate: Candidate) -> QuerySet[Note]:
    notes = Note.objects.filter(candidate=candidate).select_related("author")
    if not user.can(Capability.SEE_CONFIDENTIAL):
        notes = notes.filter(Q(confidential=False) | Q(author=user))
    return notes


# Later apps hide some events from users who do not see the whole pool (jobs:
# those about a job the user does not hire for). Each is a condition on
# Activity, for one user, of the events to leave out.
_TIMELINE_HIDES: dict[str, Callable[[User], Q]] = {}


def timeline_hide_register(name: str, hide: Callable[[User], Q]) -> None:
    """Leave the events matching `hide(user)` off the timelines of users
    without the whole pool."""
    _TIMELINE_HIDES[name] = hide


def timeline(user: User, candidate: Candidate, *, kinds: Sequence[str] = ()) -> QuerySet[Activity]:
    """The candidate's events, newest first, without what the user may not see."""
    events = Activity.objects.filter(candidate=candidate).select_related("actor")
    if kinds:
        events = events.filter(kind__in=kinds)
    if not user.can(Capability.SEE_CONFIDENTIAL):
        events = events.filter(confidential=False)
    if not user.can(Capability.SEE_ALL_CANDIDATES):
        # Pools are the team's; their names are not for users outside it.
        events = events.exclude(kind__startswith="pool.")
        for hide in _TIMELINE_HIDES.values():
            events = events.exclude(hide(user))
    return events.order_by("-occurred_at", "-id")


def timeline_kinds(user: User, candidate: Candidate) -> list[str]:
    """The kinds present on this timeline, for the filter."""
    return sorted(set(timeline(user, candidate).values_list("kind", flat=True).order_by()))


def contact_get(user: User, pk: int | str, *, candidate: int | None = None) -> ContactPoint:
    """A contact point of a candidate the user may see (of that candidate, when given)."""
    contacts = ContactPoint.objects.select_related("candidate")
    if candidate is not None:
        contacts = contacts.filter(candidate_id=candidate)
    try:
        return contacts.get(pk=int(pk), candidate__in=candidates_visible(user))
    except (ContactPoint.DoesNotExist, ValueError):
        raise Http404("No such contact.") from None


def pools_visible(user: User) -> QuerySet[Pool]:
    """Pools are the team's: everyone who sees the whole pool sees them all."""
    if not user.can(Capability.SEE_ALL_CANDIDATES):
        return Pool.objects.none()
    return Pool.objects.filter(archived_at__isnull=True)


def pool_list(user: User) -> QuerySet[Pool]:
    return (
        pools_visible(user)
        .select_related("owner")
        .annotate(size=Count("memberships"))
        .order_by("name")
    )


def pool_get(user: User, pk: int | str) -> Pool:
    try:
        return pools_visible(user).select_related("owner").get(pk=int(pk))
    except (Pool.DoesNotExist, ValueError):
        raise Http404("No such pool.") from None


def pool_members(user: User, pool: Pool) -> QuerySet[PoolMembership]:
    return (
        PoolMembership.objects.filter(pool=pool, candidate__in=candidates_visible(user))
        .select_related("candidate", "candidate__owner", "added_by")
        .order_by("-added_at", "-id")
    )


def tags_visible(user: User) -> QuerySet[Tag]:
    if not user.can(Capability.SEE_ALL_CANDIDATES):
        return Tag.objects.none()
    return Tag.objects.order_by("name")


def tag_get(user: User, name: str) -> Tag:
    try:
        return tags_visible(user).get(name=name)
    except Tag.DoesNotExist:
        raise Http404("No such tag.") from None


def candidate_tag_get(candidate: Candidate, name: str) -> Tag:
    """A tag of a candidate the caller already fetched through candidate_get:
    whoever sees the candidate sees their tags (as on the profile)."""
    try:
        return Tag.objects.get(name=name, candidate_links__candidate=candidate)
    except Tag.DoesNotExist:
        raise Http404("The candidate does not have this tag.") from None


def tag_counts(user: User) -> QuerySet[Tag]:
    return tags_visible(user).annotate(size=Count("candidate_links")).order_by("-size", "name")
