"""What a client sees when the server fails: JSON, never a traceback."""

from __future__ import annotations

from collections.abc import Callable

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
