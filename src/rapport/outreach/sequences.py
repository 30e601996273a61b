"""Sequences: enrolling candidates, writing each step's message when it is
due, and stopping.

A sequence stops for a candidate when something is recorded on their
timeline after they were enrolled that says it should: a reply, an
application, a hire, an unsubscribe (and an auto-reply, when the sequence
says so). Whoever records it, whether the inbound mail reader, the jobs app or
a teammate logging a reply by hand, only has to write the Activity; the
outbox checks the timeline before it sends each step, and the clock sweeps
stopped enrolments. Bounces and unsubscribes also stop sequences at once,
through `enrollments_stop`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from rapport.accounts.models import Capability
from rapport.core.activity import activity_record
from rapport.core.models import Activity, ActivityKind
from rapport.outreach import merge, policy, rendering
from rapport.outreach.models import (
    Enrollment,
    EnrollmentStatus,
    Message,
    MessageStatus,
    Sequence,
    SequenceStep,
    Template,
)
from rapport.people.services import require

if TYPE_CHECKING:
    from rapport.accounts.models import User
    from rapport.people.models import Candidate
    from rapport.search.models import Segment

# Timeline events that end a sequence, and the reason recorded.
STOP_KINDS = {
    ActivityKind.EMAIL_REPLIED: "replied",
    ActivityKind.SMS_RECEIVED: "replied",
    ActivityKind.UNSUBSCRIBED: "unsubscribed",
    "application.created": "applied",
    "candidate.hired": "hired",
}
AUTO_REPLY = ActivityKind.EMAIL_AUTO_REPLIED
ADVANCE_BATCH = 200
AUTO_ENROLL_BATCH = 1000


def add_wait(start: dt.datetime, days: int, *, business: bool) -> dt.datetime:
    """`days` after `start`; business days skip Saturdays and Sundays."""
    if not business:
        return start + dt.timedelta(days=days)
    moment = start
    left = days
    while left > 0:
        moment += dt.timedelta(days=1)
        if moment.weekday() < 5:
            left -= 1
    return moment


# --- building a sequence


def sequence_save(
    *, actor: User, sequence: Sequence | None, name: str, description: str, sender: User,
    window: policy.Window | None, auto_segment: Segment | None, stop_on_auto_reply: bool,
    active: bool,
) -> Sequence:  # fmt: skip
    """Create a sequence (`sequence` None) or change one."""
    _require(actor)
    name = " ".join(name.split())
    same = Sequence.objects.filter(name__iexact=name)
    if sequence is not None:
        same = same.exclude(pk=sequence.pk)
    if not name:
        raise ValidationError({"name": ["Give the sequence a name."]})
    if same.exists():
        raise ValidationError({"name": [f"There is already a sequence called {name!r}."]})
    sequence = sequence or Sequence(created_by=actor)
    sequence.name, sequence.description, sequence.sender = name, description.strip(), sender
    sequence.window = window.to_json() if window else None
    sequence.auto_segment, sequence.stop_on_auto_reply, sequence.active = (
        auto_segment,
        stop_on_auto_reply,
        active,
    )
    sequence.save()
    return sequence


def step_add(
    *, actor: User, sequence: Sequence, template: Template, wait_days: int,
    business_days: bool = False, as_reply: bool = True,
) -> SequenceStep:  # fmt: skip
    """A step at the end. Candidates already past the old last step have
    finished; those still going will get it."""
    _require(actor)
    if template.archived_at:
        raise ValidationError({"template": ["That template is archived."]})
    with transaction.atomic():
        last = sequence.steps.order_by("-position").values_list("position", flat=True).first() or 0
        return SequenceStep.objects.create(
            sequence=sequence, position=last + 1, template=template, wait_days=wait_days,
            business_days=business_days, as_reply=as_reply and last > 0,
        )  # fmt: skip


def step_remove(*, actor: User, step: SequenceStep) -> None:
    """Remove a step that has sent nothing yet (what was sent stays explained)."""
    _require(actor)
    if step.messages.exists():
        raise ValidationError(
            {"step": ["This step has sent mail already; make a new sequence instead."]}
        )
    step.delete()


def _require(actor: User) -> None:
    require(actor, Capability.MANAGE_OUTREACH)


# --- enrolling


@dataclass(frozen=True)
class Enrolled:
    enrolled: int
    already: int


def sequence_enroll(
    *, actor: User | None, sequence: Sequence, candidate_ids: Iterable[int]
) -> Enrolled:
    """Enrol each candidate once; those enrolled before (even if stopped)
    are counted, not enrolled again."""
    if actor is not None:
        _require(actor)
    if not sequence.active:
        raise ValidationError({"sequence": [f"{sequence.name} is paused."]})
    first = sequence.steps.order_by("position").first()
    if first is None:
        raise ValidationError({"sequence": [f"{sequence.name} has no steps yet."]})
    ids = list(dict.fromkeys(candidate_ids))
    now = timezone.now()
    due = add_wait(now, first.wait_days, business=first.business_days)
    with transaction.atomic():
        before = set(
            Enrollment.objects.filter(sequence=sequence, candidate_id__in=ids).values_list(
                "candidate_id", flat=True
            )
        )
        new = [i for i in ids if i not in before]
        Enrollment.objects.bulk_create(
            [
                Enrollment(sequence=sequence, candidate_id=i, next_position=first.position,
                           next_due_at=due, enrolled_by=actor, enrolled_at=now)
                for i in new
            ],
            ignore_conflicts=True,
        )  # fmt: skip
        for candidate_id in new:
            activity_record(
                kind=ActivityKind.SEQUENCE_ENROLLED,
                candidate=_candidate(candidate_id),
                actor=actor,
                summary=f"Enrolled in {sequence.name}",
                target=sequence,
                automated=actor is None,
            )
    return Enrolled(enrolled=len(new), already=len(ids) - len(new))


def _candidate(pk: int) -> Candidate:
    from rapport.people.models import Candidate

    return Candidate(pk=pk)


# --- stopping


def enrollments_stop(*, candidate: Candidate, reason: str, actor: User | None = None) -> int:
    """Stop every active sequence of `candidate`; their queued steps are cancelled."""
    stopped = 0
    for enrollment in Enrollment.objects.filter(
        candidate_id=candidate.pk, status=EnrollmentStatus.ACTIVE
    ).select_related("sequence"):
        stopped += enrollment_stop(enrollment=enrollment, reason=reason, actor=actor)
    return stopped


def enrollment_stop(*, enrollment: Enrollment, reason: str, actor: User | None = None) -> int:
    with transaction.atomic():
        if not Enrollment.objects.filter(pk=enrollment.pk, status=EnrollmentStatus.ACTIVE).update(
            status=EnrollmentStatus.STOPPED, stop_reason=reason, ended_at=timezone.now(),
            next_due_at=None,
        ):  # fmt: skip
            return 0
        enrollment.messages.filter(status__in=[MessageStatus.QUEUED, MessageStatus.PAUSED]).update(
            status=MessageStatus.CANCELLED, reason="sequence_stopped"
        )
        activity_record(
            kind=ActivityKind.SEQUENCE_STOPPED,
            candidate=_candidate(enrollment.candidate_id),
            actor=actor,
            summary=f"{enrollment.sequence.name} stopped: {reason}",
            target=enrollment.sequence,
            data={"reason": reason},
            automated=actor is None,
        )
    return 1


def _stop_events(enrollments: list[Enrollment]) -> dict[int, str]:
    """The enrolments (by id) whose candidate's timeline says stop, and why."""
    if not enrollments:
        return {}
    earliest = min(e.enrolled_at for e in enrollments)
    kinds = [*STOP_KINDS, AUTO_REPLY]
    events = Activity.objects.filter(
        candidate_id__in={e.candidate_id for e in enrollments},
        kind__in=kinds,
        occurred_at__gte=earliest,
    ).values_list("candidate_id", "kind", "occurred_at")
    by_candidate: dict[int, list[tuple[str, dt.datetime]]] = {}
    for candidate_id, kind, at in events:
        by_candidate.setdefault(candidate_id, []).append((kind, at))
    found = {}
    for e in enrollments:
        for kind, at in by_candidate.get(e.candidate_id, []):
            if at < e.enrolled_at:
                continue
            if kind == AUTO_REPLY and not e.sequence.stop_on_auto_reply:
                continue
            found[e.pk] = STOP_KINDS.get(kind, "auto-reply")
            break
    return found


def enrollments_stopping(enrollment_ids: Iterable[int]) -> set[int]:
    """Of these enrolments, those that must send nothing more: ended, or
    stopped by their timeline (which stops them now)."""
    enrollments = list(
        Enrollment.objects.filter(pk__in=list(enrollment_ids)).select_related("sequence")
    )
    ended = {
        e.pk for e in enrollments if e.status != EnrollmentStatus.ACTIVE or not e.sequence.active
    }
    active = [e for e in enrollments if e.pk not in ended]
    stops = _stop_events(active)  # one query for the whole batch
    for enrollment in active:
        if enrollment.pk in stops:
            enrollment_stop(enrollment=enrollment, reason=stops[enrollment.pk])
            ended.add(enrollment.pk)
    return ended


# --- moving on


def enrollment_step_sent(message: Message, *, sent_at: dt.datetime) -> None:
    """A step went out: the next is due after its wait, or the sequence is
    finished. Called in the transaction that records the send."""
    assert message.enrollment_id is not None
    enrollment = Enrollment.objects.select_related("sequence").get(pk=message.enrollment_id)
    step = message.step
    position = step.position if step else enrollment.next_position
    following = enrollment.sequence.steps.filter(position__gt=position).order_by("position").first()
    if following is None:
        Enrollment.objects.filter(pk=enrollment.pk, status=EnrollmentStatus.ACTIVE).update(
            status=EnrollmentStatus.FINISHED, ended_at=sent_at, next_due_at=None
        )
        return
    Enrollment.objects.filter(pk=enrollment.pk, status=EnrollmentStatus.ACTIVE).update(
        next_position=following.position,
        next_due_at=add_wait(sent_at, following.wait_days, business=following.business_days),
    )


def enrollment_message_held(message: Message, *, reason: str) -> None:
    """A step was held back for good: the sequence cannot go on for them."""
    assert message.enrollment_id is not None
    enrollment = Enrollment.objects.select_related("sequence").get(pk=message.enrollment_id)
    enrollment_stop(enrollment=enrollment, reason=policy.REASONS.get(reason, reason).lower())


def sequences_advance(*, now: dt.datetime | None = None) -> int:
    """Write the message of every step that has come due (the clock calls this)."""
    now = now or timezone.now()
    due = list(
        Enrollment.objects.filter(
            status=EnrollmentStatus.ACTIVE, next_due_at__lte=now, sequence__active=True
        )
        .select_related("sequence", "sequence__sender", "candidate")
        .order_by("next_due_at")[:ADVANCE_BATCH]
    )
    stops = _stop_events(due)
    written = 0
    for enrollment in due:
        if enrollment.pk in stops:
            enrollment_stop(enrollment=enrollment, reason=stops[enrollment.pk])
            continue
        written += _write_step(enrollment, now=now)
    return written


def _write_step(enrollment: Enrollment, *, now: dt.datetime) -> int:
    from rapport.outreach.services import Origin, message_build

    sequence = enrollment.sequence
    step = (
        sequence.steps.select_related("template")
        .filter(position__gte=enrollment.next_position)
        .order_by("position")
        .first()
    )
    with transaction.atomic():
        if step is None:
            Enrollment.objects.filter(pk=enrollment.pk).update(
                status=EnrollmentStatus.FINISHED, ended_at=now, next_due_at=None
            )
            return 0
        template = step.template
        compiled = rendering.compile_template(template.subject, template.body)
        recipient = merge.recipients([enrollment.candidate], sender=sequence.sender)[0]
        window = policy.Window.from_json(sequence.window)
        origin = Origin(kind=template.kind, sender=sequence.sender, template=template,
                        topic_id=template.topic_id, window=window)  # fmt: skip
        thread = _thread(enrollment) if step.as_reply else None
        message = message_build(
            recipient, compiled, origin=origin, key=f"e{enrollment.pk}:{step.position}", due_at=now,
            extra={"enrollment": enrollment, "step": step},
        )  # fmt: skip
        if thread is not None:
            message.in_reply_to, message.references = thread.message_id, thread.message_id
            message.subject = rendering.one_line(f"Re: {thread.subject.removeprefix('Re: ')}")[:300]
        if Message.objects.filter(key=message.key).exists():
            written = 0  # written by an earlier run
        else:
            message.save()
            written = 1
        Enrollment.objects.filter(pk=enrollment.pk).update(
            next_due_at=None, next_position=step.position
        )
    if message.status == MessageStatus.SUPPRESSED and written:
        enrollment_message_held(message, reason=message.reason)
    return written


def _thread(enrollment: Enrollment) -> Message | None:
    """The first message this enrolment sent: follow-ups answer it."""
    return enrollment.messages.filter(status=MessageStatus.SENT).order_by("sent_at", "id").first()


def sequences_auto_enroll() -> int:
    """Enrol (once) the candidates who match each sequence's segment now."""
    from rapport.search.selectors import candidate_search

    enrolled = 0
    for sequence in Sequence.objects.filter(active=True, auto_segment__isnull=False).select_related(
        "auto_segment", "created_by"
    ):
        author = sequence.created_by
        if author is None or not author.is_active or sequence.auto_segment is None:
            continue
        rows = candidate_search(author, query=sequence.auto_segment.query).rows
        ids = list(
            rows.filter(~Q(enrollments__sequence=sequence))
            .order_by("id")
            .values_list("id", flat=True)[:AUTO_ENROLL_BATCH]
        )
        if ids:
            try:
                enrolled += sequence_enroll(
                    actor=None, sequence=sequence, candidate_ids=ids
                ).enrolled
            except ValidationError:
                continue
    return enrolled
