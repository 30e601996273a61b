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


def clean_rows(rows: list[tuple[int, list[str]]], plan: Plan) -> list[Any]:
    """`clean()` of each row; None for a blank one."""
    from rapport.sourcing.import_clean import clean

    return [
        clean(cells, plan) if any(isinstance(c, str) and c.strip() for c in cells) else None
        for _, cells in rows
    ]
