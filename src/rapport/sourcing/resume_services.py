"""Every write about résumés: storing one, confirming what was read from it,
removing it, and reading many at once into the talent pool.

A stored résumé keeps its file (under the media root, with a generated
name), its text (searchable with the candidate's other words, through the
text source this module registers with `people.documents`) and what
`resume_extract` read from it, each finding with a confidence. Nothing read
from a résumé reaches a candidate's profile until a person confirms it
(`resume_confirm`), except in a bulk upload, where a new candidate is made
from what was read with high confidence and an existing one only has blanks
filled, never a value replaced (`resumes_bulk`).
"""

from __future__ import annotations

import hashlib
import io
import posixpath
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.http import FileResponse, Http404
from django.utils import timezone

from rapport.accounts.models import Capability
from rapport.core.activity import activity_record
from rapport.core.contacts import display_phone
from rapport.core.models import ActivityKind
from rapport.people.models import Candidate, CandidateSkill, ContactKind
from rapport.people.services import (
    CandidateFields,
    SkillInput,
    candidate_create,
    candidate_reindex,
    candidate_update,
    contact_add,
    note_add,
    require,
)
from rapport.sourcing import resumes
from rapport.sourcing.identity import Keys, find_exact
from rapport.sourcing.models import Resume, ResumeStatus
from rapport.sourcing.resume_extract import HIGH, Extraction, SkillMatcher, extract
from rapport.sourcing.resumes import ResumeRejected

if TYPE_CHECKING:
    from rapport.accounts.models import User

# Scalar fields a confirmation may set, as the profile names them.
PROFILE_FIELDS = (
    "current_title",
    "current_company",
    "years_experience",
    "linkedin_url",
    "github_url",
    "portfolio_url",
)
LIST_FIELDS = ("emails", "phones", "skills", "education")
CONFIRMABLE = ("name", *PROFILE_FIELDS, *LIST_FIELDS)
FIELD_WORDS = {
    "first_name": "first name",
    "last_name": "last name",
    "linkedin_url": "LinkedIn",
    "github_url": "GitHub",
    "portfolio_url": "portfolio",
    "years_experience": "years of experience",
}


# --- the searchable text


def resume_texts(candidate_ids: Sequence[int]) -> dict[int, list[str]]:
    """The text source registered with people.documents: every readable
    résumé of these candidates, oldest first (one query)."""
    rows = (
        Resume.objects.filter(candidate_id__in=candidate_ids)
        .exclude(text="")
        .order_by("created_at", "id")
        .values_list("candidate_id", "text")
    )
    texts: dict[int, list[str]] = {}
    for candidate_id, text in rows:
        texts.setdefault(candidate_id, []).append(text)
    return texts


# --- one résumé


def display_name(raw: str) -> str:
    """The name a file was sent under, for showing only: no folders, no
    control characters, at most 255 characters."""
    base = posixpath.basename(raw.replace("\\", "/")) or "résumé"
    cleaned = "".join(c for c in base if c.isprintable()).strip()
    return (cleaned or "résumé")[-255:]


def _read_upload(file: File, name: str) -> bytes:
    size = getattr(file, "size", None)
    if size is not None and size > resumes.MAX_BYTES:
        raise ResumeRejected(
            f"{name} is {resumes.megabytes(size)}; a résumé may be at most "
            f"{resumes.megabytes(resumes.MAX_BYTES)}."
        )
    file.seek(0)
    return file.read(resumes.MAX_BYTES + 1)


def resume_store(
    *,
    data: bytes,
    name: str,
    candidate: Candidate | None,
    uploaded_by: User | None,
    skills: SkillMatcher | None = None,
) -> Resume:
    """Read and keep one résumé; no permission check and no activity (the
    callers do both). Raises ResumeRejected for a file that cannot be read;
    a sound file with no text (a scan) is kept, marked as not read. The same
    file twice for one candidate is stored once: the stored one is
    returned, with `already_stored` set."""
    name = display_name(name)
    reading = resumes.read_resume(data, name)
    digest = hashlib.sha256(data).hexdigest()
    if candidate is not None:
        existing = Resume.objects.filter(candidate=candidate, digest=digest).first()
        if existing is not None:
            existing.already_stored = True  # type: ignore[attr-defined]
            return existing
    found = extract(
        reading.text,
        skills=skills or SkillMatcher.from_database(),
        region=candidate.country if candidate is not None else "",
    )
    resume = Resume(
        candidate=candidate,
        original_name=name,
        content_type=reading.kind.content_type,
        size=len(data),
        digest=digest,
        text=reading.text,
        extracted=found.as_json() if not reading.problem else {},
        status=ResumeStatus.FAILED if reading.problem else ResumeStatus.PARSED,
        error=reading.problem[:500],
        uploaded_by=uploaded_by,
    )
    # The stored name is generated (sourcing.models.resume_path); only the
    # suffix comes from what the bytes turned out to be.
    resume.file.save(f"resume.{reading.kind.suffix}", ContentFile(data), save=False)
    try:
        resume.save()
    except Exception:
        resume.file.delete(save=False)
        raise
    resume.already_stored = False  # type: ignore[attr-defined]
    return resume


@transaction.atomic
def resume_upload(*, actor: User, candidate: Candidate, file: File) -> Resume:
    """A résumé added on a candidate's page: stored, read, searchable, and
    waiting for its findings to be confirmed."""
    require(actor, Capability.EDIT_CANDIDATES)
    name = display_name(file.name or "")
    resume = resume_store(
        data=_read_upload(file, name), name=name, candidate=candidate, uploaded_by=actor
    )
    if not resume.already_stored:  # type: ignore[attr-defined]
        _record_added(actor, candidate, resume)
    return resume


def _record_added(actor: User, candidate: Candidate, resume: Resume) -> None:
    activity_record(
        kind=ActivityKind.CANDIDATE_UPDATED,
        candidate=candidate,
        actor=actor,
        summary=f"{actor.display_name} added a résumé ({resume.original_name})",
        target=resume,
        data={"fields": ["resume"]},
    )
    Candidate.objects.filter(pk=candidate.pk).update(updated_at=timezone.now())
    candidate_reindex(candidate_ids=[candidate.pk])


@transaction.atomic
def resume_delete(*, actor: User, resume: Resume) -> None:
    """Remove a résumé (a wrong file, an old version) and its words from search."""
    require(actor, Capability.EDIT_CANDIDATES)
    candidate = resume.candidate
    name = resume.original_name
    resume.delete()  # the file follows once the transaction commits (resume_file_forget)
    if candidate is not None:
        activity_record(
            kind=ActivityKind.CANDIDATE_UPDATED,
            candidate=candidate,
            actor=actor,
            summary=f"{actor.display_name} removed the résumé {name}",
            data={"fields": ["resume"]},
        )
        candidate_reindex(candidate_ids=[candidate.pk])


def resume_file_forget(sender: type[Resume], instance: Resume, **kwargs: Any) -> None:
    """Remove a deleted résumé's file from storage, once the deletion is
    committed (a rolled-back deletion keeps it). Connected to post_delete in
    SourcingConfig.ready, so a candidate's deletion or erasure, which
    cascades to their résumés, removes their files too."""
    file = instance.file
    if file and file.name:
        storage, name = file.storage, file.name
        transaction.on_commit(lambda: storage.delete(name))


# --- confirming what was read


def _read_values(resume: Resume, name: str) -> list[Any]:
    entry = resume.extracted.get(name) or {}
    return [item["value"] for item in entry.get("value") or []]


@transaction.atomic
def resume_confirm(*, actor: User, resume: Resume, fields: Mapping[str, Any]) -> list[str]:
    """Apply the findings a person accepted, through the people services
    (so each change is validated and recorded like a hand edit), and mark
    the résumé confirmed. `fields` maps a finding to the value accepted:

    - `name`: {"first_name", "last_name"};
    - `current_title`, `current_company`, `linkedin_url`, `github_url`,
      `portfolio_url` (text) and `years_experience` (a whole number): the
      value as read or as corrected;
    - `emails`, `phones`, `skills`: the ones accepted, among those read;
    - `education`: the positions (from 0) of the entries accepted, kept as a
      note on the candidate, since the profile has no education field.

    Returns what changed, in words. Raises ValidationError naming the field."""
    require(actor, Capability.EDIT_CANDIDATES)
    candidate = resume.candidate
    if candidate is None:
        raise ValidationError("This résumé belongs to no candidate yet.")
    unknown = sorted(set(fields) - set(CONFIRMABLE))
    if unknown:
        raise ValidationError({unknown[0]: [f"{unknown[0]!r} is not read from résumés."]})
    changed: list[str] = []
    data = CandidateFields.of(candidate)
    before = CandidateFields.of(candidate)
    if "name" in fields:
        name = fields["name"] or {}
        data.first_name = str(name.get("first_name", "")).strip()
        data.last_name = str(name.get("last_name", "")).strip()
    for key in PROFILE_FIELDS:
        if key in fields:
            setattr(data, key, _profile_value(key, fields[key]))
    skills = _skills_after(candidate, resume, fields.get("skills") or [])
    candidate_update(actor=actor, candidate=candidate, data=data, skills=skills)
    changed += [
        FIELD_WORDS.get(f.name, f.name.replace("_", " "))
        for f in dataclass_fields(CandidateFields)
        if getattr(before, f.name) != getattr(data, f.name)
    ]
    if skills is not None:
        changed.append("skills")
    for kind, key in ((ContactKind.EMAIL, "emails"), (ContactKind.PHONE, "phones")):
        for value in _accepted(resume, key, fields.get(key) or []):
            contact_add(actor=actor, candidate=candidate, kind=kind, value=value)
            changed.append(display_phone(value) if kind == ContactKind.PHONE else value)
    education = _education(resume, fields.get("education") or [])
    if education:
        # One line each (the note keeps line breaks), not a Markdown list.
        note_add(
            actor=actor,
            candidate=candidate,
            body=f"Education, from the résumé {resume.original_name}:\n" + "\n".join(education),
        )
        changed.append("education")
    _mark_accepted(resume, fields, actor)
    return changed


def _profile_value(key: str, value: Any) -> Any:
    if key != "years_experience":
        return str(value or "").strip()
    if value in (None, ""):
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        raise ValidationError(
            {"years_experience": [f"{value!r} is not a whole number of years."]}
        ) from None


def _accepted(resume: Resume, key: str, values: Sequence[Any]) -> list[Any]:
    """The accepted items, each of which must be one the résumé gave."""
    read = _read_values(resume, key)
    for value in values:
        if value not in read:
            raise ValidationError({key: [f"{value} was not read from this résumé."]})
    return list(dict.fromkeys(values))


def _skills_after(
    candidate: Candidate, resume: Resume, accepted: Sequence[str]
) -> list[SkillInput] | None:
    """The candidate's skills with the accepted ones added (levels and
    years of the ones they had are kept); None when none were accepted."""
    fresh = _accepted(resume, "skills", accepted)
    if not fresh:
        return None
    links = CandidateSkill.objects.filter(candidate=candidate).select_related("skill")
    current = [
        SkillInput(name=link.skill.name, level=link.level, years=link.years) for link in links
    ]
    have = {s.name.lower() for s in current}
    return current + [SkillInput(name=name) for name in fresh if name.lower() not in have]


def _education(resume: Resume, positions: Sequence[Any]) -> list[str]:
    entries = _read_values(resume, "education")
    lines = []
    for position in positions:
        try:
            entry = entries[int(position)]
        except (ValueError, TypeError, IndexError):
            raise ValidationError(
                {"education": [f"{position!r} is not an entry read from this résumé."]}
            ) from None
        parts = [entry.get("degree"), entry.get("school"), entry.get("year")]
        lines.append(", ".join(str(p) for p in parts if p))
    return lines


def _mark_accepted(resume: Resume, accepted: Mapping[str, Any], actor: User) -> None:
    extracted = dict(resume.extracted)
    extracted["confirmed"] = {
        "fields": sorted(k for k, v in accepted.items() if v not in (None, "", [], {})),
        "by": actor.display_name,
        "at": timezone.now().isoformat(timespec="seconds"),
    }
    resume.extracted = extracted
    resume.status = ResumeStatus.CONFIRMED
    resume.save(update_fields=["extracted", "status"])


# --- many résumés at once

# What one bulk upload may hold and unpack. A zip's own limits are checked
# before anything in it is unpacked (resumes.archive_check).
BULK_MAX_FILES = 200
ZIP_MAX_BYTES = 100 * 1024 * 1024
ZIP_MAX_MEMBERS = 1000
ZIP_MAX_UNPACKED = 300 * 1024 * 1024
ZIP_MAX_RATIO = 100


class Outcome:
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"


@dataclass
class BulkLine:
    """What became of one file."""

    name: str  # the file's name, or "archive.zip › member" for a zip's member
    outcome: str
    message: str = ""
    candidate_id: int | None = None
    candidate_name: str = ""
    resume_id: int | None = None

    @property
    def archive(self) -> str:
        return self.name.split(" › ", 1)[0] if " › " in self.name else ""

    @property
    def member(self) -> str:
        return self.name.split(" › ", 1)[-1]


@dataclass
class BulkReport:
    lines: list[BulkLine] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for line in self.lines if line.outcome == outcome)

    @property
    def counts(self) -> dict[str, int]:
        return {
            o: self.count(o)
            for o in (Outcome.CREATED, Outcome.UPDATED, Outcome.UNCHANGED, Outcome.REJECTED)
        }


def resumes_bulk(*, actor: User, files_or_zip: Sequence[File]) -> BulkReport:
    """Read many résumés (files, or zips of them) into the talent pool.

    Each résumé is matched by exact identity (`identity.find_exact`: an
    email, phone or LinkedIn/GitHub profile it names): a match gets the
    résumé, its blanks filled with what was read with high confidence, and
    new addresses and numbers; only when nothing matches is a candidate made
    from the résumé. Each file is its own transaction: a bad one is reported
    and the others go in."""
    require(actor, Capability.EDIT_CANDIDATES)
    report = BulkReport()
    matcher = SkillMatcher.from_database()
    entries: list[tuple[str, bytes] | BulkLine] = []
    for upload in files_or_zip:
        entries.extend(_expand(upload))
    read = 0
    for entry in entries:
        if isinstance(entry, BulkLine):
            report.lines.append(entry)
            continue
        name, data = entry
        read += 1
        if read > BULK_MAX_FILES:
            report.lines.append(
                BulkLine(
                    name,
                    Outcome.REJECTED,
                    f"Not read: one upload reads at most {BULK_MAX_FILES} résumés; "
                    "send the rest again.",
                )
            )
            continue
        try:
            with transaction.atomic():
                report.lines.append(_bulk_one(actor, name, data, matcher))
        except ValidationError as exc:
            report.lines.append(BulkLine(name, Outcome.REJECTED, " ".join(exc.messages)))
    return report


def _expand(upload: File) -> list[tuple[str, bytes] | BulkLine]:
    """The résumés in one upload, in order: the file itself, or a zip's
    members; what cannot be read is a report line in its place."""
    name = display_name(upload.name or "")
    size = getattr(upload, "size", None) or 0
    head = upload.read(8)
    upload.seek(0)
    if not head.startswith(b"PK\x03\x04"):
        try:
            return [(name, _read_upload(upload, name))]
        except ResumeRejected as exc:
            return [BulkLine(name, Outcome.REJECTED, exc.reason)]
    if size > ZIP_MAX_BYTES:
        return [
            BulkLine(
                name,
                Outcome.REJECTED,
                f"{name} is {resumes.megabytes(size)}; a zip may be at most "
                f"{resumes.megabytes(ZIP_MAX_BYTES)}.",
            )
        ]
    data = upload.read(ZIP_MAX_BYTES + 1)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "word/document.xml" in archive.namelist():
                return [(name, data)]  # a DOCX is a zip too
            return _members(archive, name)
    except ResumeRejected as exc:
        return [BulkLine(name, Outcome.REJECTED, exc.reason)]
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        return [
            BulkLine(name, Outcome.REJECTED, f"{name} is a damaged zip archive and cannot be read.")
        ]


def _members(archive: zipfile.ZipFile, name: str) -> list[tuple[str, bytes] | BulkLine]:
    resumes.archive_check(
        archive,
        name,
        max_members=ZIP_MAX_MEMBERS,
        max_member=resumes.MAX_BYTES,
        max_total=ZIP_MAX_UNPACKED,
        max_ratio=ZIP_MAX_RATIO,
    )
    entries: list[tuple[str, bytes] | BulkLine] = []
    for info in archive.infolist():
        member = info.filename
        label = f"{name} › {member}"
        if info.is_dir() or _ignorable(member):
            continue
        if not _safe_member(member):
            entries.append(
                BulkLine(
                    label,
                    Outcome.REJECTED,
                    "Skipped: its name points outside the archive (an absolute path or “..”), "
                    "which no résumé needs.",
                )
            )
            continue
        if resumes.is_encrypted(info):
            entries.append(
                BulkLine(
                    label,
                    Outcome.REJECTED,
                    "Skipped: it is protected by a password inside the zip. "
                    "Zip it again without a password.",
                )
            )
            continue
        data = resumes.read_bounded(archive, info, info.file_size)
        if data.startswith(b"PK\x03\x04") and not _is_docx(data):
            entries.append(
                BulkLine(
                    label,
                    Outcome.REJECTED,
                    "Skipped: a zip inside the zip is not opened. Upload it on its own.",
                )
            )
            continue
        entries.append((label, data))
    if not entries:
        entries.append(BulkLine(name, Outcome.REJECTED, f"{name} holds no résumés."))
    return entries


def _ignorable(member: str) -> bool:
    """Folders' metadata that archivers add: macOS forks, dot files."""
    parts = member.replace("\\", "/").split("/")
    return parts[0] == "__MACOSX" or parts[-1].startswith(".") or parts[-1] == "Thumbs.db"


def _safe_member(member: str) -> bool:
    path = member.replace("\\", "/")
    if path.startswith("/") or (len(path) > 1 and path[1] == ":"):
        return False
    return ".." not in path.split("/") and "\x00" not in path


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as inner:
            return "word/document.xml" in inner.namelist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return False


def _bulk_one(actor: User, name: str, data: bytes, matcher: SkillMatcher) -> BulkLine:
    reading = resumes.read_resume(data, display_name(name))
    if reading.problem:
        raise ResumeRejected(reading.problem)
    found = extract(reading.text, skills=matcher)
    keys = Keys(
        emails=[f.value for f in found.emails],
        phones=[f.value for f in found.phones],
        linkedin=found.linkedin_url.value if found.linkedin_url else "",
        github=found.github_url.value if found.github_url else "",
    )
    match = find_exact([keys])[0]
    if match.candidate_id is None:
        return _bulk_create(actor, name, data, found, matcher)
    candidate = Candidate.objects.get(pk=match.candidate_id)
    resume = resume_store(
        data=data, name=name, candidate=candidate, uploaded_by=actor, skills=matcher
    )
    line = BulkLine(
        name,
        Outcome.UNCHANGED,
        candidate_id=candidate.pk,
        candidate_name=candidate.full_name,
        resume_id=resume.pk,
    )
    if resume.already_stored:  # type: ignore[attr-defined]
        line.message = f"{candidate.full_name} already has this résumé."
        return line
    _record_added(actor, candidate, resume)
    filled = _fill_blanks(actor, candidate, found)
    line.outcome = Outcome.UPDATED
    line.message = f"Matched by {match.by}; résumé added" + (
        f"; filled in {', '.join(filled)}." if filled else "; nothing else was missing."
    )
    if match.conflicts:
        others = ", ".join(f"#{pk}" for pk in match.conflicts)
        line.message += f" Some of its details also belong to candidate {others}: review them."
    return line


def _sure(found: Any) -> Any:
    return found.value if found is not None and found.confidence >= HIGH else None


def _bulk_create(
    actor: User, name: str, data: bytes, found: Extraction, matcher: SkillMatcher
) -> BulkLine:
    if found.name is None:
        raise ResumeRejected(
            f"No name could be read from {display_name(name)} and it names no email, phone or "
            "profile of anyone in the talent pool; add it from the candidate's page instead."
        )
    years = _sure(found.years_experience)
    candidate = candidate_create(
        actor=actor,
        data=CandidateFields(
            first_name=found.name.value["first_name"],
            last_name=found.name.value["last_name"],
            current_title=_sure(found.current_title) or "",
            current_company=_sure(found.current_company) or "",
            years_experience=years if years is not None and 0 <= years <= 70 else None,
            linkedin_url=found.linkedin_url.value if found.linkedin_url else "",
            github_url=found.github_url.value if found.github_url else "",
            portfolio_url=_sure(found.portfolio_url) or "",
            source="resume",
        ),
        emails=[f.value for f in found.emails],
        phones=[f.value for f in found.phones],
        skills=[SkillInput(name=f.value) for f in found.skills if f.confidence >= HIGH],
    )
    resume = resume_store(
        data=data, name=name, candidate=candidate, uploaded_by=actor, skills=matcher
    )
    _record_added(actor, candidate, resume)
    return BulkLine(
        name,
        Outcome.CREATED,
        "Nothing in the talent pool matched its email, phone or profiles.",
        candidate_id=candidate.pk,
        candidate_name=candidate.full_name,
        resume_id=resume.pk,
    )


def _fill_blanks(actor: User, candidate: Candidate, found: Extraction) -> list[str]:
    """Fill what the profile lacks from what was read with high confidence;
    add addresses and numbers it does not have (and nobody else has)."""
    data = CandidateFields.of(candidate)
    filled = []
    for key in PROFILE_FIELDS:
        value = _sure(getattr(found, key))
        if value not in (None, "") and getattr(data, key) in (None, ""):
            setattr(data, key, value)
            filled.append(FIELD_WORDS.get(key, key.replace("_", " ")))
    have = {s.lower() for s in candidate.skills.values_list("name", flat=True)}
    new_skills = [
        f.value for f in found.skills if f.confidence >= HIGH and f.value.lower() not in have
    ]
    skills = None
    if new_skills:
        links = CandidateSkill.objects.filter(candidate=candidate).select_related("skill")
        skills = [SkillInput(name=k.skill.name, level=k.level, years=k.years) for k in links]
        skills += [SkillInput(name=n) for n in new_skills]
        filled.append("skills (" + ", ".join(new_skills) + ")")
    if filled:
        candidate_update(actor=actor, candidate=candidate, data=data, skills=skills)
    present = set(candidate.contacts.values_list("value", flat=True))
    for kind, items in ((ContactKind.EMAIL, found.emails), (ContactKind.PHONE, found.phones)):
        for item in items:
            if item.value in present:
                continue
            try:
                with transaction.atomic():
                    contact_add(actor=actor, candidate=candidate, kind=kind, value=item.value)
                filled.append(
                    display_phone(item.value) if kind == ContactKind.PHONE else item.value
                )
            except ValidationError:
                continue  # someone else's address: the report says who matched
    return filled


def resume_attachment(resume: Resume) -> FileResponse:
    """The file as it was uploaded, always as an attachment: a browser never
    renders it in Rapport's origin, and never guesses another type."""
    try:
        handle = resume.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("The file of this résumé is missing from storage.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=resume.original_name,
        content_type=resume.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
