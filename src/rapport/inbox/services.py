"""Receiving mail and working the team inbox.

`inbound_receive` is the one way in, whether a message came from the IMAP
reader, `rapport inbound` or the HTTP endpoint. It records the message once
(by where it came from, and by its Message-ID) and applies its effects in
the same transaction:

- a reply: on the candidate's timeline with its new words, their sequences
  stopped, a conversation opened or reopened, the owner notified;
- a bounce: a hard one suppresses the address and stops sequences; soft
  ones are counted, and enough of them within 30 days count as hard;
- an automatic reply: on the timeline; it stops only the sequences that ask
  for it, and nothing ever answers it;
- unmatched mail: a conversation with no candidate, for someone to place.

Nothing here sends mail by itself. Answers are written by people, through the
outbox.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from rapport.accounts.models import Capability, User
from rapport.core.activity import activity_record
from rapport.core.errors import PermissionDenied
from rapport.core.models import ActivityKind, Notification
from rapport.inbox import classify, parse, quotes
from rapport.inbox.html import sanitise
from rapport.inbox.models import (
    BounceScore,
    Channel,
    Conversation,
    ConversationStatus,
    InboundKind,
    InboundMessage,
    SmsDirection,
    SmsMessage,
)
from rapport.outreach import policy, rendering
from rapport.outreach.models import (
    Enrollment,
    EnrollmentStatus,
    Message,
    MessageStatus,
    SuppressionReason,
)
from rapport.outreach.sequences import enrollment_stop, enrollments_stop
from rapport.outreach.services import bounce_record, email_send
from rapport.people.models import Candidate, ContactKind, ContactPoint
from rapport.people.selectors import candidates_visible
from rapport.people.services import CandidateFields, candidate_create, contact_add, require

if TYPE_CHECKING:
    from rapport.inbox.parse import Parsed

logger = logging.getLogger(__name__)

SOFT_BOUNCE_WINDOW = dt.timedelta(days=30)
ACTIVITY_TEXT = 5000


@dataclass(frozen=True)
class Received:
    message: InboundMessage
    created: bool


def inbound_receive(
    *, raw: bytes, source: str, source_key: str = "", size: int | None = None
) -> Received:
    """Record `raw` once and apply what it means. `source_key` says where it
    came from (an IMAP UID); without one, the digest of the bytes is used.
    `size` is the message's own size when `raw` is only part of it (the IMAP
    reader downloads only the headers of a message over the limit)."""
    source_key = source_key or f"sha256:{hashlib.sha256(raw).hexdigest()}"
    if existing := InboundMessage.objects.filter(source_key=source_key).first():
        return Received(existing, created=False)
    kept, problems = _kept(raw)
    if size is not None and size > len(raw):
        problems.append(
            f"The message was {size:,} bytes, over the limit of {settings.INBOUND_MAX_BYTES:,}; "
            "only its headers were kept."
        )
    try:
        parsed = parse.parse(kept)
    except RecursionError:  # parts nested a thousand deep: read nothing of it
        return _unreadable(kept, size=max(size or 0, len(raw)), source=source, key=source_key)
    parsed.problems[:0] = problems
    parsed.message_id = parsed.message_id[:300]
    if parsed.message_id and (
        existing := InboundMessage.objects.filter(header_message_id=parsed.message_id).first()
    ):
        return Received(existing, created=False)
    try:
        with transaction.atomic():
            message = _record(
                parsed, raw=kept, size=max(size or 0, len(raw)), source=source, key=source_key
            )
    except IntegrityError:  # the same message, recorded by another process just now
        return _already(source_key, parsed.message_id)
    except DatabaseError:
        raise  # the database is away: the message is read again later
    except Exception as exc:  # a message that breaks a rule of ours must not block the rest
        logger.exception("Inbound message %s could not be processed", source_key)
        return _unreadable(kept, size=max(size or 0, len(raw)), source=source, key=source_key,
                           error=exc)  # fmt: skip
    logger.info("Inbound %s from %s: %s", message.kind, message.from_email, message.subject)
    return Received(message, created=True)


def _already(source_key: str, message_id: str) -> Received:
    found = InboundMessage.objects.filter(source_key=source_key).first()
    if found is None and message_id:
        found = InboundMessage.objects.filter(header_message_id=message_id).first()
    if found is None:
        raise IntegrityError(f"Inbound message {source_key} clashed with one that is gone.")
    return Received(found, created=False)


def _unreadable(
    raw: bytes, *, size: int, source: str, key: str, error: BaseException | None = None
) -> Received:
    """Kept as it came, for a person to look at, so that the mailbox moves on."""
    why = f"{type(error).__name__}: {error}"[:300] if error else "its parts are nested too deep"
    try:
        with transaction.atomic():
            message = InboundMessage.objects.create(
                source=source, source_key=key, kind=InboundKind.UNMATCHED, raw=raw, size=size,
                subject="(a message Rapport could not read)",
                problems=[f"This message could not be read ({why}); download the original."],
            )  # fmt: skip
            _conversation_for(message, candidate=None)
    except IntegrityError:
        return _already(key, "")
    return Received(message, created=True)


def _kept(raw: bytes) -> tuple[bytes, list[str]]:
    """The bytes to keep: all of them, or the headers of a message over the limit."""
    limit = settings.INBOUND_MAX_BYTES
    if len(raw) <= limit:
        return raw, []
    head, _, _ = (
        raw.partition(b"\r\n\r\n") if b"\r\n\r\n" in raw[:200_000] else raw.partition(b"\n\n")
    )
    note = f"The message was {len(raw):,} bytes, over the limit of {limit:,}; only its headers were kept."
    return head[:200_000] + b"\n\n" + note.encode() + b"\n", [note]


def _record(parsed: Parsed, *, raw: bytes, size: int, source: str, key: str) -> InboundMessage:
    verdict = classify.classify(parsed)
    text_full = parsed.text.strip()
    new_words = (
        quotes.strip(text_full)
        if verdict.kind in {InboundKind.REPLY, InboundKind.AUTO_REPLY, InboundKind.UNMATCHED}
        else text_full
    )
    message = InboundMessage.objects.create(
        source=source,
        source_key=key,
        header_message_id=parsed.message_id,
        kind=verdict.kind,
        matched_by=verdict.matched_by,
        candidate=verdict.candidate,
        answers=verdict.message,
        suggested_candidate=verdict.suggested,
        from_name=parsed.from_name,
        from_email=parsed.from_email,
        to=parsed.to_display,
        subject=parsed.subject,
        in_reply_to=(parsed.in_reply_to or [""])[0][:300],
        references=" ".join(parsed.references)[:5000],
        sent_at=parsed.date,
        text=new_words,
        text_full=text_full,
        html=sanitise(parsed.html) if parsed.html else "",
        raw=raw,
        size=size,
        attachments=[a.__dict__ for a in parsed.attachments],
        problems=parsed.problems,
        bounce_hard=verdict.hard if verdict.kind == InboundKind.BOUNCE else None,
        bounce_status=verdict.status[:16],
        bounce_detail=(verdict.detail or "")[:500],
    )
    EFFECTS[verdict.kind](message, verdict)
    return message


# --- effects


def _reply(message: InboundMessage, verdict: classify.Verdict) -> None:
    candidate = message.candidate
    assert candidate is not None
    conversation = _conversation_for(message, candidate=candidate)
    activity_record(
        kind=ActivityKind.EMAIL_REPLIED,
        candidate=candidate,
        actor=None,
        summary=_summary(message),
        target=message,
        data=_activity_data(message, conversation),
    )
    enrollments_stop(candidate=candidate, reason="replied")
    _notify_reply(message, candidate, conversation)


def _auto_reply(message: InboundMessage, verdict: classify.Verdict) -> None:
    if message.candidate is None:
        return
    activity_record(
        kind=ActivityKind.EMAIL_AUTO_REPLIED,
        candidate=message.candidate,
        actor=None,
        summary=f"Automatic reply: {message.subject}"[:300],
        target=message,
        data={
            "inbound": message.pk,
            "text": message.text[:1000],
            "answers": message.answers_id,
        },
        automated=True,
    )
    for enrollment in Enrollment.objects.filter(
        candidate=message.candidate, status=EnrollmentStatus.ACTIVE,
        sequence__stop_on_auto_reply=True,
    ).select_related("sequence"):  # fmt: skip
        enrollment_stop(enrollment=enrollment, reason="auto-reply")


def _bounce(message: InboundMessage, verdict: classify.Verdict) -> None:
    sent = verdict.message
    if sent is None or verdict.delayed:
        return  # a delay is news, not a failure; a bounce about nothing of ours changes nothing
    hard = bool(verdict.hard)
    reason = SuppressionReason.HARD_BOUNCE
    if not hard and _soft_bounces(sent.to_email) >= settings.INBOUND_SOFT_BOUNCES:
        hard, reason = True, SuppressionReason.SOFT_BOUNCES
    if hard:
        Message.objects.filter(pk=sent.pk, status=MessageStatus.SENT).update(
            status=MessageStatus.BOUNCED, reason=reason, detail=verdict.detail[:500]
        )
    bounce_record(message=sent, hard=hard, detail=verdict.detail or verdict.status, reason=reason)


def _soft_bounces(address: str) -> int:
    """Count one more soft bounce of `address` and return the count in the window."""
    digest = policy.address_digest(address.lower())
    now = timezone.now()
    score, created = BounceScore.objects.select_for_update().get_or_create(
        digest=digest, defaults={"soft_count": 1, "first_at": now, "last_at": now}
    )
    if created:
        return 1
    if score.first_at < now - SOFT_BOUNCE_WINDOW:
        score.soft_count, score.first_at = 0, now
    score.soft_count += 1
    score.last_at = now
    score.save(update_fields=["soft_count", "first_at", "last_at"])
    return score.soft_count


def _unmatched(message: InboundMessage, verdict: classify.Verdict) -> None:
    _conversation_for(message, candidate=None)


def _ignored(message: InboundMessage, verdict: classify.Verdict) -> None:
    if verdict.detail:
        message.problems = [*message.problems, verdict.detail]
        message.save(update_fields=["problems"])


EFFECTS: dict[str, Callable[[InboundMessage, classify.Verdict], None]] = {
    InboundKind.REPLY: _reply,
    InboundKind.AUTO_REPLY: _auto_reply,
    InboundKind.BOUNCE: _bounce,
    InboundKind.UNMATCHED: _unmatched,
    InboundKind.IGNORED: _ignored,
}


def _summary(message: InboundMessage) -> str:
    first = " ".join(message.text.split())[:200]
    return first or message.subject or "(no text)"


def _activity_data(message: InboundMessage, conversation: Conversation) -> dict[str, object]:
    answers = message.answers
    return {
        "inbound": message.pk,
        "conversation": conversation.pk,
        "subject": message.subject,
        "text": message.text[:ACTIVITY_TEXT],
        "from": message.from_email,
        "answers": answers.pk if answers else None,
        "answers_subject": answers.subject if answers else "",
        "answers_sent_at": answers.sent_at.isoformat() if answers and answers.sent_at else "",
    }


# --- conversations


def thread_key(message: InboundMessage) -> str:
    """The Message-ID a thread began with: what its first message we sent
    answered or began, else the first reference, else this message."""
    if (sent := message.answers) is not None:
        root = (sent.references.split() or [sent.in_reply_to or sent.message_id])[0]
        return root[:300]
    refs = message.references.split()
    return (refs[0] if refs else message.header_message_id or f"inbound-{message.pk}")[:300]


def _conversation_for(message: InboundMessage, *, candidate: Candidate | None) -> Conversation:
    conversation = conversation_touch(
        candidate=candidate, key=thread_key(message), subject=message.subject,
        sender=message.from_email, at=message.received_at,
    )  # fmt: skip
    message.conversation = conversation
    message.save(update_fields=["conversation"])
    return conversation


def conversation_touch(
    *, candidate: Candidate | None, key: str, subject: str, sender: str, at: dt.datetime,
    channel: str = Channel.EMAIL,
) -> Conversation:  # fmt: skip
    """The conversation something new arrived in, opened or reopened: it
    needs a reply and is unread. Unplaced mail is threaded per sender."""
    found = Conversation.objects.filter(thread_key=key, candidate=candidate, channel=channel)
    if candidate is None:
        found = found.filter(from_email=sender)
    conversation = found.order_by("-last_message_at").first()
    if conversation is None:
        return Conversation.objects.create(
            candidate=candidate, channel=channel, thread_key=key, subject=subject[:300],
            from_email=sender[:254], needs_reply=True, unread=True, waiting_since=at,
            last_message_at=at, created_at=at,
        )  # fmt: skip
    conversation.status = ConversationStatus.OPEN
    conversation.needs_reply = conversation.unread = True
    conversation.waiting_since = conversation.waiting_since or at
    conversation.last_message_at = max(conversation.last_message_at, at)
    conversation.save()
    return conversation


def _notify_reply(
    message: InboundMessage, candidate: Candidate, conversation: Conversation
) -> None:
    people = {conversation.assignee_id, candidate.owner_id}
    if message.answers is not None:
        people.add(message.answers.author_id)
    url = reverse("conversation_detail", args=[conversation.pk])
    for user in User.objects.filter(pk__in=[p for p in people if p], is_active=True):
        if not candidates_visible(user).filter(pk=candidate.pk).exists():
            continue
        Notification.objects.create(
            user=user, kind="email.replied", candidate=candidate, url=url,
            text=f"{candidate.full_name} replied: {message.subject}"[:300],
        )  # fmt: skip


def conversation_read(*, actor: User, conversation: Conversation) -> None:
    if conversation.unread:
        Conversation.objects.filter(pk=conversation.pk).update(unread=False)
        conversation.unread = False


def conversation_assign(*, actor: User, conversation: Conversation, assignee: User | None) -> None:
    require(actor, Capability.SEND_EMAIL)
    if assignee is not None:
        if not assignee.is_active or not assignee.can(Capability.SEND_EMAIL):
            raise ValidationError({"assignee": [f"{assignee} cannot answer candidates."]})
        if (
            conversation.candidate_id
            and not candidates_visible(assignee).filter(pk=conversation.candidate_id).exists()
        ):
            raise ValidationError({"assignee": [f"{assignee} may not see this candidate."]})
    conversation.assignee = assignee
    conversation.save(update_fields=["assignee"])
    if assignee is not None and assignee != actor:
        Notification.objects.create(
            user=assignee, kind="conversation.assigned", candidate=conversation.candidate,
            url=reverse("conversation_detail", args=[conversation.pk]),
            text=f"{actor.display_name} gave you a conversation: {conversation.subject}"[:300],
        )  # fmt: skip


def conversation_done(*, actor: User, conversation: Conversation, done: bool = True) -> None:
    require(actor, Capability.SEND_EMAIL)
    conversation.status = ConversationStatus.DONE if done else ConversationStatus.OPEN
    if done:
        conversation.needs_reply = False
        conversation.unread = False
    conversation.save(update_fields=["status", "needs_reply", "unread"])


def conversation_reply(
    *, actor: User, conversation: Conversation, body: str, subject: str = ""
) -> Message | SmsMessage:
    """An answer from the inbox: through the outbox, in the thread, and the
    time it took recorded on each message it answers."""
    if conversation.candidate is None:
        raise ValidationError({"body": ["Place this conversation with a candidate first."]})
    if conversation.channel == Channel.SMS:
        return _text_reply(actor=actor, conversation=conversation, body=body)
    last = conversation.messages.order_by("-received_at").first()
    if last is None:
        raise ValidationError({"body": ["There is nothing to answer in this conversation."]})
    references = " ".join([*last.references.split(), last.header_message_id]).strip()
    subject = subject.strip() or rendering.literal(_re(last.subject or conversation.subject))
    with transaction.atomic():
        sent = email_send(
            actor=actor, candidate=conversation.candidate, subject=subject, body=body,
            in_reply_to=last.header_message_id, references=references[-2000:],
            to=_their_address(conversation.candidate, last.from_email),
        )  # fmt: skip
        now = timezone.now()
        conversation.messages.filter(
            answered_at__isnull=True, kind__in=[InboundKind.REPLY, InboundKind.UNMATCHED]
        ).update(answered_at=now, answered_by=actor)
        _answered(conversation, now)
    return sent


def _their_address(candidate: Candidate, address: str) -> str:
    """The address that wrote, when it is the candidate's: answers go back to
    where the candidate wrote from, not to their primary address."""
    if address and candidate.contacts.filter(kind=ContactKind.EMAIL, value=address).exists():
        return address
    return ""


def _answered(conversation: Conversation, at: dt.datetime) -> None:
    conversation.needs_reply = False
    conversation.unread = False
    conversation.waiting_since = None
    conversation.last_message_at = at
    conversation.save()


def _text_reply(*, actor: User, conversation: Conversation, body: str) -> SmsMessage:
    from rapport.inbox.sms_services import sms_send

    assert conversation.candidate is not None
    with transaction.atomic():
        number = conversation.from_email
        mine = conversation.candidate.contacts.filter(kind=ContactKind.PHONE, value=number).exists()
        sent = sms_send(actor=actor, candidate=conversation.candidate, body=body,
                        number=number if mine else "")  # fmt: skip
        sent.conversation = conversation
        sent.save(update_fields=["conversation"])
        _answered(conversation, timezone.now())
    return sent


def _re(subject: str) -> str:
    return subject if subject.lower().startswith("re:") else f"Re: {subject}".strip()


def conversation_place(
    *, actor: User, conversation: Conversation, candidate: Candidate
) -> Conversation:
    """Unmatched mail placed with a candidate by hand: from then on it is a reply."""
    require(actor, Capability.SEND_EMAIL)
    if not candidates_visible(actor).filter(pk=candidate.pk).exists():
        raise PermissionDenied("You may not see that candidate.")
    if conversation.candidate_id is not None:
        raise ValidationError({"candidate": ["This conversation is already placed."]})
    with transaction.atomic():
        conversation.candidate = candidate
        conversation.save(update_fields=["candidate"])
        _keep_sender(actor, conversation, candidate)
        for message in conversation.messages.filter(kind=InboundKind.UNMATCHED):
            message.kind, message.matched_by, message.candidate = (
                InboundKind.REPLY,
                "hand",
                candidate,
            )
            message.save(update_fields=["kind", "matched_by", "candidate"])
            activity_record(
                kind=ActivityKind.EMAIL_REPLIED, candidate=candidate, actor=actor,
                summary=_summary(message), target=message,
                data=_activity_data(message, conversation),
            )  # fmt: skip
        for text in conversation.texts.filter(direction=SmsDirection.IN, candidate__isnull=True):
            text.candidate = candidate
            text.save(update_fields=["candidate"])
            activity_record(
                kind=ActivityKind.SMS_RECEIVED, candidate=candidate, actor=actor,
                summary=text.body, target=text, data={"direction": "in", "number": text.number},
            )  # fmt: skip
        enrollments_stop(candidate=candidate, reason="replied", actor=actor)
    return conversation


def _keep_sender(actor: User, conversation: Conversation, candidate: Candidate) -> None:
    """The address (or number) that wrote becomes one of the candidate's, so
    that answers reach it and its next message is theirs, unless it belongs
    to someone else or cannot be added."""
    kind = ContactKind.PHONE if conversation.channel == Channel.SMS else ContactKind.EMAIL
    value = conversation.from_email
    if not value or candidate.contacts.filter(kind=kind, value=value).exists():
        return
    if kind == ContactKind.EMAIL and ContactPoint.objects.filter(kind=kind, value=value).exists():
        return
    try:
        with transaction.atomic():
            contact_add(actor=actor, candidate=candidate, kind=kind, value=value, label="inbox")
    except (ValidationError, PermissionDenied):
        pass  # placing the mail matters more than keeping the address


def conversation_create_candidate(*, actor: User, conversation: Conversation) -> Candidate:
    """A new candidate from an unmatched sender, with the conversation placed."""
    if conversation.channel == Channel.SMS:
        with transaction.atomic():
            candidate = candidate_create(
                actor=actor,
                data=CandidateFields(first_name=conversation.from_email, source="inbound text"),
                phones=[conversation.from_email],
            )
            conversation_place(actor=actor, conversation=conversation, candidate=candidate)
        return candidate
    first = conversation.messages.order_by("received_at").first()
    if first is None or not first.from_email:
        raise ValidationError({"candidate": ["This mail has no sender address to start from."]})
    given, _, family = (first.from_name or first.from_email.split("@")[0]).partition(" ")
    with transaction.atomic():
        candidate = candidate_create(
            actor=actor,
            data=CandidateFields(
                first_name=given[:100] or "Unknown", last_name=family[:100], source="inbound email"
            ),
            emails=[first.from_email],
        )
        conversation_place(actor=actor, conversation=conversation, candidate=candidate)
    return candidate


def notifications_read(*, actor: User, ids: list[int] | None = None) -> int:
    found = Notification.objects.filter(user=actor, read_at__isnull=True)
    if ids is not None:
        found = found.filter(pk__in=ids)
    return found.update(read_at=timezone.now())
