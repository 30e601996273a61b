"""What the second process of a big import runs: checking rows.

Kept apart from `imports` so that a freshly spawned process can load it
before Django is set up (`setup` does that, then the cleaning imports)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rapport.sourcing.import_mapping import Plan


def setup() -> None:
    import django

    django.setup()


def clean_rows(rows: list[tuple[int, list[str]]], plan: Plan, *, school: bool) -> list[Any]:
    """`clean()` of each row (None for a blank one), with each person's
    blocking keys: both are the row's alone, so the second process works
    them out while the first writes. `school` says whether similarity reads
    a school."""
    from rapport.sourcing.import_clean import Person, clean
    from rapport.sourcing.similar import Profile, blocking_keys

    cleaned = [
        clean(cells, plan) if any(isinstance(c, str) and c.strip() for c in cells) else None
        for _, cells in rows
    ]
    for person in cleaned:
        if isinstance(person, Person):
            fields = person.fields
            person.keys = blocking_keys(
                Profile(
                    first_name=fields.get("first_name", ""),
                    last_name=fields.get("last_name", ""),
                    company=fields.get("current_company", ""),
                    city=fields.get("city", ""),
                    school=person.school if school else "",
                )
            )
    return cleaned
