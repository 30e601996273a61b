"""The talent community's tasks. Each may run more than once (see
rapport.core.worker): sending a confirmation twice sends the same email,
and purging twice finds nothing the second time."""

from __future__ import annotations

from django_tasks import task

from rapport.sourcing import community


@task()
def community_confirmation_send(*, signup_id: int, attempt: int = 0) -> str:
    return community.confirmation_deliver(signup_id=signup_id, attempt=attempt)


@task()
def community_signups_purge() -> int:
    return community.signups_purge()
