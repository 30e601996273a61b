"""Possible duplicates and merges: the review queue, merging two records
(from a review or any two), "not the same person", and undoing a merge."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from rapport.api.auth import actor
from rapport.api.errors import ERRORS
from rapport.api.pagination import Page, PageOf, PageParams, paginate
from rapport.api.schemas import UserRef
from rapport.people.models import Candidate
from rapport.people.selectors import candidate_get
from rapport.sourcing import merge as services
from rapport.sourcing import review_selectors as selectors
from rapport.sourcing.models import DuplicateReview, Merge, ReviewStatus

router = Router(tags=["duplicates"])

CHOICES: dict[str, str] = Field(
    default_factory=dict,
    description="Whose value wins, where the two records differ: field → `kept` or `merged` "
    "(`both` for languages). Fields: "
    + ", ".join(services.PICKABLE)
    + "; `custom:<key>` for a custom field; `primary_email`, `primary_phone`. A field left "
    "out takes the value that is there over an empty one, a withdrawn consent over any "
    "other, both records' languages, and otherwise the kept record's.",
)


class PersonRef(Schema):
    id: int
    full_name: str


class ReviewOut(Schema):
    id: int
    candidate: PersonRef = Field(description="The newer record.")
    other: PersonRef = Field(description="The record it may duplicate.")
    score: float = Field(description="How alike they are, 0 to 100.")
    reasons: list[str]
    status: Literal["open", "merged", "dismissed"]
    import_id: int | None = Field(description="The import that found the pair, if one did.")
    created_at: dt.datetime
    resolved_by: UserRef | None
    resolved_at: dt.datetime | None

    @staticmethod
    def resolve_import_id(obj: DuplicateReview) -> int | None:
        return obj.job_id


class MergeOut(Schema):
    id: int
    kept: PersonRef = Field(description="The record that absorbed the other.")
    merged_id: int = Field(
        description="The id of the record merged in; it is its id again after an undo."
    )
    merged_name: str
    choices: dict[str, str] = Field(description="Field → whose value won: kept, merged or both.")
    merged_by: UserRef | None
    merged_at: dt.datetime
    undone_by: UserRef | None
    undone_at: dt.datetime | None


class ReviewFilters(Schema):
    status: Literal["open", "dismissed"] = "open"
    import_id: int | None = Field(None, description="Only pairs found by this import.")


class ReviewMergeIn(Schema):
    keep: int | None = Field(
        None, description="The id of the record to keep; by default the older one (`other`)."
    )
    choices: dict[str, str] = CHOICES


class MergeIn(Schema):
    kept_id: int
    merged_id: int
    choices: dict[str, str] = CHOICES


@router.get(
    "/duplicates",
    response={200: Page[ReviewOut], **ERRORS},
    summary="List possible duplicates",
)
def list_reviews(
    request: HttpRequest, filters: Query[ReviewFilters], paging: Query[PageParams]
) -> PageOf[DuplicateReview]:
    """Open pairs the likeliest first; dismissed ones the latest first. Only
    users who may edit candidates review duplicates; for others the list is empty."""
    rows = selectors.review_list(actor(request), status=filters.status, job=filters.import_id)
    return paginate(rows, paging)


@router.post(
    "/duplicates/{review_id}/merge",
    response={201: MergeOut, **ERRORS},
    summary="Merge a possible duplicate",
)
def merge_review(request: HttpRequest, review_id: int, payload: ReviewMergeIn) -> Status[Merge]:
    user = actor(request)
    review = selectors.review_get(user, review_id)
    pair = {review.candidate_id: review.candidate, review.other_id: review.other}
    kept = pair.get(payload.keep or review.other_id)
    if kept is None:
        raise ValidationError({"keep": ["Keep one of the two records of this review."]})
    merged = review.candidate if kept.pk == review.other_id else review.other
    open_review = review if review.status == ReviewStatus.OPEN else None
    merge = services.candidate_merge(
        actor=user, kept=kept, merged=merged, choices=payload.choices, review=open_review
    )
    return Status(201, _fresh(merge))


@router.post(
    "/duplicates/{review_id}/dismiss",
    response={200: ReviewOut, **ERRORS},
    summary="Mark a pair as not the same person",
)
def dismiss_review(request: HttpRequest, review_id: int) -> DuplicateReview:
    user = actor(request)
    review = services.review_dismiss(actor=user, review=selectors.review_get(user, review_id))
    return selectors.review_get(user, review.pk)


@router.get("/merges", response={200: Page[MergeOut], **ERRORS}, summary="List merges")
def list_merges(request: HttpRequest, paging: Query[PageParams]) -> PageOf[Merge]:
    """Newest first, undone ones included."""
    return paginate(selectors.merge_history(actor(request)), paging)


@router.post("/merges", response={201: MergeOut, **ERRORS}, summary="Merge two candidates")
def merge_two(request: HttpRequest, payload: MergeIn) -> Status[Merge]:
    """Any two records the user can see: `merged_id` is folded into `kept_id`."""
    user = actor(request)
    kept: Candidate = candidate_get(user, payload.kept_id)
    merged: Candidate = candidate_get(user, payload.merged_id)
    review = selectors.review_between(user, kept.pk, merged.pk)
    merge = services.candidate_merge(
        actor=user, kept=kept, merged=merged, choices=payload.choices, review=review
    )
    return Status(201, _fresh(merge))


@router.post(
    "/merges/{merge_id}/undo",
    response={200: MergeOut, **ERRORS},
    summary="Undo a merge",
)
def undo_merge(request: HttpRequest, merge_id: int) -> Merge:
    """Both records come back as they were. A 422 says why when it cannot be
    undone now (a later merge of either record, an address that belongs to
    someone else since)."""
    user = actor(request)
    merge = selectors.merge_get(user, merge_id)
    services.merge_undo(actor=user, merge=merge)
    return _fresh(merge)


def _fresh(merge: Merge) -> Merge:
    return (
        Merge.objects.select_related("kept", "merged_by", "undone_by")
        .defer("snapshot")
        .get(pk=merge.pk)
    )
