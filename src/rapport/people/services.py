"""Every write to the talent pool. Each function checks what the actor may do,
runs in one transaction and records its Activity in that transaction."""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

import markdown
import nh3
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from rapport.accounts.models import Capability
from rapport.core.activity import activity_record
from rapport.core.contacts import canonical_profile_url, normalize_email, normalize_phone
from rapport.core.errors import DuplicateContact, PermissionDenied
from rapport.core.geo import clean_country, clean_timezone
from rapport.core.models import Activity, ActivityKind
from rapport.core.text import slugify_tag
from rapport.people.documents import DocumentParts, attached_texts, document
from rapport.people.models import (
    Candidate,
    CandidateShare,
    CandidateSkill,
    CandidateTag,
    ConsentState,
    ContactKind,
    ContactPoint,
    CustomField,
    CustomFieldType,
    Note,
    Pool,
    PoolMembership,
    SearchDocument,
    Seniority,
    Skill,
    SkillAlias,
    Tag,
)
from rapport.people.vocabulary import skill_slug

if TYPE_CHECKING:
    from rapport.accounts.models import User


class _Actor:
    """The default owner of a new candidate: whoever adds them."""


ACTOR = _Actor()


def require(actor: User, capability: str) -> None:
    if not actor.can(capability):
        raise PermissionDenied(f"Your role ({actor.get_role_display()}) may not do this.")


# --- candidates -------------------------------------------------------------


@dataclass
class CandidateFields:
    """The profile fields a person edits directly."""

    first_name: str
    last_name: str = ""
    headline: str = ""
    current_title: str = ""
    current_company: str = ""
    city: str = ""
    country: str = ""
    timezone: str = ""
    languages: list[str] = field(default_factory=list)
    seniority: str = ""
    years_experience: int | None = None
    linkedin_url: str = ""
    github_url: str = ""
    portfolio_url: str = ""
    source: str = ""
    custom_fields: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, candidate: Candidate) -> CandidateFields:
        return cls(**{f.name: getattr(candidate, f.name) for f in fields(cls)})


@dataclass
class SkillInput:
    name: str
    level: int | None = None
    years: int | None = None


def _clean_fields(
    data: CandidateFields, *, stored: dict[str, Any] | None = None
) -> CandidateFields:
    errors: dict[str, list[str]] = {}

    def check(name: str, fn: Any) -> Any:
        try:
            return fn()
        except ValidationError as exc:
            errors.setdefault(name, []).extend(exc.messages)
            return getattr(data, name)

    for f in fields(CandidateFields):
        value = getattr(data, f.name)
        if isinstance(value, str) and "\x00" in value:
            errors[f.name] = ["Remove the NUL character from this text."]
    data.first_name = data.first_name.strip()
    data.last_name = data.last_name.strip()
    if not data.first_name:
        errors["first_name"] = ["A first name is required."]
    data.country = check("country", lambda: clean_country(data.country))
    data.timezone = check("timezone", lambda: clean_timezone(data.timezone))
    if data.seniority and data.seniority not in Seniority.values:
        errors["seniority"] = [f"{data.seniority!r} is not one of {', '.join(Seniority.values)}."]
    if data.years_experience is not None and not 0 <= data.years_experience <= 70:
        errors["years_experience"] = ["Years of experience must be between 0 and 70."]
    for name in ("linkedin_url", "github_url", "portfolio_url"):
        value = getattr(data, name).strip()
        if value and name != "portfolio_url":  # one spelling per profile, so it can be matched
            value = canonical_profile_url(value)
        setattr(data, name, value)
        if value:
            check(name, lambda value=value: URLValidator(schemes=["http", "https"])(value))
    data.languages = sorted({code.strip().lower() for code in data.languages if code.strip()})
    if bad := [code for code in data.languages if not (2 <= len(code) <= 3 and code.isalpha())]:
        errors["languages"] = [f"{', '.join(bad)}: use ISO 639 language codes such as en or pt."]
    data.custom_fields = check(
        "custom_fields", lambda: clean_custom_fields(data.custom_fields, stored=stored)
    )
    if errors:
        raise ValidationError(errors)
    return data


def clean_custom_fields(
    values: dict[str, Any], *, stored: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Check each value against its admin-defined field; drop empty ones.
    Values `stored` under a field an admin has since removed are kept as they
    are, so that re-adding the field brings them back."""
    definitions = {f.key: f for f in CustomField.objects.all()}
    cleaned = {k: v for k, v in (stored or {}).items() if k not in definitions}
    for key, value in values.items():
        definition = definitions.get(key)
        if definition is None and key in cleaned and value == cleaned[key]:
            continue
        if definition is None:
            raise ValidationError(f"There is no custom field {key!r}.")
        if value in (None, ""):
            continue
        cleaned[key] = _clean_custom_value(definition, value)
    return cleaned


def _clean_custom_value(definition: CustomField, value: Any) -> Any:
    label = definition.label
    kind = definition.field_type
    try:
        if kind == CustomFieldType.NUMBER:
            number = float(value)
            if not math.isfinite(number):
                raise ValueError(value)
            return int(number) if number.is_integer() else number
        if kind == CustomFieldType.DATE:
            return dt.date.fromisoformat(str(value)).isoformat()
        if kind == CustomFieldType.BOOLEAN:
            if isinstance(value, bool):
                return value
            return {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}[
                str(value).lower()
            ]
    except (ValueError, KeyError, TypeError, OverflowError):
        raise ValidationError(f"{label}: {value!r} is not a valid {kind}.") from None
    if kind == CustomFieldType.CHOICE and value not in definition.choices:
        raise ValidationError(f"{label}: {value!r} is not one of {', '.join(definition.choices)}.")
    if kind == CustomFieldType.URL:
        URLValidator(schemes=["http", "https"])(str(value))
    return str(value)[:1000]


def _clean_emails(emails: Iterable[str], *, exclude_candidate: int | None = None) -> list[str]:
    cleaned: list[str] = []
    for raw in emails:
        if not raw.strip():
            continue
        email = normalize_email(raw)
        if email not in cleaned:
            cleaned.append(email)
    taken = ContactPoint.objects.filter(kind=ContactKind.EMAIL, value__in=cleaned).select_related(
        "candidate"
    )
    for contact in taken:
        if contact.candidate_id != exclude_candidate:
            raise DuplicateContact(
                field="email",
                value=contact.value,
                candidate_id=contact.candidate_id,
                candidate_name=contact.candidate.full_name,
            )
    return cleaned


def _clean_phones(phones: Iterable[str], *, region: str) -> list[str]:
    cleaned: list[str] = []
    for raw in phones:
        if raw.strip() and (phone := normalize_phone(raw, region=region)) not in cleaned:
            cleaned.append(phone)
    return cleaned


@transaction.atomic
def candidate_create(
    *,
    actor: User,
    data: CandidateFields,
    emails: Sequence[str] = (),
    phones: Sequence[str] = (),
    skills: Sequence[SkillInput] = (),
    tags: Sequence[str] = (),
    owner: User | _Actor | None = ACTOR,
) -> Candidate:
    require(actor, Capability.EDIT_CANDIDATES)
    owner = actor if isinstance(owner, _Actor) else owner
    _check_owner(owner)
    candidate = _create(
        data=data, emails=emails, phones=phones, owner=owner, by=actor,
        summary=lambda c: f"{actor.display_name} added {c.full_name}",
    )  # fmt: skip
    _set_skills(candidate, skills)
    now = candidate.created_at
    for name in tags:
        _tag_one(actor=actor, candidate=candidate, tag=tag_get_or_create(name=name), now=now)
    candidate_reindex(candidate_ids=[candidate.pk])
    candidate.refresh_from_db()
    return candidate


def _create(
    *,
    data: CandidateFields,
    emails: Sequence[str],
    phones: Sequence[str],
    owner: User | None,
    by: User | None,
    summary: Callable[[Candidate], str],
) -> Candidate:
    """The candidate row, their contact points and the Activity that says
    so (`summary` writes its line). Callers check who may do it."""
    data = _clean_fields(data)
    clean_emails = _clean_emails(emails)
    clean_phones = _clean_phones(phones, region=data.country)
    now = timezone.now()
    candidate = Candidate.objects.create(
        **{f.name: getattr(data, f.name) for f in fields(CandidateFields)},
        owner=owner,
        created_by=by,
        created_at=now,
        updated_at=now,
    )
    ContactPoint.objects.bulk_create(
        [
            ContactPoint(candidate=candidate, kind=ContactKind.EMAIL, value=e, is_primary=i == 0)
            for i, e in enumerate(clean_emails)
        ]
        + [
            ContactPoint(candidate=candidate, kind=ContactKind.PHONE, value=p, is_primary=i == 0)
            for i, p in enumerate(clean_phones)
        ]
    )
    activity_record(
        kind=ActivityKind.CANDIDATE_CREATED,
        candidate=candidate,
        actor=by,
        summary=summary(candidate),
        data={"source": data.source} if data.source else {},
    )
    return candidate


@transaction.atomic
def candidate_update(
    *,
    actor: User,
    candidate: Candidate,
    data: CandidateFields,
    skills: Sequence[SkillInput] | None = None,
) -> Candidate:
    require(actor, Capability.EDIT_CANDIDATES)
    data = _clean_fields(data, stored=candidate.custom_fields)
    before = CandidateFields.of(candidate)
    changed = [
        f.name for f in fields(CandidateFields) if getattr(before, f.name) != getattr(data, f.name)
    ]
    for name in changed:
        setattr(candidate, name, getattr(data, name))
    skills_changed = skills is not None and _set_skills(candidate, skills)
    if skills_changed:
        changed.append("skills")
    if not changed:
        return candidate
    candidate.updated_at = timezone.now()
    candidate.save()
    activity_record(
        kind=ActivityKind.CANDIDATE_UPDATED,
        candidate=candidate,
        actor=actor,
        summary=f"{actor.display_name} updated {', '.join(n.replace('_', ' ') for n in changed)}",
        data={"fields": changed},
    )
    candidate_reindex(candidate_ids=[candidate.pk])
    return candidate


@transaction.atomic
def candidate_delete(*, actor: User, candidate: Candidate) -> None:
    """Remove a candidate and everything hanging off them. Erasure with a
    record of who asked belongs to the privacy app; this is for mistakes."""
    require(actor, Capability.EDIT_CANDIDATES)
    if not actor.can(Capability.SEE_CONFIDENTIAL):
        raise PermissionDenied("Only recruiters and admins may delete candidates.")
    candidate.delete()


@transaction.atomic
def _check_owner(owner: User | None) -> None:
    if owner is not None and not owner.can(Capability.EDIT_CANDIDATES):
        raise ValidationError(
            {"owner": [f"{owner.display_name} cannot own candidates: their role cannot edit them."]}
        )


def owner_assign(*, actor: User, candidates: Sequence[Candidate], owner: User | None) -> int:
    require(actor, Capability.EDIT_CANDIDATES)
    _check_owner(owner)
    moved = [c for c in candidates if c.owner_id != (owner.pk if owner else None)]
    now = timezone.now()
    Candidate.objects.filter(pk__in=[c.pk for c in moved]).update(owner=owner, updated_at=now)
    name = owner.display_name if owner else "nobody"
    _record_many(
        actor,
        moved,
        ActivityKind.OWNER_CHANGED,
        f"Owner set to {name}",
        owner,
        {"owner": owner.pk if owner else None},
    )
    return len(moved)


# --- contact points -----------------------------------------------------------


@transaction.atomic
def contact_add(
    *,
    actor: User,
    candidate: Candidate,
    kind: str,
    value: str,
    label: str = "",
    primary: bool = False,
) -> ContactPoint:
    require(actor, Capability.EDIT_CANDIDATES)
    if kind == ContactKind.EMAIL:
        cleaned = _clean_emails([value], exclude_candidate=candidate.pk)
        if not cleaned:
            raise ValidationError({"email": ["Enter an email address."]})
        normalized = cleaned[0]
    elif kind == ContactKind.PHONE:
        normalized = normalize_phone(value, region=candidate.country)
    else:
        raise ValidationError({"kind": [f"{kind!r} is not email or phone."]})
    existing = candidate.contacts.filter(kind=kind, value=normalized).first()
    if existing:
        return existing
    has_primary = candidate.contacts.filter(kind=kind, is_primary=True).exists()
    if primary and has_primary:
        candidate.contacts.filter(kind=kind, is_primary=True).update(is_primary=False)
    contact = ContactPoint.objects.create(
        candidate=candidate,
        kind=kind,
        value=normalized,
        label=label.strip()[:30],
        is_primary=primary or not has_primary,
    )
    activity_record(
        kind=ActivityKind.CONTACT_ADDED,
        candidate=candidate,
        actor=actor,
        summary=f"Added {kind} {normalized}",
        target=contact,
    )
    _touch(candidate)
    return contact


@transaction.atomic
def contact_remove(*, actor: User, contact: ContactPoint) -> None:
    require(actor, Capability.EDIT_CANDIDATES)
    candidate = contact.candidate
    contact.delete()
    if contact.is_primary:
        successor = candidate.contacts.filter(kind=contact.kind).order_by("id").first()
        if successor:
            successor.is_primary = True
            successor.save(update_fields=["is_primary"])
    activity_record(
        kind=ActivityKind.CONTACT_REMOVED,
        candidate=candidate,
        actor=actor,
        summary=f"Removed {contact.kind} {contact.value}",
    )
    _touch(candidate)


@transaction.atomic
def contact_make_primary(*, actor: User, contact: ContactPoint) -> None:
    require(actor, Capability.EDIT_CANDIDATES)
    ContactPoint.objects.filter(candidate=contact.candidate_id, kind=contact.kind).update(
        is_primary=False
    )
    ContactPoint.objects.filter(pk=contact.pk).update(is_primary=True)
    activity_record(
        kind=ActivityKind.CANDIDATE_UPDATED,
        candidate=contact.candidate,
        actor=actor,
        summary=f"Made {contact.value} the primary {contact.kind}",
        target=contact,
        data={"fields": [f"primary_{contact.kind}"]},
    )
    _touch(contact.candidate)


# --- skills ---------------------------------------------------------------------


def skill_resolve(name: str) -> Skill:
    """The vocabulary's skill for a name or alias, added to the vocabulary
    when nobody has used it before."""
    cleaned = " ".join(name.split())[:80]
    if not cleaned:
        raise ValidationError({"skills": ["A skill needs a name."]})
    key = cleaned.lower()
    skill = Skill.objects.filter(name__iexact=cleaned).first()
    if skill is None:
        alias = SkillAlias.objects.select_related("skill").filter(alias=key).first()
        skill = alias.skill if alias else None
    if skill is None:
        slug = skill_slug(cleaned)[:70]
        if Skill.objects.filter(slug=slug).exists():
            slug = f"{slug}-{Skill.objects.count()}"
        skill = Skill.objects.create(name=cleaned, slug=slug)
    return skill


def _set_skills(candidate: Candidate, skills: Sequence[SkillInput]) -> bool:
    """Make the candidate's skills exactly these; say whether anything changed."""
    wanted: dict[int, SkillInput] = {}
    for item in skills:
        wanted.setdefault(skill_resolve(item.name).pk, item)
    for item in wanted.values():
        if item.level is not None and not 1 <= item.level <= 5:
            raise ValidationError({"skills": [f"{item.name}: a level goes from 1 to 5."]})
    current = {link.skill_id: link for link in CandidateSkill.objects.filter(candidate=candidate)}
    removed = set(current) - set(wanted)
    changed = bool(removed)
    CandidateSkill.objects.filter(candidate=candidate, skill_id__in=removed).delete()
    for skill_id, item in wanted.items():
        link = current.get(skill_id)
        if link is None:
            CandidateSkill.objects.create(
                candidate=candidate, skill_id=skill_id, level=item.level, years=item.years
            )
            changed = True
        elif (link.level, link.years) != (item.level, item.years):
            link.level, link.years = item.level, item.years
            link.save(update_fields=["level", "years"])
            changed = True
    return changed


# --- notes ----------------------------------------------------------------------

NOTE_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "ul",
    "ol",
    "li",
    "a",
    "blockquote",
    "code",
    "pre",
    "h3",
    "h4",
    "hr",
}


def render_note(body: str) -> str:
    """Markdown to HTML, then sanitised: whatever was typed, no script runs."""
    html = markdown.markdown(body, extensions=["nl2br", "sane_lists"])
    return nh3.clean(
        html,
        tags=NOTE_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


@transaction.atomic
def note_add(*, actor: User, candidate: Candidate, body: str, confidential: bool = False) -> Note:
    require(actor, Capability.ADD_NOTES)
    if confidential:
        require(actor, Capability.SEE_CONFIDENTIAL)
    text = body.strip().replace("\x00", "")
    if not text:
        raise ValidationError({"body": ["Write something first: the note is empty."]})
    if len(text) > 20_000:
        raise ValidationError({"body": ["A note holds at most 20,000 characters."]})
    note = Note.objects.create(
        candidate=candidate,
        author=actor,
        body=text,
        body_html=render_note(text),
        confidential=confidential,
    )
    activity_record(
        kind=ActivityKind.NOTE_ADDED,
        candidate=candidate,
        actor=actor,
        summary=" ".join(html.unescape(nh3.clean(note.body_html, tags=set())).split())[:200],
        target=note,
        confidential=confidential,
    )
    _touch(candidate)
    return note


# --- tags -----------------------------------------------------------------------


def tag_get_or_create(*, name: str) -> Tag:
    slug = slugify_tag(name)
    if not slug:
        raise ValidationError({"tag": [f"{name!r} has no letters or digits to make a tag from."]})
    tag, _ = Tag.objects.get_or_create(name=slug)
    return tag


def _tag_one(*, actor: User, candidate: Candidate, tag: Tag, now: dt.datetime) -> bool:
    _, created = CandidateTag.objects.get_or_create(
        candidate=candidate, tag=tag, defaults={"added_by": actor, "added_at": now}
    )
    if created:
        activity_record(
            kind=ActivityKind.TAG_ADDED,
            candidate=candidate,
            actor=actor,
            summary=tag.name,
            target=tag,
        )
    return created


@transaction.atomic
def tag_add(*, actor: User, candidates: Sequence[Candidate], name: str) -> int:
    """Tag each candidate; return how many were not tagged already."""
    require(actor, Capability.EDIT_CANDIDATES)
    tag = tag_get_or_create(name=name)
    already = set(
        CandidateTag.objects.filter(tag=tag, candidate__in=[c.pk for c in candidates]).values_list(
            "candidate_id", flat=True
        )
    )
    fresh = [c for c in candidates if c.pk not in already]
    now = timezone.now()
    CandidateTag.objects.bulk_create(
        [CandidateTag(candidate=c, tag=tag, added_by=actor, added_at=now) for c in fresh]
    )
    _record_many(actor, fresh, ActivityKind.TAG_ADDED, tag.name, tag)
    _touch_many(fresh, now)
    return len(fresh)


@transaction.atomic
def tag_remove(*, actor: User, candidates: Sequence[Candidate], tag: Tag) -> int:
    require(actor, Capability.EDIT_CANDIDATES)
    links = CandidateTag.objects.filter(tag=tag, candidate__in=[c.pk for c in candidates])
    tagged = set(links.values_list("candidate_id", flat=True))
    links.delete()
    removed = [c for c in candidates if c.pk in tagged]
    _record_many(actor, removed, ActivityKind.TAG_REMOVED, tag.name, tag)
    _touch_many(removed, timezone.now())
    return len(removed)


# --- pools ----------------------------------------------------------------------


@transaction.atomic
def pool_create(*, actor: User, name: str, description: str = "") -> Pool:
    require(actor, Capability.MANAGE_POOLS)
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ValidationError({"name": ["A pool needs a name."]})
    if Pool.objects.filter(name__iexact=cleaned).exists():
        raise ValidationError({"name": [f"There is already a pool called {cleaned!r}."]})
    return Pool.objects.create(name=cleaned[:120], description=description.strip(), owner=actor)


@transaction.atomic
def pool_update(*, actor: User, pool: Pool, name: str, description: str) -> Pool:
    require(actor, Capability.MANAGE_POOLS)
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ValidationError({"name": ["A pool needs a name."]})
    if Pool.objects.filter(name__iexact=cleaned).exclude(pk=pool.pk).exists():
        raise ValidationError({"name": [f"There is already a pool called {cleaned!r}."]})
    pool.name, pool.description = cleaned[:120], description.strip()
    pool.save(update_fields=["name", "description"])
    return pool


@transaction.atomic
def pool_add(*, actor: User, pool: Pool, candidates: Sequence[Candidate]) -> int:
    """Add each candidate to the pool; return how many were not in it yet."""
    require(actor, Capability.MANAGE_POOLS)
    already = set(
        PoolMembership.objects.filter(
            pool=pool, candidate__in=[c.pk for c in candidates]
        ).values_list("candidate_id", flat=True)
    )
    fresh = [c for c in candidates if c.pk not in already]
    now = timezone.now()
    PoolMembership.objects.bulk_create(
        [PoolMembership(pool=pool, candidate=c, added_by=actor, added_at=now) for c in fresh]
    )
    _record_many(actor, fresh, ActivityKind.POOL_ADDED, pool.name, pool)
    _touch_many(fresh, now)
    return len(fresh)


@transaction.atomic
def pool_remove(*, actor: User, pool: Pool, candidates: Sequence[Candidate]) -> int:
    require(actor, Capability.MANAGE_POOLS)
    members = PoolMembership.objects.filter(pool=pool, candidate__in=[c.pk for c in candidates])
    present = set(members.values_list("candidate_id", flat=True))
    members.delete()
    removed = [c for c in candidates if c.pk in present]
    _record_many(actor, removed, ActivityKind.POOL_REMOVED, pool.name, pool)
    _touch_many(removed, timezone.now())
    return len(removed)


# --- sharing --------------------------------------------------------------------


@transaction.atomic
def candidate_share(*, actor: User, candidate: Candidate, user: User) -> bool:
    require(actor, Capability.SHARE_CANDIDATES)
    if user.can(Capability.SEE_ALL_CANDIDATES):
        raise ValidationError(
            {"user": [f"{user.display_name} already sees the whole talent pool."]}
        )
    _, created = CandidateShare.objects.get_or_create(
        candidate=candidate, user=user, defaults={"shared_by": actor}
    )
    if created:
        activity_record(
            kind=ActivityKind.SHARED,
            candidate=candidate,
            actor=actor,
            summary=f"Shared with {user.display_name}",
            data={"user": user.pk},
        )
    return created


# --- helpers --------------------------------------------------------------------


def _record_many(
    actor: User,
    candidates: Sequence[Candidate],
    kind: str,
    summary: str,
    target: Any,
    data: dict[str, Any] | None = None,
) -> None:
    """One Activity per candidate, in one INSERT."""
    now = timezone.now()
    Activity.objects.bulk_create(
        [
            Activity(
                kind=kind,
                candidate=c,
                actor=actor,
                occurred_at=now,
                summary=summary[:300],
                target_type=target._meta.model_name if target is not None else "",
                target_id=target.pk if target is not None else None,
                data=data or {},
            )
            for c in candidates
        ],
        batch_size=500,
    )


def _touch(candidate: Candidate) -> None:
    candidate.updated_at = timezone.now()
    Candidate.objects.filter(pk=candidate.pk).update(updated_at=candidate.updated_at)
    candidate_reindex(candidate_ids=[candidate.pk])


def _touch_many(candidates: Sequence[Candidate], now: dt.datetime) -> None:
    ids = [c.pk for c in candidates]
    for start in range(0, len(ids), 500):
        Candidate.objects.filter(pk__in=ids[start : start + 500]).update(updated_at=now)


def document_parts(candidate: Candidate) -> DocumentParts:
    """What the search document holds, in a fixed order (the demo data builds
    it the same way without the ORM). Expects contacts, skill links and notes
    prefetched."""
    contacts = sorted(candidate.contacts.all(), key=lambda c: (not c.is_primary, c.kind, c.pk))
    notes = sorted(candidate.notes.all(), key=lambda n: n.pk)
    return DocumentParts(
        first_name=candidate.first_name,
        last_name=candidate.last_name,
        headline=candidate.headline,
        title=candidate.current_title,
        company=candidate.current_company,
        city=candidate.city,
        skills=[link.skill.name for link in sorted(candidate.skill_links.all(), key=_by_skill_id)],
        emails=[c.value for c in contacts if c.kind == ContactKind.EMAIL],
        notes=[n.body for n in notes if not n.confidential],
        confidential_notes=[n.body for n in notes if n.confidential],
    )


def _by_skill_id(link: CandidateSkill) -> int:
    return link.skill_id


def candidate_reindex(*, candidate_ids: Sequence[int]) -> None:
    """Recompute what is derived from a candidate's rows: the primary email
    and the search document."""
    rows = Candidate.objects.filter(pk__in=candidate_ids).prefetch_related(
        "contacts",
        "notes",
        Prefetch("skill_links", queryset=CandidateSkill.objects.select_related("skill")),
    )
    documents = []
    attached = attached_texts(list(candidate_ids))
    for candidate in rows:
        primary = next(
            (
                c.value
                for c in candidate.contacts.all()
                if c.kind == ContactKind.EMAIL and c.is_primary
            ),
            "",
        )
        if primary != candidate.primary_email:
            Candidate.objects.filter(pk=candidate.pk).update(primary_email=primary)
        parts = document_parts(candidate)
        parts.attached = attached.get(candidate.pk, [])
        built = document(parts)
        documents.append(
            SearchDocument(
                candidate=candidate, tokens=built.tokens, private_tokens=built.private_tokens
            )
        )
    SearchDocument.objects.bulk_create(
        documents,
        update_conflicts=True,
        unique_fields=["candidate"],
        update_fields=["tokens", "private_tokens"],
    )


# --- custom fields --------------------------------------------------------------


@transaction.atomic
def custom_field_create(
    *, actor: User, label: str, field_type: str, choices: Sequence[str] = (), help_text: str = ""
) -> CustomField:
    """Add a field to every candidate's profile."""
    require(actor, Capability.MANAGE_SETTINGS)
    cleaned = " ".join(label.split())
    key = slugify_tag(cleaned).replace("-", "_").replace(".", "_")[:50]
    errors: dict[str, list[str]] = {}
    if not key:
        errors["label"] = ["A field needs a label with letters or digits."]
    elif CustomField.objects.filter(key=key).exists():
        errors["label"] = [f"There is already a field called {cleaned!r}."]
    if field_type not in CustomFieldType.values:
        errors["field_type"] = [
            f"{field_type!r} is not one of {', '.join(CustomFieldType.values)}."
        ]
    options = [c.strip() for c in choices if c.strip()]
    if field_type == CustomFieldType.CHOICE and len(options) < 2:
        errors["choices"] = ["A choice field needs at least two choices."]
    if errors:
        raise ValidationError(errors)
    position = CustomField.objects.count()
    return CustomField.objects.create(
        key=key,
        label=cleaned[:100],
        field_type=field_type,
        choices=options if field_type == CustomFieldType.CHOICE else [],
        help_text=help_text.strip()[:200],
        position=position,
    )


@transaction.atomic
def custom_field_delete(*, actor: User, field: CustomField) -> None:
    """Remove the field. Values already stored stay in each candidate's data
    (shown nowhere) so that re-adding the same field brings them back."""
    require(actor, Capability.MANAGE_SETTINGS)
    field.delete()


# --- people who come in on their own ----------------------------------------------
# A talent-community sign-up has no user behind it, and a hiring manager who
# refers a friend may not add candidates. These write on behalf of such
# people; their callers (sourcing.community, sourcing.referrals) own the
# rules of who may come in this way.


@transaction.atomic
def candidate_intake(
    *,
    data: CandidateFields,
    emails: Sequence[str] = (),
    phones: Sequence[str] = (),
    by: User | None,
    summary: str,
    note: str = "",
) -> Candidate:
    """A new candidate who came in on their own (`by` None) or whom `by`
    brought in. `by` owns them when their role may own candidates."""
    owner = by if by is not None and by.can(Capability.EDIT_CANDIDATES) else None
    candidate = _create(
        data=data, emails=emails, phones=phones, owner=owner, by=by, summary=lambda _: summary
    )
    if note.strip():
        _intake_note(candidate, author=by, body=note)
    candidate_reindex(candidate_ids=[candidate.pk])
    candidate.refresh_from_db()
    return candidate


@transaction.atomic
def candidate_fill(
    *,
    candidate: Candidate,
    data: CandidateFields,
    emails: Sequence[str] = (),
    phones: Sequence[str] = (),
    by: User | None,
    note: str = "",
) -> list[str]:
    """Fill in what the candidate's record lacks from what the person (or
    whoever brought them in) told us. A value already there is never
    replaced, and an address that belongs to someone else is left out.
    Returns the names of what was filled in."""
    incoming = _clean_fields(data, stored=candidate.custom_fields)
    before = CandidateFields.of(candidate)
    filled = []
    for f in fields(CandidateFields):
        if f.name in ("custom_fields", "languages"):
            continue
        value = getattr(incoming, f.name)
        if value not in ("", None) and getattr(before, f.name) in ("", None):
            setattr(candidate, f.name, value)
            filled.append(f.name)
    if filled:
        candidate.updated_at = timezone.now()
        candidate.save(update_fields=[*filled, "updated_at"])
        activity_record(
            kind=ActivityKind.CANDIDATE_UPDATED,
            candidate=candidate,
            actor=by,
            summary=f"Filled in {', '.join(n.replace('_', ' ') for n in filled)}",
            data={"fields": filled},
        )
    for contact in _missing_contacts(candidate, emails, phones):
        contact.save()
        activity_record(
            kind=ActivityKind.CONTACT_ADDED,
            candidate=candidate,
            actor=by,
            summary=f"Added {contact.kind} {contact.value}",
            target=contact,
        )
        filled.append(contact.kind)
    if note.strip():
        _intake_note(candidate, author=by, body=note)
    if filled or note.strip():
        _touch(candidate)
    return filled


def _missing_contacts(
    candidate: Candidate, emails: Sequence[str], phones: Sequence[str]
) -> list[ContactPoint]:
    """The addresses and numbers to add: new to this candidate, and (emails)
    nobody else's."""
    wanted_emails = [normalize_email(e) for e in emails if e.strip()]
    wanted_phones = [normalize_phone(p, region=candidate.country) for p in phones if p.strip()]
    taken = set(
        ContactPoint.objects.filter(kind=ContactKind.EMAIL, value__in=wanted_emails).values_list(
            "value", flat=True
        )
    )
    present = {(c.kind, c.value) for c in candidate.contacts.all()}
    kinds = {kind for kind, _ in present}
    found: list[ContactPoint] = []
    for kind, values in ((ContactKind.EMAIL, wanted_emails), (ContactKind.PHONE, wanted_phones)):
        for value in dict.fromkeys(values):
            if (kind, value) in present or (kind == ContactKind.EMAIL and value in taken):
                continue
            primary = kind not in kinds and not any(c.kind == kind for c in found)
            found.append(
                ContactPoint(candidate=candidate, kind=kind, value=value, is_primary=primary)
            )
    return found


def _intake_note(candidate: Candidate, *, author: User | None, body: str) -> Note:
    text = body.strip().replace("\x00", "")[:20_000]
    note = Note.objects.create(
        candidate=candidate, author=author, body=text, body_html=render_note(text)
    )
    activity_record(
        kind=ActivityKind.NOTE_ADDED,
        candidate=candidate,
        actor=author,
        summary=" ".join(html.unescape(nh3.clean(note.body_html, tags=set())).split())[:200],
        target=note,
    )
    return note


@transaction.atomic
def pool_join(*, pool: Pool, candidate: Candidate, by: User | None) -> bool:
    """Put the candidate in the pool on their own request (`by` None) or on
    `by`'s; False when they were in it already."""
    _, created = PoolMembership.objects.get_or_create(
        pool=pool, candidate=candidate, defaults={"added_by": by, "added_at": timezone.now()}
    )
    if created:
        activity_record(
            kind=ActivityKind.POOL_ADDED, candidate=candidate, actor=by, summary=pool.name,
            target=pool,
        )  # fmt: skip
        _touch(candidate)
    return created


@transaction.atomic
def candidate_share_referrer(*, candidate: Candidate, referrer: User) -> bool:
    """Let someone who brought the candidate in follow them. Nothing to do
    for a role that sees the whole talent pool."""
    if referrer.can(Capability.SEE_ALL_CANDIDATES):
        return False
    _, created = CandidateShare.objects.get_or_create(
        candidate=candidate, user=referrer, defaults={"shared_by": referrer}
    )
    if created:
        activity_record(
            kind=ActivityKind.SHARED,
            candidate=candidate,
            actor=referrer,
            summary=f"Shared with {referrer.display_name}, who referred them",
            data={"user": referrer.pk, "referral": True},
        )
    return created


def candidate_consent_set(*, candidate: Candidate, state: str) -> None:
    """Set the candidate's consent state. Only the privacy app calls this,
    in the transaction that records what was agreed to (privacy.services)."""
    if state not in ConsentState.values:
        raise ValidationError({"consent": [f"{state!r} is not a consent state."]})
    candidate.consent = state
    candidate.updated_at = timezone.now()
    Candidate.objects.filter(pk=candidate.pk).update(consent=state, updated_at=candidate.updated_at)
