"""A segment is a saved search: a name and a query in the query language.

Who is in it is never stored: it is whoever the query matches for the user
who looks, at the moment they look, so a segment is never stale and never
rebuilt. Private segments are their owner's; shared ones the whole team may
use (in the search box as `segment:"Name"`, in bulk actions and exports)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.timezone import now


class Segment(models.Model):
    name = models.CharField(max_length=120)
    query = models.TextField()
    description = models.CharField(max_length=300, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="segments"
    )
    shared = models.BooleanField(default=False, help_text="Usable by the whole team.")
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            # One name per team, whatever the case: `segment:"warm designers"`
            # must name one segment.
            models.UniqueConstraint(Lower("name"), name="segment_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class BulkAction(models.TextChoices):
    TAG = "tag", "Tag"
    UNTAG = "untag", "Remove tag"
    POOL_ADD = "pool_add", "Add to pool"
    POOL_REMOVE = "pool_remove", "Remove from pool"
    OWNER = "owner", "Assign owner"
    EXPORT = "export", "Export as CSV"


class BulkStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for a worker"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class BulkJob(models.Model):
    """One action applied to every match of a search, a batch at a time.

    The matches are read in id order as the job goes, and `last_id` records
    the last one done, so a job whose worker died resumes where it stopped
    instead of starting again (and the actions themselves skip what is done
    already: a candidate tagged twice is tagged once)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=20, choices=BulkAction.choices)
    query = models.TextField(blank=True)
    params: models.JSONField[dict[str, object]] = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=BulkStatus.choices, default=BulkStatus.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    last_id = models.BigIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} on {self.total} ({self.status})"

    @property
    def percent(self) -> int:
        return 100 if self.total == 0 else min(100, round(100 * self.done / self.total))

    @property
    def finished(self) -> bool:
        return self.status in (BulkStatus.DONE, BulkStatus.FAILED)
