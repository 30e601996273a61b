"""Searching the talent pool, for one user."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rapport.people import selectors as people
from rapport.search.compiler import Compiled, compile_query

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from rapport.accounts.models import User
    from rapport.people.models import Candidate


@dataclass
class Search:
    rows: QuerySet[Candidate]
    compiled: Compiled


def candidate_search(
    user: User,
    *,
    query: str = "",
    sort: str = people.DEFAULT_SORT,
    tag: str = "",
    pool: int | None = None,
    owner: int | None = None,
) -> Search:
    """The candidates `user` may see that match `query` (the query language)
    and the simple filters. Raises QueryError for a query that cannot run."""
    compiled = compile_query(user, query)
    rows = people.candidate_list(
        user, condition=compiled.condition, sort=sort, tag=tag, pool=pool, owner=owner
    )
    return Search(rows, compiled)
