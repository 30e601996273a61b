"""Capture from profile pages: who the person on a page is in the talent
pool, and saving them with tags, a pool and a note.

Both steps need the capability to edit candidates: capture is a way of adding
people, and whether someone is in the talent pool is itself something only
the people who build it should learn. Within that, `capture_lookup` names the
candidate a page matches only to a user who may see them; anyone else is
told that the person exists and nothing more (docs/decisions/0010).

Saving finds the person again (the talent pool may have changed since the
lookup), then either adds them (source "capture") or fills in only what
their record lacks, never replacing a value. Tags, the pool and the note
go through the people services, all in one transaction: a refused tag or
pool leaves nothing half saved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from rapport.accounts.models import Capability
from rapport.core.contacts import canonical_profile_url, normalize_email
from rapport.core.errors import PermissionDenied
from rapport.people import selectors
from rapport.people.models import Candidate, CandidateSkill, ContactKind, Pool
from rapport.people.services import (
    CandidateFields,
    SkillInput,
    candidate_create,
    candidate_fill,
    candidate_update,
    note_add,
    pool_add,
    require,
    tag_add,
)
from rapport.sourcing.capture import Profile, clean_url, profile_kind
from rapport.sourcing.identity import Keys, find_exact

if TYPE_CHECKING:
    from rapport.accounts.models import User

SOURCE = "capture"


@dataclass(frozen=True)
class Existing:
    """Whether the person on the page is already in the talent pool."""

    exists: bool = False
    candidate_id: int | None = None  # only for a user who may see them
    name: str = ""
    by: str = ""  # what matched: email, linkedin or github


@dataclass(frozen=True)
class Saved:
    candidate: Candidate
    created: bool
    filled: list[str] = field(default_factory=list)  # what an existing record lacked
    skipped: list[str] = field(default_factory=list)  # what was not kept, and why


def capture_keys(*, emails: Sequence[str], linkedin_url: str, github_url: str) -> Keys:
    """The identity keys of a captured person. Links that are not profiles
    (a LinkedIn company page) identify nobody."""
    return Keys(
        emails=list(emails),
        linkedin=linkedin_url if profile_kind(linkedin_url) == "linkedin" else "",
        github=github_url if profile_kind(github_url) == "github" else "",
    )


def capture_lookup(*, actor: User, profile: Profile) -> Existing:
    require(actor, Capability.EDIT_CANDIDATES)
    keys = capture_keys(
        emails=profile.emails, linkedin_url=profile.linkedin_url, github_url=profile.github_url
    )
    match = find_exact([keys])[0]
    if match.candidate_id is None:
        return Existing()
    visible = selectors.candidates_visible(actor).filter(pk=match.candidate_id).first()
    if visible is None:
        return Existing(exists=True)
    return Existing(exists=True, candidate_id=visible.pk, name=visible.full_name, by=match.by)


@transaction.atomic
def capture_save(
    *,
    actor: User,
    url: str,
    data: CandidateFields,
    emails: Sequence[str] = (),
    skills: Sequence[str] = (),
    tags: Sequence[str] = (),
    pool: Pool | None = None,
    note: str = "",
) -> Saved:
    """Add the person captured from the page at `url`, or fill in the
    candidate they already are; then tag them, put them in `pool` and add
    `note`. The page's own address is their GitHub or LinkedIn profile when
    it is one and none was given."""
    require(actor, Capability.EDIT_CANDIDATES)
    page = clean_url(url)
    if not page:
        raise ValidationError({"url": ["Send the page's address: an http or https URL."]})
    linkedin = data.linkedin_url or (page if profile_kind(page) == "linkedin" else "")
    github = data.github_url or (page if profile_kind(page) == "github" else "")
    data = replace(  # one spelling per profile, as stored
        data,
        linkedin_url=_profile_link("linkedin_url", linkedin),
        github_url=_profile_link("github_url", github),
    )
    addresses = _emails(emails)
    keys = capture_keys(
        emails=addresses, linkedin_url=data.linkedin_url, github_url=data.github_url
    )
    match = find_exact([keys])[0]
    if match.candidate_id is None:
        candidate = candidate_create(
            actor=actor,
            data=replace(data, source=SOURCE),
            emails=addresses,
            skills=[SkillInput(name=s) for s in skills],
        )
        saved = Saved(candidate=candidate, created=True)
    else:
        saved = _fill(actor, match.candidate_id, data, addresses, skills)
    for name in tags:
        tag_add(actor=actor, candidates=[saved.candidate], name=name)
    if pool is not None:
        pool_add(actor=actor, pool=pool, candidates=[saved.candidate])
    if note.strip():
        note_add(actor=actor, candidate=saved.candidate, body=note)
    return saved


def _profile_link(name: str, value: str) -> str:
    try:
        return canonical_profile_url(value) if value.strip() else ""
    except ValueError:  # "http://[" is no address at all
        raise ValidationError({name: [f"{value!r} is not a web address."]}) from None


def _emails(emails: Sequence[str]) -> list[str]:
    cleaned: list[str] = []
    for raw in emails:
        if raw.strip() and (email := normalize_email(raw, field="emails")) not in cleaned:
            cleaned.append(email)
    return cleaned


def _fill(
    actor: User,
    candidate_id: int,
    data: CandidateFields,
    emails: list[str],
    skills: Sequence[str],
) -> Saved:
    candidate = selectors.candidates_visible(actor).filter(pk=candidate_id).first()
    if candidate is None:
        raise PermissionDenied(
            "This person is already in the talent pool, in a record your role may not see. "
            "Ask a recruiter to add what you found."
        )
    skipped: list[str] = []
    if data.linkedin_url and _elsewhere(candidate, "linkedin_url", data.linkedin_url):
        skipped.append(
            f"The LinkedIn profile {data.linkedin_url} is on another candidate's record."
        )
        data = replace(data, linkedin_url="")
    if data.github_url and _elsewhere(candidate, "github_url", data.github_url):
        skipped.append(f"The GitHub profile {data.github_url} is on another candidate's record.")
        data = replace(data, github_url="")
    taken = [e for e in emails if _email_elsewhere(candidate, e)]
    skipped += [f"{e} belongs to another candidate." for e in taken]
    filled = candidate_fill(
        candidate=candidate,
        data=replace(data, source=""),  # where they came from stays what it was
        emails=[e for e in emails if e not in taken],
        by=actor,
    )
    if _add_skills(actor, candidate, skills):
        filled.append("skills")
    return Saved(candidate=candidate, created=False, filled=filled, skipped=skipped)


def _elsewhere(candidate: Candidate, column: str, value: str) -> bool:
    return Candidate.objects.filter(**{column: value}).exclude(pk=candidate.pk).exists()


def _email_elsewhere(candidate: Candidate, email: str) -> bool:
    return (
        Candidate.objects.filter(contacts__kind=ContactKind.EMAIL, contacts__value=email)
        .exclude(pk=candidate.pk)
        .exists()
    )


def _add_skills(actor: User, candidate: Candidate, skills: Sequence[str]) -> bool:
    """Add the skills the candidate lacks, keeping the levels of those they have."""
    if not skills:
        return False
    current = [
        SkillInput(name=link.skill.name, level=link.level, years=link.years)
        for link in CandidateSkill.objects.filter(candidate=candidate).select_related("skill")
    ]
    before = len(current)
    wanted = current + [SkillInput(name=s) for s in skills]
    updated = candidate_update(
        actor=actor, candidate=candidate, data=CandidateFields.of(candidate), skills=wanted
    )
    return CandidateSkill.objects.filter(candidate=updated).count() > before
