"""Imports, possible duplicates, merges, résumés, sign-ups and referrals.

Files (uploaded imports, résumés) are stored under the data folder's media
root with generated names, never under the static root, and are served only
through views that check who may see them.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


def _private_name(folder: str, filename: str) -> str:
    """A generated name: nothing of the uploaded name reaches the disk."""
    suffix = filename.rsplit(".", 1)[-1].lower()[:8] if "." in filename else "bin"
    suffix = "".join(c for c in suffix if c.isalnum()) or "bin"
    return f"{folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{suffix}"


def import_path(instance: models.Model, filename: str) -> str:
    return _private_name("imports", filename)


def resume_path(instance: models.Model, filename: str) -> str:
    return _private_name("resumes", filename)


# --- imports


class ColumnMapping(models.Model):
    """A saved mapping from a file's column headers to candidate fields."""

    name = models.CharField(max_length=120, unique=True)
    columns: models.JSONField[dict[str, str]] = models.JSONField(
        default=dict, help_text="Column header → field name (or '' to skip)."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name


class ImportStatus(models.TextChoices):
    PREVIEW = "preview", "Waiting for a mapping"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class ImportJob(models.Model):
    """One file imported (or tried with --dry-run). Rows are read in order;
    `rows_done` is how far the import has come, so a crash resumes there."""

    file = models.FileField(upload_to=import_path, max_length=300)
    original_name = models.CharField(max_length=255)
    digest = models.CharField(max_length=64, help_text="SHA-256 of the file.")
    size = models.BigIntegerField(default=0)
    format = models.CharField(max_length=8, help_text="csv, tsv or xlsx")
    encoding = models.CharField(max_length=40, blank=True)
    delimiter = models.CharField(max_length=4, blank=True)
    columns: models.JSONField[dict[str, str]] = models.JSONField(default=dict, blank=True)
    options: models.JSONField[dict[str, Any]] = models.JSONField(
        default=dict, blank=True, help_text="pool, tag, source"
    )
    dry_run = models.BooleanField(default=False)
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.PREVIEW
    )
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0, help_text="Possible duplicates, to review.")
    rejected = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.original_name


class RowOutcome(models.TextChoices):
    CREATED = "created", "Created"
    UPDATED = "updated", "Updated"
    UNCHANGED = "unchanged", "Unchanged"
    DUPLICATE = "duplicate", "Possible duplicate"
    REJECTED = "rejected", "Rejected"


class ImportRow(models.Model):
    """The report line of one row that was not simply created: what became
    of it and why. Unique per row, so a resumed import writes each once."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rows")
    number = models.PositiveIntegerField(help_text="The row's line in the file, from 1.")
    outcome = models.CharField(max_length=10, choices=RowOutcome.choices)
    candidate = models.ForeignKey(
        "people.Candidate", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=500, blank=True)
    values: models.JSONField[dict[str, Any]] = models.JSONField(default=dict, blank=True)
    changes: models.JSONField[dict[str, Any]] = models.JSONField(
        default=dict, blank=True, help_text="Field → [before, after, policy]."
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "number"], name="import_row_unique")]

    def __str__(self) -> str:
        return f"row {self.number}: {self.outcome}"


# --- identity: possible duplicates and merges


class ReviewStatus(models.TextChoices):
    OPEN = "open", "To review"
    MERGED = "merged", "Merged"
    DISMISSED = "dismissed", "Not the same person"


class DuplicateReview(models.Model):
    """Two candidates who may be one person, waiting for a person to decide.
    Never merged on its own. `candidate` is the newer record."""

    candidate = models.ForeignKey(
        "people.Candidate", on_delete=models.CASCADE, related_name="duplicate_reviews"
    )
    other = models.ForeignKey("people.Candidate", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(help_text="0–100, how alike they are.")
    reasons: models.JSONField[list[str]] = models.JSONField(default=list, blank=True)
    status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.OPEN
    )
    job = models.ForeignKey(
        ImportJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviews"
    )
    created_at = models.DateTimeField(default=timezone.now)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["candidate", "other"], name="duplicate_review_unique")
        ]
        indexes = [models.Index(fields=["status", "-score"], name="duplicate_review_open_idx")]

    def __str__(self) -> str:
        return f"{self.candidate_id} ~ {self.other_id} ({self.score:.0f})"


class SimilarityKey(models.Model):
    """One blocking key of a candidate (`sourcing.similar`): a hash of a
    context (the company, the city or the school) with one word of the name.
    Only people who share a key are compared by name, so finding possible
    duplicates among a million candidates reads a few rows per person.
    Imports write the keys of the candidates they create or change, and
    bring the keys of candidates changed elsewhere up to date when they start."""

    key = models.BigIntegerField()
    candidate = models.ForeignKey(
        "people.Candidate", on_delete=models.CASCADE, related_name="+", db_index=False
    )

    class Meta:
        indexes = [
            models.Index(fields=["key", "candidate"], name="similarity_key_idx"),
            models.Index(fields=["candidate"], name="similarity_candidate_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.candidate_id}: {self.key}"


class Merge(models.Model):
    """One merge: `kept` absorbed the candidate whose id was `merged_id`.
    `snapshot` holds both records as they were (fields, contact points,
    skills, tags, pools, notes, shares, activities and every row that
    pointed at the merged one), so that undoing restores both exactly."""

    kept = models.ForeignKey("people.Candidate", on_delete=models.CASCADE, related_name="merges")
    merged_id = models.BigIntegerField()
    merged_name = models.CharField(max_length=210)
    choices: models.JSONField[dict[str, str]] = models.JSONField(
        default=dict, blank=True, help_text="Field → 'kept' or 'merged': whose value won."
    )
    snapshot: models.JSONField[dict[str, Any]] = models.JSONField(default=dict)
    review = models.ForeignKey(
        DuplicateReview, null=True, blank=True, on_delete=models.SET_NULL, related_name="merges"
    )
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_at = models.DateTimeField(default=timezone.now)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-merged_at", "-id"]

    def __str__(self) -> str:
        return f"{self.merged_name} into {self.kept_id}"


# --- résumés


class ResumeStatus(models.TextChoices):
    PARSED = "parsed", "Read, to confirm"
    CONFIRMED = "confirmed", "Confirmed"
    FAILED = "failed", "Could not be read"


class Resume(models.Model):
    candidate = models.ForeignKey(
        "people.Candidate", null=True, blank=True, on_delete=models.CASCADE, related_name="resumes"
    )
    file = models.FileField(upload_to=resume_path, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(default=0)
    digest = models.CharField(max_length=64, db_index=True)
    text = models.TextField(blank=True)
    extracted: models.JSONField[dict[str, Any]] = models.JSONField(
        default=dict, blank=True, help_text="Field → {value, confidence}."
    )
    status = models.CharField(
        max_length=10, choices=ResumeStatus.choices, default=ResumeStatus.PARSED
    )
    error = models.CharField(max_length=500, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.original_name


# --- people who raise their hand


class CommunitySignup(models.Model):
    """A talent-community sign-up waiting for its email to be confirmed
    (double opt-in). Only the digest of the confirmation token is kept."""

    email = models.CharField(max_length=254)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100, blank=True)
    interests: models.JSONField[dict[str, Any]] = models.JSONField(
        default=dict, blank=True, help_text="roles, departments, locations"
    )
    resume = models.ForeignKey(
        Resume, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notice = models.ForeignKey("privacy.PrivacyNotice", on_delete=models.PROTECT, related_name="+")
    token_digest = models.CharField(max_length=64, unique=True)
    source = models.CharField(max_length=40, default="community")
    client_digest = models.CharField(max_length=64, blank=True, help_text="For rate limits.")
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    candidate = models.ForeignKey(
        "people.Candidate", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["client_digest", "-created_at"], name="signup_client_idx")]

    def __str__(self) -> str:
        return self.email


class Referral(models.Model):
    """A teammate vouching for someone: credited, and able to follow them."""

    candidate = models.ForeignKey(
        "people.Candidate", on_delete=models.CASCADE, related_name="referrals"
    )
    referrer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["candidate", "referrer"], name="referral_unique")
        ]

    def __str__(self) -> str:
        return f"{self.candidate_id} by {self.referrer_id}"
