"""Writes to users and API tokens."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from rapport.accounts.models import ApiToken, Role, User
from rapport.core.contacts import normalize_email
from rapport.core.errors import PermissionDenied
from rapport.core.geo import clean_timezone

TOKEN_PREFIX = "rpt_"  # noqa: S105 (a marker, not a secret)


@transaction.atomic
def user_create(*, email: str, role: str, name: str = "", password: str | None = None) -> User:
    if role not in Role.values:
        raise ValidationError(
            {"role": [f"{role!r} is not a role; use one of {', '.join(Role.values)}."]}
        )
    address = normalize_email(email)
    if User.objects.filter(email=address).exists():
        raise ValidationError({"email": [f"There is already a user {address}."]})
    user = User.objects.create_user(
        address,
        password,
        name=name.strip(),
        role=role,
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    if password is None:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def password_generate() -> str:
    return secrets.token_urlsafe(12)


@transaction.atomic
def token_create(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Make a token; return it with its one and only plain-text copy."""
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip() or f"Token {timezone.now():%Y-%m-%d %H:%M}",
        prefix=plain[:12],
        digest=ApiToken.digest_of(plain),
    )
    return token, plain


def token_authenticate(plain: str) -> User | None:
    """The active user a Bearer token belongs to, or None."""
    if not plain.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=ApiToken.digest_of(plain), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def token_revoke(*, token: ApiToken) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])


@transaction.atomic
def user_update(*, actor: User, user: User, role: str, is_active: bool) -> User:
    """Change a teammate's role or switch their account off."""
    if not actor.can("manage_users"):
        raise PermissionDenied("Only admins may change users.")
    if role not in Role.values:
        raise ValidationError({"role": [f"{role!r} is not a role."]})
    if user.pk == actor.pk and (role != Role.ADMIN or not is_active):
        raise ValidationError({"role": ["You cannot remove your own admin access."]})
    user.role, user.is_active = role, is_active
    user.is_staff = user.is_superuser = role == Role.ADMIN
    user.save(update_fields=["role", "is_active", "is_staff", "is_superuser"])
    if not is_active:
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    return user


def profile_update(*, user: User, name: str, timezone: str, signature: str) -> User:
    """A person's own name, time zone and email signature."""
    user.name = " ".join(name.split())[:150]
    user.timezone = clean_timezone(timezone)
    user.signature = signature.strip()[:2000]
    user.save(update_fields=["name", "timezone", "signature"])
    return user
