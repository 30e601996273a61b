"""Engagement's data: the team's tasks.

A Task is something a teammate has to do by a date: call a finalist, send
an offer, chase a reference. It may be about a candidate, and it may point at
the page it came from (an application, an interview) by a plain link, so that
engagement stays independent of the apps that make tasks (jobs makes them
when an application enters a stage with an automation)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Task(models.Model):
    title = models.CharField(max_length=200)
    notes = models.TextField(blank=True)
    candidate = models.ForeignKey(
        "people.Candidate", null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )
    # Where the task came from, as a page to open: "/applications/12/".
    link_url = models.CharField(max_length=500, blank=True)
    link_label = models.CharField(max_length=200, blank=True)
    # What made it ("automation", "manual") and the row it is about, so that
    # the app that made it can find its own tasks without a foreign key.
    origin = models.CharField(max_length=20, blank=True)
    target_type = models.CharField(max_length=40, blank=True)
    target_id = models.BigIntegerField(null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tasks"
    )
    due_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(
                fields=["assignee", "due_at"],
                condition=Q(done_at__isnull=True),
                name="task_open_idx",
            ),
            models.Index(fields=["target_type", "target_id"], name="task_target_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def done(self) -> bool:
        return self.done_at is not None
