"""Every endpoint, called by every member of the cast.

The world: Maria, owned by the owner and shared with the manager, with a
second email, the tag `backend`, and a place in the pool Backend. Reading
what one may not see is a 404, as if it did not exist; doing what one's
role may not do to something one sees is a 403; a refused call changes
nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from rapport.accounts.models import User
from rapport.core.models import Activity
from rapport.people.models import (
    Candidate,
    CandidateTag,
    ContactPoint,
    Note,
    Pool,
    PoolMembership,
)
from rapport.people.services import contact_add, pool_add, pool_create, tag_add
from tests.api.client import BASE, ApiClient

ROLES = ["admin", "owner", "teammate", "sourcer", "manager", "outsider"]


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def who_sees(status: int) -> dict[str, int]:
    """Everyone who sees Maria may; the outsider does not see her."""
    return {**everyone(status), "outsider": 404}


def who_edits(status: int) -> dict[str, int]:
    """Recruiters, sourcers and admins may; the manager sees Maria but may not."""
    return {**who_sees(status), "manager": 403}


def who_creates(status: int) -> dict[str, int]:
    return {**everyone(status), "manager": 403, "outsider": 403}


def who_pools(status: int) -> dict[str, int]:
    """Hiring managers do not see the team's pools at all."""
    return {**everyone(status), "manager": 404, "outsider": 404}


def recruiters(status: int, sourcer: int) -> dict[str, int]:
    return {**who_sees(status), "sourcer": sourcer, "manager": 403}


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    body: dict[str, Any] | None = None

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


C = "/candidates/{candidate}"
CALLS: list[tuple[Call, dict[str, int]]] = [
    (Call("GET", "/candidates"), everyone(200)),
    (Call("POST", "/candidates", {"first_name": "Nova"}), who_creates(201)),
    (Call("GET", C), who_sees(200)),
    (Call("PATCH", C, {"headline": "Changed"}), who_edits(200)),
    (Call("DELETE", C), recruiters(204, sourcer=403)),
    (Call("GET", f"{C}/contacts"), who_sees(200)),
    (Call("POST", f"{C}/contacts", {"kind": "email", "value": "n@example.org"}), who_edits(201)),
    (Call("DELETE", f"{C}/contacts/{{contact}}"), who_edits(204)),
    (Call("POST", f"{C}/contacts/{{contact}}/primary"), who_edits(200)),
    (Call("GET", f"{C}/notes"), who_sees(200)),
    (Call("POST", f"{C}/notes", {"body": "Met her"}), who_sees(201)),
    (
        Call("POST", f"{C}/notes", {"body": "Offer: 120k", "confidential": True}),
        recruiters(201, sourcer=403),
    ),
    (Call("GET", f"{C}/timeline"), who_sees(200)),
    (Call("GET", "/tags"), everyone(200)),
    (Call("POST", f"{C}/tags", {"name": "remote"}), who_edits(200)),
    (Call("DELETE", f"{C}/tags/backend"), who_edits(204)),
    (Call("GET", "/pools"), everyone(200)),
    (Call("POST", "/pools", {"name": "Frontend"}), who_creates(201)),
    (Call("GET", "/pools/{pool}"), who_pools(200)),
    (Call("PATCH", "/pools/{pool}", {"description": "Changed"}), who_pools(200)),
    (Call("GET", "/pools/{pool}/members"), who_pools(200)),
    (Call("POST", "/pools/{pool}/members", {"candidate_ids": ["{candidate}"]}), who_pools(200)),
    (Call("DELETE", "/pools/{pool}/members/{candidate}"), who_pools(204)),
    (Call("GET", "/skills"), everyone(200)),
    (Call("GET", "/me"), everyone(200)),
]


@dataclass
class World:
    candidate: Candidate
    contact: ContactPoint
    pool: Pool

    def path(self, call: Call) -> str:
        ids = {"candidate": self.candidate.pk, "contact": self.contact.pk, "pool": self.pool.pk}
        return call.path.format(**ids)

    def body(self, call: Call) -> dict[str, Any] | None:
        if call.body and call.body.get("candidate_ids"):
            return {"candidate_ids": [self.candidate.pk]}
        return call.body

    def snapshot(self) -> tuple[object, ...]:
        """Everything a call could change."""
        models = [Candidate, ContactPoint, Note, CandidateTag, Pool, PoolMembership, Activity]
        self.candidate.refresh_from_db()
        self.pool.refresh_from_db()
        primary = ContactPoint.objects.filter(is_primary=True).values_list("pk", flat=True)
        return (
            *(model.objects.count() for model in models),
            self.candidate.headline,
            self.pool.description,
            sorted(primary),
        )


@pytest.fixture
def world(cast: dict[str, User], candidate: Candidate, owner: User) -> World:
    contact = contact_add(
        actor=owner, candidate=candidate, kind="email", value="maria@bluefin.example"
    )
    tag_add(actor=owner, candidates=[candidate], name="backend")
    pool = pool_create(actor=owner, name="Backend")
    pool_add(actor=owner, pool=pool, candidates=[candidate])
    return World(candidate=candidate, contact=contact, pool=pool)


def send(api: ApiClient, world: World, call: Call) -> Any:
    path = world.path(call)
    if call.method == "GET":
        return api.get(path)
    if call.method == "DELETE":
        return api.delete(path)
    if call.method == "POST":
        return api.post(path, world.body(call))
    return api.patch(path, world.body(call))


@pytest.mark.parametrize(
    ("call", "role", "status"),
    [
        pytest.param(call, role, statuses[role], id=f"{call} as {role}")
        for call, statuses in CALLS
        for role in ROLES
    ],
)
def test_each_role_gets_what_its_capabilities_allow(
    api_as: Callable[[User], ApiClient],
    cast: dict[str, User],
    world: World,
    call: Call,
    role: str,
    status: int,
) -> None:
    before = world.snapshot()

    response = send(api_as(cast[role]), world, call)

    assert response.status_code == status, response.content
    if status == 404:
        assert response.json() == {"detail": "Not found"}
    if status == 403:
        assert response.json()["detail"].startswith(("Your role", "Only recruiters"))
    if status >= 400:
        assert world.snapshot() == before


@pytest.mark.parametrize("call", [call for call, _ in CALLS], ids=str)
def test_every_endpoint_answers_401_without_credentials(
    client: Client, world: World, call: Call
) -> None:
    before = world.snapshot()

    response = client.generic(
        call.method,
        BASE + world.path(call),
        "{}" if call.method in {"POST", "PATCH"} else "",
        content_type="application/json",
    )

    assert response.status_code == 401
    assert world.snapshot() == before
