"""How queueing reads a big campaign's audience: once, however many
batches it is written in. Read again from where each batch ended, a pool
filled for the campaign just before its launch was read whole for every
batch on PostgreSQL, whose statistics (taken before the pool was filled:
autovacuum analyses a table only after a tenth of it changed, and may be
off) still saw the pool as small."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rapport.accounts.models import User
from rapport.outreach import services
from rapport.outreach.models import Campaign, Message
from rapport.people.models import Candidate, PoolMembership
from rapport.people.services import pool_create

pytestmark = pytest.mark.django_db

MEMBERS = 3 * services.QUEUE_BATCH


def _launched(owner: User) -> Campaign:
    pool = pool_create(actor=owner, name="Filled for the campaign")
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {PoolMembership._meta.db_table}")  # the pool still empty
    now = timezone.now()
    Candidate.objects.bulk_create(
        [Candidate(first_name=f"P{n}", owner=owner, created_at=now) for n in range(MEMBERS)]
    )
    PoolMembership.objects.bulk_create(
        [PoolMembership(pool=pool, candidate=c) for c in Candidate.objects.filter(owner=owner)]
    )
    template = services.template_create(actor=owner, name="Hi", subject="Hi", body="Hello.")
    campaign = services.campaign_create(actor=owner, name="Big", template=template, pool=pool)
    services.campaign_launch(actor=owner, campaign=campaign)
    campaign.refresh_from_db()
    return campaign


def test_the_pool_is_read_once_for_all_the_batches(owner: User) -> None:
    campaign = _launched(owner)
    with CaptureQueriesContext(connection) as queries:
        assert services.campaign_queue_messages(campaign) == MEMBERS
    table = connection.ops.quote_name(PoolMembership._meta.db_table)
    reads = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT") and f" FROM {table} " in q["sql"]
    ]
    assert len(reads) == 1, reads
    written = Message.objects.filter(campaign=campaign)
    assert written.values("candidate_id").distinct().count() == MEMBERS


def test_a_resumed_queueing_skips_whoever_was_written_and_whoever_left(owner: User) -> None:
    campaign = _launched(owner)
    ids = list(Candidate.objects.filter(owner=owner).order_by("id").values_list("id", flat=True))
    # A first run wrote the first batch before it stopped; two later members
    # were deleted since.
    Campaign.objects.filter(pk=campaign.pk).update(queued_through=ids[services.QUEUE_BATCH - 1])
    Candidate.objects.filter(id__in=ids[-2:]).delete()
    campaign.refresh_from_db()
    assert services.campaign_queue_messages(campaign) == MEMBERS - services.QUEUE_BATCH - 2
    written = set(Message.objects.filter(campaign=campaign).values_list("candidate_id", flat=True))
    assert written == set(ids[services.QUEUE_BATCH : -2])
