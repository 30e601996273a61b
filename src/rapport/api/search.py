"""Search with the query language, and segments (saved searches)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from rapport.api.auth import actor
from rapport.api.candidates import CandidateSort
from rapport.api.errors import ERRORS
from rapport.api.pagination import Page, PageParams, paginate
from rapport.api.schemas import CandidateOut, UserRef
from rapport.people.selectors import attach_shown
from rapport.search import selectors, services
from rapport.search.models import Segment
from rapport.search.selectors import Search

router = Router(tags=["search"])


class SearchParams(Schema):
    q: str = Field(
        "",
        max_length=2000,
        description="A query, e.g. `skill:python country:BR last_contacted:>90d`; "
        "see docs/search.md. Empty: everyone you may see.",
    )
    sort: CandidateSort = Field("relevance", description="relevance ranks by the free text.")


class SearchPage(Page[CandidateOut]):
    warnings: list[str] = Field(
        description="Parts of the query that name nothing (a tag nobody has…); it ran anyway."
    )


class SegmentOut(Schema):
    id: int
    name: str
    query: str
    description: str
    shared: bool
    owner: UserRef
    created_at: dt.datetime
    updated_at: dt.datetime


class SegmentIn(Schema):
    name: str = Field(max_length=120)
    query: str = Field(max_length=2000, description="In the query language.")
    description: str = Field("", max_length=300)
    shared: bool = Field(False, description="Usable by the whole team.")


class SegmentPatch(Schema):
    """Only the fields sent change."""

    name: str = Field("", max_length=120)
    query: str = Field("", max_length=2000)
    description: str = Field("", max_length=300)
    shared: bool = False


def _page(request: HttpRequest, search: Search, paging: PageParams) -> dict[str, object]:
    page = paginate(search.rows, paging)
    attach_shown(actor(request), page.results)
    return {
        "count": page.count,
        "page": page.page,
        "page_size": page.page_size,
        "results": page.results,
        "warnings": search.compiled.warnings,
    }


@router.get("/search", response={200: SearchPage, **ERRORS}, summary="Search candidates")
def search(
    request: HttpRequest, params: Query[SearchParams], paging: Query[PageParams]
) -> dict[str, object]:
    """The candidates you may see that match `q`. A query that cannot run
    answers 422 with the `position` and `length` of the mistake in `q`."""
    found = selectors.candidate_search(actor(request), query=params.q, sort=params.sort)
    return _page(request, found, paging)


@router.get("/segments", response={200: list[SegmentOut], **ERRORS}, summary="List segments")
def list_segments(request: HttpRequest) -> list[Segment]:
    """Your own segments and those shared with the team."""
    return list(selectors.segment_list(actor(request)))


@router.post("/segments", response={201: SegmentOut, **ERRORS}, summary="Save a segment")
def create_segment(request: HttpRequest, payload: SegmentIn) -> Status[Segment]:
    segment = services.segment_create(actor=actor(request), **payload.model_dump())
    return Status(201, segment)


@router.get("/segments/{segment_id}", response={200: SegmentOut, **ERRORS}, summary="Get one")
def get_segment(request: HttpRequest, segment_id: int) -> Segment:
    return selectors.segment_get(actor(request), segment_id)


@router.patch(
    "/segments/{segment_id}", response={200: SegmentOut, **ERRORS}, summary="Change a segment"
)
def update_segment(request: HttpRequest, segment_id: int, payload: SegmentPatch) -> Segment:
    user = actor(request)
    segment = selectors.segment_get(user, segment_id)
    sent = payload.model_fields_set
    return services.segment_update(
        actor=user,
        segment=segment,
        name=payload.name if "name" in sent else segment.name,
        query=payload.query if "query" in sent else segment.query,
        description=payload.description if "description" in sent else segment.description,
        shared=payload.shared if "shared" in sent else segment.shared,
    )


@router.delete("/segments/{segment_id}", response={204: None, **ERRORS}, summary="Delete a segment")
def delete_segment(request: HttpRequest, segment_id: int) -> Status[None]:
    user = actor(request)
    services.segment_delete(actor=user, segment=selectors.segment_get(user, segment_id))
    return Status(204, None)


@router.get(
    "/segments/{segment_id}/members",
    response={200: SearchPage, **ERRORS},
    summary="Who is in a segment now",
)
def segment_members(
    request: HttpRequest,
    segment_id: int,
    paging: Query[PageParams],
    sort: CandidateSort = "relevance",
) -> dict[str, object]:
    user = actor(request)
    segment = selectors.segment_get(user, segment_id)
    return _page(request, selectors.segment_members(user, segment, sort=sort), paging)
