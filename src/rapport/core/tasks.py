"""Core's tasks. Every task must be idempotent: a task whose worker dies is run
again from the start by another worker (see rapport.core.worker)."""

from __future__ import annotations

import time

from django_tasks import task


@task()
def ping(*, seconds: float = 0, marker: str = "") -> str:
    """Sleep `seconds`, then return `marker`. Checks that workers are running
    tasks (`ping.enqueue(marker="hello")`), and stands in for a long task in
    the worker's tests. Harmless to run twice."""
    time.sleep(seconds)
    return marker
