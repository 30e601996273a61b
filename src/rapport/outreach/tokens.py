"""Signed tokens for the links in every email: the preference centre, the
one-click unsubscribe, tracking, and the return path that maps a bounce to
its message. A token carries a number (a candidate's or a message's id) and a
signature; never an address or a name."""

from __future__ import annotations

from django.core import signing

PREFERENCES = "rapport.outreach.preferences"
MESSAGE = "rapport.outreach.message"


def _sign(value: int, salt: str) -> str:
    return signing.Signer(salt=salt).sign(format(value, "x"))


def _unsign(token: str, salt: str) -> int | None:
    try:
        return int(signing.Signer(salt=salt).unsign(token), 16)
    except (signing.BadSignature, ValueError):
        return None


def candidate_token(candidate_id: int) -> str:
    return _sign(candidate_id, PREFERENCES)


def candidate_from_token(token: str) -> int | None:
    return _unsign(token, PREFERENCES)


def message_token(message_id: int) -> str:
    return _sign(message_id, MESSAGE)


def message_from_token(token: str) -> int | None:
    return _unsign(token, MESSAGE)
