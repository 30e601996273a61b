"""The inbox's tasks. Idempotent, as every task must be (see core.worker):
a second run finds the work done."""

from __future__ import annotations

from django_tasks import task

from rapport.inbox import sms_services


@task()
def sms_deliver(*, sms_id: int) -> str:
    """Hand one queued text to the SMS provider (see sms_services.sms_deliver_now);
    a temporary failure puts it back in the queue for a later run."""
    return sms_services.sms_deliver_now(sms_id)


@task()
def sms_sweep() -> int:
    """Mark texts interrupted while being sent (see sms_services.sms_sweep_interrupted)."""
    return sms_services.sms_sweep_interrupted()
