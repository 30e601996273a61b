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
