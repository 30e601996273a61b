"""Searching the talent pool, for one user."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404

from rapport.accounts.models import Capability
from rapport.core.text import fold
from rapport.people import selectors as people
from rapport.search import fulltext, plans
from rapport.search.compiler import Compiled, compile_query
from rapport.search.models import Segment

if TYPE_CHECKING:
    from rapport.accounts.models import User
    from rapport.people.models import Candidate


# "relevance" ranks by the free text; without free text it is the default order.
SORTS = ("relevance", *people.SORTS)


@dataclass
class Search:
    rows: QuerySet[Candidate]
    compiled: Compiled


def candidate_search(
    user: User,
    *,
    query: str = "",
    sort: str = "relevance",
    tag: str = "",
    pool: int | None = None,
    owner: int | None = None,
    now: dt.datetime | None = None,
) -> Search:
    """The candidates `user` may see that match `query` (the query language)
    and the simple filters, with ages (`>90d`) counted from `now`. Raises
    QueryError for a query that cannot run."""
    compiled = compile_query(user, query, segments=segment_query, now=now)
    by_relevance = sort == "relevance"
    filtered = bool(tag) or pool is not None or owner is not None
    rows = people.candidate_list(
        user,
        condition=_condition(user, compiled, ranked=by_relevance, filtered=filtered),
        sort=people.DEFAULT_SORT if by_relevance else sort,
        tag=tag,
        pool=pool,
        owner=owner,
    )
    if by_relevance and compiled.rank is not None:
        relevance = fulltext.relevance(compiled.rank, private=compiled.private)
        rows = rows.annotate(relevance=relevance).order_by("-relevance", "-created_at", "-id")
    if _over_everyone(user, compiled, filtered=filtered):
        assert compiled.sole is not None
        members, negated = compiled.sole
        rows = plans.counted(rows, lambda: members.total(negated=negated))
    return Search(rows, compiled)


def _over_everyone(user: User, compiled: Compiled, *, filtered: bool) -> bool:
    """Whether the search is one set of members (perhaps negated) over the
    whole pool: its matches can then be counted from the index alone, and
    its first page may read them one by one (see `plans`)."""
    return compiled.sole is not None and not filtered and user.can(Capability.SEE_ALL_CANDIDATES)


def _condition(user: User, compiled: Compiled, *, ranked: bool, filtered: bool) -> Q:
    """The compiled condition, or, when it is one set of members over the
    whole pool in an order an index gives, the same condition in whichever
    form suits the page or count it ends up in (see `plans`)."""
    if not _over_everyone(user, compiled, filtered=filtered):
        return compiled.condition
    if ranked and compiled.rank is not None:
        return compiled.condition  # ranked: every match is scored anyway
    assert compiled.sole is not None
    members, negated = compiled.sole
    return plans.either(members, negated=negated)


# --- segments


def segments_visible(user: User) -> QuerySet[Segment]:
    """Your own segments and the team's shared ones. Segments are the team's
    tools, like pools: users who do not see the whole pool have none."""
    if not user.is_active or not user.can(Capability.SEE_ALL_CANDIDATES):
        return Segment.objects.none()
    return Segment.objects.filter(Q(owner=user) | Q(shared=True))


def segment_list(user: User) -> QuerySet[Segment]:
    return segments_visible(user).select_related("owner").order_by("name", "id")


def segment_get(user: User, pk: int | str) -> Segment:
    try:
        return segments_visible(user).select_related("owner").get(pk=int(pk))
    except (Segment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such segment.") from None


def segment_query(user: User, name: str) -> str | None:
    """The query of the segment `user` may use by this name (for `segment:`)."""
    wanted = fold(name)
    for segment_name, query in segments_visible(user).values_list("name", "query"):
        if fold(segment_name) == wanted:
            return str(query)
    return None


def segment_members(user: User, segment: Segment, *, sort: str = "relevance") -> Search:
    """Who is in the segment for this user, now."""
    return candidate_search(user, query=segment.query, sort=sort)
