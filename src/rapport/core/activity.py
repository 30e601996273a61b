"""Writing to the Activity log: the one function services call."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

from rapport.core.models import Activity

if TYPE_CHECKING:
    from rapport.accounts.models import User


def activity_record(
    *,
    kind: str,
    candidate: models.Model | None,
    actor: User | None,
    summary: str = "",
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
    confidential: bool = False,
    automated: bool = False,
) -> Activity:
    """Append one event. Call it inside the service's transaction."""
    return Activity.objects.create(
        kind=kind,
        candidate_id=candidate.pk if candidate is not None else None,
        actor=actor if actor is not None and actor.pk else None,
        summary=summary[:300],
        target_type=target._meta.model_name or "" if target is not None else "",
        target_id=target.pk if target is not None else None,
        data=data or {},
        confidential=confidential,
        automated=automated,
    )
