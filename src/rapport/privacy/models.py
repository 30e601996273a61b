"""Versioned privacy notices and the consents given to them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class PrivacyNotice(models.Model):
    """One version of the privacy text public forms show. The current one is
    the newest published; a published version is never edited, so a consent
    always points at the words the person saw."""

    version = models.CharField(max_length=40, unique=True)
    text = models.TextField(help_text="Markdown.")
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return f"Privacy notice {self.version}"


class Consent(models.Model):
    """A candidate's agreement to one notice, for a purpose, from a source."""

    candidate = models.ForeignKey(
        "people.Candidate", on_delete=models.CASCADE, related_name="consents"
    )
    notice = models.ForeignKey(PrivacyNotice, on_delete=models.PROTECT, related_name="consents")
    purpose = models.CharField(max_length=40, default="talent_pool")
    source = models.CharField(max_length=40, help_text="Where it was given: community, careers…")
    given_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["candidate", "-given_at"], name="consent_candidate_idx")]

    def __str__(self) -> str:
        return f"{self.purpose} ({self.notice.version})"


class ErasureReason(models.TextChoices):
    REQUEST = "request", "They asked to be erased"
    RETENTION = "retention", "Kept longer than we should"
    MISTAKE = "mistake", "Added by mistake"


class Erasure(models.Model):
    """The record that a candidate was erased: who did it, when and why,
    and how many rows and files went. It holds nothing of the person (not
    their name): `record` is the number their candidate record had, so that
    a question about an old link can be answered."""

    record = models.BigIntegerField(help_text="The erased candidate's former id.")
    reason = models.CharField(max_length=12, choices=ErasureReason.choices)
    note = models.CharField(max_length=300, blank=True, help_text="Nothing that names them.")
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    erased_at = models.DateTimeField(default=timezone.now)
    removed: models.JSONField[dict[str, int]] = models.JSONField(
        default=dict, help_text="What went: kind of row (or file) → how many."
    )
    suppressed = models.BooleanField(
        default=False, help_text="Their addresses and numbers are kept as digests, never contacted."
    )

    class Meta:
        ordering = ["-erased_at", "-id"]

    def __str__(self) -> str:
        return f"Erasure {self.pk} (record {self.record})"

    @property
    def rows(self) -> int:
        return sum(n for kind, n in self.removed.items() if kind != "files")


class RetentionPolicy(models.Model):
    """How long candidates nobody has touched are kept: one row, written by
    admins. Off until an admin turns it on; the worker then erases, each
    day, the candidates untouched for `months` (privacy.retention)."""

    enabled = models.BooleanField(default=False)
    months = models.PositiveSmallIntegerField(default=24)
    hold_tag = models.CharField(
        max_length=50, default="keep", help_text="Candidates with this tag are never erased by it."
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_run_erased = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        state = "on" if self.enabled else "off"
        return f"Retention {state}: {self.months} months"
