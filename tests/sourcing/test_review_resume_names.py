"""A name followed by a comma and what the person adds to it (a
credential, a region, a field) is read as written, not as a family name
first: `Jane Doe, CISSP` is Jane Doe."""

from __future__ import annotations

import pytest

from rapport.sourcing.resume_extract import extract


@pytest.mark.parametrize(
    "first_line",
    [
        "Jane Doe, CISSP", "Jane Doe, PE", "Jane Doe, SHRM-CP", "Jane Doe, PA-C",
        "Jane Doe, FCCA", "Jane Doe, CEng", "Jane Doe, NY", "Jane Doe, Texas",
        "Jane Doe, Ontario", "Jane Doe, Remote", "Jane Doe, Brazilian", "Jane Doe, Engineering",
    ],
)  # fmt: skip
def test_a_name_and_what_follows_its_comma_is_read_in_its_order(first_line: str) -> None:
    found = extract(f"{first_line}\nSummary\nTen years of careful work.")

    assert found.name is not None
    assert found.name.value == {"first_name": "Jane", "last_name": "Doe"}


@pytest.mark.parametrize(
    ("first_line", "expected"),
    [
        ("Doe, Jane", ("Jane", "Doe")),
        ("GARCÍA LÓPEZ, Lucía", ("Lucía", "García López")),
        ("OKONKWO, Chidinma A.", ("Chidinma", "Okonkwo")),
    ],
)
def test_a_family_name_written_first_is_still_read_as_one(
    first_line: str, expected: tuple[str, str]
) -> None:
    found = extract(f"{first_line}\nSummary\nTen years of careful work.")

    assert found.name is not None
    assert (found.name.value["first_name"], found.name.value["last_name"]) == expected
