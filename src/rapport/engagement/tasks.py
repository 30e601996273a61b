"""Engagement's tasks (idempotent: a second run finds nothing to change)."""

from __future__ import annotations

from django_tasks import task

from rapport.engagement.services import engagement_refresh


@task()
def engagement_refresh_all() -> int:
    """Recompute every score; scores decay with time, so this runs daily."""
    return engagement_refresh()


@task()
def engagement_refresh_some(*, candidate_ids: list[int]) -> int:
    return engagement_refresh(candidate_ids=candidate_ids)
