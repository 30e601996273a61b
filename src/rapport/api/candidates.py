"""Candidates, their contact points, notes and timeline."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from rapport.accounts.models import User
from rapport.api.auth import actor
from rapport.api.errors import ERRORS, fields_as_sent
from rapport.api.pagination import Page, PageOf, PageParams, paginate
from rapport.api.schemas import CandidateOut, ContactRef, UserRef
from rapport.core.models import Activity, ActivityKind
from rapport.people import selectors, services
from rapport.people.models import Candidate, ContactKind, ContactPoint, Note, Seniority
from rapport.search.selectors import candidate_search

router = Router(tags=["candidates"])

# search.selectors.SORTS, spelled out so the OpenAPI schema lists them.
CandidateSort = Literal[
    "relevance",
    "name",
    "-name",
    "created",
    "-created",
    "updated",
    "-updated",
    "contacted",
    "-contacted",
]


class CandidateFilters(Schema):
    q: str = Field(
        "",
        max_length=2000,
        description="A search in the query language, e.g. "
        "`python AND (django OR flask) country:BR last_contacted:>90d`; see docs/search.md. "
        "A query that cannot run answers 422 with the position of the mistake.",
    )
    tag: str = Field("", description="Only candidates with this tag.")
    pool: int | None = Field(None, description="Only members of this pool (its id).")
    owner: int | None = Field(None, description="Only candidates this user (id) owns.")
    sort: CandidateSort = Field(
        "relevance",
        description="A leading - sorts descending. relevance ranks by the free text of q "
        "and is newest first when q has none.",
    )


class SkillIn(Schema):
    name: str = Field(min_length=1, max_length=80, description="A skill or one of its aliases.")
    level: int | None = Field(None, ge=1, le=5, description="1 (basic) to 5 (expert).")
    years: int | None = Field(None, ge=0, le=70)


class ProfileIn(Schema):
    """The fields of `CandidateFields`, with its defaults and the columns' lengths."""

    first_name: str = Field("", max_length=100)
    last_name: str = Field("", max_length=100)
    headline: str = Field("", max_length=200)
    current_title: str = Field("", max_length=150)
    current_company: str = Field("", max_length=150)
    city: str = Field("", max_length=100)
    country: str = Field("", max_length=100, description="ISO code (BR) or English name.")
    timezone: str = Field("", max_length=64, description="IANA name, e.g. Europe/Berlin.")
    languages: list[str] = Field(default_factory=list, description="ISO 639 codes: en, pt.")
    seniority: str = Field(
        "", max_length=20, description=f"One of {', '.join(Seniority.values)}, or empty."
    )
    years_experience: int | None = None
    linkedin_url: str = Field("", max_length=300)
    github_url: str = Field("", max_length=300)
    portfolio_url: str = Field("", max_length=300)
    source: str = Field("", max_length=40)
    custom_fields: dict[str, Any] = Field(default_factory=dict)


class CandidateCreate(ProfileIn):
    first_name: str = Field(max_length=100)
    emails: list[str] = Field(default_factory=list, description="The first is the primary.")
    phones: list[str] = Field(
        default_factory=list,
        description="The first is the primary. Without a country code, read in `country`.",
    )
    skills: list[SkillIn] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    owner_id: int | None = Field(None, description="Defaults to the user creating them.")


class CandidatePatch(ProfileIn):
    """Only the fields sent change. `custom_fields` merges into the current
    values (send a key with null to clear it); `skills`, when sent, replaces
    the candidate's skills."""

    skills: list[SkillIn] | None = None


class ContactIn(Schema):
    kind: ContactKind
    value: str = Field(max_length=254, description="An email address, or a phone number.")
    label: str = Field("", max_length=30, description="work, personal, mobile…")
    primary: bool = False


class ContactOut(ContactRef):
    kind: str
    created_at: dt.datetime


class NoteIn(Schema):
    body: str = Field(description="Markdown.")
    confidential: bool = Field(
        False, description="Hidden from sourcers and hiring managers. Recruiters and admins only."
    )


class NoteOut(Schema):
    id: int
    body: str = Field(description="Markdown, as written.")
    body_html: str = Field(description="The Markdown rendered and sanitised: safe to show.")
    confidential: bool
    author: UserRef | None
    created_at: dt.datetime


class TimelineFilters(Schema):
    kind: list[ActivityKind] = Field(
        default_factory=list, description="Only these kinds; repeat the parameter for several."
    )


class ActivityOut(Schema):
    id: int
    kind: str
    occurred_at: dt.datetime
    summary: str
    actor: UserRef | None
    target_type: str
    target_id: int | None
    data: dict[str, Any]
    confidential: bool
    automated: bool


# --- candidates ------------------------------------------------------------------


@router.get("/candidates", response={200: Page[CandidateOut], **ERRORS}, summary="List candidates")
def list_candidates(
    request: HttpRequest, filters: Query[CandidateFilters], paging: Query[PageParams]
) -> PageOf[Candidate]:
    """The candidates the user may see, filtered and sorted, one page at a time."""
    rows = candidate_search(
        actor(request),
        query=filters.q,
        sort=filters.sort,
        tag=filters.tag,
        pool=filters.pool,
        owner=filters.owner,
    ).rows
    page = paginate(rows, paging)
    selectors.attach_shown(actor(request), page.results)
    return page


@router.post("/candidates", response={201: CandidateOut, **ERRORS}, summary="Add a candidate")
def create_candidate(request: HttpRequest, payload: CandidateCreate) -> Status[Candidate]:
    user = actor(request)
    profile = payload.model_dump(include=set(ProfileIn.model_fields))
    with fields_as_sent(email="emails", phone="phones", tag="tags"):
        candidate = services.candidate_create(
            actor=user,
            data=services.CandidateFields(**profile),
            emails=payload.emails,
            phones=payload.phones,
            skills=[services.SkillInput(**s.model_dump()) for s in payload.skills],
            tags=payload.tags,
            owner=services.ACTOR if payload.owner_id is None else _owner(payload.owner_id),
        )
    return Status(201, selectors.candidate_get_full(user, candidate.pk))


@router.get(
    "/candidates/{candidate_id}", response={200: CandidateOut, **ERRORS}, summary="Get a candidate"
)
def get_candidate(request: HttpRequest, candidate_id: int) -> Candidate:
    return selectors.candidate_get_full(actor(request), candidate_id)


@router.patch(
    "/candidates/{candidate_id}",
    response={200: CandidateOut, **ERRORS},
    summary="Update a candidate",
)
def update_candidate(request: HttpRequest, candidate_id: int, payload: CandidatePatch) -> Candidate:
    """Change the profile fields sent, and the skills when `skills` is sent."""
    user = actor(request)
    candidate = selectors.candidate_get(user, candidate_id)
    sent = payload.model_dump(exclude_unset=True, exclude={"skills"})
    if "custom_fields" in sent:
        sent["custom_fields"] = {**candidate.custom_fields, **sent["custom_fields"]}
    data = replace(services.CandidateFields.of(candidate), **sent)
    skills = None
    if payload.skills is not None:
        skills = [services.SkillInput(**s.model_dump()) for s in payload.skills]
    services.candidate_update(actor=user, candidate=candidate, data=data, skills=skills)
    return selectors.candidate_get_full(user, candidate_id)


@router.delete(
    "/candidates/{candidate_id}", response={204: None, **ERRORS}, summary="Delete a candidate"
)
def delete_candidate(request: HttpRequest, candidate_id: int) -> Status[None]:
    """For mistakes and duplicates; erasing a person's data on request is the
    privacy app's job, which keeps a record of it."""
    user = actor(request)
    services.candidate_delete(actor=user, candidate=selectors.candidate_get(user, candidate_id))
    return Status(204, None)


def _owner(owner_id: int | None) -> User | None:
    # Stands in for a user selector that accounts does not have yet.
    if owner_id is None:
        return None
    owner = User.objects.filter(pk=owner_id, is_active=True).first()
    if owner is None:
        raise ValidationError({"owner_id": [f"There is no active user #{owner_id}."]})
    return owner


# --- contact points ----------------------------------------------------------------


@router.get(
    "/candidates/{candidate_id}/contacts",
    response={200: list[ContactOut], **ERRORS},
    summary="List a candidate's emails and phones",
)
def list_contacts(request: HttpRequest, candidate_id: int) -> list[ContactPoint]:
    candidate = selectors.candidate_get(actor(request), candidate_id)
    return list(candidate.contacts.all())


@router.post(
    "/candidates/{candidate_id}/contacts",
    response={201: ContactOut, **ERRORS},
    summary="Add an email or phone",
)
def add_contact(
    request: HttpRequest, candidate_id: int, payload: ContactIn
) -> Status[ContactPoint]:
    """Emails are stored lower-case, phones in E.164. An email that belongs to
    another candidate is refused with that candidate's id."""
    user = actor(request)
    candidate = selectors.candidate_get(user, candidate_id)
    with fields_as_sent(email="value", phone="value"):
        contact = services.contact_add(
            actor=user,
            candidate=candidate,
            kind=payload.kind,
            value=payload.value,
            label=payload.label,
            primary=payload.primary,
        )
    return Status(201, contact)


@router.delete(
    "/candidates/{candidate_id}/contacts/{contact_id}",
    response={204: None, **ERRORS},
    summary="Remove an email or phone",
)
def remove_contact(request: HttpRequest, candidate_id: int, contact_id: int) -> Status[None]:
    """Removing the primary makes the oldest remaining one of its kind primary."""
    user = actor(request)
    services.contact_remove(actor=user, contact=_contact_of(user, candidate_id, contact_id))
    return Status(204, None)


@router.post(
    "/candidates/{candidate_id}/contacts/{contact_id}/primary",
    response={200: ContactOut, **ERRORS},
    summary="Make an email or phone the primary one",
)
def make_contact_primary(request: HttpRequest, candidate_id: int, contact_id: int) -> ContactPoint:
    user = actor(request)
    services.contact_make_primary(actor=user, contact=_contact_of(user, candidate_id, contact_id))
    return selectors.contact_get(user, contact_id)


def _contact_of(user: User, candidate_id: int, contact_id: int) -> ContactPoint:
    contact = selectors.contact_get(user, contact_id)
    if contact.candidate_id != candidate_id:
        raise Http404("The contact belongs to another candidate.")
    return contact


# --- notes and timeline ---------------------------------------------------------------


@router.get(
    "/candidates/{candidate_id}/notes",
    response={200: list[NoteOut], **ERRORS},
    summary="List a candidate's notes",
)
def list_notes(request: HttpRequest, candidate_id: int) -> list[Note]:
    """Newest first, without the confidential notes the user may not see."""
    user = actor(request)
    return list(selectors.notes_visible(user, selectors.candidate_get(user, candidate_id)))


@router.post(
    "/candidates/{candidate_id}/notes",
    response={201: NoteOut, **ERRORS},
    summary="Add a note",
)
def add_note(request: HttpRequest, candidate_id: int, payload: NoteIn) -> Status[Note]:
    user = actor(request)
    note = services.note_add(
        actor=user,
        candidate=selectors.candidate_get(user, candidate_id),
        body=payload.body,
        confidential=payload.confidential,
    )
    return Status(201, note)


@router.get(
    "/candidates/{candidate_id}/timeline",
    response={200: Page[ActivityOut], **ERRORS},
    summary="A candidate's timeline",
)
def get_timeline(
    request: HttpRequest,
    candidate_id: int,
    filters: Query[TimelineFilters],
    paging: Query[PageParams],
) -> PageOf[Activity]:
    """Everything that happened to the candidate, newest first, without the
    confidential events the user may not see."""
    user = actor(request)
    candidate = selectors.candidate_get(user, candidate_id)
    kinds = [kind.value for kind in filters.kind]
    return paginate(selectors.timeline(user, candidate, kinds=kinds), paging)
