from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from rapport.accounts.models import Capability, Role, User
from rapport.core.errors import PermissionDenied
from rapport.core.http import acting_user, id_or_none
from rapport.core.text import fold
from rapport.people import selectors as people
from rapport.people.forms import apply_errors
from rapport.search import bulk, selectors, services
from rapport.search.builder import build_query, quote
from rapport.search.facets import chips, facets, narrowed, suggestions
from rapport.search.forms import BuilderForm, SegmentForm
from rapport.search.models import BulkAction, BulkJob, BulkStatus, Segment
from rapport.search.query import QueryError
from rapport.search.selectors import SORTS, candidate_search

PAGE_SIZE = 50


@login_required
def candidate_list(request: HttpRequest) -> HttpResponse:
    """The talent pool: the search box (the query language), filters, sort,
    one page of matches."""
    user = acting_user(request)
    return _results(request, user, request.GET.get("q", "").strip())


@login_required
def segment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A segment's members: the search page, with the segment's query."""
    user = acting_user(request)
    segment = selectors.segment_get(user, pk)
    return _results(request, user, segment.query, segment=segment)


def _results(
    request: HttpRequest, user: User, query: str, *, segment: Segment | None = None
) -> HttpResponse:
    sort = request.GET.get("sort", "relevance")
    if sort not in SORTS:
        sort = "relevance"
    tag = request.GET.get("tag", "")
    pool = id_or_none(request.GET.get("pool"))
    owner = id_or_none(request.GET.get("owner"))
    context: dict[str, Any] = {
        "query": query,
        "segment": segment,
        "sort": sort,
        "tag": tag,
        "pool_filter": pool,
        "owner_filter": owner,
        "pools": people.pools_visible(user).only("pk", "name"),
        "owners": User.objects.filter(
            role__in=[Role.ADMIN, Role.RECRUITER, Role.SOURCER], is_active=True
        ),
        "filtered": bool(query or tag or pool or owner),
        "tag_names": people.tags_visible(user).values_list("name", flat=True),
        "can_save_segments": user.can(Capability.SAVE_SEGMENTS),
        "detail_base": reverse("candidate_list"),  # rows link to detail_base + id + "/"
    }
    try:
        search = candidate_search(user, query=query, sort=sort, tag=tag, pool=pool, owner=owner)
    except QueryError as exc:
        context |= {
            "error": exc,
            "error_before": query[: exc.position],
            "error_at": query[exc.position : exc.position + exc.length] or " ",
            "error_after": query[exc.position + exc.length :],
        }
        return render(request, "search/candidate_list.html", context, status=400)
    page = Paginator(search.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    people.attach_shown(user, page.object_list, contacts=False, pools=False, skills_by_level=True)
    _matched_skills_first(page.object_list, search.compiled.highlights)
    context |= {
        "page": page,
        "bulk_query": _with_filters(query, context),
        "can_act_on_all": user.can(Capability.SEE_ALL_CANDIDATES),
        "warnings": search.compiled.warnings,
        "highlights": search.compiled.highlights,
        "chips": [] if segment else chips(query),
    }
    return render(request, "search/candidate_list.html", context)


@login_required
def candidate_suggest(request: HttpRequest) -> JsonResponse:
    """Completions for the word being typed in the search box."""
    token = request.GET.get("token", "")[:100]
    return JsonResponse({"suggestions": suggestions(acting_user(request), token)})


@login_required
def candidate_facets(request: HttpRequest) -> HttpResponse:
    """How the matches of a search spread (loaded after the page by htmx, so
    counting them never slows the list down)."""
    user = acting_user(request)
    query = request.GET.get("q", "").strip()
    segment_id = id_or_none(request.GET.get("segment"))
    segment = selectors.segment_get(user, segment_id) if segment_id else None
    try:
        search = candidate_search(
            user,
            query=segment.query if segment else query,
            tag=request.GET.get("tag", ""),
            pool=id_or_none(request.GET.get("pool")),
            owner=id_or_none(request.GET.get("owner")),
        )
    except QueryError:
        return HttpResponse("")
    groups = [
        (facet, [(value, narrowed(query, value.term)) for value in facet.values])
        for facet in facets(user, search.rows)
    ]
    return render(
        request,
        "search/_facets.html",
        {"groups": groups, "query": query, "segment": segment, "terms": query.split()},
    )


def _with_filters(query: str, context: dict[str, Any]) -> str:
    """The query with the page's simple filters written into it, so that an
    action on all matches acts on what the page lists."""
    terms = [query] if query else []
    if context["tag"]:
        terms.append(f"tag:{quote(context['tag'])}")
    pool = next((p for p in context["pools"] if p.pk == context["pool_filter"]), None)
    if pool is not None:
        terms.append(f"pool:{quote(pool.name)}")
    owner = next((o for o in context["owners"] if o.pk == context["owner_filter"]), None)
    if owner is not None:
        terms.append(f"owner:{owner.email}")
    return " ".join(terms)


def _matched_skills_first(rows: Any, highlights: list[str]) -> None:
    """A row shows its first skills: put those the search asked for first."""
    wanted = {fold(h) for h in highlights}
    if wanted:
        for candidate in rows:
            candidate.shown.skills.sort(key=lambda skill: fold(skill.name) not in wanted)


# --- segments


@login_required
def segment_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if not user.can(Capability.SEE_ALL_CANDIDATES):
        return render(request, "web/404.html", status=404)
    return render(
        request,
        "search/segment_list.html",
        {
            "segments": selectors.segment_list(user),
            "can_save_segments": user.can(Capability.SAVE_SEGMENTS),
        },
    )


@login_required
def segment_count(request: HttpRequest, pk: int) -> HttpResponse:
    """How many are in the segment now (loaded into the list by htmx)."""
    user = acting_user(request)
    segment = selectors.segment_get(user, pk)
    try:
        count = selectors.segment_members(user, segment).rows.count()
    except QueryError as exc:
        return render(request, "search/_segment_count.html", {"error": exc.message})
    return render(request, "search/_segment_count.html", {"count": count})


@login_required
def segment_create(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if not user.can(Capability.SAVE_SEGMENTS):
        messages.error(request, f"Your role ({user.get_role_display()}) may not save segments.")
        return redirect("candidate_list")
    initial = {"query": request.GET.get("q", "").strip()}
    return _segment_form(request, user, None, initial)


@login_required
def segment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    segment = selectors.segment_get(user, pk)
    initial = {
        "name": segment.name,
        "query": segment.query,
        "description": segment.description,
        "shared": segment.shared,
    }
    return _segment_form(request, user, segment, initial)


def _segment_form(
    request: HttpRequest, user: User, segment: Segment | None, initial: dict[str, Any]
) -> HttpResponse:
    pools = list(people.pools_visible(user).values_list("name", flat=True))
    builder = BuilderForm(request.GET if "build" in request.GET else None, pools=pools)
    if builder.is_bound and builder.is_valid():
        initial |= {
            "query": build_query(builder.built()),
            "name": request.GET.get("name", initial.get("name", "")),
        }
    form = SegmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = _save(user, segment, form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Segment “{saved.name}” saved.")
            return redirect("segment_detail", pk=saved.pk)
    context = {"form": form, "builder": builder, "segment": segment}
    return render(request, "search/segment_form.html", context)


def _save(user: User, segment: Segment | None, data: dict[str, Any]) -> Segment:
    if segment is None:
        return services.segment_create(actor=user, **data)
    return services.segment_update(actor=user, segment=segment, **data)


@login_required
@require_POST
def segment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    segment = selectors.segment_get(user, pk)
    try:
        services.segment_delete(actor=user, segment=segment)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("segment_detail", pk=pk)
    messages.success(request, f"Segment “{segment.name}” deleted.")
    return redirect("segment_list")


# --- bulk actions over all matches


@login_required
@require_POST
def bulk_create(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    query = request.POST.get("q", "").strip()
    params = {key: request.POST.get(key, "") for key in ("tag", "pool", "owner")}
    back = f"{reverse('candidate_list')}?{urlencode({'q': query})}"
    try:
        job = bulk.bulk_start(
            actor=user, query=query, action=request.POST.get("action", ""), params=params
        )
    except (ValidationError, PermissionDenied, QueryError) as exc:
        messages.error(request, _reason(exc))
        return redirect(back)
    if job.finished and job.action != BulkAction.EXPORT:
        if job.status == BulkStatus.FAILED:
            messages.error(request, job.error)
        else:
            messages.success(request, _summary(job))
        return redirect(back)
    return redirect("bulk_detail", pk=job.pk)


def _reason(exc: Exception) -> str:
    if isinstance(exc, QueryError):
        return f"The search cannot run: {exc.message}"
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def _summary(job: BulkJob) -> str:
    return f"{job.get_action_display()}: {job.changed:,} changed of {job.total:,} matches."


def _job(request: HttpRequest, pk: int) -> BulkJob:
    """A job is its starter's alone."""
    return get_object_or_404(BulkJob, pk=pk, user=acting_user(request))


@login_required
def bulk_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    return render(request, "search/bulk_detail.html", {"job": job, "summary": _summary(job)})


@login_required
def bulk_progress(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    return render(request, "search/_bulk_progress.html", {"job": job, "summary": _summary(job)})


@login_required
def bulk_download(request: HttpRequest, pk: int) -> FileResponse:
    job = _job(request, pk)
    path = bulk.export_path(job)
    if job.action != BulkAction.EXPORT or job.status != BulkStatus.DONE or not path.exists():
        raise Http404("No such export.")
    stamp = job.created_at.strftime("%Y-%m-%d")
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"candidates-{stamp}-{job.pk}.csv",
        content_type="text/csv; charset=utf-8",
    )
