"""Reads of outreach, always for one user. Templates, campaigns, sequences and
the captured mailbox belong to the team: whoever may send email sees them;
a role that may not (a hiring manager) gets a 404, as for anything else it
may not see."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from django.db.models import Count, Model, Q, QuerySet
from django.http import Http404

from rapport.accounts.models import Capability
from rapport.outreach.models import (
    Campaign,
    CapturedMail,
    Enrollment,
    Message,
    MessageKind,
    MessageStatus,
    Preference,
    Sequence,
    Template,
)
from rapport.people import selectors as people

if TYPE_CHECKING:
    from rapport.accounts.models import User
    from rapport.people.models import Candidate

M = TypeVar("M", bound=Model)


def may_send(user: User) -> bool:
    return user.can(Capability.SEND_EMAIL)


def _team(user: User) -> None:
    if not may_send(user):
        raise Http404("Not found.")


def _get(rows: QuerySet[M], pk: int | str, what: str) -> M:
    try:
        return rows.get(pk=int(pk))
    except (ValueError, TypeError, rows.model.DoesNotExist):  # type: ignore[attr-defined]
        raise Http404(f"No such {what}.") from None


def template_list(user: User, *, archived: bool = False) -> QuerySet[Template]:
    _team(user)
    return Template.objects.filter(archived_at__isnull=not archived).select_related("topic")


def template_get(user: User, pk: int | str) -> Template:
    _team(user)
    return _get(Template.objects.select_related("topic"), pk, "template")


def campaign_list(user: User) -> QuerySet[Campaign]:
    _team(user)
    return (
        Campaign.objects.select_related("template", "segment", "pool", "sender")
        .annotate(
            sent=Count("messages", filter=Q(messages__status=MessageStatus.SENT)),
            total=Count("messages"),
        )
        .order_by("-created_at", "-id")
    )


def campaign_get(user: User, pk: int | str) -> Campaign:
    _team(user)
    return _get(
        Campaign.objects.select_related("template", "segment", "pool", "sender", "created_by"),
        pk,
        "campaign",
    )


def campaign_counts(campaign: Campaign) -> dict[str, int]:
    """How many of its messages are in each state."""
    return dict(
        campaign.messages.order_by()
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )


def campaign_recipients(campaign: Campaign, *, status: str = "") -> QuerySet[Message]:
    rows = campaign.messages.select_related("candidate").order_by(
        "candidate__last_name", "candidate__first_name", "id"
    )
    return rows.filter(status=status) if status else rows


def sequence_list(user: User) -> QuerySet[Sequence]:
    _team(user)
    return (
        Sequence.objects.select_related("sender", "auto_segment")
        .annotate(
            steps_count=Count("steps", distinct=True),
            active_count=Count(
                "enrollments", filter=Q(enrollments__status="active"), distinct=True
            ),
        )
        .order_by("name")
    )


def sequence_get(user: User, pk: int | str) -> Sequence:
    _team(user)
    return _get(
        Sequence.objects.select_related("sender", "auto_segment", "created_by"), pk, "sequence"
    )


def enrollments(sequence: Sequence) -> QuerySet[Enrollment]:
    return sequence.enrollments.select_related("candidate", "enrolled_by").order_by(
        "-enrolled_at", "-id"
    )


def candidate_messages(user: User, candidate: Candidate) -> QuerySet[Message]:
    """The mail to one candidate the user may see (whoever sees the candidate
    sees what was sent to them); not mail to teammates about them."""
    people.candidate_get(user, candidate.pk)
    return (
        candidate.messages.exclude(kind=MessageKind.STAFF)
        .select_related("campaign", "enrollment__sequence", "author")
        .order_by("-created_at", "-id")
    )


def candidate_enrollments(user: User, candidate: Candidate) -> QuerySet[Enrollment]:
    people.candidate_get(user, candidate.pk)
    return candidate.enrollments.select_related("sequence").order_by("-enrolled_at")


def mailbox(user: User) -> QuerySet[CapturedMail]:
    _team(user)
    return CapturedMail.objects.select_related("message", "message__candidate").order_by(
        "-captured_at", "-id"
    )


def captured_get(user: User, pk: int | str) -> CapturedMail:
    _team(user)
    return _get(CapturedMail.objects.select_related("message", "message__candidate"), pk, "message")


def enrollment_get(user: User, pk: int | str) -> Enrollment:
    _team(user)
    enrollment = _get(Enrollment.objects.select_related("sequence", "candidate"), pk, "enrolment")
    people.candidate_get(user, enrollment.candidate_id)
    return enrollment


def candidate_preference(user: User, candidate: Candidate) -> Preference | None:
    """What the candidate told us in their preference centre, if anything."""
    people.candidate_get(user, candidate.pk)
    return (
        Preference.objects.filter(candidate=candidate).prefetch_related("topics_declined").first()
    )
