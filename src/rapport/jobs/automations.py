"""Stage automations: what happens when an application enters a stage.

An automation belongs to one stage of a job. It may send an outreach
template to the candidate (at once or after a delay, perhaps held for the
recruiter to read, edit and send) and may make a task for the recruiter.

How a move becomes an email, crash-safe at every step:
1. The move (jobs.services) writes an AutomationRun row in its own
   transaction, due at the moment of the move plus the delay, and calls
   `automation_entered`, which makes the task in that same transaction and,
   for a run due at once, asks a worker to carry it out after the commit.
2. A worker carries out due runs (`run_process`, and `automations_due` every
   minute for the delayed ones and any a worker missed). Each run is locked
   and re-read as still waiting in the transaction that finishes it, so two
   workers never both act on it; the outbox row it writes has the key
   "a<run id>", so even a run carried out twice writes one message.
3. The run becomes `sent` (its Message queued in the outbox, which the
   delivery threads send under the sending policy), `review` (a draft kept on
   the run, the recruiter notified), or `skipped` with the reason: the
   candidate left the stage, the template cannot be rendered for them, they
   have no address, or the sending policy holds the message back.

Which rules apply: an email for a stage of kind "rejected" is nurture mail, so
every sending rule applies to it (suppression, leaving, unsubscribes,
declined topics, consent, the frequency cap and the send window); any other
stage's email is personal mail about the candidate's own application, exempt
from the cap and window but still stopped by suppression and by a candidate
who asked to hear nothing more (see docs/stage-automations.md).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import task
from jinja2 import TemplateError

from rapport.accounts.models import Capability
from rapport.core.models import Notification
from rapport.engagement.task_services import end_of_day, task_create
from rapport.jobs.models import (
    Application,
    AutomationRun,
    AutomationRunStatus,
    Job,
    JobStatus,
    Stage,
    StageAutomation,
    StageChange,
    StageKind,
)
from rapport.outreach import merge, policy, rendering
from rapport.outreach.models import Message, MessageKind, MessageStatus, Template
from rapport.outreach.services import Origin, message_fields, messages_insert, template_check
from rapport.people.services import require

if TYPE_CHECKING:
    from rapport.accounts.models import User

logger = logging.getLogger(__name__)

MAX_DELAY_HOURS = 24 * 90
MAX_TASK_DAYS = 365
BATCH = 200
PENDING = (AutomationRunStatus.WAITING, AutomationRunStatus.REVIEW)


# --- setting up a stage's automation ------------------------------------------------


@dataclass(frozen=True)
class AutomationFields:
    """What a recruiter chooses for a stage."""

    template: Template | None = None
    delay_hours: int = 0
    review: bool = False
    task_title: str = ""
    task_due_days: int = 1
    active: bool = True


def _check(values: AutomationFields) -> str:
    """Refuse what cannot work; return the task title, cleaned."""
    errors: dict[str, list[str]] = {}
    template = values.template
    if template is not None and template.archived_at is not None:
        errors["template"] = [f"The template “{template.name}” is archived; choose another."]
    elif template is not None:
        try:
            template_check(subject=template.subject, body=template.body)
        except ValidationError as exc:
            errors["template"] = [
                f"The template “{template.name}” cannot be sent: {' '.join(exc.messages)} "
                "Correct it under Outreach → Templates first."
            ]
    if not 0 <= values.delay_hours <= MAX_DELAY_HOURS:
        errors["delay_hours"] = [f"Wait between 0 and {MAX_DELAY_HOURS} hours (90 days)."]
    title = " ".join(values.task_title.split())
    if len(title) > 200:
        errors["task_title"] = ["A task title has at most 200 characters."]
    if not 0 <= values.task_due_days <= MAX_TASK_DAYS:
        errors["task_due_days"] = [f"A task is due within 0 to {MAX_TASK_DAYS} days."]
    if values.review and template is None:
        errors["review"] = ["Only an email can be held for review: choose a template."]
    if template is None and not title and not errors:
        errors["template"] = [
            "Choose a template to send, a task to make, or both (or remove the automation)."
        ]
    if errors:
        raise ValidationError(errors)
    return title


@transaction.atomic
def automation_set(*, actor: User, stage: Stage, values: AutomationFields) -> StageAutomation:
    """Create or change the automation of `stage`. Switching it off cancels
    the emails it still owes; a changed template applies to emails not yet
    drafted."""
    require(actor, Capability.MANAGE_JOBS)
    title = _check(values)
    now = timezone.now()
    automation, _ = StageAutomation.objects.update_or_create(
        stage=stage,
        defaults={
            "template": values.template,
            "delay_hours": values.delay_hours,
            "review": values.review,
            "task_title": title,
            "task_due_days": values.task_due_days,
            "active": values.active,
            "updated_by": actor,
            "updated_at": now,
        },
    )
    if not values.active:
        _cancel_pending(automation, f"The automation was switched off by {actor.display_name}.")
    return automation


@transaction.atomic
def automation_remove(*, actor: User, stage: Stage) -> int:
    """Stop automating `stage`: the emails it still owes are cancelled.
    Returns how many. An automation that has run is emptied rather than
    deleted, so each application keeps the history of what it was sent."""
    require(actor, Capability.MANAGE_JOBS)
    automation = StageAutomation.objects.select_for_update().filter(stage=stage).first()
    if automation is None:
        return 0
    cancelled = _cancel_pending(automation, f"The automation was removed by {actor.display_name}.")
    if not automation.runs.exists():
        automation.delete()
        return cancelled
    automation.template, automation.task_title = None, ""
    automation.review, automation.active, automation.delay_hours = False, False, 0
    automation.updated_by, automation.updated_at = actor, timezone.now()
    automation.save()
    return cancelled


def _cancel_pending(automation: StageAutomation, detail: str) -> int:
    return AutomationRun.objects.filter(automation=automation, status__in=PENDING).update(
        status=AutomationRunStatus.CANCELLED, detail=detail[:300], finished_at=timezone.now()
    )


def automation_configured(automation: StageAutomation | None) -> bool:
    """Whether a stage's automation does anything (a removed one may remain,
    emptied, for its history)."""
    return automation is not None and bool(automation.template_id or automation.task_title)


# --- when an application enters a stage ----------------------------------------------


def automation_entered(
    *,
    automation: StageAutomation,
    application: Application,
    change: StageChange,
    run: AutomationRun | None,
) -> None:
    """Called by the move, in its transaction: make the stage's task, and
    have a worker carry out at once a run that is due at once."""
    if automation.task_title:
        _task_for(automation, application, change)
    if run is not None and run.due_at <= timezone.now():
        run_id = run.pk
        transaction.on_commit(lambda: automation_run.enqueue(run_id=run_id))


def _first_active(*users: User | None) -> User | None:
    return next((u for u in users if u is not None and u.is_active), None)


def _task_for(automation: StageAutomation, application: Application, change: StageChange) -> None:
    job = application.job
    assignee = _first_active(job.recruiter, change.changed_by, job.created_by)
    if assignee is None:
        logger.warning(
            "No one to give the task of stage %s to (job %s).", change.to_stage_id, job.pk
        )
        return
    stage = change.to_stage
    task_create(
        actor=None,
        assignee=assignee,
        title=automation.task_title,
        due_at=end_of_day(change.changed_at + dt.timedelta(days=automation.task_due_days)),
        notes=f"{application.candidate.full_name} entered {stage.name} for {job.title}.",
        candidate=application.candidate,
        link_url=f"/applications/{application.pk}/",
        link_label=f"{job.title} · {stage.name}",
        origin="automation",
        target_type="application",
        target_id=application.pk,
    )


# --- carrying out due runs --------------------------------------------------------------


@dataclass
class Processed:
    sent: int = 0
    review: int = 0
    skipped: int = 0

    def add(self, status: str | None) -> None:
        if status == AutomationRunStatus.SENT:
            self.sent += 1
        elif status == AutomationRunStatus.REVIEW:
            self.review += 1
        elif status is not None:
            self.skipped += 1


def automations_process(*, now: dt.datetime | None = None, limit: int = BATCH) -> Processed:
    """Carry out the runs due at `now` (the oldest first, `limit` at most)."""
    now = now or timezone.now()
    due = AutomationRun.objects.filter(status=AutomationRunStatus.WAITING, due_at__lte=now)
    ids = list(due.order_by("due_at", "id").values_list("id", flat=True)[:limit])
    done = Processed()
    for run_id in ids:
        done.add(run_process(run_id=run_id, now=now))
    return done


def run_process(*, run_id: int, now: dt.datetime | None = None) -> str | None:
    """Carry out one run if it is still waiting and due at `now`; return its
    new status, or None when there was nothing to do (not due, finished, or
    another worker holds it)."""
    now = now or timezone.now()
    with transaction.atomic():
        run = (
            AutomationRun.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related(
                "automation__template",
                "automation__stage",
                "application__candidate",
                "application__stage",
                "application__job__recruiter",
                "application__job__created_by",
                "stage_change__changed_by",
            )
            .filter(pk=run_id, status=AutomationRunStatus.WAITING, due_at__lte=now)
            .first()
        )
        if run is None:
            return None
        _carry_out(run)
        return run.status


def _carry_out(run: AutomationRun) -> None:
    automation, application = run.automation, run.application
    job, template = application.job, automation.template
    sender = _first_active(job.recruiter, run.stage_change.changed_by, job.created_by)
    why = _not_any_more(run, sender)
    if why or template is None or sender is None:
        _finish(run, AutomationRunStatus.SKIPPED, why)
        return
    recipient = _recipient(application, sender)
    try:
        compiled = rendering.compile_template(template.subject, template.body)
        draft = _draft(template, recipient.context) if automation.review else None
    except rendering.TemplateProblem as exc:
        name = application.candidate.full_name
        _finish(
            run, AutomationRunStatus.SKIPPED, f"The template cannot be rendered for {name}: {exc}"
        )
        return
    if draft is None or _blocked(
        recipient, kind=_kind(automation.stage), topic_id=template.topic_id
    ):
        # Sent now; or, held for review but unable to go anyway, written as
        # held back with the reason rather than put before the recruiter.
        _compose(run, compiled, recipient, sender=sender, author=None)
        return
    run.subject, run.body = draft[0][:300], draft[1]
    _finish(run, AutomationRunStatus.REVIEW, "Waiting for review.", finished=False)
    _notify_review(run, application, _first_active(job.recruiter) or sender)


def _not_any_more(run: AutomationRun, sender: User | None) -> str:
    """Why a run that was due no longer applies, or ""."""
    automation, application = run.automation, run.application
    template = automation.template
    if application.stage_id != automation.stage_id:
        return (
            f"{application.candidate.full_name} had left {automation.stage.name} "
            f"(now in {application.stage.name})."
        )
    if not automation.active:
        return "The automation was switched off."
    if template is None:
        return "The automation no longer sends an email."
    if template.archived_at is not None:
        return f"The template “{template.name}” was archived."
    if sender is None:
        return "Nobody to send it from: give the job a recruiter."
    return ""


def _kind(stage: Stage) -> str:
    """A rejection is nurture mail (every sending rule applies); anything
    else is personal mail about the candidate's own application."""
    return MessageKind.NURTURE if stage.kind == StageKind.REJECTED else MessageKind.TRANSACTIONAL


def _job_fields(job: Job) -> merge.Job:
    shown = job.status == JobStatus.OPEN and job.published
    url = f"{settings.BASE_URL}/careers/{job.slug}/" if shown else ""
    return merge.Job(title=job.title, department=job.department, location=job.location, url=url)


def _recipient(application: Application, sender: User) -> merge.Recipient:
    return merge.recipients(
        [application.candidate], sender=sender, job=_job_fields(application.job)
    )[0]


def _draft(template: Template, context: dict[str, Any]) -> tuple[str, str]:
    """The template filled in for one candidate, still as Markdown, for the
    recruiter to edit (raises TemplateProblem)."""
    compiled = rendering.compile_template(template.subject, template.body)
    rendered = rendering.render(compiled, context)  # the checks and the size limit
    try:
        body = rendering.TEXT_ENV.from_string(template.body).render(context)
    except (TemplateError, TypeError, ValueError, AttributeError, KeyError) as exc:
        raise rendering.TemplateProblem(f"Cannot render: {exc}") from None
    return rendered.subject, body.strip() + "\n"


def _blocked(recipient: merge.Recipient, *, kind: str, topic_id: int | None) -> str:
    """Why the sending policy would hold this message back for good, or ""."""
    if not recipient.email:
        return "no_address"
    facts = policy.facts_for([recipient.candidate_id], [recipient.email])
    verdict = policy.decide(
        facts,
        candidate_id=recipient.candidate_id,
        address=recipient.email,
        kind=kind,
        topic_id=topic_id,
    )
    return verdict.reason if verdict.held else ""


def _compose(
    run: AutomationRun,
    compiled: rendering.Compiled,
    recipient: merge.Recipient,
    *,
    sender: User,
    author: User | None,
) -> Message:
    """Write the run's outbox row (key "a<run id>": a second write of the
    same run writes nothing) and finish the run by what became of it: queued
    to send, or held back with the reason."""
    automation = run.automation
    template = automation.template
    kind = _kind(automation.stage)
    topic_id = template.topic_id if template is not None else None
    origin = Origin(kind=kind, sender=sender, author=author, template=template, topic_id=topic_id)
    fields = message_fields(
        recipient, compiled, origin=origin, key=f"a{run.pk}", due_at=timezone.now()
    )
    if fields["status"] == MessageStatus.QUEUED:
        held = _blocked(recipient, kind=kind, topic_id=topic_id)
        if held:
            fields["status"], fields["reason"] = MessageStatus.SUPPRESSED, held
    messages_insert([fields])
    message = Message.objects.get(key=fields["key"])
    run.message = message
    if message.status == MessageStatus.SUPPRESSED:
        _finish(run, AutomationRunStatus.SKIPPED, _held_detail(message, run))
    else:
        _finish(run, AutomationRunStatus.SENT, "")
    return message


def _held_detail(message: Message, run: AutomationRun) -> str:
    name = run.application.candidate.full_name
    if message.reason == "template_error":
        return f"The template cannot be rendered for {name}: {message.detail}"
    if message.reason == "no_address":
        return f"{name} has no email address."
    return f"Held back by the sending policy: {policy.REASONS.get(message.reason, message.reason)}."


def _finish(run: AutomationRun, status: str, detail: str, *, finished: bool = True) -> None:
    run.status, run.detail = status, detail[:300]
    run.finished_at = timezone.now() if finished else None
    run.save(update_fields=["status", "detail", "finished_at", "subject", "body", "message"])


def _notify_review(run: AutomationRun, application: Application, user: User) -> None:
    candidate, stage = application.candidate, run.automation.stage
    Notification.objects.create(
        user=user,
        kind="automation.review",
        candidate=candidate,
        url=f"{reverse('automation_review')}#run-{run.pk}",
        text=f"Review the email to {candidate.full_name} ({application.job.title}, {stage.name})"[
            :300
        ],
    )


# --- the review queue ------------------------------------------------------------------


def _pending_review(run: AutomationRun) -> AutomationRun:
    locked = (
        AutomationRun.objects.select_for_update(of=("self",))
        .select_related(
            "automation__template",
            "automation__stage",
            "application__candidate",
            "application__job",
        )
        .get(pk=run.pk)
    )
    if locked.status != AutomationRunStatus.REVIEW:
        raise ValidationError(
            {"run": [f"This email is no longer waiting: {locked.get_status_display().lower()}."]}
        )
    return locked


def review_send(*, actor: User, run: AutomationRun, subject: str, body: str) -> Message:
    """Send a held email as the recruiter edited it, from them. The edited
    text is checked like a template; the sending policy still applies (the
    message may come back held, and the run then says why)."""
    require(actor, Capability.MOVE_APPLICATIONS)
    require(actor, Capability.SEND_EMAIL)
    compiled = template_check(subject=subject, body=body)
    with transaction.atomic():
        run = _pending_review(run)
        recipient = _recipient(run.application, actor)
        try:
            rendering.render(compiled, recipient.context)
        except rendering.TemplateProblem as exc:
            raise ValidationError({exc.part: [str(exc)]}) from None
        run.subject, run.body = rendering.one_line(subject)[:300], body
        return _compose(run, compiled, recipient, sender=actor, author=actor)


def review_skip(*, actor: User, run: AutomationRun) -> AutomationRun:
    """Do not send a held email; the run says who decided."""
    require(actor, Capability.MOVE_APPLICATIONS)
    with transaction.atomic():
        run = _pending_review(run)
        _finish(run, AutomationRunStatus.SKIPPED, f"Skipped by {actor.display_name}.")
    return run


# --- the worker's tasks -------------------------------------------------------------------


@task()
def automation_run(*, run_id: int) -> str:
    """Carry out one run that was due at once (idempotent: a second run of
    the task finds it finished)."""
    return run_process(run_id=run_id) or ""


@task()
def automations_due() -> dict[str, int]:
    """Every minute: the delayed runs whose time has come, and any run a
    worker did not carry out, a batch at a time until none is left."""
    done = Processed()
    for _ in range(50):
        batch = automations_process()
        done.sent, done.review = done.sent + batch.sent, done.review + batch.review
        done.skipped += batch.skipped
        if batch.sent + batch.review + batch.skipped < BATCH:
            break
    return {"sent": done.sent, "review": done.review, "skipped": done.skipped}
