"""Jobs, their stages, and the applications that move through them."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from rapport.accounts.models import User
from rapport.api.auth import actor
from rapport.api.errors import ERRORS
from rapport.api.pagination import Page, PageOf, PageParams, paginate
from rapport.api.schemas import Id, UserRef
from rapport.jobs import selectors, services
from rapport.jobs.models import (
    Application,
    EmploymentType,
    Job,
    JobStatus,
    RejectionReason,
    RemotePolicy,
    Stage,
    StageChange,
    StageKind,
)
from rapport.people.models import Seniority
from rapport.people.selectors import candidate_get

router = Router(tags=["jobs"])


class StageOut(Schema):
    id: int
    name: str
    kind: str = Field(description="active, hired, rejected or withdrawn.")
    position: int


class JobSkillOut(Schema):
    name: str
    required: bool


class JobOut(Schema):
    id: int
    title: str
    slug: str
    department: str
    location: str
    country: str
    timezone: str
    remote: str
    employment_type: str
    description: str = Field(description="Markdown, as written.")
    seniority: str
    headcount: int
    published: bool
    status: str
    status_changed_at: dt.datetime
    opened_at: dt.datetime | None
    closed_at: dt.datetime | None
    recruiter: UserRef | None
    hiring_managers: list[UserRef]
    skills: list[JobSkillOut]
    silver_stage_id: int | None
    created_at: dt.datetime

    @staticmethod
    def resolve_hiring_managers(job: Job) -> list[User]:
        return list(job.hiring_managers.all())

    @staticmethod
    def resolve_skills(job: Job) -> list[dict[str, Any]]:
        return [
            {"name": link.skill.name, "required": link.required} for link in job.skill_links.all()
        ]


class JobRow(JobOut):
    in_progress: int = Field(0, description="Applications in an active stage.")
    hired: int = 0


class JobIn(Schema):
    title: str = Field(max_length=150)
    department: str = Field("", max_length=100)
    location: str = Field("", max_length=150)
    country: str = Field("", max_length=60, description="ISO code or name.")
    timezone: str = Field("", max_length=64, description="IANA time zone.")
    remote: RemotePolicy = RemotePolicy.ONSITE
    employment_type: EmploymentType = EmploymentType.FULL_TIME
    description: str = Field("", max_length=50_000)
    seniority: Seniority | Literal[""] = ""
    headcount: int = Field(1, ge=1, le=999)
    published: bool = True
    recruiter_id: int | None = None
    hiring_manager_ids: list[int] = Field(default_factory=list, max_length=50)
    required_skills: list[str] = Field(default_factory=list, max_length=100)
    nice_skills: list[str] = Field(default_factory=list, max_length=100)


class JobPatch(JobIn):
    """Only the fields sent change."""

    title: str = Field("", max_length=150)


class StatusIn(Schema):
    status: JobStatus


class StageIn(Schema):
    name: str = Field(max_length=60)
    kind: StageKind = StageKind.ACTIVE


class StageRename(Schema):
    name: str = Field(max_length=60)


class StageOrder(Schema):
    order: list[Id] = Field(min_length=1, max_length=100, description="Active stage ids.")


class CandidateRef(Schema):
    id: int
    full_name: str
    current_title: str
    current_company: str


class ApplicationOut(Schema):
    id: int
    job_id: int
    candidate: CandidateRef
    stage: StageOut
    stage_entered_at: dt.datetime
    source: str
    rejection_reason: str
    rejection_note: str
    answers: list[dict[str, Any]]
    hired_at: dt.datetime | None
    ended_at: dt.datetime | None
    created_at: dt.datetime


class ChangeOut(Schema):
    from_stage: str | None
    to_stage: str
    changed_at: dt.datetime
    changed_by: UserRef | None
    note: str

    @staticmethod
    def resolve_from_stage(change: StageChange) -> str | None:
        return change.from_stage.name if change.from_stage else None

    @staticmethod
    def resolve_to_stage(change: StageChange) -> str:
        return change.to_stage.name


class ApplicationDetail(ApplicationOut):
    history: list[ChangeOut]

    @staticmethod
    def resolve_history(application: Application) -> list[StageChange]:
        return list(
            application.stage_changes.select_related("from_stage", "to_stage", "changed_by")
        )


class ApplicationIn(Schema):
    candidate_id: int
    stage_id: int | None = Field(None, description="The first stage when left out.")


class MoveIn(Schema):
    stage_id: int
    reason: RejectionReason | Literal[""] = Field(
        "", description="Required when the stage is a rejection."
    )
    note: str = Field("", max_length=2000)


class BulkMoveIn(MoveIn):
    application_ids: list[Id] = Field(min_length=1, max_length=1000)


class Moved(Schema):
    moved: int = Field(description="How many were not in that stage already.")


class JobFilters(Schema):
    status: JobStatus | None = None
    department: str = ""


class ApplicationFilters(Schema):
    stage_id: Id | None = None


def _job(user: User, job_id: int) -> Job:
    return selectors.job_get(user, job_id)


def _jobs(user: User) -> QuerySet[Job]:
    return (
        selectors.jobs_visible(user)
        .select_related("recruiter")
        .prefetch_related("hiring_managers", "skill_links__skill")
    )


def _user(pk: int | None, field: str) -> User | None:
    if pk is None:
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None:
        raise ValidationError({field: [f"No active user with id {pk}."]})
    return user


def _current(job: Job) -> dict[str, Any]:
    """A job as the fields JobIn names, for a PATCH to start from."""
    links = list(job.skill_links.select_related("skill"))
    people = {"recruiter_id", "hiring_manager_ids", "required_skills", "nice_skills"}
    plain = {name: getattr(job, name) for name in JobIn.model_fields if name not in people}
    return {
        **plain,
        "recruiter": job.recruiter,
        "hiring_managers": list(job.hiring_managers.all()),
        "required_skills": [link.skill.name for link in links if link.required],
        "nice_skills": [link.skill.name for link in links if not link.required],
    }


def _values(payload: JobIn, job: Job | None = None) -> services.JobFields:
    """JobFields from a request: for a PATCH, what was not sent stays."""
    values = _current(job) if job is not None else {}
    sent = payload.model_fields_set if job is not None else set(JobIn.model_fields)
    for name in sent:
        if name == "recruiter_id":
            values["recruiter"] = _user(payload.recruiter_id, "recruiter_id")
        elif name == "hiring_manager_ids":
            values["hiring_managers"] = [
                _user(pk, "hiring_manager_ids") for pk in payload.hiring_manager_ids
            ]
        else:
            values[name] = getattr(payload, name)
    return services.JobFields(**values)


@router.get("/jobs", response={200: Page[JobRow], **ERRORS}, summary="List jobs")
def list_jobs(
    request: HttpRequest, filters: Query[JobFilters], paging: Query[PageParams]
) -> PageOf[Job]:
    """The jobs you may see, newest first: every job for the recruiting team,
    a hiring manager's own jobs for them."""
    rows = _jobs(actor(request))
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.department:
        rows = rows.filter(department__iexact=filters.department)
    page = paginate(rows, paging)
    counts = selectors.job_counts(page.results)
    for job in page.results:
        found = counts.get(job.pk, {})
        job.in_progress = found.get("active", 0)  # type: ignore[attr-defined]
        job.hired = found.get("hired", 0)  # type: ignore[attr-defined]
    return page


@router.post("/jobs", response={201: JobOut, **ERRORS}, summary="Open a job (as a draft)")
def create_job(request: HttpRequest, payload: JobIn) -> Status[Job]:
    """The job starts in draft with the default pipeline; set its status to
    `open` to publish it."""
    job = services.job_create(actor=actor(request), values=_values(payload))
    return Status(201, _jobs(actor(request)).get(pk=job.pk))


@router.get("/jobs/{job_id}", response={200: JobOut, **ERRORS}, summary="Get a job")
def get_job(request: HttpRequest, job_id: int) -> Job:
    user = actor(request)
    _job(user, job_id)
    return _jobs(user).get(pk=job_id)


@router.patch("/jobs/{job_id}", response={200: JobOut, **ERRORS}, summary="Change a job")
def update_job(request: HttpRequest, job_id: int, payload: JobPatch) -> Job:
    user = actor(request)
    job = _job(user, job_id)
    services.job_update(actor=user, job=job, values=_values(payload, job))
    return _jobs(user).get(pk=job_id)


@router.post("/jobs/{job_id}/status", response={200: JobOut, **ERRORS}, summary="Change status")
def set_status(request: HttpRequest, job_id: int, payload: StatusIn) -> Job:
    """draft → open → on_hold / filled / closed, and reopening. Filling a job
    tags those who reached its silver stage and were not hired."""
    user = actor(request)
    services.job_set_status(actor=user, job=_job(user, job_id), status=payload.status)
    return _jobs(user).get(pk=job_id)


@router.get("/jobs/{job_id}/stages", response={200: list[StageOut], **ERRORS}, summary="Stages")
def list_stages(request: HttpRequest, job_id: int) -> list[Stage]:
    return selectors.stages_of(_job(actor(request), job_id))


@router.post("/jobs/{job_id}/stages", response={201: StageOut, **ERRORS}, summary="Add a stage")
def add_stage(request: HttpRequest, job_id: int, payload: StageIn) -> Status[Stage]:
    user = actor(request)
    stage = services.stage_add(
        actor=user, job=_job(user, job_id), name=payload.name, kind=payload.kind
    )
    return Status(201, stage)


def _stage(user: User, job_id: int, stage_id: int) -> Stage:
    job = _job(user, job_id)
    stage = Stage.objects.filter(job=job, pk=stage_id).first()
    if stage is None:
        raise Http404(f"{job.title} has no stage with id {stage_id}.")
    return stage


@router.patch(
    "/jobs/{job_id}/stages/{stage_id}", response={200: StageOut, **ERRORS}, summary="Rename"
)
def rename_stage(request: HttpRequest, job_id: int, stage_id: int, payload: StageRename) -> Stage:
    user = actor(request)
    return services.stage_rename(
        actor=user, stage=_stage(user, job_id, stage_id), name=payload.name
    )


@router.delete(
    "/jobs/{job_id}/stages/{stage_id}", response={204: None, **ERRORS}, summary="Delete a stage"
)
def delete_stage(request: HttpRequest, job_id: int, stage_id: int) -> Status[None]:
    """Only a stage nobody is in; a job keeps one stage of each kind."""
    user = actor(request)
    services.stage_delete(actor=user, stage=_stage(user, job_id, stage_id))
    return Status(204, None)


@router.post(
    "/jobs/{job_id}/stage-order", response={200: list[StageOut], **ERRORS}, summary="Reorder"
)
def reorder_stages(request: HttpRequest, job_id: int, payload: StageOrder) -> list[Stage]:
    user = actor(request)
    job = _job(user, job_id)
    services.stage_reorder(actor=user, job=job, order=payload.order)
    return selectors.stages_of(job)


def _applications(user: User) -> QuerySet[Application]:
    return selectors.applications_visible(user).select_related("candidate", "stage")


@router.get(
    "/jobs/{job_id}/applications",
    response={200: Page[ApplicationOut], **ERRORS},
    summary="A job's applications",
)
def list_applications(
    request: HttpRequest, job_id: int, filters: Query[ApplicationFilters], paging: Query[PageParams]
) -> PageOf[Application]:
    """Most recently moved first."""
    user = actor(request)
    job = _job(user, job_id)
    rows = _applications(user).filter(job=job).order_by("-stage_entered_at", "-id")
    if filters.stage_id is not None:
        rows = rows.filter(stage_id=filters.stage_id)
    return paginate(rows, paging)


@router.post(
    "/jobs/{job_id}/applications",
    response={201: ApplicationDetail, **ERRORS},
    summary="Add a candidate to a job",
)
def create_application(
    request: HttpRequest, job_id: int, payload: ApplicationIn
) -> Status[Application]:
    """422 when the candidate is already in this job's pipeline."""
    user = actor(request)
    job = _job(user, job_id)
    candidate = candidate_get(user, payload.candidate_id)
    stage = _stage(user, job_id, payload.stage_id) if payload.stage_id else None
    made = services.application_create(actor=user, job=job, candidate=candidate, stage=stage)
    return Status(201, _applications(user).get(pk=made.pk))


@router.post(
    "/jobs/{job_id}/applications/move", response={200: Moved, **ERRORS}, summary="Bulk move"
)
def move_many(request: HttpRequest, job_id: int, payload: BulkMoveIn) -> dict[str, int]:
    """All or nothing: every application must belong to this job."""
    user = actor(request)
    job = _job(user, job_id)
    stage = _stage(user, job_id, payload.stage_id)
    rows = list(_applications(user).filter(pk__in=payload.application_ids))
    if missing := set(payload.application_ids) - {a.pk for a in rows}:
        ids = ", ".join(str(pk) for pk in sorted(missing))
        raise HttpError(404, f"No application with id {ids}; nothing was moved.")
    move = services.Move(stage=stage, reason=payload.reason, note=payload.note)
    return {"moved": services.applications_move(actor=user, job=job, applications=rows, move=move)}


@router.get(
    "/applications/{application_id}",
    response={200: ApplicationDetail, **ERRORS},
    summary="An application and its stage history",
)
def get_application(request: HttpRequest, application_id: int) -> Application:
    return selectors.application_get(actor(request), application_id)


@router.post(
    "/applications/{application_id}/move",
    response={200: ApplicationDetail, **ERRORS},
    summary="Move an application",
)
def move_application(request: HttpRequest, application_id: int, payload: MoveIn) -> Application:
    """To another stage of the same job; a rejection needs a `reason`."""
    user = actor(request)
    application = selectors.application_get(user, application_id)
    stage = Stage.objects.filter(pk=payload.stage_id, job__in=selectors.jobs_visible(user)).first()
    if stage is None:
        raise Http404(f"No stage with id {payload.stage_id}.")
    move = services.Move(stage=stage, reason=payload.reason, note=payload.note)
    services.application_move(actor=user, application=application, move=move)
    return selectors.application_get(user, application_id)
