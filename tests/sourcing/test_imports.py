"""Imports: reading files of every shape, mapping columns, de-duplicating,
reporting, idempotency and resuming after a crash."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rapport.accounts.models import User
from rapport.people.models import Candidate
from rapport.sourcing.import_mapping import Mapping
from rapport.sourcing.imports import Options, import_create, import_run, import_start
from rapport.sourcing.models import DuplicateReview, ImportJob, ImportStatus
from rapport.sourcing.similar import Profile, blocking_keys, keys_refresh, score, similar_to

pytestmark = pytest.mark.django_db


# --- possible duplicates -----------------------------------------------------------


def test_people_alike_at_the_same_company_score_high_with_reasons() -> None:
    a = Profile("John", "Smith", company="Acme Corp", city="London")
    b = Profile("Jon", "SMITH", company="ACME  corp", city="Paris")
    result = score(a, b)
    assert result is not None
    value, reasons = result
    assert 85 <= value < 100
    assert reasons[0].startswith("names alike")
    assert reasons[1] == "same company: ACME  corp"
    assert blocking_keys(a) & blocking_keys(b)


def test_namesakes_with_nothing_else_in_common_are_not_compared() -> None:
    a = Profile("John", "Smith", company="Acme", city="London")
    b = Profile("John", "Smith", company="Globex", city="Paris")
    assert score(a, b) is None
    assert not blocking_keys(a) & blocking_keys(b)


def test_swapped_and_accented_names_are_alike() -> None:
    result = score(
        Profile("José", "García", city="Madrid"), Profile("Garcia", "Jose", city="madrid")
    )
    assert result is not None and result[0] == 100


def test_similar_to_finds_lookalikes_best_first(make_candidate: Callable[..., Candidate]) -> None:
    maria = make_candidate(first_name="Maria", last_name="Souza", current_company="Bluefin",
                           city="São Paulo")  # fmt: skip
    twin = make_candidate(first_name="Maria", last_name="Sousa", current_company="Bluefin",
                          city="Sao Paulo")  # fmt: skip
    same = make_candidate(first_name="maria", last_name="souza", city="São Paulo")
    make_candidate(first_name="Mario", last_name="Rossi", current_company="Bluefin")
    make_candidate(first_name="Maria", last_name="Souza", city="Lisbon")
    found = similar_to(maria)
    assert [(c.pk, s) for c, s, _ in found] == [(same.pk, 100.0), (twin.pk, 93.4)]
    assert found[1][2] == [
        "names alike (91%): Maria Souza / Maria Sousa",
        "same company: Bluefin",
        "same city: Sao Paulo",
    ]


def test_similar_to_reads_stored_keys_too(make_candidate: Callable[..., Candidate]) -> None:
    a = make_candidate(first_name="Lena", last_name="Kraus", current_company="Umbrella")
    b = make_candidate(first_name="Lena", last_name="Krauss", current_company="Umbrella")
    top, keyed = keys_refresh()
    assert (top, keyed) == (b.pk, 2)
    assert [c.pk for c, _, _ in similar_to(a)] == [b.pk]


# --- importing ---------------------------------------------------------------------

FILES = Path(__file__).resolve().parent / "files"


def start(
    actor: User,
    name: str,
    *,
    mapping: dict[str, str] | None = None,
    **options: Any,
) -> ImportJob:
    """Upload a test file, confirm the suggested (or given) mapping, run it."""
    with (FILES / name).open("rb") as upload:
        job = import_create(actor=actor, upload=upload, name=name)
    columns = {**job.columns, **(mapping or {})}
    import_start(
        actor=actor, job=job, mapping=Mapping.of(columns), options=Options(**options), enqueue=False
    )
    return import_run(job_id=job.pk)


def outcomes(job: ImportJob) -> dict[int, tuple[str, str]]:
    return {r.number: (r.outcome, r.reason) for r in job.rows.order_by("number")}


def test_a_linkedin_export_imports_with_a_report(owner: User) -> None:
    job = start(owner, "linkedin.csv")
    assert job.status == ImportStatus.DONE, job.error
    assert (job.created, job.updated, job.unchanged, job.duplicates, job.rejected) == (3, 1, 0, 1, 4)
    rows = outcomes(job)
    assert rows[4][0] == "rejected" and "spreadsheet formula" in rows[4][1]
    assert rows[5] == ("rejected", "No first name: a candidate needs at least a first name.")
    assert rows[6][0] == "rejected" and "No email, phone" in rows[6][1]
    assert rows[7] == ("rejected", "Email: “not-an-email” is not an email address.")
    assert rows[8][0] == "duplicate" and "Looks like Maria Souza" in rows[8][1]
    assert rows[9][0] == "updated" and rows[9][1] == "Same person as row 3 of this file."
    maria = Candidate.objects.get(contacts__value="maria.souza@example.org")
    assert maria.city == "São Paulo" and maria.country == "BR"
    assert maria.headline == "Backend engineer Python, Django"
    assert maria.linkedin_url == "https://www.linkedin.com/in/maria-souza"
    assert sorted(maria.skills.values_list("name", flat=True)) == ["Django", "Python"]
    jonas = Candidate.objects.get(contacts__value="jonas.becker@example.de")
    assert list(jonas.contacts.values_list("value", flat=True)) == [
        "jonas.becker@example.de",
        "+49301234567",
    ]
    assert sorted(jonas.skills.values_list("name", flat=True)) == ["Apache Kafka", "SQL"]
    priya = Candidate.objects.get(contacts__value="priya@example.in")
    assert priya.github_url == "https://github.com/priyar"
    review = DuplicateReview.objects.get()
    sousa = Candidate.objects.get(last_name="Sousa")
    assert (review.candidate, review.other, review.job) == (sousa, maria, job)
    assert review.reasons[1:] == ["same company: Bluefin", "same city: São Paulo"]
