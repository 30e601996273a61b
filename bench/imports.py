"""How fast a big file imports end to end, against writing the same rows raw.

    .venv/bin/python bench/imports.py [--rows 1000000] [--database sqlite|postgres|both]

1. A CSV of `--rows` people is generated once (seeded): names from a few
   thousand first and last names, a company for most, a city from the
   project's city list with a valid mobile number of its country for most,
   a unique email address. 10% of the rows are near-duplicates of an earlier
   row, in three kinds: the same email written with other capitals and
   spaces (found exactly by email), the same phone written another way and
   no email (found exactly by phone), and the same person with another
   email address, no phone, the name in other capitals and spacing, at the
   same company (found by similarity, for review). Which row repeats which
   is written beside the file.
2. For each database: a scratch one, `rapport migrate`, an admin, then
   `rapport import FILE` in a process of its own: wall time (the whole
   command: copying the file in, reading, checking, de-duplicating, writing,
   the report), rows per second and the process's peak RSS.
3. Baseline, in the same run and database: the same file read with the csv
   module and its rows written raw into a table of text columns (COPY on
   PostgreSQL, executemany on SQLite), no checks. Beside it, "writes": the
   rows the import wrote, set aside and written back raw into the same
   tables with their indexes and triggers: what the database alone spends
   on the result, a floor for any import that keeps the product's indexes.
4. The duplicate groups found: every near-duplicate row must resolve to the
   candidate of the row it repeats (exact kinds) or have a review with it
   (similar kind); pairs sent to review that the generator did not make are
   counted too (namesakes at one company or in one city), and the groups
   found on each database are compared.

Targets: <= 30 s on PostgreSQL, <= 60 s on SQLite, peak RSS <= 1 GB,
<= 5x the raw baseline. Results are printed and written as JSON to
bench/results/ (git-ignored).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path
from typing import Any

from pages import POSTGRES_URL, RESULTS, _git_commit, scratch

HERE = Path(__file__).resolve().parent
CITIES = HERE.parent / "src" / "rapport" / "core" / "data" / "cities.json"
TARGETS = {"postgres": 30.0, "sqlite": 60.0, "rss_mb": 1024.0, "ratio": 5.0}
TARGET_ROWS = 1_000_000  # the time targets are for a million rows, pro rata for fewer or more


def time_target(database: str, rows: int) -> float:
    return TARGETS[database] * rows / TARGET_ROWS


HEADER = ["First Name", "Last Name", "Email Address", "Phone Number", "Current Title",
          "Current Company", "City", "Country", "Skills"]  # fmt: skip
TITLES = ("Software Engineer", "Data Analyst", "Product Manager", "Nurse", "Accountant",
          "Sales Manager", "Designer", "DevOps Engineer", "Recruiter", "Teacher")  # fmt: skip
SKILLS = ("Python", "SQL", "Excel", "Java", "Figma", "Kubernetes", "Sales", "Go", "React", "")
DUPLICATES = 0.10


# --- the file ------------------------------------------------------------------------


def phone_plans(countries: set[str]) -> dict[str, tuple[str, int]]:
    """A country's example mobile number, with how many last digits may vary
    and stay valid (checked on samples)."""
    import phonenumbers

    plans = {}
    for country in sorted(countries):
        example = phonenumbers.example_number_for_type(country, phonenumbers.PhoneNumberType.MOBILE)
        if example is None:
            continue
        e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
        rng = random.Random(country)
        for digits in (6, 5, 4):
            prefix = e164[:-digits]
            samples = [f"{prefix}{rng.randrange(10**digits):0{digits}d}" for _ in range(40)]
            if all(phonenumbers.is_valid_number(phonenumbers.parse(s, None)) for s in samples):
                plans[country] = (prefix, digits)
                break
    return plans


def names(seed: int) -> tuple[list[str], list[str], list[str]]:
    from faker import Faker

    fake = Faker(["en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "pt_BR", "it_IT", "nl_NL"])
    fake.seed_instance(seed)
    firsts = sorted({fake.first_name() for _ in range(6000)})
    lasts = sorted({fake.last_name() for _ in range(20000)})
    companies = sorted({fake.company() for _ in range(3000)})
    return firsts, lasts, companies


def generate(path: Path, rows: int, seed: int = 1) -> dict[str, Any]:
    """Write the CSV and, beside it, which rows repeat which."""
    rng = random.Random(seed)
    cities = json.loads(CITIES.read_text(encoding="utf-8"))
    plans = phone_plans({c["country"] for c in cities})
    firsts, lasts, companies = names(seed)
    originals: list[tuple[int, list[str]]] = []  # (row number, cells) that may be repeated
    groups: list[tuple[int, int, str]] = []  # (row, the row it repeats, kind)
    phones: set[str] = set()
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for n in range(rows):
            number = n + 2
            if originals and rng.random() < DUPLICATES:
                kind = rng.choice(("email", "email", "phone", "phone", "similar", "similar"))
                original_row, cells = rng.choice(originals)
                if (kind == "phone" and not cells[3]) or (kind == "similar" and not cells[5]):
                    kind = "email"
                writer.writerow(variant(rng, cells, kind, number))
                groups.append((number, original_row, kind))
                continue
            city = rng.choice(cities)
            first, last = rng.choice(firsts), rng.choice(lasts)
            plan = plans.get(city["country"])
            phone = ""
            if plan and rng.random() < 0.7:
                prefix, digits = plan
                phone = f"{prefix}{rng.randrange(10**digits):0{digits}d}"
                if phone in phones:  # one number, one person: the phone kind finds its row
                    phone = ""
                phones.add(phone)
            local = f"{ascii_word(first)}.{ascii_word(last)}".strip(".")
            cells = [
                first, last, f"{local}.{n}@example.{rng.choice(('com', 'org', 'net'))}", phone,
                rng.choice(TITLES), rng.choice(companies) if rng.random() < 0.9 else "",
                city["city"], city["country"], rng.choice(SKILLS),
            ]  # fmt: skip
            writer.writerow(cells)
            if len(originals) < 200_000 and rng.random() < 0.3:
                originals.append((number, cells))
    groups_path = path.with_suffix(".groups.json")
    groups_path.write_text(json.dumps(groups))
    return {"rows": rows, "groups": len(groups), "bytes": path.stat().st_size}


def ascii_word(text: str) -> str:
    """Lower-case ASCII letters and digits only, for email addresses."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())


def variant(rng: random.Random, cells: list[str], kind: str, number: int) -> list[str]:
    """The same person written differently."""
    first, last, email, phone, title, company, city, country, skill = cells
    if kind == "email":
        shouted = email.upper() if rng.random() < 0.5 else email.title()
        return [first.upper(), f" {last} ", f"  {shouted} ", "", title, company, city, country, ""]
    if kind == "phone":
        spaced = f"{phone[:3]} ({phone[3:6]}) {phone[6:9]}-{phone[9:]}"
        return [first, last, "", spaced, title, company, city, country, skill]
    other = f"{ascii_word(first) or 'someone'}.{number}@work.example.com"
    return [f"  {first.lower()}", last.upper(), other, "", title, company, city, country, ""]


# --- the parent: scratch databases, children, the table --------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    databases = ("sqlite", "postgres") if args.database == "both" else (args.database,)
    folder = Path(tempfile.mkdtemp(prefix="rapport-bench-imports-"))
    path = folder / "people.csv"
    began = time.perf_counter()
    made = generate(path, args.rows)
    print(
        f"Generated {made['rows']:,} rows ({made['bytes'] / 1e6:,.0f} MB) with "
        f"{made['groups']:,} near-duplicates in {time.perf_counter() - began:.1f} s",
        flush=True,
    )
    report: dict[str, Any] = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": _git_commit(),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "python": platform.python_version(),
        "load_average": os.getloadavg(),
        "file": made,
        "targets": TARGETS,
        "databases": {},
    }
    failed = False
    for database in databases:
        print(f"\n== {database}: importing {args.rows:,} rows", flush=True)
        with scratch(database, args.postgres_url) as env:
            result = bench_one(env, path, database)
        report["databases"][database] = result
        print_result(database, result)
        failed |= not result["pass"]
    if len(databases) == 2:
        same = (
            report["databases"]["sqlite"]["groups"]["found_digest"]
            == report["databases"]["postgres"]["groups"]["found_digest"]
        )
        report["same_groups_on_both"] = same
        print(f"\nThe same duplicate groups found on both databases: {'yes' if same else 'NO'}")
        failed |= not same
    RESULTS.mkdir(exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = RESULTS / f"imports-{stamp}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nResults written to {out.relative_to(HERE.parent)}")
    for leftover in folder.glob("*"):
        leftover.unlink()
    folder.rmdir()
    sys.exit(1 if failed else 0)


def run_timed(command: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Wall seconds, peak RSS (MB) and CPU seconds of one process (with the
    processes it started and waited for)."""
    began = time.perf_counter()
    process = subprocess.Popen(command, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - began
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"{' '.join(command[:4])}… failed with {process.returncode}")
    return seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def bench_one(env: dict[str, str], path: Path, database: str) -> dict[str, Any]:
    rapport = [sys.executable, "-m", "rapport.cli"]
    subprocess.run([*rapport, "migrate", "-v", "0"], env=env, check=True)
    subprocess.run(
        [*rapport, "createuser", "bench@example.com", "--role", "admin", "--name", "Bench"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    load = os.getloadavg()[0]
    command = [*rapport, "import", str(path), "--as", "bench@example.com"]
    seconds, rss, cpu = run_timed(command, env=env)
    out = Path(env["RAPPORT_DATA_DIR"]) / "child.json"
    baseline_s, _, _ = run_timed(
        [sys.executable, __file__, "--child", "baseline", "--file", str(path), "--out", str(out)],
        env=env,
    )
    baseline = json.loads(out.read_text())
    run_timed(
        [sys.executable, __file__, "--child", "groups", "--file", str(path), "--out", str(out)],
        env=env,
    )
    groups = json.loads(out.read_text())
    run_timed(
        [sys.executable, __file__, "--child", "writes", "--file", str(path), "--out", str(out)],
        env=env,
    )
    writes = json.loads(out.read_text())
    rows = baseline["rows"]
    ratio = seconds / baseline["seconds"]
    result = {
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_s": round(rows / seconds),
        "rss_mb": round(rss),
        "cpu_s": round(cpu, 1),
        "load_average_before": load,
        "baseline_s": round(baseline["seconds"], 2),
        "baseline_process_s": round(baseline_s, 2),
        "ratio": round(ratio, 2),
        "writes_s": round(writes["seconds"], 2),
        "writes_tables": writes["tables"],
        "groups": groups,
    }
    result["checks"] = {
        "time": seconds <= time_target(database, rows),
        "rss": rss <= TARGETS["rss_mb"],
        "ratio": ratio <= TARGETS["ratio"],
        "groups": groups["missed"] == 0,
    }
    result["pass"] = all(result["checks"].values())
    return result


def print_result(database: str, r: dict[str, Any]) -> None:
    def mark(ok: bool) -> str:
        return "PASS" if ok else "FAIL"

    c, g = r["checks"], r["groups"]
    print(f"import:   {r['seconds']:.1f} s wall, {r['rows_per_s']:,} rows/s "
          f"(target <= {time_target(database, r['rows']):.1f} s, {TARGETS[database]:.0f} s a million) "
          f"{mark(c['time'])}; {r['cpu_s']:.0f} s of CPU, "
          f"load average {r['load_average_before']:.1f} before, on {os.cpu_count()} cores")  # fmt: skip
    print(f"memory:   {r['rss_mb']:,} MB peak RSS (target <= {TARGETS['rss_mb']:.0f} MB) "
          f"{mark(c['rss'])}")  # fmt: skip
    print(f"baseline: {r['baseline_s']:.1f} s raw {'COPY' if database == 'postgres' else 'executemany'} "
          f"of the same rows; import/baseline {r['ratio']:.1f}x (target <= {TARGETS['ratio']:.0f}x) "
          f"{mark(c['ratio'])}")  # fmt: skip
    tables = ", ".join(f"{name} {s:.1f}" for name, s in r["writes_tables"].items())
    print(f"writes:   {r['writes_s']:.1f} s to write the import's rows again, raw, into the same "
          f"tables with their indexes and triggers ({r['writes_s'] / r['baseline_s']:.1f}x the "
          f"baseline; import/writes {r['seconds'] / r['writes_s']:.1f}x): {tables}")  # fmt: skip
    print(f"groups:   {g['found']:,} of {g['expected']:,} near-duplicates found "
          f"({g['by_kind']}), {g['missed']:,} missed, {g['extra_reviews']:,} further pairs sent "
          f"to review (namesakes in one place) {mark(c['groups'])}")  # fmt: skip
    print(f"outcomes: {r['groups']['outcomes']}")


# --- the children ----------------------------------------------------------------------


def child(args: argparse.Namespace) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.settings")
    import django

    django.setup()
    children = {"baseline": child_baseline, "groups": child_groups, "writes": child_writes}
    result = children[args.child](Path(args.file))
    Path(args.out).write_text(json.dumps(result))


def child_baseline(path: Path) -> dict[str, Any]:
    """The file's rows written raw: csv module, one table of text columns."""
    from django.db import connection, transaction

    columns = ", ".join(f"c{i} text" for i in range(len(HEADER)))
    names = ", ".join(f"c{i}" for i in range(len(HEADER)))
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE bench_raw ({columns})")
    began = time.perf_counter()
    rows = 0
    with path.open(encoding="utf-8", newline="") as source, transaction.atomic():
        reader = csv.reader(source)
        next(reader)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY bench_raw ({names}) FROM STDIN") as copy:
                    for record in reader:
                        copy.write_row(record)
                        rows += 1
            else:
                marks = ", ".join(["%s"] * len(HEADER))
                batch: list[list[str]] = []
                for record in reader:
                    batch.append(record)
                    if len(batch) == 10_000:
                        cursor.executemany(f"INSERT INTO bench_raw VALUES ({marks})", batch)
                        rows += len(batch)
                        batch = []
                cursor.executemany(f"INSERT INTO bench_raw VALUES ({marks})", batch)
                rows += len(batch)
    return {"seconds": time.perf_counter() - began, "rows": rows}


# The tables an import writes a row or more to for each row of the file,
# parents first.
WRITTEN = (
    "people_candidate", "people_contactpoint", "people_candidateskill", "people_candidatetag",
    "people_poolmembership", "people_searchdocument", "core_activity", "sourcing_similaritykey",
    "sourcing_importrow", "sourcing_duplicatereview",
)  # fmt: skip


def child_writes(path: Path) -> dict[str, Any]:
    """What the database alone spends on the import's result: every row the
    import wrote to the tables it writes per row is set aside, the tables
    emptied, and the rows written back raw, timed (COPY on PostgreSQL, an
    INSERT ... SELECT from a side file on SQLite), into the same tables with
    their indexes, constraints and triggers (the full-text index's among
    them). No reading, checking or deciding: a floor for any import that
    keeps the product's indexes, against which the raw baseline's one
    unindexed table says little. The tables hold the same rows afterwards."""
    from django.db import connection, transaction

    tables = {}
    folder = Path(tempfile.mkdtemp(prefix="rapport-bench-writes-"))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor
            for table in WRITTEN:
                with (
                    (folder / table).open("wb") as out,
                    raw.copy(f"COPY {table} TO STDOUT (FORMAT binary)") as copy,
                ):
                    for block in copy:
                        out.write(block)
            cursor.execute(f"TRUNCATE {', '.join(WRITTEN)} CASCADE")
            cursor.execute(f"VACUUM ANALYZE {', '.join(WRITTEN)}")
            for table in WRITTEN:
                began = time.perf_counter()
                with (
                    transaction.atomic(),
                    (folder / table).open("rb") as source,
                    raw.copy(f"COPY {table} FROM STDIN (FORMAT binary)") as copy,
                ):
                    while block := source.read(1 << 20):
                        copy.write(block)
                tables[table] = time.perf_counter() - began
                (folder / table).unlink()
        else:
            side = folder / "side.sqlite3"
            cursor.execute("ATTACH DATABASE %s AS side", [str(side)])
            for table in WRITTEN:
                cursor.execute(f"CREATE TABLE side.{table} AS SELECT * FROM main.{table}")
            with transaction.atomic():
                for table in reversed(WRITTEN):
                    cursor.execute(f"DELETE FROM main.{table}")
            cursor.execute("VACUUM main")
            for table in WRITTEN:
                began = time.perf_counter()
                with transaction.atomic():
                    cursor.execute(f"INSERT INTO main.{table} SELECT * FROM side.{table}")
                tables[table] = time.perf_counter() - began
            cursor.execute("DETACH DATABASE side")
            side.unlink()
    folder.rmdir()
    return {"seconds": sum(tables.values()), "tables": {t: round(s, 2) for t, s in tables.items()}}


def child_groups(path: Path) -> dict[str, Any]:
    """Did each near-duplicate land on (or beside) the row it repeats?"""
    import hashlib

    from rapport.people.models import ContactPoint
    from rapport.sourcing.models import DuplicateReview, ImportJob, ImportRow

    groups = json.loads(path.with_suffix(".groups.json").read_text())
    job = ImportJob.objects.get()
    originals = {original for _, original, _ in groups}
    emails: dict[int, str] = {}
    with path.open(encoding="utf-8", newline="") as source:
        for number, record in enumerate(csv.reader(source), 1):
            if number in originals:
                emails[number] = record[2]
    by_email: dict[str, int] = {}
    values = list(set(emails.values()))
    for start in range(0, len(values), 5000):
        by_email.update(
            ContactPoint.objects.filter(value__in=values[start : start + 5000]).values_list(
                "value", "candidate_id"
            )
        )
    outcome: dict[int, tuple[str, int | None]] = {}
    counts: dict[str, int] = {}
    rows = ImportRow.objects.filter(job=job).values_list("number", "outcome", "candidate_id")
    for number, result, candidate_id in rows.iterator(chunk_size=10_000):
        outcome[number] = (result, candidate_id)
        counts[result] = counts.get(result, 0) + 1
    counts["created"] = job.created
    pairs = {frozenset(p) for p in DuplicateReview.objects.values_list("candidate_id", "other_id")}
    found, by_kind, made = [], {}, set()
    missed: dict[str, int] = {}
    examples: list[list[Any]] = []
    for number, original, kind in groups:
        target = by_email.get(emails[original])
        result, candidate_id = outcome.get(number, ("created", None))
        if kind == "similar":
            ok = result == "duplicate" and frozenset((candidate_id, target)) in pairs
            made.add(frozenset((candidate_id, target)))
        else:
            ok = result in ("updated", "unchanged") and candidate_id == target
        if ok:
            found.append(number)
            by_kind[kind] = by_kind.get(kind, 0) + 1
        else:
            missed[kind] = missed.get(kind, 0) + 1
            if len(examples) < 10:
                examples.append([number, original, kind, result, candidate_id, target])
    digest = hashlib.sha256(json.dumps(sorted(found)).encode()).hexdigest()
    return {
        "expected": len(groups),
        "found": len(found),
        "missed": len(groups) - len(found),
        "by_kind": by_kind,
        "missed_by_kind": missed,
        "missed_examples": examples,
        "extra_reviews": len(pairs - made),
        "found_digest": digest,
        "outcomes": counts,
    }


if __name__ == "__main__":
    main()
