"""Pools: named, hand-built lists of candidates, and their members."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from rapport.accounts.models import User
from rapport.api.auth import actor
from rapport.api.errors import ERRORS
from rapport.api.pagination import Page, PageOf, PageParams, paginate
from rapport.api.schemas import CandidateOut, UserRef
from rapport.people import selectors, services
from rapport.people.models import Candidate, Pool, PoolMembership

router = Router(tags=["pools"])


class PoolOut(Schema):
    id: int
    name: str
    description: str
    owner: UserRef | None
    created_at: dt.datetime


class PoolRow(PoolOut):
    size: int = Field(description="How many candidates are in the pool.")


class PoolIn(Schema):
    name: str = Field(max_length=120)
    description: str = ""


class PoolPatch(Schema):
    """Only the fields sent change."""

    name: str = Field("", max_length=120)
    description: str = ""


class MemberOut(Schema):
    candidate: CandidateOut
    added_by: UserRef | None
    added_at: dt.datetime


class MembersIn(Schema):
    candidate_ids: list[int] = Field(min_length=1, max_length=1000)


class MembersAdded(Schema):
    added: int = Field(description="How many were not in the pool yet.")


@router.get("/pools", response={200: list[PoolRow], **ERRORS}, summary="List pools")
def list_pools(request: HttpRequest) -> list[Pool]:
    return list(selectors.pool_list(actor(request)))


@router.post("/pools", response={201: PoolOut, **ERRORS}, summary="Create a pool")
def create_pool(request: HttpRequest, payload: PoolIn) -> Status[Pool]:
    pool = services.pool_create(
        actor=actor(request), name=payload.name, description=payload.description
    )
    return Status(201, pool)


@router.get("/pools/{pool_id}", response={200: PoolOut, **ERRORS}, summary="Get a pool")
def get_pool(request: HttpRequest, pool_id: int) -> Pool:
    return selectors.pool_get(actor(request), pool_id)


@router.patch("/pools/{pool_id}", response={200: PoolOut, **ERRORS}, summary="Rename a pool")
def update_pool(request: HttpRequest, pool_id: int, payload: PoolPatch) -> Pool:
    user = actor(request)
    pool = selectors.pool_get(user, pool_id)
    sent = payload.model_fields_set
    return services.pool_update(
        actor=user,
        pool=pool,
        name=payload.name if "name" in sent else pool.name,
        description=payload.description if "description" in sent else pool.description,
    )


@router.get(
    "/pools/{pool_id}/members",
    response={200: Page[MemberOut], **ERRORS},
    summary="List a pool's members",
)
def list_members(
    request: HttpRequest, pool_id: int, paging: Query[PageParams]
) -> PageOf[PoolMembership]:
    """The most recently added first."""
    user = actor(request)
    page = paginate(selectors.pool_members(user, selectors.pool_get(user, pool_id)), paging)
    selectors.attach_shown(user, [m.candidate for m in page.results])
    return page


@router.post(
    "/pools/{pool_id}/members",
    response={200: MembersAdded, **ERRORS},
    summary="Add candidates to a pool",
)
def add_members(request: HttpRequest, pool_id: int, payload: MembersIn) -> dict[str, int]:
    """All or nothing: when an id is not a candidate the user can see, the
    answer is a 404 naming it and nobody is added. Adding a member twice is
    not an error."""
    user = actor(request)
    pool = selectors.pool_get(user, pool_id)
    wanted = set(payload.candidate_ids)
    candidates = list(_visible_candidates(user, wanted))
    if missing := wanted - {c.pk for c in candidates}:
        ids = ", ".join(str(pk) for pk in sorted(missing))
        raise HttpError(404, f"No candidate with id {ids}; nobody was added.")
    return {"added": services.pool_add(actor=user, pool=pool, candidates=candidates)}


@router.delete(
    "/pools/{pool_id}/members/{candidate_id}",
    response={204: None, **ERRORS},
    summary="Remove a candidate from a pool",
)
def remove_member(request: HttpRequest, pool_id: int, candidate_id: int) -> Status[None]:
    user = actor(request)
    pool = selectors.pool_get(user, pool_id)
    candidate = selectors.candidate_get(user, candidate_id)
    if not services.pool_remove(actor=user, pool=pool, candidates=[candidate]):
        raise Http404("The candidate is not in this pool.")
    return Status(204, None)


def _visible_candidates(user: User, ids: set[int]) -> QuerySet[Candidate]:
    # Stands in for a selector that fetches many candidates by id in one query.
    return selectors.candidates_visible(user).filter(pk__in=ids)
