"""Pools and their members."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext

from rapport.accounts.models import User
from rapport.core.models import Activity, ActivityKind
from rapport.people.models import Candidate, Pool, PoolMembership
from rapport.people.services import pool_add, pool_create
from tests.api.client import ApiClient, error_at

MakeCandidate = Callable[..., Candidate]


def test_it_creates_a_pool(api: ApiClient, owner: User) -> None:
    response = api.post("/pools", {"name": "  Senior   Backend ", "description": "For Q3"})

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id"] == Pool.objects.get().pk
    assert body["name"] == "Senior Backend"
    assert body["description"] == "For Q3"
    assert body["owner"]["id"] == owner.pk


def test_it_refuses_a_second_pool_with_the_same_name(api: ApiClient) -> None:
    api.post("/pools", {"name": "Backend"})

    response = api.post("/pools", {"name": "backend"})

    assert "already a pool" in error_at(response, "body", "name")["msg"]
    assert Pool.objects.count() == 1


def test_it_lists_pools_by_name_with_their_size(
    api: ApiClient, owner: User, make_candidate: MakeCandidate
) -> None:
    frontend = pool_create(actor=owner, name="Frontend")
    pool_create(actor=owner, name="Backend")
    pool_add(actor=owner, pool=frontend, candidates=[make_candidate(), make_candidate()])

    rows = api.get("/pools").json()

    assert [(p["name"], p["size"]) for p in rows] == [("Backend", 0), ("Frontend", 2)]


def test_it_shows_a_pool(api: ApiClient, owner: User) -> None:
    pool = pool_create(actor=owner, name="Backend", description="Python and Go")

    body = api.get(f"/pools/{pool.pk}").json()

    assert body["name"] == "Backend"
    assert body["description"] == "Python and Go"


def test_renaming_a_pool_keeps_its_description(api: ApiClient, owner: User) -> None:
    pool = pool_create(actor=owner, name="Backend", description="Python and Go")

    response = api.patch(f"/pools/{pool.pk}", {"name": "Platform"})

    assert response.json()["name"] == "Platform"
    assert response.json()["description"] == "Python and Go"
    pool.refresh_from_db()
    assert (pool.name, pool.description) == ("Platform", "Python and Go")


def test_it_adds_members_and_counts_only_the_new_ones(
    api: ApiClient, owner: User, make_candidate: MakeCandidate
) -> None:
    pool = pool_create(actor=owner, name="Backend")
    ana, bruno = make_candidate(), make_candidate()

    first = api.post(f"/pools/{pool.pk}/members", {"candidate_ids": [ana.pk, bruno.pk]})
    again = api.post(f"/pools/{pool.pk}/members", {"candidate_ids": [ana.pk, ana.pk]})

    assert first.json() == {"added": 2}
    assert again.json() == {"added": 0}
    assert set(pool.candidates.all()) == {ana, bruno}
    assert Activity.objects.filter(kind=ActivityKind.POOL_ADDED).count() == 2


def test_it_adds_nobody_when_one_id_is_not_a_candidate_the_user_sees(
    api: ApiClient, owner: User, candidate: Candidate
) -> None:
    pool = pool_create(actor=owner, name="Backend")

    response = api.post(f"/pools/{pool.pk}/members", {"candidate_ids": [candidate.pk, 999999]})

    assert response.status_code == 404
    assert "999999" in response.json()["detail"]
    assert not PoolMembership.objects.exists()


def test_it_refuses_an_empty_list_of_members(api: ApiClient, owner: User) -> None:
    pool = pool_create(actor=owner, name="Backend")

    response = api.post(f"/pools/{pool.pk}/members", {"candidate_ids": []})

    assert error_at(response, "body", "candidate_ids")["type"] == "too_short"


def test_it_lists_members_newest_first_with_their_profiles(
    api: ApiClient, owner: User, make_candidate: MakeCandidate
) -> None:
    pool = pool_create(actor=owner, name="Backend")
    first, second = make_candidate(first_name="First"), make_candidate(first_name="Second")
    pool_add(actor=owner, pool=pool, candidates=[first])
    pool_add(actor=owner, pool=pool, candidates=[second])

    body = api.get(f"/pools/{pool.pk}/members").json()

    assert body["count"] == 2
    assert [m["candidate"]["first_name"] for m in body["results"]] == ["Second", "First"]
    member = body["results"][0]
    assert member["added_by"]["id"] == owner.pk
    assert [e["value"] for e in member["candidate"]["emails"]] == [second.primary_email]
    assert member["candidate"]["pools"] == [{"id": pool.pk, "name": "Backend"}]


def test_the_member_list_costs_the_same_queries_for_5_rows_as_for_30(
    api: ApiClient, owner: User, make_candidate: MakeCandidate
) -> None:
    pool = pool_create(actor=owner, name="Backend")
    pool_add(actor=owner, pool=pool, candidates=[make_candidate(tags=["x"]) for _ in range(30)])
    api.get("/me")

    with CaptureQueriesContext(connection) as five:
        api.get(f"/pools/{pool.pk}/members", page_size=5)
    with CaptureQueriesContext(connection) as thirty:
        response = api.get(f"/pools/{pool.pk}/members", page_size=30)

    assert len(response.json()["results"]) == 30
    assert len(five.captured_queries) == len(thirty.captured_queries)


def test_it_removes_a_member(api: ApiClient, owner: User, candidate: Candidate) -> None:
    pool = pool_create(actor=owner, name="Backend")
    pool_add(actor=owner, pool=pool, candidates=[candidate])

    response = api.delete(f"/pools/{pool.pk}/members/{candidate.pk}")
    again = api.delete(f"/pools/{pool.pk}/members/{candidate.pk}")

    assert response.status_code == 204
    assert again.status_code == 404
    assert not PoolMembership.objects.exists()


def test_a_hiring_manager_sees_no_pools(
    api_as: Callable[[User], ApiClient], owner: User, manager: User, candidate: Candidate
) -> None:
    pool = pool_create(actor=owner, name="Backend")
    pool_add(actor=owner, pool=pool, candidates=[candidate])
    as_manager = api_as(manager)

    assert as_manager.get("/pools").json() == []
    assert as_manager.get(f"/pools/{pool.pk}").status_code == 404
    assert as_manager.get(f"/pools/{pool.pk}/members").status_code == 404
    assert as_manager.post("/pools", {"name": "Mine"}).status_code == 403
