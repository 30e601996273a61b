"""Imports: a CSV, TSV or XLSX file of people into the talent pool.

`import_create` stores the uploaded file and finds out its shape (format,
encoding, delimiter) and a suggested column mapping; `import_preview` cleans
the first rows with a mapping; `import_start` checks the mapping and the
options and queues the job; `import_run` (the worker's task, or the CLI
directly) reads the file a batch of BATCH rows at a time. Each batch is one
transaction that also moves `ImportJob.rows_done`, so a crashed run resumes
after the last batch written and nothing of a half-done batch remains.

Per row (see docs/decisions/0007-imports.md):

- A row that cannot be read right (no name, no email/phone/profile, a bad
  value, a formula) is *rejected* with its reasons; the others go on.
- Its email addresses, phone numbers and LinkedIn/GitHub URLs are looked up
  (`identity.find_exact`, four queries per batch, plus the rows before it
  in the batch). Keys naming one candidate: that candidate is *updated*
  (or *unchanged*) by the per-field policy (`POLICY`): names are kept,
  empty fields are filled, other fields kept unless the import was told the
  file is newer for them, contact points, skills, languages, tags and the
  pool are added; never removed. Keys naming two candidates: a *possible
  duplicate*, nothing changed, and a review opened for the two.
- No exact match: the candidate is created. If someone looks alike
  (`similar`: the same company, city or school and a close name) the row is
  a *possible duplicate*: created, and a DuplicateReview opened. Nobody is
  merged here.

Rows are written with one COPY (PostgreSQL) or executemany (SQLite) per
table and batch, with the Activity rows the services would write
(candidate.created, candidate.updated, contact.added, tag.added,
pool.added) and the search documents. The same file imported twice changes
nothing the second time: every row then finds its candidate and nothing to
fill.
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import hashlib
import io
import json
import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from rapport.accounts.models import Capability
from rapport.core.errors import PermissionDenied
from rapport.core.lookup import rows_for_each
from rapport.core.models import Activity, ActivityKind
from rapport.core.text import words
from rapport.people.demo import ACTIVITY_FIELDS, CANDIDATE_FIELDS, reserve_ids, write_rows
from rapport.people.documents import DocumentParts, document
from rapport.people.models import (
    Candidate,
    CandidateSkill,
    CandidateTag,
    ContactKind,
    ContactPoint,
    CustomField,
    Pool,
    PoolMembership,
    SearchDocument,
    Skill,
    SkillAlias,
)
from rapport.people.services import (
    candidate_reindex,
    pool_create,
    require,
    skill_resolve,
    tag_get_or_create,
)
from rapport.search.export import neutralise
from rapport.sourcing import import_child, similar
from rapport.sourcing.identity import Keys, find_exact
from rapport.sourcing.import_clean import Person, clean, values_of
from rapport.sourcing.import_mapping import FIELDS, Mapping, Plan, suggest
from rapport.sourcing.import_read import ReadError, Shape, count_rows, detect, read
from rapport.sourcing.models import (
    ColumnMapping,
    DuplicateReview,
    ImportJob,
    ImportRow,
    ImportStatus,
    RowOutcome,
)

if TYPE_CHECKING:
    from rapport.accounts.models import User

logger = logging.getLogger(__name__)

BATCH = 2000
COUNTERS = ("created", "updated", "unchanged", "duplicates", "rejected")
PARALLEL_FROM = 20_000
BLOCK_LIMIT = 50  # look-alikes compared per blocking key, at most
LOOK_ALIKES = (
    3  # reviews opened for one row, at most  # rows left, from which a second process cleans rows
)
PREVIEW_ROWS = 20
DEFAULT_SOURCE = "import"

# Field → what an import does when the candidate exists (docs/decisions/0007).
KEEP = ("first_name", "last_name")
FILL = (
    "headline", "current_title", "current_company", "city", "country", "timezone",
    "seniority", "years_experience", "portfolio_url", "linkedin_url", "github_url", "source",
)  # fmt: skip
REPLACEABLE = (
    "headline", "current_title", "current_company", "city", "country", "timezone",
    "seniority", "years_experience", "portfolio_url",
)  # fmt: skip
POLICY = {
    **dict.fromkeys(KEEP, "kept: an import never renames anyone"),
    **dict.fromkeys(FILL, "filled when empty, otherwise kept"),
    **dict.fromkeys(
        REPLACEABLE, "filled when empty; replaced only when the import says the file is newer"
    ),
    "linkedin_url": "filled when empty, otherwise kept (it identifies the person)",
    "github_url": "filled when empty, otherwise kept (it identifies the person)",
    "source": "filled when empty, otherwise kept (where they first came from)",
    "email": "added beside the ones they have (never replaces the primary)",
    "phone": "added beside the ones they have (never replaces the primary)",
    "languages": "added",
    "skills": "added, never removed",
    "tags": "added, never removed",
    "pool": "added",
    "school": "filled when empty (kept in the School custom field)",
}
PROFILE_FIELDS = ("current_company", "city")  # what changes a candidate's blocking keys


# --- reading the access rules ----------------------------------------------------------


def import_get(actor: User, pk: int) -> ImportJob:
    """An import, for someone who may import: anyone else gets a 404."""
    from django.http import Http404

    if not actor.can(Capability.EDIT_CANDIDATES):
        raise Http404("No such import.")
    job = ImportJob.objects.filter(pk=pk).select_related("created_by").first()
    if job is None:
        raise Http404("No such import.")
    return job


def imports_recent(actor: User, *, limit: int = 20) -> list[ImportJob]:
    if not actor.can(Capability.EDIT_CANDIDATES):
        return []
    return list(ImportJob.objects.select_related("created_by")[:limit])


# --- creating, previewing, starting ----------------------------------------------------


def file_path(job: ImportJob) -> Path:
    return Path(job.file.path)


def import_create(*, actor: User, upload: IO[bytes], name: str) -> ImportJob:
    """Store the file under a generated name and read its shape and header.
    Raises ValidationError (too big, empty, unreadable) with the reason."""
    require(actor, Capability.EDIT_CANDIDATES)
    limit = settings.IMPORT_MAX_BYTES
    size = _size(upload)
    if size is not None and size > limit:
        raise ValidationError(_too_big(size, limit))
    digest = hashlib.sha256()
    job = ImportJob(original_name=Path(name).name[:255] or "import", created_by=actor)
    try:
        counted: Any = _Counted(upload, digest, limit)
        job.file.save(job.original_name, File(counted), save=False)
    except _TooBig as exc:  # a stream that did not say its size
        if job.file.name:
            job.file.delete(save=False)
        raise ValidationError(str(exc)) from None
    try:
        size = job.file.size
        shape = detect(file_path(job), job.original_name)
        with read(file_path(job), shape) as reading:
            header = reading.header
            first = next(reading.rows, None)
        if first is None:
            raise ValidationError("The file has a header row but no rows after it.")
    except (ReadError, _TooBig) as exc:
        job.file.delete(save=False)
        raise ValidationError(str(exc)) from None
    except ValidationError:
        job.file.delete(save=False)
        raise
    job.digest, job.size = digest.hexdigest(), size
    job.format, job.encoding, job.delimiter = shape.format, shape.encoding, shape.delimiter
    job.options = {"fallback": shape.fallback, "header": header}
    job.columns = _suggested(header)
    job.rows_total = count_rows(file_path(job), shape)
    job.save()
    return job


def _size(upload: IO[bytes]) -> int | None:
    size = getattr(upload, "size", None)
    if isinstance(size, int):
        return size
    try:
        return os.fstat(upload.fileno()).st_size
    except (AttributeError, OSError, io.UnsupportedOperation):
        return None


class _TooBig(Exception):
    pass


def _too_big(size: int, limit: int) -> str:
    return (
        f"The file is {size / 1e6:,.0f} MB; imports take at most {limit / 1e6:,.0f} MB "
        "(RAPPORT_IMPORT_MAX_BYTES). Split it into smaller files."
    )


class _Counted:
    """A file read through, hashed and measured; stops past the limit."""

    def __init__(self, raw: IO[bytes], digest: Any, limit: int) -> None:
        self.raw, self.digest, self.limit, self.size = raw, digest, limit, 0

    def read(self, n: int = -1) -> bytes:
        chunk = self.raw.read(n)
        self.size += len(chunk)
        if self.size > self.limit:
            raise _TooBig(_too_big(self.size, self.limit))
        self.digest.update(chunk)
        return chunk

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)


def _suggested(header: list[str]) -> dict[str, str]:
    """A saved mapping that fits every column wins over guessing."""
    for saved in ColumnMapping.objects.order_by("-created_at"):
        if header and all(column in saved.columns for column in header):
            return {column: saved.columns[column] for column in header}
    return suggest(header)


def shape_of(job: ImportJob) -> Shape:
    return Shape(
        format=job.format,
        encoding=job.encoding,
        fallback=str(job.options.get("fallback", "")),
        delimiter=job.delimiter,
    )


@dataclass
class PreviewRow:
    number: int
    values: dict[str, str]
    errors: list[str]
    person: Person | None

    @property
    def name(self) -> str:
        return row_name(self.values)

    @property
    def where(self) -> str:
        return self.values.get("location") or self.values.get("city", "")


def row_name(values: dict[str, str]) -> str:
    """Who a row is about, as the file wrote it."""
    if values.get("full_name"):
        return values["full_name"]
    return f"{values.get('first_name', '')} {values.get('last_name', '')}".strip()


@dataclass
class Preview:
    header: list[str]
    rows: list[PreviewRow]
    problems: list[str]

    @property
    def valid(self) -> int:
        return sum(1 for row in self.rows if not row.errors)


def import_preview(*, job: ImportJob, mapping: Mapping, rows: int = PREVIEW_ROWS) -> Preview:
    """The first rows as they would be read with this mapping, each checked."""
    with read(file_path(job), shape_of(job)) as reading:
        plan = mapping.plan(reading.header)
        shown = []
        for number, cells in islice(_nonblank(reading.rows), rows):
            result = clean(cells, plan)
            errors = result if isinstance(result, list) else []
            person = result if isinstance(result, Person) else None
            shown.append(PreviewRow(number, values_of(cells, plan), errors, person))
        return Preview(reading.header, shown, mapping.problems(reading.header))


def _nonblank(rows: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
    for number, cells in rows:
        if any(isinstance(c, str) and c.strip() for c in cells):
            yield number, cells


@transaction.atomic
def mapping_save(*, actor: User, name: str, mapping: Mapping) -> ColumnMapping:
    """Save a mapping under a name, for the next file with these columns."""
    require(actor, Capability.EDIT_CANDIDATES)
    cleaned = " ".join(name.split())[:120]
    if not cleaned:
        raise ValidationError({"name": ["Give the mapping a name, e.g. “LinkedIn Recruiter”."]})
    unknown = sorted({f for f in mapping.columns.values() if f not in FIELDS})
    if unknown:
        raise ValidationError({"columns": [f"Unknown fields: {', '.join(unknown)}."]})
    saved, _ = ColumnMapping.objects.update_or_create(
        name=cleaned, defaults={"columns": mapping.columns, "created_by": actor}
    )
    return saved


@dataclass
class Options:
    pool: str = ""  # a pool's name; made when missing
    tag: str = ""
    source: str = ""
    replace: list[str] = field(default_factory=list)  # fields the file is newer for
    dry_run: bool = False


def import_start(
    *, actor: User, job: ImportJob, mapping: Mapping, options: Options, enqueue: bool = True
) -> ImportJob:
    """Check the mapping and the options, then queue the run (after commit)."""
    require(actor, Capability.EDIT_CANDIDATES)
    if job.status != ImportStatus.PREVIEW:
        raise ValidationError("This import has already started.")
    header = list(job.options.get("header", []))
    problems = mapping.problems(header)
    if problems:
        raise ValidationError({"columns": problems})
    stored: dict[str, Any] = {**job.options, "replace": _replace(options.replace)}
    with transaction.atomic():
        if options.pool.strip():
            stored["pool"] = _pool(actor, options.pool, dry_run=options.dry_run)
        if options.tag.strip():
            from rapport.core.text import slugify_tag

            tag = slugify_tag(options.tag)
            if not tag:
                raise ValidationError({"tag": [f"“{options.tag}” has no letters or digits."]})
            stored["tag"] = tag
        source = " ".join(options.source.split())[:40]
        if source:
            stored["source"] = source
        job.columns = {c: mapping.columns.get(c, "") for c in header}
        job.options = stored
        job.dry_run = options.dry_run
        job.status = ImportStatus.QUEUED
        job.save(update_fields=["columns", "options", "dry_run", "status"])
        if enqueue:
            from rapport.sourcing.import_tasks import import_task

            transaction.on_commit(lambda: import_task.enqueue(job_id=job.pk))
    return job


def _replace(fields: Iterable[str]) -> list[str]:
    wanted = sorted(set(fields))
    bad = [f for f in wanted if f not in REPLACEABLE]
    if bad:
        raise ValidationError({"replace": [f"An import cannot replace {', '.join(bad)}."]})
    return wanted


def _pool(actor: User, name: str, *, dry_run: bool) -> int | str:
    require(actor, Capability.MANAGE_POOLS)
    cleaned = " ".join(name.split())
    pool = Pool.objects.filter(name__iexact=cleaned, archived_at__isnull=True).first()
    if pool is None:
        if dry_run:
            return cleaned  # a dry run makes nothing, not even the pool
        pool = pool_create(actor=actor, name=cleaned)
    return pool.pk


# --- running ---------------------------------------------------------------------------


def _parallel(job: ImportJob) -> bool:
    """Clean rows in a second process while this one writes, for big files."""
    return bool(
        settings.IMPORT_PROCESSES > 1 and (job.rows_total or 0) - job.rows_done >= PARALLEL_FROM
    )


def _cleaned(
    rows: Iterator[tuple[int, list[str]]], plan: Plan, *, school: bool, parallel: bool
) -> Iterator[tuple[list[tuple[int, list[str]]], list[Any]]]:
    """Batches of rows with their cleaned values. In parallel, the next batch
    is cleaned in the other process while the caller writes this one."""
    if not parallel:
        while batch := list(islice(rows, BATCH)):
            yield batch, import_child.clean_rows(batch, plan, school=school)
        return
    context = multiprocessing.get_context("spawn")  # never fork a threaded worker
    with ProcessPoolExecutor(1, mp_context=context, initializer=import_child.setup) as pool:
        pending: deque[tuple[list[tuple[int, list[str]]], Future[list[Any]]]] = deque()
        while True:
            while len(pending) < 2 and (batch := list(islice(rows, BATCH))):
                cleaning = pool.submit(import_child.clean_rows, batch, plan, school=school)
                pending.append((batch, cleaning))
            if not pending:
                return
            batch, future = pending.popleft()
            yield batch, future.result()


@contextmanager
def _collector_at_ease() -> Iterator[None]:
    """Python's cycle collector runs every 700 new objects and, now and then,
    walks every object the process holds (Django's among them). A batch makes
    hundreds of thousands of short-lived rows, lists and dicts, almost none
    of them in cycles: it cost 6-17% of the import's time. While the import
    runs, what the process held before it is set aside from the walks and
    the collector runs less often; both are put back after."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(20_000, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def import_run(*, job_id: int, on_progress: Callable[[ImportJob], None] | None = None) -> ImportJob:
    """Run (or carry on with) the import, a batch at a time."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING):
        return job
    now = timezone.now()
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.RUNNING, started_at=job.started_at or now
    )
    job.status = ImportStatus.RUNNING
    try:
        actor = job.created_by
        if actor is None or not actor.is_active:
            raise PermissionDenied("Whoever started this import can no longer sign in.")
        require(actor, Capability.EDIT_CANDIDATES)
        run = Run(job, actor)
        with read(file_path(job), shape_of(job)) as reading, _collector_at_ease():
            if reading.header != job.options.get("header"):
                raise ReadError("The file changed since it was uploaded: upload it again.")
            run.plan = Mapping.of(job.columns).plan(reading.header)
            rows = islice(reading.rows, job.rows_done, None)
            school, parallel = bool(run.school_field), _parallel(job)
            for batch, cleaned in _cleaned(rows, run.plan, school=school, parallel=parallel):
                run.batch(batch, cleaned)
                if on_progress:
                    on_progress(job)
            recovered = len(reading.recovered)
        run.finish(recovered=recovered)
    except (ReadError, ValidationError, PermissionDenied) as exc:
        message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.FAILED, error=message[:500], finished_at=timezone.now()
        )
    except Exception:
        # A bug or the database going away: say so on the page rather than
        # leave the import "running" for ever. (A killed process raises
        # nothing here; its import stays running and is carried on.)
        logger.exception("Import %s stopped after row %s.", job.pk, job.rows_done)
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.FAILED,
            error=f"An unexpected error stopped the import after {job.rows_done:,} rows; "
            "it is in the server's log.",
            finished_at=timezone.now(),
        )
        raise
    job.refresh_from_db()
    return job


@dataclass(slots=True, eq=False)
class Target:
    """A candidate a batch writes to: one that exists, or one it creates."""

    fields: dict[str, Any]
    pk: int | None = None
    new: bool = False
    number: int = 0  # the row that created it
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    skills: set[int] = field(default_factory=set)
    tags: set[int] = field(default_factory=set)
    in_pool: bool = False
    custom: dict[str, Any] = field(default_factory=dict)
    # What this batch adds to an existing candidate:
    changed: set[str] = field(default_factory=set)
    new_emails: list[str] = field(default_factory=list)
    new_phones: list[str] = field(default_factory=list)
    new_skills: list[int] = field(default_factory=list)
    new_tags: list[int] = field(default_factory=list)
    pool_added: bool = False
    instance: Candidate | None = None
    keys: set[int] | None = None  # blocking keys, while the profile is as first read

    @property
    def name(self) -> str:
        return f"{self.fields.get('first_name', '')} {self.fields.get('last_name', '')}".strip()

    def profile(self, school_field: str) -> similar.Profile:
        return similar.Profile(
            first_name=self.fields.get("first_name", ""),
            last_name=self.fields.get("last_name", ""),
            company=self.fields.get("current_company", ""),
            city=self.fields.get("city", ""),
            school=str(self.custom.get(school_field, "")) if school_field else "",
        )


@dataclass(slots=True)
class Outcome:
    number: int
    outcome: str
    values: dict[str, str] | list[str]  # the row's cells, until the report needs its values
    target: Target | None = None
    reason: str = ""
    changes: dict[str, Any] = field(default_factory=dict)


class Run:
    """One pass over a job's file: what stays the same from batch to batch."""

    def __init__(self, job: ImportJob, actor: User) -> None:
        self.job, self.actor = job, actor
        self.dry_run = job.dry_run
        options = job.options
        self.replace = set(options.get("replace", []))
        self.source = str(options.get("source", "")) or DEFAULT_SOURCE
        pool = options.get("pool")
        self.pool: Pool | None = (
            Pool.objects.filter(pk=pool).first() if isinstance(pool, int) else None
        )
        self.pool_name = self.pool.name if self.pool else str(pool or "")
        self.option_tag = str(options.get("tag", ""))
        self.plan: Any = None
        self.school_field = next(
            (
                key
                for key in similar.SCHOOL_FIELDS
                if CustomField.objects.filter(key=key, field_type="text").exists()
            ),
            "",
        )
        self.skills = {
            name.lower(): (pk, name) for pk, name in Skill.objects.values_list("pk", "name")
        }
        self.skill_names = dict(self.skills.values())
        for alias, pk in SkillAlias.objects.values_list("alias", "skill_id"):
            self.skills.setdefault(alias, (pk, self.skill_names.get(pk, alias)))
        self.tags: dict[str, int | None] = {}
        self.words: dict[str, list[str]] = {}
        self.summary_prefix = f"{actor.display_name} added"
        self._refresh_keys()

    # -- setup

    def _refresh_keys(self) -> None:
        """Key the candidates changed elsewhere since the last import."""
        previous = ImportJob.objects.filter(options__has_key="keys_through").order_by("-pk").first()
        after, since = 0, None
        if previous is not None:
            after = int(previous.options["keys_through"])
            since = dt.datetime.fromisoformat(previous.options["keys_at"])
        similar.keys_refresh(after_id=after, since=since)

    def skill_id(self, name: str) -> int | None:
        found = self.skills.get(name.lower())
        if found is None:
            if self.dry_run:
                return None
            skill = skill_resolve(name)
            found = (skill.pk, skill.name)
            self.skills[name.lower()] = found
            self.skill_names[skill.pk] = skill.name
        return found[0]

    def tag_id(self, name: str) -> int | None:
        if name not in self.tags:
            if self.dry_run:
                from rapport.people.models import Tag

                tag = Tag.objects.filter(name=name).first()
                self.tags[name] = tag.pk if tag else None
            else:
                self.tags[name] = tag_get_or_create(name=name).pk
        return self.tags[name]

    def split(self, text: str) -> list[str]:
        cached = self.words.get(text)
        if cached is None:
            cached = words(text)
            if len(self.words) < 50_000:
                self.words[text] = cached
        return cached

    # -- one batch

    def batch(self, rows: list[tuple[int, list[str]]], cleaned: list[Any]) -> None:
        """Decide outside the transaction, write inside it: on SQLite the
        write lock is then held only while writing, so the worker's heartbeat
        and the web's writes get their turn between batches. Someone adding
        the same address between the two makes the write fail: the batch is
        decided again, once."""
        for attempt in (1, 2):
            plan = Batch(self, rows).decide(cleaned)
            try:
                with transaction.atomic():
                    self._commit(plan, len(rows))
            except IntegrityError:
                if attempt == 2:
                    raise
            else:
                return

    def _commit(self, plan: Batch, rows: int) -> None:
        job = self.job
        if not self.dry_run:
            plan.write()
        plan.report()
        counts = {name: getattr(job, name) + plan.counts[name] for name in COUNTERS}
        ImportJob.objects.filter(pk=job.pk).update(rows_done=job.rows_done + rows, **counts)
        job.rows_done += rows  # only once the update is in the transaction
        for name, value in counts.items():
            setattr(job, name, value)

    def finish(self, *, recovered: int) -> None:
        job = self.job
        options = dict(job.options)
        if recovered:
            options["warnings"] = [
                f"{recovered:,} line{'s' if recovered != 1 else ''} of the file "
                f"{'were' if recovered != 1 else 'was'} not UTF-8 and "
                f"{'were' if recovered != 1 else 'was'} read as {options.get('fallback') or 'cp1252'}."
            ]
        if not self.dry_run:
            top = Candidate.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            options["keys_through"] = top
            options["keys_at"] = timezone.now().isoformat()
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.DONE,
            finished_at=timezone.now(),
            rows_total=job.rows_done,
            options=options,
        )


class Batch:
    """The rows of one batch: what becomes of each, then the writes."""

    def __init__(self, run: Run, rows: list[tuple[int, list[str]]]) -> None:
        self.run, self.rows = run, rows
        self.outcomes: list[Outcome] = []
        self.new: list[Target] = []
        self.existing: dict[int, Target] = {}
        self.reviews: list[tuple[Target, Target, float, list[str]]] = []
        self.counts = dict.fromkeys(
            ("created", "updated", "unchanged", "duplicates", "rejected"), 0
        )
        # Keys written by earlier rows of this batch: email, phone, URL → target.
        self.local: dict[tuple[str, str], Target] = {}
        self.local_keys: dict[int, list[Target]] = {}
        self.row_keys: dict[int, set[int]] = {}  # id(person) → its blocking keys

    def decide(self, cleaned: list[Person | list[str] | None]) -> Batch:
        """`cleaned` holds `clean()` of each row (None for a blank one)."""
        run = self.run
        people: list[tuple[int, list[str], Person]] = []
        for (number, cells), result in zip(self.rows, cleaned, strict=True):
            if result is None:
                continue
            if isinstance(result, list):
                values = values_of(cells, run.plan)
                self._outcome(Outcome(number, RowOutcome.REJECTED, values, reason=" ".join(result)))
            else:
                people.append((number, cells, result))
        people = self._unsuppressed(people)
        matches = find_exact(
            [
                Keys(
                    emails=p.emails,
                    phones=p.phones,
                    linkedin=p.fields.get("linkedin_url", ""),
                    github=p.fields.get("github_url", ""),
                )
                for _, _, p in people
            ]
        )
        self._load_existing({m.candidate_id for m in matches if m.candidate_id} | {
            c for m in matches for c in m.conflicts
        })  # fmt: skip
        self._load_similar(
            [p for (_, _, p), m in zip(people, matches, strict=True) if not m.candidate_id]
        )
        for (number, cells, person), match in zip(people, matches, strict=True):
            self._row(number, cells, person, match)
        self.outcomes.sort(key=lambda o: o.number)
        return self

    def _unsuppressed(
        self, people: list[tuple[int, list[str], Person]]
    ) -> list[tuple[int, list[str], Person]]:
        """Rows with an address on the suppression list are rejected: such an
        address is never mailed, nor imported again (outreach keeps only its
        SHA-256, which is all this compares)."""
        digests = {e: _digest(e) for _, _, p in people for e in p.emails}
        if not digests:
            return people
        found = _suppressed(list(set(digests.values())))
        if not found:
            return people
        kept = []
        for number, cells, person in people:
            if any(digests[e] in found for e in person.emails):
                reason = (
                    "An email address of this row is on the suppression list (it bounced, "
                    "complained or asked to hear nothing more), so it is never imported again."
                )
                values = values_of(cells, self.run.plan)
                self._outcome(Outcome(number, RowOutcome.REJECTED, values, reason=reason))
            else:
                kept.append((number, cells, person))
        return kept

    def _outcome(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)
        key = "duplicates" if outcome.outcome == RowOutcome.DUPLICATE else str(outcome.outcome)
        self.counts[key] += 1

    # -- what the database already holds

    def _load_existing(self, ids: set[int]) -> None:
        if not ids:
            return
        run = self.run
        for candidate in Candidate.objects.filter(pk__in=ids):
            self.existing[candidate.pk] = Target(
                fields={name: getattr(candidate, name) for name in (*KEEP, *FILL, "languages")},
                pk=candidate.pk,
                custom=dict(candidate.custom_fields),
                instance=candidate,
            )
        for candidate_id, kind, value in (
            ContactPoint.objects.filter(candidate__in=ids)
            .order_by("-is_primary", "id")
            .values_list("candidate_id", "kind", "value")
        ):
            target = self.existing[candidate_id]
            (target.emails if kind == ContactKind.EMAIL else target.phones).append(value)
        for candidate_id, skill_id in CandidateSkill.objects.filter(candidate__in=ids).values_list(
            "candidate_id", "skill_id"
        ):
            self.existing[candidate_id].skills.add(skill_id)
        for candidate_id, tag_id in CandidateTag.objects.filter(candidate__in=ids).values_list(
            "candidate_id", "tag_id"
        ):
            self.existing[candidate_id].tags.add(tag_id)
        if run.pool is not None:
            for candidate_id in PoolMembership.objects.filter(
                pool=run.pool, candidate__in=ids
            ).values_list("candidate_id", flat=True):
                self.existing[candidate_id].in_pool = True

    def _load_similar(self, people: list[Person]) -> None:
        """The people who share a blocking key with a row that matched nobody."""
        keys: set[int] = set()
        for person in people:
            own = person.keys
            if own is None:
                own = similar.blocking_keys(self._profile(person))
            self.row_keys[id(person)] = own
            keys |= own
        found = similar.keys_lookup(keys)
        self.similar_keys = found
        ids = {pk for pks in found.values() for pk in pks}
        self.profiles: dict[int, tuple[similar.Profile, str]] = {}
        if not ids:
            return
        fields = ("pk", "first_name", "last_name", "current_company", "city", "custom_fields")
        ids_list = sorted(ids)
        for start in range(0, len(ids_list), 5000):
            rows = Candidate.objects.filter(pk__in=ids_list[start : start + 5000])
            for pk, first, last, company, city, custom in rows.values_list(*fields):
                school = similar.school_of(custom or {})
                self.profiles[pk] = (
                    similar.Profile(first, last, company, city, school),
                    f"{first} {last}".strip(),
                )

    def _profile(self, person: Person) -> similar.Profile:
        return similar.Profile(
            first_name=person.fields.get("first_name", ""),
            last_name=person.fields.get("last_name", ""),
            company=person.fields.get("current_company", ""),
            city=person.fields.get("city", ""),
            school=person.school if self.run.school_field else "",
        )

    # -- one row

    def _keys(self, person: Person) -> list[tuple[str, str]]:
        keys = [("email", e) for e in person.emails] + [("phone", p) for p in person.phones]
        for name in ("linkedin_url", "github_url"):
            if person.fields.get(name):
                keys.append((name, person.fields[name]))
        return keys

    def _row(self, number: int, values: list[str], person: Person, match: Any) -> None:
        named: list[Target] = []
        if match.candidate_id:
            named.append(self.existing[match.candidate_id])
        for other in match.conflicts:
            named.append(self.existing[other])
        for key in self._keys(person):
            target = self.local.get(key)
            if target is not None and target not in named:
                named.append(target)
        if len(named) > 1:
            self._conflict(number, values, person, named)
        elif named:
            self._update(number, values, person, named[0])
        else:
            self._create(number, values, person)

    def _conflict(
        self, number: int, values: list[str], person: Person, named: list[Target]
    ) -> None:
        names = " and ".join(f"{t.name} ({_ref(t)})" for t in named[:3])
        reason = (
            f"Its email, phone or profile URL name different people: {names}. Which one is "
            "meant is for a person to decide, so nothing was changed; the two are in the "
            "review queue."
        )
        for other in named[1:]:
            self.reviews.append(
                (
                    named[0],
                    other,
                    100.0,
                    [f"row {number} of {self.run.job.original_name} names both"],
                )
            )
        self._outcome(Outcome(number, RowOutcome.DUPLICATE, values, named[0], reason))

    def _update(self, number: int, values: list[str], person: Person, target: Target) -> None:
        changes = self._apply(target, person)
        self._register(person, target)
        changed = any(change[2] != "kept" for change in changes.values())
        outcome = RowOutcome.UPDATED if changed else RowOutcome.UNCHANGED
        if target.new:
            reason = f"Same person as row {target.number} of this file."
        elif changed:
            reason = f"Already in the talent pool (matched by {self._by(person, target)})."
        else:
            reason = f"Already in the talent pool with all of this (matched by {self._by(person, target)})."
        self._outcome(Outcome(number, outcome, values, target, reason, changes))

    def _by(self, person: Person, target: Target) -> str:
        if set(person.emails) & set(target.emails):
            return "email"
        if person.fields.get("linkedin_url") and person.fields.get(
            "linkedin_url"
        ) == target.fields.get("linkedin_url"):
            return "LinkedIn URL"
        if person.fields.get("github_url") and person.fields.get("github_url") == target.fields.get(
            "github_url"
        ):
            return "GitHub URL"
        return "phone"

    def _create(self, number: int, values: list[str], person: Person) -> None:
        run = self.run
        fields: dict[str, Any] = dict.fromkeys((*KEEP, *FILL), "")
        fields.update(years_experience=None, languages=[])
        fields.update(person.fields)
        fields["source"] = fields["source"] or run.source
        target = Target(fields=fields, new=True, number=number)
        if run.school_field and person.school:
            target.custom[run.school_field] = person.school
        self._apply(target, person, creating=True)
        self.new.append(target)
        profile = self._profile(person)
        keys = self.row_keys.get(id(person)) or similar.blocking_keys(profile)
        target.keys = keys
        alike = self._look_alikes(profile, keys)
        self._register(person, target)
        for key in keys:
            self.local_keys.setdefault(key, []).append(target)
        if not alike:
            self._outcome(Outcome(number, RowOutcome.CREATED, values, target))
            return
        for other, score, reasons in alike:
            self.reviews.append((target, other, score, reasons))
        other, _, reasons = alike[0]
        more = f" (and {len(alike) - 1} more)" if len(alike) > 1 else ""
        reason = (
            f"Looks like {other.name} ({_ref(other)}){more}: {'; '.join(reasons)}. Added as a "
            "new candidate; the pairs are in the review queue, and nothing was merged."
        )
        self._outcome(Outcome(number, RowOutcome.DUPLICATE, values, target, reason))

    def _look_alikes(
        self, profile: similar.Profile, keys: set[int]
    ) -> list[tuple[Target, float, list[str]]]:
        """The people this one looks like, best first and, among equals, the
        oldest first; at most LOOK_ALIKES of them."""
        found: list[tuple[tuple[float, int], Target, float, list[str]]] = []
        seen: set[int] = set()
        seen_local: set[int] = set()
        for key in keys:
            # A block is a handful of people; a file of placeholder names at one
            # company could make one of thousands: its oldest BLOCK_LIMIT are enough.
            for pk in sorted(self.similar_keys.get(key, ()))[:BLOCK_LIMIT]:
                if pk in seen or pk not in self.profiles:
                    continue
                seen.add(pk)
                other_profile, name = self.profiles[pk]
                result = similar.score(profile, other_profile)
                if result:
                    target = self.existing.get(pk) or Target(fields=_name_fields(name), pk=pk)
                    found.append(((-result[0], pk), target, result[0], result[1]))
            for target in self.local_keys.get(key, [])[:BLOCK_LIMIT]:
                if id(target) in seen_local:
                    continue
                seen_local.add(id(target))
                result = similar.score(profile, target.profile(self.run.school_field))
                if result:
                    found.append(((-result[0], 10**15 + target.number), target, *result))
        found.sort(key=lambda item: item[0])
        return [(target, score, reasons) for _, target, score, reasons in found[:LOOK_ALIKES]]

    def _register(self, person: Person, target: Target) -> None:
        for key in self._keys(person):
            self.local.setdefault(key, target)

    def _apply(
        self, target: Target, person: Person, *, creating: bool = False
    ) -> dict[str, list[Any]]:
        """Bring the row's values to the target by the policy; what changed."""
        run, changes = self.run, {}
        if not creating:
            for name in KEEP:
                value = person.fields.get(name)
                if value and value != target.fields.get(name):
                    changes[name] = [target.fields.get(name), value, "kept"]
            for name in FILL:
                value = person.fields.get(name)
                if name == "source" and not value:
                    value = run.job.options.get("source") or ""
                if value in (None, "") or value == target.fields.get(name):
                    continue
                before = target.fields.get(name)
                if before in (None, ""):
                    policy = "filled"
                elif name in run.replace:
                    policy = "replaced"
                else:
                    changes[name] = [before, value, "kept"]
                    continue
                target.fields[name] = value
                target.changed.add(name)
                changes[name] = [before, value, policy]
                if name in PROFILE_FIELDS:
                    target.keys = None
            languages = person.fields.get("languages") or []
            added = [code for code in languages if code not in target.fields["languages"]]
            if added:
                before = ", ".join(target.fields["languages"])
                target.fields["languages"] = sorted({*target.fields["languages"], *added})
                target.changed.add("languages")
                changes["languages"] = [before, ", ".join(added), "added"]
            if run.school_field and person.school and not target.custom.get(run.school_field):
                target.custom[run.school_field] = person.school
                target.changed.add("custom_fields")
                changes["school"] = ["", person.school, "filled"]
        for kind, have, fresh in (
            ("email", target.emails, target.new_emails),
            ("phone", target.phones, target.new_phones),
        ):
            wanted = person.emails if kind == "email" else person.phones
            added = [v for v in wanted if v not in have]
            if added:
                if not creating:
                    changes[kind] = [", ".join(have), ", ".join(added), "added"]
                    fresh.extend(added)
                have.extend(added)
        skill_ids = [run.skill_id(name) for name in person.skills]
        added_skills = [
            s for s in dict.fromkeys(skill_ids) if s is not None and s not in target.skills
        ]
        if added_skills or (self.run.dry_run and None in skill_ids):
            target.skills.update(added_skills)
            target.new_skills.extend(added_skills)
            if not creating:
                names = [run.skill_names.get(s, "") for s in added_skills]
                names += [n for n, s in zip(person.skills, skill_ids, strict=True) if s is None]
                changes["skills"] = ["", ", ".join(names), "added"]
        tags = [*person.tags, *([run.option_tag] if run.option_tag else [])]
        tag_ids = [(name, run.tag_id(name)) for name in dict.fromkeys(tags)]
        new_tags = [(n, t) for n, t in tag_ids if t is None or t not in target.tags]
        if new_tags:
            target.tags.update(t for _, t in new_tags if t is not None)
            target.new_tags.extend(t for _, t in new_tags if t is not None)
            if not creating:
                changes["tags"] = ["", ", ".join(n for n, _ in new_tags), "added"]
        if run.pool_name and not target.in_pool:
            target.in_pool = target.pool_added = True
            if not creating:
                changes["pool"] = ["", run.pool_name, "added"]
        return changes

    # -- writing

    def write(self) -> None:
        run = self.run
        now = timezone.now()
        stamp = connection.ops.adapt_datetimefield_value(now)
        ids = reserve_ids(Candidate, len(self.new))
        for target, pk in zip(self.new, ids, strict=True):
            target.pk = pk
        self._write_new(stamp)
        self._write_existing(now, stamp)
        DuplicateReview.objects.bulk_create(
            [
                DuplicateReview(
                    candidate_id=max(_pk(a), _pk(b)),
                    other_id=min(_pk(a), _pk(b)),
                    score=score,
                    reasons=reasons,
                    job=run.job,
                    created_at=now,
                )
                for a, b, score, reasons in self.reviews
                if a.pk != b.pk
            ],
            ignore_conflicts=True,
        )

    def _write_new(self, stamp: Any) -> None:
        if not self.new:
            return
        run, actor = self.run, self.run.actor
        candidates, contacts, skills, tags, members, documents, activities = ([] for _ in range(7))
        keys: list[tuple[int, int]] = []
        summary = run.summary_prefix
        job_data = json.dumps({"import": run.job.pk})
        for t in self.new:
            f, pk = t.fields, t.pk
            name = t.name
            languages = json.dumps(f["languages"])
            candidates.append((
                pk, f["first_name"], f["last_name"], f["headline"], f["current_title"],
                f["current_company"], f["city"], f["country"], f["timezone"], languages,
                f["seniority"], f["years_experience"], f["linkedin_url"], f["github_url"],
                f["portfolio_url"], f["source"], actor.pk, json.dumps(t.custom), "unknown",
                None, 0.0, t.emails[0] if t.emails else "", actor.pk, stamp, stamp,
            ))  # fmt: skip
            for i, email in enumerate(t.emails):
                contacts.append((pk, ContactKind.EMAIL, email, "", i == 0, stamp))
            for i, phone in enumerate(t.phones):
                contacts.append((pk, ContactKind.PHONE, phone, "", i == 0, stamp))
            for skill_id in t.new_skills:
                skills.append((pk, skill_id, None, None))
            built = document(
                DocumentParts(
                    first_name=f["first_name"],
                    last_name=f["last_name"],
                    headline=f["headline"],
                    title=f["current_title"],
                    company=f["current_company"],
                    city=f["city"],
                    skills=[run.skill_names[s] for s in sorted(t.new_skills)],
                    emails=t.emails,
                ),
                run.split,
            )
            documents.append((pk, built.tokens, built.private_tokens))
            activities.append((
                stamp, ActivityKind.CANDIDATE_CREATED, pk, actor.pk, "importjob", run.job.pk,
                f"{summary} {name}"[:300], json.dumps({"source": f["source"], "import": run.job.pk}),
                False, False,
            ))  # fmt: skip
            for tag_id in t.new_tags:
                tags.append((pk, tag_id, actor.pk, stamp))
                activities.append((
                    stamp, ActivityKind.TAG_ADDED, pk, actor.pk, "tag", tag_id,
                    self._tag_name(tag_id), job_data, False, False,
                ))  # fmt: skip
            if t.pool_added and run.pool is not None:
                members.append((run.pool.pk, pk, actor.pk, stamp))
                activities.append((
                    stamp, ActivityKind.POOL_ADDED, pk, actor.pk, "pool", run.pool.pk,
                    run.pool.name, job_data, False, False,
                ))  # fmt: skip
            own = (
                t.keys if t.keys is not None else similar.blocking_keys(t.profile(run.school_field))
            )
            keys += [(key, pk) for key in own]  # type: ignore[misc]
        write_rows(Candidate, CANDIDATE_FIELDS, candidates)
        write_rows(
            ContactPoint,
            ("candidate", "kind", "value", "label", "is_primary", "created_at"),
            contacts,
        )
        write_rows(CandidateSkill, ("candidate", "skill", "level", "years"), skills)
        write_rows(CandidateTag, ("candidate", "tag", "added_by", "added_at"), tags)
        write_rows(PoolMembership, ("pool", "candidate", "added_by", "added_at"), members)
        write_rows(SearchDocument, ("candidate", "tokens", "private_tokens"), documents)
        write_rows(Activity, ACTIVITY_FIELDS, activities)
        similar.keys_insert(keys)

    def _tag_name(self, tag_id: int) -> str:
        return next((name for name, pk in self.run.tags.items() if pk == tag_id), "")

    def _write_existing(self, now: dt.datetime, stamp: Any) -> None:
        run, actor = self.run, self.run.actor
        touched = [
            t
            for t in self.existing.values()
            if t.changed
            or t.new_emails
            or t.new_phones
            or t.new_skills
            or t.new_tags
            or t.pool_added
        ]
        if not touched:
            return
        # Each candidate gets only the fields this import changed for them.
        by_fields: dict[tuple[str, ...], list[Candidate]] = {}
        for t in touched:
            assert t.instance is not None
            for name in t.changed:
                value = t.custom if name == "custom_fields" else t.fields[name]
                setattr(t.instance, name, value)
            t.instance.updated_at = now
            by_fields.setdefault(tuple(sorted(t.changed)), []).append(t.instance)
        for names, group in by_fields.items():
            Candidate.objects.bulk_update(group, [*names, "updated_at"], batch_size=500)
        contacts, skills, tags, members, activities = [], [], [], [], []
        job_data = {"import": run.job.pk}
        for t in touched:
            pk = t.pk
            had_email = len(t.emails) > len(t.new_emails)
            had_phone = len(t.phones) > len(t.new_phones)
            for i, email in enumerate(t.new_emails):
                contacts.append((pk, ContactKind.EMAIL, email, "", not had_email and i == 0, stamp))
            for i, phone in enumerate(t.new_phones):
                contacts.append((pk, ContactKind.PHONE, phone, "", not had_phone and i == 0, stamp))
            labels = [n.replace("_", " ") for n in sorted(t.changed - {"custom_fields"})]
            labels += ["school"] if "custom_fields" in t.changed else []
            labels += ["skills"] if t.new_skills else []
            if labels:
                activities.append(Activity(
                    kind=ActivityKind.CANDIDATE_UPDATED, candidate_id=pk, actor=actor,
                    occurred_at=now, summary=f"Import {run.job.original_name}: {', '.join(labels)}"[:300],
                    target_type="importjob", target_id=run.job.pk,
                    data={"fields": sorted(t.changed) + (["skills"] if t.new_skills else []), **job_data},
                ))  # fmt: skip
            for value in t.new_emails + t.new_phones:
                kind = ContactKind.EMAIL if value in t.new_emails else ContactKind.PHONE
                activities.append(Activity(
                    kind=ActivityKind.CONTACT_ADDED, candidate_id=pk, actor=actor, occurred_at=now,
                    summary=f"Added {kind} {value}", data=job_data,
                ))  # fmt: skip
            skills += [(pk, s, None, None) for s in t.new_skills]
            for tag_id in t.new_tags:
                tags.append((pk, tag_id, actor.pk, stamp))
                activities.append(Activity(
                    kind=ActivityKind.TAG_ADDED, candidate_id=pk, actor=actor, occurred_at=now,
                    summary=self._tag_name(tag_id), target_type="tag", target_id=tag_id, data=job_data,
                ))  # fmt: skip
            if t.pool_added and run.pool is not None:
                members.append((run.pool.pk, pk, actor.pk, stamp))
                activities.append(Activity(
                    kind=ActivityKind.POOL_ADDED, candidate_id=pk, actor=actor, occurred_at=now,
                    summary=run.pool.name, target_type="pool", target_id=run.pool.pk, data=job_data,
                ))  # fmt: skip
        write_rows(
            ContactPoint,
            ("candidate", "kind", "value", "label", "is_primary", "created_at"),
            contacts,
        )
        write_rows(CandidateSkill, ("candidate", "skill", "level", "years"), skills)
        write_rows(CandidateTag, ("candidate", "tag", "added_by", "added_at"), tags)
        write_rows(PoolMembership, ("pool", "candidate", "added_by", "added_at"), members)
        Activity.objects.bulk_create(activities, batch_size=500)
        ids = [t.pk for t in touched]
        candidate_reindex(candidate_ids=ids)  # type: ignore[arg-type]
        rekey = [t for t in touched if t.changed & {*PROFILE_FIELDS, "custom_fields"}]
        similar.keys_write((t.pk, t.profile(run.school_field)) for t in rekey)  # type: ignore[misc]

    def report(self) -> None:
        plan = self.run.plan
        rows = [
            ImportRow(
                job=self.run.job,
                number=o.number,
                outcome=o.outcome,
                candidate_id=o.target.pk if o.target is not None else None,
                reason=o.reason[:500],
                values=o.values if isinstance(o.values, dict) else values_of(o.values, plan),
                changes=o.changes,
            )
            for o in self.outcomes
            if o.outcome != RowOutcome.CREATED
        ]
        ImportRow.objects.bulk_create(rows, batch_size=1000)


def _suppressed(digests: list[str]) -> set[str]:
    """Which of these digests are on the suppression list."""
    table = apps.get_model("outreach", "Suppression")._meta.db_table
    rows = rows_for_each(digests, table=table, column="digest", select=["digest"])
    return {digest for digest, _ in rows}


def _digest(email: str) -> str:
    """As outreach.policy.address_digest keeps a suppressed address."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def _pk(target: Target) -> int:
    assert target.pk is not None  # ids are reserved before anything is written
    return target.pk


def _ref(target: Target) -> str:
    if target.pk is not None:
        return f"#{target.pk}"
    return f"row {target.number} of this file"


def _name_fields(name: str) -> dict[str, Any]:
    first, _, last = name.partition(" ")
    return {"first_name": first, "last_name": last}


# --- the report ------------------------------------------------------------------------

REPORT_COLUMNS = ("row", "outcome", "candidate_id", "candidate", "reason", "changes")


def report_lines(job: ImportJob) -> Iterator[str]:
    """The report as CSV, a line at a time: one line per row that was not
    simply created, with the reason, what changed (field: before → after,
    policy) and the row's values. Cells a spreadsheet would run as formulas
    are written as text."""
    header = list(job.options.get("header", []))
    fields = list(dict.fromkeys(job.columns[c] for c in header if job.columns.get(c)))
    writer = csv.writer(_Echo())
    yield writer.writerow([*REPORT_COLUMNS, *(FIELDS[f] for f in fields)])
    rows = ImportRow.objects.filter(job=job).order_by("number")
    last = 0
    while True:
        batch = list(rows.filter(number__gt=last).select_related("candidate")[:2000])
        if not batch:
            return
        for row in batch:
            values = dict(row.values)
            cells = [
                row.number,
                row.get_outcome_display(),
                row.candidate_id or "",
                row.candidate.full_name if row.candidate else "",
                row.reason,
                changes_text(row.changes),
                *[values.get(f, "") for f in fields],
            ]
            yield writer.writerow([neutralise(c) for c in cells])
        last = batch[-1].number


def changes_text(changes: dict[str, Any]) -> str:
    parts = []
    for name, (before, after, policy) in changes.items():
        label = FIELDS.get(name, name.replace("_", " ").capitalize())
        if policy == "added":
            parts.append(f"{label}: added {after}")
        elif policy == "kept":
            parts.append(f"{label}: kept {before or '(empty)'} (the file has {after})")
        else:
            parts.append(f"{label}: {policy} {before or '(empty)'} → {after}")
    return "; ".join(parts)


class _Echo:
    def write(self, value: str) -> str:
        return value


def report_rows(job: ImportJob, *, outcome: str = "") -> Any:
    """The report's rows, in file order, for a page."""
    rows = ImportRow.objects.filter(job=job).select_related("candidate").order_by("number")
    return rows.filter(outcome=outcome) if outcome else rows


def attach_reviews(job: ImportJob, rows: Iterable[ImportRow]) -> None:
    """Set `review_id` on each possible duplicate's row: the review it opened."""
    wanted = [r for r in rows if r.outcome == RowOutcome.DUPLICATE and r.candidate_id]
    ids = {r.candidate_id for r in wanted}
    found: dict[int, int] = {}
    for pk, candidate_id, other_id in (
        DuplicateReview.objects.filter(job=job)
        .filter(Q(candidate__in=ids) | Q(other__in=ids))
        .values_list("pk", "candidate_id", "other_id")
        .order_by("pk")
    ):
        found.setdefault(candidate_id, pk)
        found.setdefault(other_id, pk)
    for row in rows:
        review = found.get(row.candidate_id) if row in wanted and row.candidate_id else None
        row.review_id = review  # type: ignore[attr-defined]


def elapsed(job: ImportJob) -> float:
    """Seconds the import has run (so far)."""
    end = job.finished_at or timezone.now()
    return (end - job.started_at).total_seconds() if job.started_at else 0.0
