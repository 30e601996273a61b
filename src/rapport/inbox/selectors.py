"""Reads of the team inbox, always scoped to the acting user.

A user sees the conversations of the candidates they may see. Mail that no
one has placed with a candidate yet is seen by those who see every
candidate and may answer them (recruiters and admins), since it could be
about anyone."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from rapport.accounts.models import Capability
from rapport.core.models import Notification
from rapport.inbox.models import (
    Channel,
    Conversation,
    ConversationStatus,
    InboundMessage,
    SmsMessage,
)
from rapport.outreach.models import Message
from rapport.people.selectors import candidates_visible

if TYPE_CHECKING:
    from rapport.accounts.models import User

VIEWS = {
    "open": "Open",
    "mine": "Mine",
    "unassigned": "Unassigned",
    "needs_reply": "Needs reply",
    "unmatched": "Unmatched",
    "done": "Done",
}


def may_use_inbox(user: User) -> bool:
    return user.is_active and user.can(Capability.SEND_EMAIL)


def sees_unmatched(user: User) -> bool:
    return may_use_inbox(user) and user.can(Capability.SEE_ALL_CANDIDATES)


def conversations_visible(user: User) -> QuerySet[Conversation]:
    if not may_use_inbox(user):
        return Conversation.objects.none()
    placed = Q(candidate__in=candidates_visible(user))
    if sees_unmatched(user):
        placed |= Q(candidate__isnull=True)
    return Conversation.objects.filter(placed)


def conversation_list(user: User, *, view: str = "open") -> QuerySet[Conversation]:
    """Unread first, then the most recent."""
    found = conversations_visible(user)
    if view == "done":
        found = found.filter(status=ConversationStatus.DONE)
    else:
        found = found.filter(status=ConversationStatus.OPEN)
    if view == "mine":
        found = found.filter(Q(assignee=user) | Q(assignee__isnull=True, candidate__owner=user))
    elif view == "unassigned":
        found = found.filter(assignee__isnull=True)
    elif view == "needs_reply":
        found = found.filter(needs_reply=True)
    elif view == "unmatched":
        found = found.filter(candidate__isnull=True)
    return (
        found.select_related("candidate", "assignee")
        .annotate(count=Count("messages"))
        .order_by("-unread", "-last_message_at", "-id")
    )


def view_counts(user: User) -> dict[str, int]:
    """How many conversations each view holds, in one query."""
    found = conversations_visible(user)
    open_ = Q(status=ConversationStatus.OPEN)
    counts = found.aggregate(
        open=Count("id", filter=open_),
        mine=Count(
            "id",
            filter=open_ & (Q(assignee=user) | Q(assignee__isnull=True, candidate__owner=user)),
        ),
        unassigned=Count("id", filter=open_ & Q(assignee__isnull=True)),
        needs_reply=Count("id", filter=open_ & Q(needs_reply=True)),
        unmatched=Count("id", filter=open_ & Q(candidate__isnull=True)),
        done=Count("id", filter=Q(status=ConversationStatus.DONE)),
        unread=Count("id", filter=open_ & Q(unread=True)),
    )
    return {name: counts[name] or 0 for name in counts}


def conversation_get(user: User, pk: int | str) -> Conversation:
    try:
        return (
            conversations_visible(user)
            .select_related("candidate", "candidate__owner", "assignee")
            .get(pk=int(pk))
        )
    except (Conversation.DoesNotExist, ValueError, TypeError):
        raise Http404("No such conversation.") from None


@dataclass(frozen=True)
class Entry:
    """One message of a thread, whichever way it went: an email in, an
    email out, or a text either way."""

    inbound: InboundMessage | None = None
    outbound: Message | None = None
    text: SmsMessage | None = None

    @property
    def at(self) -> dt.datetime:
        if self.inbound is not None:
            return self.inbound.received_at
        if self.text is not None:
            return self.text.created_at
        assert self.outbound is not None
        return self.outbound.sent_at or self.outbound.created_at


def conversation_thread(conversation: Conversation) -> list[Entry]:
    """The messages of a conversation in time order: what came in, and what we
    sent in the same thread (the mail they answer, and our answers)."""
    if conversation.channel == Channel.SMS:
        texts = SmsMessage.objects.filter(conversation=conversation)
        if conversation.candidate_id:  # and what we texted them before they wrote
            texts = SmsMessage.objects.filter(
                Q(conversation=conversation)
                | Q(candidate_id=conversation.candidate_id, number=conversation.from_email)
            )
        return [Entry(text=t) for t in texts.select_related("author").order_by("created_at", "id")]
    inbound = list(conversation.messages.select_related("answers").order_by("received_at", "id"))
    ids = {m.header_message_id for m in inbound if m.header_message_id}
    answered = {m.answers_id for m in inbound if m.answers_id}
    outbound: list[Message] = []
    if conversation.candidate_id:
        outbound = list(
            Message.objects.filter(candidate_id=conversation.candidate_id).filter(
                Q(pk__in=answered) | Q(in_reply_to__in=ids) | Q(message_id=conversation.thread_key)
            )
        )
    entries = [Entry(inbound=m) for m in inbound] + [Entry(outbound=m) for m in outbound]
    return sorted(entries, key=lambda e: e.at)


def suggestion_for(user: User, conversation: Conversation) -> int | None:
    """The candidate unmatched mail claimed to answer, if the user may see them."""
    first = conversation.messages.filter(suggested_candidate__isnull=False).first()
    if first is None or first.suggested_candidate_id is None:
        return None
    if candidates_visible(user).filter(pk=first.suggested_candidate_id).exists():
        return first.suggested_candidate_id
    return None


def inbound_get(user: User, pk: int | str) -> InboundMessage:
    """One inbound message, through the conversation it belongs to."""
    try:
        message = InboundMessage.objects.get(pk=int(pk))
    except (InboundMessage.DoesNotExist, ValueError, TypeError):
        raise Http404("No such message.") from None
    if message.conversation_id is not None:
        conversation_get(user, message.conversation_id)
    elif (
        message.candidate_id is None
        or not may_use_inbox(user)
        or not candidates_visible(user).filter(pk=message.candidate_id).exists()
    ):
        raise Http404("No such message.")
    return message


def candidate_conversations(user: User, candidate_id: int) -> QuerySet[Conversation]:
    return (
        conversations_visible(user).filter(candidate_id=candidate_id).order_by("-last_message_at")
    )


def unread_notifications(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user, read_at__isnull=True).order_by("-created_at")


def notifications_visible(user: User) -> QuerySet[Notification]:
    """The user's notifications about what they may still see."""
    visible = candidates_visible(user).filter(pk=OuterRef("candidate_id"))
    return Notification.objects.filter(user=user).filter(
        Q(candidate__isnull=True) | Exists(visible)
    )


def notification_list(user: User) -> QuerySet[Notification]:
    return notifications_visible(user).order_by("-created_at")[:50]
