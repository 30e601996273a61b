"""Capture from profile pages: read a page the user has open, learn whether
the person is already in the talent pool, and save them with tags, a pool
and a note. The capture window of the bookmarklet and the extension does the
same through the web app; these endpoints are for other clients."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Router, Schema, Status

from rapport.accounts.models import Capability
from rapport.api.auth import actor
from rapport.api.errors import ERRORS, fields_as_sent
from rapport.api.schemas import CandidateOut
from rapport.people import selectors
from rapport.people.services import CandidateFields, require
from rapport.sourcing.capture import Profile, merge, read_page
from rapport.sourcing.capture_services import Existing, capture_lookup, capture_save

router = Router(tags=["capture"])

# The most HTML a lookup takes. The whole request must also stay within the
# server's limit on request bodies (Django's DATA_UPLOAD_MAX_MEMORY_SIZE,
# 2.5 MB), which a page of non-Latin text, escaped in JSON, reaches sooner.
MAX_HTML = 1_000_000

# What SaveIn carries of the candidate's own fields.
PROFILE = {
    "first_name", "last_name", "headline", "current_title", "current_company", "city",
    "country", "linkedin_url", "github_url", "portfolio_url",
}  # fmt: skip


class ProfileFields(Schema):
    name: str = Field("", max_length=200)
    first_name: str = Field("", max_length=100)
    last_name: str = Field("", max_length=100)
    headline: str = Field("", max_length=200)
    current_title: str = Field("", max_length=150)
    current_company: str = Field("", max_length=150)
    location: str = Field("", max_length=200, description="As the page writes it.")
    city: str = Field("", max_length=100)
    country: str = Field("", max_length=100, description="An ISO code when recognised.")
    emails: list[str] = Field(default_factory=list, max_length=10)
    linkedin_url: str = Field("", max_length=300)
    github_url: str = Field("", max_length=300)
    portfolio_url: str = Field("", max_length=300)
    links: list[str] = Field(default_factory=list, max_length=20)
    skills: list[str] = Field(default_factory=list, max_length=30)
    login: str = Field("", max_length=100, description="The GitHub login.")


class LookupIn(Schema):
    url: str = Field(max_length=2000, description="The address of the page (http or https).")
    html: str = Field(
        "",
        max_length=MAX_HTML,
        description="The page's HTML, as the browser has it: read, never run, and nothing "
        "it links to is fetched. At most 1,000,000 characters, and the whole request at "
        "most 2.5 MB; send the fields instead when you have read them yourself.",
    )
    fields: ProfileFields | None = Field(
        None, description="Fields already read; each one sent replaces what the HTML says."
    )


class ReadOut(ProfileFields):
    url: str
    sources: list[str] = Field(
        description="What the fields were read from, most trusted first: json-ld, github, "
        "linkedin, microdata, h-card, opengraph."
    )


class ExistingOut(Schema):
    exists: bool
    candidate_id: int | None = Field(
        description="Only when you may see the candidate; otherwise null, even if they exist."
    )
    name: str
    matched_by: str = Field(description="email, linkedin or github; empty when not shown.")
    url: str = Field(description="Their page in Rapport, when you may see them.")


class LookupOut(Schema):
    read: ReadOut
    existing: ExistingOut


class SaveIn(Schema):
    url: str = Field(
        max_length=2000,
        description="The page's address. A GitHub or LinkedIn profile address becomes the "
        "candidate's profile link when none is sent.",
    )
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field("", max_length=100)
    headline: str = Field("", max_length=200)
    current_title: str = Field("", max_length=150)
    current_company: str = Field("", max_length=150)
    city: str = Field("", max_length=100)
    country: str = Field("", max_length=100, description="ISO code (BR) or English name.")
    linkedin_url: str = Field("", max_length=300)
    github_url: str = Field("", max_length=300)
    portfolio_url: str = Field("", max_length=300)
    emails: list[str] = Field(default_factory=list, max_length=10)
    skills: list[str] = Field(default_factory=list, max_length=30)
    tags: list[str] = Field(default_factory=list, max_length=20)
    pool_id: int | None = Field(None, description="A pool to add them to.")
    note: str = Field("", max_length=20_000, description="Markdown, on their timeline.")


class SaveOut(Schema):
    candidate: CandidateOut
    created: bool = Field(description="True when the person is new to the talent pool.")
    filled: list[str] = Field(description="What an existing record lacked and now holds.")
    skipped: list[str] = Field(description="What was not kept, and why.")


@router.post(
    "/capture/lookup",
    response={200: LookupOut, **ERRORS},
    summary="Read a profile page and find the person",
)
def lookup(request: HttpRequest, payload: LookupIn) -> dict[str, object]:
    """What the page says about the person (name, headline, location,
    public emails, links, skills) and whether they are already in the
    talent pool. Needs a role that may add candidates."""
    user = actor(request)
    require(user, Capability.EDIT_CANDIDATES)  # before any reading
    with fields_as_sent():
        profile = read_page(payload.url, payload.html)
    if payload.fields is not None:
        profile = merge(profile, payload.fields.model_dump(exclude_unset=True))
    existing = capture_lookup(actor=user, profile=profile)
    return {"read": _read(profile), "existing": _existing(existing)}


@router.post(
    "/capture/save",
    response={200: SaveOut, 201: SaveOut, **ERRORS},
    summary="Save a captured person",
)
def save(request: HttpRequest, payload: SaveIn) -> Status[dict[str, object]]:
    """Adds the person (source "capture"), or, when their email or profile
    names a candidate already, fills in only what that record lacks. Then
    tags them, adds them to the pool and adds the note, all or nothing.
    Answers 201 for a new candidate, 200 for one that was there."""
    user = actor(request)
    pool = selectors.pool_get(user, payload.pool_id) if payload.pool_id is not None else None
    with fields_as_sent(email="emails", tag="tags", body="note", skills="skills"):
        saved = capture_save(
            actor=user,
            url=payload.url,
            data=CandidateFields(**payload.model_dump(include=PROFILE)),
            emails=payload.emails,
            skills=payload.skills,
            tags=payload.tags,
            pool=pool,
            note=payload.note,
        )
    body = {
        "candidate": selectors.candidate_get_full(user, saved.candidate.pk),
        "created": saved.created,
        "filled": saved.filled,
        "skipped": saved.skipped,
    }
    return Status(201 if saved.created else 200, body)


def _read(profile: Profile) -> dict[str, object]:
    return dict(vars(profile))


def _existing(existing: Existing) -> dict[str, object]:
    path = (
        reverse("candidate_detail", args=[existing.candidate_id]) if existing.candidate_id else ""
    )
    return {
        "exists": existing.exists,
        "candidate_id": existing.candidate_id,
        "name": existing.name,
        "matched_by": existing.by,
        "url": settings.BASE_URL + path if path else "",
    }
