"""Signed tokens for the links in every email: the preference centre, the
one-click unsubscribe, tracking, and the return path that maps a bounce to
its message. A token carries a number (a candidate's or a message's id, in
hexadecimal) and an HMAC-SHA256 of it under a key derived from the secret
key and the token's purpose; never an address or a name. The derived keys are
computed once per process: a campaign signs a hundred thousand of these."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac

from django.conf import settings

PREFERENCES = "rapport.outreach.preferences"
MESSAGE = "rapport.outreach.message"
SIGNATURE_CHARS = 22  # 132 bits of the HMAC, URL-safe base64


@functools.lru_cache(maxsize=16)
def _key(secret: str, purpose: str) -> bytes:
    return hashlib.sha256(f"{purpose}:{secret}".encode()).digest()


def signature(value: str, purpose: str, *, secret: str | None = None) -> str:
    """The signature of any text for one purpose (the click links use it)."""
    return _signature(value, purpose, secret)


def _signature(value: str, purpose: str, secret: str | None = None) -> str:
    key = _key(settings.SECRET_KEY if secret is None else secret, purpose)
    # hmac.digest: OpenSSL's one-shot HMAC, without building an HMAC object.
    digest = hmac.digest(key, value.encode(), "sha256")
    return base64.urlsafe_b64encode(digest).decode()[:SIGNATURE_CHARS]


def _sign(value: int, purpose: str, secret: str | None = None) -> str:
    return _signed(value, purpose, settings.SECRET_KEY if secret is None else secret)


@functools.lru_cache(maxsize=1024)
def _signed(value: int, purpose: str, secret: str) -> str:
    """Kept a while: a message names its own token in its return path, its
    pixel and each of its links, and its candidate's in three more places."""
    text = format(value, "x")
    return f"{text}-{_signature(text, purpose, secret)}"


def _unsign(token: str, purpose: str) -> int | None:
    text, _, signature = token.partition("-")
    if not text or not signature or not hmac.compare_digest(signature, _signature(text, purpose)):
        return None
    try:
        return int(text, 16)
    except ValueError:
        return None


def candidate_token(candidate_id: int, *, secret: str | None = None) -> str:
    """`secret` is settings.SECRET_KEY, unless a caller signing many has read it."""
    return _sign(candidate_id, PREFERENCES, secret)


def candidate_from_token(token: str) -> int | None:
    return _unsign(token, PREFERENCES)


def message_token(message_id: int, *, secret: str | None = None) -> str:
    return _sign(message_id, MESSAGE, secret)


def message_from_token(token: str) -> int | None:
    return _unsign(token, MESSAGE)
