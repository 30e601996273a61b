"""The stage-automation pages: a job's automation editor, the queue of emails
held for review, and the card of an application's automated emails. Thin:
objects come from the selectors, changes go through `automations`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from rapport.accounts.models import Capability
from rapport.core.errors import PermissionDenied
from rapport.core.http import acting_user, id_or_none
from rapport.jobs import automation_selectors as selectors
from rapport.jobs import automations
from rapport.jobs.automation_forms import AutomationForm, ReviewForm
from rapport.jobs.models import Job, StageAutomation, StageKind
from rapport.jobs.selectors import application_get, job_get, jobs_visible
from rapport.outreach import policy
from rapport.outreach.models import MessageStatus
from rapport.outreach.selectors import may_send
from rapport.people.forms import apply_errors

REVIEW_PAGE = 20


# --- a job's automations


def _initial(automation: StageAutomation | None) -> dict[str, Any]:
    if not automations.automation_configured(automation):
        return {"delay_hours": 0, "task_due_days": 1, "active": True}
    assert automation is not None
    return {
        "template": automation.template_id,
        "delay_hours": automation.delay_hours,
        "review": automation.review,
        "task_title": automation.task_title,
        "task_due_days": automation.task_due_days,
        "active": automation.active,
    }


@login_required
def job_automations(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    return _editor(request, job_get(user, pk))


def _editor(
    request: HttpRequest, job: Job, *, failed: tuple[int, AutomationForm] | None = None
) -> HttpResponse:
    user = acting_user(request)
    editable = selectors.may_edit(user)
    rows = []
    for row in selectors.stage_rows(job):
        form = None
        if editable:
            if failed is not None and failed[0] == row.stage.pk:
                form = failed[1]
            else:
                form = AutomationForm(initial=_initial(row.automation), prefix=f"s{row.stage.pk}")
        configured = automations.automation_configured(row.automation)
        rows.append({"row": row, "form": form, "configured": configured})
    context = {
        "job": job,
        "rows": rows,
        "editable": editable,
        "can_add_to_jobs": user.can(Capability.ADD_TO_JOBS),
        "failed_stage": failed[0] if failed else None,
        "review_count": selectors.review_list(user, job=job).count(),
        "rejected": StageKind.REJECTED,
    }
    return render(request, "jobs/automations/editor.html", context)


@login_required
@require_POST
def job_automation_save(request: HttpRequest, pk: int, stage_pk: int) -> HttpResponse:
    user = acting_user(request)
    job = job_get(user, pk)
    stage = selectors.stage_of_job(job, stage_pk)
    back = f"{reverse('job_automations', args=[job.pk])}#stage-{stage.pk}"
    if "remove" in request.POST:
        try:
            cancelled = automations.automation_remove(actor=user, stage=stage)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            also = f" {cancelled} email(s) it still owed were cancelled." if cancelled else ""
            messages.success(request, f"{stage.name} has no automation any more.{also}")
        return redirect(back)
    form = AutomationForm(request.POST, prefix=f"s{stage.pk}")
    if form.is_valid():
        try:
            automations.automation_set(actor=user, stage=stage, values=form.values())
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return redirect(back)
        else:
            messages.success(request, f"Automation of {stage.name} saved.")
            return redirect(back)
    return _editor(request, job, failed=(stage.pk, form))


# --- the review queue


@dataclass(frozen=True)
class Edited:
    """A held email whose sending was refused, as the recruiter left it."""

    pk: int
    subject: str
    body: str
    errors: list[str]


@login_required
def automation_review(request: HttpRequest) -> HttpResponse:
    return _review_page(request)


def _review_page(request: HttpRequest, *, edited: Edited | None = None) -> HttpResponse:
    user = acting_user(request)
    job_id = id_or_none(request.GET.get("job"))
    job = jobs_visible(user).filter(pk=job_id).first() if job_id else None
    page = Paginator(selectors.review_list(user, job=job), REVIEW_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "job": job,
        "edited": edited,
        "may_review": selectors.may_review(user),
        "rejected": StageKind.REJECTED,
        "form_help": ReviewForm.base_fields["body"].help_text,
    }
    return render(request, "jobs/automations/review.html", context)


def _review_back(request: HttpRequest) -> HttpResponse:
    job = id_or_none(request.POST.get("job"))
    return redirect(f"{reverse('automation_review')}{f'?job={job}' if job else ''}")


@login_required
@require_POST
def automation_review_send(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    run = selectors.run_get(user, pk)
    form = ReviewForm(request.POST)
    errors: list[str] = []
    if form.is_valid():
        try:
            message = automations.review_send(
                actor=user, run=run, subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
            )  # fmt: skip
        except ValidationError as exc:
            errors = exc.messages
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return _review_back(request)
        else:
            run.refresh_from_db(fields=["detail"])
            name = run.application.candidate.full_name
            if message.status == MessageStatus.SUPPRESSED:
                messages.error(request, f"Not sent to {name}. {run.detail}")
            else:
                messages.success(request, f"Email to {name} queued to send.")
            return _review_back(request)
    else:
        errors = [f"{form[name].label}: {' '.join(map(str, e))}" for name, e in form.errors.items()]
    edited = Edited(run.pk, request.POST.get("subject", ""), request.POST.get("body", ""), errors)
    return _review_page(request, edited=edited)


@login_required
@require_POST
def automation_review_skip(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    run = selectors.run_get(user, pk)
    try:
        automations.review_skip(actor=user, run=run)
    except (ValidationError, PermissionDenied) as exc:
        text = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, text)
    else:
        messages.success(request, "Skipped: that email will not be sent.")
    return _review_back(request)


# --- an application's automated emails (a card of the application page)


@login_required
def application_automations(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    application = application_get(user, pk)
    context = {
        "application": application,
        "runs": list(selectors.application_runs(user, application)),
        "may_read_mail": may_send(user),
        "reasons": policy.REASONS,
    }
    return render(request, "jobs/automations/_application_card.html", context)
