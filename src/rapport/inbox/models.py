"""Inbound mail and the conversations of the team inbox.

Every message that reaches Rapport is kept once, as an InboundMessage, with
how it was classified and what it was matched to. Its `source_key` says where
it came from (an IMAP folder's UIDVALIDITY and UID, or a digest of the raw
bytes for the pipe and the HTTP endpoint), and is unique, so a message read
twice is recorded once. Replies and unmatched mail open or join a
Conversation, which is what the team inbox lists.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


class InboundKind(models.TextChoices):
    REPLY = "reply", "Reply"
    BOUNCE = "bounce", "Bounce"
    AUTO_REPLY = "auto_reply", "Automatic reply"
    UNMATCHED = "unmatched", "Unmatched"
    IGNORED = "ignored", "Ignored"


class InboundSource(models.TextChoices):
    IMAP = "imap", "Mailbox"
    PIPE = "pipe", "Piped"
    HTTP = "http", "HTTP"


class Mailbox(models.Model):
    """How far one IMAP folder has been read, and which worker reads it."""

    key = models.CharField(max_length=300, unique=True, help_text="user@host/folder")
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    last_uid = models.BigIntegerField(default=0)
    lease_owner = models.CharField(max_length=64, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return self.key


class ConversationStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text"


class Conversation(models.Model):
    """A thread with one candidate (or, while unmatched, with one sender), by
    email or by text."""

    candidate = models.ForeignKey(
        "people.Candidate", null=True, blank=True, on_delete=models.CASCADE,
        related_name="conversations",
    )  # fmt: skip
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.EMAIL)
    thread_key = models.CharField(
        max_length=300, help_text="The Message-ID the thread began with; sms:<number> for texts."
    )
    subject = models.CharField(max_length=300, blank=True)
    from_email = models.CharField(max_length=254, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=8, choices=ConversationStatus.choices, default=ConversationStatus.OPEN
    )
    needs_reply = models.BooleanField(default=False)
    unread = models.BooleanField(default=True)
    waiting_since = models.DateTimeField(
        null=True, blank=True, help_text="The first inbound message not yet answered."
    )
    last_message_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["status", "-last_message_at"], name="conversation_list_idx"),
            models.Index(fields=["thread_key"], name="conversation_thread_idx"),
            models.Index(fields=["candidate", "-last_message_at"], name="conversation_cand_idx"),
        ]

    def __str__(self) -> str:
        return self.subject or self.thread_key


class InboundMessage(models.Model):
    source = models.CharField(max_length=8, choices=InboundSource.choices)
    source_key = models.CharField(max_length=300, unique=True)
    header_message_id = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=12, choices=InboundKind.choices)
    matched_by = models.CharField(max_length=16, blank=True)
    candidate = models.ForeignKey(
        "people.Candidate", null=True, blank=True, on_delete=models.CASCADE,
        related_name="inbound_messages",
    )  # fmt: skip
    answers = models.ForeignKey(
        "outreach.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    conversation = models.ForeignKey(
        Conversation, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    suggested_candidate = models.ForeignKey(
        "people.Candidate", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="Unmatched mail that claimed to answer this candidate's message.",
    )  # fmt: skip
    from_name = models.CharField(max_length=200, blank=True)
    from_email = models.CharField(max_length=254, blank=True)
    to = models.CharField(max_length=1000, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    in_reply_to = models.CharField(max_length=300, blank=True)
    references = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True, help_text="Its Date header.")
    received_at = models.DateTimeField(default=timezone.now)
    text = models.TextField(blank=True, help_text="The new words, quoted history stripped.")
    text_full = models.TextField(blank=True)
    html = models.TextField(blank=True, help_text="Sanitised.")
    raw = models.BinaryField(null=True, blank=True)
    size = models.PositiveIntegerField(default=0)
    attachments: models.JSONField[list[dict[str, Any]]] = models.JSONField(default=list, blank=True)
    problems: models.JSONField[list[str]] = models.JSONField(default=list, blank=True)
    bounce_hard = models.BooleanField(null=True, blank=True)
    bounce_status = models.CharField(max_length=16, blank=True)
    bounce_detail = models.CharField(max_length=500, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["kind", "-received_at"], name="inbound_kind_idx"),
            models.Index(fields=["conversation", "received_at"], name="inbound_conv_idx"),
        ]
        constraints = [
            # One record per Message-ID, whichever way it came in (mailbox, pipe, HTTP).
            models.UniqueConstraint(
                fields=["header_message_id"],
                condition=~models.Q(header_message_id=""),
                name="inbound_message_id_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.from_email}: {self.subject}"

    @property
    def response_seconds(self) -> int | None:
        if self.answered_at is None:
            return None
        return int((self.answered_at - self.received_at).total_seconds())


class BounceScore(models.Model):
    """Soft bounces of one address (by digest, like Suppression): after
    enough of them within the window, the address is suppressed."""

    digest = models.CharField(max_length=64, unique=True)
    soft_count = models.PositiveIntegerField(default=0)
    first_at = models.DateTimeField(default=timezone.now)
    last_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.soft_count} soft bounces since {self.first_at:%Y-%m-%d}"


# --- texts, and calls and meetings logged by hand

SMS_MAX_CHARS = 1600  # what Twilio-compatible providers accept in one message


class SmsDirection(models.TextChoices):
    OUT = "out", "Sent"
    IN = "in", "Received"


class SmsStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"  # claimed by a worker
    SENT = "sent", "Sent"  # the provider accepted it
    DELIVERED = "delivered", "Delivered"  # the provider's status callback said so
    FAILED = "failed", "Failed"
    HELD = "held", "Held back"  # a policy stopped it for good (opt-out, left), with the reason
    RECEIVED = "received", "Received"


class SmsMessage(models.Model):
    """One text, either way. Outgoing texts are the SMS outbox: written
    queued by a service, claimed by the delivery task (queued -> sending),
    then sent, failed or held. Incoming texts are kept even when their
    number matches no candidate (candidate null)."""

    direction = models.CharField(max_length=3, choices=SmsDirection.choices)
    candidate = models.ForeignKey(
        "people.Candidate", null=True, blank=True, on_delete=models.CASCADE,
        related_name="sms_messages", db_index=False,
    )  # fmt: skip
    number = models.CharField(max_length=32, help_text="The candidate's side, E.164.")
    our_number = models.CharField(max_length=32, blank=True, help_text="Our side, E.164.")
    body = models.CharField(max_length=SMS_MAX_CHARS)
    status = models.CharField(max_length=10, choices=SmsStatus.choices)
    reason = models.CharField(max_length=40, blank=True, help_text="Why it was held or failed.")
    detail = models.CharField(max_length=500, blank=True)
    provider_id = models.CharField(max_length=64, blank=True)
    conversation = models.ForeignKey(
        Conversation, null=True, blank=True, on_delete=models.SET_NULL, related_name="texts"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(
        null=True, blank=True, help_text="When a worker last took it to send."
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider_id"],
                condition=~models.Q(provider_id=""),
                name="sms_provider_id_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["candidate", "created_at"], name="sms_candidate_idx"),
            models.Index(fields=["number", "created_at"], name="sms_number_idx"),
            models.Index(fields=["direction", "-created_at"], name="sms_direction_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.number}: {self.body[:40]}"

    @property
    def captured(self) -> bool:
        """Kept in the app by the captured backend: it never left."""
        return self.provider_id.startswith("captured-")


class SmsOptOut(models.Model):
    """A number that answered STOP (or the like): no text goes to it until
    it answers START. Kept by number, so it outlives the candidate, as the
    SHA-256 of the number in E.164 (`number_digest`), like the email
    suppression list: the list holds no numbers, and an erased person's
    refusal still stands."""

    digest = models.CharField(max_length=64, unique=True)
    keyword = models.CharField(max_length=20)
    at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.digest[:12]}… ({self.keyword})"


def number_digest(number: str) -> str:
    """What SmsOptOut keeps of a number (E.164, as stored on contact points)."""
    return hashlib.sha256(number.strip().encode()).hexdigest()


class InteractionKind(models.TextChoices):
    CALL = "call", "Call"
    MEETING = "meeting", "Meeting"


class InteractionOutcome(models.TextChoices):
    CONNECTED = "connected", "Connected"
    VOICEMAIL = "voicemail", "Left voicemail"
    NO_ANSWER = "no_answer", "No answer"
    WRONG_NUMBER = "wrong_number", "Wrong number"
    HELD = "held", "Held"
    NO_SHOW = "no_show", "No-show"
    RESCHEDULED = "rescheduled", "Rescheduled"
    CANCELLED = "cancelled", "Cancelled"


OUTCOMES: dict[str, tuple[str, ...]] = {
    InteractionKind.CALL: (
        InteractionOutcome.CONNECTED,
        InteractionOutcome.VOICEMAIL,
        InteractionOutcome.NO_ANSWER,
        InteractionOutcome.WRONG_NUMBER,
    ),
    InteractionKind.MEETING: (
        InteractionOutcome.HELD,
        InteractionOutcome.NO_SHOW,
        InteractionOutcome.RESCHEDULED,
        InteractionOutcome.CANCELLED,
    ),
}

INTERACTION_MAX_MINUTES = 24 * 60


class Interaction(models.Model):
    """A call or a meeting with a candidate, logged by hand afterwards."""

    kind = models.CharField(max_length=8, choices=InteractionKind.choices)
    candidate = models.ForeignKey(
        "people.Candidate", on_delete=models.CASCADE, related_name="interactions", db_index=False
    )
    occurred_at = models.DateTimeField()
    duration_minutes = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=InteractionOutcome.choices)
    notes = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["candidate", "-occurred_at"], name="interaction_candidate_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind=InteractionKind.CALL, outcome__in=OUTCOMES["call"])
                | models.Q(kind=InteractionKind.MEETING, outcome__in=OUTCOMES["meeting"]),
                name="interaction_outcome_of_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(duration_minutes__lte=INTERACTION_MAX_MINUTES),
                name="interaction_duration_max",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} with {self.candidate_id} at {self.occurred_at:%Y-%m-%d %H:%M}"
