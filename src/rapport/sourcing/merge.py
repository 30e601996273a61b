"""Merging two records of one person, and undoing it.

`candidate_merge` keeps one record (`kept`) and folds the other (`merged`)
into it: the person picks, field by field, whose value wins; everything
that pointed at the merged record then points at the kept one, and the
merged record is deleted. `merge_undo` puts both back as they were.

What moves. Every foreign key to Candidate in the project is found at run
time, so a model added later moves too, and a merge refuses to finish if
deleting the merged record would take anything else with it:

- plain rows (the timeline's activities, notes, outbox messages,
  conversations, texts, consents, résumés…) are pointed at the kept record;
- rows under a unique constraint with the candidate (a tag, a pool, a
  skill, a share, an enrolment in a sequence, a referral) move unless the
  kept record has the same one; then the merged one's row is collapsed into
  it: whatever pointed at it (an enrolment's messages) is pointed at the
  kept one's row, and it is deleted;
- one-to-one rows (contact preferences) are combined: a wish not to hear
  from the team is never lost;
- contact points: a phone number both had is kept once; one primary per
  kind, the one the person chose;
- possible-duplicate reviews between the two are closed by the merge;
  reviews with third people follow the kept record;
- the search document of the kept record is rebuilt.

The snapshot (Merge.snapshot) holds both records' fields as they were, the
kept record's as the merge left them, every row that changed (its model,
its key, and each changed column before and after), every row deleted (the
whole row) and every row created. Undoing restores the merged record under
its own id, moves back exactly the rows that moved, restores the rows the
merge deleted and deletes those it created. A column someone changed after
the merge keeps that later value; rows added to the kept record after the
merge stay with it.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone

from rapport.accounts.models import Capability
from rapport.core.activity import activity_record
from rapport.core.errors import PermissionDenied
from rapport.core.models import ActivityKind
from rapport.people.models import Candidate, ConsentState, ContactKind, ContactPoint, SearchDocument
from rapport.people.selectors import candidates_visible
from rapport.people.services import candidate_reindex, require
from rapport.sourcing.models import DuplicateReview, Merge, ReviewStatus

if TYPE_CHECKING:
    from rapport.accounts.models import User

SNAPSHOT_VERSION = 1
KEPT, MERGED, BOTH = "kept", "merged", "both"

# The fields a person picks, in the order the review page shows them.
PICKABLE: dict[str, str] = {
    "first_name": "First name",
    "last_name": "Last name",
    "headline": "Headline",
    "current_title": "Title",
    "current_company": "Company",
    "city": "City",
    "country": "Country",
    "timezone": "Time zone",
    "languages": "Languages",
    "seniority": "Seniority",
    "years_experience": "Years of experience",
    "linkedin_url": "LinkedIn",
    "github_url": "GitHub",
    "portfolio_url": "Portfolio",
    "source": "Source",
    "owner": "Owner",
    "consent": "Consent",
}
PRIMARY = {ContactKind.EMAIL: "primary_email", ContactKind.PHONE: "primary_phone"}
CUSTOM = "custom:"


class UndoRefused(ValidationError):
    """The merge cannot be undone now; the message says why and what to do."""


# --- what the person picks ------------------------------------------------------


def pick_value(candidate: Candidate, key: str, primaries: dict[str, str] | None = None) -> Any:
    """The candidate's value for a choice key: a field, `custom:<key>`, or
    `primary_email` / `primary_phone` (from `primaries`, kind → value)."""
    if key == "owner":
        return candidate.owner_id
    if key.startswith(CUSTOM):
        return candidate.custom_fields.get(key[len(CUSTOM) :])
    if key in PRIMARY.values():
        kind = next(k for k, v in PRIMARY.items() if v == key)
        return (primaries or {}).get(kind)
    return getattr(candidate, key)


def primaries_of(candidate_id: int) -> dict[str, str]:
    """Kind → the candidate's primary email address and phone number."""
    rows = ContactPoint.objects.filter(candidate_id=candidate_id, is_primary=True)
    return dict(rows.values_list("kind", "value"))


def choice_keys(kept: Candidate, merged: Candidate) -> list[str]:
    """Every key whose value differs between the two: the fields, then the
    custom fields, then the primary email and phone when both have one."""
    keys = [k for k in PICKABLE if pick_value(kept, k) != pick_value(merged, k)]
    for name in sorted(set(kept.custom_fields) | set(merged.custom_fields)):
        if kept.custom_fields.get(name) != merged.custom_fields.get(name):
            keys.append(CUSTOM + name)
    mine, theirs = primaries_of(kept.pk), primaries_of(merged.pk)
    for kind, key in PRIMARY.items():
        if mine.get(kind) and theirs.get(kind) and mine[kind] != theirs[kind]:
            keys.append(key)
    return keys


def _known_key(key: str) -> bool:
    return key in PICKABLE or key in PRIMARY.values() or key.startswith(CUSTOM)


def choice_options(key: str) -> tuple[str, ...]:
    return (KEPT, MERGED, BOTH) if key == "languages" else (KEPT, MERGED)


def default_choice(key: str, kept: Candidate, merged: Candidate) -> str:
    """What the review page proposes: the value that is there over an empty
    one, both records' languages, a withdrawn consent over any other, and
    otherwise the kept record's."""
    if key == "languages":
        return BOTH
    mine, theirs = pick_value(kept, key), pick_value(merged, key)
    if key == "consent":
        if ConsentState.WITHDRAWN in (mine, theirs):
            return KEPT if mine == ConsentState.WITHDRAWN else MERGED
        return MERGED if mine == ConsentState.UNKNOWN else KEPT
    if key in PRIMARY.values():
        return KEPT
    return MERGED if _empty(mine) and not _empty(theirs) else KEPT


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def clean_choices(kept: Candidate, merged: Candidate, choices: dict[str, str]) -> dict[str, str]:
    """Every differing key with its pick: the one given, or the default.
    Picks for keys where both records agree change nothing and are dropped."""
    errors = [f"{key!r} is not something to pick." for key in choices if not _known_key(key)]
    errors += [
        f"{key}: choose {' or '.join(choice_options(key))}, not {value!r}."
        for key, value in choices.items()
        if _known_key(key) and value not in choice_options(key)
    ]
    if errors:
        raise ValidationError({"choices": errors})
    return {
        key: choices.get(key) or default_choice(key, kept, merged)
        for key in choice_keys(kept, merged)
    }


def _merged_fields(kept: Candidate, merged: Candidate, picks: dict[str, str]) -> dict[str, Any]:
    """The kept record's columns after the merge (only those that change)."""
    values: dict[str, Any] = {}
    for key in PICKABLE:
        pick = picks.get(key, KEPT)
        column = "owner_id" if key == "owner" else key
        if pick == MERGED:
            values[column] = getattr(merged, column)
        elif pick == BOTH:
            values[column] = sorted(set(kept.languages) | set(merged.languages))
    custom = dict(merged.custom_fields)
    custom.update(kept.custom_fields)
    for key, pick in picks.items():
        if key.startswith(CUSTOM) and pick == MERGED:
            name = key[len(CUSTOM) :]
            if name in merged.custom_fields:
                custom[name] = merged.custom_fields[name]
            else:
                custom.pop(name, None)
    values["custom_fields"] = custom
    # Not picked: the person has been known since the first record was
    # made, and was last contacted when either was.
    if merged.created_at < kept.created_at:
        values["created_at"], values["created_by_id"] = merged.created_at, merged.created_by_id
    contacted = [d for d in (kept.last_contacted_at, merged.last_contacted_at) if d]
    values["last_contacted_at"] = max(contacted) if contacted else None
    # The daily refresh recomputes it from the joined timeline.
    values["engagement_score"] = max(kept.engagement_score, merged.engagement_score)
    values["updated_at"] = timezone.now()
    return {k: v for k, v in values.items() if getattr(kept, k) != v or k == "updated_at"}


# --- rows as JSON ---------------------------------------------------------------


def _dump(value: Any) -> Any:
    """A column's value as JSON, exactly (datetimes to the microsecond)."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, Decimal | uuid.UUID | dt.timedelta):
        return str(value)
    return value


def _load(field: models.Field[Any, Any], value: Any) -> Any:
    if value is None or isinstance(field, models.JSONField):
        return value
    if isinstance(field, models.BinaryField):
        return base64.b64decode(value)
    return field.to_python(value)


def _row(obj: models.Model) -> dict[str, Any]:
    return {f.attname: _dump(getattr(obj, f.attname)) for f in obj._meta.concrete_fields}


def _columns(model: type[models.Model]) -> dict[str, models.Field[Any, Any]]:
    return {f.attname: f for f in model._meta.concrete_fields}


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


# --- every row that points at a candidate ---------------------------------------


@dataclass(frozen=True)
class Link:
    """A foreign key to some model, and the unique constraints it is part
    of: for each, the other columns of the constraint."""

    model: type[models.Model]
    field: models.ForeignKey[Any, Any]
    unique: tuple[tuple[str, ...], ...]

    @property
    def column(self) -> str:
        return self.field.attname


# Models whose links to Candidate need their own rules (see the docstring).
OWN_RULES = {"people.contactpoint", "people.searchdocument", "sourcing.duplicatereview"}


@functools.cache
def links_to(target: type[models.Model]) -> tuple[Link, ...]:
    """Every foreign key to `target` in the project, many-to-many tables included."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy:
            continue
        for f in model._meta.concrete_fields:
            if isinstance(f, models.ForeignKey) and f.related_model is target:
                found.append(Link(model, f, _unique_sets(model, f)))
    return tuple(found)


def _unique_sets(
    model: type[models.Model], fk: models.ForeignKey[Any, Any]
) -> tuple[tuple[str, ...], ...]:
    sets: list[tuple[str, ...]] = [()] if fk.unique else []
    names = [tuple(group) for group in model._meta.unique_together]
    for constraint in model._meta.constraints:
        if not isinstance(constraint, models.UniqueConstraint) or fk.name not in constraint.fields:
            continue
        if constraint.condition is not None or constraint.expressions:
            if _label(model) in OWN_RULES:
                continue
            raise ImproperlyConfigured(
                f"{_label(model)}.{constraint.name}: merging does not know how to move rows "
                "under a conditional unique constraint; give the model its own rule in "
                "sourcing.merge."
            )
        names.append(tuple(constraint.fields))
    for group in names:
        if fk.name in group:
            others = tuple(model._meta.get_field(n).attname for n in group if n != fk.name)  # type: ignore[union-attr]
            sets.append(others)
    return tuple(sets)


# --- the merge ------------------------------------------------------------------


@dataclass
class _Changes:
    """What a merge did, as the snapshot records it."""

    updated: list[dict[str, Any]] = field(default_factory=list)
    deleted: list[dict[str, Any]] = field(default_factory=list)
    created: list[dict[str, Any]] = field(default_factory=list)

    def update(
        self,
        model: type[models.Model],
        pks: Sequence[Any],
        before: dict[str, Any],
        after: dict[str, Any],
    ) -> None:
        if not pks:
            return
        manager = model._base_manager
        for start in range(0, len(pks), 500):
            manager.filter(pk__in=pks[start : start + 500]).update(**after)
        self.updated.append(
            {
                "model": _label(model),
                "pks": [_dump(pk) for pk in pks],
                "before": {k: _dump(v) for k, v in before.items()},
                "after": {k: _dump(v) for k, v in after.items()},
            }
        )

    def delete(self, model: type[models.Model], pk: Any) -> None:
        obj = model._base_manager.get(pk=pk)
        self.deleted.append({"model": _label(model), "row": _row(obj)})
        _, counts = model._base_manager.filter(pk=pk).delete()
        _check_deleted(counts, {model._meta.label})

    def move(self, link: Link, old: Any, new: Any) -> None:
        """Point `link`'s rows at `new` instead of `old`; a row that would
        then repeat one of `new`'s under a unique constraint is collapsed."""
        if link.field.primary_key:
            self._move_key(link.model, old, new)
            return
        manager = link.model._base_manager
        if not link.unique:
            pks = list(
                manager.filter(**{link.column: old}).order_by("pk").values_list("pk", flat=True)
            )
            self.update(link.model, pks, {link.column: old}, {link.column: new})
            return
        columns = sorted({c for group in link.unique for c in group})
        taken: list[dict[tuple[Any, ...], Any]] = [{} for _ in link.unique]
        for row in manager.filter(**{link.column: new}).values("pk", *columns):
            for i, group in enumerate(link.unique):
                key = tuple(row[c] for c in group)
                if None not in key:
                    taken[i][key] = row["pk"]
        moving = []
        for row in manager.filter(**{link.column: old}).order_by("pk").values("pk", *columns):
            keys = [tuple(row[c] for c in group) for group in link.unique]
            twins = [taken[i][k] for i, k in enumerate(keys) if None not in k and k in taken[i]]
            if twins:
                self.collapse(link.model, row["pk"], twins[0])
            else:
                moving.append(row["pk"])
        self.update(link.model, moving, {link.column: old}, {link.column: new})

    def _move_key(self, model: type[models.Model], old: Any, new: Any) -> None:
        """A row whose key is the candidate (a one-to-one): copy it under the
        new key when there is none, then collapse the old one into it."""
        manager = model._base_manager
        row = manager.filter(pk=old).first()
        if row is None:
            return
        if not manager.filter(pk=new).exists():
            row.pk = new
            manager.bulk_create([row])
            self.created.append({"model": _label(model), "pk": _dump(new)})
        self.collapse(model, old, new)

    def collapse(self, model: type[models.Model], pk: Any, survivor: Any) -> None:
        """Fold row `pk` into `survivor`, a row of the same model: combine
        what the model says to combine, point whatever pointed at it at the
        survivor, and delete it."""
        if combine := COMBINE.get(_label(model)):
            combine(self, model, pk, survivor)
        for link in links_to(model):
            self.move(link, pk, survivor)
        self.delete(model, pk)

    def drop(self, model: type[models.Model], pk: Any) -> None:
        """Delete a row that has no counterpart; what pointed at it forgets it."""
        for link in links_to(model):
            if not link.field.null:
                raise ImproperlyConfigured(
                    f"{_label(link.model)}.{link.field.name} must be nullable."
                )
            manager = link.model._base_manager
            pks = list(manager.filter(**{link.column: pk}).values_list("pk", flat=True))
            self.update(link.model, pks, {link.column: pk}, {link.column: None})
        self.delete(model, pk)

    def change(self, model: type[models.Model], pk: Any, values: dict[str, Any]) -> None:
        """Set some columns of one row, recording what they were."""
        if not values:
            return
        current = model._base_manager.filter(pk=pk).values(*values).get()
        self.update(model, [pk], current, values)


def _check_deleted(counts: dict[str, int], allowed: set[str]) -> None:
    """Deleting must not take along anything the merge did not handle."""
    extra = {label: n for label, n in counts.items() if n and label not in allowed}
    if extra:
        raise RuntimeError(f"Merging would have deleted rows it does not know how to keep: {extra}")


def _combine_preference(
    changes: _Changes, model: type[models.Model], pk: Any, survivor: Any
) -> None:
    """Contact preferences: the stricter of each. Unsubscribing or leaving
    stands from the earliest time either record asked; a pause lasts until
    the later date; the rarer frequency wins. (Declined topics are rows of
    their own and follow as the preferences' dependents.)"""
    old, keep = _values(model, pk), _values(model, survivor)
    values: dict[str, Any] = {}
    for name in ("unsubscribed_at", "left_at"):
        if old[name] is not None and (keep[name] is None or old[name] < keep[name]):
            values[name] = old[name]
    if old["paused_until"] and (
        keep["paused_until"] is None or old["paused_until"] > keep["paused_until"]
    ):
        values["paused_until"] = old["paused_until"]
    rarity = [value for value, _ in model._meta.get_field("frequency").choices or []]  # type: ignore[union-attr]
    if {old["frequency"], keep["frequency"]} <= set(rarity) and rarity.index(
        old["frequency"]
    ) > rarity.index(keep["frequency"]):
        values["frequency"] = old["frequency"]
    for name in ("roles", "locations"):
        if not keep[name] and old[name]:
            values[name] = old[name]
    changes.change(model, survivor, values)


def _combine_skill(changes: _Changes, model: type[models.Model], pk: Any, survivor: Any) -> None:
    """The same skill on both records: the higher level and years."""
    old, keep = _values(model, pk), _values(model, survivor)
    values = {
        name: old[name]
        for name in ("level", "years")
        if old[name] is not None and (keep[name] is None or old[name] > keep[name])
    }
    changes.change(model, survivor, values)


def _values(model: type[models.Model], pk: Any) -> dict[str, Any]:
    return model._base_manager.filter(pk=pk).values().get()


COMBINE: dict[str, Callable[[_Changes, type[models.Model], Any, Any], None]] = {
    "outreach.preference": _combine_preference,
    "people.candidateskill": _combine_skill,
}


def _merge_contacts(changes: _Changes, kept: int, merged: int, picks: dict[str, str]) -> None:
    rows = list(ContactPoint.objects.filter(candidate_id__in=[kept, merged]).order_by("pk"))
    mine = {(c.kind, c.value): c for c in rows if c.candidate_id == kept}
    theirs = [c for c in rows if c.candidate_id == merged]
    moving = []
    survivor_of: dict[int, ContactPoint] = {}
    for contact in theirs:
        twin = mine.get((contact.kind, contact.value))
        if twin is not None:  # the same number on both records
            survivor_of[contact.pk] = twin
            changes.collapse(ContactPoint, contact.pk, twin.pk)
        else:
            survivor_of[contact.pk] = contact
            moving.append(contact)
    together = list(mine.values()) + moving
    wanted: set[int] = set()
    for kind, key in PRIMARY.items():
        my_primary = next((c for c in mine.values() if c.kind == kind and c.is_primary), None)
        their_primary = next((c for c in theirs if c.kind == kind and c.is_primary), None)
        if their_primary is not None and (my_primary is None or picks.get(key) == MERGED):
            wanted.add(survivor_of[their_primary.pk].pk)
        elif my_primary is not None:
            wanted.add(my_primary.pk)
    demote = [c.pk for c in together if c.is_primary and c.pk not in wanted]
    for pk in demote:
        changes.update(ContactPoint, [pk], {"is_primary": True}, {"is_primary": False})
    changes.update(
        ContactPoint,
        [c.pk for c in moving],
        {"candidate_id": merged},
        {"candidate_id": kept},
    )
    for contact in together:
        if contact.pk in wanted and not contact.is_primary:
            changes.update(ContactPoint, [contact.pk], {"is_primary": False}, {"is_primary": True})


def _merge_reviews(changes: _Changes, kept: int, merged: int) -> None:
    """Reviews of the pair are settled by the merge (and come back with an
    undo); a review of the merged record with a third person follows the
    kept record, unless the kept one has its own with that person."""
    for review in DuplicateReview.objects.filter(
        Q(candidate_id=merged) | Q(other_id=merged)
    ).order_by("pk"):
        third = review.other_id if review.candidate_id == merged else review.candidate_id
        if third == kept:
            changes.drop(DuplicateReview, review.pk)
            continue
        twin = DuplicateReview.objects.filter(
            Q(candidate_id=kept, other_id=third) | Q(candidate_id=third, other_id=kept)
        ).first()
        if twin is not None:
            changes.collapse(DuplicateReview, review.pk, twin.pk)
        else:
            column = "candidate_id" if review.candidate_id == merged else "other_id"
            changes.update(DuplicateReview, [review.pk], {column: merged}, {column: kept})


def _lock(actor: User, ids: Iterable[int]) -> dict[int, Candidate]:
    """The candidates, locked for this transaction, if the actor sees them all."""
    wanted = sorted(set(ids))
    rows = {
        c.pk: c for c in Candidate.objects.select_for_update().filter(pk__in=wanted).order_by("pk")
    }
    visible = set(candidates_visible(actor).filter(pk__in=wanted).values_list("pk", flat=True))
    if set(rows) != set(wanted) or visible != set(wanted):
        raise PermissionDenied("You may only merge people you can see.")
    return rows


@transaction.atomic
def candidate_merge(
    *,
    actor: User,
    kept: Candidate,
    merged: Candidate,
    choices: dict[str, str],
    review: DuplicateReview | None = None,
) -> Merge:
    """Fold `merged` into `kept`, with the picked values; see the module's
    docstring for what moves. Everything in one transaction."""
    require(actor, Capability.EDIT_CANDIDATES)
    if kept.pk == merged.pk:
        raise ValidationError("Choose two different people to merge.")
    rows = _lock(actor, [kept.pk, merged.pk])
    kept, merged = rows[kept.pk], rows[merged.pk]
    review_id = None
    if review is not None:
        review = DuplicateReview.objects.select_for_update().get(pk=review.pk)
        if {review.candidate_id, review.other_id} != {kept.pk, merged.pk}:
            raise ValidationError("This review is about two other people.")
        if review.status != ReviewStatus.OPEN:
            raise ValidationError(f"This review is already closed: {review.get_status_display()}.")
        review_id = review.pk
    picks = clean_choices(kept, merged, choices)
    contacts = {
        side: [_row(c) for c in ContactPoint.objects.filter(candidate_id=pk).order_by("pk")]
        for side, pk in ((KEPT, kept.pk), (MERGED, merged.pk))
    }
    snapshot: dict[str, Any] = {
        "version": SNAPSHOT_VERSION,
        "kept": _row(kept),
        "merged": _row(merged),
        "contacts": contacts,
        "review": _review_note(review),
    }
    changes = _Changes()
    _merge_contacts(changes, kept.pk, merged.pk, picks)
    _merge_reviews(changes, kept.pk, merged.pk)
    for link in links_to(Candidate):
        if _label(link.model) not in OWN_RULES:
            changes.move(link, merged.pk, kept.pk)
    Candidate.objects.filter(pk=kept.pk).update(**_merged_fields(kept, merged, picks))
    SearchDocument.objects.filter(candidate_id=merged.pk).delete()
    _, counts = Candidate.objects.filter(pk=merged.pk).delete()
    _check_deleted(counts, {Candidate._meta.label})
    candidate_reindex(candidate_ids=[kept.pk])
    kept.refresh_from_db()
    snapshot.update(
        kept_after=_row(kept),
        updated=changes.updated,
        deleted=changes.deleted,
        created=changes.created,
    )
    merge = Merge.objects.create(
        kept=kept,
        merged_id=merged.pk,
        merged_name=merged.full_name[:210],
        choices=picks,
        snapshot=snapshot,
        merged_by=actor,
    )
    activity_record(
        kind=ActivityKind.CANDIDATE_MERGED,
        candidate=kept,
        actor=actor,
        summary=f"{actor.display_name} merged {merged.full_name} (#{merged.pk}) into this record",
        target=merge,
        data={"merged_id": merged.pk, "review": review_id, "choices": picks},
    )
    return merge


def _review_note(review: DuplicateReview | None) -> dict[str, Any] | None:
    """Where the merge came from, for the history after the review is gone."""
    if review is None:
        return None
    return {
        "id": review.pk,
        "score": review.score,
        "reasons": review.reasons,
        "job_id": review.job_id,
        "job_name": review.job.original_name if review.job_id and review.job else "",
    }


# --- undoing it -----------------------------------------------------------------


def undo_blocker(merge: Merge) -> str:
    """Why the merge cannot be undone now, or "" when it can. The same
    checks `merge_undo` makes, for pages to say before anyone tries."""
    try:
        _check_undo(merge)
    except UndoRefused as exc:
        return " ".join(exc.messages)
    return ""


def _check_undo(merge: Merge) -> None:
    snapshot = merge.snapshot
    if merge.undone_at is not None:
        raise UndoRefused(f"This merge was already undone on {merge.undone_at:%d %b %Y}.")
    if snapshot.get("version") != SNAPSHOT_VERSION:
        raise UndoRefused(
            "This merge was recorded by another version of Rapport and cannot be undone."
        )
    kept_id = snapshot["kept"]["id"]
    if merge.kept_id != kept_id:
        later = Merge.objects.filter(merged_id=kept_id, undone_at__isnull=True).first()
        into = later.kept.full_name if later else f"candidate #{merge.kept_id}"
        raise UndoRefused(
            f"{snapshot['kept']['first_name']} {snapshot['kept']['last_name']}".strip()
            + f" was merged into {into} afterwards: undo that merge first."
        )
    later_merges = Merge.objects.filter(kept_id=kept_id, pk__gt=merge.pk, undone_at__isnull=True)
    if names := [m.merged_name for m in later_merges.order_by("pk")]:
        raise UndoRefused(
            f"{', '.join(names)} {'was' if len(names) == 1 else 'were'} merged into this record "
            "afterwards: undo the later merges first, newest first."
        )
    if Candidate.objects.filter(pk=merge.merged_id).exists():
        raise UndoRefused(f"There is already a candidate #{merge.merged_id}.")
    for row in snapshot["contacts"][MERGED]:
        if row["kind"] != ContactKind.EMAIL:
            continue
        holder = (
            ContactPoint.objects.filter(kind=ContactKind.EMAIL, value=row["value"])
            .exclude(candidate_id=kept_id, pk=row["id"])
            .select_related("candidate")
            .first()
        )
        if holder is not None:
            raise UndoRefused(
                f"{row['value']} now belongs to {holder.candidate.full_name} "
                f"(candidate #{holder.candidate_id}): remove it there, then undo."
            )


@transaction.atomic
def merge_undo(*, actor: User, merge: Merge) -> tuple[Candidate, Candidate]:
    """Put both records back as they were before `merge`; returns (kept,
    merged). Refuses, with the reason, when a later change stands in the way."""
    require(actor, Capability.EDIT_CANDIDATES)
    merge = Merge.objects.select_for_update().get(pk=merge.pk)
    _lock(actor, [merge.kept_id])
    _check_undo(merge)
    snapshot = merge.snapshot
    kept_id, merged_id = merge.kept_id, merge.merged_id
    try:
        _insert(Candidate, snapshot["merged"])
        for entry in reversed(snapshot["deleted"]):
            _restore_deleted(apps.get_model(entry["model"]), entry["row"])
        missing = _restore_updated(snapshot["updated"])
        _restore_missing_contacts(snapshot, missing)
        for entry in reversed(snapshot["created"]):
            model = apps.get_model(entry["model"])
            model._base_manager.filter(pk=_load(model._meta.pk, entry["pk"])).delete()
        _restore_kept(snapshot)
        _restore_primaries(snapshot, kept_id, merged_id)
    except IntegrityError as exc:
        raise UndoRefused(
            f"Something changed since the merge that undoing it would clash with ({exc})."
        ) from exc
    candidate_reindex(candidate_ids=[kept_id, merged_id])
    note = snapshot.get("review") or {}
    if note and DuplicateReview.objects.filter(pk=note["id"]).exists():
        merge.review_id = note["id"]
    merge.undone_by, merge.undone_at = actor, timezone.now()
    merge.save(update_fields=["review", "undone_by", "undone_at"])
    kept = Candidate.objects.get(pk=kept_id)
    merged = Candidate.objects.get(pk=merged_id)
    for one, other in ((kept, merged), (merged, kept)):
        activity_record(
            kind=ActivityKind.CANDIDATE_UNMERGED,
            candidate=one,
            actor=actor,
            summary=f"{actor.display_name} undid the merge of {merged.full_name} (#{merged.pk}) "
            f"into {kept.full_name} (#{kept.pk})",
            target=merge,
            data={"kept_id": kept.pk, "merged_id": merged.pk, "other": other.pk},
        )
    return kept, merged


def _insert(model: type[models.Model], row: dict[str, Any]) -> models.Model:
    columns = _columns(model)
    obj = model(
        **{name: _load(columns[name], value) for name, value in row.items() if name in columns}
    )
    model._base_manager.bulk_create([obj])
    return obj


def _restore_deleted(model: type[models.Model], row: dict[str, Any]) -> None:
    """Put a deleted row back, unless what it belonged to is gone since (a
    tag or a pool deleted after the merge): there is nothing to restore it to."""
    columns = _columns(model)
    for name, value in row.items():
        f = columns.get(name)
        if isinstance(f, models.ForeignKey) and value is not None:
            target = f.related_model._base_manager.filter(pk=_load(f, value))  # type: ignore[union-attr]
            if not target.exists():
                return
    _insert(model, row)


def _restore_updated(entries: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """Set each changed column back, where it still holds what the merge
    wrote; a column changed since keeps its later value. Returns, by model,
    the rows that no longer exist."""
    missing: dict[str, list[Any]] = defaultdict(list)
    for entry in reversed(entries):
        model = apps.get_model(entry["model"])
        columns = _columns(model)
        pk_field = model._meta.pk
        before = {k: _load(columns[k], v) for k, v in entry["before"].items()}
        after = {k: _load(columns[k], v) for k, v in entry["after"].items()}
        if model is ContactPoint:  # who is primary is settled at the end
            before.pop("is_primary", None)
        pks = [_load(pk_field, pk) for pk in entry["pks"]]
        manager = model._base_manager
        current = {
            row["pk"]: row for row in manager.filter(pk__in=pks).values("pk", *entry["before"])
        }
        groups: dict[tuple[str, ...], list[Any]] = defaultdict(list)
        for pk in pks:
            row = current.get(pk)
            if row is None:
                missing[entry["model"]].append(pk)
                continue
            names = tuple(k for k in before if row[k] == after[k])
            if names:
                groups[names].append(pk)
        for names, chosen in groups.items():
            for start in range(0, len(chosen), 500):
                manager.filter(pk__in=chosen[start : start + 500]).update(
                    **{k: before[k] for k in names}
                )
    return missing


def _restore_missing_contacts(snapshot: dict[str, Any], missing: dict[str, list[Any]]) -> None:
    """An address of the merged person removed after the merge comes back to
    them (the check before the undo made sure nobody else has it now)."""
    gone = set(missing.get("people.contactpoint", []))
    for row in snapshot["contacts"][MERGED]:
        if row["id"] in gone:
            _insert(ContactPoint, row)


def _restore_kept(snapshot: dict[str, Any]) -> None:
    before, after = snapshot["kept"], snapshot["kept_after"]
    kept = Candidate.objects.get(pk=before["id"])
    now = _row(kept)
    columns = _columns(Candidate)
    values = {
        name: _load(columns[name], before[name])
        for name in before
        if name not in ("id", "primary_email")
        and before[name] != after[name]
        and now[name] == after[name]
    }
    if values:
        Candidate.objects.filter(pk=kept.pk).update(**values)


def _restore_primaries(snapshot: dict[str, Any], kept_id: int, merged_id: int) -> None:
    """One primary per kind on each record: the one that was primary before
    the merge when it is still theirs, else the one primary now, else the
    oldest."""
    was_primary = {
        row["id"]
        for side in (KEPT, MERGED)
        for row in snapshot["contacts"][side]
        if row["is_primary"]
    }
    groups: dict[tuple[int, str], list[ContactPoint]] = defaultdict(list)
    for contact in ContactPoint.objects.filter(candidate_id__in=[kept_id, merged_id]).order_by(
        "pk"
    ):
        groups[(contact.candidate_id, contact.kind)].append(contact)
    wanted = set()
    for contacts in groups.values():
        chosen = (
            next((c for c in contacts if c.pk in was_primary), None)
            or next((c for c in contacts if c.is_primary), None)
            or contacts[0]
        )
        wanted.add(chosen.pk)
    every = [c for contacts in groups.values() for c in contacts]
    ContactPoint.objects.filter(
        pk__in=[c.pk for c in every if c.is_primary and c.pk not in wanted]
    ).update(is_primary=False)
    ContactPoint.objects.filter(
        pk__in=[c.pk for c in every if c.pk in wanted and not c.is_primary]
    ).update(is_primary=True)


# --- reviews --------------------------------------------------------------------


@transaction.atomic
def review_dismiss(*, actor: User, review: DuplicateReview) -> DuplicateReview:
    """Not the same person: the pair leaves the queue and is not proposed again."""
    require(actor, Capability.EDIT_CANDIDATES)
    review = DuplicateReview.objects.select_for_update().get(pk=review.pk)
    _lock(actor, [review.candidate_id, review.other_id])
    if review.status != ReviewStatus.OPEN:
        raise ValidationError(f"This review is already closed: {review.get_status_display()}.")
    review.status = ReviewStatus.DISMISSED
    review.resolved_by, review.resolved_at = actor, timezone.now()
    review.save(update_fields=["status", "resolved_by", "resolved_at"])
    return review


@transaction.atomic
def review_reopen(*, actor: User, review: DuplicateReview) -> DuplicateReview:
    """Back to the queue, after a "not the same person" given by mistake."""
    require(actor, Capability.EDIT_CANDIDATES)
    review = DuplicateReview.objects.select_for_update().get(pk=review.pk)
    _lock(actor, [review.candidate_id, review.other_id])
    if review.status != ReviewStatus.DISMISSED:
        raise ValidationError("Only a pair marked “not the same person” can be reopened.")
    review.status = ReviewStatus.OPEN
    review.resolved_by, review.resolved_at = None, None
    review.save(update_fields=["status", "resolved_by", "resolved_at"])
    return review


def merged_into(candidate_id: int) -> int | None:
    """The candidate that absorbed `candidate_id` in a merge still standing."""
    return (
        Merge.objects.filter(merged_id=candidate_id, undone_at__isnull=True)
        .order_by("-merged_at", "-id")
        .values_list("kept_id", flat=True)
        .first()
    )
