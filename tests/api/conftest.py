"""An API client for each member of the cast, authenticated with a real token."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from rapport.accounts.models import User
from tests.api.client import ApiClient


@pytest.fixture
def api_as(token_for: Callable[[User], str]) -> Callable[[User], ApiClient]:
    def make(user: User) -> ApiClient:
        return ApiClient(token_for(user))

    return make


@pytest.fixture
def api(api_as: Callable[[User], ApiClient], owner: User) -> ApiClient:
    """The owner's client: a recruiter who owns the candidates made in tests."""
    return api_as(owner)
