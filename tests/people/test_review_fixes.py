"""Holes a review found, kept closed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from rapport.accounts.models import User
from rapport.core.text import slugify_tag
from rapport.people.models import Candidate, CandidateShare, ContactPoint, CustomField
from rapport.people.services import pool_add, pool_create
from tests.conftest import login

MakeCandidate = Callable[..., Candidate]


def test_a_contact_of_another_candidate_cannot_be_removed_through_this_candidates_page(
    client: Client, owner: User, candidate: Candidate, make_candidate: MakeCandidate
) -> None:
    other = make_candidate(first_name="Other")
    theirs = other.contacts.get()
    login(client, owner)
    assert (
        client.post(f"/candidates/{candidate.pk}/contacts/{theirs.pk}/remove/").status_code == 404
    )
    assert (
        client.post(f"/candidates/{candidate.pk}/contacts/{theirs.pk}/primary/").status_code == 404
    )
    assert ContactPoint.objects.filter(pk=theirs.pk).exists()


def test_a_hiring_manager_never_sees_the_teams_pools(
    client: Client, owner: User, manager: User, candidate: Candidate
) -> None:
    pool = pool_create(actor=owner, name="Secret Acquisition")
    pool_add(actor=owner, pool=pool, candidates=[candidate])
    login(client, manager)
    assert "Secret Acquisition" not in client.get(f"/candidates/{candidate.pk}/").content.decode()
    assert "Maria" not in client.get(f"/candidates/?pool={pool.pk}").content.decode()


def test_a_bulk_owner_that_is_no_user_is_refused(
    client: Client, owner: User, candidate: Candidate
) -> None:
    html = (
        login(client, owner)
        .post(
            "/candidates/bulk/",
            {"ids": [candidate.pk], "action": "owner", "owner": "99999"},
            follow=True,
        )
        .content.decode()
    )
    candidate.refresh_from_db()
    assert candidate.owner == owner
    assert "not an active user" in html


def test_a_hiring_manager_cannot_own_candidates(
    client: Client, owner: User, manager: User, candidate: Candidate
) -> None:
    login(client, owner).post(
        "/candidates/bulk/", {"ids": [candidate.pk], "action": "owner", "owner": manager.pk}
    )
    candidate.refresh_from_db()
    assert candidate.owner == owner


def test_nobody_as_owner_on_the_form_means_unassigned(client: Client, owner: User) -> None:
    login(client, owner).post("/candidates/new/", {"first_name": "Nadia", "owner": ""})
    assert Candidate.objects.get(first_name="Nadia").owner is None


def test_ids_too_large_for_the_database_are_ignored(
    client: Client, owner: User, candidate: Candidate
) -> None:
    login(client, owner)
    huge = "9" * 25
    assert client.get(f"/candidates/?pool={huge}&owner={huge}").status_code == 200
    assert (
        client.post("/candidates/bulk/", {"ids": [huge], "action": "tag", "tag": "x"}).status_code
        == 302
    )


@pytest.mark.parametrize("value", ["nan", "inf", "1e400", [1], {"a": 1}])
def test_a_number_field_refuses_what_is_not_a_finite_number(
    make_candidate: MakeCandidate, value: object
) -> None:
    CustomField.objects.create(key="notice", label="Notice", field_type="number")
    with pytest.raises(ValidationError) as caught:
        make_candidate(custom_fields={"notice": value})
    assert "Notice" in caught.value.message_dict["custom_fields"][0]


def test_a_nul_character_is_refused_in_a_name(make_candidate: MakeCandidate) -> None:
    with pytest.raises(ValidationError) as caught:
        make_candidate(first_name="A\x00B")
    assert "NUL" in caught.value.message_dict["first_name"][0]


@pytest.mark.parametrize(
    ("typed", "tag"), [("..", ""), (".net", "net"), ("C#", "c#"), ("a" * 59 + " b", "a" * 59)]
)
def test_tags_have_letters_and_no_dangling_punctuation(typed: str, tag: str) -> None:
    assert slugify_tag(typed) == tag


def test_a_recruiter_is_not_shared_what_they_already_see(
    client: Client, owner: User, teammate: User, candidate: Candidate
) -> None:
    login(client, owner).post(f"/candidates/{candidate.pk}/share/", {"user": teammate.pk})
    assert not CandidateShare.objects.filter(user=teammate).exists()
