"""Writing engagement scores."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from rapport.core.models import Activity
from rapport.engagement.scoring import WEIGHTS, Event, score_value
from rapport.people.models import Candidate

BATCH = 2000


def engagement_refresh(
    *, candidate_ids: Sequence[int] | None = None, now: dt.datetime | None = None
) -> int:
    """Recompute the engagement score of these candidates (of everyone when
    None), a batch at a time. Returns how many scores changed. Running it
    twice changes nothing the second time: it is safe to repeat."""
    now = now or timezone.now()
    ids = (
        list(candidate_ids)
        if candidate_ids is not None
        else list(Candidate.objects.order_by("pk").values_list("pk", flat=True))
    )
    changed = 0
    for start in range(0, len(ids), BATCH):
        changed += _refresh_batch(ids[start : start + BATCH], now)
    return changed


def _refresh_batch(ids: list[int], now: dt.datetime) -> int:
    events: dict[int, list[Event]] = defaultdict(list)
    rows = Activity.objects.filter(
        candidate_id__in=ids, kind__in=list(WEIGHTS), automated=False
    ).values_list("candidate_id", "kind", "occurred_at")
    for candidate_id, kind, occurred_at in rows.iterator(chunk_size=5000):
        events[candidate_id].append(Event(kind, occurred_at))
    current = dict(Candidate.objects.filter(pk__in=ids).values_list("pk", "engagement_score"))
    stale = []
    for pk, old in current.items():
        value = score_value(events.get(pk, []), now)
        if abs(value - old) >= 0.05:
            stale.append(Candidate(pk=pk, engagement_score=value))
    with transaction.atomic():
        Candidate.objects.bulk_update(stale, ["engagement_score"], batch_size=500)
    return len(stale)
