from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from rapport.accounts.models import Role, User
from rapport.core.http import acting_user, id_or_none
from rapport.people import selectors as people
from rapport.search.query import QueryError
from rapport.search.selectors import SORTS, candidate_search

PAGE_SIZE = 50


@login_required
def candidate_list(request: HttpRequest) -> HttpResponse:
    """The talent pool: the search box (the query language), filters, sort,
    one page of matches."""
    user = acting_user(request)
    query = request.GET.get("q", "").strip()
    sort = request.GET.get("sort", "relevance")
    if sort not in SORTS:
        sort = "relevance"
    tag = request.GET.get("tag", "")
    pool = id_or_none(request.GET.get("pool"))
    owner = id_or_none(request.GET.get("owner"))
    context: dict[str, Any] = {
        "query": query,
        "sort": sort,
        "tag": tag,
        "pool_filter": pool,
        "owner_filter": owner,
        "pools": people.pools_visible(user).only("pk", "name"),
        "owners": User.objects.filter(
            role__in=[Role.ADMIN, Role.RECRUITER, Role.SOURCER], is_active=True
        ),
        "filtered": bool(query or tag or pool or owner),
        "tag_names": people.tags_visible(user).values_list("name", flat=True),
    }
    try:
        search = candidate_search(user, query=query, sort=sort, tag=tag, pool=pool, owner=owner)
    except QueryError as exc:
        context["error"] = exc
        context["error_before"] = query[: exc.position]
        context["error_at"] = query[exc.position : exc.position + exc.length] or " "
        context["error_after"] = query[exc.position + exc.length :]
        return render(request, "search/candidate_list.html", context, status=400)
    page = Paginator(search.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    people.attach_shown(user, page.object_list, contacts=False, pools=False, skills_by_level=True)
    context |= {"page": page, "warnings": search.compiled.warnings}
    return render(request, "search/candidate_list.html", context)
