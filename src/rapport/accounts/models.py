from __future__ import annotations

import hashlib
from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone

from rapport.core.loading import QuickLoad


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    RECRUITER = "recruiter", "Recruiter"
    SOURCER = "sourcer", "Sourcer"
    HIRING_MANAGER = "hiring_manager", "Hiring manager"


class Capability(models.TextChoices):
    """What a role may do. Checked by the access helpers and the services."""

    SEE_ALL_CANDIDATES = "see_all_candidates"
    EDIT_CANDIDATES = "edit_candidates"
    SEE_CONFIDENTIAL = "see_confidential"
    MANAGE_POOLS = "manage_pools"
    SAVE_SEGMENTS = "save_segments"
    ADD_NOTES = "add_notes"
    SEND_EMAIL = "send_email"
    MANAGE_OUTREACH = "manage_outreach"
    SHARE_CANDIDATES = "share_candidates"
    MANAGE_USERS = "manage_users"
    MANAGE_SETTINGS = "manage_settings"
    MANAGE_JOBS = "manage_jobs"  # open and edit jobs, pipelines, automations
    MOVE_APPLICATIONS = "move_applications"  # move, reject, hire; schedule interviews
    ADD_TO_JOBS = "add_to_jobs"  # put a candidate in a job's pipeline as Sourced


ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(Capability.values),
    Role.RECRUITER: frozenset(
        {
            Capability.SEE_ALL_CANDIDATES,
            Capability.EDIT_CANDIDATES,
            Capability.SEE_CONFIDENTIAL,
            Capability.MANAGE_POOLS,
            Capability.SAVE_SEGMENTS,
            Capability.ADD_NOTES,
            Capability.SEND_EMAIL,
            Capability.MANAGE_OUTREACH,
            Capability.SHARE_CANDIDATES,
            Capability.MANAGE_JOBS,
            Capability.MOVE_APPLICATIONS,
            Capability.ADD_TO_JOBS,
        }
    ),
    Role.SOURCER: frozenset(
        {
            Capability.SEE_ALL_CANDIDATES,
            Capability.EDIT_CANDIDATES,
            Capability.MANAGE_POOLS,
            Capability.SAVE_SEGMENTS,
            Capability.ADD_NOTES,
            Capability.SEND_EMAIL,
            Capability.MANAGE_OUTREACH,
            Capability.ADD_TO_JOBS,
        }
    ),
    Role.HIRING_MANAGER: frozenset({Capability.ADD_NOTES}),
}


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.update(role=Role.ADMIN, is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(QuickLoad, AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(unique=True)
    name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.RECRUITER)
    signature = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # Named after what it holds; declared after every use of django.utils.timezone.
    timezone = models.CharField(
        max_length=64, blank=True, help_text="IANA time zone: interview times are shown in it."
    )

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["name", "email"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return display_name(self.name, self.email)

    @property
    def initials(self) -> str:
        parts = self.display_name.replace(".", " ").split()
        return "".join(p[0] for p in parts[:2]).upper() or "?"

    def can(self, capability: str) -> bool:
        return self.is_active and capability in ROLE_CAPABILITIES.get(self.role, frozenset())


class ApiToken(models.Model):
    """A Bearer token for the REST API. Only its SHA-256 is stored; the token
    itself is shown once, when created."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(
        max_length=12, help_text="The first characters, to tell tokens apart."
    )
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class LoginFailure(models.Model):
    """A failed login, kept for the throttle window."""

    email = models.CharField(max_length=254, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.email} at {self.occurred_at}"


def display_name(name: str, email: str) -> str:
    """What the app calls a user: their name, or their email's local part."""
    return name or email.split("@")[0]
