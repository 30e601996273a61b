"""Referrals: a teammate vouches for someone they know.

Anyone signed in may refer, hiring managers included. The person is found
by their email address, phone number or LinkedIn profile
(`identity.find_exact`); someone already in the talent pool has only what
their record lacks filled in, anyone else becomes a candidate whose source
is "referral". Either way the referrer is credited (a Referral, unique per
referrer and person) and their note goes on the candidate's timeline.

What the referrer sees afterwards is the referral's progress, on "My
referrals": whether the team has been in touch since, the engagement band,
who looks after them. A referrer whose role does not see the whole talent
pool is given the candidate (a share) only when their referral brought the
person in: referring an address that is already known is no way into a
record one may not otherwise read. Such a referrer is told the person was
known already; their progress row shows nothing more than anyone else's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from rapport.accounts.models import Capability
from rapport.core.activity import activity_record
from rapport.core.contacts import normalize_email, normalize_phone
from rapport.core.errors import PermissionDenied
from rapport.core.models import ActivityKind
from rapport.engagement.scoring import band
from rapport.people.models import Candidate, CandidateShare
from rapport.people.services import (
    CandidateFields,
    candidate_fill,
    candidate_intake,
    candidate_reindex,
    candidate_share_referrer,
)
from rapport.sourcing.community import resume_read
from rapport.sourcing.identity import Keys, find_exact
from rapport.sourcing.models import Referral

if TYPE_CHECKING:
    from rapport.accounts.models import User

SOURCE = "referral"


@dataclass(frozen=True)
class ReferralInput:
    first_name: str
    last_name: str = ""
    email: str = ""
    phone: str = ""
    linkedin_url: str = ""
    current_title: str = ""
    current_company: str = ""
    note: str = ""


@dataclass(frozen=True)
class Referred:
    referral: Referral
    candidate: Candidate
    created: bool  # the referral brought a new person into the talent pool
    again: bool  # this referrer had referred them before
    visible: bool  # the referrer may open the candidate's profile


def _keys(data: ReferralInput) -> tuple[list[str], list[str]]:
    if not (data.email.strip() or data.phone.strip()):
        raise ValidationError(
            {"email": ["Give an email address or a phone number, so the team can reach them."]}
        )
    emails = [normalize_email(data.email)] if data.email.strip() else []
    phones = [normalize_phone(data.phone)] if data.phone.strip() else []
    return emails, phones


@transaction.atomic
def referral_create(
    *, actor: User, data: ReferralInput, resume: UploadedFile | None = None
) -> Referred:
    """Refer someone: found or added, the referrer credited, their note and
    CV kept with the candidate."""
    if not actor.is_active:
        raise PermissionDenied("Your account is not active.")
    emails, phones = _keys(data)
    fields = CandidateFields(
        first_name=data.first_name,
        last_name=data.last_name,
        current_title=data.current_title,
        current_company=data.current_company,
        linkedin_url=data.linkedin_url,
        source=SOURCE,
    )
    note = data.note.strip()
    match = find_exact([Keys(emails=emails, phones=phones, linkedin=data.linkedin_url)])[0]
    created = match.candidate_id is None
    if match.candidate_id is None:
        candidate = candidate_intake(
            data=fields, emails=emails, phones=phones, by=actor,
            summary=f"Referred by {actor.display_name}", note=note,
        )  # fmt: skip
        candidate_share_referrer(candidate=candidate, referrer=actor)
    else:
        candidate = Candidate.objects.get(pk=match.candidate_id)
        candidate_fill(
            candidate=candidate, data=fields, emails=emails, phones=phones, by=actor, note=note
        )
    referral, new = Referral.objects.get_or_create(
        candidate=candidate, referrer=actor, defaults={"note": note}
    )
    if not created:
        activity_record(
            kind=ActivityKind.CANDIDATE_UPDATED, candidate=candidate, actor=actor,
            summary=f"Referred by {actor.display_name}" + ("" if new else " again"),
            target=referral, data={"fields": ["referral"]},
        )  # fmt: skip
    if resume is not None:
        kept = resume_read(upload=resume, candidate=candidate, by=actor)
        activity_record(
            kind=ActivityKind.CANDIDATE_UPDATED, candidate=candidate, actor=actor,
            summary=f"{actor.display_name} sent a CV with the referral ({kept.original_name})",
            target=kept, data={"fields": ["resume"]},
        )  # fmt: skip
        candidate_reindex(candidate_ids=[candidate.pk])
    return Referred(
        referral=referral,
        candidate=candidate,
        created=created,
        again=not new,
        visible=_sees(actor, candidate),
    )


def _sees(user: User, candidate: Candidate) -> bool:
    if user.can(Capability.SEE_ALL_CANDIDATES):
        return True
    return CandidateShare.objects.filter(candidate=candidate, user=user).exists()


# --- reads


@dataclass(frozen=True)
class Progress:
    """One referral as its referrer (or the team) follows it."""

    referral: Referral
    visible: bool  # the reader may open the candidate's profile
    contacted_at: dt.datetime | None  # the team's last contact, if since the referral
    band: str  # engagement: none, low, medium or high
    looked_after_by: str  # the candidate's owner, or ""


def _referrals(user: User) -> QuerySet[Referral]:
    shared = CandidateShare.objects.filter(candidate=OuterRef("candidate"), user=user)
    return (
        Referral.objects.select_related("candidate", "candidate__owner", "referrer")
        .annotate(shared=Exists(shared))
        .order_by("-created_at", "-id")
    )


def _progress(user: User, rows: QuerySet[Referral]) -> list[Progress]:
    sees_all = user.can(Capability.SEE_ALL_CANDIDATES)
    found = []
    for referral in rows:
        candidate = referral.candidate
        contacted = candidate.last_contacted_at
        owner = candidate.owner
        found.append(
            Progress(
                referral=referral,
                visible=sees_all or bool(referral.shared),  # type: ignore[attr-defined]
                contacted_at=contacted if contacted and contacted >= referral.created_at else None,
                band=band(candidate.engagement_score),
                looked_after_by=owner.display_name if owner is not None else "",
            )
        )
    return found


def referrals_mine(user: User, *, limit: int = 200) -> list[Progress]:
    """The user's own referrals, newest first (one query)."""
    return _progress(user, _referrals(user).filter(referrer=user)[:limit])


def referrals_all(user: User, *, limit: int = 200) -> list[Progress]:
    """Everyone's referrals, for people who see the whole talent pool."""
    if not user.can(Capability.SEE_ALL_CANDIDATES):
        raise Http404("No such page.")
    return _progress(user, _referrals(user)[:limit])
