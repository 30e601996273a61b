"""How fast the query language answers on a large pool, against hand-written SQL.

    .venv/bin/python bench/search.py [--candidates 1000000] [--database sqlite|postgres|both]

For each database: a scratch one, `rapport migrate`, then `rapport demo
--candidates N` (people across many countries and cities, skills from the
vocabulary by role, notes, history), timed and reported as candidates and
rows written per second. Then, in a separate process, each query of QUERIES
(over forty: rare and very broad words, phrases, prefixes, aliases, Boolean
combinations, fields, and the planner traps: full text with a range filter,
full text sorted by another column, broad negations) is run as a recruiter of
the demo team through `search.selectors.candidate_search`, the code behind the
page, the API and the CLI: the first page (50 rows, fetched) and the exact
count, each timed separately, rotating through the queries `--rounds` times.
Beside each, in the same run, on the same indexes (the two take turns at going
first, round by round, so that neither always finds the other's pages in
memory): hand-written SQL for the
same query (the same rows, the same count), written as one would by hand:
NOT EXISTS for a negation on PostgreSQL, and a count of one set over the
whole pool from that set's index alone. The SQL reads the set with IN; the
app may choose another plan for a first page (search/plans.py). The table
gives p50/p95 over all queries for the app and the SQL, their ratio, and the
targets:

    PostgreSQL  first page p95 <= 100 ms, count p95 <= 300 ms, app/raw <= 1.5
    SQLite      first page p95 <= 200 ms, count p95 <= 500 ms

`--keep` keeps both installations (the SQLite folder, and the PostgreSQL
database as rapport_search_bench); `--data-dir DIR` and `--database-url URL`
measure a kept one again, after `rapport migrate`, without generating it.
Results are also written as JSON to bench/results/ (git-ignored).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from pages import POSTGRES_URL, RESULTS, _git_commit, scratch

TARGETS = {
    "postgres": {"page_p95_ms": 100.0, "count_p95_ms": 300.0, "ratio": 1.5},
    "sqlite": {"page_p95_ms": 200.0, "count_p95_ms": 500.0, "ratio": None},
}
KEPT_DATABASE = "rapport_search_bench"
ADDED = re.compile(r"Added ([\d,]+) candidates with ([\d,]+) contact points, ([\d,]+) skills, "
                   r"([\d,]+) tags, ([\d,]+) pool memberships, ([\d,]+) notes and ([\d,]+) "
                   r"activities")  # fmt: skip


# --- the queries, each with its SQL written by hand ----------------------------------


@dataclass(frozen=True)
class Case:
    query: str
    text: tuple[str, str] | None = None  # (FTS5 MATCH, tsquery) of the free text
    where: str = ""  # other conditions on c (people_candidate), by hand
    order: str = "c.created_at DESC, c.id DESC"
    sort: str = "-created"
    negate: bool = False  # NOT the free text


def skill(name: str) -> str:
    return (
        "c.id IN (SELECT cs.candidate_id FROM people_candidateskill cs "
        f"JOIN people_skill s ON s.id = cs.skill_id WHERE s.name = '{name}')"
    )


def since(days: int) -> str:
    """A moment `days` before NOW, written as each database stores it."""
    return f"{{since:{days}}}"  # replaced per database in raw_sql


NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
BY_NAME = "c.last_name, c.first_name, c.id"
QUERIES = [
    # Words, from rare to very broad.
    Case("python", ('"python"', "'python'")),
    Case("kubernetes", ('"kubernetes"', "'kubernetes'")),
    Case("nurse", ('"nurse"', "'nurse'")),
    Case("accountant", ('"accountant"', "'accountant'")),
    Case("designer", ('"designer"', "'designer'")),
    Case("sales", ('"sales"', "'sales'")),
    Case("engineer", ('"engineer"', "'engineer'")),
    Case("manager", ('"manager"', "'manager'")),
    Case("senior", ('"senior"', "'senior'")),
    Case("example", ('"example"', "'example'")),  # in nearly every email address
    # Phrases, prefixes and an alias.
    Case('"machine learning"', ('"machine learning"', "('machine' <-> 'learning')")),
    Case('"site reliability"', ('"site reliability"', "('site' <-> 'reliability')")),
    Case('"sao paulo"', ('"sao paulo"', "('sao' <-> 'paulo')")),
    Case("dev*", ('"dev"*', "'dev':*")),
    Case("eng*", ('"eng"*', "'eng':*")),
    Case("k8s", ('("k8s" OR "0skubernetes")', "('k8s' | '0skubernetes')")),
    # Boolean combinations.
    Case("python AND django", ('("python" AND "django")', "('python' & 'django')")),
    Case(
        "python OR golang",
        ('("python" OR ("golang" OR "0sgo"))', "('python' | ('golang' | '0sgo'))"),
    ),
    Case(
        "(react OR vue) typescript",
        ('(("react" OR "vue") AND "typescript")', "(('react' | 'vue') & 'typescript')"),
    ),
    Case("engineer -senior", ('("engineer" NOT "senior")', "('engineer' & !'senior')")),
    Case("nurse NOT pediatric", ('("nurse" NOT "pediatric")', "('nurse' & !'pediatric')")),
    # Fields alone.
    Case("skill:python", where=skill("Python")),
    Case("skill:kubernetes", where=skill("Kubernetes")),
    Case("country:BR", where="c.country = 'BR'"),
    Case("country:US", where="c.country = 'US'"),
    Case('city:"sao paulo"', ('"0ysao 0ypaulo"', "('0ysao' <-> '0ypaulo')")),
    Case("title:engineer", ('"0tengineer"', "'0tengineer'")),
    Case("tz:Europe", where="c.timezone LIKE 'Europe/%'"),
    Case("language:pt", where="{languages} LIKE '%\"pt\"%'"),
    Case("seniority:senior", where="c.seniority = 'senior'"),
    Case("years:>=10", where="c.years_experience >= 10"),
    Case("created:<30d", where=f"c.created_at >= {since(30)}"),
    Case(
        "last_contacted:>90d",
        where=f"(c.last_contacted_at < {since(90)} OR c.last_contacted_at IS NULL)",
    ),
    Case(
        "has:phone",
        where="c.id IN (SELECT p.candidate_id FROM people_contactpoint p WHERE p.kind = 'phone')",
    ),
    Case(
        "tag:silver-medallist",
        where="c.id IN (SELECT ct.candidate_id FROM people_candidatetag ct JOIN "
        "people_tag t ON t.id = ct.tag_id WHERE t.name = 'silver-medallist')",
    ),
    Case(
        'pool:"Senior Backend"',
        where="c.id IN (SELECT m.candidate_id FROM people_poolmembership m JOIN "
        "people_pool p ON p.id = m.pool_id "
        "WHERE p.name = 'Senior Backend' AND p.archived_at IS NULL)",
    ),
    Case(
        "skill:python country:US seniority:senior",
        where=f"{skill('Python')} AND c.country = 'US' AND c.seniority = 'senior'",
    ),
    # Planner traps: full text with a range, full text sorted by another column,
    # broad words with filters, broad negations.
    Case(
        "python last_contacted:>90d",
        ('"python"', "'python'"),
        where=f"(c.last_contacted_at < {since(90)} OR c.last_contacted_at IS NULL)",
    ),
    Case("engineer years:>=10", ('"engineer"', "'engineer'"), where="c.years_experience >= 10"),
    Case("manager created:<90d", ('"manager"', "'manager'"), where=f"c.created_at >= {since(90)}"),
    Case("python", ('"python"', "'python'"), order=BY_NAME, sort="name"),
    Case("engineer", ('"engineer"', "'engineer'"), order=BY_NAME, sort="name"),
    Case(
        "engineer",
        ('"engineer"', "'engineer'"),
        order="c.last_contacted_at DESC NULLS LAST, c.id DESC",
        sort="-contacted",
    ),
    Case("manager country:US", ('"manager"', "'manager'"), where="c.country = 'US'"),
    Case("-python", ('"python"', "'python'"), negate=True),
    Case("-engineer", ('"engineer"', "'engineer'"), negate=True),
]


# --- the parent -------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=1_000_000)
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--rounds", type=int, default=5, help="Times each query is timed.")
    parser.add_argument("--postgres-url", default=POSTGRES_URL, help="An admin connection.")
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="Measure the SQLite installation in this folder (made by an earlier run with "
        "--keep) instead of generating one.",
    )
    parser.add_argument(
        "--database-url",
        help="Measure the PostgreSQL database at this URL (made by an earlier run with --keep) "
        "instead of generating one.",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="Keep the installations: the SQLite folder, and the PostgreSQL database as "
        f"{KEPT_DATABASE}.",
    )
    parser.add_argument("--measure", metavar="JSON", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure, rounds=args.rounds)
        return
    if args.data_dir or args.database_url:
        remeasure(args)
        return
    databases = ("sqlite", "postgres") if args.database == "both" else (args.database,)
    report: dict[str, Any] = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": _git_commit(),
        "candidates": args.candidates,
        "queries": len(QUERIES),
        "rounds": args.rounds,
        "load_average": os.getloadavg(),
        "databases": {},
    }
    failed = False
    for database in databases:
        print(f"\n== {database}: {args.candidates:,} demo candidates", flush=True)
        with scratch(database, args.postgres_url) as env:
            result = bench_one(env, database, args)
            if args.keep and database == "sqlite":
                kept = Path(env["RAPPORT_DATA_DIR"]).with_name("rapport-search-bench")
                shutil.rmtree(kept, ignore_errors=True)
                shutil.copytree(env["RAPPORT_DATA_DIR"], kept)
                print(f"kept the installation in {kept} (use --data-dir)")
            if args.keep and database == "postgres":
                print(f"kept the database as {keep_postgres(env, args.postgres_url)}")
        report["databases"][database] = result
        failed |= not result["ok"]
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"search-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nResults written to {path.relative_to(RESULTS.parent.parent)}")
    sys.exit(1 if failed else 0)


def remeasure(args: argparse.Namespace) -> None:
    """Measure a kept installation again (after `rapport migrate`, so that
    new indexes are there), without generating it."""
    with tempfile.TemporaryDirectory(prefix="rapport-bench-") as folder:
        env = {**os.environ, "RAPPORT_DATA_DIR": str(folder)}
        env.pop("RAPPORT_DATABASE_URL", None)
        database = "postgres" if args.database_url else "sqlite"
        if args.database_url:
            env["RAPPORT_DATABASE_URL"] = args.database_url
        else:
            env["RAPPORT_DATA_DIR"] = str(args.data_dir.resolve())
        rapport = [sys.executable, "-m", "rapport.cli"]
        subprocess.run([*rapport, "migrate", "-v", "0"], env=env, check=True)
        out = Path(folder) / "measure.json"
        command = [sys.executable, __file__, "--measure", str(out), "--rounds", str(args.rounds)]
        subprocess.run(command, env=env, check=True)
        measured = json.loads(out.read_text())
    print_table(database, measured, verdict(database, measured))


def keep_postgres(env: dict[str, str], admin_url: str) -> str:
    """Copy the scratch database to KEPT_DATABASE (replacing an older one)
    and return the URL that measures it with --database-url."""
    import psycopg
    from psycopg import sql

    scratch_name = urlsplit(env["RAPPORT_DATABASE_URL"]).path.lstrip("/")
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(KEPT_DATABASE))
        )
        connection.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(KEPT_DATABASE), sql.Identifier(scratch_name)
            )
        )
    return urlunsplit(urlsplit(admin_url)._replace(path=f"/{KEPT_DATABASE}"))


def bench_one(env: dict[str, str], database: str, args: argparse.Namespace) -> dict[str, Any]:
    rapport = [sys.executable, "-m", "rapport.cli"]
    subprocess.run([*rapport, "migrate", "-v", "0"], env=env, check=True)
    began = time.perf_counter()
    done = subprocess.run(
        [*rapport, "demo", "--candidates", str(args.candidates), "--seed", "1"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - began
    found = ADDED.search(done.stdout)
    counts = [int(n.replace(",", "")) for n in found.groups()] if found else [args.candidates]
    rows = sum(counts) + counts[0]  # and one search document per candidate
    print(
        f"generated: {counts[0]:,} candidates, {rows:,} rows in {seconds:.1f} s: "
        f"{counts[0] / seconds:,.0f} candidates/s, {rows / seconds:,.0f} rows/s "
        f"(target >= 20,000 rows/s) {'PASS' if rows / seconds >= 20_000 else 'FAIL'}",
        flush=True,
    )
    out = Path(env["RAPPORT_DATA_DIR"]) / "measure.json"
    command = [sys.executable, __file__, "--measure", str(out), "--rounds", str(args.rounds)]
    subprocess.run(command, env=env, check=True)
    measured = json.loads(out.read_text())
    verdicts = verdict(database, measured)
    print_table(database, measured, verdicts)
    return {
        "seconds": round(seconds, 1),
        "candidates_per_s": round(counts[0] / seconds),
        "rows_per_s": round(rows / seconds),
        "summary": measured["summary"],
        "per_query": measured["per_query"],
        "verdicts": verdicts,
        "ok": all(v["pass"] for v in verdicts),
    }


def verdict(database: str, measured: dict[str, Any]) -> list[dict[str, Any]]:
    targets, summary = TARGETS[database], measured["summary"]
    checks = [
        ("first page p95", summary["page"]["app_p95"], targets["page_p95_ms"], "ms"),
        ("count p95", summary["count"]["app_p95"], targets["count_p95_ms"], "ms"),
    ]
    if targets["ratio"] is not None:
        checks.append(("first page app/raw (p50)", summary["page"]["ratio"], targets["ratio"], ""))
        checks.append(("count app/raw (p50)", summary["count"]["ratio"], targets["ratio"], ""))
    return [
        {"what": what, "value": value, "target": target, "unit": unit, "pass": value <= target}
        for what, value, target, unit in checks
    ]


def print_table(database: str, measured: dict[str, Any], verdicts: list[dict[str, Any]]) -> None:
    print(f"\n{database}: {len(QUERIES)} queries, over all of them")
    print(f"{'':12}{'app p50':>10}{'app p95':>10}{'raw p50':>10}{'raw p95':>10}{'app/raw':>9}")
    for part in ("page", "count"):
        s = measured["summary"][part]
        print(
            f"{part:12}{s['app_p50']:>8.1f}ms{s['app_p95']:>8.1f}ms{s['raw_p50']:>8.1f}ms"
            f"{s['raw_p95']:>8.1f}ms{s['ratio']:>9.2f}"
        )
    for v in verdicts:
        mark = "PASS" if v["pass"] else "FAIL"
        print(f"  {v['what']}: {v['value']:.2f}{v['unit']} (target <= {v['target']}) {mark}")
    pages = sorted(measured["per_query"], key=lambda q: -q["page_app_p50"])[:5]
    print("  slowest pages: " + "; ".join(
        f"{q['query']} [{q['sort']}] {q['page_app_p50']:.0f}/{q['page_raw_p50']:.0f} ms"
        for q in pages))  # fmt: skip
    slowest = sorted(measured["per_query"], key=lambda q: -q["count_app_p50"])[:5]
    print("  slowest counts: " + "; ".join(
        f"{q['query']} [{q['sort']}] {q['matches']:,} matches {q['count_app_p50']:.0f}/"
        f"{q['count_raw_p50']:.0f} ms" for q in slowest))  # fmt: skip


# --- the child ----------------------------------------------------------------------------


def measure(out: str, *, rounds: int) -> None:
    import importlib

    importlib.import_module("rapport.wsgi")
    from django.db import connection

    from rapport.accounts.models import Role, User
    from rapport.search.selectors import candidate_search

    user = User.objects.filter(role=Role.RECRUITER, email__endswith="@example.com").first()
    assert user is not None, "the demo team has no recruiter"
    vendor = connection.vendor
    timings: dict[int, dict[str, list[float]]] = {i: {} for i in range(len(QUERIES))}
    answers: dict[int, int] = {}
    for round_ in range(rounds):
        for i, case in enumerate(QUERIES):
            search = candidate_search(user, query=case.query, sort=case.sort, now=NOW)
            page_sql, count_sql, params = raw_sql(case, vendor)
            timed = {
                "page_app": lambda s=search: list(s.rows[:50]),
                "page_raw": lambda q=page_sql, p=params: _fetch(connection, q, p),
                "count_app": lambda s=search: s.rows.count(),
                "count_raw": lambda q=count_sql, p=params: _fetch(connection, q, p),
            }
            # Whichever runs second finds in memory the pages the first read
            # from disk, so the app and the SQL take turns at going first.
            order = (
                list(timed)
                if round_ % 2 == 0
                else ["page_raw", "page_app", "count_raw", "count_app"]
            )
            took = {name: _time(timed[name]) for name in order}
            ids = [c.pk for c in search.rows[:50]]
            raw_ids = [r[0] for r in _fetch(connection, page_sql, params)]
            assert ids == raw_ids, f"{case.query}: the app and the SQL disagree on the page"
            answers[i] = _fetch(connection, count_sql, params)[0][0]
            counted = search.rows.count()
            assert counted == answers[i], (
                f"{case.query}: the app counts {counted}, the SQL {answers[i]}"
            )
            for name, value in took.items():
                timings[i].setdefault(name, []).append(value)
    per_query = [
        {
            "query": case.query,
            "sort": case.sort,
            "matches": answers[i],
            **{
                f"{k.split('_')[0]}_{k.split('_')[1]}_p50": _p(v, 50) for k, v in timings[i].items()
            },
        }
        for i, case in enumerate(QUERIES)
    ]
    summary = {}
    for part in ("page", "count"):
        app = [t for i in timings for t in timings[i][f"{part}_app"]]
        raw = [t for i in timings for t in timings[i][f"{part}_raw"]]
        summary[part] = {
            "app_p50": _p(app, 50),
            "app_p95": _p(app, 95),
            "raw_p50": _p(raw, 50),
            "raw_p95": _p(raw, 95),
            "ratio": round(_p(app, 50) / max(_p(raw, 50), 0.001), 2),
        }
    Path(out).write_text(json.dumps({"summary": summary, "per_query": per_query}))


def raw_sql(case: Case, vendor: str) -> tuple[str, str, list[str]]:
    """The hand-written SQL of a case: (first page, count, parameters)."""
    conditions, params = [], []
    matches = ""  # what counts the matches of the free text alone
    if case.text is not None:
        fts5, tsquery = case.text
        if vendor == "postgresql":
            test = "d.vector @@ to_tsquery('simple'::regconfig, %s)"
            inner = f"SELECT d.candidate_id FROM search_vector d WHERE {test}"
            matches = f"SELECT count(*) FROM search_vector d WHERE {test}"
            # NOT IN cannot become an anti-join on PostgreSQL; NOT EXISTS can.
            negated = (
                f"NOT EXISTS (SELECT 1 FROM search_vector d WHERE d.candidate_id = c.id AND {test})"
            )
        else:
            inner = "SELECT rowid FROM search_fts WHERE search_fts MATCH %s"
            matches = "SELECT count(*) FROM search_fts WHERE search_fts MATCH %s"
            negated = f"c.id NOT IN ({inner})"
        params.append(tsquery if vendor == "postgresql" else fts5)
        conditions.append(negated if case.negate else f"c.id IN ({inner})")
    if case.where:
        where = re.sub(r"\{since:(\d+)\}", lambda m: _moment(int(m[1]), vendor), case.where)
        languages = "c.languages::text" if vendor == "postgresql" else "c.languages"
        conditions.append(where.replace("{languages}", languages))
    where = " AND ".join(conditions) or "TRUE"
    order = case.order
    if vendor == "sqlite":
        where = where.replace("TRUE", "1")
        order = order.replace(" NULLS LAST", "")
        if "last_contacted_at DESC" in case.order:
            order = "c.last_contacted_at IS NULL, " + order
    # The same rows the page shows: the candidate's columns and the owner's
    # that a list shows (people.selectors.OWNER_SHOWN), as the app reads them.
    page = (
        "SELECT c.*, u.id, u.email, u.name FROM people_candidate c "
        f"LEFT JOIN accounts_user u ON u.id = c.owner_id WHERE {where} ORDER BY {order} LIMIT 50"
    )
    count = f"SELECT COUNT(*) FROM people_candidate c WHERE {where}"
    # One set over the whole pool is counted from its own index: every
    # document is one candidate's, and related rows name existing candidates.
    related = re.fullmatch(r"c\.id IN \(SELECT (.+)\)", case.where)
    if matches and not case.where:
        count = (
            f"SELECT (SELECT COUNT(*) FROM people_candidate) - ({matches})"
            if case.negate
            else matches
        )
    elif related and case.text is None:
        count = f"SELECT COUNT(*) FROM (SELECT DISTINCT {related[1]}) m"
    return page, count, params


def _moment(days: int, vendor: str) -> str:
    moment = NOW - dt.timedelta(days=days)
    if vendor == "sqlite":  # how Django stores a datetime in SQLite: UTC, no zone
        return f"'{moment.strftime('%Y-%m-%d %H:%M:%S')}'"
    return f"'{moment.isoformat()}'"


def _fetch(connection: Any, sql: str, params: list[str]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or None)  # no parameters: a % is a % (LIKE)
        return list(cursor.fetchall())


def _time(action: Callable[[], Any]) -> float:
    began = time.perf_counter()
    action()
    return (time.perf_counter() - began) * 1000


def _p(values: list[float], percent: int) -> float:
    if len(values) == 1:
        return round(values[0], 2)
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return round(cuts[min(98, percent - 1)], 2)


if __name__ == "__main__":
    main()
