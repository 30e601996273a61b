"""`rapport worker`: runs tasks, survives a killed worker, stops cleanly.

The slow tests start real worker processes against the test database (see
conftest.py for how SQLite's test database is made visible to them)."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import DatabaseError, connection
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from rapport.core import worker as worker_module
from rapport.core.models import WorkerLease
from rapport.core.tasks import ping
from rapport.core.worker import (
    Heartbeat,
    LeasedWorker,
    lease_register,
    lease_renew,
    orphan_requeue,
    orphans_find,
    orphans_requeue,
)
from tests.workers import LEASE_SECONDS, WorkerProcess, start_worker, wait_until

__all__ = ["start_worker"]  # a fixture, used by name


def task_row(task_id: str) -> DBTaskResult:
    return DBTaskResult.objects.get(id=task_id)


def mark_running(task_id: str, *worker_ids: str) -> None:
    DBTaskResult.objects.filter(id=task_id).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now(), worker_ids=list(worker_ids)
    )


def lease(worker_id: str, *, seconds: float) -> WorkerLease:
    expires_at = timezone.now() + timedelta(seconds=seconds)
    return WorkerLease.objects.create(worker_id=worker_id, expires_at=expires_at)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_runs_an_enqueued_task(start_worker: Callable[..., WorkerProcess]) -> None:
    result = ping.enqueue(marker="hello")

    worker = start_worker("--batch")

    assert worker.wait(timeout=30) == 0, worker.output()
    row = task_row(result.id)
    assert (row.status, row.return_value) == (TaskResultStatus.SUCCESSFUL, "hello"), worker.output()
    assert len(row.worker_ids) == 1
    assert not WorkerLease.objects.exists(), f"the worker left its lease behind:\n{worker.output()}"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_task_left_running_by_a_killed_worker_is_finished_by_the_next(
    start_worker: Callable[..., WorkerProcess],
) -> None:
    # Long enough that worker A is killed well before the task ends.
    result = ping.enqueue(seconds=4, marker="survived")
    worker_a = start_worker()
    wait_until(
        lambda: task_row(result.id).status == TaskResultStatus.RUNNING,
        timeout=15,
        failure=lambda: f"worker A never started the task. Its log:\n{worker_a.output()}",
    )
    a_id = task_row(result.id).worker_ids[-1]
    assert WorkerLease.objects.filter(worker_id=a_id).exists()

    worker_a.process.kill()
    worker_a.wait(timeout=10)
    assert task_row(result.id).status == TaskResultStatus.RUNNING
    worker_b = start_worker()

    wait_until(
        lambda: task_row(result.id).status == TaskResultStatus.SUCCESSFUL,
        timeout=LEASE_SECONDS + 15,
        failure=lambda: (
            f"worker B did not finish the task (status {task_row(result.id).status}). "
            f"Its log:\n{worker_b.output()}"
        ),
    )
    row = task_row(result.id)
    assert row.return_value == "survived"
    assert len(row.worker_ids) == 2
    assert row.worker_ids[0] == a_id
    assert row.worker_ids[1] != a_id
    assert f"Requeued task {result.id}" in worker_b.output()
    assert not WorkerLease.objects.filter(worker_id=a_id).exists(), "A's expired lease was kept"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_sigterm_stops_the_worker_cleanly(start_worker: Callable[..., WorkerProcess]) -> None:
    worker = start_worker()
    wait_until(
        WorkerLease.objects.exists,
        timeout=15,
        failure=lambda: f"the worker never took a lease. Its log:\n{worker.output()}",
    )

    worker.signal(signal.SIGTERM)

    assert worker.wait(timeout=30) == 0, worker.output()
    assert not WorkerLease.objects.exists(), f"the worker left its lease behind:\n{worker.output()}"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_sigterm_lets_the_running_task_finish(start_worker: Callable[..., WorkerProcess]) -> None:
    result = ping.enqueue(seconds=1, marker="finished")
    worker = start_worker()
    wait_until(
        lambda: task_row(result.id).status == TaskResultStatus.RUNNING,
        timeout=15,
        failure=lambda: f"the worker never started the task. Its log:\n{worker.output()}",
    )

    worker.signal(signal.SIGTERM)

    assert worker.wait(timeout=10) == 0, worker.output()
    row = task_row(result.id)
    assert (row.status, row.return_value) == (TaskResultStatus.SUCCESSFUL, "finished")
    assert not WorkerLease.objects.exists(), f"the worker left its lease behind:\n{worker.output()}"


@pytest.mark.django_db
def test_a_live_workers_task_is_not_taken_over() -> None:
    result = ping.enqueue()
    mark_running(result.id, "worker-a")
    lease("worker-a", seconds=30)

    assert orphans_requeue() == []

    row = task_row(result.id)
    assert row.status == TaskResultStatus.RUNNING
    assert row.started_at is not None
    assert WorkerLease.objects.filter(worker_id="worker-a").exists()


@pytest.mark.django_db
def test_a_task_of_a_worker_without_a_live_lease_goes_back_to_the_queue() -> None:
    expired, unknown = ping.enqueue(), ping.enqueue()
    mark_running(expired.id, "worker-a", "worker-b")
    lease("worker-b", seconds=-1)
    mark_running(unknown.id, "worker-c")

    requeued = orphans_requeue()

    assert {str(o.task_id) for o in requeued} == {expired.id, unknown.id}
    for task_id in (expired.id, unknown.id):
        row = task_row(task_id)
        assert (row.status, row.started_at) == (TaskResultStatus.READY, None)
    assert task_row(expired.id).worker_ids == ["worker-a", "worker-b"], "history was lost"
    assert not WorkerLease.objects.exists(), "the expired lease was kept"


@pytest.mark.django_db
def test_a_task_two_workers_take_over_at_once_is_requeued_once() -> None:
    result = ping.enqueue()
    mark_running(result.id, "worker-a")
    [seen_by_b] = orphans_find()
    [seen_by_c] = orphans_find()

    assert orphan_requeue(seen_by_b) is True
    # Between C's look and C's update, the task is claimed again by worker D.
    lease("worker-d", seconds=30)
    task_row(result.id).claim("worker-d")

    assert orphan_requeue(seen_by_c) is False
    row = task_row(result.id)
    assert row.status == TaskResultStatus.RUNNING
    assert row.worker_ids == ["worker-a", "worker-d"]


@pytest.mark.django_db
def test_a_worker_whose_lease_was_removed_takes_a_new_one() -> None:
    lease("worker-a", seconds=-1)
    orphans_requeue()  # another worker clears the expired lease

    lease_renew(worker_id="worker-a", lease_seconds=30)

    renewed = WorkerLease.objects.get(worker_id="worker-a")
    assert renewed.expires_at > timezone.now() + timedelta(seconds=25)
    assert renewed.pid == os.getpid()


def _running(worker_id: str) -> tuple[LeasedWorker, Heartbeat]:
    """A worker as it stands once started, in this process: its lease
    taken, its heartbeat not yet beating."""
    worker = LeasedWorker(
        queue_names=["*"], excluded_queue_names=[], interval=0.1, batch=True,
        max_tasks=None, backend_name="default", startup_delay=False,
        worker_id=worker_id, lease_seconds=3,
    )  # fmt: skip
    lease_register(worker_id=worker_id, lease_seconds=3)
    return worker, Heartbeat(worker_id=worker_id, lease_seconds=3)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_renewal_under_way_when_the_worker_stops_does_not_bring_the_lease_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A beat slower than the worker's wait for it (a loaded machine) was still
    # renewing when the worker deleted its lease; finding no row, the renewal
    # took a new lease, which outlived the worker.
    worker, heartbeat = _running("worker-a")
    renew = worker_module.lease_renew
    stopping: list[threading.Thread] = []

    def slow_renew(**kwargs: object) -> None:
        # The worker stops while this renewal is under way.
        stopping.append(threading.Thread(target=worker.stop, args=(heartbeat,)))
        stopping[0].start()
        time.sleep(0.5)
        renew(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(worker_module, "lease_renew", slow_renew)

    heartbeat.beat()
    stopping[0].join(timeout=10)

    assert not stopping[0].is_alive(), "the worker never finished stopping"
    assert not WorkerLease.objects.exists(), "the stopped worker's lease came back"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_signal_inside_a_statement_does_not_keep_the_lease() -> None:
    # SIGTERM during the BEGIN that claims a task: SQLite had granted it,
    # then the handler raised SystemExit, and the connection stayed in a
    # transaction Django knew nothing of; releasing the lease then failed.
    worker, heartbeat = _running("worker-a")
    connection.ensure_connection()
    connection.connection.execute("BEGIN")  # behind Django's back, as the signal left it

    worker.stop(heartbeat)

    assert not WorkerLease.objects.exists(), "the stopped worker kept its lease"


def _stopped_mid_statement(self: Worker) -> None:
    # What SIGTERM did during the COMMIT of a claim on PostgreSQL: the
    # handler marked the worker stopped and raised SystemExit, and Django,
    # unwinding the transaction, then failed with a database error.
    self.running = False
    raise DatabaseError("can't change 'autocommit' now: connection in transaction status")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_database_error_while_stopping_is_still_a_clean_stop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(Worker, "run", _stopped_mid_statement)
    worker, _ = _running("worker-a")
    worker.loops = False

    worker.run()  # returns: `rapport worker` exits 0

    assert not WorkerLease.objects.exists(), "the stopped worker kept its lease"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_database_error_while_running_is_not_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    def fails(self: Worker) -> None:
        raise DatabaseError("the database went away")

    monkeypatch.setattr(Worker, "run", fails)
    worker, _ = _running("worker-a")
    worker.loops = False

    with pytest.raises(DatabaseError, match="went away"):
        worker.run()
    assert not WorkerLease.objects.exists(), "the lease outlived the worker"
