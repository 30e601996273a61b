"""Looking values up one index probe each, the same on both databases."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from rapport.core.lookup import rows_for_each
from rapport.people.models import Candidate, ContactPoint

pytestmark = pytest.mark.django_db


def test_it_answers_each_value_with_its_rows_in_the_asked_order(
    make_candidate: Callable[..., Candidate],
) -> None:
    ana = make_candidate(first_name="Ana", emails=["ana@example.org"], phones=["+5511912345678"])
    bea = make_candidate(first_name="Bea", phones=["+5511912345678", "+4915112345678"])
    rows = rows_for_each(
        ["+5511912345678", "+4915112345678", "+10000000000", "+5511912345678"],
        table=ContactPoint._meta.db_table,
        column="value",
        select=["candidate_id", "is_primary"],
        where="t.kind = %s",
        params=["phone"],
        order="t.is_primary DESC, t.id",
    )
    by_value: dict[str, list[tuple[int, bool]]] = {}
    for value, candidate_id, primary in rows:
        by_value.setdefault(value, []).append((candidate_id, bool(primary)))
    assert by_value == {
        "+5511912345678": [(ana.pk, True), (bea.pk, True)],
        "+4915112345678": [(bea.pk, False)],
    }  # asked twice, answered once; a value nobody has, not at all


def test_it_looks_up_thousands_of_numbers_in_chunks(
    make_candidate: Callable[..., Candidate],
) -> None:
    ana = make_candidate(first_name="Ana")
    wanted = [ana.pk, *range(10**9, 10**9 + 12_000)]
    rows = rows_for_each(
        wanted, table=Candidate._meta.db_table, column="id", select=["first_name"], kind="bigint"
    )
    assert rows == [(ana.pk, "Ana")]
