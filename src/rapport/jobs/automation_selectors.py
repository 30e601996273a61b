"""Reads of stage automations and their runs, scoped to the acting user
through the jobs they may see (jobs.selectors). Anyone else gets a 404."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from rapport.accounts.models import Capability
from rapport.jobs.models import (
    Application,
    AutomationRun,
    AutomationRunStatus,
    Job,
    Stage,
    StageAutomation,
)
from rapport.jobs.selectors import jobs_visible

if TYPE_CHECKING:
    from rapport.accounts.models import User


def may_edit(user: User) -> bool:
    return user.can(Capability.MANAGE_JOBS)


def may_review(user: User) -> bool:
    """Who may send or skip a held email: those who run pipelines."""
    return user.can(Capability.MOVE_APPLICATIONS) and user.can(Capability.SEND_EMAIL)


@dataclass(frozen=True)
class StageRow:
    stage: Stage
    automation: StageAutomation | None
    waiting: int
    review: int


def stage_rows(job: Job) -> list[StageRow]:
    """Each stage of the job with its automation and the emails it still
    owes (two queries)."""
    stages = list(
        Stage.objects.filter(job=job)
        .select_related("automation__template", "automation__updated_by")
        .order_by("position", "id")
    )
    pending = {
        row["automation__stage_id"]: row
        for row in AutomationRun.objects.filter(automation__stage__job=job)
        .values("automation__stage_id")
        .annotate(
            waiting=Count("id", filter=Q(status=AutomationRunStatus.WAITING)),
            review=Count("id", filter=Q(status=AutomationRunStatus.REVIEW)),
        )
    }
    rows = []
    for stage in stages:
        counts = pending.get(stage.pk, {})
        automation = getattr(stage, "automation", None)
        rows.append(StageRow(stage, automation, counts.get("waiting", 0), counts.get("review", 0)))
    return rows


def stage_of_job(job: Job, pk: int | str) -> Stage:
    try:
        return Stage.objects.get(job=job, pk=int(pk))
    except (Stage.DoesNotExist, ValueError, TypeError):
        raise Http404("No such stage.") from None


def runs_visible(user: User) -> QuerySet[AutomationRun]:
    return AutomationRun.objects.filter(application__job__in=jobs_visible(user))


def run_get(user: User, pk: int | str) -> AutomationRun:
    try:
        return runs_visible(user).select_related("application__candidate").get(pk=int(pk))
    except (AutomationRun.DoesNotExist, ValueError, TypeError):
        raise Http404("No such email.") from None


def review_list(user: User, *, job: Job | None = None) -> QuerySet[AutomationRun]:
    """The emails held for review, oldest first, with what the queue shows
    of each (one query)."""
    rows = runs_visible(user).filter(status=AutomationRunStatus.REVIEW)
    if job is not None:
        rows = rows.filter(application__job=job)
    return rows.select_related(
        "application__candidate",
        "application__job",
        "automation__stage",
        "automation__template",
    ).order_by("due_at", "id")


def review_count(user: User) -> int:
    """Held emails this user could send (none for those who may not)."""
    if not may_review(user):
        return 0
    return runs_visible(user).filter(status=AutomationRunStatus.REVIEW).count()


def application_runs(user: User, application: Application) -> QuerySet[AutomationRun]:
    """What the application's stage automations did, newest first."""
    return (
        runs_visible(user)
        .filter(application=application)
        .select_related(
            "automation__stage", "automation__template", "message__captured", "message__author"
        )
        .order_by("-created_at", "-id")
    )
