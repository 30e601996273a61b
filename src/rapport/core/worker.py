"""The worker: runs queued tasks, and keeps running them when a worker dies.

Tasks are rows of django-tasks-db's `DBTaskResult` table. `rapport worker`
uses that package's worker loop to claim a READY row, mark it RUNNING with its
worker id appended to `worker_ids`, run the task and record the outcome. What
this module adds is crash safety, through a lease:

- On start a worker writes a `WorkerLease` row (its worker id, host name and
  process id) that expires `settings.WORKER_LEASE_SECONDS` later
  (RAPPORT_WORKER_LEASE_SECONDS, default 30). A daemon heartbeat thread
  renews it every third of that time.
- At start and on every heartbeat, each worker looks for tasks left RUNNING by
  a worker (the last id in `worker_ids`) that has no live lease: killed,
  out of memory, machine lost. Such a task goes back to READY, its
  `started_at` cleared and its `worker_ids` kept as history, and the next free
  worker runs it again from the start. Each takeover is logged. Expired lease
  rows are then deleted.
- The takeover is a conditional update (status still RUNNING, same row, same
  `started_at`), so two workers doing it at once reset a task only once.
- A clean stop (SIGTERM, Ctrl+C, `--batch` or `--max-tasks` done) finishes the
  current task and deletes the worker's lease. A second signal stops at once;
  the task in hand is then recorded as FAILED.

Consequences for whoever writes a task:

- **Tasks must be idempotent.** A task runs at least once, not exactly once:
  a worker killed half-way leaves whatever the task had already done, and the
  task runs again in full. A worker that stalls for longer than its lease
  (a frozen VM, a database locked for the whole lease) can find its task taken
  over while it still runs it, so two copies may even overlap. Write tasks so
  that a second run finds the work done and does nothing (claim rows with a
  conditional update, use unique keys, check before sending).
- Every process that runs tasks must be `rapport worker`. django-tasks-db's
  own `db_worker` holds no lease, so its running tasks would be taken over.

Apps may run loops of their own in every worker process beside the task
loop (outreach sends mail this way): `register_loop(start)` in
AppConfig.ready, where `start(worker_id, stopped)` starts threads that end
when `stopped` is set. The worker sets it when it stops and waits for them.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection, connections
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from rapport.core import schedule
from rapport.core.models import WorkerLease

logger = logging.getLogger(__name__)

LoopStarter = Callable[[str, threading.Event], list[threading.Thread]]
LOOPS: list[LoopStarter] = []


def register_loop(start: LoopStarter) -> None:
    """Run `start(worker_id, stopped)` in every worker (see the module doc)."""
    if start not in LOOPS:
        LOOPS.append(start)


def lease_register(*, worker_id: str, lease_seconds: float) -> WorkerLease:
    """Write (or rewrite) the lease that says `worker_id` is alive."""
    lease, _ = WorkerLease.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": timezone.now(),
            "expires_at": timezone.now() + timedelta(seconds=lease_seconds),
        },
    )
    return lease


def lease_renew(*, worker_id: str, lease_seconds: float) -> None:
    expires_at = timezone.now() + timedelta(seconds=lease_seconds)
    if WorkerLease.objects.filter(worker_id=worker_id).update(expires_at=expires_at):
        return
    # Another worker found the lease expired and removed it: this worker was
    # stalled for longer than the lease, and its task may be running elsewhere.
    logger.warning(
        "Worker %s lost its lease (stalled for over %.0f s); taking a new one. "
        "The task it is running may have been handed to another worker.",
        worker_id,
        lease_seconds,
    )
    lease_register(worker_id=worker_id, lease_seconds=lease_seconds)


def lease_release(*, worker_id: str) -> None:
    WorkerLease.objects.filter(worker_id=worker_id).delete()


@dataclass(frozen=True)
class Orphan:
    """A task left RUNNING by a worker that has no live lease."""

    task_id: uuid.UUID
    task_path: str
    worker_id: str
    started_at: datetime | None


def orphans_find(*, now: datetime | None = None) -> list[Orphan]:
    # Read the running tasks before the leases: a task claimed after the first
    # read is not seen, and one claimed before it belongs to a worker whose
    # lease was already written, so a new worker is never mistaken for a dead one.
    running = list(
        DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).values_list(
            "id", "task_path", "worker_ids", "started_at"
        )
    )
    if not running:
        return []
    now = now or timezone.now()
    live = set(WorkerLease.objects.filter(expires_at__gte=now).values_list("worker_id", flat=True))
    orphans = []
    for task_id, task_path, worker_ids, started_at in running:
        last = worker_ids[-1] if worker_ids else ""
        if last not in live:
            orphans.append(Orphan(task_id, task_path, last, started_at))
    return orphans


def orphan_requeue(orphan: Orphan) -> bool:
    """Put the task back to READY, unless someone else already did (or it
    finished, or it was claimed again) since it was found."""
    updated = DBTaskResult.objects.filter(
        id=orphan.task_id,
        status=TaskResultStatus.RUNNING,
        started_at=orphan.started_at,
    ).update(status=TaskResultStatus.READY, started_at=None)
    if updated:
        logger.warning(
            "Requeued task %s (%s): worker %s left it running and its lease has lapsed.",
            orphan.task_id,
            orphan.task_path,
            orphan.worker_id or "(none)",
        )
    return bool(updated)


def orphans_requeue(*, now: datetime | None = None) -> list[Orphan]:
    """Return the tasks of dead workers to the queue and delete expired leases.
    Returns the tasks this call requeued."""
    now = now or timezone.now()
    requeued = [orphan for orphan in orphans_find(now=now) if orphan_requeue(orphan)]
    WorkerLease.objects.filter(expires_at__lt=now).delete()
    return requeued


class Heartbeat(threading.Thread):
    """Renews the worker's lease and takes over dead workers' tasks, every
    third of the lease, until stopped."""

    def __init__(self, *, worker_id: str, lease_seconds: float) -> None:
        super().__init__(name=f"heartbeat-{worker_id[:8]}", daemon=True)
        self.worker_id = worker_id
        self.lease_seconds = lease_seconds
        self.stopped = threading.Event()
        # Held while the lease is renewed. The worker takes it before it
        # releases the lease, so a renewal still under way when the worker
        # stops cannot write the lease back after it was deleted.
        self.renewing = threading.Lock()

    def run(self) -> None:
        try:
            while not self.stopped.wait(self.lease_seconds / 3):
                self.beat()
        finally:
            # This thread has its own connections; do not leave them open.
            connections.close_all()

    def beat(self) -> None:
        close_old_connections()
        try:
            with self.renewing:
                if self.stopped.is_set():  # never renew a lease the worker has released
                    return
                lease_renew(worker_id=self.worker_id, lease_seconds=self.lease_seconds)
            orphans_requeue()
            schedule.tick()
        except Exception:
            # A missed beat is retried on the next one; the thread must live on,
            # or the lease lapses while the worker still runs its task.
            logger.exception("Heartbeat of worker %s failed; retrying.", self.worker_id)


class LeasedWorker(Worker):
    """django-tasks-db's worker loop, run under a lease (see the module doc)."""

    def __init__(
        self, *, lease_seconds: float | None = None, loops: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.lease_seconds = float(lease_seconds or settings.WORKER_LEASE_SECONDS)
        self.loops = loops
        self.loops_stopped = threading.Event()
        self.loop_threads: list[threading.Thread] = []

    def run(self) -> None:
        heartbeat = Heartbeat(worker_id=self.worker_id, lease_seconds=self.lease_seconds)
        # The loop ends by returning, or by SystemExit raised from the signal
        # handler while idle: either way the lease must go.
        try:
            lease = lease_register(worker_id=self.worker_id, lease_seconds=self.lease_seconds)
            logger.info(
                "Worker %s (host %s, pid %d) holds a %.0f s lease, renewed every %.0f s.",
                lease.worker_id,
                lease.hostname,
                lease.pid,
                self.lease_seconds,
                self.lease_seconds / 3,
            )
            orphans_requeue()
            heartbeat.start()
            if self.loops:
                for start in LOOPS:
                    self.loop_threads += start(self.worker_id, self.loops_stopped)
            super().run()
        except DatabaseError:
            if self.running:
                raise
            # Asked to stop: the signal struck inside a statement (the
            # handler raises SystemExit, say during the COMMIT that claims a
            # task), and unwinding the transaction then failed. That is
            # still the stop that was asked for.
            logger.warning(
                "Worker %s was stopped in the middle of a statement; stopping cleanly.",
                self.worker_id,
                exc_info=True,
            )
        finally:
            self.stop(heartbeat)

    def stop(self, heartbeat: Heartbeat) -> None:
        self.loops_stopped.set()
        for thread in self.loop_threads:
            thread.join(timeout=self.lease_seconds)
        heartbeat.stopped.set()
        if heartbeat.is_alive():
            heartbeat.join(timeout=self.lease_seconds)
        if not connection.in_atomic_block:
            # The signal may have struck inside a statement (the handler
            # raises SystemExit), say just after SQLite granted a BEGIN:
            # the connection is then in a transaction Django does not know
            # of, and every later one fails. A fresh connection rolls it back.
            connection.close()
        try:
            # A beat slower than the join above may still be renewing: wait
            # for it (a while, not forever), and every later one sees
            # `stopped` and leaves the lease alone.
            waited = heartbeat.renewing.acquire(timeout=self.lease_seconds)
            try:
                lease_release(worker_id=self.worker_id)
            finally:
                if waited:
                    heartbeat.renewing.release()
            # A signal between claiming a task and starting it leaves it
            # RUNNING under this worker: hand it straight back.
            orphans_requeue()
        except Exception:
            logger.exception(
                "Worker %s stopped but could not release its lease; it expires in %.0f s.",
                self.worker_id,
                self.lease_seconds,
            )
        else:
            logger.info("Worker %s stopped and released its lease.", self.worker_id)
