"""One sending thread by itself: the CPU a message costs it and the database.

    .venv/bin/python bench/sending_thread.py [--messages 20000] [--candidates 30000]
                                             [--database postgres|sqlite] [--rounds 2]
                                             [--connections 4] [--older-src PATH]

A scratch database, `rapport migrate`, `rapport demo`, and a campaign queued
to every candidate (bench/outreach.py's children); on PostgreSQL it is then
analysed, as autovacuum would after a campaign is queued. Before each run
the database is copied (PostgreSQL: a database made from it as a template;
SQLite: the file), so every run starts from the same outbox. A run is a
process of its own that sends through --connections SMTP connections (the
worker's default, all driven by the one thread) to one aiosmtpd sink,
calling `delivery.deliver_once` until that many messages are sent, and
reports the CPU time of its own process and, on PostgreSQL, of its server
process (read from /proc), per message sent.

With --older-src (the `src` folder of an older checkout), that code builds
the database, each copy is migrated forward by the code that runs on it, and
the two run alternately, round after round: on a machine whose speed moves
from minute to minute, only the figures of one round compare. (Checkouts
before decision 0024 passed `deliver_once` one connection, not a list.)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from outreach import Sinks, _child
from pages import POSTGRES_URL, scratch

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--candidates", type=int, default=30_000)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="postgres")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--older-src", type=Path)
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--run", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        print(json.dumps(run(args.messages, port=int(args.run), connections=args.connections)))
        return
    versions = {"this checkout": str(HERE.parent / "src")}
    if args.older_src:
        versions = {"older": str(args.older_src.resolve()), **versions}
    builder = next(iter(versions.values()))
    with scratch(args.database, args.postgres_url) as env:
        base = {**env, "PYTHONPATH": builder}
        _rapport(base, "migrate", "-v", "0")
        _rapport(base, "demo", "--candidates", str(args.candidates), "--seed", "1")
        _child(base, "open-policy")
        print(f"queued {_child(base, 'queue')['messages']:,} messages", flush=True)
        if args.database == "postgres":
            _postgres(args.postgres_url, "ANALYZE", database=_name(env))
        for round_ in range(1, args.rounds + 1):
            for label, src in versions.items():
                result = _one_run(env, args, src=src)
                print(f"round {round_}, {label}: {result['sent']:,} sent; CPU a message: "
                      f"thread's process {result['client_us']} us, database server "
                      f"{result['server_us']} us", flush=True)  # fmt: skip


def _one_run(env: dict[str, str], args: argparse.Namespace, *, src: str) -> dict[str, Any]:
    """A copy of the scratch database, migrated by `src`, sent from by it."""
    copy = dict(env, PYTHONPATH=src)
    if args.database == "postgres":
        name = f"{_name(env)}_run"
        _postgres(args.postgres_url, f"DROP DATABASE IF EXISTS {name}")
        _postgres(args.postgres_url, f"CREATE DATABASE {name} TEMPLATE {_name(env)}")
        copy["RAPPORT_DATABASE_URL"] = env["RAPPORT_DATABASE_URL"].rsplit("/", 1)[0] + "/" + name
    else:
        folder = Path(env["RAPPORT_DATA_DIR"]) / "run"
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(env["RAPPORT_DATA_DIR"], folder, ignore=shutil.ignore_patterns("run"))
        copy["RAPPORT_DATA_DIR"] = str(folder)
    try:
        _rapport(copy, "migrate", "-v", "0")
        sinks = Sinks(1)
        try:
            command = [sys.executable, __file__, "--run", str(sinks.port),
                       "--messages", str(args.messages),
                       "--connections", str(args.connections)]  # fmt: skip
            out = subprocess.run(command, env=copy, check=True, capture_output=True, text=True)
        finally:
            sinks.stop()
    finally:
        if args.database == "postgres":
            _postgres(args.postgres_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def run(messages: int, *, port: int, connections: int) -> dict[str, Any]:
    """The child: one thread's sending loop until `messages` are sent."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.settings")
    import django

    django.setup()
    from django.db import connection

    from rapport.outreach import delivery
    from rapport.outreach.smtp import SmtpTransport

    via = [SmtpTransport(f"smtp://127.0.0.1:{port}") for _ in range(connections)]
    connection.ensure_connection()
    server = _server_cpu_s(connection)
    began = (time.process_time(), server)
    sent = 0
    try:
        while sent < messages:
            outcome = delivery.deliver_once(owner="bench/0", via=via)
            if not outcome.handled:
                break
            sent += outcome.sent
    finally:
        for transport in via:
            transport.close()
    client_s = time.process_time() - began[0]
    server_s = _server_cpu_s(connection) - began[1]
    per = (lambda s: round(s / sent * 1e6)) if sent else (lambda s: 0)
    return {"sent": sent, "client_us": per(client_s), "server_us": per(server_s)}


def _server_cpu_s(connection: Any) -> float:
    if connection.vendor != "postgresql":
        return 0.0
    pid = connection.connection.info.backend_pid
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rapport(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "rapport.cli", *args], env=env, check=True)


def _name(env: dict[str, str]) -> str:
    return env["RAPPORT_DATABASE_URL"].rsplit("/", 1)[1]


def _postgres(admin_url: str, statement: str, *, database: str | None = None) -> None:
    import psycopg

    url = admin_url if database is None else admin_url.rsplit("/", 1)[0] + "/" + database
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(statement.encode())


if __name__ == "__main__":
    main()
