"""A candidate's timeline: the Activity log, newest first, filtered by kind
and by what the user may see."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from rapport.accounts.models import User
from rapport.people.models import Candidate
from rapport.people.services import note_add, tag_add
from tests.api.client import ApiClient, error_at


def kinds(response: object) -> list[str]:
    assert response.status_code == 200, response.content  # type: ignore[attr-defined]
    return [event["kind"] for event in response.json()["results"]]  # type: ignore[attr-defined]


def test_it_shows_the_timeline_newest_first(
    api: ApiClient, candidate: Candidate, owner: User
) -> None:
    note_add(actor=owner, candidate=candidate, body="Called her")
    tag_add(actor=owner, candidates=[candidate], name="backend")

    response = api.get(f"/candidates/{candidate.pk}/timeline")

    assert kinds(response) == ["tag.added", "note.added", "candidate.shared", "candidate.created"]
    events = response.json()["results"]
    times = [event["occurred_at"] for event in events]
    assert times == sorted(times, reverse=True)
    assert events[0]["summary"] == "backend"
    assert events[0]["actor"]["id"] == owner.pk
    assert events[1]["summary"] == "Called her"


def test_it_filters_the_timeline_by_kind(api: ApiClient, candidate: Candidate, owner: User) -> None:
    note_add(actor=owner, candidate=candidate, body="Called her")
    tag_add(actor=owner, candidates=[candidate], name="backend")

    only_notes = api.get(f"/candidates/{candidate.pk}/timeline", kind="note.added")
    two_kinds = api.get(
        f"/candidates/{candidate.pk}/timeline", kind=["note.added", "candidate.created"]
    )

    assert kinds(only_notes) == ["note.added"]
    assert only_notes.json()["count"] == 1
    assert kinds(two_kinds) == ["note.added", "candidate.created"]


def test_it_refuses_an_unknown_kind(api: ApiClient, candidate: Candidate) -> None:
    response = api.get(f"/candidates/{candidate.pk}/timeline", kind="note.eaten")

    assert error_at(response, "query", "kind", 0)["type"] == "enum"


def test_it_pages_through_the_timeline(api: ApiClient, candidate: Candidate, owner: User) -> None:
    for n in range(5):
        note_add(actor=owner, candidate=candidate, body=f"note {n}")

    body = api.get(f"/candidates/{candidate.pk}/timeline", page_size=2, page=2).json()

    assert body["count"] == 7
    assert [event["summary"] for event in body["results"]] == ["note 2", "note 1"]


@pytest.mark.parametrize(
    ("role", "sees"),
    [("owner", True), ("teammate", True), ("admin", True), ("sourcer", False), ("manager", False)],
)
def test_confidential_events_are_kept_from_sourcers_and_managers(
    api_as: Callable[[User], ApiClient],
    cast: dict[str, User],
    candidate: Candidate,
    owner: User,
    role: str,
    sees: bool,
) -> None:
    note_add(actor=owner, candidate=candidate, body="Offer: 120k", confidential=True)

    response = api_as(cast[role]).get(f"/candidates/{candidate.pk}/timeline", kind="note.added")

    assert kinds(response) == (["note.added"] if sees else [])
    assert ("Offer: 120k" in response.content.decode()) is sees
