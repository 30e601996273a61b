"""Notes: Markdown in, sanitised HTML out, confidential ones kept from the
roles that may not see them."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from rapport.accounts.models import User
from rapport.people.models import Candidate, Note
from rapport.people.services import note_add
from tests.api.client import ApiClient, error_at


def test_it_adds_a_note_and_shows_it_rendered(
    api: ApiClient, candidate: Candidate, owner: User
) -> None:
    response = api.post(
        f"/candidates/{candidate.pk}/notes", {"body": "Great call. **Strong** on Django."}
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["body"] == "Great call. **Strong** on Django."
    assert body["body_html"] == "<p>Great call. <strong>Strong</strong> on Django.</p>"
    assert body["confidential"] is False
    assert body["author"] == {"id": owner.pk, "name": "Rita Recruiter", "email": owner.email}


def test_a_script_in_a_note_is_stored_as_written_and_never_rendered(
    api: ApiClient, candidate: Candidate
) -> None:
    text = 'Hi <script>alert("x")</script> <a href="javascript:alert(1)">link</a>'

    api.post(f"/candidates/{candidate.pk}/notes", {"body": text})

    (note,) = api.get(f"/candidates/{candidate.pk}/notes").json()
    assert note["body"] == text
    assert "<script" not in note["body_html"]
    assert "javascript:" not in note["body_html"]
    assert Note.objects.get().body_html == note["body_html"]


def test_it_lists_notes_newest_first(api: ApiClient, candidate: Candidate, owner: User) -> None:
    note_add(actor=owner, candidate=candidate, body="first")
    note_add(actor=owner, candidate=candidate, body="second")

    rows = api.get(f"/candidates/{candidate.pk}/notes").json()

    assert [n["body"] for n in rows] == ["second", "first"]


def test_it_refuses_an_empty_note(api: ApiClient, candidate: Candidate) -> None:
    response = api.post(f"/candidates/{candidate.pk}/notes", {"body": "   "})

    assert "empty" in error_at(response, "body", "body")["msg"]
    assert not Note.objects.exists()


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("owner", True),
        ("teammate", True),
        ("admin", True),
        ("sourcer", False),
        ("manager", False),
    ],
)
def test_confidential_notes_are_shown_only_to_recruiters_and_admins(
    api_as: Callable[[User], ApiClient],
    cast: dict[str, User],
    candidate: Candidate,
    owner: User,
    role: str,
    sees: bool,
) -> None:
    note_add(actor=owner, candidate=candidate, body="Open to moving")
    note_add(actor=owner, candidate=candidate, body="Asks for 120k", confidential=True)

    rows = api_as(cast[role]).get(f"/candidates/{candidate.pk}/notes").json()

    expected = ["Asks for 120k", "Open to moving"] if sees else ["Open to moving"]
    assert [n["body"] for n in rows] == expected


def test_a_sourcer_may_not_write_a_confidential_note(
    api_as: Callable[[User], ApiClient], candidate: Candidate, sourcer: User
) -> None:
    response = api_as(sourcer).post(
        f"/candidates/{candidate.pk}/notes", {"body": "Salary 90k", "confidential": True}
    )

    assert response.status_code == 403
    assert not Note.objects.exists()


def test_a_hiring_manager_may_note_a_shared_candidate(
    api_as: Callable[[User], ApiClient], candidate: Candidate, manager: User
) -> None:
    response = api_as(manager).post(f"/candidates/{candidate.pk}/notes", {"body": "Met her"})

    assert response.status_code == 201
    assert response.json()["author"]["id"] == manager.pk
