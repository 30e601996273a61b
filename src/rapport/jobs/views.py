"""The jobs pages: the job list, a job's board and list view, its pipeline,
an application, the default pipeline, and the Jobs card of a candidate.

Thin: every object comes from `jobs.selectors` (a 404 for anyone who may not
see it), every change goes through `jobs.services`. A user whose role may not
do something gets a 403 page that says so; a refusal from a service goes back
to the page it came from as a message."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from rapport.accounts.models import Capability, User
from rapport.core.errors import PermissionDenied
from rapport.core.geo import timezones
from rapport.core.http import acting_user, id_or_none
from rapport.jobs import selectors, services
from rapport.jobs.forms import (
    JobForm,
    MoveForm,
    StageAddForm,
    apply_job_errors,
    job_initial,
)
from rapport.jobs.models import (
    DefaultStage,
    Job,
    JobStatus,
    RejectionReason,
    Stage,
    StageKind,
)
from rapport.people.models import Skill
from rapport.people.selectors import candidate_get

WHY_NOT: dict[str, str] = {
    Capability.MANAGE_JOBS: "Only recruiters and admins open, edit and close jobs and pipelines.",
    Capability.MOVE_APPLICATIONS: "Only recruiters and admins move candidates through a pipeline.",
    Capability.ADD_TO_JOBS: "Only recruiters, sourcers and admins put candidates in a pipeline.",
    Capability.MANAGE_SETTINGS: "Only admins change the default pipeline.",
}

# The buttons that change a job's status: (label, question asked first).
STATUS_ACTIONS: dict[str, tuple[str, str]] = {
    JobStatus.OPEN: ("Open", "Open this job? It shows on the careers site if published."),
    JobStatus.ON_HOLD: ("Put on hold", "Put this job on hold? Its pipeline stays as it is."),
    JobStatus.FILLED: (
        "Mark filled",
        "Mark this job filled? Finalists who were not hired become silver medallists.",
    ),
    JobStatus.CLOSED: ("Close", "Close this job without hiring? It leaves the careers site."),
}


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _forbidden(request: HttpRequest, user: User, capability: str) -> HttpResponse:
    message = f"Your role ({user.get_role_display()}) may not do this. {WHY_NOT[capability]}"
    if _is_htmx(request):
        return HttpResponse(message, status=403, content_type="text/plain; charset=utf-8")
    back = request.POST.get("next", "") if request.method == "POST" else ""
    back = back if back.startswith("/") and not back.startswith("//") else ""
    return render(request, "jobs/forbidden.html", {"message": message, "back": back}, status=403)


def _job_nav(user: User, job: Job, tab: str) -> dict[str, Any]:
    """What the head of every job page needs: the job, its tabs, who may do what."""
    return {
        "job": job,
        "job_tab": tab,
        "can_manage": user.can(Capability.MANAGE_JOBS),
        "can_add_to_jobs": user.can(Capability.ADD_TO_JOBS),
    }


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    """Return to the page the form was on, when it is one of ours."""
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/") and not target.startswith("//") else fallback)


def _say(error: ValidationError) -> str:
    return " ".join(error.messages)


def _vocabulary() -> dict[str, Any]:
    return {
        "skill_names": Skill.objects.order_by("name").values_list("name", flat=True),
        "timezone_names": timezones(),
    }


# --- the job list and the job form ----------------------------------------------------


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    tabs = dict(selectors.JOB_TABS)
    status = request.GET.get("status", JobStatus.OPEN)
    status = status if status in tabs else JobStatus.OPEN
    department = request.GET.get("department", "").strip()
    counts = selectors.job_tab_counts(user, department=department)
    context = {
        "rows": selectors.job_list(user, status=status, department=department),
        "tabs": [(key, label, counts.get(key, 0)) for key, label in selectors.JOB_TABS],
        "status": status,
        "status_label": tabs[status],
        "department": department,
        "departments": selectors.job_departments(user),
        "can_manage": user.can(Capability.MANAGE_JOBS),
    }
    return render(request, "jobs/job_list.html", context)


@login_required
def job_create(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if not user.can(Capability.MANAGE_JOBS):
        return _forbidden(request, user, Capability.MANAGE_JOBS)
    form = JobForm(request.POST or None, initial={"recruiter": user.pk, "published": True})
    if request.method == "POST" and form.is_valid():
        try:
            job = services.job_create(actor=user, values=form.job_fields())
        except ValidationError as exc:
            apply_job_errors(form, exc)
        else:
            messages.success(request, f"{job.title} is saved as a draft: open it when it is ready.")
            return redirect("job_detail", pk=job.pk)
    return render(request, "jobs/job_form.html", {"form": form, "creating": True, **_vocabulary()})


@login_required
def job_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    job = selectors.job_get(user, pk)
    if not user.can(Capability.MANAGE_JOBS):
        return _forbidden(request, user, Capability.MANAGE_JOBS)
    form = JobForm(request.POST or None, initial=job_initial(job))
    if request.method == "POST" and form.is_valid():
        try:
            services.job_update(actor=user, job=job, values=form.job_fields())
        except ValidationError as exc:
            apply_job_errors(form, exc)
        else:
            messages.success(request, f"{job.title} is saved.")
            return redirect("job_detail", pk=job.pk)
    context = {"form": form, "job": job, "creating": False, **_vocabulary()}
    return render(request, "jobs/job_form.html", context)


@login_required
@require_POST
def job_status(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    job = selectors.job_get(user, pk)
    if not user.can(Capability.MANAGE_JOBS):
        return _forbidden(request, user, Capability.MANAGE_JOBS)
    status = request.POST.get("status", "")
    if status not in JobStatus.values:
        messages.error(request, "Choose one of the statuses offered.")
        return redirect("job_detail", pk=job.pk)
    try:
        job = services.job_set_status(actor=user, job=job, status=status)
    except ValidationError as exc:
        messages.error(request, _say(exc))
    else:
        done = f"{job.title} is {job.get_status_display().lower()}."
        if status == JobStatus.FILLED and job.silver_stage_id:
            done += " Finalists who were not hired are tagged silver-medallist."
        messages.success(request, done)
    return redirect("job_detail", pk=job.pk)


# --- the board --------------------------------------------------------------------------


def _board_context(user: User, job: Job) -> dict[str, Any]:
    """What the board partial needs, in a fixed number of queries."""
    columns = selectors.board(user, job)
    metrics = selectors.job_metrics(job)
    stages = [column.stage for column in columns]
    return {
        "job": job,
        "columns": [
            {
                "stage": column.stage,
                "applications": column.applications,
                "total": column.total,
                "more": column.total - len(column.applications),
                "average": metrics.per_stage.get(column.stage.pk),
            }
            for column in columns
        ],
        "stages": stages,
        "metrics": metrics,
        "can_move": user.can(Capability.MOVE_APPLICATIONS),
        "in_progress": sum(c.total for c in columns if c.stage.kind == StageKind.ACTIVE),
        "hired": sum(c.total for c in columns if c.stage.kind == StageKind.HIRED),
        "everyone": sum(c.total for c in columns),
    }


def _status_actions(job: Job) -> list[tuple[str, str, str]]:
    reopening = job.status in (JobStatus.FILLED, JobStatus.CLOSED, JobStatus.ON_HOLD)
    actions: list[tuple[str, str, str]] = []
    for status in (JobStatus.OPEN, JobStatus.ON_HOLD, JobStatus.FILLED, JobStatus.CLOSED):
        if status in services.STATUS_MOVES.get(job.status, frozenset()):
            label, question = STATUS_ACTIONS[status]
            if status == JobStatus.OPEN and reopening:
                label, question = "Reopen", "Reopen this job? Its pipeline is as it was left."
            actions.append((status, label, question))
    return actions


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    job = selectors.job_get(user, pk)
    if request.GET.get("partial") == "board":
        return render(request, "jobs/_board.html", _board_context(user, job))
    required, nice = selectors.job_skills(job)
    context = {
        **_board_context(user, job),
        **_job_nav(user, job, "board"),
        "required_skills": required,
        "nice_skills": nice,
        "hiring_managers": list(job.hiring_managers.order_by("name", "email")),
        "history": selectors.job_status_history(job),
        "status_actions": _status_actions(job),
        "reasons": RejectionReason.choices,
    }
    return render(request, "jobs/job_detail.html", context)


# --- moves ----------------------------------------------------------------------------------


def _move_refused(request: HttpRequest, message: str, fallback: str) -> HttpResponse:
    if _is_htmx(request):
        return HttpResponse(message, status=422, content_type="text/plain; charset=utf-8")
    messages.error(request, message)
    return _back(request, fallback)


@login_required
@require_POST
def application_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move one application: from a card's form, a drag on the board (which
    gets the board back) or the application page."""
    user = acting_user(request)
    application = selectors.application_get(user, pk)
    job = application.job
    board_url = reverse("job_detail", args=[job.pk])
    if not user.can(Capability.MOVE_APPLICATIONS):
        return _forbidden(request, user, Capability.MOVE_APPLICATIONS)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return _move_refused(request, _form_problem(form), board_url)
    stage = selectors.stage_get(job, form.cleaned_data["stage"])
    if stage is None:
        return _move_refused(
            request,
            f"That stage is not in the pipeline of {job.title}: choose one of its stages.",
            board_url,
        )
    reason = form.cleaned_data["reason"] if stage.kind == StageKind.REJECTED else ""
    if stage.kind == StageKind.REJECTED and not reason and not _is_htmx(request):
        query = urlencode({"stage": stage.pk, "next": request.POST.get("next", board_url)})
        return redirect(f"{reverse('application_reject', args=[application.pk])}?{query}")
    move = services.Move(stage=stage, reason=reason, note=form.cleaned_data["note"])
    try:
        services.application_move(actor=user, application=application, move=move)
    except ValidationError as exc:
        return _move_refused(request, _say(exc), board_url)
    except PermissionDenied:
        return _forbidden(request, user, Capability.MOVE_APPLICATIONS)
    if _is_htmx(request):
        return render(request, "jobs/_board.html", _board_context(user, job))
    messages.success(request, f"{application.candidate.full_name} moved to {stage.name}.")
    return _back(request, board_url)


def _form_problem(form: Form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


@login_required
def application_reject(request: HttpRequest, pk: int) -> HttpResponse:
    """The page that asks why, for a rejection made without JavaScript."""
    user = acting_user(request)
    application = selectors.application_get(user, pk)
    job = application.job
    if not user.can(Capability.MOVE_APPLICATIONS):
        return _forbidden(request, user, Capability.MOVE_APPLICATIONS)
    rejected = [s for s in selectors.stages_of(job) if s.kind == StageKind.REJECTED]
    chosen = selectors.stage_get(job, request.POST.get("stage") or request.GET.get("stage", ""))
    chosen = chosen if chosen in rejected else (rejected[0] if rejected else None)
    nxt = (
        request.POST.get("next") or request.GET.get("next") or reverse("job_detail", args=[job.pk])
    )
    form = MoveForm(request.POST or None, initial={"stage": chosen.pk if chosen else ""})
    if request.method == "POST" and form.is_valid():
        if chosen is None:
            form.add_error(None, f"{job.title} has no Rejected stage.")
        else:
            move = services.Move(chosen, form.cleaned_data["reason"], form.cleaned_data["note"])
            try:
                services.application_move(actor=user, application=application, move=move)
            except ValidationError as exc:
                apply_job_errors(form, exc)
            else:
                messages.success(request, f"{application.candidate.full_name} is rejected.")
                return _back(request, reverse("job_detail", args=[job.pk]))
    context = {
        "application": application,
        "job": job,
        "form": form,
        "rejected": rejected,
        "chosen": chosen,
        "next": nxt if nxt.startswith("/") and not nxt.startswith("//") else "",
    }
    return render(request, "jobs/application_reject.html", context)


# --- the list view -------------------------------------------------------------------------

PAGE_SIZE = 50


@login_required
def job_applications(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    job = selectors.job_get(user, pk)
    stages = selectors.stages_of(job)
    stage = (
        selectors.stage_get(job, request.GET.get("stage", "")) if request.GET.get("stage") else None
    )
    sort = request.GET.get("sort", selectors.DEFAULT_APPLICATION_SORT)
    sort = sort if sort in selectors.APPLICATION_SORTS else selectors.DEFAULT_APPLICATION_SORT
    rows = selectors.job_applications(user, job, stage=stage, sort=sort)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        **_job_nav(user, job, "list"),
        "stages": stages,
        "stage": stage,
        "sort": sort,
        "sorts": [(key, label) for key, (label, _) in selectors.APPLICATION_SORTS.items()],
        "page": page,
        "furthest": {s.position: s.name for s in stages if s.kind == StageKind.ACTIVE},
        "reasons": RejectionReason.choices,
        "can_move": user.can(Capability.MOVE_APPLICATIONS),
    }
    return render(request, "jobs/job_applications.html", context)


@login_required
@require_POST
def job_bulk_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the applications ticked on the list view to one stage."""
    user = acting_user(request)
    job = selectors.job_get(user, pk)
    fallback = reverse("job_applications", args=[job.pk])
    if not user.can(Capability.MOVE_APPLICATIONS):
        return _forbidden(request, user, Capability.MOVE_APPLICATIONS)
    ids = {i for i in (id_or_none(v) for v in request.POST.getlist("ids")) if i is not None}
    chosen = list(selectors.applications_visible(user).filter(job=job, pk__in=ids))
    form = MoveForm(request.POST)
    if not ids:
        messages.error(request, "Tick at least one application first.")
    elif len(chosen) != len(ids):
        messages.error(request, f"Only applications to {job.title} can move from here.")
    elif not form.is_valid():
        messages.error(request, _form_problem(form))
    elif (stage := selectors.stage_get(job, form.cleaned_data["stage"])) is None:
        messages.error(
            request, f"That stage is not in the pipeline of {job.title}: choose one of its stages."
        )
    else:
        reason = form.cleaned_data["reason"] if stage.kind == StageKind.REJECTED else ""
        move = services.Move(stage=stage, reason=reason, note=form.cleaned_data["note"])
        try:
            moved = services.applications_move(actor=user, job=job, applications=chosen, move=move)
        except ValidationError as exc:
            messages.error(request, _say(exc))
        else:
            already = len(chosen) - moved
            note = f" ({already} already there)" if already else ""
            messages.success(request, f"Moved {moved} to {stage.name}{note}.")
    return _back(request, fallback)


# --- an application -------------------------------------------------------------------------


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    application = selectors.application_get(user, pk)
    job = application.job
    history = selectors.application_history(application)
    stages = selectors.stages_of(job)
    time_to_hire = None
    if application.hired_at and history:
        time_to_hire = application.hired_at - history[0].entered_at
    context = {
        "application": application,
        "candidate": application.candidate,
        "job": job,
        "history": history,
        "stages": stages,
        "furthest": next(
            (
                s.name
                for s in stages
                if s.kind == StageKind.ACTIVE and s.position == application.furthest_position
            ),
            "",
        ),
        "time_to_hire": time_to_hire,
        "answers": selectors.application_answers(application),
        "reasons": RejectionReason.choices,
        "can_move": user.can(Capability.MOVE_APPLICATIONS),
    }
    return render(request, "jobs/application_detail.html", context)


# --- a job's pipeline ---------------------------------------------------------------------------


@login_required
def job_stages(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    job = selectors.job_get(user, pk)
    can_manage = user.can(Capability.MANAGE_JOBS)
    if request.method == "POST":
        if not can_manage:
            return _forbidden(request, user, Capability.MANAGE_JOBS)
        try:
            done = _stage_action(request, user, job)
        except ValidationError as exc:
            messages.error(request, _say(exc))
        else:
            messages.success(request, done)
        return redirect("job_stages", pk=job.pk)
    stages = selectors.stages_of(job)
    counts = selectors.stage_totals(job)
    context = {
        **_job_nav(user, job, "stages"),
        "stages": [(s, counts.get(s.pk, 0)) for s in stages],
        "active": [s for s in stages if s.kind == StageKind.ACTIVE],
        "kinds": StageKind.choices,
    }
    return render(request, "jobs/job_stages.html", context)


def _stage_action(request: HttpRequest, user: User, job: Job) -> str:
    action = request.POST.get("action", "")
    if action == "add":
        form = StageAddForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_form_problem(form))
        added = services.stage_add(actor=user, job=job, **form.cleaned_data)
        return f"{added.name} is added to the pipeline."
    if action == "silver":
        silver = selectors.stage_get(job, request.POST.get("stage", ""))
        services.job_set_silver_stage(actor=user, job=job, stage=silver)
        if silver is None:
            return "Filling this job will tag no silver medallists."
        return f"Who reaches {silver.name} and is not hired becomes a silver medallist."
    stage = selectors.stage_get(job, request.POST.get("stage", ""))
    if stage is None:
        raise ValidationError(f"That stage is not in the pipeline of {job.title}.")
    if action == "rename":
        old = stage.name
        services.stage_rename(actor=user, stage=stage, name=request.POST.get("name", ""))
        return f"{old} is now called {stage.name}."
    if action in ("up", "down"):
        services.stage_shift(actor=user, stage=stage, by=-1 if action == "up" else 1)
        return f"{stage.name} moved {action}."
    if action == "delete":
        services.stage_delete(actor=user, stage=stage)
        return f"{stage.name} is removed from the pipeline."
    raise ValidationError("Choose what to do with the stage.")


# --- the default pipeline -------------------------------------------------------------------------


@login_required
def settings_pipeline(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if not user.can(Capability.MANAGE_SETTINGS):
        return _forbidden(request, user, Capability.MANAGE_SETTINGS)
    if request.method == "POST":
        try:
            done = _default_action(request, user)
        except ValidationError as exc:
            messages.error(request, _say(exc))
        except PermissionDenied:
            return _forbidden(request, user, Capability.MANAGE_SETTINGS)
        else:
            messages.success(request, done)
        return redirect("settings_pipeline")
    stages = services.default_stages()
    context = {
        "stages": stages,
        "active": [s for s in stages if s.kind == StageKind.ACTIVE],
        "kinds": StageKind.choices,
    }
    return render(request, "jobs/settings_pipeline.html", context)


def _default_action(request: HttpRequest, user: User) -> str:
    action = request.POST.get("action", "")
    if action == "add":
        form = StageAddForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_form_problem(form))
        added = services.default_stage_add(actor=user, **form.cleaned_data)
        return f"{added.name} is added: jobs made from now on have it."
    stage_id = id_or_none(request.POST.get("stage"))
    stage = DefaultStage.objects.filter(pk=stage_id).first() if stage_id else None
    if action == "silver":
        services.default_stage_set_silver(actor=user, stage=stage)
        if stage is None:
            return "New jobs start without a silver-medal stage."
        return f"New jobs give silver medals from {stage.name}."
    if stage is None:
        raise ValidationError("That stage is not in the default pipeline.")
    if action == "rename":
        old = stage.name
        services.default_stage_rename(actor=user, stage=stage, name=request.POST.get("name", ""))
        return f"{old} is now called {stage.name} for new jobs."
    if action in ("up", "down"):
        services.default_stage_shift(actor=user, stage=stage, by=-1 if action == "up" else 1)
        return f"{stage.name} moved {action}."
    if action == "delete":
        services.default_stage_delete(actor=user, stage=stage)
        return f"{stage.name} is removed from the default pipeline."
    raise ValidationError("Choose what to do with the stage.")


# --- the Jobs card of a candidate -------------------------------------------------------------


def _candidate_jobs_context(user: User, candidate: Any) -> dict[str, Any]:
    can_add = user.can(Capability.ADD_TO_JOBS)
    return {
        "candidate": candidate,
        "applications": selectors.candidate_applications(user, candidate),
        "openings": selectors.jobs_to_add_to(user, candidate) if can_add else [],
        "can_add": can_add,
        "can_move": user.can(Capability.MOVE_APPLICATIONS),
    }


@login_required
def candidate_jobs(request: HttpRequest, pk: int) -> HttpResponse:
    """The Jobs card of a candidate's page (loaded by htmx)."""
    user = acting_user(request)
    candidate = candidate_get(user, pk)
    return render(request, "jobs/_candidate_jobs.html", _candidate_jobs_context(user, candidate))


@login_required
@require_POST
def candidate_job_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Put the candidate in a job's pipeline, in the stage chosen."""
    user = acting_user(request)
    candidate = candidate_get(user, pk)
    if not user.can(Capability.ADD_TO_JOBS):
        return _forbidden(request, user, Capability.ADD_TO_JOBS)
    stage_id = id_or_none(request.POST.get("stage"))
    stage = (
        Stage.objects.filter(pk=stage_id, job__in=selectors.jobs_visible(user))
        .select_related("job")
        .first()
        if stage_id
        else None
    )
    problem = done = ""
    if stage is None:
        problem = "Choose a job and the stage to start in."
    else:
        try:
            services.application_create(
                actor=user, job=stage.job, candidate=candidate, stage=stage, source="sourced"
            )
        except ValidationError as exc:
            problem = _say(exc)
        except PermissionDenied:
            problem = (
                f"Your role ({user.get_role_display()}) may add candidates at the first stage only."
            )
        else:
            done = f"Added to {stage.job.title} in {stage.name}."
    if _is_htmx(request):
        context = {**_candidate_jobs_context(user, candidate), "problem": problem, "done": done}
        return render(request, "jobs/_candidate_jobs.html", context)
    if problem:
        messages.error(request, problem)
    else:
        messages.success(request, done)
    return redirect("candidate_detail", pk=candidate.pk)
