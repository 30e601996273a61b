"""How outreach went: read-only figures for campaigns, sequences (and each of
their steps) and templates, each computed with a fixed number of queries
whatever the size of the send.

    campaign_stats(campaign) -> Stats                      2 queries
    sequence_stats(sequence) -> SequenceStats              4 queries
        .total: Stats, .steps: list[StepStats] (each with .stats: Stats),
        .enrollments: EnrollmentCounts
    template_stats(template) -> Stats                      2 queries

What each figure counts, over the messages of what is asked about:

- total: every message written; queued: still to go (queued, paused,
  being sent); sent: left our server (it has a send time; a message that
  bounced later still counts as sent); bounced, failed, cancelled: by status;
- held: held back by a sending policy (status "suppressed"), with
  `held_reasons` saying how many for which reason, most first;
- opened: sent messages a person opened (an open or a click that was not
  flagged as a machine's, see outreach.tracking; a click counts as an open
  because images are often blocked); clicked: a person clicked a link;
- replied: the candidate replied (an `email.replied` Activity) after the
  message was sent and before any later message to them was sent, so a reply
  counts for the last message they had received, once; for sequences, a
  message is also replied when its enrolment stopped with the reason
  "replied" and it was the last one the enrolment sent;
- unsubscribed: the same, with an `email.unsubscribed` Activity.

Rates (`open_rate`, `click_rate`, `reply_rate`, `unsubscribe_rate`) are over
sent messages, `bounce_rate` over messages that were sent or bounced; each
is a fraction from 0 to 1, or None when nothing has gone yet.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from rapport.core.models import Activity, ActivityKind
from rapport.outreach.models import (
    PENDING,
    Campaign,
    Enrollment,
    EnrollmentStatus,
    EventKind,
    Message,
    MessageEvent,
    MessageKind,
    MessageStatus,
    Sequence,
    SequenceStep,
    Template,
)
from rapport.outreach.policy import REASONS

COUNTS: tuple[str, ...] = ("total", "queued", "sent", "opened", "clicked", "replied")
COUNTS += ("unsubscribed", "bounced", "bounced_unsent", "failed", "cancelled", "held")


@dataclass(frozen=True)
class HeldReason:
    code: str
    label: str
    count: int


@dataclass(frozen=True)
class Stats:
    total: int = 0
    queued: int = 0
    sent: int = 0
    opened: int = 0
    clicked: int = 0
    replied: int = 0
    unsubscribed: int = 0
    bounced: int = 0
    failed: int = 0
    cancelled: int = 0
    held: int = 0
    bounced_unsent: int = 0  # refused before it ever left (counts for the bounce rate)
    held_reasons: tuple[HeldReason, ...] = ()

    @property
    def open_rate(self) -> float | None:
        return _rate(self.opened, self.sent)

    @property
    def click_rate(self) -> float | None:
        return _rate(self.clicked, self.sent)

    @property
    def reply_rate(self) -> float | None:
        return _rate(self.replied, self.sent)

    @property
    def unsubscribe_rate(self) -> float | None:
        return _rate(self.unsubscribed, self.sent)

    @property
    def bounce_rate(self) -> float | None:
        return _rate(self.bounced, self.sent + self.bounced_unsent)


@dataclass(frozen=True)
class StepStats:
    step: SequenceStep
    stats: Stats


@dataclass(frozen=True)
class EnrollmentCounts:
    total: int = 0
    active: int = 0
    finished: int = 0
    stopped: int = 0
    stop_reasons: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class SequenceStats:
    total: Stats
    steps: list[StepStats]
    enrollments: EnrollmentCounts


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# --- the one query that counts


def _human(kind: str) -> Exists:
    return Exists(MessageEvent.objects.filter(message=OuterRef("pk"), kind=kind, machine=""))


def _after_send(activity_kind: str) -> Exists:
    """An Activity of `activity_kind` for the candidate after the message was
    sent, with no later message sent to them in between."""
    later = Message.objects.filter(
        candidate_id=OuterRef(OuterRef("candidate_id")),
        sent_at__gt=OuterRef(OuterRef("sent_at")),
        sent_at__lte=OuterRef("occurred_at"),
    ).exclude(kind=MessageKind.STAFF)
    return Exists(
        Activity.objects.filter(
            candidate_id=OuterRef("candidate_id"),
            kind=activity_kind,
            occurred_at__gte=OuterRef("sent_at"),
        ).exclude(Exists(later))
    )


def _stopped_replied() -> Q:
    """The last message a sequence sent before it stopped on a reply."""
    later = Message.objects.filter(
        enrollment_id=OuterRef("enrollment_id"), sent_at__gt=OuterRef("sent_at")
    )
    return Q(enrollment__stop_reason="replied") & ~Q(Exists(later))


def _counters(*, sequences: bool) -> dict[str, Any]:
    sent = Q(sent_at__isnull=False)
    opened = _human(EventKind.OPEN) | _human(EventKind.CLICK)
    replied = Q(_after_send(ActivityKind.EMAIL_REPLIED))
    if sequences:
        replied |= _stopped_replied()
    return {
        "total": Count("pk"),
        "queued": Count("pk", filter=Q(status__in=PENDING)),
        "sent": Count("pk", filter=sent),
        "opened": Count("pk", filter=sent & Q(opened)),
        "clicked": Count("pk", filter=sent & Q(_human(EventKind.CLICK))),
        "replied": Count("pk", filter=sent & replied),
        "unsubscribed": Count("pk", filter=sent & Q(_after_send(ActivityKind.UNSUBSCRIBED))),
        "bounced": Count("pk", filter=Q(status=MessageStatus.BOUNCED)),
        "bounced_unsent": Count("pk", filter=Q(status=MessageStatus.BOUNCED, sent_at__isnull=True)),
        "failed": Count("pk", filter=Q(status=MessageStatus.FAILED)),
        "cancelled": Count("pk", filter=Q(status=MessageStatus.CANCELLED)),
        "held": Count("pk", filter=Q(status=MessageStatus.SUPPRESSED)),
    }


def _held(rows: Iterable[tuple[str, int]]) -> tuple[HeldReason, ...]:
    found = [HeldReason(code, REASONS.get(code, code or "Unknown"), n) for code, n in rows]
    return tuple(sorted(found, key=lambda r: (-r.count, r.label)))


def _stats(values: Mapping[str, Any], held: Iterable[tuple[str, int]]) -> Stats:
    return Stats(**{name: int(values.get(name) or 0) for name in COUNTS},
                 held_reasons=_held(held))  # fmt: skip


def _of(messages: QuerySet[Message], *, sequences: bool = False) -> Stats:
    """Figures for one set of messages (2 queries)."""
    values = messages.aggregate(**_counters(sequences=sequences))
    held = (
        messages.filter(status=MessageStatus.SUPPRESSED)
        .order_by()
        .values_list("reason")
        .annotate(n=Count("pk"))
    )
    return _stats(values, held)


# --- what the pages ask for


def campaign_stats(campaign: Campaign) -> Stats:
    return _of(Message.objects.filter(campaign_id=campaign.pk))


def template_stats(template: Template) -> Stats:
    """Every message written from the template: campaigns, sequence steps,
    one-to-one mail."""
    return _of(Message.objects.filter(template_id=template.pk))


def sequence_stats(sequence: Sequence) -> SequenceStats:
    """The sequence's figures, one row per step (in order, steps that have
    sent nothing yet included) and its enrolments (4 queries)."""
    messages = Message.objects.filter(enrollment__sequence_id=sequence.pk)
    steps = list(sequence.steps.select_related("template").order_by("position"))
    per_step = {
        row.pop("step_id"): row
        for row in messages.order_by().values("step_id").annotate(**_counters(sequences=True))
    }
    held: dict[int | None, list[tuple[str, int]]] = {}
    for step_id, reason, n in (
        messages.filter(status=MessageStatus.SUPPRESSED)
        .order_by()
        .values_list("step_id", "reason")
        .annotate(n=Count("pk"))
    ):
        held.setdefault(step_id, []).append((reason, n))
    rows = [StepStats(s, _stats(per_step.get(s.pk, {}), held.get(s.pk, []))) for s in steps]
    total = _sum([_stats(values, held.get(step_id, [])) for step_id, values in per_step.items()])
    return SequenceStats(total=total, steps=rows, enrollments=_enrollments(sequence))


def _sum(parts: list[Stats]) -> Stats:
    reasons: dict[str, int] = {}
    for part in parts:
        for reason in part.held_reasons:
            reasons[reason.code] = reasons.get(reason.code, 0) + reason.count
    counts = {name: sum(getattr(p, name) for p in parts) for name in COUNTS}
    return _stats(counts, reasons.items())


def _enrollments(sequence: Sequence) -> EnrollmentCounts:
    rows = list(
        Enrollment.objects.filter(sequence_id=sequence.pk)
        .order_by()
        .values_list("status", "stop_reason")
        .annotate(n=Count("pk"))
    )
    by_status: dict[str, int] = {}
    reasons: dict[str, int] = {}
    for status, reason, n in rows:
        by_status[status] = by_status.get(status, 0) + n
        if status == EnrollmentStatus.STOPPED:
            reasons[reason or "manual"] = reasons.get(reason or "manual", 0) + n
    return EnrollmentCounts(
        total=sum(by_status.values()),
        active=by_status.get(EnrollmentStatus.ACTIVE, 0),
        finished=by_status.get(EnrollmentStatus.FINISHED, 0),
        stopped=by_status.get(EnrollmentStatus.STOPPED, 0),
        stop_reasons=dict(sorted(reasons.items(), key=lambda item: -item[1])),
    )
