"""Every write of tasks: made by hand or by another app (a stage automation),
done and undone. A task belongs to its assignee; admins may act on anyone's.

Other apps call `task_create` with `actor=None` and say where the task came
from by `origin`, `target_type`/`target_id` and a link, so that engagement
never imports them."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from rapport.accounts.models import Capability
from rapport.core.errors import PermissionDenied
from rapport.core.models import Notification
from rapport.engagement.models import Task
from rapport.people.selectors import candidates_visible

if TYPE_CHECKING:
    from rapport.accounts.models import User
    from rapport.people.models import Candidate

TITLE_CHARS = 200


def end_of_day(moment: dt.datetime) -> dt.datetime:
    """The last second of `moment`'s day in the installation's time zone: a
    task is due on a day, and overdue only once that day is over."""
    local = timezone.localtime(moment)
    return local.replace(hour=23, minute=59, second=59, microsecond=0)


def may_manage_all(user: User) -> bool:
    """Admins see and act on every task; everyone else on their own."""
    return user.can(Capability.MANAGE_USERS)


def _may_act(actor: User, task: Task) -> None:
    if task.assignee_id != actor.pk and not may_manage_all(actor):
        raise PermissionDenied("Only the person the task is for (or an admin) can change it.")


@transaction.atomic
def task_create(
    *,
    actor: User | None,
    assignee: User,
    title: str,
    due_at: dt.datetime,
    notes: str = "",
    candidate: Candidate | None = None,
    link_url: str = "",
    link_label: str = "",
    origin: str = "manual",
    target_type: str = "",
    target_id: int | None = None,
) -> Task:
    """A task for `assignee`. `actor` is who asked for it: None when another
    app made it (an automation), a teammate when made by hand, who must see
    the candidate it is about, as must the assignee."""
    title = " ".join(title.split())[:TITLE_CHARS]
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = ["Say what has to be done."]
    if not assignee.is_active:
        errors["assignee"] = [f"{assignee.display_name} is deactivated."]
    if candidate is not None and actor is not None:
        if not candidates_visible(actor).filter(pk=candidate.pk).exists():
            errors["candidate"] = ["You cannot see that candidate."]
        elif not candidates_visible(assignee).filter(pk=candidate.pk).exists():
            errors["assignee"] = [f"{assignee.display_name} cannot see {candidate.full_name}."]
    if errors:
        raise ValidationError(errors)
    task = Task.objects.create(
        title=title,
        notes=notes.strip(),
        candidate=candidate,
        link_url=link_url[:500],
        link_label=link_label[:200],
        origin=origin[:20],
        target_type=target_type[:40],
        target_id=target_id,
        assignee=assignee,
        due_at=due_at,
        created_by=actor,
    )
    if actor is not None and actor.pk != assignee.pk:
        Notification.objects.create(
            user=assignee, kind="task.assigned", candidate=candidate, url=reverse("task_list"),
            text=f"{actor.display_name} gave you a task: {title}"[:300],
        )  # fmt: skip
    return task


@transaction.atomic
def task_done(*, actor: User, task: Task) -> Task:
    """Mark a task done (doing it twice keeps the first time)."""
    _may_act(actor, task)
    if task.done_at is None:
        task.done_at, task.done_by = timezone.now(), actor
        task.save(update_fields=["done_at", "done_by"])
    return task


@transaction.atomic
def task_reopen(*, actor: User, task: Task) -> Task:
    """Undo: the task is open again, due when it was."""
    _may_act(actor, task)
    task.done_at, task.done_by = None, None
    task.save(update_fields=["done_at", "done_by"])
    return task
