"""Demo jobs for a demo installation: four roles with pipelines that look
lived in, made from the demo team and the demo candidates already there.

- Senior Backend Engineer: open for six weeks, twenty people spread over
  every stage, some rejected with a reason, one withdrawn.
- Product Designer: open for three weeks, a younger pipeline.
- Frontend Engineer: filled a month ago; its finalists who were not hired
  became silver medallists when it was filled.
- Site Reliability Engineer: a draft.

Everything goes through the services (so the timeline, the stage history
and the silver-medallist tags are what a real team would have), and then
the rows each call wrote are dated back to when it would have happened.
Each job is made once: a second run finds it and leaves it alone. Nothing
happens without the demo team, so a real installation never gets these."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from rapport.accounts.models import Role, User
from rapport.core.models import Activity, ActivityKind
from rapport.jobs.models import (
    Application,
    Job,
    JobStatus,
    JobStatusChange,
    RejectionReason,
    Stage,
    StageChange,
    StageKind,
)
from rapport.jobs.services import (
    SILVER_TAG,
    JobFields,
    Move,
    application_create,
    application_move,
    job_create,
    job_set_status,
)
from rapport.people.demo import TEAM
from rapport.people.models import Candidate, CandidateTag

DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Path:
    """Where one demo application goes: through the stages in `through`
    (after the first), ending with a rejection or withdrawal when given."""

    through: tuple[str, ...]
    end: str = ""
    reason: str = ""
    note: str = ""
    source: str = "sourced"


@dataclass(frozen=True)
class DemoJob:
    fields: dict[str, Any]
    opened_days_ago: int
    titles: tuple[str, ...]  # words of the current titles to pick candidates by
    paths: tuple[Path, ...] = ()
    status: str = JobStatus.OPEN
    closed_days_ago: int = 0
    recruiter: str = "priya.raman@example.com"
    managers: tuple[str, ...] = ()


def _p(*through: str, end: str = "", reason: str = "", note: str = "", source: str = "") -> Path:
    first = through[0] if through else "Sourced"
    return Path(
        through, end, reason, note, source or ("careers" if first == "Applied" else "sourced")
    )


BACKEND = DemoJob(
    fields={
        "title": "Senior Backend Engineer",
        "department": "Engineering",
        "location": "Lisbon",
        "country": "PT",
        "timezone": "Europe/Lisbon",
        "remote": "hybrid",
        "seniority": "senior",
        "headcount": 2,
        "description": (
            "We build the payments platform that thousands of small shops run on.\n\n"
            "- Design and run services in **Python** and **Django** on PostgreSQL\n"
            "- Own reliability: on-call once a month, with a calm rota\n"
            "- Two days a week with the team in Lisbon"
        ),
        "required_skills": ["Python", "Django", "PostgreSQL"],
        "nice_skills": ["Kubernetes", "Kafka"],
    },
    opened_days_ago=44,
    titles=(
        "Backend",
        "Full-Stack",
        "Staff Software",
        "Platform Engineering",
        "Rails",
        "Data Engineer",
    ),
    managers=("hannah.okafor@example.com",),
    paths=(
        _p("Sourced"),
        _p("Sourced"),
        _p("Sourced", source="referral"),
        _p("Sourced"),
        _p("Applied"),
        _p("Applied"),
        _p("Sourced", "Applied"),
        _p("Applied", "Screen"),
        _p("Sourced", "Applied", "Screen"),
        _p("Applied", "Screen", source="referral"),
        _p("Sourced", "Applied", "Screen", "Interview"),
        _p("Applied", "Screen", "Interview"),
        _p("Sourced", "Applied", "Screen", "Interview", source="referral"),
        _p("Applied", "Screen", "Interview", "Final"),
        _p("Sourced", "Applied", "Screen", "Interview", "Final"),
        _p("Sourced", "Applied", "Screen", "Interview", "Final", "Offer"),
        _p(
            "Applied",
            "Screen",
            end="Rejected",
            reason=RejectionReason.SKILLS,
            note="No production Django yet.",
        ),
        _p(
            "Sourced",
            "Applied",
            "Screen",
            "Interview",
            end="Rejected",
            reason=RejectionReason.SENIORITY,
            note="Strong, but a mid-level fit today.",
        ),
        _p(
            "Applied",
            end="Rejected",
            reason=RejectionReason.LOCATION,
            note="Cannot be in Lisbon twice a week.",
        ),
        _p("Sourced", "Applied", "Screen", end="Withdrawn", note="Accepted another offer."),
    ),
)

DESIGNER = DemoJob(
    fields={
        "title": "Product Designer",
        "department": "Design",
        "location": "Berlin",
        "country": "DE",
        "timezone": "Europe/Berlin",
        "remote": "remote",
        "seniority": "mid",
        "description": (
            "Shape how shop owners set up payments, from the first screen to the "
            "monthly statement. You work with one product manager and four engineers."
        ),
        "required_skills": ["Figma", "User Research"],
        "nice_skills": ["Prototyping"],
    },
    opened_days_ago=19,
    titles=("Designer", "UX", "Design"),
    recruiter="camille.laurent@example.com",
    paths=(
        _p("Sourced"),
        _p("Sourced"),
        _p("Applied"),
        _p("Sourced", "Applied"),
        _p("Applied", "Screen"),
        _p("Sourced", "Applied", "Screen", "Interview"),
        _p(
            "Applied",
            "Screen",
            end="Rejected",
            reason=RejectionReason.SKILLS,
            note="Portfolio is mostly brand work.",
        ),
        _p("Sourced", "Applied", end="Rejected", reason=RejectionReason.UNRESPONSIVE),
    ),
)

FRONTEND = DemoJob(
    fields={
        "title": "Frontend Engineer",
        "department": "Engineering",
        "location": "Lisbon",
        "country": "PT",
        "timezone": "Europe/Lisbon",
        "remote": "remote",
        "seniority": "mid",
        "description": "Build the dashboard shop owners open every morning, in TypeScript and React.",
        "required_skills": ["TypeScript", "React"],
        "nice_skills": ["GraphQL"],
    },
    opened_days_ago=110,
    status=JobStatus.FILLED,
    closed_days_ago=31,
    titles=("Frontend", "Full-Stack", "Mobile", "iOS", "Android"),
    recruiter="jonas.becker@example.com",
    managers=("hannah.okafor@example.com",),
    paths=(
        _p("Sourced", "Applied", "Screen", "Interview", "Final", "Offer", "Hired"),
        _p(
            "Applied",
            "Screen",
            "Interview",
            "Final",
            end="Rejected",
            reason=RejectionReason.STRONGER,
            note="Very close second: keep warm.",
        ),
        _p(
            "Sourced",
            "Applied",
            "Screen",
            "Interview",
            "Final",
            end="Rejected",
            reason=RejectionReason.STRONGER,
        ),
        _p(
            "Sourced",
            "Applied",
            "Screen",
            "Interview",
            "Final",
            "Offer",
            end="Withdrawn",
            note="Stayed after a counter-offer.",
        ),
        _p("Applied", "Screen", "Interview", end="Rejected", reason=RejectionReason.SKILLS),
        _p("Applied", "Screen", end="Rejected", reason=RejectionReason.COMPENSATION),
        _p("Sourced", "Applied", end="Rejected", reason=RejectionReason.UNRESPONSIVE),
        _p("Applied", end="Rejected", reason=RejectionReason.LOCATION),
        _p("Sourced", "Applied", "Screen", end="Rejected", reason=RejectionReason.FILLED),
        _p("Sourced", end="Rejected", reason=RejectionReason.FILLED),
    ),
)

SRE = DemoJob(
    fields={
        "title": "Site Reliability Engineer",
        "department": "Engineering",
        "location": "Lisbon",
        "country": "PT",
        "remote": "hybrid",
        "seniority": "senior",
        "description": "Draft: waiting for the budget to be signed off.",
        "required_skills": ["Kubernetes", "Terraform"],
    },
    opened_days_ago=0,
    status=JobStatus.DRAFT,
    titles=(),
)

DEMO_JOBS = (BACKEND, DESIGNER, FRONTEND, SRE)


@dataclass
class DemoJobsResult:
    jobs: int = 0
    applications: int = 0
    silver: int = 0
    skipped: list[str] = field(default_factory=list)


def demo_jobs(*, seed: int = 11) -> DemoJobsResult:
    """Make the demo jobs that are not there yet; see the module's docstring."""
    result = DemoJobsResult()
    team = {u.email: u for u in User.objects.filter(email__in=[e for _, e, _ in TEAM])}
    recruiters = [u for u in team.values() if u.role == Role.RECRUITER and u.is_active]
    if not recruiters or not Candidate.objects.exists():
        result.skipped.append("no demo team or candidates (run `rapport demo` first)")
        return result
    rng = random.Random(seed)
    taken: set[int] = set(Application.objects.values_list("candidate_id", flat=True))
    for spec in DEMO_JOBS:
        title = spec.fields["title"]
        recruiter = team.get(spec.recruiter) or recruiters[0]
        if Job.objects.filter(title=title, created_by__in=team.values()).exists():
            result.skipped.append(title)
            continue
        with transaction.atomic():
            job, made = _make_job(spec, recruiter, team, rng, taken)
        result.jobs += 1
        result.applications += made
        result.silver += CandidateTag.objects.filter(
            tag__name=SILVER_TAG, reason__contains=f"(job {job.pk})"
        ).count()
    return result


def _make_job(
    spec: DemoJob, recruiter: User, team: dict[str, User], rng: random.Random, taken: set[int]
) -> tuple[Job, int]:
    now = timezone.now()
    managers = [team[e] for e in spec.managers if e in team]
    created = now - (spec.opened_days_ago + 3) * DAY if spec.opened_days_ago else now - 2 * DAY
    mark = timezone.now()
    job = job_create(
        actor=recruiter,
        values=JobFields(recruiter=recruiter, hiring_managers=managers, **spec.fields),
    )
    _date_job(job, mark, created, created=True)
    if spec.status == JobStatus.DRAFT:
        return job, 0
    opened = now - spec.opened_days_ago * DAY
    mark = timezone.now()
    job_set_status(actor=recruiter, job=job, status=JobStatus.OPEN)
    _date_job(job, mark, opened)
    closes = now - spec.closed_days_ago * DAY if spec.closed_days_ago else now - 2 * HOUR
    stages = {s.name: s for s in Stage.objects.filter(job=job)}
    people = _pick(spec.titles, len(spec.paths), rng, taken)
    made = 0
    for candidate, path in zip(people, spec.paths, strict=False):
        _walk(job, candidate, path, stages, recruiter, opened, closes, rng)
        made += 1
    if spec.status == JobStatus.FILLED:
        mark = timezone.now()
        job_set_status(actor=recruiter, job=job, status=JobStatus.FILLED)
        _date_job(job, mark, closes)
        CandidateTag.objects.filter(tag__name=SILVER_TAG, added_at__gte=mark).update(
            added_at=closes
        )
        Activity.objects.filter(kind=ActivityKind.TAG_ADDED, occurred_at__gte=mark).update(
            occurred_at=closes
        )
    return job, made


def _pick(titles: Sequence[str], n: int, rng: random.Random, taken: set[int]) -> list[Candidate]:
    """`n` demo candidates whose current title fits, none of them in a job yet;
    others when too few fit."""
    if not n:
        return []
    fits = Q()
    for word in titles:
        fits |= Q(current_title__icontains=word)
    pool = list(
        Candidate.objects.filter(fits)
        .exclude(pk__in=taken)
        .order_by("id")
        .values_list("pk", flat=True)[:400]
    )
    if len(pool) < n:
        pool += list(
            Candidate.objects.exclude(pk__in=[*taken, *pool])
            .order_by("id")
            .values_list("pk", flat=True)[: n - len(pool)]
        )
    chosen = rng.sample(pool, k=min(n, len(pool)))
    taken.update(chosen)
    found = Candidate.objects.in_bulk(chosen)
    return [found[pk] for pk in chosen]


def _walk(
    job: Job,
    candidate: Candidate,
    path: Path,
    stages: dict[str, Stage],
    actor: User,
    opened: dt.datetime,
    closes: dt.datetime,
    rng: random.Random,
) -> None:
    """Add the candidate and move them along the path, each step a few days
    after the one before, all of it between the opening and `closes`."""
    steps = [*path.through[1:], *([path.end] if path.end else [])]
    waits = [rng.uniform(1.5, 7.0) * DAY for _ in steps]
    room = closes - opened - DAY
    total = sum(waits, dt.timedelta())
    if total > room * 0.9:
        waits = [w * (room * 0.9 / total) for w in waits]
        total = sum(waits, dt.timedelta())
    slack = max(dt.timedelta(), room - total)
    when = opened + HOUR + slack * rng.uniform(0.05, 0.95)
    first = stages[path.through[0] if path.through else "Sourced"]
    mark = timezone.now()
    application = application_create(
        actor=None if path.source == "careers" else actor,
        job=job,
        candidate=candidate,
        stage=first,
        source=path.source,
    )
    _date_application(application, mark, when, created=True)
    for name, wait in zip(steps, waits, strict=True):
        when += wait
        stage = stages[name]
        rejected = stage.kind == StageKind.REJECTED
        move = Move(stage, path.reason if rejected else "", path.note if stage.ends else "")
        mark = timezone.now()
        application_move(actor=actor, application=application, move=move)
        _date_application(application, mark, when, ends=stage.kind)


def _date_job(job: Job, mark: dt.datetime, when: dt.datetime, *, created: bool = False) -> None:
    """Put what the last job service call wrote at `when`."""
    JobStatusChange.objects.filter(job=job, changed_at__gte=mark).update(changed_at=when)
    fields: dict[str, Any] = {"status_changed_at": when, "updated_at": when}
    if created:
        fields["created_at"] = when
    job.refresh_from_db(fields=["status", "opened_at", "closed_at"])
    if job.opened_at and job.opened_at >= mark:
        fields["opened_at"] = when
    if job.closed_at and job.closed_at >= mark:
        fields["closed_at"] = when
    Job.objects.filter(pk=job.pk).update(**fields)


def _date_application(
    application: Application,
    mark: dt.datetime,
    when: dt.datetime,
    *,
    created: bool = False,
    ends: str = StageKind.ACTIVE,
) -> None:
    """Put what the last application service call wrote at `when`."""
    StageChange.objects.filter(application=application, changed_at__gte=mark).update(
        changed_at=when
    )
    Activity.objects.filter(
        target_type="application", target_id=application.pk, occurred_at__gte=mark
    ).update(occurred_at=when)
    fields: dict[str, Any] = {"stage_entered_at": when}
    if created:
        fields["created_at"] = when
    if ends != StageKind.ACTIVE:
        fields["ended_at"] = when
    if ends == StageKind.HIRED:
        fields["hired_at"] = when
    Application.objects.filter(pk=application.pk).update(**fields)
