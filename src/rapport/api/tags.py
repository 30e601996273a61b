"""Tags: the team's vocabulary of labels, and tagging a candidate."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from rapport.accounts.models import User
from rapport.api.auth import actor
from rapport.api.errors import ERRORS, fields_as_sent
from rapport.people import selectors, services
from rapport.people.models import Tag

router = Router(tags=["tags"])


class TagOut(Schema):
    name: str
    color: str
    count: int = Field(description="How many candidates carry the tag.")

    @staticmethod
    def resolve_count(obj: Tag) -> int:
        return int(getattr(obj, "size", 0))


class TagIn(Schema):
    name: str = Field(
        min_length=1,
        max_length=100,
        description="Stored lower-case and hyphenated: `Silver Medallist` → `silver-medallist`.",
    )


@router.get("/tags", response={200: list[TagOut], **ERRORS}, summary="List tags with counts")
def list_tags(request: HttpRequest) -> list[Tag]:
    """Most used first."""
    return list(selectors.tag_counts(actor(request)))


@router.post(
    "/candidates/{candidate_id}/tags",
    response={200: list[str], **ERRORS},
    summary="Tag a candidate",
)
def add_tag(request: HttpRequest, candidate_id: int, payload: TagIn) -> list[str]:
    """Creates the tag when it is new; tagging twice is not an error. Answers
    with the candidate's tags."""
    user = actor(request)
    candidate = selectors.candidate_get(user, candidate_id)
    with fields_as_sent(tag="name"):
        services.tag_add(actor=user, candidates=[candidate], name=payload.name)
    return _tags_of(user, candidate_id)


@router.delete(
    "/candidates/{candidate_id}/tags/{name}",
    response={204: None, **ERRORS},
    summary="Untag a candidate",
)
def remove_tag(request: HttpRequest, candidate_id: int, name: str) -> Status[None]:
    user = actor(request)
    candidate = selectors.candidate_get(user, candidate_id)
    tag = selectors.candidate_tag_get(candidate, name)
    services.tag_remove(actor=user, candidates=[candidate], tag=tag)
    return Status(204, None)


def _tags_of(user: User, candidate_id: int) -> list[str]:
    candidate = selectors.candidate_get_full(user, candidate_id)
    return candidate.shown.tags
