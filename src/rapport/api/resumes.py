"""Résumés (upload, what was read, confirmation, the file) and referrals."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import FileResponse, HttpRequest
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from rapport.api.auth import actor
from rapport.api.errors import ERRORS
from rapport.api.schemas import UserRef
from rapport.people.selectors import candidate_get
from rapport.sourcing import referrals
from rapport.sourcing import resume_services as services
from rapport.sourcing.models import Resume
from rapport.sourcing.resume_selectors import resume_get, resumes_of

router = Router(tags=["résumés and referrals"])


class ResumeOut(Schema):
    id: int
    candidate_id: int | None
    original_name: str
    content_type: str
    size: int
    status: str = Field(description="parsed (to confirm), confirmed, or failed.")
    error: str
    extracted: dict[str, Any] = Field(
        description="What was read: field → {value, confidence} (0 to 1)."
    )
    uploaded_by: UserRef | None
    created_at: dt.datetime


class ResumeDetail(ResumeOut):
    text: str = Field(description="The text read from the file; searchable.")


class ConfirmIn(Schema):
    fields: dict[str, Any] = Field(
        description=(
            "The findings accepted: name {first_name, last_name}; current_title, "
            "current_company, linkedin_url, github_url, portfolio_url, years_experience; "
            "emails, phones, skills (those accepted, among those read); education "
            "(positions of the entries accepted)."
        )
    )


class Confirmed(Schema):
    changed: list[str] = Field(description="What changed on the candidate, in words.")


class ReferralIn(Schema):
    first_name: str = Field(max_length=100)
    last_name: str = Field("", max_length=100)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=40)
    linkedin_url: str = Field("", max_length=300)
    current_title: str = Field("", max_length=150)
    current_company: str = Field("", max_length=150)
    note: str = Field("", max_length=5000, description="Why you refer them.")


class ReferralMade(Schema):
    referral_id: int
    candidate_id: int | None = Field(description="Null when you may not open their profile.")
    created: bool = Field(description="The referral brought a new person into the pool.")
    again: bool = Field(description="You had referred them before.")


class ReferralRow(Schema):
    id: int
    referrer: UserRef | None
    candidate_id: int | None = Field(description="Null when you may not open their profile.")
    candidate_name: str
    note: str
    created_at: dt.datetime
    contacted_at: dt.datetime | None = Field(description="The team's last contact since.")
    engagement: str
    looked_after_by: str


class ReferralScope(Schema):
    scope: Literal["mine", "all"] = "mine"


@router.get(
    "/candidates/{candidate_id}/resumes",
    response={200: list[ResumeOut], **ERRORS},
    summary="A candidate's résumés",
)
def list_resumes(request: HttpRequest, candidate_id: int) -> list[Resume]:
    return list(resumes_of(candidate_get(actor(request), candidate_id)))


@router.post(
    "/candidates/{candidate_id}/resumes",
    response={201: ResumeDetail, **ERRORS},
    summary="Upload a résumé",
)
def upload_resume(
    request: HttpRequest, candidate_id: int, file: File[UploadedFile]
) -> Status[Resume]:
    """A PDF or DOCX as `multipart/form-data` (field `file`). It is read at
    once: `extracted` holds what was found, to confirm with
    `/resumes/{id}/confirm`. A file that cannot be read is kept with
    `status: failed` and the reason; the same file twice is stored once."""
    user = actor(request)
    candidate = candidate_get(user, candidate_id)
    resume = services.resume_upload(actor=user, candidate=candidate, file=file)
    return Status(201, resume_get(user, resume.pk))


@router.get("/resumes/{resume_id}", response={200: ResumeDetail, **ERRORS}, summary="A résumé")
def get_resume(request: HttpRequest, resume_id: int) -> Resume:
    return resume_get(actor(request), resume_id)


@router.get(
    "/resumes/{resume_id}/file",
    response={200: None, **ERRORS},
    summary="Download a résumé's file",
)
def download_resume(request: HttpRequest, resume_id: int) -> FileResponse:
    """The file as uploaded, always as an attachment."""
    return services.resume_attachment(resume_get(actor(request), resume_id))


@router.post(
    "/resumes/{resume_id}/confirm",
    response={200: Confirmed, **ERRORS},
    summary="Accept what was read",
)
def confirm_resume(request: HttpRequest, resume_id: int, payload: ConfirmIn) -> dict[str, Any]:
    """Each accepted finding goes through the same checks as a hand edit and
    is recorded on the timeline; the résumé becomes confirmed."""
    user = actor(request)
    resume = resume_get(user, resume_id)
    return {"changed": services.resume_confirm(actor=user, resume=resume, fields=payload.fields)}


@router.delete("/resumes/{resume_id}", response={204: None, **ERRORS}, summary="Remove a résumé")
def delete_resume(request: HttpRequest, resume_id: int) -> Status[None]:
    user = actor(request)
    services.resume_delete(actor=user, resume=resume_get(user, resume_id))
    return Status(204, None)


@router.post("/referrals", response={201: ReferralMade, **ERRORS}, summary="Refer someone")
def create_referral(request: HttpRequest, payload: ReferralIn) -> Status[dict[str, Any]]:
    """Anyone on the team may refer. The person is found (by email, phone or
    LinkedIn) or added, and you are credited; an email or a phone is needed."""
    user = actor(request)
    made = referrals.referral_create(actor=user, data=referrals.ReferralInput(**payload.dict()))
    return Status(
        201,
        {
            "referral_id": made.referral.pk,
            "candidate_id": made.candidate.pk if made.visible else None,
            "created": made.created,
            "again": made.again,
        },
    )


@router.get("/referrals", response={200: list[ReferralRow], **ERRORS}, summary="Referrals")
def list_referrals(request: HttpRequest, filters: Query[ReferralScope]) -> list[dict[str, Any]]:
    """Your referrals and how they are going (`scope=mine`), or everyone's for
    those who see the whole pool (`scope=all`), newest first, at most 200."""
    user = actor(request)
    rows = (
        referrals.referrals_all(user) if filters.scope == "all" else referrals.referrals_mine(user)
    )
    return [
        {
            "id": row.referral.pk,
            "referrer": row.referral.referrer,
            "candidate_id": row.referral.candidate_id if row.visible else None,
            "candidate_name": row.referral.candidate.full_name,
            "note": row.referral.note,
            "created_at": row.referral.created_at,
            "contacted_at": row.contacted_at,
            "engagement": row.band,
            "looked_after_by": row.looked_after_by,
        }
        for row in rows
    ]
