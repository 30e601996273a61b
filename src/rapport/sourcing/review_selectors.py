"""Reads of the duplicate queue, the side-by-side comparison and the merge
history, always scoped to the acting user.

Only people who may edit candidates review duplicates, and a review or a
merge is theirs to see when they see the candidates in it; anyone else
gets a 404, as for any object outside their scope."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.db.models.fields.json import KT
from django.http import Http404

from rapport.accounts.models import Capability, User
from rapport.core.contacts import display_phone
from rapport.core.geo import country_name
from rapport.people.models import Candidate, ConsentState, ContactKind, CustomField, Seniority
from rapport.people.selectors import (
    attach_shown,
    candidates_visible,
    notes_visible,
    timeline,
)
from rapport.sourcing.merge import (
    CUSTOM,
    KEPT,
    PICKABLE,
    PRIMARY,
    choice_keys,
    choice_options,
    default_choice,
    links_to,
    pick_value,
    primaries_of,
)
from rapport.sourcing.models import DuplicateReview, ImportJob, Merge, ReviewStatus

if TYPE_CHECKING:
    from rapport.people.selectors import Shown

STATUSES = {
    ReviewStatus.OPEN: "To review",
    ReviewStatus.DISMISSED: "Not the same person",
}


def reviews_visible(user: User) -> QuerySet[DuplicateReview]:
    if not user.can(Capability.EDIT_CANDIDATES):
        return DuplicateReview.objects.none()
    if user.can(Capability.SEE_ALL_CANDIDATES):
        return DuplicateReview.objects.all()
    visible = candidates_visible(user)
    return DuplicateReview.objects.filter(candidate__in=visible, other__in=visible)


def review_list(
    user: User, *, status: str = ReviewStatus.OPEN, job: int | None = None
) -> QuerySet[DuplicateReview]:
    """One status's reviews: the likeliest first; those decided, latest first."""
    rows = reviews_visible(user).filter(status=status)
    if job is not None:
        rows = rows.filter(job_id=job)
    order = (
        ("-score", "-created_at", "-id") if status == ReviewStatus.OPEN else ("-resolved_at", "-id")
    )
    return rows.select_related("candidate", "other", "job", "resolved_by").order_by(*order)


def review_counts(user: User, *, job: int | None = None) -> dict[str, int]:
    """Reviews by status (one query), and the merges that are not undone."""
    rows = reviews_visible(user)
    if job is not None:
        rows = rows.filter(job_id=job)
    counts = dict.fromkeys(ReviewStatus.values, 0)
    for status, n in rows.values_list("status").annotate(n=Count("id")).order_by():
        counts[status] = n
    counts["merges"] = merges_visible(user).filter(undone_at__isnull=True).count()
    return counts


def review_open_count(user: User) -> int:
    return reviews_visible(user).filter(status=ReviewStatus.OPEN).count()


def review_jobs(user: User) -> QuerySet[ImportJob]:
    """The imports that found possible duplicates, for the queue's filter."""
    return (
        ImportJob.objects.filter(pk__in=reviews_visible(user).values("job_id"))
        .only("pk", "original_name", "created_at")
        .order_by("-created_at", "-id")
    )


def review_get(user: User, pk: int | str) -> DuplicateReview:
    try:
        return reviews_visible(user).select_related("candidate", "other", "job").get(pk=int(pk))
    except (DuplicateReview.DoesNotExist, ValueError, TypeError):
        raise Http404("No such review.") from None


def review_between(user: User, a: int, b: int) -> DuplicateReview | None:
    """The open review of this pair, if there is one."""
    pair = Q(candidate_id=a, other_id=b) | Q(candidate_id=b, other_id=a)
    return reviews_visible(user).filter(pair, status=ReviewStatus.OPEN).first()


def merges_visible(user: User) -> QuerySet[Merge]:
    if not user.can(Capability.EDIT_CANDIDATES):
        return Merge.objects.none()
    return Merge.objects.filter(kept__in=candidates_visible(user))


def merge_history(user: User, *, candidate: int | None = None) -> QuerySet[Merge]:
    rows = merges_visible(user)
    if candidate is not None:
        rows = rows.filter(kept_id=candidate)
    # The snapshot can be large; the list needs only where the merge came from.
    return (
        rows.defer("snapshot")
        .annotate(
            review_score=KT("snapshot__review__score"),
            review_job=KT("snapshot__review__job_name"),
        )
        .select_related("kept", "merged_by", "undone_by")
        .order_by("-merged_at", "-id")
    )


def merge_get(user: User, pk: int | str) -> Merge:
    try:
        return merges_visible(user).get(pk=int(pk))
    except (Merge.DoesNotExist, ValueError, TypeError):
        raise Http404("No such merge.") from None


# --- choosing someone to merge with --------------------------------------------------


@dataclass
class Partner:
    candidate: Candidate
    score: float | None = None
    reasons: list[str] = field(default_factory=list)


def merge_partners(user: User, candidate: Candidate, *, q: str = "") -> list[Partner]:
    """Whom the candidate may be merged with: people matching `q` (a name,
    or the start of an email address), or else those who look alike."""
    visible = candidates_visible(user).exclude(pk=candidate.pk)
    if q.strip():
        terms = q.split()
        match = Q()
        for term in terms:
            match &= Q(first_name__icontains=term) | Q(last_name__icontains=term)
        if len(terms) == 1:
            match |= Q(contacts__value__istartswith=terms[0].lower())
        rows = visible.filter(match).distinct().order_by("last_name", "first_name", "id")[:20]
        found = [Partner(c) for c in rows]
    else:
        from rapport.sourcing.similar import similar_to

        alike = similar_to(candidate, limit=10)
        allowed = set(
            visible.filter(pk__in=[c.pk for c, _, _ in alike]).values_list("pk", flat=True)
        )
        found = [Partner(c, score, reasons) for c, score, reasons in alike if c.pk in allowed]
    attach_shown(user, [p.candidate for p in found], pools=False)
    return found


# --- the two records side by side -------------------------------------------------


@dataclass
class FieldRow:
    """One field of both records: what each holds and, when they differ,
    which one the form proposes."""

    key: str
    label: str
    kept: str
    merged: str
    differs: bool
    options: tuple[str, ...] = ()
    chosen: str = KEPT

    @property
    def both(self) -> str:
        return ", ".join(sorted(set(self.kept.split(", ")) | set(self.merged.split(", "))))


@dataclass
class Side:
    """One record and what comes along with it."""

    candidate: Candidate
    shown: Shown
    notes: int
    events: int
    records: dict[str, int]

    @property
    def emails(self) -> list[str]:
        return [c.value for c in self.shown.emails]

    @property
    def phones(self) -> list[str]:
        return [display_phone(c.value) for c in self.shown.phones]


@dataclass
class Comparison:
    kept: Side
    merged: Side
    fields: list[FieldRow]
    records: list[tuple[str, int, int]]  # label, kept's, merged's

    @property
    def differing(self) -> list[FieldRow]:
        return [row for row in self.fields if row.differs]


# Other rows that come along, by model, as the page names them; rows of
# models not listed here are counted under their own verbose name.
RECORD_LABELS = {
    "outreach.message": "Emails sent or queued",
    "outreach.enrollment": "Sequences",
    "inbox.conversation": "Conversations",
    "inbox.inboundmessage": "Emails received",
    "inbox.smsmessage": "Texts",
    "inbox.interaction": "Calls and meetings",
    "privacy.consent": "Consents",
    "sourcing.resume": "Résumés",
    "sourcing.referral": "Referrals",
    "sourcing.communitysignup": "Community sign-ups",
    "outreach.preference": "Contact preferences",
}
# Shown elsewhere on the page, or bookkeeping nobody needs to weigh.
RECORDS_NOT_SHOWN = {
    "core.activity",
    "core.notification",
    "people.candidateskill",
    "people.contactpoint",
    "people.candidatetag",
    "people.poolmembership",
    "people.note",
    "people.candidateshare",
    "people.searchdocument",
    "sourcing.duplicatereview",
    "sourcing.merge",
    "sourcing.importrow",
    "sourcing.similaritykey",
}


def comparison(user: User, kept: Candidate, merged: Candidate) -> Comparison:
    """Both records, side by side, with a row per field and what comes along."""
    attach_shown(user, [kept, merged], skills_by_level=True)
    records = _records([kept.pk, merged.pk])
    sides = [
        Side(
            candidate=c,
            shown=c.shown,
            notes=notes_visible(user, c).count(),
            events=timeline(user, c).count(),
            records=records.get(c.pk, {}),
        )
        for c in (kept, merged)
    ]
    labels = sorted({label for side in sides for label in side.records})
    return Comparison(
        kept=sides[0],
        merged=sides[1],
        fields=_field_rows(kept, merged),
        records=[
            (label, sides[0].records.get(label, 0), sides[1].records.get(label, 0))
            for label in labels
        ],
    )


def _records(ids: list[int]) -> dict[int, dict[str, int]]:
    """For each candidate, how many rows of each other kind point at them
    (one query per kind)."""
    found: dict[int, dict[str, int]] = defaultdict(dict)
    for link in links_to(Candidate):
        name = link.model._meta.label_lower
        if name in RECORDS_NOT_SHOWN or link.model._meta.auto_created:
            continue
        label = RECORD_LABELS.get(name, str(link.model._meta.verbose_name_plural).capitalize())
        rows = (
            link.model._base_manager.filter(**{f"{link.column}__in": ids})
            .values_list(link.column)
            .annotate(n=Count("pk"))
            .order_by()
        )
        for candidate_id, n in rows:
            if n:
                found[candidate_id][label] = found[candidate_id].get(label, 0) + n
    return found


def _field_rows(kept: Candidate, merged: Candidate) -> list[FieldRow]:
    differing = set(choice_keys(kept, merged))
    keys = list(PICKABLE)
    custom = {f.key: f.label for f in CustomField.objects.all()}
    keys += [CUSTOM + k for k in sorted(set(kept.custom_fields) | set(merged.custom_fields))]
    keys += list(PRIMARY.values())
    owners = {
        u.pk: u.display_name for u in User.objects.filter(pk__in=[kept.owner_id, merged.owner_id])
    }
    primaries = {kept.pk: primaries_of(kept.pk), merged.pk: primaries_of(merged.pk)}
    rows = []
    for key in keys:
        shown = [_display(key, pick_value(c, key, primaries[c.pk]), owners) for c in (kept, merged)]
        if not shown[0] and not shown[1]:
            continue
        label = PICKABLE.get(key) or custom.get(key[len(CUSTOM) :], key[len(CUSTOM) :])
        if key in PRIMARY.values():
            label = "Primary email" if key == PRIMARY[ContactKind.EMAIL] else "Primary phone"
        differs = key in differing
        rows.append(
            FieldRow(
                key=key,
                label=label,
                kept=shown[0],
                merged=shown[1],
                differs=differs,
                options=choice_options(key) if differs else (),
                chosen=default_choice(key, kept, merged) if differs else KEPT,
            )
        )
    return rows


def _display(key: str, value: Any, owners: dict[int, str]) -> str:
    if value is None or value == "" or value == []:
        return ""
    if key == "owner":
        return owners.get(value, "")
    if key == "country":
        return f"{country_name(value)} ({value})"
    if key == "seniority":
        return str(Seniority(value).label) if value in Seniority.values else str(value)
    if key == "consent":
        return str(ConsentState(value).label) if value in ConsentState.values else str(value)
    if key == "languages":
        return ", ".join(code.upper() for code in value)
    if key == PRIMARY[ContactKind.PHONE]:
        return display_phone(value)
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    return str(value)
