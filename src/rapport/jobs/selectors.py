"""Every read of jobs and applications, scoped to the acting user.

Recruiters, sourcers and admins see every job. A hiring manager sees the jobs
they hire for (or recruit for), the applications to those jobs, and through
`hiring_manager_grant` the candidates of those applications: nothing else.
Anyone else gets a 404, never a hint that the object exists."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from rapport.accounts.models import Capability
from rapport.jobs.models import Application, Job, Scorecard, Stage, StageKind

if TYPE_CHECKING:
    from rapport.accounts.models import User


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


def may_see_feedback(user: User, job: Job) -> bool:
    """Scorecards are confidential: recruiters and admins see them, and the
    job's own hiring managers; sourcers never do."""
    if user.can(Capability.SEE_CONFIDENTIAL):
        return True
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
