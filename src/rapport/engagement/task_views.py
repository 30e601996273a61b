"""My tasks: what the signed-in teammate has to do, by when. Thin: tasks
come from task_selectors, changes go through task_services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from rapport.core.errors import PermissionDenied
from rapport.core.http import acting_user
from rapport.engagement import task_selectors as selectors
from rapport.engagement import task_services as services
from rapport.engagement.task_forms import TaskForm
from rapport.people.forms import apply_errors

PAGE_SIZE = 50
VIEW_LABELS = {"open": "Open", "overdue": "Overdue", "today": "Due today", "done": "Done"}


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = TaskForm(request.POST or None, actor=user)
    if request.method == "POST" and form.is_valid():
        try:
            task = services.task_create(
                actor=user,
                assignee=form.cleaned_data["assignee"],
                title=form.cleaned_data["title"],
                notes=form.cleaned_data["notes"],
                due_at=form.due_at(),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Task “{task.title}” added.")
            return redirect("task_list")
    return _list_page(request, form)


def _list_page(request: HttpRequest, form: TaskForm) -> HttpResponse:
    user = acting_user(request)
    view = request.GET.get("view", "open")
    view = view if view in selectors.VIEWS else "open"
    everyone = request.GET.get("who") == "all" and services.may_manage_all(user)
    rows = selectors.task_list(user, view=view, everyone=everyone)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.task_counts(user, everyone=everyone)
    tabs = [(key, label, getattr(counts, key)) for key, label in VIEW_LABELS.items()]
    context = {
        "page": page,
        "view": view,
        "tabs": tabs,
        "everyone": everyone,
        "may_see_all": services.may_manage_all(user),
        "form": form,
        "elsewhere": selectors.waiting_elsewhere(user),
        "now": timezone.now(),
    }
    return render(request, "engagement/tasks/list.html", context)


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("task_list")


@login_required
@require_POST
def task_done(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    task = selectors.task_get(user, pk)
    try:
        services.task_done(actor=user, task=task)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Done: {task.title}.")
    return _back(request)


@login_required
@require_POST
def task_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    task = selectors.task_get(user, pk)
    try:
        services.task_reopen(actor=user, task=task)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Open again: {task.title}.")
    return _back(request)
