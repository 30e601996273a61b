"""PostgreSQL's `timestamptz` values read through psycopg's own loader are
the values Django's loader gave: the same instant, in UTC."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from rapport.core.models import Activity, ActivityKind
from rapport.core.pgtime import QuickTimestamptzLoader

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's loader"),
]


def test_a_connection_reads_timestamps_with_the_quick_loader() -> None:
    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(1184, 0)  # timestamptz, as text
    assert loader is QuickTimestamptzLoader


@pytest.mark.parametrize(
    "written",
    [
        dt.datetime(2026, 11, 27, 10, 55, 1, 123456, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 29, 2, 30, 0, 1, tzinfo=ZoneInfo("Europe/Lisbon")),
        dt.datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=ZoneInfo("America/Sao_Paulo")),
        dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.UTC),
    ],
)
def test_a_timestamp_reads_back_as_the_same_instant_in_utc(written: dt.datetime) -> None:
    activity = Activity.objects.create(kind=ActivityKind.NOTE_ADDED, occurred_at=written)
    read = Activity.objects.values_list("occurred_at", flat=True).get(pk=activity.pk)
    assert read == written
    assert read.tzinfo is dt.UTC
    with connection.cursor() as cursor:  # Django's cursor, as the raw SQL of the app uses
        cursor.execute("SELECT occurred_at, NULL::timestamptz FROM core_activity WHERE id = %s",
                       [activity.pk])  # fmt: skip
        assert cursor.fetchone() == (written.astimezone(dt.UTC), None)
