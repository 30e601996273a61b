from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from rapport.core.http import acting_user
from rapport.engagement.scoring import WEIGHTS, Event, score
from rapport.people import selectors


@login_required
def candidate_engagement(request: HttpRequest, pk: int) -> HttpResponse:
    """The engagement panel of a profile (loaded by htmx): the score and what
    made it, from the events this user may see."""
    user = acting_user(request)
    candidate = selectors.candidate_get(user, pk)
    events = (
        selectors.timeline(user, candidate)
        .filter(kind__in=list(WEIGHTS))
        .values_list("kind", "occurred_at", "automated")
    )
    found = score([Event(*row) for row in events], timezone.now())
    return render(request, "engagement/_panel.html", {"score": found})
