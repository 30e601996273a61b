from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


class ActivityKind(models.TextChoices):
    """Every kind of event the log knows. Later apps add theirs here so that
    the timeline filter and the analytics share one list."""

    CANDIDATE_CREATED = "candidate.created", "Candidate added"
    CANDIDATE_UPDATED = "candidate.updated", "Profile updated"
    CONTACT_ADDED = "contact.added", "Contact added"
    CONTACT_REMOVED = "contact.removed", "Contact removed"
    NOTE_ADDED = "note.added", "Note"
    TAG_ADDED = "tag.added", "Tagged"
    TAG_REMOVED = "tag.removed", "Untagged"
    POOL_ADDED = "pool.added", "Added to pool"
    POOL_REMOVED = "pool.removed", "Removed from pool"
    OWNER_CHANGED = "owner.changed", "Owner changed"
    SHARED = "candidate.shared", "Shared"
    EMAIL_SENT = "email.sent", "Email sent"
    EMAIL_REPLIED = "email.replied", "Replied"
    EMAIL_BOUNCED = "email.bounced", "Email bounced"
    EMAIL_AUTO_REPLIED = "email.auto_replied", "Automatic reply"
    EMAIL_OPENED = "email.opened", "Email opened"
    EMAIL_CLICKED = "email.clicked", "Link clicked"
    UNSUBSCRIBED = "email.unsubscribed", "Unsubscribed"
    PREFERENCES_UPDATED = "preferences.updated", "Preferences updated"
    SEQUENCE_ENROLLED = "sequence.enrolled", "Enrolled in sequence"
    SEQUENCE_STOPPED = "sequence.stopped", "Sequence stopped"
    SMS_SENT = "sms.sent", "Text sent"
    SMS_RECEIVED = "sms.received", "Text received"
    SMS_OPTED_OUT = "sms.opted_out", "Opted out of texts"
    CALL_LOGGED = "call.logged", "Call"
    MEETING_LOGGED = "meeting.logged", "Meeting"
    STAGE_CHANGED = "stage.changed", "Stage changed"
    CONSENT_GIVEN = "consent.given", "Consent given"
    CONSENT_WITHDRAWN = "consent.withdrawn", "Consent withdrawn"
    CANDIDATE_MERGED = "candidate.merged", "Merged with a duplicate"
    CANDIDATE_UNMERGED = "candidate.unmerged", "Merge undone"
    CANDIDATE_EXPORTED = "candidate.exported", "Their data exported"
    APPLICATION_CREATED = "application.created", "Added to a job"
    CANDIDATE_HIRED = "candidate.hired", "Hired"
    INTERVIEW_SCHEDULED = "interview.scheduled", "Interview scheduled"
    INTERVIEW_UPDATED = "interview.updated", "Interview rescheduled"
    INTERVIEW_CANCELLED = "interview.cancelled", "Interview cancelled"
    SCORECARD_ADDED = "scorecard.added", "Interview feedback"


class Activity(models.Model):
    """One thing that happened. Written by services in the same transaction
    as the change it records; never updated, never deleted by hand."""

    # Read by candidate (activity_timeline_idx) or by kind (activity_kind_idx);
    # single-column indexes on the time and the candidate would only slow writes.
    occurred_at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=40, choices=ActivityKind.choices)
    candidate = models.ForeignKey(
        "people.Candidate",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="activities",
        db_index=False,
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The object the event is about (a note, a pool, a message), by type and id,
    # so that every later app can point at its own rows without a new column.
    target_type = models.CharField(max_length=40, blank=True)
    target_id = models.BigIntegerField(null=True, blank=True)
    summary = models.CharField(max_length=300, blank=True)
    data: models.JSONField[dict[str, Any]] = models.JSONField(default=dict, blank=True)
    confidential = models.BooleanField(default=False)
    automated = models.BooleanField(
        default=False, help_text="Machine-generated, not a human touch."
    )

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["candidate", "-occurred_at", "-id"], name="activity_timeline_idx"),
            models.Index(fields=["kind", "-occurred_at"], name="activity_kind_idx"),
        ]
        verbose_name_plural = "activities"

    def __str__(self) -> str:
        return f"{self.kind} at {self.occurred_at:%Y-%m-%d %H:%M}"


class WorkerLease(models.Model):
    """A worker's promise that it is alive. The worker renews it while it runs;
    a task left RUNNING by a worker whose lease expired goes back to the queue."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255, blank=True)
    pid = models.IntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} until {self.expires_at:%H:%M:%S}"


class PeriodicRun(models.Model):
    """When a periodic task (core.schedule) was last put in the queue. Workers
    claim a due run with a conditional update, so however many workers are
    running, each run is enqueued once."""

    name = models.CharField(max_length=100, unique=True)
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class Notification(models.Model):
    """Something a user should look at, shown under the bell in the app: a
    reply from one of their candidates, a task that is due."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=500, blank=True)
    candidate = models.ForeignKey(
        "people.Candidate", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["user", "read_at", "-created_at"], name="notification_user_idx")
        ]

    def __str__(self) -> str:
        return self.text
