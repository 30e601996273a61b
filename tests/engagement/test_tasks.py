"""Tasks: made by hand or by another app, seen by their assignee and admins,
done and undone; the My tasks page and the count in the menu."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rapport.accounts.models import User
from rapport.core.errors import PermissionDenied
from rapport.core.models import Notification
from rapport.engagement.models import Task
from rapport.engagement.task_selectors import task_counts, task_due_count, task_get, task_list
from rapport.engagement.task_services import task_create, task_done, task_reopen
from rapport.people.models import Candidate
from tests.conftest import login

pytestmark = pytest.mark.django_db


def in_hours(hours: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=hours)


def make(assignee: User, title: str = "Call back", *, hours: float = 1, **more: Any) -> Task:
    return task_create(actor=None, assignee=assignee, title=title, due_at=in_hours(hours), **more)


def test_a_task_given_to_a_teammate_is_theirs_and_tells_them(owner: User, teammate: User) -> None:
    task = task_create(
        actor=owner, assignee=teammate, title="  Send   the offer ", due_at=in_hours(5)
    )
    assert task.title == "Send the offer" and task.created_by == owner
    note = Notification.objects.get(user=teammate)
    assert note.text == "Rita Recruiter gave you a task: Send the offer"
    assert list(task_list(teammate)) == [task]
    assert list(task_list(owner)) == []
    with pytest.raises(Http404):
        task_get(owner, task.pk)


def test_admins_see_everyones_tasks(admin: User, owner: User, teammate: User) -> None:
    mine, theirs = make(owner), make(teammate)
    assert list(task_list(admin)) == []
    assert set(task_list(admin, everyone=True)) == {mine, theirs}
    assert list(task_list(owner, everyone=True)) == [mine]  # only admins widen it
    assert task_get(admin, theirs.pk) == theirs


def test_a_task_needs_a_title_and_an_active_assignee(owner: User, teammate: User) -> None:
    with pytest.raises(ValidationError, match="Say what has to be done"):
        task_create(actor=owner, assignee=owner, title="   ", due_at=in_hours(1))
    teammate.is_active = False
    teammate.save()
    with pytest.raises(ValidationError, match="Tom Teammate is deactivated"):
        task_create(actor=owner, assignee=teammate, title="Call", due_at=in_hours(1))


def test_a_task_about_a_candidate_is_for_someone_who_may_see_them(
    owner: User, manager: User, outsider: User, candidate: Candidate
) -> None:
    with pytest.raises(ValidationError, match="Otto Outsider cannot see Maria Souza"):
        task_create(
            actor=owner, assignee=outsider, title="Review", due_at=in_hours(1), candidate=candidate
        )
    with pytest.raises(ValidationError, match="You cannot see that candidate"):
        task_create(
            actor=outsider, assignee=outsider, title="Peek", due_at=in_hours(1), candidate=candidate
        )
    task = task_create(
        actor=owner, assignee=manager, title="Review", due_at=in_hours(1), candidate=candidate
    )
    assert task.candidate == candidate


def test_only_the_assignee_or_an_admin_ticks_a_task_off(
    owner: User, teammate: User, admin: User
) -> None:
    task = make(teammate)
    with pytest.raises(PermissionDenied):
        task_done(actor=owner, task=task)
    task_done(actor=teammate, task=task)
    first = task.done_at
    task_done(actor=teammate, task=task)
    assert task.done_at == first and task.done_by == teammate
    task_reopen(actor=admin, task=task)
    task.refresh_from_db()
    assert task.done_at is None and task.done_by is None


def test_the_views_split_open_tasks_by_when_they_are_due(owner: User) -> None:
    now = timezone.now()
    late = make(owner, "Late", hours=-3)
    soon = task_create(
        actor=None, assignee=owner, title="Soon", due_at=now + dt.timedelta(seconds=30)
    )
    next_week = make(owner, "Next week", hours=24 * 7)
    finished = make(owner, "Finished", hours=-1)
    task_done(actor=owner, task=finished)
    assert list(task_list(owner, view="overdue", now=now)) == [late]
    assert list(task_list(owner, view="today", now=now)) == [soon]
    assert list(task_list(owner, view="open", now=now)) == [late, soon, next_week]
    assert list(task_list(owner, view="done", now=now)) == [finished]
    counts = task_counts(owner, now=now)
    assert (counts.open, counts.overdue, counts.today, counts.done) == (3, 1, 1, 1)
    assert task_due_count(owner, now=now) == 2  # overdue and due today


# --- pages


def test_my_tasks_page_lists_them_and_the_menu_counts_those_due(
    client: Client, owner: User, candidate: Candidate
) -> None:
    make(owner, "Call Maria about the offer", hours=-2, candidate=candidate,
         link_url="/applications/7/", link_label="Backend · Offer", origin="automation")  # fmt: skip
    make(owner, "Book the panel", hours=24 * 3)
    page = login(client, owner).get(reverse("task_list")).content.decode()
    assert "Call Maria about the offer" in page and "Book the panel" in page
    assert '<a href="/applications/7/">Backend · Offer</a>' in page
    assert "from a stage automation" in page and "overdue" in page
    assert '<span class="nav-count" aria-label="1 due">1</span>' in page
    assert "Open · 2" in page and "Overdue · 1" in page


def test_a_task_made_on_the_page_goes_to_whoever_it_is_for(
    client: Client, owner: User, teammate: User
) -> None:
    login(client, owner)
    today = timezone.localdate().isoformat()
    response = client.post(
        reverse("task_list"),
        {"title": "Check references", "due": today, "assignee": teammate.pk, "notes": "Two left"},
        follow=True,
    )
    assert "Task “Check references” added." in response.content.decode()
    task = Task.objects.get()
    assert (task.assignee, task.notes, task.origin) == (teammate, "Two left", "manual")
    assert timezone.localtime(task.due_at).date() == timezone.localdate()
    page = client.post(
        reverse("task_list"),
        {"title": "", "due": "2001-01-01", "assignee": owner.pk},
    ).content.decode()
    assert "This field is required." in page and "Choose today or a later day." in page
    assert Task.objects.count() == 1


def test_done_and_undo_from_the_page(client: Client, owner: User, teammate: User) -> None:
    task = make(owner, "Send the contract")
    login(client, owner)
    response = client.post(
        reverse("task_done", args=[task.pk]), {"next": "/tasks/?view=open"}, follow=True
    )
    assert "Done: Send the contract." in response.content.decode()
    assert "No open tasks." in response.content.decode()
    task.refresh_from_db()
    assert task.done_at is not None
    page = client.get(reverse("task_list") + "?view=done").content.decode()
    assert "Send the contract" in page and "Open “Send the contract” again" in page
    client.post(reverse("task_reopen", args=[task.pk]))
    task.refresh_from_db()
    assert task.done_at is None
    # Someone else's task is not there to tick.
    assert login(client, teammate).post(reverse("task_done", args=[task.pk])).status_code == 404
    # And a "next" elsewhere is not followed.
    response = login(client, owner).post(
        reverse("task_done", args=[task.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("task_list")


def test_the_page_costs_the_same_queries_for_two_tasks_or_twenty(
    client: Client, owner: User, candidate: Candidate, django_assert_num_queries: Any
) -> None:
    for n in range(2):
        make(owner, f"Task {n}", candidate=candidate)
    login(client, owner)
    with CaptureQueriesContext(connection) as two:
        client.get(reverse("task_list"))
    for n in range(18):
        make(owner, f"More {n}", candidate=candidate)
    with django_assert_num_queries(len(two.captured_queries)):
        page = client.get(reverse("task_list")).content.decode()
    assert page.count('<li class="task') == 20
