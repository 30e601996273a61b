"""Small helpers the views of every app share."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from rapport.accounts.models import User

MAX_ID = 2**63 - 1


def acting_user(request: HttpRequest) -> User:
    """The signed-in user (views that call this are behind login_required)."""
    return request.user  # type: ignore[return-value]


def id_or_none(value: str | None) -> int | None:
    """A database id from a query or form value; None when it cannot be one."""
    try:
        number = int(value) if value else None
    except ValueError:
        return None
    return number if number is not None and 0 < number <= MAX_ID else None
