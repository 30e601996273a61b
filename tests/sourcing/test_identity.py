"""Exact identity: an email, a phone or a profile URL names one person."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from rapport.core.contacts import canonical_profile_url
from rapport.people.models import Candidate
from rapport.sourcing.identity import Keys, find_exact

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("http://linkedin.com/in/Ana-Souza/", "https://www.linkedin.com/in/ana-souza"),
        (
            "https://br.linkedin.com/in/ana-souza?trk=profile",
            "https://www.linkedin.com/in/ana-souza",
        ),
        ("www.github.com/AnaS", "https://github.com/anas"),
        ("https://example.com/Ana", "https://example.com/Ana"),
    ],
)
def test_profile_urls_have_one_spelling(written: str, canonical: str) -> None:
    assert canonical_profile_url(written) == canonical


def test_each_key_finds_its_candidate_in_four_queries(
    make_candidate: Callable[..., Candidate], django_assert_num_queries: Callable[..., object]
) -> None:
    ana = make_candidate(first_name="Ana", emails=["ana@example.org"], phones=["+5511912345678"],
                         linkedin_url="http://br.linkedin.com/in/Ana-Souza/")  # fmt: skip
    bruno = make_candidate(first_name="Bruno", emails=["bruno@example.org"],
                           github_url="https://github.com/BrunoK")  # fmt: skip
    assert ana.linkedin_url == "https://www.linkedin.com/in/ana-souza"
    people = [
        Keys(emails=["ana@example.org"]),
        Keys(phones=["+5511912345678"]),
        Keys(linkedin="linkedin.com/in/ana-souza"),
        Keys(github="github.com/brunok"),
        Keys(emails=["nobody@example.org"]),
        Keys(emails=["bruno@example.org"], linkedin="https://linkedin.com/in/ana-souza"),
    ]
    with django_assert_num_queries(4):  # type: ignore[operator]
        found = find_exact(people)
    assert [(m.candidate_id, m.by) for m in found] == [
        (ana.pk, "email"), (ana.pk, "phone"), (ana.pk, "linkedin"), (bruno.pk, "github"),
        (None, ""), (bruno.pk, "email"),
    ]  # fmt: skip
    assert found[5].conflicts == (ana.pk,)  # two keys, two people: said, never guessed


def test_a_shared_phone_names_the_person_it_is_primary_for_then_the_oldest(
    make_candidate: Callable[..., Candidate],
) -> None:
    older = make_candidate(first_name="Older", emails=["older@example.org"],
                           phones=["+5511900000001", "+5511912345678"])  # fmt: skip
    primary = make_candidate(first_name="Primary", phones=["+5511912345678"])
    newer = make_candidate(first_name="Newer", phones=["+5511900000001"])
    found = find_exact([Keys(phones=["+5511912345678"]), Keys(phones=["+5511900000001"])])
    # +…678 is Primary's first number and only Older's second one.
    assert [m.candidate_id for m in found] == [primary.pk, older.pk]
    assert newer.pk not in {m.candidate_id for m in found}
