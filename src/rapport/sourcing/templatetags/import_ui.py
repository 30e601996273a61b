"""Small filters for the import pages."""

from __future__ import annotations

from django import template

from rapport.sourcing.import_mapping import FIELDS
from rapport.sourcing.imports import elapsed, row_name
from rapport.sourcing.models import ImportJob, ImportStatus

register = template.Library()


@register.filter
def import_percent(job: ImportJob) -> int:
    if job.status == ImportStatus.DONE:
        return 100
    if not job.rows_total:
        return 0
    return min(99, round(100 * job.rows_done / job.rows_total))


@register.filter
def import_field(name: str) -> str:
    return {"pool": "Pool", "school": "School"}.get(name) or FIELDS.get(name, name)


@register.filter
def import_row_name(values: dict[str, str]) -> str:
    return row_name(values) or "—"


@register.filter
def import_duration(job: ImportJob) -> str:
    seconds = elapsed(job)
    if seconds < 90:
        return f"{seconds:.0f} s" if seconds >= 1 else "under a second"
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes} min {seconds} s"
