"""Who a person already is in the talent pool.

Exact identity is a normalised email address, an E.164 phone number or a
canonical LinkedIn or GitHub profile URL (`core.contacts`): any one of them
names one candidate. `find_exact` answers for many people at once, in four
queries, one index probe per key (`core.lookup`), so an import can ask for a
whole batch.

Names are never identity. People who merely look alike (a similar name at
the same company, city or school) are possible duplicates, for a person to
review; nothing here merges anyone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model

from rapport.core.contacts import canonical_profile_url
from rapport.core.lookup import rows_for_each
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
    by_email = _first(
        {e for p in people for e in p.emails},
        ContactPoint,
        "value",
        where="t.kind = %s",
        params=[ContactKind.EMAIL],
    )
    by_phone = _first(
        {n for p in people for n in p.phones},
        ContactPoint,
        "value",
        where="t.kind = %s",
        params=[ContactKind.PHONE],
        order="t.is_primary DESC, t.id",
    )
    by_linkedin = _first({p.linkedin for p in people if p.linkedin}, Candidate, "linkedin_url")
    by_github = _first({p.github for p in people if p.github}, Candidate, "github_url")
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


def _first(
    values: set[str],
    model: type[Model],
    column: str,
    *,
    where: str = "",
    params: Sequence[Any] = (),
    order: str = "t.id",
) -> dict[str, int]:
    """Value → the first candidate (by `order`) it names."""
    owner = "candidate_id" if model is ContactPoint else "id"
    rows = rows_for_each(
        values,
        table=model._meta.db_table,
        column=column,
        select=[owner],
        where=where,
        params=params,
        order=order,
    )
    found: dict[str, int] = {}
    for value, candidate_id in rows:
        found.setdefault(value, candidate_id)
    return found


def _match(found: dict[str, int]) -> Match:
    for kind in PRECEDENCE:
        if kind in found:
            winner = found[kind]
            others = tuple(sorted({c for c in found.values() if c != winner}))
            return Match(candidate_id=winner, by=kind, conflicts=others)
    return Match(candidate_id=None)
