"""Erasing a candidate: everything Rapport keeps about a person, gone in one
transaction, with a record that says it happened and names nobody
(decision 0017).

Deleting the candidate row takes with it every row that points at it: contact
points, skills, tags, pools, notes, the timeline, messages and the captured
mail, conversations, texts, applications and interviews, consents, referrals,
reviews and merges. Some things hold a person's data without pointing at
them, or stop pointing when they go, and are removed by what they hold:
- mail and texts from their addresses and numbers that matched nobody, or
  only suggested them, and the unmatched conversations they began;
- talent-community sign-ups with their address, and the résumés sent with
  those never confirmed;
- lines of import reports about them, or with their address in the values;
- their résumés' files, and the kept files of earlier imports that hold one
  of their addresses or numbers (the import's report stays);
- a merge with someone else that was undone (its snapshot holds them), and
  what the events of that merge on the other person's timeline say of them.

An address matches as a whole (`ann@example.com` is not in
`joann@example.com`), and a number by its digits, not as the start of a
longer one: what belongs to someone else stays.

When they asked to be erased, their email addresses join the suppression list
and their numbers the texting opt-outs, both as SHA-256 digests, so that
nobody mails or texts them again and an import does not bring them back.
Files go once the transaction commits: a rolled-back erasure deletes nothing.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Q, QuerySet

from rapport.accounts.models import Capability
from rapport.core.errors import PermissionDenied
from rapport.core.models import Activity, ActivityKind
from rapport.inbox.models import (
    BounceScore,
    Conversation,
    InboundMessage,
    SmsMessage,
    SmsOptOut,
    number_digest,
)
from rapport.outreach.policy import address_digest
from rapport.outreach.services import suppression_add
from rapport.people.models import Candidate, ContactKind, ContactPoint
from rapport.people.services import require
from rapport.privacy.models import Erasure, ErasureReason
from rapport.sourcing.models import CommunitySignup, ImportJob, ImportRow, Merge, Resume

if TYPE_CHECKING:
    from rapport.accounts.models import User

# What the events of an undone merge say on the other record's timeline once
# the one it was with is erased.
FORGOTTEN = {
    ActivityKind.CANDIDATE_MERGED: "Merged with a record that was later erased",
    ActivityKind.CANDIDATE_UNMERGED: "Undid a merge with a record that was later erased",
}
# Import files are searched in pieces of this size (with an overlap as long
# as the longest address) so that a big file is never read whole.
CHUNK = 1 << 20


@transaction.atomic
def candidate_erase(*, actor: User, candidate: Candidate, reason: str, note: str = "") -> Erasure:
    """Erase the candidate and every trace of them; return the record of it."""
    require(actor, Capability.EDIT_CANDIDATES)
    if not actor.can(Capability.SEE_CONFIDENTIAL):
        raise PermissionDenied("Only recruiters and admins may erase candidates.")
    transaction.on_commit(_compact_later)
    return erase(candidate=candidate, reason=reason, note=note, actor=actor)


def _compact_later() -> None:
    from rapport.privacy.tasks import search_index_compact

    search_index_compact.enqueue()


@transaction.atomic
def erase(
    *,
    candidate: Candidate,
    reason: str,
    note: str = "",
    actor: User | None = None,
    import_files: bool = True,
) -> Erasure:
    """The erasure itself, for `candidate_erase` and for the retention rule
    (no actor: Rapport erases on the admins' standing instruction). Without
    `import_files` the kept import files are left for the caller, who looks
    through them once for many people (`import_files_release`)."""
    if reason not in ErasureReason.values:
        raise ValidationError({"reason": ["Choose why they are being erased."]})
    note = " ".join(note.split())[:300]
    locked = Candidate.objects.select_for_update().filter(pk=candidate.pk).first()
    if locked is None:  # someone erased (or deleted) them meanwhile
        raise ValidationError(f"Candidate {candidate.pk} is already erased: nothing is left.")
    candidate = locked
    emails, phones = identifiers(candidate)
    # Addresses and numbers no one else still has (a family's number): only
    # these are refused or forgotten for them.
    own_emails = [a for a in emails if not _held_by_another(candidate, ContactKind.EMAIL, a)]
    own_phones = [n for n in phones if not _held_by_another(candidate, ContactKind.PHONE, n)]
    suppressed = reason == ErasureReason.REQUEST
    if suppressed:
        if actor is None:
            raise ValueError("An erasure at someone's request is made by a person.")
        for address in own_emails:
            suppression_add(actor=actor, address=address, note="Erased at their request.")
        for number in own_phones:
            SmsOptOut.objects.get_or_create(
                digest=number_digest(number), defaults={"keyword": "ERASED"}
            )
    removed: Counter[str] = Counter()
    files = [r.file.name for r in Resume.objects.filter(candidate=candidate) if r.file]
    if import_files:
        files += import_files_release(emails, phones)
    _remove(removed, held_elsewhere(candidate, emails, phones))
    # Soft-bounce counts are kept by the address's digest; theirs go (the
    # suppression list keeps what must stay, when they asked).
    digests = [address_digest(a) for a in own_emails]
    _remove(removed, [BounceScore.objects.filter(digest__in=digests)])
    _forget_merges(removed, candidate)
    record = candidate.pk
    _, deleted = candidate.delete()
    removed.update({label: n for label, n in deleted.items() if n})
    removed["files"] = len(files)
    files_delete_later(files)
    return Erasure.objects.create(
        record=record,
        reason=reason,
        note=note,
        erased_by=actor,
        removed=dict(sorted(removed.items())),
        suppressed=suppressed,
    )


def search_words_forget() -> None:
    """SQLite's full-text index (FTS5) marks a deleted document as deleted
    but keeps its words in the index's pages until they are merged: merge
    them now, so that the erased person's words leave the database file's
    index too. Once per erasure by a person, once per retention run; it
    rewrites the index, which takes a moment on a big one. PostgreSQL's
    `search_vector` rows go with the documents (and their space is
    reclaimed by vacuum, like every deleted row's)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")


def _held_by_another(candidate: Candidate, kind: str, value: str) -> bool:
    """Whether another candidate still has this address or number."""
    others = ContactPoint.objects.exclude(candidate=candidate).filter(kind=kind)
    return others.filter(value__iexact=value).exists()


def identifiers(candidate: Candidate) -> tuple[list[str], list[str]]:
    """The person's email addresses (lower case) and phone numbers (E.164)."""
    points = ContactPoint.objects.filter(candidate=candidate)
    emails = points.filter(kind=ContactKind.EMAIL).values_list("value", flat=True)
    phones = points.filter(kind=ContactKind.PHONE).values_list("value", flat=True)
    return sorted({e.lower() for e in emails}), sorted(set(phones))


def held_elsewhere(
    candidate: Candidate, emails: list[str], phones: list[str]
) -> list[QuerySet[Any]]:
    """Querysets of rows that hold the person's data but would outlive the
    candidate row (they do not point at it, or let go of it). A row matched
    to someone else is theirs, even with an address or number in common
    (two records may share a family's number): only rows matched to nobody
    are taken by what they hold."""
    none = Q(pk__in=[])  # what an empty list of addresses matches: nothing
    mail, signups, reports = none, none, none
    for address in emails:
        mail |= Q(from_email__iexact=address)
        signups |= Q(email__iexact=address)
        reports |= Q(values__icontains=address)
    for number in phones:
        reports |= Q(values__icontains=number)
    nobody = Q(candidate__isnull=True)
    senders = mail | Q(from_email__in=phones)  # a text's conversation is "from" its number
    return [
        InboundMessage.objects.filter(nobody & (Q(suggested_candidate=candidate) | mail)),
        SmsMessage.objects.filter(nobody, number__in=phones),
        Conversation.objects.filter(nobody & senders),
        pending_resumes(emails),  # before the sign-ups that hold them
        CommunitySignup.objects.filter(Q(candidate=candidate) | (nobody & signups)),
        ImportRow.objects.filter(
            Q(candidate=candidate) | Q(pk__in=_report_lines(nobody & reports, emails, phones))
        ),
    ]


def pending_resumes(emails: list[str]) -> QuerySet[Resume]:
    """The résumés sent with sign-ups from their addresses that were never
    confirmed: nobody's yet, so nothing else finds them. Their files leave
    storage with the rows, once the deletion commits (resume_file_forget)."""
    from_them = Q(pk__in=[])
    for address in emails:
        from_them |= Q(email__iexact=address)
    sent = CommunitySignup.objects.filter(from_them, candidate__isnull=True).exclude(resume=None)
    return Resume.objects.filter(candidate__isnull=True, pk__in=sent.values("resume_id"))


def _report_lines(found: Q, emails: list[str], phones: list[str]) -> list[int]:
    """Unmatched import report lines whose values hold one of the addresses
    or numbers as a whole: the database finds them by substring, and a
    line about `joann@example.com` is not about `ann@example.com`."""
    pattern = _pattern(emails, phones)
    if pattern is None:
        return []
    wanted = re.compile(pattern, re.IGNORECASE)
    rows = ImportRow.objects.filter(found).values_list("pk", "values")
    return [pk for pk, values in rows if wanted.search(json.dumps(values, ensure_ascii=False))]


def _forget_merges(removed: Counter[str], candidate: Candidate) -> None:
    """A merge with someone else that was undone outlives them on the other
    record: its snapshot holds both, and its events on the other timeline
    name them. The merge goes (it can no longer be undone or redone), and
    those events say only that the record was erased."""
    _remove(removed, [Merge.objects.filter(merged_id=candidate.pk)])
    about = Q(data__merged_id=candidate.pk) | Q(data__kept_id=candidate.pk)
    events = Activity.objects.filter(
        about, kind__in=[ActivityKind.CANDIDATE_MERGED, ActivityKind.CANDIDATE_UNMERGED]
    ).exclude(candidate=candidate)
    for kind, summary in FORGOTTEN.items():
        events.filter(kind=kind).update(summary=summary, data={}, target_type="", target_id=None)


def _remove(removed: Counter[str], querysets: list[QuerySet[Any]]) -> None:
    for rows in querysets:
        _, deleted = rows.delete()
        removed.update({label: n for label, n in deleted.items() if n})


def import_files_release(emails: list[str], phones: list[str]) -> list[str]:
    """The kept import files that hold one of these addresses or numbers,
    read once each: their import jobs let go of them at once (the report
    stays), and the caller deletes them once it commits
    (`files_delete_later`)."""
    wanted = _pattern(emails, phones)
    if wanted is None:
        return []
    pattern = re.compile(wanted.encode(), re.IGNORECASE)
    names = []
    for job in ImportJob.objects.exclude(file=""):
        if _holds(job.file.name, pattern):
            names.append(job.file.name)
            ImportJob.objects.filter(pk=job.pk).update(file="")
    return names


def files_delete_later(names: list[str]) -> None:
    """Delete these stored files once the transaction commits: a rolled-back
    erasure deletes nothing."""
    transaction.on_commit(lambda: _delete_files(names))


def _pattern(emails: list[str], phones: list[str]) -> str | None:
    """A regular expression for any of the addresses or numbers, each as a
    whole; None when there is nothing to look for."""
    wanted = [_address_pattern(a) for a in emails]
    wanted += [_digits_pattern(n) for n in phones if len(re.sub(r"\D", "", n)) >= 6]
    return "|".join(wanted) or None


def _address_pattern(address: str) -> str:
    """The address, not inside a longer one: no part of an address right
    before it, nor a letter, digit, dash or further domain right after."""
    return rf"(?<![\w.!#$%&'*+/=?^`{{|}}~-]){re.escape(address)}(?![\w-]|\.\w)"


def _digits_pattern(number: str) -> str:
    """A number as a spreadsheet may write it: its national digits, with any
    spaces, dots, dashes or brackets between them."""
    digits = re.sub(r"\D", "", number)[-9:]  # the subscriber's part, without the country
    return r"[\s.\-()]*".join(digits) + r"(?![\s.\-()]*\d)"  # not the start of a longer one


def _holds(name: str, pattern: re.Pattern[bytes]) -> bool:
    try:
        with default_storage.open(name, "rb") as handle:
            tail = b""
            while chunk := handle.read(CHUNK):
                if pattern.search(tail + chunk):
                    return True
                tail = chunk[-512:]
    except OSError:
        return False
    return False


def _delete_files(names: list[str]) -> None:
    for name in names:
        if name and Path(name).name:
            default_storage.delete(name)
