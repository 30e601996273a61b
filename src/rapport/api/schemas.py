"""Schemas more than one router answers with. Each area's own request and
response schemas live next to its endpoints."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema

from rapport.accounts.models import Capability, User
from rapport.api.auth import actor
from rapport.people.models import Candidate, CandidateSkill, ContactKind, ContactPoint, Pool


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

    @staticmethod
    def resolve_name(obj: CandidateSkill) -> str:
        return obj.skill.name


class PoolRef(Schema):
    id: int
    name: str


class CandidateOut(Schema):
    """A candidate with their contact points, skills, tags and pools. Rows
    must come with `prefetch_profile` done, or each one costs queries."""

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
        return [c for c in obj.contacts.all() if c.kind == ContactKind.EMAIL]

    @staticmethod
    def resolve_phones(obj: Candidate) -> list[ContactPoint]:
        return [c for c in obj.contacts.all() if c.kind == ContactKind.PHONE]

    @staticmethod
    def resolve_skills(obj: Candidate) -> list[CandidateSkill]:
        return list(obj.skill_links.all())

    @staticmethod
    def resolve_tags(obj: Candidate) -> list[str]:
        return [link.tag.name for link in obj.tag_links.all()]

    @staticmethod
    def resolve_pools(obj: Candidate, context: dict[str, Any]) -> list[Pool]:
        # The rule of selectors.pools_visible, applied to prefetched rows: a
        # hiring manager sees a shared candidate, not the team's pools.
        if not actor(context["request"]).can(Capability.SEE_ALL_CANDIDATES):
            return []
        memberships = obj.pool_memberships.all()
        return [m.pool for m in memberships if m.pool.archived_at is None]
