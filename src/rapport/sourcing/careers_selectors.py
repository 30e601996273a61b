"""Reads for the careers site: the public job list and job pages (no user:
open and published jobs only), and, for the team, a job's funnel and the
applications that came through the site (scoped with jobs.selectors)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import QuerySet, Sum
from django.utils import timezone

from rapport.jobs.models import (
    Application,
    FunnelCount,
    FunnelStep,
    Job,
    JobQuestion,
    JobSkill,
    JobStatus,
    RemotePolicy,
)
from rapport.jobs.selectors import applications_visible
from rapport.sourcing.careers import SOURCE, accepting

if TYPE_CHECKING:
    from rapport.accounts.models import User

FUNNEL_DAYS = 30


# --- the public list


@dataclass(frozen=True)
class Filters:
    q: str = ""
    department: str = ""
    location: str = ""
    remote: str = ""

    @property
    def active(self) -> bool:
        return bool(self.q or self.department or self.location or self.remote)


@dataclass(frozen=True)
class Group:
    department: str
    jobs: list[Job]


@dataclass(frozen=True)
class Listing:
    groups: list[Group]
    total: int  # open roles, before filtering
    shown: int
    departments: list[str]
    locations: list[str]
    remote_choices: list[tuple[str, str]] = field(default_factory=list)


def jobs_public() -> QuerySet[Job]:
    return Job.objects.filter(accepting())


def listing(filters: Filters) -> Listing:
    """Open roles matching the filters, grouped by department (two queries:
    the facets of every open role, and the matching roles)."""
    facets = list(jobs_public().values_list("department", "location", "remote"))
    departments = sorted({d for d, _, _ in facets if d}, key=str.casefold)
    locations = sorted({loc for _, loc, _ in facets if loc}, key=str.casefold)
    policies = {r for _, _, r in facets}
    remote_choices = [(v, label) for v, label in RemotePolicy.choices if v in policies]
    rows = jobs_public().only(
        "pk", "slug", "title", "department", "location", "remote", "employment_type", "opened_at"
    )
    if filters.q:
        rows = rows.filter(title__icontains=filters.q)
    if filters.department:
        rows = rows.filter(department__iexact=filters.department)
    if filters.location:
        rows = rows.filter(location__iexact=filters.location)
    if filters.remote:
        rows = rows.filter(remote=filters.remote)
    groups: dict[str, list[Job]] = {}
    for job in sorted(rows, key=lambda j: (j.department.casefold() or "~", j.title.casefold())):
        groups.setdefault(job.department, []).append(job)
    return Listing(
        groups=[Group(department, jobs) for department, jobs in groups.items()],
        total=len(facets),
        shown=sum(len(jobs) for jobs in groups.values()),
        departments=departments,
        locations=locations,
        remote_choices=remote_choices,
    )


# --- one job


@dataclass(frozen=True)
class PublicJob:
    """A job as the careers site shows it: `state` is "open", "closed" (it was
    open once and is not now: the page says so) or "missing" (never opened,
    kept off the site, or no such job: nothing is said about it)."""

    job: Job | None
    state: str


def job_public(slug: str) -> PublicJob:
    job = Job.objects.filter(slug=slug).first()
    if job is None or (job.opened_at is None and job.status != JobStatus.OPEN):
        return PublicJob(None, "missing")
    if not job.published:  # a confidential search: its title is not confirmed
        return PublicJob(None, "missing")
    if job.status == JobStatus.OPEN and job.published:
        return PublicJob(job, "open")
    return PublicJob(job, "closed")


def skills_of(job: Job) -> tuple[list[str], list[str]]:
    """Required and nice-to-have skills, by name (one query)."""
    links = JobSkill.objects.filter(job=job).select_related("skill").order_by("skill__name")
    required = [link.skill.name for link in links if link.required]
    nice = [link.skill.name for link in links if not link.required]
    return required, nice


def questions_of(job: Job) -> list[JobQuestion]:
    return list(JobQuestion.objects.filter(job=job).order_by("position", "id"))


# --- for the team


@dataclass(frozen=True)
class Funnel:
    days: int
    viewed: int
    started: int
    submitted: int
    daily: list[tuple[dt.date, int, int, int]]  # day, viewed, started, submitted

    @property
    def completion(self) -> float | None:
        """Submitted ÷ started, or None before anyone started."""
        return self.submitted / self.started if self.started else None

    @property
    def conversion(self) -> float | None:
        """Submitted ÷ viewed, or None before anyone viewed the job."""
        return self.submitted / self.viewed if self.viewed else None

    @property
    def peak(self) -> int:
        return max((v for _, v, _, _ in self.daily), default=0)


def funnel(job: Job, *, days: int = FUNNEL_DAYS, today: dt.date | None = None) -> Funnel:
    """The job's careers-site counts over the last `days` days (one query).
    The caller has fetched `job` through jobs.selectors.job_get."""
    today = today or timezone.localdate()
    since = today - dt.timedelta(days=days - 1)
    rows = (
        FunnelCount.objects.filter(job=job, day__gte=since, day__lte=today)
        .values("day", "step")
        .annotate(n=Sum("count"))
    )
    by_day: dict[dt.date, dict[str, int]] = {}
    for row in rows:
        by_day.setdefault(row["day"], {})[row["step"]] = row["n"]
    daily = []
    for offset in range(days):
        day = since + dt.timedelta(days=offset)
        counts = by_day.get(day, {})
        daily.append(
            (
                day,
                counts.get(FunnelStep.VIEWED, 0),
                counts.get(FunnelStep.STARTED, 0),
                counts.get(FunnelStep.SUBMITTED, 0),
            )
        )
    return Funnel(
        days=days,
        viewed=sum(d[1] for d in daily),
        started=sum(d[2] for d in daily),
        submitted=sum(d[3] for d in daily),
        daily=daily,
    )


def careers_applications(user: User, job: Job, *, limit: int = 50) -> list[Application]:
    """The newest applications to the job that came through the careers
    site, with their candidate and stage (one query)."""
    return list(
        applications_visible(user)
        .filter(job=job, source=SOURCE)
        .select_related("candidate", "stage")
        .order_by("-created_at", "-id")[:limit]
    )
