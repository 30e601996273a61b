"""Every write of texts and of logged calls and meetings. Each function
checks what the actor may do, runs in one transaction and records its
Activity there.

A text to a candidate is written as a queued SmsMessage (the SMS outbox)
and handed to the provider by the `sms_deliver` task after the commit; the
task checks the opt-out again at that moment, since a STOP may arrive in
between. Texts that arrive come through the provider's webhook
(sms_receive): STOP and its synonyms opt the number out, START opts it
back in, anything else lands on the candidate's timeline and under their
owner's bell.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from rapport.accounts.models import Capability
from rapport.core.activity import activity_record
from rapport.core.contacts import display_phone, normalize_phone
from rapport.core.models import ActivityKind, Notification
from rapport.inbox import sms
from rapport.inbox.models import (
    INTERACTION_MAX_MINUTES,
    OUTCOMES,
    SMS_MAX_CHARS,
    Channel,
    Interaction,
    InteractionKind,
    InteractionOutcome,
    SmsDirection,
    SmsMessage,
    SmsOptOut,
    SmsStatus,
    number_digest,
)
from rapport.outreach.merge import summarise
from rapport.outreach.models import Preference
from rapport.people.models import Candidate, ContactKind, ContactPoint
from rapport.people.services import require

if TYPE_CHECKING:
    from rapport.accounts.models import User

# Whole messages (any case, surrounding spaces ignored) that stop texts, and
# those that let them start again; the words carriers and Twilio honour.
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})
START_WORDS = frozenset({"START", "UNSTOP", "YES"})
# Seconds to wait after the first, second and third temporary failure; then
# the text fails for good.
RETRY_DELAYS = (60, 300, 1800)
REASONS = {
    "opted_out": "The number texted STOP",
    "left": "Asked to hear nothing more",
    "no_phone": "No phone number",
    "rejected": "The provider refused it",
    "unreachable": "The provider could not be reached",
    "interrupted": "The worker stopped while sending it; it may or may not have arrived",
}
# A text still "sending" this long after a worker took it was interrupted.
SENDING_STALE = dt.timedelta(minutes=10)
# Logged calls and meetings that count as contact (last_contacted_at).
CONTACT_OUTCOMES = frozenset(
    {InteractionOutcome.CONNECTED, InteractionOutcome.VOICEMAIL, InteractionOutcome.HELD}
)
FUTURE_SLACK = dt.timedelta(days=1)


# --- who may be texted


def candidate_phone(candidate: Candidate) -> str:
    """The number texts go to: the primary phone ("" when there is none)."""
    value = (
        ContactPoint.objects.filter(candidate=candidate, kind=ContactKind.PHONE)
        .order_by("-is_primary", "id")
        .values_list("value", flat=True)
        .first()
    )
    return value or ""


@dataclass(frozen=True)
class Reachability:
    """Whether a text may go to the candidate now, and if not, why."""

    number: str
    reason: str = ""  # a key of REASONS
    opted_out_at: dt.datetime | None = None

    @property
    def ok(self) -> bool:
        return not self.reason


def sms_reachability(candidate: Candidate, *, number: str = "") -> Reachability:
    """Whether a text may go to the candidate's primary phone, or to `number`
    when it is one of theirs."""
    if (
        number
        and not ContactPoint.objects.filter(
            candidate=candidate, kind=ContactKind.PHONE, value=number
        ).exists()
    ):
        raise ValidationError({"to": [f"{number} is not a phone of {candidate.full_name}."]})
    number = number or candidate_phone(candidate)
    if not number:
        return Reachability(number="", reason="no_phone")
    opt_out = SmsOptOut.objects.filter(digest=number_digest(number)).first()
    if opt_out is not None:
        return Reachability(number=number, reason="opted_out", opted_out_at=opt_out.at)
    if Preference.objects.filter(candidate=candidate, left_at__isnull=False).exists():
        return Reachability(number=number, reason="left")
    return Reachability(number=number)


def refusal(candidate: Candidate, reach: Reachability) -> str:
    """What the team reads when a text may not go, and what to do."""
    if reach.reason == "no_phone":
        return f"{candidate.full_name} has no phone number: add one under Contact first."
    if reach.reason == "opted_out":
        when = f" on {reach.opted_out_at:%-d %b %Y}" if reach.opted_out_at else ""
        return (
            f"{display_phone(reach.number)} texted STOP{when}: no texts go to it "
            "until the candidate texts START."
        )
    if reach.reason == "left":
        return f"{candidate.full_name} asked to hear nothing more from us: no texts, no email."
    return REASONS.get(reach.reason, reach.reason)


# --- sending


def sms_send(*, actor: User, candidate: Candidate, body: str, number: str = "") -> SmsMessage:
    """A text from `actor` to the candidate's primary phone (or to `number`,
    another of their phones), through the SMS outbox; the worker hands it to
    the provider."""
    require(actor, Capability.SEND_EMAIL)  # "may contact candidates"
    body = body.strip()
    if not body:
        raise ValidationError({"body": ["Write the text first."]})
    if len(body) > SMS_MAX_CHARS:
        raise ValidationError(
            {
                "body": [
                    f"A text holds at most {SMS_MAX_CHARS:,} characters; this one has {len(body):,}."
                ]
            }
        )
    reach = sms_reachability(candidate, number=number)
    if not reach.ok:
        raise ValidationError({"to": [refusal(candidate, reach)]})
    with transaction.atomic():
        message = SmsMessage.objects.create(
            direction=SmsDirection.OUT,
            candidate=candidate,
            number=reach.number,
            our_number=settings.SMS_FROM,
            body=body,
            status=SmsStatus.QUEUED,
            author=actor,
        )
        _enqueue_delivery(message.pk)
    return message


def _enqueue_delivery(sms_id: int, *, delay: int = 0) -> None:
    from rapport.inbox.tasks import sms_deliver

    task = sms_deliver
    if delay:
        task = sms_deliver.using(run_after=timezone.now() + dt.timedelta(seconds=delay))
    transaction.on_commit(lambda: task.enqueue(sms_id=sms_id))


def sms_deliver_now(sms_id: int, *, via: sms.SmsBackend | None = None) -> str:
    """Hand one queued text to the provider; its status afterwards. A text
    that is not queued (sent already, claimed by another worker, held) is
    left alone, so running this twice sends once."""
    claimed = SmsMessage.objects.filter(
        pk=sms_id, direction=SmsDirection.OUT, status=SmsStatus.QUEUED
    ).update(status=SmsStatus.SENDING, attempts=F("attempts") + 1, claimed_at=timezone.now())
    if not claimed:
        return ""
    message = SmsMessage.objects.select_related("candidate").get(pk=sms_id)
    held = _held_reason(message)
    if held:
        _finish(message, status=SmsStatus.HELD, reason=held, detail=REASONS[held])
        return SmsStatus.HELD
    try:
        backend = via or sms.backend()
        provider_id = backend.send(
            to=message.number, body=message.body, sender=message.our_number or settings.SMS_FROM
        )
    except sms.PermanentSmsError as exc:
        _finish(message, status=SmsStatus.FAILED, reason="rejected", detail=str(exc))
        return SmsStatus.FAILED
    except sms.TemporarySmsError as exc:
        return _retry_or_fail(message, str(exc))
    _record_sent(message, provider_id=provider_id, captured=backend.captured)
    return SmsStatus.SENT


def sms_sweep_interrupted(*, now: dt.datetime | None = None) -> int:
    """Texts a worker took to send and never finished (it was killed between
    the claim and the provider's answer) are marked failed, with a reason
    that says they may have arrived: sending again could text the candidate
    twice, so that is left to a person. Returns how many."""
    now = now or timezone.now()
    stale = Q(claimed_at__lt=now - SENDING_STALE) | Q(
        claimed_at__isnull=True, created_at__lt=now - dt.timedelta(days=1)
    )
    return SmsMessage.objects.filter(stale, status=SmsStatus.SENDING).update(
        status=SmsStatus.FAILED, reason="interrupted", detail=REASONS["interrupted"] + "."
    )


def _held_reason(message: SmsMessage) -> str:
    if SmsOptOut.objects.filter(digest=number_digest(message.number)).exists():
        return "opted_out"
    left = Preference.objects.filter(candidate=message.candidate, left_at__isnull=False)
    if message.candidate is not None and left.exists():
        return "left"
    return ""


def _finish(message: SmsMessage, *, status: str, reason: str, detail: str) -> None:
    SmsMessage.objects.filter(pk=message.pk, status=SmsStatus.SENDING).update(
        status=status, reason=reason, detail=detail[:500]
    )


def _retry_or_fail(message: SmsMessage, detail: str) -> str:
    if message.attempts > len(RETRY_DELAYS):
        _finish(message, status=SmsStatus.FAILED, reason="unreachable", detail=detail)
        return SmsStatus.FAILED
    delay = RETRY_DELAYS[message.attempts - 1]
    with transaction.atomic():
        SmsMessage.objects.filter(pk=message.pk, status=SmsStatus.SENDING).update(
            status=SmsStatus.QUEUED, reason="", detail=f"Trying again: {detail}"[:500]
        )
        _enqueue_delivery(message.pk, delay=delay)
    return SmsStatus.QUEUED


def _record_sent(message: SmsMessage, *, provider_id: str, captured: bool) -> None:
    now = timezone.now()
    with transaction.atomic():
        SmsMessage.objects.filter(pk=message.pk, status=SmsStatus.SENDING).update(
            status=SmsStatus.SENT, provider_id=provider_id, sent_at=now, reason="", detail=""
        )
        activity_record(
            kind=ActivityKind.SMS_SENT,
            candidate=message.candidate,
            actor=message.author,
            summary=message.body,
            target=message,
            data={"direction": "out", "number": message.number, "captured": captured},
        )
        Candidate.objects.filter(sms_messages=message).filter(
            Q(last_contacted_at__isnull=True) | Q(last_contacted_at__lt=now)
        ).update(last_contacted_at=now)


def sms_status_update(*, provider_id: str, status: str, error: str = "") -> bool:
    """The provider's status callback: delivered, or failed after all.
    Whether a text of ours had that id."""
    provider_id, error = provider_id.replace("\x00", ""), error.replace("\x00", "")[:100]
    if not provider_id:
        return False
    texts = SmsMessage.objects.filter(provider_id=provider_id, direction=SmsDirection.OUT)
    if status == "delivered":
        texts.filter(status=SmsStatus.SENT).update(
            status=SmsStatus.DELIVERED, delivered_at=timezone.now()
        )
    elif status in {"failed", "undelivered"}:
        detail = f"The provider could not deliver it{f' (error {error})' if error else ''}."
        texts.filter(status__in=[SmsStatus.SENT, SmsStatus.DELIVERED]).update(
            status=SmsStatus.FAILED, reason="rejected", detail=detail
        )
    return texts.exists()


# --- receiving


def sms_receive(*, sender: str, recipient: str, body: str, provider_id: str) -> SmsMessage:
    """A text that arrived, matched by its number to a candidate's phone.
    Kept even when no candidate has the number; recorded once per provider
    id however often the provider repeats it."""
    sender, recipient, body, provider_id = (
        value.replace("\x00", "") for value in (sender, recipient, body, provider_id)
    )  # NUL is not text, and PostgreSQL refuses it
    if provider_id and (known := SmsMessage.objects.filter(provider_id=provider_id).first()):
        return known
    number = _e164_or_raw(sender)
    candidate = _candidate_for(number)
    keyword = body.strip().upper()
    try:
        with transaction.atomic():
            message = SmsMessage.objects.create(
                direction=SmsDirection.IN,
                candidate=candidate,
                number=number[:32],
                our_number=_e164_or_raw(recipient)[:32],
                body=body[:SMS_MAX_CHARS],
                status=SmsStatus.RECEIVED,
                provider_id=provider_id[:64],
            )
            if keyword in STOP_WORDS:
                _opt_out(message, keyword)
            elif (
                keyword in START_WORDS
                and SmsOptOut.objects.filter(digest=number_digest(number)).exists()
            ):
                _opt_in(message, keyword)
            else:
                _converse(message, candidate)
                if candidate is not None:
                    _received(message, candidate)
    except IntegrityError:  # the same provider id, recorded by a parallel request
        return SmsMessage.objects.get(provider_id=provider_id)
    return message


def _e164_or_raw(value: str) -> str:
    try:
        return normalize_phone(value)
    except ValidationError:
        return value.strip()


def _candidate_for(number: str) -> Candidate | None:
    """The candidate with this phone; when several share it, the one we
    texted last, else the one whose number it is primarily."""
    ids = list(
        ContactPoint.objects.filter(kind=ContactKind.PHONE, value=number)
        .order_by("-is_primary", "id")
        .values_list("candidate_id", flat=True)
    )
    if not ids:
        return None
    last_texted = (
        SmsMessage.objects.filter(direction=SmsDirection.OUT, number=number, candidate_id__in=ids)
        .order_by("-created_at", "-id")
        .values_list("candidate_id", flat=True)
        .first()
    )
    return Candidate.objects.select_related("owner").get(pk=last_texted or ids[0])


def _opt_out(message: SmsMessage, keyword: str) -> None:
    SmsOptOut.objects.get_or_create(
        digest=number_digest(message.number), defaults={"keyword": keyword}
    )
    SmsMessage.objects.filter(
        direction=SmsDirection.OUT, number=message.number, status=SmsStatus.QUEUED
    ).update(status=SmsStatus.HELD, reason="opted_out", detail=REASONS["opted_out"])
    if message.candidate is not None:
        activity_record(
            kind=ActivityKind.SMS_OPTED_OUT,
            candidate=message.candidate,
            actor=None,
            summary=f"Texted {keyword}: no more texts to {display_phone(message.number)}.",
            target=message,
            data={"direction": "in", "number": message.number, "keyword": keyword},
        )


def _opt_in(message: SmsMessage, keyword: str) -> None:
    SmsOptOut.objects.filter(digest=number_digest(message.number)).delete()
    if message.candidate is not None:
        activity_record(
            kind=ActivityKind.SMS_RECEIVED,
            candidate=message.candidate,
            actor=None,
            summary=f"Texted {keyword}: texts to {display_phone(message.number)} may start again.",
            target=message,
            data={"direction": "in", "number": message.number, "keyword": keyword},
        )


def _converse(message: SmsMessage, candidate: Candidate | None) -> None:
    """The text joins (or opens) its conversation in the team inbox."""
    from rapport.inbox.services import conversation_touch

    message.conversation = conversation_touch(
        candidate=candidate, key=f"sms:{message.number}", subject=summarise(message.body)[:120],
        sender=message.number, at=message.created_at, channel=Channel.SMS,
    )  # fmt: skip
    message.save(update_fields=["conversation"])


def _received(message: SmsMessage, candidate: Candidate) -> None:
    """A candidate's text: on the timeline, their sequences stopped (a text
    back is an answer), the owner notified."""
    from rapport.outreach.sequences import enrollments_stop

    enrollments_stop(candidate=candidate, reason="replied")
    activity_record(
        kind=ActivityKind.SMS_RECEIVED,
        candidate=candidate,
        actor=None,
        summary=message.body,
        target=message,
        data={"direction": "in", "number": message.number},
    )
    if candidate.owner_id is not None:
        Notification.objects.create(
            user_id=candidate.owner_id,
            kind=ActivityKind.SMS_RECEIVED,
            text=f"{candidate.full_name} texted: {summarise(message.body)}"[:300],
            url=reverse("conversation_detail", args=[message.conversation_id])
            if message.conversation_id
            else reverse("candidate_detail", args=[candidate.pk]) + "#texts",
            candidate=candidate,
        )


# --- calls and meetings


@dataclass(frozen=True)
class InteractionFields:
    kind: str
    occurred_at: dt.datetime
    outcome: str
    duration_minutes: int | None = None
    notes: str = ""


def interaction_check(fields: InteractionFields, *, now: dt.datetime | None = None) -> None:
    """Refuse what cannot be true, naming the field."""
    errors: dict[str, list[str]] = {}
    if fields.kind not in OUTCOMES:
        errors["kind"] = ["Choose a call or a meeting."]
    elif fields.outcome not in OUTCOMES[fields.kind]:
        allowed = ", ".join(InteractionOutcome(o).label.lower() for o in OUTCOMES[fields.kind])
        errors["outcome"] = [f"A {fields.kind} is one of: {allowed}."]
    if fields.occurred_at > (now or timezone.now()) + FUTURE_SLACK:
        errors["occurred_at"] = ["That is in the future: log a call or meeting once it happened."]
    minutes = fields.duration_minutes
    if minutes is not None and not 0 <= minutes <= INTERACTION_MAX_MINUTES:
        errors["duration_minutes"] = [
            f"Give the duration in minutes, from 0 to {INTERACTION_MAX_MINUTES:,} (a day)."
        ]
    if errors:
        raise ValidationError(errors)


def interaction_log(
    *, actor: User, candidate: Candidate, kind: str, occurred_at: dt.datetime,
    duration_minutes: int | None, outcome: str, notes: str = "",
) -> Interaction:  # fmt: skip
    """A call or a meeting that happened, on the candidate's timeline at
    the moment it happened."""
    require(actor, Capability.ADD_NOTES)
    fields = InteractionFields(kind, occurred_at, outcome, duration_minutes, notes.strip())
    interaction_check(fields)
    with transaction.atomic():
        interaction = Interaction.objects.create(
            kind=kind,
            candidate=candidate,
            occurred_at=occurred_at,
            duration_minutes=duration_minutes,
            outcome=outcome,
            notes=fields.notes,
            author=actor,
        )
        activity = activity_record(
            kind=ActivityKind.CALL_LOGGED
            if kind == InteractionKind.CALL
            else ActivityKind.MEETING_LOGGED,
            candidate=candidate,
            actor=actor,
            summary=fields.notes or _describe(interaction),
            target=interaction,
            data={
                "duration_minutes": duration_minutes,
                "outcome": outcome,
                "outcome_label": interaction.get_outcome_display(),
            },
        )
        activity.occurred_at = occurred_at
        activity.save(update_fields=["occurred_at"])
        if outcome in CONTACT_OUTCOMES:
            Candidate.objects.filter(pk=candidate.pk).filter(
                Q(last_contacted_at__isnull=True) | Q(last_contacted_at__lt=occurred_at)
            ).update(last_contacted_at=occurred_at)
    return interaction


def _describe(interaction: Interaction) -> str:
    """A sentence for a call or meeting logged without notes."""
    minutes = interaction.duration_minutes
    length = f", {minutes} minute{'s' if minutes != 1 else ''}" if minutes else ""
    return f"{interaction.get_kind_display()}: {interaction.get_outcome_display().lower()}{length}."
