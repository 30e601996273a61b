"""The "Find in talent pool" page of a job and its two actions.

Thin: the job comes from `jobs.selectors.job_get` (a 404 for anyone who may
not see it), the ranking and the actions from `jobs.rediscovery`."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from rapport.accounts.models import Capability, User
from rapport.core.errors import PermissionDenied
from rapport.core.http import acting_user, id_or_none
from rapport.jobs import rediscovery
from rapport.jobs.models import Job, Stage, StageKind
from rapport.jobs.rediscovery_forms import EnrolForm, RankingForm
from rapport.jobs.selectors import job_get
from rapport.people.selectors import candidates_visible

# The parameters that make a ranking: what the action forms carry back.
RANKING_KEYS = ("n", "hide", *(f"w_{s.key}" for s in rediscovery.SIGNALS))


def _ranking_query(data: QueryDict) -> str:
    return urlencode([(k, v) for k in RANKING_KEYS for v in data.getlist(k) if v != ""])


def _page(job: Job) -> str:
    return reverse("job_rediscover", args=[job.pk])


@login_required
def job_rediscover(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    job = job_get(user, pk)
    form = RankingForm(request.GET or None)
    ranking = None
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        try:
            ranking = rediscovery.rediscover(
                user,
                job,
                weights=form.weights() if form.is_bound else rediscovery.DEFAULT_WEIGHTS,
                limit=form.limit() if form.is_bound else 50,
                hide_in_pipeline=bool(form.is_bound and form.cleaned_data.get("hide")),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            status = 400
    return render(request, "jobs/rediscovery/rediscover.html", _context(request, user, job, form, ranking), status=status)  # fmt: skip


def _context(
    request: HttpRequest,
    user: User,
    job: Job,
    form: RankingForm,
    ranking: rediscovery.Ranking | None,
) -> dict[str, Any]:
    first = Stage.objects.filter(job=job, kind=StageKind.ACTIVE).order_by("position", "id").first()
    query = _ranking_query(request.GET)
    return {
        "job": job,
        "job_tab": "rediscover",
        "can_manage": user.can(Capability.MANAGE_JOBS),
        "can_add_to_jobs": user.can(Capability.ADD_TO_JOBS),
        "can_enrol": user.can(Capability.MANAGE_OUTREACH),
        "form": form,
        "sliders": [
            (field, form.value_of(s.key))
            for s, field in zip(rediscovery.SIGNALS, form.weight_fields(), strict=True)
        ],
        "ranking": ranking,
        "plan": ranking.plan if ranking else None,
        "first_stage": first.name if first else "",
        "pool_empty": ranking is not None
        and not ranking.rows
        and not candidates_visible(user).exists(),
        "semantic_installed": ranking.semantic.installed if ranking else False,
        "has_sequences": EnrolForm.base_fields["sequence"].queryset.exists(),  # type: ignore[attr-defined]
        "enrol_form": EnrolForm(initial={"top": min(10, len(ranking.rows)) if ranking else 10}),
        "ranking_query": query,
        "hidden": [(k, v) for k in RANKING_KEYS for v in request.GET.getlist(k) if v != ""],
        "defaults_url": _page(job),
        "share_url": request.build_absolute_uri(f"{_page(job)}?{query}" if query else _page(job)),
    }


@login_required
def job_rediscover_count(request: HttpRequest, pk: int) -> HttpResponse:
    """How many candidates the user may see (loaded after the page, so
    counting a large pool never slows the ranking down)."""
    user = acting_user(request)
    job_get(user, pk)
    total = candidates_visible(user).count()
    return render(request, "jobs/rediscovery/_count.html", {"total": total})


def _back(request: HttpRequest, job: Job) -> HttpResponse:
    query = _ranking_query(request.POST)
    return redirect(f"{_page(job)}?{query}" if query else _page(job))


@login_required
@require_POST
def job_rediscover_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Put the ticked candidates in the job's first stage."""
    user = acting_user(request)
    job = job_get(user, pk)
    ids = [i for i in (id_or_none(v) for v in request.POST.getlist("ids")) if i is not None]
    try:
        done = rediscovery.rediscovery_add(actor=user, job=job, candidate_ids=ids)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, f"{exc} Only recruiters, sourcers and admins add to a job.")
    else:
        said = f"Added {done.added} to {done.stage} of {job.title}."
        if done.already:
            said += f" {done.already} {'was' if done.already == 1 else 'were'} in its pipeline already."  # fmt: skip
        messages.success(request, said)
    return _back(request, job)


@login_required
@require_POST
def job_rediscover_enrol(request: HttpRequest, pk: int) -> HttpResponse:
    """Enrol the top of the ranking (as the page showed it) in a sequence."""
    user = acting_user(request)
    job = job_get(user, pk)
    form = EnrolForm(request.POST)
    ranking_form = RankingForm(QueryDict(_ranking_query(request.POST)))
    if not form.is_valid() or not ranking_form.is_valid():
        errors = [str(e) for f in (form, ranking_form) for es in f.errors.values() for e in es]
        messages.error(request, " ".join(errors))
        return _back(request, job)
    top = form.cleaned_data["top"]
    sequence = form.cleaned_data["sequence"]
    try:
        ranking = rediscovery.rediscover(
            user,
            job,
            weights=ranking_form.weights(),
            limit=max(top, ranking_form.limit()),
            hide_in_pipeline=bool(ranking_form.cleaned_data.get("hide")),
        )
        if not ranking.rows:
            raise ValidationError("Nobody is ranked, so nobody was enrolled.")
        done = rediscovery.rediscovery_enrol(
            actor=user, sequence=sequence, rows=ranking.rows, top=min(top, len(ranking.rows))
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, f"{exc} Only those who run outreach enrol in sequences.")
    else:
        said = f"Enrolled {done.enrolled} in {sequence.name}."
        if done.already:
            said += f" {done.already} {'was' if done.already == 1 else 'were'} enrolled before."
        if done.skipped:
            names = "; ".join(f"{name} ({why.lower()})" for name, why in done.skipped)
            said += f" Left out, as they cannot be contacted: {names}."
        messages.success(request, format_html("{}", said))
    return _back(request, job)
