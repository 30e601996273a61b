"""Reads of texts and of logged calls and meetings, for a candidate the
user may already see (people.selectors.candidate_get)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.http import Http404

from rapport.accounts.models import Capability
from rapport.inbox.models import Interaction, SmsMessage, SmsStatus
from rapport.people.models import ContactKind, ContactPoint

if TYPE_CHECKING:
    from rapport.accounts.models import User
    from rapport.people.models import Candidate

THREAD_LENGTH = 50
RECENT_INTERACTIONS = 5
PENDING = (SmsStatus.QUEUED, SmsStatus.SENDING)


def may_text(user: User) -> bool:
    return user.can(Capability.SEND_EMAIL)


def may_log(user: User) -> bool:
    return user.can(Capability.ADD_NOTES)


def sms_thread(user: User, candidate: Candidate) -> list[SmsMessage]:
    """The latest texts with the candidate, oldest first (a chat reads down),
    with texts from their numbers that arrived before the number was theirs."""
    if not may_text(user):
        raise Http404("Not found.")
    numbers = ContactPoint.objects.filter(candidate=candidate, kind=ContactKind.PHONE).values(
        "value"
    )
    texts = (
        SmsMessage.objects.filter(
            Q(candidate=candidate) | Q(candidate__isnull=True, number__in=numbers)
        )
        .select_related("author")
        .order_by("-created_at", "-id")[:THREAD_LENGTH]
    )
    return list(reversed(texts))


def thread_pending(texts: list[SmsMessage]) -> bool:
    """Whether some text is still on its way (the panel then refreshes)."""
    return any(t.status in PENDING for t in texts)


def interactions_recent(user: User, candidate: Candidate) -> list[Interaction]:
    if not may_log(user):
        raise Http404("Not found.")
    return list(
        Interaction.objects.filter(candidate=candidate).select_related("author")[
            :RECENT_INTERACTIONS
        ]
    )
