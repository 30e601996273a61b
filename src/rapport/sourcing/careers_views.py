"""The careers site's pages: the public job list, job pages and apply form
(no login), and, for the team, a job's careers-site page (its funnel and
the applications that came through it) and the editor of its apply-form
questions. Thin: the work is in careers.py and careers_selectors.py.

The list and job pages may be indexed by search engines; the apply form
and what follows it are `Cache-Control: private, no-store` and not indexed.
Visits are counted for the funnel only when they are a person's GET: not
HEAD, not an obvious robot, not someone signed in (the team previewing).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from rapport.accounts.auth import client_ip
from rapport.accounts.models import Capability
from rapport.core.errors import PermissionDenied
from rapport.core.http import acting_user
from rapport.jobs.models import FunnelStep, Job, JobQuestion
from rapport.jobs.selectors import job_get
from rapport.people.forms import apply_errors
from rapport.privacy.selectors import notice_current, notice_html
from rapport.sourcing import careers, community
from rapport.sourcing import careers_selectors as selectors
from rapport.sourcing.careers_forms import ApplyForm, FilterForm, QuestionForm

View = Callable[..., HttpResponse]

# Crawlers, link previews and scripts, by what they call themselves. Real
# browsers always send a User-Agent; a request without one is not counted.
ROBOTS = re.compile(
    r"bot|crawl|spider|slurp|archiver|fetch|preview|scan|monitor|pingdom|uptime|lighthouse"
    r"|facebookexternalhit|embedly|whatsapp|curl|wget|httpie|python|java/|go-http|okhttp"
    r"|libwww|axios|node-fetch",
    re.IGNORECASE,
)


def is_robot(user_agent: str) -> bool:
    return not user_agent.strip() or bool(ROBOTS.search(user_agent))


def _countable(request: HttpRequest) -> bool:
    if request.method != "GET" or request.user.is_authenticated:
        return False
    return not is_robot(request.headers.get("User-Agent", ""))


def _public(*, index: bool) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = view(request, *args, **kwargs)
            response.setdefault("Referrer-Policy", "same-origin")
            if index:
                response.setdefault("Cache-Control", "no-cache")
            else:
                response["Cache-Control"] = "private, no-store"
                response["X-Robots-Tag"] = "noindex, nofollow"
            return response

        return wrapped

    return decorate


def _closed(request: HttpRequest, job: Job | None) -> HttpResponse:
    """A role that is not open (410), or one that never was (404)."""
    status = 404 if job is None else 410
    return render(request, "sourcing/careers/closed.html", {"job": job}, status=status)


# --- the public pages


@require_http_methods(["GET", "HEAD"])
@_public(index=True)
def careers_list(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET)
    filters = form.filters()
    context = {"listing": selectors.listing(filters), "filters": filters}
    return render(request, "sourcing/careers/list.html", context)


@require_http_methods(["GET", "HEAD"])
@_public(index=True)
def careers_job(request: HttpRequest, slug: str) -> HttpResponse:
    found = selectors.job_public(slug)
    if found.job is None or found.state != "open":
        return _closed(request, found.job)
    job = found.job
    if _countable(request):
        careers.funnel_count(job=job, step=FunnelStep.VIEWED)
    required, nice = selectors.skills_of(job)
    context = {"job": job, "required": required, "nice": nice}
    return render(request, "sourcing/careers/job.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@_public(index=False)
def careers_apply(request: HttpRequest, slug: str) -> HttpResponse:
    found = selectors.job_public(slug)
    if found.job is None or found.state != "open":
        return _closed(request, found.job)
    job = found.job
    current = notice_current()
    if current is None:
        return render(request, "sourcing/careers/unavailable.html", {"job": job}, status=503)
    questions = selectors.questions_of(job)
    form = ApplyForm(
        request.POST or None, request.FILES or None, questions=questions, current=current
    )
    if request.method == "POST" and form.is_valid():
        if form.robot:
            return _thanks(request, job, form.cleaned_data["first_name"], "")
        try:
            applied = careers.apply(request=_apply_request(request, job, form))
        except careers.JobClosed:
            return _closed(request, job)
        except careers.AlreadyApplied:
            return render(request, "sourcing/careers/already.html", {"job": job})
        except careers.Throttled as exc:
            response = render(request, "sourcing/careers/too_many.html", {"job": job}, status=429)
            response["Retry-After"] = str(exc.seconds)
            return response
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return _thanks(request, job, form.cleaned_data["first_name"], applied.preferences_url)
    elif request.method == "GET" and _countable(request):
        careers.funnel_count(job=job, step=FunnelStep.STARTED)
    context = {
        "job": job,
        "form": form,
        "notice": current,
        "notice_html": notice_html(current.text),
    }
    return render(request, "sourcing/careers/apply.html", context)


def _apply_request(request: HttpRequest, job: Job, form: ApplyForm) -> careers.ApplyRequest:
    data = form.cleaned_data
    return careers.ApplyRequest(
        job=job,
        first_name=data["first_name"],
        last_name=data["last_name"],
        email=data["email"],
        phone=data["phone"],
        city=data["city"],
        linkedin_url=data["linkedin_url"],
        notice=data["notice"],
        resume=data["resume"],
        answers=form.answers(),
        client=community.client_digest(client_ip(request)),
    )


def _thanks(request: HttpRequest, job: Job, first_name: str, preferences_url: str) -> HttpResponse:
    context = {"job": job, "first_name": first_name, "preferences_url": preferences_url}
    return render(request, "sourcing/careers/thanks.html", context)


# --- the team's pages


def _question(job: Job, pk: int) -> JobQuestion:
    found = next((q for q in selectors.questions_of(job) if q.pk == pk), None)
    if found is None:
        raise Http404("No such question.")
    return found


@login_required
@require_http_methods(["GET", "HEAD"])
def job_careers(request: HttpRequest, pk: int) -> HttpResponse:
    """The job on the careers site: its link, its funnel, who applied."""
    user = acting_user(request)
    job = job_get(user, pk)
    context = {
        "job": job,
        "open": careers.is_accepting(job),
        "public_url": settings.BASE_URL + reverse("careers_job", args=[job.slug]),
        "funnel": selectors.funnel(job),
        "applications": selectors.careers_applications(user, job),
        "questions": selectors.questions_of(job),
        "can_manage": user.can(Capability.MANAGE_JOBS),
    }
    return render(request, "sourcing/careers/job_careers.html", context)


def _questions_page(
    request: HttpRequest, job: Job, *, add: QuestionForm | None = None, editing: Any = None
) -> HttpResponse:
    user = acting_user(request)
    questions = selectors.questions_of(job)
    rows = []
    for question in questions:
        if editing is not None and editing.prefix == f"q{question.pk}":
            rows.append((question, editing))
        else:
            rows.append((question, QuestionForm.of(question)))
    context = {
        "job": job,
        "rows": rows,
        "add": add or QuestionForm(initial={"kind": "short"}),
        "open_edit": editing.prefix if editing is not None else "",
        "can_manage": user.can(Capability.MANAGE_JOBS),
        "max_questions": careers.MAX_QUESTIONS,
    }
    return render(request, "sourcing/careers/questions.html", context)


def _refused(request: HttpRequest, job: Job) -> HttpResponse:
    messages.error(request, "Your role may not change this job's apply form.")
    return redirect("job_questions", pk=job.pk)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def job_questions(request: HttpRequest, pk: int) -> HttpResponse:
    """The questions of the job's apply form; POST adds one."""
    user = acting_user(request)
    job = job_get(user, pk)
    if request.method != "POST":
        return _questions_page(request, job)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            question = careers.question_add(actor=user, job=job, values=form.values())
        except PermissionDenied:
            return _refused(request, job)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Added “{question.label}”.")
            return redirect("job_questions", pk=job.pk)
    return _questions_page(request, job, add=form)


@login_required
@require_POST
def job_question_edit(request: HttpRequest, pk: int, question_id: int) -> HttpResponse:
    user = acting_user(request)
    job = job_get(user, pk)
    question = _question(job, question_id)
    form = QuestionForm(request.POST, prefix=f"q{question.pk}")
    if form.is_valid():
        try:
            careers.question_update(actor=user, question=question, values=form.values())
        except PermissionDenied:
            return _refused(request, job)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Saved “{question.label}”.")
            return redirect("job_questions", pk=job.pk)
    return _questions_page(request, job, editing=form)


@login_required
@require_POST
def job_question_delete(request: HttpRequest, pk: int, question_id: int) -> HttpResponse:
    user = acting_user(request)
    job = job_get(user, pk)
    question = _question(job, question_id)
    try:
        careers.question_delete(actor=user, question=question)
    except PermissionDenied:
        return _refused(request, job)
    messages.success(request, f"Removed “{question.label}”. Answers already given are kept.")
    return redirect("job_questions", pk=job.pk)


@login_required
@require_POST
def job_question_move(request: HttpRequest, pk: int, question_id: int) -> HttpResponse:
    user = acting_user(request)
    job = job_get(user, pk)
    question = _question(job, question_id)
    try:
        careers.question_move(
            actor=user, question=question, up=request.POST.get("direction") != "down"
        )
    except PermissionDenied:
        return _refused(request, job)
    return redirect("job_questions", pk=job.pk)
