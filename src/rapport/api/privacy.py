"""A person's data (docs/privacy.md): erase a candidate, download
everything kept about them, and the record of erasures."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import FileResponse, Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from rapport.api.auth import actor
from rapport.api.errors import ERRORS
from rapport.api.pagination import Page, PageOf, PageParams, paginate
from rapport.api.schemas import UserRef
from rapport.people.selectors import candidate_get
from rapport.privacy import erasure, exports, selectors
from rapport.privacy.models import Erasure

router = Router(tags=["privacy"])


class EraseIn(Schema):
    reason: Literal["request", "retention", "mistake"] = Field(
        description="`request`: they asked to be erased (their addresses and numbers are then "
        "kept as digests on the do-not-contact lists); `retention`: kept longer than we "
        "should; `mistake`: added by mistake."
    )
    note: str = Field("", max_length=300, description="Where the request came from. No names.")


class ErasureOut(Schema):
    id: int
    record: int = Field(description="The id the erased candidate had.")
    reason: Literal["request", "retention", "mistake"]
    note: str
    erased_by: UserRef | None = Field(description="None when the retention rule erased them.")
    erased_at: dt.datetime
    removed: dict[str, int] = Field(description="Kind of row (or `files`) → how many went.")
    suppressed: bool = Field(description="Whether they are on the do-not-contact lists.")


@router.post(
    "/candidates/{candidate_id}/erase",
    response={201: ErasureOut, **ERRORS},
    summary="Erase a candidate",
)
def erase_candidate(request: HttpRequest, candidate_id: int, payload: EraseIn) -> Status[Erasure]:
    """Every trace of the candidate goes, at once and for good (recruiters and
    admins). The answer is the record of it, which names nobody."""
    user = actor(request)
    candidate = candidate_get(user, candidate_id)
    made = erasure.candidate_erase(
        actor=user, candidate=candidate, reason=payload.reason, note=payload.note
    )
    return Status(201, made)


@router.post(
    "/candidates/{candidate_id}/export",
    response={200: None, **ERRORS},
    summary="Everything kept about a candidate",
    openapi_extra={
        "responses": {
            "200": {
                "description": "A zip file: one JSON file per kind of record, their résumés, "
                "and a README.",
                "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def export_candidate(request: HttpRequest, candidate_id: int) -> FileResponse:
    """For a person who asks what we keep about them (recruiters and admins).
    A POST, because it goes on their timeline."""
    user = actor(request)
    candidate = candidate_get(user, candidate_id)
    if not selectors.may_erase(user):
        raise Http404("No such candidate.")
    archive = exports.candidate_export(actor=user, candidate=candidate)
    return FileResponse(archive, as_attachment=True, filename=exports.export_filename(candidate))


@router.get("/erasures", response={200: Page[ErasureOut], **ERRORS}, summary="List erasures")
def list_erasures(request: HttpRequest, paging: Query[PageParams]) -> PageOf[Erasure]:
    """Newest first (recruiters and admins)."""
    return paginate(selectors.erasures_for(actor(request)), paging)
