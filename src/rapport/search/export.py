"""Candidates as rows for CSV, JSON and the terminal.

Spreadsheet programs run a cell that starts with = + - @ (or a tab or a
carriage return) as a formula, so such cells are written with a leading
apostrophe: a name like `=HYPERLINK(...)` arrives as text, not as a link.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from rapport.core.geo import country_name

if TYPE_CHECKING:
    from rapport.people.models import Candidate

COLUMNS = (
    "id",
    "first_name",
    "last_name",
    "email",
    "title",
    "company",
    "city",
    "country",
    "timezone",
    "seniority",
    "years_experience",
    "skills",
    "tags",
    "owner",
    "last_contacted_at",
    "created_at",
)
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def row(candidate: Candidate) -> dict[str, Any]:
    """One candidate as plain values; expects `attach_shown` done."""
    return {
        "id": candidate.pk,
        "first_name": candidate.first_name,
        "last_name": candidate.last_name,
        "email": candidate.primary_email,
        "title": candidate.current_title,
        "company": candidate.current_company,
        "city": candidate.city,
        "country": country_name(candidate.country),
        "timezone": candidate.timezone,
        "seniority": candidate.seniority,
        "years_experience": candidate.years_experience,
        "skills": "; ".join(s.name for s in candidate.shown.skills),
        "tags": "; ".join(candidate.shown.tags),
        "owner": candidate.owner.email if candidate.owner else "",
        "last_contacted_at": _iso(candidate.last_contacted_at),
        "created_at": _iso(candidate.created_at),
    }


def _iso(moment: Any) -> str:
    return moment.isoformat(timespec="seconds") if moment else ""


def neutralise(value: Any) -> Any:
    """A cell a spreadsheet will show as text, never run as a formula."""
    if isinstance(value, str) and value.startswith(DANGEROUS):
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[dict[str, Any]], *, header: bool = True) -> Iterator[str]:
    """CSV text, a line at a time (for streaming responses and files alike)."""
    writer = csv.writer(_Echo())
    if header:
        yield writer.writerow(COLUMNS)
    for values in rows:
        yield writer.writerow([neutralise(values[c]) for c in COLUMNS])
