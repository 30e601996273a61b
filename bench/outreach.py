"""How fast outreach personalises, queues and delivers, against raw smtplib.

    .venv/bin/python bench/outreach.py [--messages 100000] [--database sqlite|postgres|both]
                                       [--memory-recipients 1000000 | --memory-recipients 0]

For each database: a scratch one, `rapport migrate`, `rapport demo
--candidates N` (people with skills, notes and history), all of them put in
one pool. Then, each in a process of its own:

1. **Queue**: a campaign to the pool is written, one personalised message per
   candidate (the template uses first name with a fallback, skills, the last
   conversation, the sender), timed: messages per second (target >= 5,000).
2. **Deliver**: K aiosmtpd sink processes on one port (SO_REUSEPORT, so the
   sink is not what limits either side), then W `rapport worker` processes
   (two on PostgreSQL, one on SQLite) with C SMTP connections each, until
   every message has gone. Sustained rate: messages over the time between the
   first and the last send (target >= 1,000/s). The sending policy is set to
   an always-open window and no contact limit for the run, so that every
   message is due at once (set before the queueing, which already places
   each message in its window), and the periodic tasks (the daily
   engagement refresh of every candidate) are held off for the run.
3. **Baseline**, in the same run, to the same sink: raw smtplib sending the
   same messages' bytes, pre-rendered, over the same number of connections
   (W processes of C threads). Target: deliver >= 0.5 x baseline. The
   sinks' CPU time per message is printed for both, and the raw clients'
   own, so that the workers' and the database's figures can be read
   against them.
4. **Memory** (SQLite, unless --memory-recipients 0): a campaign to a pool of
   that many candidates is queued; the peak RSS of the queueing process and
   of a worker sending the first minute of it (target <= 500 MB each: the
   work is streamed, so it stays flat).

Results are printed and written as JSON to bench/results/ (git-ignored).
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import platform
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from pages import POSTGRES_URL, RESULTS, _git_commit, scratch

TARGETS = {"queue_per_s": 5000.0, "deliver_per_s": 1000.0, "ratio": 0.5, "rss_mb": 500.0}
TEMPLATE_SUBJECT = (
    "{{ candidate.first_name or 'Hello' }}, a {{ candidate.top_skill or 'new' }} role"
)
TEMPLATE_BODY = """Hi {{ candidate.first_name or "there" }},

{% if last_conversation %}
Last time we spoke ({{ last_conversation.date|date }}): {{ last_conversation.summary }}
{% endif %}

Your experience with **{{ candidate.skills|join(", ") }}** caught our eye: we are
growing the team in {{ candidate.city or "your area" }}. [See the roles](https://example.com/jobs)

Best,
{{ sender.name }}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--connections", type=int, default=4, help="SMTP connections per worker")
    parser.add_argument(
        "--processes", type=int, default=1,
        help="sending processes per worker (RAPPORT_SENDING_PROCESSES); the connections are shared out",
    )  # fmt: skip
    parser.add_argument("--sinks", type=int, default=3, help="aiosmtpd sink processes")
    parser.add_argument("--baseline-messages", type=int, default=20_000)
    parser.add_argument("--memory-recipients", type=int, default=1_000_000)
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--ids", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    databases = ("sqlite", "postgres") if args.database == "both" else (args.database,)
    report: dict[str, Any] = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": _git_commit(),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "load_average": os.getloadavg(),
        "messages": args.messages,
        "sending_processes": args.processes,
        "targets": TARGETS,
        "databases": {},
    }
    failed = False
    for database in databases:
        workers = 2 if database == "postgres" else 1
        print(
            f"\n== {database}: {args.messages:,} messages, {workers} worker(s) x {args.connections} connections"
            f" in {args.processes} sending process(es)",
            flush=True,
        )
        with scratch(database, args.postgres_url) as env:
            result = bench_one(env, args, workers=workers)
        report["databases"][database] = result
        failed |= not result["ok"]
    if args.memory_recipients:
        print(
            f"\n== memory: a campaign to {args.memory_recipients:,} candidates (sqlite)", flush=True
        )
        with scratch("sqlite", args.postgres_url) as env:
            report["memory"] = bench_memory(env, args)
        failed |= not report["memory"]["ok"]
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"outreach-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nResults written to {path.relative_to(Path(__file__).resolve().parent.parent)}")
    sys.exit(1 if failed else 0)


# --- the parent


def _run(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "rapport.cli", *args], env=env, check=True)


def _child(env: dict[str, str], name: str, **extra: Any) -> dict[str, Any]:
    out = Path(env["RAPPORT_DATA_DIR"]) / f"{name}.json"
    command = [sys.executable, __file__, "--child", name, "--out", str(out)]
    for key, value in extra.items():
        command += [f"--{key.replace('_', '-')}", str(value)]
    subprocess.run(command, env=env, check=True)
    return dict(json.loads(out.read_text()))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Sinks:
    """K aiosmtpd processes sharing one port."""

    def __init__(self, count: int) -> None:
        self.port = _free_port()
        code = (
            "import asyncio, sys\n"
            "from aiosmtpd.smtp import SMTP\n"
            "class H:\n"
            "    async def handle_DATA(self, server, session, envelope):\n"
            "        return '250 OK'\n"
            "async def main():\n"
            "    loop = asyncio.get_running_loop()\n"
            "    server = await loop.create_server(lambda: SMTP(H()), '127.0.0.1', int(sys.argv[1]), reuse_port=True)\n"
            "    await server.serve_forever()\n"
            "asyncio.run(main())\n"
        )
        self.processes = [
            subprocess.Popen(
                [sys.executable, "-c", code, str(self.port)], stderr=subprocess.DEVNULL
            )
            for _ in range(count)
        ]
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the SMTP sink did not start")

    def cpu_s(self) -> float:
        """The CPU time the sinks have used so far."""
        return sum(_cpu_s(p.pid) for p in self.processes)

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
            process.wait(timeout=10)


def bench_one(env: dict[str, str], args: argparse.Namespace, *, workers: int) -> dict[str, Any]:
    _run(env, "migrate", "-v", "0")
    _run(env, "demo", "--candidates", str(args.messages), "--seed", "1")
    _child(env, "open-policy")
    checkpoints = [_checkpoints(env)]
    queued = _child(env, "queue")
    checkpoints.append(_checkpoints(env))
    print(f"queue: {queued['messages']:,} messages in {queued['seconds']:.1f} s = {queued['per_s']:,.0f}/s "
          f"(target >= {TARGETS['queue_per_s']:,.0f}) {_verdict(queued['per_s'] >= TARGETS['queue_per_s'])}", flush=True)  # fmt: skip
    sinks = Sinks(args.sinks)
    try:
        delivered = deliver(env, args, workers=workers, sinks=sinks)
        checkpoints.append(_checkpoints(env))
        baseline = _baseline(env, args, workers=workers, sinks=sinks)
    finally:
        sinks.stop()
    made = [c for c in checkpoints if c is not None]
    if len(made) == len(checkpoints):
        counts = [b - a for a, b in itertools.pairwise(made)]
        queued["checkpoints"], delivered["checkpoints"] = counts
        print(f"checkpoints (PostgreSQL, the whole server): {counts[0]} while queueing, {counts[1]} "
              "while delivering; each makes the next write of every page log it whole", flush=True)  # fmt: skip
    ratio = delivered["per_s"] / baseline["per_s"]
    print(f"deliver: {delivered['sent']:,} messages, sustained {delivered['per_s']:,.0f}/s "
          f"(target >= {TARGETS['deliver_per_s']:,.0f}) {_verdict(delivered['per_s'] >= TARGETS['deliver_per_s'])}; "
          f"worker peak RSS {delivered['worker_rss_mb']:.0f} MB", flush=True)  # fmt: skip
    print(f"baseline (raw smtplib, pre-rendered, {workers * args.connections} connections): "
          f"{baseline['per_s']:,.0f}/s; deliver/baseline = {ratio:.2f} (target >= {TARGETS['ratio']}) "
          f"{_verdict(ratio >= TARGETS['ratio'])}", flush=True)  # fmt: skip
    ok = (
        queued["per_s"] >= TARGETS["queue_per_s"]
        and delivered["per_s"] >= TARGETS["deliver_per_s"]
        and ratio >= TARGETS["ratio"]
    )
    return {
        "queue": queued,
        "deliver": delivered,
        "baseline": baseline,
        "ratio": round(ratio, 3),
        "ok": ok,
    }


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def deliver(
    env: dict[str, str], args: argparse.Namespace, *, workers: int, sinks: Sinks
) -> dict[str, Any]:
    _child(env, "open-policy")
    worker_env = {
        **env,
        "RAPPORT_EMAIL_URL": f"smtp://127.0.0.1:{sinks.port}",
        "RAPPORT_SMTP_CONNECTIONS": str(args.connections),
        "RAPPORT_SENDING_PROCESSES": str(args.processes),
    }
    started = time.perf_counter()
    sink_cpu = sinks.cpu_s()
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "rapport.cli", "worker", "--no-startup-delay", "-v", "0"],
            env=worker_env,
        )
        for _ in range(workers)
    ]
    peaks = [0.0] * workers
    cpu: dict[str, float] = {}
    try:
        while True:
            time.sleep(1)
            for i, process in enumerate(processes):  # a worker and its sending processes
                peaks[i] = max(peaks[i], _tree_rss_mb(process.pid))
            if _pending(env) == 0:
                break
            if time.perf_counter() - started > 3600:
                raise RuntimeError("delivery took over an hour")
        # Read while the workers and their database sessions are still there.
        cpu["worker"] = sum(_tree_cpu_s(p.pid) for p in processes)
        cpu["database"] = _database_cpu_s(env)
        cpu["sinks"] = sinks.cpu_s() - sink_cpu
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=120)
    result = _child(env, "sent")
    result["worker_rss_mb"] = max(peaks)
    if result["sent"]:
        result["cpu_us_per_message"] = {k: round(v / result["sent"] * 1e6) for k, v in cpu.items()}
        print("CPU time per message sent: " + ", ".join(
            f"{k} {v} us" for k, v in result["cpu_us_per_message"].items()), flush=True)  # fmt: skip
    if writes := _outbox_writes(env):
        result["outbox_writes"] = writes
        print(f"outbox (PostgreSQL): {writes['updates']:,} row updates, {writes['hot_updates']:,} "
              f"of them HOT (no index touched), {writes['indexes']} indexes", flush=True)  # fmt: skip
    return result


def _outbox_writes(env: dict[str, str]) -> dict[str, int] | None:
    """On PostgreSQL, the outbox's row updates during the run, how many were
    HOT (written beside the old version without touching an index), and how
    many indexes every other update had to change. The workers have exited,
    so their statistics are flushed."""
    row = _postgres_row(
        env,
        "SELECT n_tup_upd, n_tup_hot_upd, (SELECT count(*) FROM pg_index "
        "WHERE indrelid = 'outreach_message'::regclass) "
        "FROM pg_stat_user_tables WHERE relname = 'outreach_message'",
    )
    if row is None:
        return None
    return {"updates": int(row[0]), "hot_updates": int(row[1]), "indexes": int(row[2])}


def _checkpoints(env: dict[str, str]) -> int | None:
    """On PostgreSQL, the checkpoints the server has made so far, timed and
    requested: figures from runs with and without one in the middle differ
    more than most changes do."""
    row = _postgres_row(env, "SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter")
    return int(row[0]) if row else None


def _postgres_row(env: dict[str, str], statement: str) -> tuple[Any, ...] | None:
    """One row of a statement on the benchmark's PostgreSQL database (None on SQLite)."""
    url = env.get("RAPPORT_DATABASE_URL", "")
    if not url.startswith("postgres"):
        return None
    import psycopg

    with psycopg.connect(url) as connection:
        return connection.execute(statement).fetchone()


def _pending(env: dict[str, str]) -> int:
    """Whether messages are still to go (1 or 0), read straight from the
    database (starting a Django process every second would take CPU from
    the workers), through the outbox's partial indexes: a count of the
    pending rows read every page of the table each second (10-20 ms of the
    database's time at 20,000 messages, growing with the table), time taken
    from the workers being measured. Nothing is paused in the run."""
    query = (
        "SELECT (SELECT count(*) FROM (SELECT 1 FROM outreach_message WHERE status = 'queued' "
        "ORDER BY due_at LIMIT 1) AS q) + (SELECT count(*) FROM (SELECT 1 FROM outreach_message "
        "WHERE status = 'sending' ORDER BY lease_expires_at LIMIT 1) AS s)"
    )
    url = env.get("RAPPORT_DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        with psycopg.connect(url) as connection:
            row = connection.execute(query).fetchone()
    else:
        import sqlite3

        with sqlite3.connect(
            Path(env["RAPPORT_DATA_DIR"]) / "rapport.sqlite3", timeout=30
        ) as connection:
            row = connection.execute(query).fetchone()
    return int(row[0]) if row else 0


def _rss_mb(pid: int) -> float:
    """The peak resident set of a running process (VmHWM), in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _cpu_s(pid: int) -> float:
    """The CPU time (user and system) a running process has used, in seconds."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _tree_cpu_s(pid: int) -> float:
    """A worker's CPU time and its sending processes'."""
    total = _cpu_s(pid)
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            total += sum(_cpu_s(int(c)) for c in (task / "children").read_text().split())
    except OSError:
        pass
    return total


def _database_cpu_s(env: dict[str, str]) -> float:
    """On PostgreSQL on this machine, the CPU time of the server processes
    serving the scratch database (the workers' sessions); 0 on SQLite."""
    url = env.get("RAPPORT_DATABASE_URL", "")
    if not url.startswith("postgres"):
        return 0.0
    name = url.rsplit("/", 1)[1]
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if title.startswith("postgres: ") and f" {name} " in title:
            total += _cpu_s(int(entry.name))
    return total


def _tree_rss_mb(pid: int) -> float:
    """A process's peak resident set plus its children's (sending processes)."""
    total = _rss_mb(pid)
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                total += _rss_mb(int(child))
    except OSError:
        pass
    return total


def _baseline(
    env: dict[str, str], args: argparse.Namespace, *, workers: int, sinks: Sinks
) -> dict[str, Any]:
    """W processes of C threads, each thread with one smtplib connection;
    with the CPU time per message of those processes and of the sinks, the
    budget the worker's own figures are read against."""
    ids_file = Path(env["RAPPORT_DATA_DIR"]) / "baseline-envelopes.json"
    _child(env, "baseline-ids", ids=str(ids_file), messages=args.baseline_messages)
    ids = json.loads(ids_file.read_text())
    parts = [ids[i::workers] for i in range(workers)]
    files = []
    for n, part in enumerate(parts):
        path = Path(env["RAPPORT_DATA_DIR"]) / f"baseline-{n}.json"
        path.write_text(json.dumps(part))
        files.append(path)
    commands = [
        [sys.executable, __file__, "--child", "raw", "--out", str(f) + ".out", "--ids", str(f),
         "--port", str(sinks.port), "--connections", str(args.connections)]
        for f in files
    ]  # fmt: skip
    sink_cpu = sinks.cpu_s()
    processes = [subprocess.Popen(c, env=env) for c in commands]
    for process in processes:
        if process.wait() != 0:
            raise RuntimeError("a baseline process failed")
    results = [json.loads(Path(str(f) + ".out").read_text()) for f in files]
    began = min(r["began"] for r in results)
    ended = max(r["ended"] for r in results)
    sent = sum(r["sent"] for r in results)
    cpu = {"smtplib": sum(r["cpu_s"] for r in results), "sinks": sinks.cpu_s() - sink_cpu}
    per_message = {k: round(v / sent * 1e6) for k, v in cpu.items()}
    print("baseline CPU time per message: " + ", ".join(
        f"{k} {v} us" for k, v in per_message.items()), flush=True)  # fmt: skip
    return {
        "sent": sent,
        "seconds": round(ended - began, 2),
        "per_s": sent / (ended - began),
        "cpu_us_per_message": per_message,
    }


def bench_memory(env: dict[str, str], args: argparse.Namespace) -> dict[str, Any]:
    _run(env, "migrate", "-v", "0")
    _run(env, "demo", "--candidates", str(args.memory_recipients), "--seed", "2")
    _child(env, "open-policy")
    queued = _child(env, "queue")
    print(f"queue: {queued['messages']:,} messages in {queued['seconds']:.0f} s = {queued['per_s']:,.0f}/s; "
          f"peak RSS {queued['rss_mb']:.0f} MB (target <= {TARGETS['rss_mb']:.0f}) "
          f"{_verdict(queued['rss_mb'] <= TARGETS['rss_mb'])}", flush=True)  # fmt: skip
    sinks = Sinks(args.sinks)
    worker_env = {
        **env,
        "RAPPORT_EMAIL_URL": f"smtp://127.0.0.1:{sinks.port}",
        "RAPPORT_SMTP_CONNECTIONS": str(args.connections),
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "rapport.cli", "worker", "--no-startup-delay", "-v", "0"],
        env=worker_env,
    )
    samples = []
    try:
        for _ in range(60):
            time.sleep(1)
            samples.append(_rss_mb(worker.pid))
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=120)
        sinks.stop()
    sent = _child(env, "sent")
    peak = max(samples)
    print(f"worker: sent {sent['sent']:,} in its first minute; RSS {samples[4]:.0f} MB after 5 s, "
          f"{samples[-1]:.0f} MB after 60 s, peak {peak:.0f} MB (target <= {TARGETS['rss_mb']:.0f}) "
          f"{_verdict(peak <= TARGETS['rss_mb'])}", flush=True)  # fmt: skip
    ok = queued["rss_mb"] <= TARGETS["rss_mb"] and peak <= TARGETS["rss_mb"]
    return {
        "recipients": args.memory_recipients,
        "queue": queued,
        "worker_rss_mb": samples,
        "worker_sent": sent["sent"],
        "ok": ok,
    }


# --- the children (Django set up)


def child(args: argparse.Namespace) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.settings")
    if args.child == "raw":
        result = raw(args)
    else:
        import django

        django.setup()
        result = {
            "queue": child_queue,
            "open-policy": child_open_policy,
            "sent": child_sent,
            "baseline-ids": child_baseline_ids,
        }[args.child](args)
    Path(args.out).write_text(json.dumps(result))


def child_queue(args: argparse.Namespace) -> dict[str, Any]:
    from rapport.accounts.models import Role, User
    from rapport.outreach import services
    from rapport.people.models import Candidate, Pool, PoolMembership

    sender = User.objects.filter(role=Role.RECRUITER, is_active=True).order_by("id").first()
    assert sender is not None
    pool = Pool.objects.create(name=f"Everyone {time.time():.0f}", owner=sender)
    ids = Candidate.objects.order_by("id").values_list("id", flat=True).iterator(chunk_size=10_000)
    batch: list[PoolMembership] = []
    for candidate_id in ids:
        batch.append(PoolMembership(pool=pool, candidate_id=candidate_id))
        if len(batch) == 10_000:
            PoolMembership.objects.bulk_create(batch)
            batch = []
    PoolMembership.objects.bulk_create(batch)
    template = services.template_create(
        actor=sender, name=f"Bench {pool.pk}", subject=TEMPLATE_SUBJECT, body=TEMPLATE_BODY
    )
    campaign = services.campaign_create(actor=sender, name="Bench", template=template, pool=pool)
    services.campaign_launch(
        actor=sender, campaign=campaign
    )  # the task is not run: it is timed here
    campaign.refresh_from_db()
    began = time.perf_counter()
    written = services.campaign_queue_messages(campaign)
    seconds = time.perf_counter() - began
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "messages": written,
        "seconds": round(seconds, 2),
        "per_s": written / seconds,
        "rss_mb": rss,
    }


def child_open_policy(args: argparse.Namespace) -> dict[str, Any]:
    from django.utils import timezone

    from rapport.core import schedule
    from rapport.core.models import PeriodicRun
    from rapport.outreach.policy import organisation_policy

    # The periodic tasks (the daily engagement refresh of every candidate
    # among them) would otherwise start with the worker and share its time.
    for name in schedule.REGISTRY:
        PeriodicRun.objects.update_or_create(
            name=name, defaults={"last_enqueued_at": timezone.now()}
        )
    policy = organisation_policy()
    policy.window = {"days": [0, 1, 2, 3, 4, 5, 6], "start": "00:00", "end": "23:59:59"}
    policy.cap_messages = 0
    policy.save()
    return {}


def child_sent(args: argparse.Namespace) -> dict[str, Any]:
    from django.db.models import Count, Max, Min

    from rapport.outreach.models import Message, MessageStatus

    sent = Message.objects.filter(status=MessageStatus.SENT).aggregate(
        n=Count("id"), first=Min("sent_at"), last=Max("sent_at")
    )
    statuses = dict(
        Message.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    span = (sent["last"] - sent["first"]).total_seconds() if sent["n"] else 0.0
    return {
        "sent": sent["n"],
        "seconds": round(span, 2),
        "per_s": sent["n"] / span if span else 0.0,
        "statuses": statuses,
    }


def child_baseline_ids(args: argparse.Namespace) -> dict[str, Any]:
    from rapport.outreach import mime
    from rapport.outreach.models import Message, MessageStatus

    rows = Message.objects.filter(status=MessageStatus.SENT).order_by("id")[: args.messages]
    envelopes = [mime.build(m) for m in rows]
    Path(args.ids).write_text(
        json.dumps([[e.sender, e.recipient, e.data.decode("ascii")] for e in envelopes])
    )
    return {"built": len(envelopes)}


def raw(args: argparse.Namespace) -> dict[str, Any]:
    """Pre-rendered bytes through smtplib, one connection per thread."""
    import smtplib

    envelopes = json.loads(Path(args.ids).read_text())
    shares = [envelopes[i :: args.connections] for i in range(args.connections)]

    def send(share: list[list[str]]) -> None:
        connection = smtplib.SMTP("127.0.0.1", args.port)
        for sender, recipient, data in share:
            connection.sendmail(sender, [recipient], data.encode("ascii"))
        connection.quit()

    threads = [threading.Thread(target=send, args=(share,)) for share in shares]
    began, cpu_began = time.time(), time.process_time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ended = time.time()
    return {
        "sent": len(envelopes),
        "began": began,
        "ended": ended,
        "cpu_s": time.process_time() - cpu_began,
    }


if __name__ == "__main__":
    main()
