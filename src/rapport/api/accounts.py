"""The calling user."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router, Schema

from rapport.accounts.models import ROLE_CAPABILITIES, User
from rapport.api.auth import actor
from rapport.api.errors import ERRORS

router = Router(tags=["account"])


class MeOut(Schema):
    id: int
    email: str
    name: str
    role: str
    capabilities: list[str] = Field(description="What the role may do, e.g. edit_candidates.")

    @staticmethod
    def resolve_capabilities(obj: User) -> list[str]:
        return sorted(ROLE_CAPABILITIES.get(obj.role, frozenset()))


@router.get("/me", response={200: MeOut, **ERRORS}, summary="Get the calling user")
def me(request: HttpRequest) -> User:
    """The user the token (or the session) belongs to, and what their role may do."""
    return actor(request)
