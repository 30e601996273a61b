"""Interviews (with their calendar invitations) and interview feedback."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from rapport.accounts.models import User
from rapport.api.auth import actor
from rapport.api.errors import ERRORS
from rapport.api.schemas import Id, UserRef
from rapport.jobs import interviews as services
from rapport.jobs.models import Interview, Recommendation, Scorecard
from rapport.jobs.selectors import application_get, may_see_feedback

router = Router(tags=["interviews"])


class TimeOut(Schema):
    zone: str
    text: str = Field(description='"Tuesday 14 January 2031, 10:00–11:00" in that zone.')


class InterviewOut(Schema):
    id: int
    application_id: int
    candidate_id: int
    job_id: int
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    timezone: str = Field(description="The zone it was scheduled in.")
    candidate_time: TimeOut = Field(description="As the candidate sees it.")
    location: str
    video_url: str
    notes: str
    status: str = Field(description="scheduled, cancelled or done.")
    sequence: int = Field(description="The iCalendar SEQUENCE of the latest invitation.")
    interviewers: list[UserRef]

    @staticmethod
    def resolve_candidate_id(interview: Interview) -> int:
        return interview.application.candidate_id

    @staticmethod
    def resolve_job_id(interview: Interview) -> int:
        return interview.application.job_id

    @staticmethod
    def resolve_candidate_time(interview: Interview) -> dict[str, str]:
        zone = interview.application.candidate.timezone or interview.timezone
        shown = services.interview_time(interview, zone)
        return {"zone": shown.zone, "text": shown.text}

    @staticmethod
    def resolve_interviewers(interview: Interview) -> list[User]:
        return list(interview.interviewers.all())


class InterviewIn(Schema):
    title: str = Field(max_length=150)
    starts_at: dt.datetime = Field(
        description="ISO 8601; without an offset it is read in `timezone`."
    )
    ends_at: dt.datetime
    timezone: str = Field(max_length=64, description="IANA zone the times are given in.")
    interviewer_ids: list[Id] = Field(min_length=1, max_length=20)
    location: str = Field("", max_length=300)
    video_url: str = Field("", max_length=500)
    notes: str = Field("", max_length=5000)


class InterviewPatch(InterviewIn):
    """Only the fields sent change; times, place or link changed send the
    update to everyone (same UID, next SEQUENCE)."""

    title: str = Field("", max_length=150)
    starts_at: dt.datetime | None = None  # type: ignore[assignment]
    ends_at: dt.datetime | None = None  # type: ignore[assignment]
    timezone: str = Field("", max_length=64)
    interviewer_ids: list[Id] = Field(default_factory=list, max_length=20)


class CancelIn(Schema):
    note: str = Field("", max_length=1000, description="Said to everyone in the cancellation.")


class ScorecardOut(Schema):
    id: int
    interview_id: int | None
    author: UserRef | None
    rating: int
    recommendation: str
    notes: str
    created_at: dt.datetime
    updated_at: dt.datetime


class ScorecardIn(Schema):
    rating: int = Field(ge=1, le=5, description="1 (poor) to 5 (excellent).")
    recommendation: Recommendation
    notes: str = Field("", max_length=10_000)


class InterviewFilters(Schema):
    scope: Literal["mine", "all"] = Field(
        "mine", description="`all`: every interview of the jobs you run pipelines for."
    )
    past: bool = Field(False, description="Those of the last 30 days instead of upcoming.")


def _aware(value: dt.datetime, zone: str, field: str) -> dt.datetime:
    if value.tzinfo is not None:
        return value
    try:
        return value.replace(tzinfo=ZoneInfo(zone))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError({field: [f"{zone!r} is not a time zone."]}) from None


def _interviewers(ids: list[int]) -> list[User]:
    found = {u.pk: u for u in User.objects.filter(pk__in=ids, is_active=True)}
    if missing := [pk for pk in ids if pk not in found]:
        raise ValidationError({"interviewer_ids": [f"No active user with id {missing[0]}."]})
    return [found[pk] for pk in dict.fromkeys(ids)]


def _fields(payload: InterviewIn, interview: Interview | None = None) -> services.InterviewFields:
    """InterviewFields from a request: for a PATCH, what was not sent stays."""
    sent = payload.model_fields_set if interview is not None else set(InterviewIn.model_fields)
    values: dict[str, Any] = {}
    if interview is not None:
        values = {
            "title": interview.title,
            "starts_at": interview.starts_at,
            "ends_at": interview.ends_at,
            "timezone": interview.timezone,
            "interviewers": list(interview.interviewers.all()),
            "location": interview.location,
            "video_url": interview.video_url,
            "notes": interview.notes,
        }
    for name in sent:
        if name == "interviewer_ids":
            values["interviewers"] = _interviewers(payload.interviewer_ids)
        elif name not in ("starts_at", "ends_at"):
            values[name] = getattr(payload, name)
    for name in ("starts_at", "ends_at"):
        if name in sent and getattr(payload, name) is not None:
            values[name] = _aware(getattr(payload, name), values["timezone"], name)
    return services.InterviewFields(**values)


def _interview(request: HttpRequest, interview_id: int) -> Interview:
    return services.interview_get(actor(request), interview_id)


@router.get("/interviews", response={200: list[InterviewOut], **ERRORS}, summary="Interviews")
def list_interviews(request: HttpRequest, filters: Query[InterviewFilters]) -> list[Interview]:
    """Where you interview (soonest first), or with `scope=all` every one of
    the jobs you run; at most 500."""
    user = actor(request)
    rows = services.upcoming_interviews(user, everyone=filters.scope == "all", past=filters.past)
    return list(rows[:500])


@router.get(
    "/applications/{application_id}/interviews",
    response={200: list[InterviewOut], **ERRORS},
    summary="An application's interviews",
)
def application_interviews(request: HttpRequest, application_id: int) -> list[Interview]:
    user = actor(request)
    return services.application_interviews(user, application_get(user, application_id))


@router.post(
    "/applications/{application_id}/interviews",
    response={201: InterviewOut, **ERRORS},
    summary="Schedule an interview",
)
def schedule_interview(
    request: HttpRequest, application_id: int, payload: InterviewIn
) -> Status[Interview]:
    """The candidate and each interviewer get an iCalendar invitation through
    the outbox."""
    user = actor(request)
    application = application_get(user, application_id)
    made = services.interview_schedule(actor=user, application=application, fields=_fields(payload))
    return Status(201, services.interview_get(user, made.pk))


@router.get("/interviews/{interview_id}", response={200: InterviewOut, **ERRORS}, summary="Get")
def get_interview(request: HttpRequest, interview_id: int) -> Interview:
    return _interview(request, interview_id)


@router.patch(
    "/interviews/{interview_id}", response={200: InterviewOut, **ERRORS}, summary="Reschedule"
)
def reschedule_interview(
    request: HttpRequest, interview_id: int, payload: InterviewPatch
) -> Interview:
    user = actor(request)
    interview = _interview(request, interview_id)
    services.interview_reschedule(
        actor=user, interview=interview, fields=_fields(payload, interview)
    )
    return services.interview_get(user, interview_id)


@router.post(
    "/interviews/{interview_id}/cancel", response={200: InterviewOut, **ERRORS}, summary="Cancel"
)
def cancel_interview(request: HttpRequest, interview_id: int, payload: CancelIn) -> Interview:
    """Everyone gets the cancellation (METHOD:CANCEL)."""
    user = actor(request)
    services.interview_cancel(
        actor=user, interview=_interview(request, interview_id), note=payload.note
    )
    return services.interview_get(user, interview_id)


@router.get(
    "/interviews/{interview_id}/scorecards",
    response={200: list[ScorecardOut], **ERRORS},
    summary="Feedback on an interview",
)
def list_scorecards(request: HttpRequest, interview_id: int) -> list[Scorecard]:
    """Confidential: recruiters, admins and the job's own hiring managers
    read it; anyone else gets a 404."""
    user = actor(request)
    interview = _interview(request, interview_id)
    if not may_see_feedback(user, interview.application.job):
        raise Http404("No such interview feedback.")
    return services.scorecards_of(user, interview)


@router.post(
    "/interviews/{interview_id}/scorecards",
    response={200: ScorecardOut, **ERRORS},
    summary="Give (or change) your feedback",
)
def submit_scorecard(request: HttpRequest, interview_id: int, payload: ScorecardIn) -> Scorecard:
    """One scorecard per person per interview: sending again changes yours."""
    user = actor(request)
    interview = _interview(request, interview_id)
    if not may_see_feedback(user, interview.application.job):
        raise Http404("No such interview feedback.")
    return services.scorecard_submit(
        actor=user,
        interview=interview,
        rating=payload.rating,
        recommendation=payload.recommendation,
        notes=payload.notes,
    )
