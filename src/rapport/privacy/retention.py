"""Keeping people only as long as we should: a standing rule that erases
candidates nobody has touched for a set number of months (decision 0017).

A candidate is untouched since a moment when, since then, they were not
added, their profile did not change, nobody contacted them, and nothing
happened on their timeline that a person did (the team, or the candidate
themselves: a reply, a sign-up); events Rapport records on its own, such as
a recomputed engagement score, do not count. Never erased by the rule: a
candidate in the pipeline of an open or paused job, and a candidate with the
policy's hold tag (`keep` unless an admin names another).

The rule is off until an admin turns it on, and the page shows who it
would erase before it does. Once on, the worker erases those due each day,
at most `PER_RUN` at a time, each in its own transaction, with an
`Erasure` of reason "retention" and no actor.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from rapport.accounts.models import Capability
from rapport.core.errors import PermissionDenied
from rapport.core.models import Activity
from rapport.core.text import slugify_tag
from rapport.jobs.models import Application, JobStatus, StageKind
from rapport.people.models import Candidate, CandidateTag
from rapport.privacy.erasure import (
    erase,
    files_delete_later,
    identifiers,
    import_files_release,
    search_words_forget,
)
from rapport.privacy.models import ErasureReason, RetentionPolicy

if TYPE_CHECKING:
    from rapport.accounts.models import User

MIN_MONTHS, MAX_MONTHS = 6, 120
PER_RUN = 500
DAYS_PER_MONTH = 30.44


def policy_get() -> RetentionPolicy:
    policy, _ = RetentionPolicy.objects.get_or_create(pk=1)
    return policy


@transaction.atomic
def policy_update(*, actor: User, enabled: bool, months: int, hold_tag: str) -> RetentionPolicy:
    if not actor.can(Capability.MANAGE_SETTINGS):
        raise PermissionDenied("Only admins set how long candidates are kept.")
    hold_tag = slugify_tag(hold_tag)  # as tags are kept: "Do not erase" is do-not-erase
    errors: dict[str, list[str]] = {}
    if not MIN_MONTHS <= months <= MAX_MONTHS:
        errors["months"] = [f"Choose between {MIN_MONTHS} and {MAX_MONTHS} months."]
    if not hold_tag:
        errors["hold_tag"] = ["Name the tag that keeps a candidate, such as keep."]
    if errors:
        raise ValidationError(errors)
    policy = RetentionPolicy.objects.select_for_update().get(pk=policy_get().pk)
    policy.enabled, policy.months, policy.hold_tag = enabled, months, hold_tag
    policy.updated_by, policy.updated_at = actor, timezone.now()
    policy.save()
    return policy


def cutoff(policy: RetentionPolicy, now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(days=round(policy.months * DAYS_PER_MONTH))


def due(policy: RetentionPolicy, *, now: dt.datetime | None = None) -> QuerySet[Candidate]:
    """The candidates the rule would erase now, least recently changed first."""
    since = cutoff(policy, now or timezone.now())
    touched = Activity.objects.filter(
        candidate=OuterRef("pk"), occurred_at__gte=since, automated=False
    )
    in_pipeline = Application.objects.filter(
        candidate=OuterRef("pk"),
        job__status__in=[JobStatus.OPEN, JobStatus.ON_HOLD],
        stage__kind=StageKind.ACTIVE,
    )
    held = CandidateTag.objects.filter(
        candidate=OuterRef("pk"), tag__name=slugify_tag(policy.hold_tag)
    )
    return (
        Candidate.objects.filter(created_at__lt=since, updated_at__lt=since)
        .filter(Q(last_contacted_at__isnull=True) | Q(last_contacted_at__lt=since))
        .exclude(Exists(touched))
        .exclude(Exists(in_pipeline))
        .exclude(Exists(held))
        .order_by("updated_at", "pk")
    )


def retention_apply(*, now: dt.datetime | None = None, limit: int = PER_RUN) -> int:
    """Erase up to `limit` candidates the rule says are due; how many went.
    Nothing while the rule is off."""
    policy = policy_get()
    if not policy.enabled:
        return 0
    now = now or timezone.now()
    note = f"Untouched for {policy.months} months (the retention rule)."
    erased = 0
    emails: list[str] = []
    phones: list[str] = []
    for pk in list(due(policy, now=now).values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            # Still due? Someone may have replied, or been tagged, since the
            # list was read: a run erasing 500 people takes a while.
            candidate = due(policy, now=now).filter(pk=pk).select_for_update().first()
            if candidate is None:
                continue
            theirs = identifiers(candidate)
            erase(
                candidate=candidate,
                reason=ErasureReason.RETENTION,
                note=note,
                import_files=False,  # below, once for the whole run
            )
        emails += theirs[0]
        phones += theirs[1]
        erased += 1
    if erased:
        with transaction.atomic():
            files_delete_later(import_files_release(emails, phones))
        transaction.on_commit(search_words_forget)  # at once, unless a caller's transaction is open
    RetentionPolicy.objects.filter(pk=policy.pk).update(last_run_at=now, last_run_erased=erased)
    return erased
