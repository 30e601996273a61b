"""Outreach: what the team writes to candidates, and the outbox that sends it.

This app owns templates, topics, campaigns, sequences and their enrolments,
the outbox (one Message row per recipient per send), captured mail, each
candidate's contact preferences and the suppression list. It uses `people`
(candidates, contact points), `search` (segments) and `core` (the Activity
log, the worker); nothing below it imports from here.

The outbox is the contract with the worker: a Message is written, rendered,
in the same transaction as whatever caused it, with a key that makes a
second write of the same send impossible, and a Message-ID that never
changes. The worker claims due rows under a lease, checks the sending policy
at that moment, and records the outcome row by row.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class MessageKind(models.TextChoices):
    NURTURE = "nurture", "Nurture"  # campaigns and sequences: every policy applies
    TRANSACTIONAL = (
        "transactional",
        "Personal",
    )  # one-to-one, interviews: exempt from cap and window
    # About a candidate but to a teammate (an interviewer's invitation): not
    # mail to the candidate, so none of their preferences, figures or
    # timeline apply; only the suppression list does.
    STAFF = "staff", "To a teammate"


class Topic(models.Model):
    """Something candidates may choose to hear about, or not (the preference
    centre lists them): "Engineering roles", "Events", "Newsletter"."""

    name = models.CharField(max_length=80, unique=True)
    description = models.CharField(max_length=200, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Template(models.Model):
    """An email written once and sent personally: subject and Markdown body,
    both with merge fields (see outreach.rendering)."""

    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=16, choices=MessageKind.choices, default=MessageKind.NURTURE)
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.SET_NULL)
    subject = models.CharField(max_length=300)
    body = models.TextField(help_text="Markdown with merge fields.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SCHEDULED = "scheduled", "Scheduled"
    QUEUEING = "queueing", "Preparing"  # writing one message per recipient
    SENDING = "sending", "Sending"
    PAUSED = "paused", "Paused"
    DONE = "done", "Sent"
    CANCELLED = "cancelled", "Cancelled"


class Campaign(models.Model):
    """One send of a template to everyone in a segment or a pool, as they are
    when it starts."""

    name = models.CharField(max_length=150)
    template = models.ForeignKey(Template, on_delete=models.PROTECT, related_name="campaigns")
    segment = models.ForeignKey(
        "search.Segment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    pool = models.ForeignKey(
        "people.Pool", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        help_text="The teammate the mail comes from (name, address, signature).",
    )  # fmt: skip
    window: models.JSONField[dict[str, Any] | None] = models.JSONField(
        null=True, blank=True, help_text="A send window of its own; the organisation's when empty."
    )
    status = models.CharField(
        max_length=12, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    scheduled_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True, help_text="Every message written.")
    finished_at = models.DateTimeField(null=True, blank=True)
    # The audience is written in candidate id order; a restarted queueing
    # task carries on after the last id it wrote.
    queued_through = models.BigIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(segment__isnull=True) | Q(pool__isnull=True),
                name="campaign_one_audience",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def audience_name(self) -> str:
        if self.segment_id:
            return f"Segment {self.segment}"
        if self.pool_id:
            return f"Pool {self.pool}"
        return "No audience"


class Sequence(models.Model):
    """Steps of email with waits between them, that stop when the candidate
    answers (or bounces, leaves, applies, is hired)."""

    name = models.CharField(max_length=150, unique=True)
    description = models.CharField(max_length=300, blank=True)
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    window: models.JSONField[dict[str, Any] | None] = models.JSONField(null=True, blank=True)
    # Candidates who come to match this segment are enrolled (once) by a
    # periodic task.
    auto_segment = models.ForeignKey(
        "search.Segment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    stop_on_auto_reply = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SequenceStep(models.Model):
    sequence = models.ForeignKey(Sequence, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    template = models.ForeignKey(Template, on_delete=models.PROTECT, related_name="+")
    wait_days = models.PositiveSmallIntegerField(
        default=0, help_text="After the previous step was sent (after enrolment for the first)."
    )
    business_days = models.BooleanField(default=False, help_text="Count Monday to Friday only.")
    as_reply = models.BooleanField(
        default=True, help_text="Send in the thread of the first step (Re: its subject)."
    )

    class Meta:
        ordering = ["sequence", "position"]
        constraints = [
            models.UniqueConstraint(fields=["sequence", "position"], name="sequence_step_unique")
        ]

    def __str__(self) -> str:
        return f"{self.sequence_id} step {self.position}"


class EnrollmentStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    FINISHED = "finished", "Finished"  # every step sent
    STOPPED = "stopped", "Stopped"


class Enrollment(models.Model):
    """One candidate going through one sequence; at most once, ever."""

    sequence = models.ForeignKey(Sequence, on_delete=models.CASCADE, related_name="enrollments")
    candidate = models.ForeignKey(
        "people.Candidate", on_delete=models.CASCADE, related_name="enrollments"
    )
    status = models.CharField(
        max_length=10, choices=EnrollmentStatus.choices, default=EnrollmentStatus.ACTIVE
    )
    next_position = models.PositiveSmallIntegerField(default=1)
    next_due_at = models.DateTimeField(null=True, blank=True)
    stop_reason = models.CharField(max_length=40, blank=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    enrolled_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-enrolled_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["sequence", "candidate"], name="enrollment_once")
        ]
        indexes = [
            models.Index(
                fields=["next_due_at"],
                condition=Q(status="active"),
                name="enrollment_due_idx",
            ),
            models.Index(fields=["candidate", "status"], name="enrollment_candidate_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.candidate_id} in {self.sequence_id}"


class MessageStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    PAUSED = "paused", "Paused"  # its campaign is paused
    SENDING = "sending", "Sending"  # claimed by a worker, under a lease
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"  # the server kept refusing it for too long
    BOUNCED = "bounced", "Bounced"
    SUPPRESSED = "suppressed", "Held back"  # a sending policy stopped it for good
    CANCELLED = "cancelled", "Cancelled"


PENDING = (MessageStatus.QUEUED, MessageStatus.PAUSED, MessageStatus.SENDING)


def _where_set(field: str) -> models.Index:
    """An index of a nullable column that holds only the rows where it is set."""
    return models.Index(
        fields=[field], condition=Q(**{f"{field}__isnull": False}), name=f"message_{field}_idx"
    )


class Message(models.Model):
    """One email to one candidate: the outbox row. Rendered when written;
    sent by the worker when due and when the sending policy allows it."""

    candidate = models.ForeignKey(
        "people.Candidate", on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    kind = models.CharField(max_length=16, choices=MessageKind.choices)
    # What it belongs to: a campaign, a sequence step, or neither (one-to-one).
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.CASCADE, related_name="messages",
        db_index=False,
    )  # fmt: skip
    # Enrollment, step, topic and author are indexed only where set (see
    # Meta): a campaign's rows have none of them. Nearly every row has a
    # template, whose figures the template page asks for: a full index.
    enrollment = models.ForeignKey(
        Enrollment, null=True, blank=True, on_delete=models.CASCADE, related_name="messages",
        db_index=False,
    )  # fmt: skip
    step = models.ForeignKey(
        SequenceStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages",
        db_index=False,
    )  # fmt: skip
    template = models.ForeignKey(
        Template, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.SET_NULL, db_index=False
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_index=False,
    )  # fmt: skip
    # One send, one row: "c<campaign>:<candidate>", "e<enrollment>:<step>", "d<uuid>".
    # Both unique through Meta's constraints rather than unique=True, which on
    # PostgreSQL adds a second, pattern-matching index that no query uses.
    key = models.CharField(max_length=80)
    message_id = models.CharField(max_length=200)
    from_name = models.CharField(max_length=150)
    from_email = models.CharField(max_length=254)
    to_email = models.CharField(max_length=254)
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField()
    in_reply_to = models.CharField(max_length=200, blank=True)
    references = models.TextField(blank=True)

    status = models.CharField(
        max_length=12, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    # Why it waits or was held back (a policy's code, see outreach.policy).
    reason = models.CharField(max_length=40, blank=True)
    detail = models.CharField(max_length=500, blank=True)
    due_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_owner = models.CharField(max_length=64, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    # An iCalendar object (an interview invitation: METHOD:REQUEST or CANCEL)
    # sent with the message as a text/calendar part and an .ics attachment.
    # The database default lets the bulk insert of campaigns leave it out.
    calendar = models.TextField(blank=True, default="", db_default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # What the worker claims next, and what it takes over.
            # With the id, so that a claim can go on from the last one it took
            # (delivery._Floor), however many are due at the same moment.
            models.Index(
                fields=["due_at", "id"], condition=Q(status="queued"), name="message_due_idx"
            ),
            models.Index(
                fields=["due_at"],
                condition=Q(status="queued", kind="transactional"),
                name="message_personal_due_idx",
            ),
            models.Index(
                fields=["lease_expires_at"],
                condition=Q(status="sending"),
                name="message_lease_idx",
            ),
            # The frequency cap and the candidate's messages.
            models.Index(fields=["candidate", "-sent_at"], name="message_candidate_idx"),
            models.Index(fields=["campaign", "status"], name="message_campaign_idx"),
            # Sequences' figures, and what a deleted user, topic or step
            # leaves: partial, so that rows without them add nothing.
            _where_set("enrollment"),
            _where_set("step"),
            _where_set("topic"),
            _where_set("author"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["key"], name="message_key_unique"),
            models.UniqueConstraint(fields=["message_id"], name="message_message_id_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} to {self.to_email}"

    @property
    def pending(self) -> bool:
        return self.status in PENDING


class UnrecordedSend(models.Model):
    """A message the server accepted, not yet recorded: the one row written
    the moment the server answers. Recording it, per batch (see delivery),
    marks the message itself sent at `sent_at` and writes what follows (the
    timeline, the candidate's last contact, the sequence's next step), then
    deletes this row. A narrow table of its own, so that saying "sent" at
    once costs one small insert instead of a rewrite of the message's wide
    row and every index of the outbox for each message."""

    message = models.OneToOneField(
        Message, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Unrecorded send of {self.message_id}"


class EventKind(models.TextChoices):
    OPEN = "open", "Opened"
    CLICK = "click", "Clicked"


class MessageEvent(models.Model):
    """An open or a click. One a machine made (a mail scanner fetching every
    link, a privacy proxy loading every image) is kept but flagged, and left
    out of engagement and of the rates."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=8, choices=EventKind.choices)
    occurred_at = models.DateTimeField(default=timezone.now)
    url = models.CharField(max_length=2000, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    machine = models.CharField(max_length=40, blank=True, help_text="Why it looks automated.")

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["message", "kind"], name="message_event_idx")]

    def __str__(self) -> str:
        return f"{self.kind} of {self.message_id}"


class CapturedMail(models.Model):
    """A message as it would have gone out, when no SMTP server is configured
    (the embedded default): the exact bytes, readable in the app."""

    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="captured")
    raw = models.BinaryField()
    captured_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-captured_at", "-id"]

    def __str__(self) -> str:
        return f"Captured {self.message_id}"


class Frequency(models.TextChoices):
    NORMAL = "normal", "Whenever there is something relevant"
    MONTHLY = "monthly", "At most once a month"
    QUARTERLY = "quarterly", "At most once a quarter"


class Preference(models.Model):
    """What a candidate told us about hearing from the team (the preference
    centre). No row means the defaults: everything, normal frequency."""

    candidate = models.OneToOneField(
        "people.Candidate", on_delete=models.CASCADE, primary_key=True, related_name="preference"
    )
    unsubscribed_at = models.DateTimeField(null=True, blank=True, help_text="No nurture mail.")
    left_at = models.DateTimeField(null=True, blank=True, help_text="No mail at all.")
    paused_until = models.DateField(null=True, blank=True)
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.NORMAL)
    topics_declined = models.ManyToManyField(Topic, blank=True, related_name="+")
    roles = models.CharField(max_length=300, blank=True)
    locations = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Preferences of {self.candidate_id}"

    def paused_on(self, day: dt.date) -> bool:
        return self.paused_until is not None and day <= self.paused_until


class SuppressionReason(models.TextChoices):
    HARD_BOUNCE = "hard_bounce", "Hard bounce"
    SOFT_BOUNCES = "soft_bounces", "Repeated soft bounces"
    COMPLAINT = "complaint", "Spam complaint"
    LEFT = "left", "Asked to hear nothing more"
    MANUAL = "manual", "Added by the team"


class Suppression(models.Model):
    """An address that must never be mailed (nor imported again), kept as the
    SHA-256 of the normalised address so the list holds no addresses."""

    digest = models.CharField(max_length=64, unique=True)
    reason = models.CharField(max_length=16, choices=SuppressionReason.choices)
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.digest[:12]}… ({self.reason})"


class SendingPolicy(models.Model):
    """The organisation's sending rules: one row, edited by admins."""

    window: models.JSONField[dict[str, Any]] = models.JSONField(default=dict, blank=True)
    fallback_timezone = models.CharField(
        max_length=64, default="UTC", help_text="For candidates whose time zone is unknown."
    )
    cap_messages = models.PositiveSmallIntegerField(default=2)
    cap_days = models.PositiveSmallIntegerField(default=7)
    require_consent = models.BooleanField(
        default=False, help_text="Nurture mail only to candidates who gave consent."
    )
    retry_days = models.PositiveSmallIntegerField(
        default=3, help_text="How long to retry a message the server defers."
    )
    track_opens = models.BooleanField(default=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return "Sending policy"
