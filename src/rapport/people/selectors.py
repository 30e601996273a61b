"""Every read of the talent pool, scoped to the acting user.

Views and API endpoints fetch through these functions only, so the rules of
who sees what hold everywhere: a user who may not see an object gets a 404,
never a hint that it exists."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from rapport.accounts.models import Capability
from rapport.core.models import Activity
from rapport.core.text import fold
from rapport.people.models import (
    Candidate,
    CandidateShare,
    CandidateSkill,
    CandidateTag,
    ContactPoint,
    Note,
    Pool,
    PoolMembership,
    SkillAlias,
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


def candidates_visible(user: User) -> QuerySet[Candidate]:
    """All candidates the user may see."""
    if not user.is_active:
        return Candidate.objects.none()
    if user.can(Capability.SEE_ALL_CANDIDATES):
        return Candidate.objects.all()
    return Candidate.objects.filter(
        Exists(CandidateShare.objects.filter(candidate=OuterRef("pk"), user=user))
    )


def candidate_get(user: User, pk: int | str) -> Candidate:
    """The candidate, or a 404 for anyone who may not see them."""
    try:
        return candidates_visible(user).select_related("owner").get(pk=int(pk))
    except (Candidate.DoesNotExist, ValueError, TypeError):
        raise Http404("No such candidate.") from None


def candidate_get_full(user: User, pk: int | str) -> Candidate:
    """The candidate with everything the profile shows, in a fixed number of queries."""
    candidate = candidate_get(user, pk)
    prefetch_profile([candidate])
    return candidate


def prefetch_profile(candidates: Iterable[Candidate]) -> None:
    from django.db.models import prefetch_related_objects

    prefetch_related_objects(
        list(candidates),
        "contacts",
        Prefetch(
            "skill_links",
            queryset=CandidateSkill.objects.select_related("skill").order_by("skill__name"),
        ),
        Prefetch(
            "tag_links", queryset=CandidateTag.objects.select_related("tag").order_by("tag__name")
        ),
        Prefetch(
            "pool_memberships",
            queryset=PoolMembership.objects.select_related("pool", "added_by").order_by(
                "pool__name"
            ),
        ),
    )


def quick_search_filter(query: str) -> Q:
    """Every word must appear in the candidate's search text; a word that is a
    skill alias (`k8s`) also matches the skill's name (Kubernetes)."""
    condition = Q()
    words = fold(query).split()
    aliases = (
        dict(SkillAlias.objects.filter(alias__in=words).values_list("alias", "skill__name"))
        if words
        else {}
    )
    for word in words:
        match = Q(search_text__contains=word)
        if word in aliases:
            match |= Q(search_text__contains=fold(aliases[word]))
        condition &= match
    return condition


def candidate_list(
    user: User,
    *,
    query: str = "",
    sort: str = DEFAULT_SORT,
    tag: str = "",
    pool: int | None = None,
    owner: int | None = None,
) -> QuerySet[Candidate]:
    """The candidates the list page and the list endpoint show, filtered and
    sorted, with what each row needs fetched in a fixed number of queries."""
    rows = candidates_visible(user)
    if query.strip():
        rows = rows.filter(quick_search_filter(query))
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
        from django.db.models import F

        first = (
            F("last_contacted_at").desc(nulls_last=True)
            if sort.startswith("-")
            else F("last_contacted_at").asc(nulls_last=True)
        )
        return rows.select_related("owner").order_by(first, order[1])
    return rows.select_related("owner").order_by(*order)


def list_prefetch(candidates: Iterable[Candidate]) -> None:
    """What a list row shows beyond the candidate row: tags and skills."""
    from django.db.models import prefetch_related_objects

    prefetch_related_objects(
        list(candidates),
        Prefetch(
            "tag_links", queryset=CandidateTag.objects.select_related("tag").order_by("tag__name")
        ),
        Prefetch(
            "skill_links",
            queryset=CandidateSkill.objects.select_related("skill").order_by(
                "-level", "skill__name"
            ),
        ),
    )


def notes_visible(user: User, candidate: Candidate) -> QuerySet[Note]:
    notes = Note.objects.filter(candidate=candidate).select_related("author")
    if not user.can(Capability.SEE_CONFIDENTIAL):
        notes = notes.filter(Q(confidential=False) | Q(author=user))
    return notes


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


def tag_counts(user: User) -> QuerySet[Tag]:
    return tags_visible(user).annotate(size=Count("candidate_links")).order_by("-size", "name")
