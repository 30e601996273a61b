"""Who may call the API: a valid Bearer token, or a logged-in browser session
that passes the CSRF check on writes."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from rapport.accounts.models import User
from rapport.accounts.services import token_create, token_revoke
from rapport.people.models import Candidate
from tests.api.client import BASE, ApiClient


def assert_unauthorized(response: object) -> None:
    assert response.status_code == 401  # type: ignore[attr-defined]
    assert response.json()["detail"].startswith("Send a valid API token")  # type: ignore[attr-defined]
    assert response["WWW-Authenticate"].startswith("Bearer")  # type: ignore[index]


def test_it_answers_401_without_a_token(client: Client, candidate: Candidate) -> None:
    assert_unauthorized(client.get(f"{BASE}/candidates"))
    assert_unauthorized(client.post(f"{BASE}/candidates", "{}", content_type="application/json"))


@pytest.mark.parametrize(
    "header",
    [
        "Bearer rpt_not-a-real-token",
        "Bearer nonsense",
        "Bearer ",
        "Basic cml0YTpzZWNyZXQ=",
        "rpt_x",
    ],
)
def test_it_answers_401_for_a_bad_token(client: Client, owner: User, header: str) -> None:
    assert_unauthorized(client.get(f"{BASE}/me", headers={"Authorization": header}))


def test_it_answers_401_for_a_revoked_token(client: Client, owner: User) -> None:
    token, plain = token_create(user=owner, name="laptop")
    headers = {"Authorization": f"Bearer {plain}"}
    assert client.get(f"{BASE}/me", headers=headers).status_code == 200

    token_revoke(token=token)

    assert_unauthorized(client.get(f"{BASE}/me", headers=headers))


def test_it_answers_401_for_the_token_of_a_deactivated_user(
    client: Client, owner: User, token_for: Callable[[User], str]
) -> None:
    plain = token_for(owner)
    owner.is_active = False
    owner.save(update_fields=["is_active"])

    assert_unauthorized(client.get(f"{BASE}/me", headers={"Authorization": f"Bearer {plain}"}))


@pytest.mark.parametrize("role", ["admin", "owner", "sourcer", "manager"])
def test_me_describes_the_user_the_token_belongs_to(
    cast: dict[str, User], api_as: Callable[[User], ApiClient], role: str
) -> None:
    user = cast[role]

    response = api_as(user).get("/me")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == user.pk
    assert body["email"] == user.email
    assert body["name"] == user.name
    assert body["role"] == user.role
    assert ("edit_candidates" in body["capabilities"]) == (role != "manager")


def test_a_logged_in_browser_session_may_read(client: Client, owner: User) -> None:
    client.force_login(owner)

    response = client.get(f"{BASE}/me")

    assert response.status_code == 200
    assert response.json()["email"] == owner.email


def test_a_browser_session_may_not_write_without_the_csrf_token(owner: User) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner)

    response = browser.post(f"{BASE}/pools", '{"name": "Backend"}', content_type="application/json")

    assert response.status_code == 403
    assert response.json() == {"detail": "CSRF check Failed"}


def test_a_browser_session_writes_with_the_csrf_token_the_docs_page_sets(owner: User) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner)
    assert browser.get(f"{BASE}/docs").status_code == 200
    csrf = browser.cookies["csrftoken"].value

    response = browser.post(
        f"{BASE}/pools",
        '{"name": "Backend"}',
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )

    assert response.status_code == 201, response.content
    assert response.json()["name"] == "Backend"


def test_a_token_needs_no_csrf_token(owner: User, token_for: Callable[[User], str]) -> None:
    caller = ApiClient(token_for(owner), Client(enforce_csrf_checks=True))

    response = caller.post("/pools", {"name": "Backend"})

    assert response.status_code == 201
