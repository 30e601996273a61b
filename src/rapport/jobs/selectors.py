"""Every read of jobs and applications, scoped to the acting user.

Recruiters, sourcers and admins see every job. A hiring manager sees the jobs
they hire for (or recruit for), the applications to those jobs, and through
`hiring_manager_grant` the candidates of those applications: nothing else.
Anyone else gets a 404, never a hint that the object exists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from rapport.accounts.models import Capability, Role, User
from rapport.jobs.models import (
    Application,
    Job,
    JobStatus,
    JobStatusChange,
    RejectionReason,
    Scorecard,
    Stage,
    StageChange,
    StageKind,
)

if TYPE_CHECKING:
    from rapport.people.models import Candidate


def _hires_for(user: User) -> Q:
    return Q(hiring_managers=user) | Q(recruiter=user)


def jobs_visible(user: User) -> QuerySet[Job]:
    if not user.is_active:
        return Job.objects.none()
    if user.can(Capability.SEE_ALL_CANDIDATES):
        return Job.objects.all()
    return Job.objects.filter(Exists(Job.objects.filter(_hires_for(user), pk=OuterRef("pk"))))


def job_get(user: User, pk: int | str) -> Job:
    """The job, or a 404 for anyone who may not see it."""
    try:
        return jobs_visible(user).select_related("recruiter", "silver_stage").get(pk=int(pk))
    except (Job.DoesNotExist, ValueError, TypeError):
        raise Http404("No such job.") from None


def applications_visible(user: User) -> QuerySet[Application]:
    return Application.objects.filter(job__in=jobs_visible(user))


def application_get(user: User, pk: int | str) -> Application:
    try:
        return (
            applications_visible(user).select_related("job", "stage", "candidate").get(pk=int(pk))
        )
    except (Application.DoesNotExist, ValueError, TypeError):
        raise Http404("No such application.") from None


def hiring_manager_grant(user: User) -> Q:
    """The candidates a user sees because they hire for a job they are in."""
    return Q(
        Exists(
            Application.objects.filter(candidate=OuterRef("pk")).filter(
                Exists(Job.objects.filter(_hires_for(user), pk=OuterRef("job_id")))
            )
        )
    )


def events_of_other_jobs(user: User) -> Q:
    """A candidate's events about a job the user may not see: left off the
    timeline of a hiring manager, who sees their own jobs only."""
    mine = list(jobs_visible(user).values_list("pk", flat=True))
    return Q(data__job__isnull=False) & ~Q(data__job__in=mine)


def may_see_feedback(user: User, job: Job) -> bool:
    """Scorecards are confidential: recruiters and admins see them, and the
    job's own hiring managers; sourcers never do."""
    if user.can(Capability.SEE_CONFIDENTIAL):
        return True
    if user.role != Role.HIRING_MANAGER:
        # A sourcer named on a job (before a role change, say) still never reads it.
        return False
    return job.hiring_managers.filter(pk=user.pk).exists() or job.recruiter_id == user.pk


def scorecards_visible(user: User, application: Application) -> QuerySet[Scorecard]:
    if not may_see_feedback(user, application.job):
        return Scorecard.objects.none()
    return application.scorecards.select_related("author", "interview")


def stages_of(job: Job) -> list[Stage]:
    return list(Stage.objects.filter(job=job).order_by("position", "id"))


@dataclass(frozen=True)
class Column:
    stage: Stage
    applications: list[Application]
    total: int


def board(user: User, job: Job, *, per_column: int = 50) -> list[Column]:
    """The kanban board of a job: each stage with its newest applications
    (candidate attached), in a fixed number of queries."""
    stages = stages_of(job)
    totals = dict(
        applications_visible(user)
        .filter(job=job)
        .values("stage_id")
        .annotate(n=Count("id"))
        .values_list("stage_id", "n")
    )
    rows = list(
        applications_visible(user)
        .filter(job=job)
        .select_related("candidate")
        .order_by("stage_id", "-stage_entered_at", "-id")
    )
    by_stage: dict[int, list[Application]] = {}
    for row in rows:
        bucket = by_stage.setdefault(row.stage_id, [])
        if len(bucket) < per_column:
            bucket.append(row)
    return [Column(s, by_stage.get(s.pk, []), totals.get(s.pk, 0)) for s in stages]


def job_counts(jobs: list[Job]) -> dict[int, dict[str, int]]:
    """Per job: applications in progress, hired, and all, in one query."""
    rows = (
        Application.objects.filter(job__in=[j.pk for j in jobs])
        .values("job_id")
        .annotate(
            total=Count("id"),
            active=Count("id", filter=Q(stage__kind=StageKind.ACTIVE)),
            hired=Count("id", filter=Q(stage__kind=StageKind.HIRED)),
        )
    )
    return {r["job_id"]: r for r in rows}


# --- pages ------------------------------------------------------------------------

# The tabs of the job list, in the order shown; "all" is every status.
JOB_TABS: tuple[tuple[str, str], ...] = (
    (JobStatus.OPEN, "Open"),
    (JobStatus.DRAFT, "Draft"),
    (JobStatus.ON_HOLD, "On hold"),
    (JobStatus.FILLED, "Filled"),
    (JobStatus.CLOSED, "Closed"),
    ("all", "All"),
)


@dataclass(frozen=True)
class JobRow:
    """A job on the list page with its counts."""

    job: Job
    active: int
    hired: int
    total: int


def job_list(user: User, *, status: str = JobStatus.OPEN, department: str = "") -> list[JobRow]:
    """The jobs of one status tab (and department) with their counts, in two
    queries whatever the number of jobs."""
    jobs = jobs_visible(user).select_related("recruiter")
    if status != "all":
        jobs = jobs.filter(status=status)
    if department:
        jobs = jobs.filter(department=department)
    rows = list(jobs.order_by("-status_changed_at", "-id"))
    counts = job_counts(rows)
    return [
        JobRow(
            job,
            counts.get(job.pk, {}).get("active", 0),
            counts.get(job.pk, {}).get("hired", 0),
            counts.get(job.pk, {}).get("total", 0),
        )
        for job in rows
    ]


def job_tab_counts(user: User, *, department: str = "") -> dict[str, int]:
    """How many jobs each status tab holds, in one query."""
    jobs = jobs_visible(user)
    if department:
        jobs = jobs.filter(department=department)
    counts = dict(jobs.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    counts["all"] = sum(counts.values())
    return counts


def job_departments(user: User) -> list[str]:
    return list(
        jobs_visible(user)
        .exclude(department="")
        .order_by("department")
        .values_list("department", flat=True)
        .distinct()
    )


def job_status_history(job: Job) -> list[JobStatusChange]:
    return list(job.status_changes.select_related("changed_by").order_by("changed_at", "id"))


def job_skills(job: Job) -> tuple[list[str], list[str]]:
    """The job's required and nice-to-have skill names, as the vocabulary spells them."""
    required: list[str] = []
    nice: list[str] = []
    for link in job.skill_links.select_related("skill").order_by("skill__name"):
        (required if link.required else nice).append(link.skill.name)
    return required, nice


def stage_get(job: Job, pk: object) -> Stage | None:
    """A stage of this job by id, or None (another job's stage, or no stage)."""
    try:
        number = int(str(pk))
    except ValueError:
        return None
    return Stage.objects.filter(job=job, pk=number).first()


@dataclass(frozen=True)
class StageTime:
    """How long applications stayed in a stage before they moved on."""

    average: dt.timedelta
    stays: int


@dataclass(frozen=True)
class JobMetrics:
    per_stage: dict[int, StageTime]
    time_to_hire: dt.timedelta | None  # the median, over every hire
    hires: int


def job_metrics(job: Job) -> JobMetrics:
    """Time in stage on average per stage (finished stays only: a stay still
    running has no length yet) and the median time to hire (first entry to
    the hired stage), from the stage history, in two queries."""
    kinds = dict(Stage.objects.filter(job=job).values_list("pk", "kind"))
    changes = (
        StageChange.objects.filter(application__job=job)
        .order_by("application_id", "changed_at", "id")
        .values_list("application_id", "to_stage_id", "changed_at")
    )
    spent: dict[int, list[dt.timedelta]] = {}
    hires: list[dt.timedelta] = []
    previous: tuple[int, int, dt.datetime] | None = None
    first: dt.datetime | None = None
    for application_id, stage_id, at in changes:
        if previous is None or previous[0] != application_id:
            first = at
        else:
            spent.setdefault(previous[1], []).append(at - previous[2])
        if kinds.get(stage_id) == StageKind.HIRED and first is not None:
            hires.append(at - first)
        previous = (application_id, stage_id, at)
    per_stage = {
        pk: StageTime(sum(times, dt.timedelta()) / len(times), len(times))
        for pk, times in spent.items()
    }
    return JobMetrics(per_stage, _median(hires), len(hires))


def _median(values: list[dt.timedelta]) -> dt.timedelta | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


@dataclass(frozen=True)
class Stay:
    """One stage an application was in: when it came, when it left, how long."""

    stage: Stage
    entered_at: dt.datetime
    left_at: dt.datetime | None
    spent: dt.timedelta
    by: User | None
    note: str


def application_history(application: Application) -> list[Stay]:
    """The stages an application went through, oldest first, in one query."""
    changes = list(
        application.stage_changes.select_related("to_stage", "changed_by").order_by(
            "changed_at", "id"
        )
    )
    now = timezone.now()
    reasons = dict(RejectionReason.choices)
    stays = []
    for index, change in enumerate(changes):
        left = changes[index + 1].changed_at if index + 1 < len(changes) else None
        # A rejection's change keeps the reason's code as its note.
        note = change.note
        if change.to_stage.kind == StageKind.REJECTED:
            note = reasons.get(note, note)
        stays.append(
            Stay(
                change.to_stage,
                change.changed_at,
                left,
                (left or now) - change.changed_at,
                change.changed_by,
                note,
            )
        )
    return stays


def application_answers(application: Application) -> list[tuple[str, str]]:
    """The careers-form answers as (question, answer) text, whatever shape
    the stored JSON has: a value that is not a question and answer is shown
    as it is, never dropped and never run."""
    rows: list[tuple[str, str]] = []
    for item in application.answers or []:
        if isinstance(item, dict):
            answer = item.get("answer", "")
            if isinstance(answer, list):
                answer = ", ".join(str(a) for a in answer)
            elif isinstance(answer, bool):
                answer = "Yes" if answer else "No"
            rows.append((str(item.get("question", "")), str(answer)))
        else:
            rows.append(("", str(item)))
    return rows


# The list view's sorts: key → (label, ordering).
APPLICATION_SORTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "stage": ("In stage order", ("stage__position", "stage_entered_at", "id")),
    "waiting": ("Longest in their stage", ("stage_entered_at", "id")),
    "moved": ("Moved most recently", ("-stage_entered_at", "-id")),
    "-added": ("Newest in the pipeline", ("-created_at", "-id")),
    "added": ("Oldest in the pipeline", ("created_at", "id")),
    "name": ("Name A–Z", ("candidate__last_name", "candidate__first_name", "id")),
    "furthest": ("Furthest stage first", ("-furthest_position", "stage_entered_at", "id")),
}
DEFAULT_APPLICATION_SORT = "stage"


def job_applications(
    user: User, job: Job, *, stage: Stage | None = None, sort: str = DEFAULT_APPLICATION_SORT
) -> QuerySet[Application]:
    """The applications of the list view, filtered by stage and sorted."""
    rows = applications_visible(user).filter(job=job).select_related("candidate", "stage")
    if stage is not None:
        rows = rows.filter(stage=stage)
    ordering = APPLICATION_SORTS.get(sort, APPLICATION_SORTS[DEFAULT_APPLICATION_SORT])[1]
    return rows.order_by(*ordering)


def candidate_applications(user: User, candidate: Candidate) -> list[Application]:
    """A candidate's applications to jobs the user may see, newest first."""
    return list(
        applications_visible(user)
        .filter(candidate=candidate)
        .select_related("job", "stage")
        .order_by("-created_at", "-id")
    )


def jobs_to_add_to(user: User, candidate: Candidate) -> list[tuple[Job, list[Stage]]]:
    """The jobs a candidate could be put in (not filled or closed, not in
    already) with the in-progress stages they could start in, in two queries."""
    jobs = list(
        jobs_visible(user)
        .filter(status__in=(JobStatus.OPEN, JobStatus.DRAFT, JobStatus.ON_HOLD))
        .exclude(Exists(Application.objects.filter(job=OuterRef("pk"), candidate=candidate)))
        .order_by("title", "id")
    )
    stages: dict[int, list[Stage]] = {}
    for stage in Stage.objects.filter(job__in=jobs, kind=StageKind.ACTIVE).order_by(
        "position", "id"
    ):
        stages.setdefault(stage.job_id, []).append(stage)
    return [(job, stages.get(job.pk, [])) for job in jobs if stages.get(job.pk)]


def job_people_choices() -> tuple[QuerySet[User], QuerySet[User]]:
    """Who may run a job's pipeline (recruiters, admins) and who may hire
    for it (hiring managers, recruiters, admins): active users only."""
    active = User.objects.filter(is_active=True).order_by("name", "email")
    return (
        active.filter(role__in=(Role.ADMIN, Role.RECRUITER)),
        active.filter(role__in=(Role.HIRING_MANAGER, Role.RECRUITER, Role.ADMIN)),
    )


def stage_totals(job: Job) -> dict[int, int]:
    """How many applications each stage of the job holds, in one query."""
    return dict(
        Application.objects.filter(job=job)
        .values("stage_id")
        .annotate(n=Count("id"))
        .values_list("stage_id", "n")
    )
