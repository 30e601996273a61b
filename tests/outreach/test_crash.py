"""The outbox survives its worker being killed: a 10,000-recipient campaign,
the worker killed with SIGKILL at random moments and restarted, and every
recipient still gets the mail. A message can arrive twice only if the kill
fell between the server accepting it and its row saying so; then both copies
carry the same Message-ID. The test prints how many that was."""

from __future__ import annotations

import random
import signal
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from rapport.accounts.models import User
from rapport.outreach import services
from rapport.outreach.models import PENDING, Message, MessageStatus
from rapport.people.models import Candidate, ContactKind, ContactPoint, Pool, PoolMembership
from tests.outreach.conftest import Sink
from tests.workers import WorkerProcess, start_worker, wait_until

__all__ = ["start_worker"]  # a fixture, used by name

RECIPIENTS = 10_000
KILLS = 6


def _audience(owner: User, size: int) -> Pool:
    """Many candidates at once (the people services are tested elsewhere)."""
    now = timezone.now()
    Candidate.objects.bulk_create(
        [
            Candidate(first_name=f"Crash{n}", last_name="Test", owner=owner, created_at=now)
            for n in range(size)
        ],
        batch_size=2000,
    )
    ids = list(
        Candidate.objects.filter(first_name__startswith="Crash").values_list("id", flat=True)
    )
    ContactPoint.objects.bulk_create(
        [
            ContactPoint(
                candidate_id=i,
                kind=ContactKind.EMAIL,
                value=f"crash{i}@example.org",
                is_primary=True,
            )
            for i in ids
        ],
        batch_size=2000,
    )
    pool = Pool.objects.create(name="Crash test", owner=owner)
    PoolMembership.objects.bulk_create(
        [PoolMembership(pool=pool, candidate_id=i) for i in ids], batch_size=2000
    )
    return pool


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_campaign_reaches_everyone_though_its_worker_is_killed_again_and_again(
    owner: User, smtp_sink: Sink, start_worker: Callable[..., WorkerProcess], always_open: Any,
) -> None:  # fmt: skip
    always_open.cap_messages = 0  # no contact limit: one message each, checked below
    always_open.save()
    pool = _audience(owner, RECIPIENTS)
    template = services.template_create(
        actor=owner,
        name="Crash",
        subject="Hello {{ candidate.first_name }}",
        body="One message, once.",
    )
    campaign = services.campaign_create(actor=owner, name="Crash", template=template, pool=pool)
    services.campaign_launch(actor=owner, campaign=campaign)
    campaign.refresh_from_db()
    assert services.campaign_queue_messages(campaign) == RECIPIENTS

    environment = {"RAPPORT_EMAIL_URL": smtp_sink.url, "RAPPORT_OUTBOX_LEASE_SECONDS": "10"}
    rng = random.Random(20261126)
    kills = 0
    while kills < KILLS:
        worker = start_worker(environment=environment)
        time.sleep(rng.uniform(0.8, 2.5))
        if not Message.objects.filter(status__in=PENDING).exists():
            break
        worker.signal(signal.SIGKILL)
        worker.wait(timeout=10)
        kills += 1
    final = start_worker(environment=environment)
    wait_until(
        lambda: not Message.objects.filter(status__in=PENDING).exists(),
        timeout=300,
        failure=lambda: (
            f"{list(Message.objects.filter(status__in=PENDING).values_list('status', 'reason', 'due_at', 'lease_expires_at', 'attempts', 'detail')[:5])} messages still pending. Log:\n{final.output()[-3000:]}"
        ),
    )
    final.signal(signal.SIGTERM)
    final.wait(timeout=60)

    assert kills >= 5, "the campaign finished before the worker could be killed five times"
    assert Message.objects.filter(status=MessageStatus.SENT).count() == RECIPIENTS
    copies: dict[str, list[str]] = defaultdict(list)
    for received in smtp_sink.received:
        copies[received.rcpt_tos[0]].append(received.message["Message-ID"])
    expected = set(Message.objects.values_list("to_email", flat=True))
    assert set(copies) == expected, f"{len(expected - set(copies))} recipients got nothing"
    duplicates = {to: ids for to, ids in copies.items() if len(ids) > 1}
    for to, ids in duplicates.items():
        assert len(set(ids)) == 1, f"{to} got different messages: {ids}"
    extra = sum(Counter(len(ids) for ids in duplicates.values()).elements()) - len(duplicates)
    print(f"\ncrash test: {RECIPIENTS} recipients, worker killed {kills} times, "
          f"{len(smtp_sink.received)} deliveries, {len(duplicates)} recipients got a duplicate "
          f"({extra} extra copies, each with the same Message-ID)")  # fmt: skip
