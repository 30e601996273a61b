"""Periodic tasks, enqueued by whichever worker notices they are due.

An app registers its periodic tasks when it starts (AppConfig.ready):

    schedule.every(dt.timedelta(hours=24), "rapport.engagement.tasks.engagement_refresh_all")

Every worker's heartbeat calls `tick()`. A task that has never run, or whose
interval has passed since it was last enqueued, is claimed with a
conditional update of its PeriodicRun row and enqueued by the worker whose
update won. Tasks run at least once (see core.worker), so they must be
idempotent, as every task must.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from rapport.core.models import PeriodicRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Periodic:
    interval: dt.timedelta
    task: str  # dotted path of a django-tasks Task


REGISTRY: dict[str, Periodic] = {}


def every(interval: dt.timedelta, task: str) -> None:
    REGISTRY[task] = Periodic(interval, task)


def tick(*, now: dt.datetime | None = None) -> list[str]:
    """Enqueue the periodic tasks that are due; return their paths."""
    now = now or timezone.now()
    enqueued = []
    for name, periodic in REGISTRY.items():
        if _claim(name, periodic.interval, now):
            import_string(periodic.task).enqueue()
            logger.info("Enqueued periodic task %s.", name)
            enqueued.append(name)
    return enqueued


def _claim(name: str, interval: dt.timedelta, now: dt.datetime) -> bool:
    try:
        with transaction.atomic():
            PeriodicRun.objects.get_or_create(name=name)
    except IntegrityError:  # another worker created it at the same moment
        pass
    due = Q(last_enqueued_at__isnull=True) | Q(last_enqueued_at__lte=now - interval)
    return bool(PeriodicRun.objects.filter(due, name=name).update(last_enqueued_at=now))
