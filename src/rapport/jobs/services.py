"""Every write to jobs, pipelines and applications. Each function checks what
the actor may do, runs in one transaction and records its Activity there.

Interviews and scorecards are written by `interviews.py`, stage automations
run from `automations.py`; both start from the changes made here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from rapport.accounts.models import Capability, Role
from rapport.core.activity import activity_record
from rapport.core.geo import clean_country, clean_timezone
from rapport.core.models import ActivityKind
from rapport.jobs.models import (
    Application,
    AutomationRun,
    AutomationRunStatus,
    DefaultStage,
    Job,
    JobSkill,
    JobStatus,
    JobStatusChange,
    RejectionReason,
    Stage,
    StageChange,
    StageKind,
)
from rapport.people.models import Candidate, CandidateTag
from rapport.people.services import render_note, require, skill_resolve, tag_get_or_create

if TYPE_CHECKING:
    from rapport.accounts.models import User

SILVER_TAG = "silver-medallist"

# The pipeline a fresh installation starts with (DESIGN: Sourced … Hired;
# Rejected with a reason; Withdrawn). Final is where silver medals start.
STARTING_PIPELINE: tuple[tuple[str, str, bool], ...] = (
    ("Sourced", StageKind.ACTIVE, False),
    ("Applied", StageKind.ACTIVE, False),
    ("Screen", StageKind.ACTIVE, False),
    ("Interview", StageKind.ACTIVE, False),
    ("Final", StageKind.ACTIVE, True),
    ("Offer", StageKind.ACTIVE, False),
    ("Hired", StageKind.HIRED, False),
    ("Rejected", StageKind.REJECTED, False),
    ("Withdrawn", StageKind.WITHDRAWN, False),
)

# Who may be named a job's hiring manager (as the job form offers).
HIRING_ROLES = frozenset({Role.HIRING_MANAGER, Role.RECRUITER, Role.ADMIN})

# Which statuses may follow which: a filled or closed job can be reopened,
# but nothing goes back to draft once candidates have seen it.
STATUS_MOVES: dict[str, frozenset[str]] = {
    JobStatus.DRAFT: frozenset({JobStatus.OPEN, JobStatus.CLOSED}),
    JobStatus.OPEN: frozenset({JobStatus.ON_HOLD, JobStatus.FILLED, JobStatus.CLOSED}),
    JobStatus.ON_HOLD: frozenset({JobStatus.OPEN, JobStatus.FILLED, JobStatus.CLOSED}),
    JobStatus.FILLED: frozenset({JobStatus.OPEN, JobStatus.CLOSED}),
    JobStatus.CLOSED: frozenset({JobStatus.OPEN}),
}


# --- jobs -----------------------------------------------------------------------


@dataclass
class JobFields:
    """What a person writes about a job. Skills are names from the vocabulary
    (aliases resolve); `hiring_managers` are users."""

    title: str
    department: str = ""
    location: str = ""
    country: str = ""
    timezone: str = ""
    remote: str = "onsite"
    employment_type: str = "full_time"
    description: str = ""
    seniority: str = ""
    headcount: int = 1
    published: bool = True
    recruiter: User | None = None
    hiring_managers: Sequence[User] = ()
    required_skills: Sequence[str] = ()
    nice_skills: Sequence[str] = ()
    extra: dict[str, Any] = field(default_factory=dict)


_PLAIN = (
    "title",
    "department",
    "location",
    "country",
    "timezone",
    "remote",
    "employment_type",
    "description",
    "seniority",
    "headcount",
    "published",
    "recruiter",
)


def one_line(text: str) -> str:
    """What a person typed, as one line without control characters (a NUL,
    which PostgreSQL refuses in text, least of all)."""
    return " ".join("".join(c for c in text if c.isprintable() or c.isspace()).split())


def _clean_job(values: JobFields) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    cleaned = {name: getattr(values, name) for name in _PLAIN}
    cleaned["title"] = one_line(values.title)
    cleaned["department"] = one_line(values.department)
    cleaned["location"] = one_line(values.location)
    cleaned["description"] = values.description.replace("\x00", "")
    if not cleaned["title"]:
        errors["title"] = ["A job needs a title."]
    try:
        cleaned["country"] = clean_country(values.country) if values.country else ""
    except ValidationError as exc:
        errors["country"] = exc.messages
    try:
        cleaned["timezone"] = clean_timezone(values.timezone) if values.timezone else ""
    except ValidationError as exc:
        errors["timezone"] = exc.messages
    if not 1 <= int(values.headcount or 0) <= 999:
        errors["headcount"] = ["Headcount goes from 1 to 999."]
    for user in values.hiring_managers:
        if not user.is_active:
            errors.setdefault("hiring_managers", []).append(f"{user.email} is deactivated.")
        elif user.role not in HIRING_ROLES:
            # Hiring managers read the job's interview feedback: never a sourcer.
            errors.setdefault("hiring_managers", []).append(
                f"{user.email} cannot hire for a job ({user.get_role_display()})."
            )
    recruiter = values.recruiter
    if recruiter is not None and not recruiter.can(Capability.MOVE_APPLICATIONS):
        errors["recruiter"] = [f"{recruiter.email} cannot run a pipeline ({recruiter.role})."]
    both = {s.strip().lower() for s in values.required_skills} & {
        s.strip().lower() for s in values.nice_skills
    }
    if both:
        errors["nice_skills"] = [f"{', '.join(sorted(both))} is already required."]
    if errors:
        raise ValidationError(errors)
    cleaned["description_html"] = render_note(cleaned["description"])
    return cleaned


def _unique_slug(title: str) -> str:
    base = slugify(title)[:70] or "job"
    taken = set(Job.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _set_job_skills(job: Job, required: Sequence[str], nice: Sequence[str]) -> None:
    wanted: dict[int, bool] = {}
    for names, is_required in ((required, True), (nice, False)):
        for name in names:
            if name.strip():
                wanted.setdefault(skill_resolve(name).pk, is_required)
    JobSkill.objects.filter(job=job).exclude(skill_id__in=wanted).delete()
    current = dict(JobSkill.objects.filter(job=job).values_list("skill_id", "required"))
    for skill_id, is_required in wanted.items():
        if skill_id not in current:
            JobSkill.objects.create(job=job, skill_id=skill_id, required=is_required)
        elif current[skill_id] != is_required:
            JobSkill.objects.filter(job=job, skill_id=skill_id).update(required=is_required)


def default_stages() -> list[DefaultStage]:
    """The organisation's default pipeline, made on first use."""
    stages = list(DefaultStage.objects.all())
    if stages:
        return stages
    for position, (name, kind, silver) in enumerate(STARTING_PIPELINE, start=1):
        DefaultStage.objects.get_or_create(
            name=name, defaults={"kind": kind, "position": position, "silver": silver}
        )
    return list(DefaultStage.objects.all())


@transaction.atomic
def job_create(*, actor: User, values: JobFields) -> Job:
    """A new job, in draft, with the default pipeline copied into it."""
    require(actor, Capability.MANAGE_JOBS)
    cleaned = _clean_job(values)
    now = timezone.now()
    job = Job.objects.create(
        **cleaned,
        slug=_unique_slug(cleaned["title"]),
        created_by=actor,
        created_at=now,
        updated_at=now,
        status_changed_at=now,
    )
    job.hiring_managers.set(values.hiring_managers)
    _set_job_skills(job, values.required_skills, values.nice_skills)
    silver = None
    for default in default_stages():
        stage = Stage.objects.create(
            job=job, name=default.name, kind=default.kind, position=default.position
        )
        if default.silver:
            silver = stage
    job.silver_stage = silver
    job.save(update_fields=["silver_stage"])
    JobStatusChange.objects.create(job=job, status=job.status, changed_at=now, changed_by=actor)
    return job


@transaction.atomic
def job_update(*, actor: User, job: Job, values: JobFields) -> Job:
    require(actor, Capability.MANAGE_JOBS)
    cleaned = _clean_job(values)
    for name, value in cleaned.items():
        setattr(job, name, value)
    job.updated_at = timezone.now()
    job.save()
    job.hiring_managers.set(values.hiring_managers)
    _set_job_skills(job, values.required_skills, values.nice_skills)
    return job


@transaction.atomic
def job_set_status(*, actor: User, job: Job, status: str) -> Job:
    """Move a job to a new status, keeping the date of each change. Filling a
    job hands out its silver medals."""
    require(actor, Capability.MANAGE_JOBS)
    job = Job.objects.select_for_update().get(pk=job.pk)
    if status == job.status:
        return job
    if status not in STATUS_MOVES.get(job.status, frozenset()):
        raise ValidationError(
            {"status": [f"A {job.get_status_display().lower()} job cannot become {status}."]}
        )
    now = timezone.now()
    job.status, job.status_changed_at, job.updated_at = status, now, now
    if status == JobStatus.OPEN:
        job.opened_at = job.opened_at or now
        job.closed_at = None
    if status in (JobStatus.FILLED, JobStatus.CLOSED):
        job.closed_at = now
    job.save()
    JobStatusChange.objects.create(job=job, status=status, changed_at=now, changed_by=actor)
    if status == JobStatus.FILLED:
        silver_medals_award(actor=actor, job=job)
    return job


def silver_medals_award(*, actor: User | None, job: Job) -> int:
    """Tag everyone who reached the job's silver stage and was not hired, with
    the job and the stage they reached as the reason. They stay in the pool,
    and their application stays as it was. Returns how many were tagged."""
    if job.silver_stage is None:
        return 0
    threshold = job.silver_stage.position
    reached = (
        Application.objects.filter(job=job, furthest_position__gte=threshold)
        .exclude(stage__kind=StageKind.HIRED)
        .select_related("candidate")
    )
    names = dict(
        Stage.objects.filter(job=job, kind=StageKind.ACTIVE).values_list("position", "name")
    )
    tag = tag_get_or_create(name=SILVER_TAG)
    tagged = 0
    now = timezone.now()
    for application in reached:
        stage_name = names.get(application.furthest_position, job.silver_stage.name)
        reason = f"Reached {stage_name} for {job.title} (job {job.pk})"[:200]
        link, created = CandidateTag.objects.get_or_create(
            candidate=application.candidate,
            tag=tag,
            defaults={"added_by": actor, "added_at": now, "reason": reason},
        )
        if not created:
            link.reason = reason
            link.save(update_fields=["reason"])
        activity_record(
            kind=ActivityKind.TAG_ADDED,
            candidate=application.candidate,
            actor=actor,
            summary=f"{SILVER_TAG}: {reason}",
            target=tag,
            data={"job": job.pk, "stage": stage_name, "reason": reason},
            automated=True,
        )
        tagged += 1
    return tagged


# --- stages ---------------------------------------------------------------------


def _stage_of(job: Job, stage: Stage) -> Stage:
    if stage.job_id != job.pk:
        raise ValidationError({"stage": [f"{stage.name} is a stage of another job."]})
    return stage


@transaction.atomic
def stage_add(*, actor: User, job: Job, name: str, kind: str = StageKind.ACTIVE) -> Stage:
    """A new stage: an active one goes after the last active stage."""
    require(actor, Capability.MANAGE_JOBS)
    name = one_line(name)[:60]
    if not name:
        raise ValidationError({"name": ["A stage needs a name."]})
    if Stage.objects.filter(job=job, name__iexact=name).exists():
        raise ValidationError({"name": [f"{job.title} already has a stage called {name}."]})
    stages = list(Stage.objects.filter(job=job))
    active = [s.position for s in stages if s.kind == StageKind.ACTIVE]
    position = (max(active) + 1) if active else 1
    if kind == StageKind.ACTIVE:
        # Make room: the ending stages move down by one.
        for stage in stages:
            if stage.position >= position:
                Stage.objects.filter(pk=stage.pk).update(position=stage.position + 1)
    else:
        position = max([s.position for s in stages], default=0) + 1
    return Stage.objects.create(job=job, name=name, kind=kind, position=position)


@transaction.atomic
def stage_rename(*, actor: User, stage: Stage, name: str) -> Stage:
    require(actor, Capability.MANAGE_JOBS)
    name = one_line(name)[:60]
    if not name:
        raise ValidationError({"name": ["A stage needs a name."]})
    clash = Stage.objects.filter(job_id=stage.job_id, name__iexact=name).exclude(pk=stage.pk)
    if clash.exists():
        raise ValidationError({"name": [f"This job already has a stage called {name}."]})
    stage.name = name
    stage.save(update_fields=["name"])
    return stage


@transaction.atomic
def stage_reorder(*, actor: User, job: Job, order: Sequence[int]) -> None:
    """Put the job's active stages in this order (ids); ending stages stay last."""
    require(actor, Capability.MANAGE_JOBS)
    active = list(Stage.objects.filter(job=job, kind=StageKind.ACTIVE))
    if sorted(order) != sorted(s.pk for s in active):
        raise ValidationError({"order": ["Give every in-progress stage of this job once."]})
    moved = {s.position: new for s in active if (new := order.index(s.pk) + 1) != s.position}
    for pk in order:
        Stage.objects.filter(pk=pk).update(position=order.index(pk) + 1)
    # An application's furthest stage follows its stage to the new position:
    # shifted out of the way first, so no two old positions collide.
    shift = 1000
    for old, new in moved.items():
        Application.objects.filter(job=job, furthest_position=old).update(
            furthest_position=new + shift
        )
    Application.objects.filter(job=job, furthest_position__gt=shift).update(
        furthest_position=F("furthest_position") - shift
    )


@transaction.atomic
def stage_delete(*, actor: User, stage: Stage) -> None:
    """Remove a stage nobody is in. A job keeps at least one stage of each
    ending kind and one in progress."""
    require(actor, Capability.MANAGE_JOBS)
    if Application.objects.filter(stage=stage).exists():
        raise ValidationError({"stage": [f"Move everyone out of {stage.name} first."]})
    same_kind = Stage.objects.filter(job_id=stage.job_id, kind=stage.kind).exclude(pk=stage.pk)
    if not same_kind.exists():
        raise ValidationError(
            {"stage": [f"{stage.name} is the job's only {stage.get_kind_display().lower()} stage."]}
        )
    if Job.objects.filter(silver_stage=stage).exists():
        raise ValidationError({"stage": ["Choose another silver-medal stage first."]})
    stage.delete()


# --- applications -----------------------------------------------------------------


def _first_stage(job: Job, name: str = "") -> Stage:
    stages = Stage.objects.filter(job=job, kind=StageKind.ACTIVE)
    if name:
        named = stages.filter(name__iexact=name).first()
        if named is not None:
            return named
    first = stages.order_by("position", "id").first()
    if first is None:
        raise ValidationError({"job": [f"{job.title} has no stage in progress to start in."]})
    return first


@transaction.atomic
def application_create(
    *,
    actor: User | None,
    job: Job,
    candidate: Candidate,
    stage: Stage | None = None,
    source: str = "sourced",
    answers: Sequence[dict[str, Any]] = (),
) -> Application:
    """Put a candidate in a job's pipeline, in `stage` or the first stage.
    `actor` is None when the candidate applied themselves. A second
    application to the same job is refused with a message."""
    if actor is not None:
        require(actor, Capability.ADD_TO_JOBS)
        moving = stage is not None and stage != _first_stage(job)
        if moving:
            require(actor, Capability.MOVE_APPLICATIONS)
    if job.status in (JobStatus.FILLED, JobStatus.CLOSED):
        raise ValidationError({"job": [f"{job.title} is {job.get_status_display().lower()}."]})
    stage = _stage_of(job, stage) if stage is not None else _first_stage(job)
    if stage.ends:
        raise ValidationError({"stage": [f"Nobody starts in {stage.name}."]})
    now = timezone.now()
    try:
        with transaction.atomic():
            application = Application.objects.create(
                candidate=candidate,
                job=job,
                stage=stage,
                stage_entered_at=now,
                furthest_position=stage.position,
                source=source[:40],
                answers=list(answers),
                created_by=actor,
                created_at=now,
            )
    except IntegrityError:
        raise ValidationError(
            {"job": [f"{candidate.full_name} is already in the pipeline of {job.title}."]}
        ) from None
    change = StageChange.objects.create(
        application=application, to_stage=stage, changed_at=now, changed_by=actor
    )
    activity_record(
        kind=ActivityKind.APPLICATION_CREATED,
        candidate=candidate,
        actor=actor,
        summary=f"{job.title}: {stage.name}",
        target=application,
        data={"job": job.pk, "stage": stage.name, "source": source},
    )
    _automation_schedule(change, application)
    return application


@dataclass(frozen=True)
class Move:
    """Where to move an application, and why when it is a rejection."""

    stage: Stage
    reason: str = ""
    note: str = ""


def _check_move(application: Application, move: Move) -> None:
    _stage_of(application.job, move.stage)
    if move.stage.kind == StageKind.REJECTED:
        if move.reason not in RejectionReason.values:
            raise ValidationError({"reason": ["Say why the candidate is rejected."]})
    elif move.reason:
        raise ValidationError({"reason": ["A reason goes with a rejection only."]})


@transaction.atomic
def application_move(*, actor: User, application: Application, move: Move) -> Application:
    """Move one application to another stage of its job, keep the history,
    record the change on the timeline and start the stage's automation."""
    require(actor, Capability.MOVE_APPLICATIONS)
    application = (
        Application.objects.select_for_update()
        .select_related("job", "stage", "candidate")
        .get(pk=application.pk)
    )
    _check_move(application, move)
    return _move(actor, application, move)


def _move(actor: User | None, application: Application, move: Move) -> Application:
    before, stage, now = application.stage, move.stage, timezone.now()
    if stage.pk == before.pk:
        return application
    application.stage, application.stage_entered_at = stage, now
    if stage.kind == StageKind.ACTIVE:
        application.furthest_position = max(application.furthest_position, stage.position)
        application.ended_at = None
        application.hired_at = None
        application.rejection_reason, application.rejection_note = "", ""
    else:
        application.ended_at = now
    if stage.kind == StageKind.REJECTED:
        application.rejection_reason, application.rejection_note = move.reason, move.note
    if stage.kind == StageKind.HIRED:
        application.hired_at = now
    application.save()
    change = StageChange.objects.create(
        application=application,
        from_stage=before,
        to_stage=stage,
        changed_at=now,
        changed_by=actor,
        note=(move.note if stage.kind != StageKind.REJECTED else move.reason)[:300],
    )
    job = application.job
    data: dict[str, Any] = {"job": job.pk, "from": before.name, "to": stage.name}
    if move.reason:
        data["reason"] = move.reason
    activity_record(
        kind=ActivityKind.STAGE_CHANGED,
        candidate=application.candidate,
        actor=actor,
        summary=f"{job.title}: {before.name} → {stage.name}",
        target=application,
        data=data,
    )
    if stage.kind == StageKind.HIRED:
        activity_record(
            kind=ActivityKind.CANDIDATE_HIRED,
            candidate=application.candidate,
            actor=actor,
            summary=job.title,
            target=application,
            data={"job": job.pk},
        )
    _automation_cancel_waiting(application)
    _automation_schedule(change, application)
    return application


@transaction.atomic
def applications_move(
    *, actor: User, job: Job, applications: Sequence[Application], move: Move
) -> int:
    """Move many applications of one job to the same stage; returns how many
    moved. All of them are checked before any moves."""
    require(actor, Capability.MOVE_APPLICATIONS)
    _stage_of(job, move.stage)
    ids = [a.pk for a in applications]
    rows = list(
        Application.objects.select_for_update()
        .select_related("job", "stage", "candidate")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    strangers = [a for a in rows if a.job_id != job.pk]
    if strangers or len(rows) != len(set(ids)):
        raise ValidationError({"applications": [f"Only applications to {job.title} can move."]})
    moved = 0
    for application in rows:
        _check_move(application, move)
        if application.stage_id != move.stage.pk:
            _move(actor, application, move)
            moved += 1
    return moved


# --- stage automations --------------------------------------------------------------


def _automation_schedule(change: StageChange, application: Application) -> None:
    """Write the run an entered stage's automation owes, as a row, so that a
    delay or a review survives restarts, and make its task: `automations.py`
    carries the run out."""
    from rapport.jobs.automations import automation_entered

    automation = getattr(change.to_stage, "automation", None)
    if automation is None or not automation.active:
        return
    run = None
    if automation.template_id is not None:
        run = AutomationRun.objects.create(
            automation=automation,
            application=application,
            stage_change=change,
            status=AutomationRunStatus.WAITING,
            due_at=change.changed_at + dt.timedelta(hours=automation.delay_hours),
        )
    automation_entered(automation=automation, application=application, change=change, run=run)


def _automation_cancel_waiting(application: Application) -> None:
    """A candidate moved on before a delayed email went: it no longer applies."""
    AutomationRun.objects.filter(
        application=application,
        status__in=(AutomationRunStatus.WAITING, AutomationRunStatus.REVIEW),
    ).update(
        status=AutomationRunStatus.CANCELLED,
        detail="The candidate left the stage before it was sent.",
        finished_at=timezone.now(),
    )


# --- pipeline settings (pages) ------------------------------------------------------


@transaction.atomic
def job_set_silver_stage(*, actor: User, job: Job, stage: Stage | None) -> Job:
    """Choose the stage whose finalists become silver medallists when the job
    is filled; None gives no silver medals for this job."""
    require(actor, Capability.MANAGE_JOBS)
    if stage is not None:
        _stage_of(job, stage)
        if stage.kind != StageKind.ACTIVE:
            raise ValidationError(
                {"silver_stage": [f"{stage.name} ends an application: choose a stage in progress."]}
            )
    job.silver_stage = stage
    job.updated_at = timezone.now()
    job.save(update_fields=["silver_stage", "updated_at"])
    return job


def _shifted(ids: list[int], pk: int, by: int) -> list[int]:
    """`ids` with `pk` moved `by` places (clamped at both ends)."""
    order = list(ids)
    index = order.index(pk)
    target = max(0, min(len(order) - 1, index + by))
    order.insert(target, order.pop(index))
    return order


@transaction.atomic
def stage_shift(*, actor: User, stage: Stage, by: int) -> None:
    """Move an in-progress stage of a job up (-1) or down (+1) the pipeline."""
    require(actor, Capability.MANAGE_JOBS)
    if stage.kind != StageKind.ACTIVE:
        raise ValidationError({"stage": [f"{stage.name} ends an application: it stays last."]})
    active = list(
        Stage.objects.filter(job_id=stage.job_id, kind=StageKind.ACTIVE)
        .order_by("position", "id")
        .values_list("pk", flat=True)
    )
    order = _shifted(active, stage.pk, by)
    if order != active:
        stage_reorder(actor=actor, job=stage.job, order=order)


def _default_name(name: str, *, exclude: int | None = None) -> str:
    name = one_line(name)[:60]
    if not name:
        raise ValidationError({"name": ["A stage needs a name."]})
    clash = DefaultStage.objects.filter(name__iexact=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ValidationError({"name": [f"The default pipeline already has {name}."]})
    return name


@transaction.atomic
def default_stage_add(*, actor: User, name: str, kind: str = StageKind.ACTIVE) -> DefaultStage:
    """A new stage of the default pipeline: an active one after the last
    active stage, an ending one at the end. Jobs made afterwards get it."""
    require(actor, Capability.MANAGE_SETTINGS)
    if kind not in StageKind.values:
        raise ValidationError({"kind": ["Choose what entering the stage means."]})
    name = _default_name(name)
    stages = default_stages()
    active = [s.position for s in stages if s.kind == StageKind.ACTIVE]
    if kind == StageKind.ACTIVE:
        position = (max(active) + 1) if active else 1
        for stage in stages:
            if stage.position >= position:
                DefaultStage.objects.filter(pk=stage.pk).update(position=stage.position + 1)
    else:
        position = max([s.position for s in stages], default=0) + 1
    return DefaultStage.objects.create(name=name, kind=kind, position=position)


@transaction.atomic
def default_stage_rename(*, actor: User, stage: DefaultStage, name: str) -> DefaultStage:
    require(actor, Capability.MANAGE_SETTINGS)
    stage.name = _default_name(name, exclude=stage.pk)
    stage.save(update_fields=["name"])
    return stage


@transaction.atomic
def default_stage_shift(*, actor: User, stage: DefaultStage, by: int) -> None:
    """Move an in-progress stage of the default pipeline up (-1) or down (+1)."""
    require(actor, Capability.MANAGE_SETTINGS)
    if stage.kind != StageKind.ACTIVE:
        raise ValidationError({"stage": [f"{stage.name} ends an application: it stays last."]})
    active = [s for s in default_stages() if s.kind == StageKind.ACTIVE]
    order = _shifted([s.pk for s in active], stage.pk, by)
    for position, pk in enumerate(order, start=1):
        DefaultStage.objects.filter(pk=pk).update(position=position)


@transaction.atomic
def default_stage_delete(*, actor: User, stage: DefaultStage) -> None:
    """Remove a stage from the default pipeline; existing jobs keep theirs.
    The pipeline keeps at least one stage of each kind."""
    require(actor, Capability.MANAGE_SETTINGS)
    others = DefaultStage.objects.filter(kind=stage.kind).exclude(pk=stage.pk)
    if not others.exists():
        kind = stage.get_kind_display().lower()
        raise ValidationError({"stage": [f"{stage.name} is the only {kind} stage left."]})
    if stage.silver:
        raise ValidationError({"stage": ["Choose another silver-medal stage first."]})
    stage.delete()


@transaction.atomic
def default_stage_set_silver(*, actor: User, stage: DefaultStage | None) -> None:
    """Choose the default silver-medal stage (None: jobs start without one)."""
    require(actor, Capability.MANAGE_SETTINGS)
    if stage is not None and stage.kind != StageKind.ACTIVE:
        raise ValidationError(
            {"silver": [f"{stage.name} ends an application: choose a stage in progress."]}
        )
    DefaultStage.objects.filter(silver=True).update(silver=False)
    if stage is not None:
        DefaultStage.objects.filter(pk=stage.pk).update(silver=True)
