"""/search and /segments: the query language and saved searches over the API."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from rapport.accounts.models import User
from rapport.people.models import Candidate
from rapport.people.services import note_add
from rapport.search.services import segment_create
from tests.api.client import ApiClient

MakeCandidate = Callable[..., Candidate]
Api = Callable[[User], ApiClient]


@pytest.fixture
def people(make_candidate: MakeCandidate, owner: User, candidate: Candidate) -> None:
    """Maria (the shared candidate, Python/Django/PostgreSQL in São Paulo), and two more."""
    make_candidate(first_name="Lucía", skills=["Kubernetes", "Go"], country="ES", city="Madrid")
    make_candidate(first_name="Tom", skills=["Java"], country="GB", current_title="Engineer")
    note_add(actor=owner, candidate=candidate, body="Asked for 95k", confidential=True)


def names(body: dict[str, object]) -> set[str]:
    return {row["first_name"] for row in body["results"]}  # type: ignore[attr-defined,index]


def test_search_answers_the_query_language(people: None, api: ApiClient) -> None:
    body = api.get("/search", q='skill:(go OR python) -city:"sao paulo"').json()
    assert names(body) == {"Lucía"}
    assert body["count"] == 1 and body["warnings"] == []
    assert names(api.get("/search", q="k8s").json()) == {"Lucía"}
    assert names(api.get("/search").json()) == {"Maria", "Lucía", "Tom"}


def test_a_query_that_cannot_run_answers_422_pointing_at_the_mistake(
    people: None, api: ApiClient
) -> None:
    response = api.get("/search", q="python skil:go")
    assert response.status_code == 422
    [item] = response.json()["detail"]
    assert item["loc"] == ["query", "q"] and item["type"] == "query_error"
    assert item["msg"].startswith("There is no field called skil:. Did you mean skill:?")
    assert (item["position"], item["length"]) == (7, 5)


def test_warnings_come_with_the_answer(people: None, api: ApiClient) -> None:
    body = api.get("/search", q="skill:pythn").json()
    assert body["count"] == 0
    assert body["warnings"] == ["No skill is called “pythn”. Did you mean skill:Python?"]


def test_search_keeps_each_users_scope(
    people: None, api_as: Api, sourcer: User, manager: User, outsider: User
) -> None:
    assert names(api_as(sourcer).get("/search", q="95k").json()) == set()
    assert names(api_as(manager).get("/search").json()) == {"Maria"}
    assert names(api_as(outsider).get("/search", q="python").json()) == set()


def test_the_list_endpoint_reads_the_same_language(people: None, api: ApiClient) -> None:
    assert names(api.get("/candidates", q="country:ES").json()) == {"Lucía"}
    assert api.get("/candidates", q="years:lots").status_code == 422


def test_segments_are_created_listed_changed_and_deleted(people: None, api: ApiClient) -> None:
    created = api.post("/segments", {"name": "Gophers", "query": "skill:go", "shared": True})
    assert created.status_code == 201
    segment = created.json()
    assert segment["name"] == "Gophers" and segment["shared"] is True
    assert [s["name"] for s in api.get("/segments").json()] == ["Gophers"]
    members = api.get(f"/segments/{segment['id']}/members").json()
    assert names(members) == {"Lucía"} and members["count"] == 1

    changed = api.patch(f"/segments/{segment['id']}", {"query": "skill:java"}).json()
    assert changed["query"] == "skill:java" and changed["name"] == "Gophers"
    assert names(api.get(f"/segments/{segment['id']}/members").json()) == {"Tom"}
    assert names(api.get("/search", q="segment:gophers OR country:ES").json()) == {"Tom", "Lucía"}

    assert api.delete(f"/segments/{segment['id']}").status_code == 204
    assert api.get(f"/segments/{segment['id']}").status_code == 404


def test_a_segment_with_a_broken_query_or_a_taken_name_is_refused(
    people: None, api: ApiClient, owner: User
) -> None:
    segment_create(actor=owner, name="Gophers", query="skill:go")
    taken = api.post("/segments", {"name": "gophers", "query": "go"}).json()["detail"]
    assert taken == [
        {
            "loc": ["body", "name"],
            "msg": "There is already a segment called “gophers”.",
            "type": "value_error",
        }
    ]
    broken = api.post("/segments", {"name": "Loop", "query": "go segment:loop"})
    assert broken.status_code == 422
    [item] = broken.json()["detail"]
    assert item["loc"] == ["body", "query"]
    assert "segment:loop refers to itself" in item["msg"]


def test_only_the_owner_or_an_admin_changes_a_shared_segment(
    people: None, api_as: Api, owner: User, teammate: User, admin: User
) -> None:
    segment = segment_create(actor=owner, name="Gophers", query="skill:go", shared=True)
    refused = api_as(teammate).patch(f"/segments/{segment.pk}", {"query": "java"})
    assert refused.status_code == 403
    assert "Only Rita Recruiter (who made it) or an admin" in refused.json()["detail"]
    assert names(api_as(teammate).get(f"/segments/{segment.pk}/members").json()) == {"Lucía"}
    assert api_as(admin).patch(f"/segments/{segment.pk}", {"shared": False}).status_code == 200
    assert api_as(teammate).get(f"/segments/{segment.pk}").status_code == 404


def test_private_segments_and_hiring_managers(
    people: None, api_as: Api, owner: User, teammate: User, manager: User
) -> None:
    private = segment_create(actor=owner, name="Mine", query="python")
    assert api_as(teammate).get(f"/segments/{private.pk}").status_code == 404
    assert api_as(teammate).get("/segments").json() == []
    assert api_as(manager).get("/segments").json() == []
    refused = api_as(manager).post("/segments", {"name": "X", "query": "python"})
    assert refused.status_code == 403
