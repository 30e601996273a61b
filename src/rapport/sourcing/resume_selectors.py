"""Reads of résumés, scoped to the acting user: whoever may see a candidate
may see and download their résumés; nobody else learns they exist."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from rapport.people.selectors import candidates_visible
from rapport.sourcing.models import Resume

if TYPE_CHECKING:
    from rapport.accounts.models import User
    from rapport.people.models import Candidate


def resumes_of(candidate: Candidate) -> QuerySet[Resume]:
    """A candidate's résumés, newest first; the caller fetched the candidate
    through people.selectors.candidate_get, so the user may see them."""
    return (
        Resume.objects.filter(candidate=candidate)
        .select_related("uploaded_by")
        .defer("text")
        .order_by("-created_at", "-id")
    )


def resume_get(user: User, pk: int | str) -> Resume:
    """The résumé, or a 404 for anyone who may not see its candidate (and
    for a résumé that belongs to no candidate yet)."""
    try:
        return Resume.objects.select_related("candidate").get(
            pk=int(pk), candidate__in=candidates_visible(user)
        )
    except (Resume.DoesNotExist, ValueError, TypeError):
        raise Http404("No such résumé.") from None
