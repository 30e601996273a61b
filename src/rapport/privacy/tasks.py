"""The privacy app's background work (idempotent, like every task)."""

from __future__ import annotations

from django_tasks import task

from rapport.privacy import retention


@task()
def retention_apply() -> int:
    """Erase the candidates the retention rule says are due, when it is on."""
    return retention.retention_apply()
