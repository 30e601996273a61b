"""A candidate's email addresses and phone numbers."""

from __future__ import annotations

from collections.abc import Callable

from rapport.people.models import Candidate, ContactKind
from tests.api.client import ApiClient, error_at

MakeCandidate = Callable[..., Candidate]


def contacts(api: ApiClient, candidate: Candidate) -> list[tuple[str, str, bool]]:
    rows = api.get(f"/candidates/{candidate.pk}/contacts").json()
    return [(c["kind"], c["value"], c["is_primary"]) for c in rows]


def test_it_lists_a_candidates_contacts_primary_first(api: ApiClient, candidate: Candidate) -> None:
    api.post(f"/candidates/{candidate.pk}/contacts", {"kind": "email", "value": "m@work.example"})

    assert contacts(api, candidate) == [
        ("email", "maria.souza@example.org", True),
        ("phone", "+5511912345678", True),
        ("email", "m@work.example", False),
    ]


def test_it_adds_an_email_normalised_with_its_label(api: ApiClient, candidate: Candidate) -> None:
    response = api.post(
        f"/candidates/{candidate.pk}/contacts",
        {"kind": "email", "value": " Maria@Bluefin.Example ", "label": "work"},
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "email"
    assert body["value"] == "maria@bluefin.example"
    assert body["label"] == "work"
    assert body["is_primary"] is False


def test_a_new_primary_email_takes_over_from_the_old_one(
    api: ApiClient, candidate: Candidate
) -> None:
    response = api.post(
        f"/candidates/{candidate.pk}/contacts",
        {"kind": "email", "value": "new@example.org", "primary": True},
    )

    assert response.json()["is_primary"] is True
    emails = [c for c in contacts(api, candidate) if c[0] == "email"]
    assert emails == [
        ("email", "new@example.org", True),
        ("email", "maria.souza@example.org", False),
    ]
    candidate.refresh_from_db()
    assert candidate.primary_email == "new@example.org"


def test_a_phone_without_a_country_code_is_read_in_the_candidates_country(
    api: ApiClient, candidate: Candidate
) -> None:
    response = api.post(
        f"/candidates/{candidate.pk}/contacts", {"kind": "phone", "value": "(21) 98765-4321"}
    )

    assert response.json()["value"] == "+5521987654321"


def test_it_refuses_an_email_of_another_candidate_and_says_whose(
    api: ApiClient, candidate: Candidate, make_candidate: MakeCandidate
) -> None:
    other = make_candidate(emails=["taken@example.org"])

    response = api.post(
        f"/candidates/{candidate.pk}/contacts", {"kind": "email", "value": "TAKEN@example.org"}
    )

    error = error_at(response, "body", "value")
    assert error["candidate_id"] == other.pk
    assert not candidate.contacts.filter(value="taken@example.org").exists()


def test_it_refuses_an_invalid_phone_naming_the_value(api: ApiClient, candidate: Candidate) -> None:
    response = api.post(f"/candidates/{candidate.pk}/contacts", {"kind": "phone", "value": "123"})

    assert "'123'" in error_at(response, "body", "value")["msg"]


def test_it_refuses_a_kind_that_is_not_email_or_phone(api: ApiClient, candidate: Candidate) -> None:
    response = api.post(f"/candidates/{candidate.pk}/contacts", {"kind": "fax", "value": "1"})

    assert error_at(response, "body", "kind")["type"] == "enum"


def test_removing_the_primary_email_promotes_the_next_one(
    api: ApiClient, candidate: Candidate
) -> None:
    api.post(f"/candidates/{candidate.pk}/contacts", {"kind": "email", "value": "b@example.org"})
    primary = candidate.contacts.get(kind=ContactKind.EMAIL, is_primary=True)

    response = api.delete(f"/candidates/{candidate.pk}/contacts/{primary.pk}")

    assert response.status_code == 204
    assert [c for c in contacts(api, candidate) if c[0] == "email"] == [
        ("email", "b@example.org", True)
    ]


def test_it_makes_a_contact_primary(api: ApiClient, candidate: Candidate) -> None:
    added = api.post(
        f"/candidates/{candidate.pk}/contacts", {"kind": "email", "value": "b@example.org"}
    ).json()

    response = api.post(f"/candidates/{candidate.pk}/contacts/{added['id']}/primary")

    assert response.status_code == 200
    assert response.json()["is_primary"] is True
    emails = [c for c in contacts(api, candidate) if c[0] == "email"]
    assert emails == [("email", "b@example.org", True), ("email", "maria.souza@example.org", False)]


def test_it_returns_404_for_a_contact_under_another_candidates_address(
    api: ApiClient, candidate: Candidate, make_candidate: MakeCandidate
) -> None:
    other = make_candidate()
    contact = other.contacts.get()

    assert api.delete(f"/candidates/{candidate.pk}/contacts/{contact.pk}").status_code == 404
    primary = api.post(f"/candidates/{candidate.pk}/contacts/{contact.pk}/primary")
    assert primary.status_code == 404
    assert other.contacts.filter(pk=contact.pk).exists()
