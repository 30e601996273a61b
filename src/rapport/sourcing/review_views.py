"""Pages of the duplicate queue: the queue, two records side by side (from
a review, or any two people from a candidate's "Merge with…"), and the
merge history with its undo. Thin: reads come from review_selectors,
changes go through sourcing.merge."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from rapport.accounts.models import Capability, User
from rapport.core.errors import PermissionDenied
from rapport.core.http import acting_user, id_or_none
from rapport.people.models import Candidate
from rapport.people.selectors import candidate_get
from rapport.sourcing import merge as services
from rapport.sourcing import review_selectors as selectors
from rapport.sourcing.models import DuplicateReview, ReviewStatus

PAGE_SIZE = 50


def _may_review(request: HttpRequest, user: User) -> bool:
    if user.can(Capability.EDIT_CANDIDATES):
        return True
    messages.error(request, "Your role may not merge candidates.")
    return False


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if not _may_review(request, user):
        return redirect("candidate_list")
    status = request.GET.get("status", ReviewStatus.OPEN)
    if status not in selectors.STATUSES:
        status = ReviewStatus.OPEN
    job = id_or_none(request.GET.get("job"))
    page = Paginator(selectors.review_list(user, status=status, job=job), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "sourcing/review_queue.html",
        {
            "page": page,
            "status": status,
            "statuses": selectors.STATUSES.items(),
            "counts": selectors.review_counts(user, job=job),
            "job": job,
            "jobs": selectors.review_jobs(user),
        },
    )


@login_required
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A possible duplicate, side by side. The older record is kept unless
    the person chooses the other (`keep`)."""
    user = acting_user(request)
    review = selectors.review_get(user, pk)
    pair = {review.candidate_id: review.candidate, review.other_id: review.other}
    keep = id_or_none(request.POST.get("keep") or request.GET.get("keep"))
    kept = pair.get(keep or review.other_id, review.other)
    merged = review.candidate if kept.pk == review.other_id else review.other
    return _compare(request, user, kept, merged, review)


@login_required
def merge_pick(request: HttpRequest, pk: int) -> HttpResponse:
    """Whom to merge this candidate with: a search, or people who look alike."""
    user = acting_user(request)
    candidate = candidate_get(user, pk)
    if not _may_review(request, user):
        return redirect("candidate_detail", pk=pk)
    q = request.GET.get("q", "").strip()[:200]
    return render(
        request,
        "sourcing/merge_pick.html",
        {
            "candidate": candidate,
            "q": q,
            "partners": selectors.merge_partners(user, candidate, q=q),
        },
    )


@login_required
def merge_compare(request: HttpRequest, pk: int, other: int) -> HttpResponse:
    """Any two people side by side: `pk` is kept, `other` merged into it."""
    user = acting_user(request)
    kept, merged = candidate_get(user, pk), candidate_get(user, other)
    if kept.pk == merged.pk:
        messages.error(request, "Choose someone else: a person cannot be merged with themselves.")
        return redirect("merge_pick", pk=pk)
    return _compare(request, user, kept, merged, selectors.review_between(user, kept.pk, merged.pk))


def _compare(
    request: HttpRequest,
    user: User,
    kept: Candidate,
    merged: Candidate,
    review: DuplicateReview | None,
) -> HttpResponse:
    if not _may_review(request, user):
        return redirect("candidate_detail", pk=kept.pk)
    if request.method == "POST":
        return _merge(request, user, kept, merged, review)
    context: dict[str, Any] = {
        "review": review,
        "kept": kept,
        "merged": merged,
        "comparison": selectors.comparison(user, kept, merged),
        "swap_url": (
            f"{reverse('duplicate_review', args=[review.pk])}?keep={merged.pk}"
            if review is not None
            else reverse("merge_compare", args=[merged.pk, kept.pk])
        ),
    }
    return render(request, "sourcing/review_compare.html", context)


def _merge(
    request: HttpRequest,
    user: User,
    kept: Candidate,
    merged: Candidate,
    review: DuplicateReview | None,
) -> HttpResponse:
    choices = {
        name.removeprefix("pick-"): request.POST.get(name, "")
        for name in request.POST
        if name.startswith("pick-")
    }
    open_review = review if review is not None and review.status == ReviewStatus.OPEN else None
    try:
        merge = services.candidate_merge(
            actor=user, kept=kept, merged=merged, choices=choices, review=open_review
        )
    except (ValidationError, PermissionDenied) as exc:
        text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, f"Nothing was merged: {text}")
        return redirect(request.path)
    messages.success(
        request,
        format_html(
            '{} (#{}) is now part of this record. <a href="{}">Undo</a> from the merge history.',
            merge.merged_name,
            merge.merged_id,
            reverse("merge_history"),
        ),
    )
    return redirect("candidate_detail", pk=kept.pk)


@login_required
@require_POST
def review_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    review = selectors.review_get(user, pk)
    try:
        services.review_dismiss(actor=user, review=review)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(
            request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        )
        return redirect("duplicate_review", pk=pk)
    messages.success(
        request,
        f"{review.candidate.full_name} and {review.other.full_name} stay two people; "
        "this pair will not be proposed again.",
    )
    return redirect("duplicate_reviews")


@login_required
@require_POST
def review_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    review = selectors.review_get(user, pk)
    try:
        services.review_reopen(actor=user, review=review)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(
            request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        )
    else:
        messages.success(request, "Back in the queue.")
    return redirect("duplicate_review", pk=pk)


@login_required
def merge_history(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if not _may_review(request, user):
        return redirect("candidate_list")
    candidate = id_or_none(request.GET.get("candidate"))
    page = Paginator(selectors.merge_history(user, candidate=candidate), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "sourcing/merge_history.html",
        {"page": page, "candidate": candidate, "counts": selectors.review_counts(user)},
    )


@login_required
@require_POST
def merge_undo(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    merge = selectors.merge_get(user, pk)
    try:
        kept, merged = services.merge_undo(actor=user, merge=merge)
    except ValidationError as exc:
        messages.error(request, "Not undone: " + " ".join(exc.messages))
        return redirect("merge_history")
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("merge_history")
    messages.success(
        request,
        format_html(
            '<a href="{}">{}</a> and <a href="{}">{}</a> are two records again.',
            reverse("candidate_detail", args=[kept.pk]),
            kept.full_name,
            reverse("candidate_detail", args=[merged.pk]),
            merged.full_name,
        ),
    )
    return redirect("merge_history")
