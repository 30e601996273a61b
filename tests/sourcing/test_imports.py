"""Imports: reading files of every shape, mapping columns, de-duplicating,
reporting, idempotency and resuming after a crash."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from rapport.people.models import Candidate
from rapport.sourcing.similar import Profile, blocking_keys, keys_refresh, score, similar_to

pytestmark = pytest.mark.django_db


# --- possible duplicates -----------------------------------------------------------


def test_people_alike_at_the_same_company_score_high_with_reasons() -> None:
    a = Profile("John", "Smith", company="Acme Corp", city="London")
    b = Profile("Jon", "SMITH", company="ACME  corp", city="Paris")
    result = score(a, b)
    assert result is not None
    value, reasons = result
    assert 85 <= value < 100
    assert reasons[0].startswith("names alike")
    assert reasons[1] == "same company: ACME  corp"
    assert blocking_keys(a) & blocking_keys(b)


def test_namesakes_with_nothing_else_in_common_are_not_compared() -> None:
    a = Profile("John", "Smith", company="Acme", city="London")
    b = Profile("John", "Smith", company="Globex", city="Paris")
    assert score(a, b) is None
    assert not blocking_keys(a) & blocking_keys(b)


def test_swapped_and_accented_names_are_alike() -> None:
    result = score(
        Profile("José", "García", city="Madrid"), Profile("Garcia", "Jose", city="madrid")
    )
    assert result is not None and result[0] == 100


def test_similar_to_finds_lookalikes_best_first(make_candidate: Callable[..., Candidate]) -> None:
    maria = make_candidate(first_name="Maria", last_name="Souza", current_company="Bluefin",
                           city="São Paulo")  # fmt: skip
    twin = make_candidate(first_name="Maria", last_name="Sousa", current_company="Bluefin",
                          city="Sao Paulo")  # fmt: skip
    same = make_candidate(first_name="maria", last_name="souza", city="São Paulo")
    make_candidate(first_name="Mario", last_name="Rossi", current_company="Bluefin")
    make_candidate(first_name="Maria", last_name="Souza", city="Lisbon")
    found = similar_to(maria)
    assert [(c.pk, s) for c, s, _ in found] == [(same.pk, 100.0), (twin.pk, 93.4)]
    assert found[1][2] == [
        "names alike (91%): Maria Souza / Maria Sousa",
        "same company: Bluefin",
        "same city: Sao Paulo",
    ]


def test_similar_to_reads_stored_keys_too(make_candidate: Callable[..., Candidate]) -> None:
    a = make_candidate(first_name="Lena", last_name="Kraus", current_company="Umbrella")
    b = make_candidate(first_name="Lena", last_name="Krauss", current_company="Umbrella")
    top, keyed = keys_refresh()
    assert (top, keyed) == (b.pk, 2)
    assert [c.pk for c, _, _ in similar_to(a)] == [b.pk]
