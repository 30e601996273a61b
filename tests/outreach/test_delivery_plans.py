"""How PostgreSQL reads the outbox while a big campaign goes out, when its
statistics were last taken before the campaign started sending (autovacuum
analyses a table only after a tenth of it changed, and may be off)."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from rapport.accounts.models import User
from rapport.outreach import delivery, services
from rapport.outreach.models import Message, MessageKind, MessageStatus, UnrecordedSend
from rapport.people.models import Candidate

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's planner"),
]

MESSAGES = 3000


def _queued_outbox(owner: User, candidate: Candidate) -> list[int]:
    """Many queued messages, copies of one personal email."""
    first = services.email_send(actor=owner, candidate=candidate, subject="Hi", body="Hello.")
    copies = []
    for n in range(MESSAGES - 1):
        message = copy.copy(first)
        message.pk = None
        message.key = f"{first.key}-{n}"
        message.message_id = f"<{n}.{first.message_id.strip('<>')}>"
        copies.append(message)
    Message.objects.bulk_create(copies, batch_size=1000)
    return list(Message.objects.order_by("id").values_list("id", flat=True))


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def test_recording_a_batch_reads_its_messages_by_id_however_stale_the_statistics(
    owner: User, candidate: Candidate
) -> None:
    ids = _queued_outbox(owner, candidate)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Message._meta.db_table}")  # every message still queued
    # Most of the campaign goes out; the statistics still say "sent" is rare.
    Message.objects.filter(id__in=ids[:-200]).update(status=MessageStatus.SENT)
    batch = ids[-400:-200]
    UnrecordedSend.objects.bulk_create([UnrecordedSend(message_id=pk) for pk in batch])

    with CaptureQueriesContext(connection) as queries:
        assert delivery.sends_record(batch) == 200
    table = connection.ops.quote_name(Message._meta.db_table)
    reads = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT") and re.search(f" FROM {re.escape(table)} ", q["sql"])
    ]
    assert reads, "the batch's messages were not read"
    for sql in reads:
        plan = _plan(sql)
        # Found by id, not by every sent message of the campaign read
        # through the index that has the status and matched to the batch.
        assert "message_campaign_idx" not in plan, plan
        assert "status" not in plan, plan


def _scan_rows(plan: dict[str, Any]) -> int:
    """Rows the plan's scans of the outbox handed on, kept or not."""
    rows = 0
    if plan.get("Relation Name") == Message._meta.db_table:
        rows += plan["Actual Rows"] * plan.get("Actual Loops", 1)
    return rows + sum(_scan_rows(child) for child in plan.get("Plans", []))


def test_a_claim_starts_where_the_last_one_ended_not_at_every_message_claimed_before(
    owner: User, candidate: Candidate
) -> None:
    ids = _queued_outbox(owner, candidate)
    table = connection.ops.quote_name(Message._meta.db_table)
    with connection.cursor() as cursor:
        # A campaign's messages, due a second apart; statistics taken while
        # every one was still queued.
        cursor.execute(
            f"UPDATE {table} SET kind = %s, due_at = now() - interval '1 day' "  # noqa: S608
            "+ id * interval '1 second'",
            [MessageKind.NURTURE],
        )
        cursor.execute(f"ANALYZE {table}")
    # Claims take most of the outbox; each claimed message leaves its entry in
    # the queued messages' index until a vacuum.
    while len(taken := delivery.claim(owner="w/0")) == delivery.BATCH and taken[-1].pk < ids[-400]:
        Message.objects.filter(id__in=[m.pk for m in taken]).update(status=MessageStatus.SENT)

    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        assert len(delivery.claim(owner="w/0")) == delivery.BATCH
        transaction.set_rollback(True)  # to replay it on the outbox it found
    # Replayed as the claim ran them, with the settings it made on the way.
    plans = []
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in [q["sql"] for q in queries.captured_queries]:
            if sql.startswith("SET "):
                cursor.execute(sql)
            elif "due_at <=" in sql and "kind =" not in sql:  # not personal mail's
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}")
                found = cursor.fetchone()[0]
                plans += json.loads(found) if isinstance(found, str) else found
        transaction.set_rollback(True)
    assert plans
    # The batch's 200, read in the index's order: not the whole rest of the
    # queue gathered and sorted...
    assert sum(_scan_rows(p["Plan"]) for p in plans) == delivery.BATCH
    # ...nor the 2,600 claimed before them stepped over: about a buffer for
    # each message locked, against 533 from the start of the index.
    read = sum(p["Plan"]["Shared Hit Blocks"] + p["Plan"]["Shared Read Blocks"] for p in plans)
    assert read < 2 * delivery.BATCH, read
