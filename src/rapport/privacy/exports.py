"""A copy of everything Rapport keeps about a candidate, for the person who
asks for it (decision 0017): a zip file with one JSON file per kind of
record, their résumés' files, and a note on what is in it.

What counts as "everything" is what erasing them would remove: the candidate
row and every row that would go with it (found the way a deletion finds
them, by Django's collector, so a table added later is included without
being named here), and the rows that hold their data without pointing at
them (`erasure.held_elsewhere`). Search indexes and similarity keys, which
only repeat the profile in another shape, are left out and the note says so.
Nothing is written but the timeline event that says who exported them.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import zipfile
from collections import defaultdict
from pathlib import Path
from tempfile import SpooledTemporaryFile
from typing import IO, Any

from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, router, transaction
from django.db.models.deletion import Collector
from django.utils import timezone

from rapport.accounts.models import Capability, User
from rapport.core.activity import activity_record
from rapport.core.errors import PermissionDenied
from rapport.core.models import ActivityKind
from rapport.jobs.models import CandidateEmbedding
from rapport.people.models import Candidate, SearchDocument
from rapport.people.services import require
from rapport.privacy.erasure import held_elsewhere, identifiers, pending_resumes
from rapport.sourcing.models import DuplicateReview, Merge, Resume, SimilarityKey

# Copies of the profile kept for searching and matching, not records of their own.
# A possible duplicate's review compares them with another person, by name.
DERIVED = {SearchDocument, SimilarityKey, CandidateEmbedding, DuplicateReview}
# Columns that are the machinery's, not the person's: leases, signing digests.
MACHINERY = {"lease_owner", "lease_expires_at", "token_digest", "client_digest", "key"}
# An undone merge was with someone else: its snapshot, their name and their
# record's number are theirs, not this person's.
THEIRS = {"snapshot", "merged_name", "choices", "merged_id"}
README = """Everything {organisation} keeps about {name}, as of {when}.

Each .json file holds one kind of record (profile, contact points, notes,
messages, replies, texts, applications, interviews, consents…), one object
per record, with every column. Dates are in UTC. Numbers that point at
other records (a user, a job) are kept as they are; the names of the team
members who wrote or sent something are in `team.json`.

Files: the résumés we hold, under files/.

Not included: the search index, the keys used to spot duplicates and the
profile's embedding for matching, which repeat the profile above in another
shape.
"""


def candidate_export(*, actor: User, candidate: Candidate) -> IO[bytes]:
    """The zip file, rewound. Recruiters and admins may export."""
    require(actor, Capability.EDIT_CANDIDATES)
    if not actor.can(Capability.SEE_CONFIDENTIAL):
        raise PermissionDenied("Only recruiters and admins may export a candidate's data.")
    with transaction.atomic():  # one consistent view of them
        emails, phones = identifiers(candidate)
        records = _records(candidate, emails, phones)
        sent = Resume.objects.filter(candidate=candidate) | pending_resumes(emails)
        resumes = [r for r in sent.order_by("pk") if r.file]
        activity_record(
            kind=ActivityKind.CANDIDATE_EXPORTED,
            candidate=candidate,
            actor=actor,
            summary=f"{actor.display_name} exported everything we keep about them",
        )
    spool: IO[bytes] = SpooledTemporaryFile(max_size=16 << 20)  # noqa: SIM115 - returned open
    with zipfile.ZipFile(spool, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", _readme(candidate))
        for label, rows in sorted(records.items()):
            archive.writestr(f"{label}.json", json.dumps(rows, cls=Encoder, indent=2))
        for resume in resumes:
            name = f"files/resume-{resume.pk}-{Path(resume.original_name).name or 'file'}"
            try:
                with default_storage.open(resume.file.name, "rb") as handle:
                    archive.writestr(name, handle.read())
            except OSError:
                archive.writestr(f"{name}.missing.txt", "This file was no longer in storage.")
    spool.seek(0)
    return spool


def export_filename(candidate: Candidate) -> str:
    return f"rapport-candidate-{candidate.pk}-{timezone.now():%Y%m%d}.zip"


def _records(
    candidate: Candidate, emails: list[str], phones: list[str]
) -> dict[str, list[dict[str, Any]]]:
    found: dict[type[models.Model], dict[Any, models.Model]] = defaultdict(dict)
    collector = Collector(using=router.db_for_write(Candidate))
    collector.collect([candidate])
    for model, collected in collector.data.items():
        for instance in collected:
            found[model][instance.pk] = instance
    for rows in [*collector.fast_deletes, *held_elsewhere(candidate, emails, phones)]:
        for instance in rows:
            found[type(instance)][instance.pk] = instance
    records: dict[str, list[dict[str, Any]]] = {}
    team: set[int] = set()
    for kind, instances in found.items():
        if kind in DERIVED:
            continue
        label = kind._meta.label_lower.replace(".", "-")
        records[label] = [_row(i) for _, i in sorted(instances.items(), key=lambda kv: str(kv[0]))]
        for field in kind._meta.concrete_fields:
            if isinstance(field, models.ForeignKey) and field.related_model is User:
                team |= {getattr(i, field.attname) for i in instances.values()} - {None}
    if team:
        records["team"] = [
            {"id": u.pk, "name": u.display_name, "role": u.get_role_display()}
            for u in User.objects.filter(pk__in=team).order_by("pk")
        ]
    return records


def _row(instance: models.Model) -> dict[str, Any]:
    hidden = MACHINERY
    if isinstance(instance, Merge) and instance.undone_at is not None:
        hidden = MACHINERY | THEIRS
    return {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if field.attname not in hidden
    }


def _readme(candidate: Candidate) -> str:
    from django.conf import settings

    return README.format(
        organisation=settings.ORGANISATION_NAME or "this team",
        name=candidate.full_name,
        when=timezone.now().astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )


class Encoder(DjangoJSONEncoder):
    """Bytes (a raw email) as text when they are text, else as base64."""

    def default(self, o: Any) -> Any:
        if isinstance(o, (bytes, memoryview)):
            raw = bytes(o)
            try:
                return raw.decode()
            except UnicodeDecodeError:
                return {"base64": base64.b64encode(raw).decode()}
        if isinstance(o, models.fields.files.FieldFile):
            return o.name
        return super().default(o)
