"""Bulk actions over every match of a search, not only the visible page.

`bulk_start` checks the action and counts the matches. Small sets run at
once; larger ones (over SYNC_LIMIT) are queued as a task that the worker
runs a batch at a time, recording its progress so a page can show a bar and
a killed worker's successor resumes after the last batch done. Every change
goes through the people services, so permissions and the Activity log are
exactly those of the same action on one candidate.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from rapport.accounts.models import Capability, User
from rapport.core.errors import PermissionDenied
from rapport.core.text import slugify_tag
from rapport.people import selectors as people
from rapport.people import services as people_services
from rapport.search.export import csv_lines, row
from rapport.search.models import BulkAction, BulkJob, BulkStatus
from rapport.search.selectors import candidate_search

if TYPE_CHECKING:
    from rapport.people.models import Candidate

SYNC_LIMIT = 500  # at most this many run in the request; more go to the worker
BATCH = 500
NEEDS = {
    BulkAction.TAG: Capability.EDIT_CANDIDATES,
    BulkAction.UNTAG: Capability.EDIT_CANDIDATES,
    BulkAction.OWNER: Capability.EDIT_CANDIDATES,
    BulkAction.POOL_ADD: Capability.MANAGE_POOLS,
    BulkAction.POOL_REMOVE: Capability.MANAGE_POOLS,
    BulkAction.EXPORT: Capability.SEE_ALL_CANDIDATES,
}


def bulk_start(*, actor: User, query: str, action: str, params: dict[str, Any]) -> BulkJob:
    """Check, count and start a bulk action on every match of `query` (raises
    QueryError, ValidationError or PermissionDenied before anything changes)."""
    if action not in BulkAction.values:
        raise ValidationError({"action": [f"“{action}” is not a bulk action."]})
    people_services.require(actor, NEEDS[BulkAction(action)])
    params = _checked(actor, BulkAction(action), params)
    total = candidate_search(actor, query=query).rows.count()
    job = BulkJob.objects.create(user=actor, action=action, query=query, params=params, total=total)
    if total <= SYNC_LIMIT:
        bulk_run(job_id=job.pk)
        job.refresh_from_db()
    else:
        from rapport.search.tasks import bulk_task

        transaction.on_commit(lambda: bulk_task.enqueue(job_id=job.pk))
    return job


def _checked(actor: User, action: BulkAction, params: dict[str, Any]) -> dict[str, Any]:
    """The parameters the action needs, checked now rather than mid-run."""
    if action in (BulkAction.TAG, BulkAction.UNTAG):
        tag = slugify_tag(str(params.get("tag", "")))
        if not tag:
            raise ValidationError({"tag": ["Name the tag, e.g. relocation-ok."]})
        return {"tag": tag}
    if action in (BulkAction.POOL_ADD, BulkAction.POOL_REMOVE):
        pool = people.pool_get(actor, str(params.get("pool", "")))
        return {"pool": pool.pk}
    if action == BulkAction.OWNER:
        owner_id = params.get("owner") or None
        if owner_id is not None:
            owner = User.objects.filter(pk=owner_id, is_active=True).first()
            if owner is None:
                raise ValidationError({"owner": ["Choose someone on the team."]})
        return {"owner": owner_id}
    return {}


def bulk_run(*, job_id: int) -> BulkJob:
    """Do (or carry on with) the job, a batch at a time."""
    job = BulkJob.objects.select_related("user").get(pk=job_id)
    if job.finished:
        return job
    BulkJob.objects.filter(pk=job.pk).update(status=BulkStatus.RUNNING)
    try:
        if job.action == BulkAction.EXPORT:
            _export(job)
        else:
            _apply(job)
    except (PermissionDenied, ValidationError) as exc:
        BulkJob.objects.filter(pk=job.pk).update(
            status=BulkStatus.FAILED, error=_message(exc), finished_at=timezone.now()
        )
    else:
        BulkJob.objects.filter(pk=job.pk).update(status=BulkStatus.DONE, finished_at=timezone.now())
    job.refresh_from_db()
    return job


def _batches(job: BulkJob) -> Any:
    """The matches after `last_id`, in id order, a batch at a time."""
    rows = candidate_search(job.user, query=job.query).rows.order_by("pk")
    after = job.last_id
    while True:
        batch = list(rows.filter(pk__gt=after)[:BATCH])
        if not batch:
            return
        yield batch
        after = batch[-1].pk


def _apply(job: BulkJob) -> None:
    for batch in _batches(job):
        with transaction.atomic():
            changed = _act(job, batch)
            job.done += len(batch)
            job.changed += changed
            job.last_id = batch[-1].pk
            BulkJob.objects.filter(pk=job.pk).update(
                done=job.done, changed=job.changed, last_id=job.last_id
            )


def _act(job: BulkJob, batch: list[Candidate]) -> int:
    actor, params = job.user, job.params
    if job.action == BulkAction.TAG:
        return people_services.tag_add(actor=actor, candidates=batch, name=str(params["tag"]))
    if job.action == BulkAction.UNTAG:
        tag = people.tags_visible(actor).filter(name=params["tag"]).first()
        return people_services.tag_remove(actor=actor, candidates=batch, tag=tag) if tag else 0
    if job.action in (BulkAction.POOL_ADD, BulkAction.POOL_REMOVE):
        pool = people.pool_get(actor, str(params["pool"]))
        act = (
            people_services.pool_add
            if job.action == BulkAction.POOL_ADD
            else people_services.pool_remove
        )
        return act(actor=actor, pool=pool, candidates=batch)
    owner = User.objects.filter(pk=params.get("owner")).first() if params.get("owner") else None
    return people_services.owner_assign(actor=actor, candidates=batch, owner=owner)


def export_path(job: BulkJob) -> Path:
    """Where an export's file is kept: in the data folder, never under static."""
    folder = Path(settings.DATA_DIR) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"candidates-{job.pk}.csv"


def _export(job: BulkJob) -> None:
    """The whole file again on every run: an export changes nothing, so a
    restarted one simply starts over."""
    path = export_path(job)
    partial = path.with_suffix(".part")
    job.done, job.last_id = 0, 0
    with partial.open("w", encoding="utf-8", newline="") as out:
        out.writelines(csv_lines([]))  # the header
        for batch in _batches(job):
            people.attach_shown(job.user, batch, contacts=False, pools=False)
            out.writelines(csv_lines((row(c) for c in batch), header=False))
            job.done += len(batch)
            BulkJob.objects.filter(pk=job.pk).update(done=job.done)
    partial.replace(path)
    BulkJob.objects.filter(pk=job.pk).update(changed=job.done)


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)
