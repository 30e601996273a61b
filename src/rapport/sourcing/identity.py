"""Who a person already is in the talent pool.

Exact identity is a normalised email address, an E.164 phone number or a
canonical LinkedIn or GitHub profile URL (`core.contacts`): any one of them
names one candidate. `find_exact` answers for many people at once, in four
queries, so an import can ask for a whole batch.

Names are never identity. People who merely look alike (a similar name at
the same company, city or school) are possible duplicates, for a person to
review; nothing here merges anyone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rapport.core.contacts import canonical_profile_url
from rapport.people.models import Candidate, ContactKind, ContactPoint

# Which kind of key wins when one person's keys name different candidates.
PRECEDENCE = ("email", "linkedin", "github", "phone")


@dataclass
class Keys:
    """What identifies one incoming person, already normalised (emails lower
    case, phones E.164); profile URLs are made canonical here."""

    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    linkedin: str = ""
    github: str = ""

    def __post_init__(self) -> None:
        self.linkedin = canonical_profile_url(self.linkedin) if self.linkedin else ""
        self.github = canonical_profile_url(self.github) if self.github else ""


@dataclass(frozen=True)
class Match:
    candidate_id: int | None  # the candidate these keys name, by precedence
    by: str = ""  # email, linkedin, github or phone
    conflicts: tuple[int, ...] = ()  # other candidates some other key named


def find_exact(people: Sequence[Keys]) -> list[Match]:
    """For each person, the candidate their keys name (four queries in all)."""
    emails = {e for p in people for e in p.emails}
    phones = {n for p in people for n in p.phones}
    by_email = dict(
        ContactPoint.objects.filter(kind=ContactKind.EMAIL, value__in=emails).values_list(
            "value", "candidate_id"
        )
    ) if emails else {}  # fmt: skip
    by_phone: dict[str, int] = {}
    if phones:
        for value, candidate_id in (
            ContactPoint.objects.filter(kind=ContactKind.PHONE, value__in=phones)
            .order_by("-is_primary", "id")
            .values_list("value", "candidate_id")
        ):
            by_phone.setdefault(value, candidate_id)
    by_linkedin = _by_url("linkedin_url", {p.linkedin for p in people if p.linkedin})
    by_github = _by_url("github_url", {p.github for p in people if p.github})
    matches = []
    for person in people:
        found: dict[str, int] = {}
        for email in person.emails:
            if email in by_email:
                found.setdefault("email", by_email[email])
        if person.linkedin in by_linkedin:
            found["linkedin"] = by_linkedin[person.linkedin]
        if person.github in by_github:
            found["github"] = by_github[person.github]
        for phone in person.phones:
            if phone in by_phone:
                found.setdefault("phone", by_phone[phone])
        matches.append(_match(found))
    return matches


def _by_url(column: str, urls: set[str]) -> dict[str, int]:
    if not urls:
        return {}
    rows = Candidate.objects.filter(**{f"{column}__in": urls}).order_by("id")
    found: dict[str, int] = {}
    for url, candidate_id in rows.values_list(column, "id"):
        found.setdefault(url, candidate_id)
    return found


def _match(found: dict[str, int]) -> Match:
    for kind in PRECEDENCE:
        if kind in found:
            winner = found[kind]
            others = tuple(sorted({c for c in found.values() if c != winner}))
            return Match(candidate_id=winner, by=kind, conflicts=others)
    return Match(candidate_id=None)
