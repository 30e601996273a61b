"""What a client sees when the server fails: JSON, never a traceback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from rapport.accounts.models import User
from rapport.people import selectors
from tests.api.client import ApiClient


def test_an_unexpected_error_answers_500_as_json_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, owner: User, token_for: Callable[[User], str]
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(selectors, "candidate_list", broken)
    caller = ApiClient(token_for(owner), Client(raise_request_exception=False))

    response = caller.get("/candidates")

    assert response.status_code == 500
    assert response.json() == {"detail": "Something went wrong on our side; it has been logged."}
    assert b"secret internals" not in response.content


def test_a_body_over_the_upload_limit_is_a_clear_413_not_a_crash(
    api: ApiClient, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api.post("/pools", {"name": "x" * 5000})
    assert response.status_code == 413
    assert "larger than 1,000 bytes" in response.json()["detail"]


def test_a_profile_link_that_is_not_a_url_is_a_field_error(api: ApiClient) -> None:
    response = api.post("/candidates", {"first_name": "Ana", "linkedin_url": "http://["})
    assert response.status_code == 422
    assert any(item["loc"][-1] == "linkedin_url" for item in response.json()["detail"])
