"""Schemas more than one router answers with. Each area's own request and
response schemas live next to its endpoints."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Field, Schema

from rapport.accounts.models import User
from rapport.people.models import Candidate, ContactPoint
from rapport.people.selectors import PoolShown, SkillShown

# An id the database can hold: a larger number is a 422 naming the field, never
# a parameter the database driver refuses (a 500).
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class UserRef(Schema):
    id: int
    name: str
    email: str

    @staticmethod
    def resolve_name(obj: User) -> str:
        return obj.display_name


class ContactRef(Schema):
    id: int
    value: str
    label: str
    is_primary: bool


class SkillOut(Schema):
    name: str
    level: int | None
    years: int | None


class PoolRef(Schema):
    id: int
    name: str


class CandidateOut(Schema):
    """A candidate with their contact points, skills, tags and pools. Rows
    must come with `selectors.attach_shown` done, or each one costs queries."""

    id: int
    first_name: str
    last_name: str
    full_name: str
    headline: str
    current_title: str
    current_company: str
    city: str
    country: str
    timezone: str
    languages: list[str]
    seniority: str
    years_experience: int | None
    linkedin_url: str
    github_url: str
    portfolio_url: str
    source: str
    owner: UserRef | None
    custom_fields: dict[str, Any]
    consent: str
    last_contacted_at: dt.datetime | None
    engagement_score: float
    created_at: dt.datetime
    updated_at: dt.datetime
    emails: list[ContactRef]
    phones: list[ContactRef]
    skills: list[SkillOut]
    tags: list[str]
    pools: list[PoolRef]

    @staticmethod
    def resolve_emails(obj: Candidate) -> list[ContactPoint]:
        return obj.shown.emails

    @staticmethod
    def resolve_phones(obj: Candidate) -> list[ContactPoint]:
        return obj.shown.phones

    @staticmethod
    def resolve_skills(obj: Candidate) -> list[SkillShown]:
        return obj.shown.skills

    @staticmethod
    def resolve_tags(obj: Candidate) -> list[str]:
        return obj.shown.tags

    @staticmethod
    def resolve_pools(obj: Candidate) -> list[PoolShown]:
        # attach_shown leaves them out for users who may not see the team's pools.
        return obj.shown.pools
