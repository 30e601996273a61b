"""Searching the talent pool, for one user."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rapport.people import selectors as people
from rapport.search import fulltext
from rapport.search.compiler import Compiled, compile_query

if TYPE_CHECKING:
    from django.db.models import QuerySet

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
) -> Search:
    """The candidates `user` may see that match `query` (the query language)
    and the simple filters. Raises QueryError for a query that cannot run."""
    compiled = compile_query(user, query)
    by_relevance = sort == "relevance"
    rows = people.candidate_list(
        user,
        condition=compiled.condition,
        sort=people.DEFAULT_SORT if by_relevance else sort,
        tag=tag,
        pool=pool,
        owner=owner,
    )
    if by_relevance and compiled.rank is not None:
        relevance = fulltext.relevance(compiled.rank, private=compiled.private)
        rows = rows.annotate(relevance=relevance).order_by("-relevance", "-created_at", "-id")
    return Search(rows, compiled)
