"""Imports: reading files of every shape, mapping columns, de-duplicating,
reporting, idempotency and resuming after a crash."""

from __future__ import annotations

import csv
import gc
import io
import signal
import tracemalloc
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from rapport.accounts.models import User
from rapport.core.errors import PermissionDenied
from rapport.core.models import Activity
from rapport.outreach.services import suppression_add
from rapport.people.models import Candidate, Pool, SearchDocument
from rapport.sourcing import imports
from rapport.sourcing.import_mapping import Mapping, mapping_parse, suggest
from rapport.sourcing.import_read import detect, read
from rapport.sourcing.imports import (
    Options,
    import_create,
    import_preview,
    import_run,
    import_start,
    report_lines,
)
from rapport.sourcing.models import DuplicateReview, ImportJob, ImportStatus, SimilarityKey
from rapport.sourcing.similar import Profile, blocking_keys, keys_refresh, score, similar_to
from tests.workers import WorkerProcess, start_worker, wait_until

pytestmark = pytest.mark.django_db
__all__ = ["start_worker"]  # a fixture, used by name


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
    assert (job.created, job.updated, job.unchanged, job.duplicates, job.rejected) == (
        3,
        1,
        0,
        1,
        4,
    )
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


def state() -> dict[str, Any]:
    """Everything an import may write, keyed by what identifies people rather
    than by ids (which a rolled-back batch may use up)."""
    people = {}
    for c in Candidate.objects.prefetch_related("contacts", "skills", "tags", "pools"):
        key = min((p.value for p in c.contacts.all()), default=f"#{c.pk}")
        people[key] = {
            **{f.name: getattr(c, f.name) for f in Candidate._meta.concrete_fields
               if f.name not in ("id", "created_at", "updated_at")},
            "contacts": sorted((p.kind, p.value, p.is_primary) for p in c.contacts.all()),
            "skills": sorted(s.name for s in c.skills.all()),
            "tags": sorted(t.name for t in c.tags.all()),
            "pools": sorted(p.name for p in c.pools.all()),
            "document": SearchDocument.objects.get(candidate=c).tokens,
            "keys": sorted(SimilarityKey.objects.filter(candidate=c).values_list("key", flat=True)),
            "activities": sorted(
                Activity.objects.filter(candidate=c).values_list("kind", "summary")
            ),
        }  # fmt: skip

    def who(candidate: Candidate) -> str:
        return min(p.value for p in candidate.contacts.all())

    reviews = sorted(
        (who(r.candidate), who(r.other), r.score, tuple(r.reasons), r.status)
        for r in DuplicateReview.objects.select_related("candidate", "other")
    )
    return {"people": people, "reviews": reviews}


def test_the_same_file_twice_changes_nothing_the_second_time(owner: User) -> None:
    first = start(owner, "linkedin.csv", pool="Imported", tag="spring-fair", source="fair")
    before = state()
    second = start(owner, "linkedin.csv", pool="Imported", tag="spring-fair", source="fair")
    assert state() == before
    assert (second.created, second.updated, second.duplicates, second.rejected) == (0, 0, 0, 4)
    assert second.unchanged == first.created + first.updated + first.duplicates
    assert {r.outcome for r in second.rows.all()} == {"unchanged", "rejected"}


def test_a_run_killed_mid_file_resumes_to_the_same_state(
    owner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports, "BATCH", 2)
    whole = start(owner, "linkedin.csv", pool="Imported", tag="t1")
    expected = state()
    counts = [whole.created, whole.updated, whole.unchanged, whole.duplicates, whole.rejected]
    Candidate.objects.all().delete()
    DuplicateReview.objects.all().delete()

    original = imports.Batch.write
    calls = {"n": 0}

    def crash_on_third(self: imports.Batch) -> None:
        calls["n"] += 1
        original(self)
        if calls["n"] == 3:  # the third batch is written, then the process dies
            raise KeyboardInterrupt

    monkeypatch.setattr(imports.Batch, "write", crash_on_third)
    with (FILES / "linkedin.csv").open("rb") as upload:
        job = import_create(actor=owner, upload=upload, name="linkedin.csv")
    import_start(actor=owner, job=job, mapping=Mapping.of(job.columns),
                 options=Options(pool="Imported", tag="t1"), enqueue=False)  # fmt: skip
    with pytest.raises(KeyboardInterrupt):
        import_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.rows_done) == (ImportStatus.RUNNING, 4)  # two batches of two
    monkeypatch.setattr(imports.Batch, "write", original)
    job = import_run(job_id=job.pk)
    assert job.status == ImportStatus.DONE
    assert [job.created, job.updated, job.unchanged, job.duplicates, job.rejected] == counts
    assert state() == expected
    assert job.rows.count() == whole.rows.count()


def test_a_big_file_checked_in_a_second_process_ends_as_checked_in_one(
    owner: User, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    """Rows are checked, and their blocking keys worked out, in a spawned
    process for big files; the result must not depend on which process did it."""
    monkeypatch.setattr(imports, "BATCH", 3)
    alone = start(owner, "linkedin.csv", pool="Imported", tag="t1")
    expected, report = state(), outcomes(alone)
    Candidate.objects.all().delete()
    DuplicateReview.objects.all().delete()
    Pool.objects.all().delete()

    monkeypatch.setattr(imports, "PARALLEL_FROM", 1)
    settings.IMPORT_PROCESSES = 2
    submitted: list[int] = []

    class Counted(ProcessPoolExecutor):
        def submit(self, *args: Any, **kwargs: Any) -> Any:
            submitted.append(len(args[1]))
            return super().submit(*args, **kwargs)

    monkeypatch.setattr(imports, "ProcessPoolExecutor", Counted)
    shared = start(owner, "linkedin.csv", pool="Imported", tag="t1")
    assert shared.status == ImportStatus.DONE, shared.error
    assert sum(submitted) == alone.rows_total  # every row went to the other process
    assert state() == expected
    for candidate in Candidate.objects.all():
        stored = set(
            SimilarityKey.objects.filter(candidate=candidate).values_list("key", flat=True)
        )
        assert stored == blocking_keys(Profile.of(candidate)), candidate
    assert {n: o for n, (o, _) in outcomes(shared).items()} == {
        n: o for n, (o, _) in report.items()
    }


def test_an_import_puts_the_cycle_collector_back_as_it_found_it(owner: User) -> None:
    """While an import runs the collector runs less often; it is put back
    after, since the worker that ran the import goes on to other tasks."""
    threshold = gc.get_threshold()
    seen: list[tuple[int, ...]] = []
    original = imports.Batch.write

    def watched(self: imports.Batch) -> None:
        seen.append(gc.get_threshold())
        original(self)

    imports.Batch.write = watched  # type: ignore[method-assign]
    try:
        job = start(owner, "linkedin.csv")
    finally:
        imports.Batch.write = original  # type: ignore[method-assign]
    assert job.status == ImportStatus.DONE
    assert seen and seen[0][0] == 20_000
    assert gc.get_threshold() == threshold


def test_a_dry_run_reports_and_writes_nothing(owner: User) -> None:
    job = start(owner, "linkedin.csv", dry_run=True, pool="New pool", tag="fair")
    assert (job.created, job.updated, job.duplicates, job.rejected) == (3, 1, 1, 4)
    assert not Candidate.objects.exists()
    assert not Pool.objects.exists()
    assert job.rows.count() == 6


@pytest.mark.parametrize(
    ("name", "shape", "people"),
    [
        ("semicolon-bom.csv", ("csv", "utf-8", ";"), ["Jürgen Müller", "Chloé Dubois"]),
        ("tabs.tsv", ("tsv", "utf-8", "\t"), ["Ama Mensah", "Kenji Sato"]),
        ("pipes.txt", ("csv", "utf-8", "|"), []),
        ("windows-1252.csv", ("csv", "utf-8", ","), []),
        ("utf-16.txt", ("tsv", "utf-16", "\t"), []),
    ],
)
def test_encodings_and_delimiters_are_detected(
    owner: User, name: str, shape: tuple[str, str, str], people: list[str]
) -> None:
    with (FILES / name).open("rb") as upload:
        job = import_create(actor=owner, upload=upload, name=name)
    assert (job.format, job.encoding, job.delimiter) == shape
    if people:
        job = start(owner, name)
        assert sorted(c.full_name for c in Candidate.objects.all()) == sorted(people)


def test_legacy_and_mixed_encodings_read_right(owner: User) -> None:
    preview = import_preview_of(owner, "windows-1252.csv")
    assert [r.values["full_name"] for r in preview.rows] == ["José García", "François Lefèvre"]
    assert [r.values["city"] for r in preview.rows] == ["Málaga", "Besançon"]
    preview = import_preview_of(owner, "mixed-encodings.csv")
    assert [r.values["full_name"] for r in preview.rows] == ["João Pereira", "Zoë Ångström"]
    preview = import_preview_of(owner, "utf-16.txt")
    assert [r.values["city"] for r in preview.rows] == ["Łódź", "Hà Nội"]
    job = start(owner, "mixed-encodings.csv")
    assert job.options["warnings"] == ["1 line of the file was not UTF-8 and was read as cp1252."]


def import_preview_of(actor: User, name: str) -> Any:
    with (FILES / name).open("rb") as upload:
        job = import_create(actor=actor, upload=upload, name=name)
    return import_preview(job=job, mapping=Mapping.of(job.columns))


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.csv", "The file is empty."),
        ("header-only.csv", "The file has a header row but no rows after it."),
        ("not-a-spreadsheet.xlsx", "This is not an Excel file that can be read"),
        ("old-excel.xls", "This is an old Excel file (.xls): open it and save it as .xlsx"),
    ],
)
def test_files_that_cannot_be_read_say_why(owner: User, name: str, message: str) -> None:
    with (FILES / name).open("rb") as upload, pytest.raises(ValidationError) as caught:
        import_create(actor=owner, upload=upload, name=name)
    assert caught.value.messages[0].startswith(message)
    assert not ImportJob.objects.exists()


def test_a_file_over_the_limit_is_refused(owner: User, settings: Any) -> None:
    settings.IMPORT_MAX_BYTES = 500
    with (FILES / "linkedin.csv").open("rb") as upload, pytest.raises(ValidationError) as caught:
        import_create(actor=owner, upload=upload, name="linkedin.csv")
    assert "imports take at most 0 MB (RAPPORT_IMPORT_MAX_BYTES)" in caught.value.messages[0]


def test_excel_numbers_dates_and_formulas(owner: User) -> None:
    job = start(owner, "recruiter.xlsx")
    assert job.status == ImportStatus.DONE, job.error
    olivia = Candidate.objects.get(first_name="Olivia")
    assert list(olivia.contacts.values_list("value", flat=True)) == [
        "olivia@example.co.uk", "+447911123456"
    ]  # fmt: skip
    assert olivia.years_experience == 7
    assert Candidate.objects.get(first_name="Noah").years_experience == 3
    rows = outcomes(job)
    assert "is a date: the spreadsheet turned the number into one" in rows[4][1]
    assert "was stored as a number, which loses its + and leading zeros" in rows[5][1]
    assert rows[6] == ("rejected", "No first name: a candidate needs at least a first name.")
    assert "“ten” is not a number of years" in rows[8][1]
    assert (job.created, job.rejected) == (2, 4)


def test_the_report_downloads_with_reasons_and_no_formulas(owner: User) -> None:
    job = start(owner, "linkedin.csv")
    text = "".join(report_lines(job))
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0][:6] == ["row", "outcome", "candidate_id", "candidate", "reason", "changes"]
    by_row = {line[0]: line for line in lines[1:]}
    assert by_row["4"][1] == "Rejected"
    assert by_row["4"][6] == '\'=HYPERLINK("http://example.com")'  # first name, as text
    assert by_row["9"][5] == "Skills: added Apache Kafka"
    assert by_row["8"][1] == "Possible duplicate"


def test_an_existing_candidate_is_filled_never_overwritten(
    owner: User, make_candidate: Callable[..., Candidate]
) -> None:
    maria = make_candidate(first_name="Mari", last_name="Souza", current_title="Engineer",
                           emails=["maria.souza@example.org"], skills=["Go"])  # fmt: skip
    job = start(owner, "linkedin.csv")
    maria.refresh_from_db()
    assert (maria.first_name, maria.current_title, maria.current_company) == (
        "Mari", "Engineer", "Bluefin"
    )  # fmt: skip
    row = job.rows.get(number=2)
    assert row.outcome == "updated"
    assert row.changes["first_name"] == ["Mari", "Maria", "kept"]
    assert row.changes["current_title"] == ["Engineer", "Senior Backend Engineer", "kept"]
    assert row.changes["current_company"] == ["", "Bluefin", "filled"]
    assert row.changes["skills"] == ["", "Python, Django", "added"]
    assert sorted(maria.skills.values_list("name", flat=True)) == ["Django", "Go", "Python"]
    assert maria.activities.filter(kind="candidate.updated").count() == 1


def test_the_file_may_be_newer_for_the_fields_chosen(
    owner: User, make_candidate: Callable[..., Candidate]
) -> None:
    maria = make_candidate(first_name="Maria", last_name="Souza", current_title="Engineer",
                           emails=["maria.souza@example.org"])  # fmt: skip
    job = start(owner, "linkedin.csv", replace=["current_title"])
    maria.refresh_from_db()
    assert maria.current_title == "Senior Backend Engineer"
    assert job.rows.get(number=2).changes["current_title"] == [
        "Engineer", "Senior Backend Engineer", "replaced"
    ]  # fmt: skip


def test_a_row_naming_two_people_changes_neither(
    owner: User, make_candidate: Callable[..., Candidate]
) -> None:
    ana = make_candidate(first_name="Ana", emails=["jonas.becker@example.de"])
    bea = make_candidate(first_name="Bea", emails=["bea@example.org"], phones=["+49 30 1234567"])
    job = start(owner, "linkedin.csv")
    row = job.rows.get(number=9)
    assert row.outcome == "duplicate"
    assert "name different people: Ana" in row.reason
    review = DuplicateReview.objects.get(other=ana)
    assert review.candidate == bea and review.score == 100
    assert not bea.contacts.filter(value="jonas.becker@example.de").exists()


def test_hiring_managers_cannot_import(manager: User) -> None:
    with (FILES / "linkedin.csv").open("rb") as upload, pytest.raises(PermissionDenied):
        import_create(actor=manager, upload=upload, name="linkedin.csv")


def test_reading_a_big_file_keeps_memory_flat(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write("First Name,Last Name,Email,Notes\n")
        for n in range(200_000):
            out.write(f'Ana{n},Souza,ana{n}@example.org,"a note,\nover two lines"\n')
    shape = detect(path, "big.csv")
    tracemalloc.start()
    with read(path, shape) as reading:
        count = sum(1 for _ in reading.rows)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert count == 200_000
    assert peak < 2_000_000, f"{peak:,} bytes to read {path.stat().st_size:,}"


# --- the command line --------------------------------------------------------------


def test_the_command_imports_with_a_mapping_file_and_summarises(
    owner: User, tmp_path: Path
) -> None:
    mapping = tmp_path / "map.json"
    mapping.write_text(
        '{"columns": {"skills": "", "headline": "current_title", "Current Title": ""}}'
    )
    out = io.StringIO()
    call_command(
        "import", str(FILES / "linkedin.csv"), "--as", owner.email, "--pool", "Fair",
        "--tag", "fair", "--source", "job-fair", "--map", str(mapping), stdout=out,
    )  # fmt: skip
    text = out.getvalue()
    assert "Imported linkedin.csv: 9 rows in" in text
    assert "  created                      3" in text
    assert "  rejected                     4" in text
    assert "row 5: No first name: a candidate needs at least a first name." in text
    maria = Candidate.objects.get(first_name="Maria", last_name="Souza")
    assert maria.current_title == "Backend engineer Python, Django"
    assert (maria.source, list(maria.pools.values_list("name", flat=True))) == (
        "job-fair",
        ["Fair"],
    )
    assert not maria.skills.exists()


def test_the_command_says_what_is_wrong(owner: User, manager: User, tmp_path: Path) -> None:
    bad = tmp_path / "map.csv"
    bad.write_text("column,field\nEmail Adress,email\n")
    with pytest.raises(CommandError, match="the file has no column “Email Adress”"):
        call_command("import", str(FILES / "linkedin.csv"), "--as", owner.email, "--map", str(bad))
    with pytest.raises(CommandError, match="The file is empty"):
        call_command("import", str(FILES / "empty.csv"), "--as", owner.email)
    with pytest.raises(CommandError, match="may not add candidates"):
        call_command("import", str(FILES / "linkedin.csv"), "--as", manager.email)
    with pytest.raises(CommandError, match="There is no active user nobody@example"):
        call_command("import", str(FILES / "linkedin.csv"), "--as", "nobody@example.com")
    assert not ImportJob.objects.exists()


def test_the_command_carries_on_an_interrupted_import(
    owner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports, "BATCH", 3)
    original = imports.Batch.write

    def crash(self: imports.Batch) -> None:
        original(self)
        raise KeyboardInterrupt

    monkeypatch.setattr(imports.Batch, "write", crash)
    with pytest.raises(KeyboardInterrupt):
        call_command("import", str(FILES / "linkedin.csv"), "--as", owner.email)
    monkeypatch.setattr(imports.Batch, "write", original)
    err = io.StringIO()
    call_command("import", str(FILES / "linkedin.csv"), "--as", owner.email, stderr=err,
                 stdout=io.StringIO())  # fmt: skip
    job = ImportJob.objects.get()
    assert (job.status, job.created, job.rejected) == (ImportStatus.DONE, 3, 4)


def test_a_suppressed_address_is_never_imported_again(owner: User, admin: User) -> None:
    suppression_add(actor=admin, address="Priya@Example.in")
    job = start(owner, "linkedin.csv")
    assert "on the suppression list" in job.rows.get(number=10).reason
    assert not Candidate.objects.filter(first_name="Priya").exists()
    assert job.created == 2


# --- a real worker, killed mid-file ---------------------------------------------------


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_mid_file_is_taken_over_and_the_import_ends_right(
    owner: User, tmp_path: Path, start_worker: Callable[..., WorkerProcess], settings: Any
) -> None:
    path = tmp_path / "many.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write("Name,Email\n")
        for n in range(12_000):
            out.write(f"Person{n} Example,person{n}@example.org\n")
        for n in range(0, 12_000, 7):  # the same people again, further down
            out.write(f"PERSON{n} EXAMPLE, Person{n}@Example.org \n")
    with path.open("rb") as upload:
        job = import_create(actor=owner, upload=upload, name="many.csv")
    env = {"RAPPORT_DATA_DIR": str(settings.DATA_DIR), "RAPPORT_IMPORT_PROCESSES": "1"}
    import_start(actor=owner, job=job, mapping=Mapping.of(job.columns), options=Options())
    first = start_worker(environment=env)
    wait_until(
        lambda: ImportJob.objects.get(pk=job.pk).rows_done >= 4000,
        timeout=120,
        failure=first.output,
    )
    first.signal(signal.SIGKILL)
    first.wait(timeout=10)
    done_at_kill = ImportJob.objects.get(pk=job.pk).rows_done
    second = start_worker(environment=env)
    wait_until(
        lambda: ImportJob.objects.get(pk=job.pk).status == ImportStatus.DONE,
        timeout=240,
        failure=lambda: f"{ImportJob.objects.filter(pk=job.pk).values()[0]}\n{second.output()}",
    )
    job.refresh_from_db()
    assert done_at_kill < job.rows_done == 12_000 + len(range(0, 12_000, 7))
    assert (job.created, job.unchanged, job.rejected) == (12_000, len(range(0, 12_000, 7)), 0)
    assert Candidate.objects.count() == 12_000  # nobody twice
    assert Activity.objects.filter(kind="candidate.created").count() == 12_000
    assert job.rows.count() == job.unchanged
    assert SearchDocument.objects.count() == 12_000


def test_a_row_like_several_people_opens_a_review_with_each(
    owner: User, make_candidate: Callable[..., Candidate]
) -> None:
    older = make_candidate(first_name="Maria", last_name="Souza", city="São Paulo")
    newer = make_candidate(first_name="MARIA", last_name="SOUZA", city="Sao Paulo")
    job = start(owner, "linkedin.csv")
    row = job.rows.get(number=2)
    assert row.outcome == "duplicate"
    assert row.reason.startswith(f"Looks like Maria Souza (#{older.pk}) (and 1 more): same name")
    maria = row.candidate
    pairs = set(DuplicateReview.objects.filter(candidate=maria).values_list("other", flat=True))
    assert pairs == {older.pk, newer.pk}
    sousa = job.rows.get(number=8).candidate
    assert DuplicateReview.objects.filter(candidate=sousa).count() == 3


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (  # LinkedIn Recruiter, a project exported to CSV
            ["First Name", "Last Name", "Headline", "Location", "Current Title",
             "Current Company", "Email Address", "Phone Number", "Profile URL", "Notes"],
            ["first_name", "last_name", "headline", "location", "current_title",
             "current_company", "email", "phone", "profile_url", ""],
        ),
        (  # a Lever-style export
            ["Name", "Email", "Phone", "Location", "Current Company", "Current Title",
             "Sources", "Tags", "Links"],
            ["full_name", "email", "phone", "location", "current_company", "current_title",
             "source", "tags", "profile_url"],
        ),
        (  # a spreadsheet, with two emails and a name both split and whole
            ["Full name", "First", "Last", "E-mail", "Email 2", "Mobile", "Company name",
             "Job title", "LinkedIn", "GitHub", "Years of experience", "Skills", "Country"],
            ["", "first_name", "last_name", "email", "email", "phone", "current_company",
             "current_title", "linkedin_url", "github_url", "years_experience", "skills",
             "country"],
        ),
    ],
)  # fmt: skip
def test_the_mapping_is_suggested_from_common_exports(
    header: list[str], expected: list[str]
) -> None:
    assert list(suggest(header).values()) == expected


def test_a_mapping_file_may_be_json_or_csv() -> None:
    assert mapping_parse('{"E-mail": "email", "Notes": null}').columns == {
        "E-mail": "email", "Notes": ""
    }  # fmt: skip
    assert mapping_parse("column,field\nE-mail,email\nNotes,\n").columns == {
        "E-mail": "email", "Notes": ""
    }  # fmt: skip
    with pytest.raises(ValueError, match="not valid JSON"):
        mapping_parse('{"E-mail": email}')
