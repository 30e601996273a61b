"""A worker with sending processes: every recipient gets the campaign once,
and the processes stop with the worker, even when it is killed."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from typing import Any

import pytest

from rapport.accounts.models import User
from rapport.outreach import services
from rapport.outreach.models import PENDING, Message, MessageStatus
from tests.outreach.conftest import Sink
from tests.outreach.test_crash import _audience
from tests.workers import WorkerProcess, start_worker, wait_until

__all__ = ["start_worker"]  # a fixture, used by name

RECIPIENTS = 400


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as listing:
            found |= {int(child) for child in listing.read().split()}
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sending_processes_send_each_message_once_and_die_with_their_worker(
    owner: User, smtp_sink: Sink, start_worker: Callable[..., WorkerProcess], always_open: Any,
) -> None:  # fmt: skip
    always_open.cap_messages = 0
    always_open.save()
    pool = _audience(owner, RECIPIENTS)
    template = services.template_create(actor=owner, name="Processes", subject="Hi", body="Once.")
    campaign = services.campaign_create(actor=owner, name="Processes", template=template, pool=pool)
    services.campaign_launch(actor=owner, campaign=campaign)
    campaign.refresh_from_db()
    assert services.campaign_queue_messages(campaign) == RECIPIENTS

    worker = start_worker(
        environment={"RAPPORT_EMAIL_URL": smtp_sink.url, "RAPPORT_SENDING_PROCESSES": "2"}
    )
    wait_until(
        lambda: not Message.objects.filter(status__in=PENDING).exists(),
        timeout=120, failure=worker.output,
    )  # fmt: skip
    assert Message.objects.filter(status=MessageStatus.SENT).count() == RECIPIENTS
    recipients = [r.rcpt_tos[0] for r in smtp_sink.received]
    assert sorted(recipients) == sorted(Message.objects.values_list("to_email", flat=True))
    owners = set(Message.objects.values_list("lease_owner", flat=True))
    assert owners == {""}  # every lease given back
    senders = _children(worker.process.pid)
    assert len(senders) >= 2, worker.output()

    worker.signal(signal.SIGKILL)  # no chance to stop them itself
    worker.wait(timeout=10)
    deadline = time.monotonic() + 15
    while any(_alive(pid) for pid in senders) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(_alive(pid) for pid in senders), "sending processes outlived their worker"
