"""Login by email address, with a throttle on failed attempts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest
from django.utils import timezone

from rapport.accounts.models import LoginFailure, User


class LoginThrottled(Exception):
    def __init__(self, minutes: int) -> None:
        self.minutes = minutes
        super().__init__(f"Too many failed attempts. Try again in {minutes} minutes.")


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def login_check_throttle(*, email: str, ip: str | None) -> None:
    """Refuse a login after too many recent failures for this address, or
    from this IP across addresses (ten times as many)."""
    window = dt.timedelta(minutes=settings.LOGIN_THROTTLE_MINUTES)
    since = timezone.now() - window
    recent = LoginFailure.objects.filter(occurred_at__gte=since)
    limit = settings.LOGIN_THROTTLE_FAILURES
    if recent.filter(email=email.lower()).count() >= limit or (
        ip and recent.filter(ip=ip).count() >= limit * 10
    ):
        raise LoginThrottled(settings.LOGIN_THROTTLE_MINUTES)


def login_record_failure(*, email: str, ip: str | None) -> None:
    LoginFailure.objects.create(email=email.lower()[:254], ip=ip)
    LoginFailure.objects.filter(occurred_at__lt=timezone.now() - dt.timedelta(days=1)).delete()


class EmailBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        email = (kwargs.get("email") or username or "").strip().lower()
        if not email or password is None:
            return None
        ip = client_ip(request)
        login_check_throttle(email=email, ip=ip)
        user = User.objects.filter(email=email).first()
        if user is None:
            User().set_password(password)  # same work as a real check: no timing hint
        elif user.check_password(password) and self.user_can_authenticate(user):
            LoginFailure.objects.filter(email=email).delete()
            return user
        login_record_failure(email=email, ip=ip)
        return None
