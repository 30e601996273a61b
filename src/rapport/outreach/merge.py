"""The merge fields of a message: what a template may say about the candidate,
the last conversation, the sender and the job (see rendering.FIELDS).

Built for many candidates at a time with a fixed number of queries, so a
campaign to a hundred thousand people personalises in batches."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

import pycountry
from django.conf import settings
from django.db.models import Q

from rapport.core.models import Activity, ActivityKind
from rapport.outreach import tokens
from rapport.outreach.rendering import MAX_ITEMS
from rapport.people.models import CandidateSkill, ContactKind, ContactPoint

if TYPE_CHECKING:
    from rapport.accounts.models import User
    from rapport.people.models import Candidate

# What counts as a conversation: a note a teammate may read out, a reply, a
# call, a meeting. Confidential notes never reach a template.
CONVERSATION_KINDS: dict[str, str] = {
    ActivityKind.NOTE_ADDED: "note",
    ActivityKind.EMAIL_REPLIED: "reply",
    ActivityKind.CALL_LOGGED: "call",
    ActivityKind.MEETING_LOGGED: "meeting",
}
SUMMARY_CHARS = 160
# What the merge fields and the send window read of a candidate.
CANDIDATE_COLUMNS = (
    "id", "first_name", "last_name", "headline", "current_title", "current_company",
    "city", "country", "timezone",
)  # fmt: skip


@dataclass(frozen=True)
class Job:
    """A job a message is about (the jobs app fills it in)."""

    title: str
    department: str = ""
    location: str = ""
    url: str = ""


class Person(NamedTuple):
    """What the merge fields read of a candidate, fetched as plain values:
    a campaign builds a hundred thousand of these."""

    pk: int
    first_name: str
    last_name: str
    headline: str
    current_title: str
    current_company: str
    city: str
    country: str
    timezone: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True)
class Recipient:
    """One candidate's merge fields and address."""

    candidate_id: int
    email: str  # the primary address, "" when there is none
    context: dict[str, Any]


def sender_fields(sender: User) -> dict[str, Any]:
    name = sender.name or sender.email.split("@")[0]
    return {
        "name": name,
        "first_name": name.split()[0],
        "email": sender.email,
        "signature": sender.signature,
    }


def recipients(
    candidates: Sequence[Candidate | Person], *, sender: User, job: Job | None = None
) -> list[Recipient]:
    """Merge fields for each candidate, in the order given (4 queries)."""
    ids = [c.pk for c in candidates]
    skills = _skills(ids)
    conversations = _last_conversations(ids)
    emails = primary_emails(ids)
    sender_context = sender_fields(sender)
    job_context = vars(job) if job else None
    return [
        Recipient(
            candidate_id=c.pk,
            email=emails.get(c.pk, ""),
            context={
                "candidate": candidate_fields(c, skills.get(c.pk, [])),
                "last_conversation": conversations.get(c.pk),
                "sender": sender_context,
                "job": job_context,
                **candidate_links(c.pk),
            },
        )
        for c in candidates
    ]


@functools.lru_cache(maxsize=512)
def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code) if code else None
    return str(getattr(country, "common_name", None) or getattr(country, "name", ""))


def candidate_fields(candidate: Candidate | Person, skills: list[str]) -> dict[str, Any]:
    return {
        "first_name": candidate.first_name,
        "last_name": candidate.last_name,
        "full_name": candidate.full_name,
        "headline": candidate.headline,
        "current_title": candidate.current_title,
        "current_company": candidate.current_company,
        "city": candidate.city,
        "country": country_name(candidate.country),
        "skills": skills,
        "top_skill": skills[0] if skills else "",
    }


def candidate_links(candidate_id: int) -> dict[str, str]:
    token = tokens.candidate_token(candidate_id)
    return {
        "unsubscribe_url": f"{settings.BASE_URL}/unsubscribe/{token}/",
        "preferences_url": f"{settings.BASE_URL}/preferences/{token}/",
    }


def preferences_url(candidate_id: int) -> str:
    return f"{settings.BASE_URL}/preferences/{tokens.candidate_token(candidate_id)}/"


def unsubscribe_url(candidate_id: int) -> str:
    return f"{settings.BASE_URL}/unsubscribe/{tokens.candidate_token(candidate_id)}/"


def _skills(ids: list[int]) -> dict[int, list[str]]:
    """Each candidate's skills, strongest first."""
    rows = (
        CandidateSkill.objects.filter(candidate_id__in=ids)
        .order_by("candidate_id", "-level", "-years", "skill__name")
        .values_list("candidate_id", "skill__name")
    )
    found: dict[int, list[str]] = {}
    for candidate_id, name in rows:
        names = found.setdefault(candidate_id, [])
        if len(names) < MAX_ITEMS:
            names.append(name)
    return found


def _last_conversations(ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = (
        Activity.objects.filter(candidate_id__in=ids, kind__in=list(CONVERSATION_KINDS))
        .filter(Q(confidential=False))
        .order_by("candidate_id", "-occurred_at", "-id")
        .values_list("candidate_id", "kind", "occurred_at", "summary")
    )
    found: dict[int, dict[str, Any]] = {}
    for candidate_id, kind, occurred_at, summary in rows:
        if candidate_id not in found:
            found[candidate_id] = {
                "kind": CONVERSATION_KINDS[kind],
                "date": occurred_at.date(),
                "summary": summarise(summary),
            }
    return found


def summarise(text: str) -> str:
    """The first sentence, or the first SUMMARY_CHARS characters at a word."""
    text = " ".join(text.split())
    for stop in (". ", "? ", "! "):
        end = text.find(stop)
        if 0 < end < SUMMARY_CHARS:
            return text[: end + 1]
    if len(text) <= SUMMARY_CHARS:
        return text
    return text[:SUMMARY_CHARS].rsplit(" ", 1)[0] + "…"


def primary_emails(ids: list[int]) -> dict[int, str]:
    rows = (
        ContactPoint.objects.filter(candidate_id__in=ids, kind=ContactKind.EMAIL)
        .order_by("candidate_id", "-is_primary", "id")
        .values_list("candidate_id", "value")
    )
    found: dict[int, str] = {}
    for candidate_id, value in rows:
        found.setdefault(candidate_id, value)
    return found


def sample_context() -> dict[str, Any]:
    """Every field filled in, to check a template with before it is saved."""
    return {
        "candidate": {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "full_name": "Ada Lovelace",
            "headline": "Engineer",
            "current_title": "Staff Engineer",
            "current_company": "Analytical Engines",
            "city": "London",
            "country": "United Kingdom",
            "skills": ["Python", "Mathematics"],
            "top_skill": "Python",
        },
        "last_conversation": {
            "kind": "note",
            "date": dt.date(2026, 1, 1),
            "summary": "Talked about the platform team.",
        },
        "sender": {"name": "Sam Recruiter", "first_name": "Sam", "email": "sam@example.com", "signature": "Sam"},
        "job": {"title": "Platform Engineer", "department": "Engineering", "location": "Remote", "url": "https://example.com/jobs/1"},
        "unsubscribe_url": "https://example.com/unsubscribe/x/",
        "preferences_url": "https://example.com/preferences/x/",
    }  # fmt: skip
