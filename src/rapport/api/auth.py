"""Who is calling: a Bearer token, or the logged-in browser session."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from rapport.accounts.models import User
from rapport.accounts.services import token_authenticate


class BearerToken(HttpBearer):
    """`Authorization: Bearer rpt_…`, a token made on the account page."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return token_authenticate(token)


class BrowserSession(SessionAuth):
    """The session of a user logged in to the web app, for the docs page and
    same-origin scripts. SessionAuth checks CSRF on unsafe methods; it runs
    only once there is a logged-in user, so that a request with neither a
    token nor a session gets a plain 401 instead of a CSRF 403."""

    def __call__(self, request: HttpRequest) -> User | None:
        if not request.user.is_authenticated:
            return None
        user = super().__call__(request)
        return user if isinstance(user, User) else None


def actor(request: HttpRequest) -> User:
    """The user the request authenticated as. Every endpoint requires one,
    so reaching an endpoint without one is a bug, not a 401."""
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        raise RuntimeError("The API reached an endpoint without authenticating.")
    return user
