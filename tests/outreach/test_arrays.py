"""Arrays passed to PostgreSQL as one literal (policy.array_literal): every
value comes back as it was written, whatever characters it holds."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from rapport.outreach.models import Suppression, SuppressionReason
from rapport.outreach.policy import address_digest, any_of, array_literal

pytestmark = pytest.mark.django_db

AWKWARD = ['a"b', "c\\d", "{x,y}", "NULL", "", "é ü", " spaced ", "it's", 'back\\"slash', "a\nb"]


def _round_trip(statement: str, values: list[object]) -> list[object]:
    with connection.cursor() as cursor:
        cursor.execute(statement, [array_literal(values)])  # type: ignore[arg-type]
        return list(cursor.fetchone()[0])


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's arrays")
def test_text_ids_and_times_come_back_as_they_were() -> None:
    assert _round_trip("SELECT %s::text[]", [*AWKWARD, None]) == [*AWKWARD, None]
    ids = [1, -2, 9_223_372_036_854_775_807, None]
    assert _round_trip("SELECT %s::bigint[]", ids) == ids
    times = [dt.datetime(2026, 3, 29, 1, 30, 0, 123456, tzinfo=dt.UTC),
             dt.datetime(1969, 12, 31, 23, 59, tzinfo=dt.timezone(dt.timedelta(hours=-5)))]  # fmt: skip
    assert _round_trip("SELECT %s::timestamptz[]", times) == times
    assert _round_trip("SELECT %s::text[]", []) == []


def test_any_of_finds_text_with_any_characters() -> None:
    digests = [address_digest(f"{n}@example.org") for n in range(3)]
    for digest in digests:
        Suppression.objects.create(digest=digest, reason=SuppressionReason.MANUAL)
    wanted = [digests[0], digests[2], *AWKWARD]
    found = Suppression.objects.filter(digest__in=any_of(wanted, kind="text"))
    assert sorted(found.values_list("digest", flat=True)) == sorted([digests[0], digests[2]])


def test_values_it_cannot_write_are_refused() -> None:
    with pytest.raises(TypeError, match="not booleans"):
        array_literal([True])
    with pytest.raises(TypeError, match="cannot write a float"):
        array_literal([1.5])  # type: ignore[list-item]
