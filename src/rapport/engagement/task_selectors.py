"""Reads of tasks. A task is seen by its assignee, and by admins; anyone
else gets a 404."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from rapport.engagement.models import Task
from rapport.engagement.task_services import may_manage_all

if TYPE_CHECKING:
    from rapport.accounts.models import User

VIEWS = ("open", "overdue", "today", "done")


def tasks_visible(user: User, *, everyone: bool = False) -> QuerySet[Task]:
    """The user's own tasks; with `everyone`, an admin's view of the team's."""
    if not user.is_active:
        return Task.objects.none()
    if everyone and may_manage_all(user):
        return Task.objects.all()
    return Task.objects.filter(assignee=user)


def task_get(user: User, pk: int | str) -> Task:
    try:
        return tasks_visible(user, everyone=True).get(pk=int(pk))
    except (Task.DoesNotExist, ValueError, TypeError):
        raise Http404("No such task.") from None


def end_of_today(now: dt.datetime) -> dt.datetime:
    """Midnight after `now`, in the installation's time zone."""
    local = timezone.localtime(now)
    return (local + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)


def _view_filter(view: str, now: dt.datetime) -> Q:
    open_ = Q(done_at__isnull=True)
    if view == "overdue":
        return open_ & Q(due_at__lt=now)
    if view == "today":
        return open_ & Q(due_at__gte=now, due_at__lt=end_of_today(now))
    if view == "done":
        return Q(done_at__isnull=False)
    return open_


def task_list(
    user: User, *, view: str = "open", everyone: bool = False, now: dt.datetime | None = None
) -> QuerySet[Task]:
    """One view of the tasks, with what each row shows (no query per row)."""
    now = now or timezone.now()
    view = view if view in VIEWS else "open"
    rows = tasks_visible(user, everyone=everyone).filter(_view_filter(view, now))
    rows = rows.select_related("candidate", "assignee", "done_by")
    return rows.order_by("-done_at", "-id") if view == "done" else rows.order_by("due_at", "id")


@dataclass(frozen=True)
class Counts:
    open: int
    overdue: int
    today: int
    done: int


def task_counts(user: User, *, everyone: bool = False, now: dt.datetime | None = None) -> Counts:
    """How many tasks each view holds, in one query."""
    now = now or timezone.now()
    found = tasks_visible(user, everyone=everyone).aggregate(
        **{view: Count("id", filter=_view_filter(view, now)) for view in VIEWS}
    )
    return Counts(**found)


def task_due_count(user: User, *, now: dt.datetime | None = None) -> int:
    """The user's open tasks due by the end of today, overdue ones included:
    the number beside Tasks in the menu."""
    now = now or timezone.now()
    return tasks_visible(user).filter(done_at__isnull=True, due_at__lt=end_of_today(now)).count()


# Other apps hold work that waits for a person too (jobs: emails held for
# review). Each registers a counter here, and the tasks page lists those with
# something waiting, without engagement knowing the apps.
@dataclass(frozen=True)
class Elsewhere:
    label: str
    url_name: str
    count: Callable[[User], int]


@dataclass(frozen=True)
class Waiting:
    label: str
    url: str
    count: int


_ELSEWHERE: dict[str, Elsewhere] = {}


def elsewhere_register(
    name: str, *, label: str, url_name: str, count: Callable[[User], int]
) -> None:
    """Show `label` with `count(user)` on the tasks page when it is not zero."""
    _ELSEWHERE[name] = Elsewhere(label, url_name, count)


def waiting_elsewhere(user: User) -> list[Waiting]:
    found = []
    for item in _ELSEWHERE.values():
        count = item.count(user)
        if count:
            found.append(Waiting(item.label, reverse(item.url_name), count))
    return found
