"""Real `rapport worker` processes on the test database, for the tests that
need one (the worker's own, the outbox's crash test)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

LEASE_SECONDS = 3  # the shortest the settings allow, so takeover is quick


def database_url() -> str:
    """The URL of the test database this test is using, for a subprocess."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(db["NAME"])
        assert not connection.creation.is_in_memory_db(name), (
            "The SQLite test database is in memory, where a worker process cannot see it; "
            "tests/core/conftest.py should have given it a file."
        )
        return f"sqlite:///{Path(name).resolve()}"
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    host = quote(db["HOST"] or "", safe="")
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgresql://{user}{password}@{host}{port}/{quote(db['NAME'], safe='')}"


class WorkerProcess:
    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "rapport.cli", "worker", *args],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait(self, timeout: float) -> int:
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f"The worker did not exit within {timeout} s. Its log:\n{self.output()}")

    def signal(self, signum: int) -> None:
        self.process.send_signal(signum)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def start_worker(tmp_path: Path, transactional_db: Any) -> Iterator[Callable[..., WorkerProcess]]:
    """Start `rapport worker` processes on the test database; every one still
    running is killed before the database is flushed."""
    env = {
        **os.environ,
        "RAPPORT_DATABASE_URL": database_url(),
        "RAPPORT_DATA_DIR": str(tmp_path),
        "RAPPORT_SECRET_KEY": settings.SECRET_KEY,
        "RAPPORT_WORKER_LEASE_SECONDS": str(LEASE_SECONDS),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("RAPPORT_TEST_DATABASE_URL", None)
    started: list[WorkerProcess] = []

    def start(*args: str, environment: dict[str, str] | None = None) -> WorkerProcess:
        """`environment`: more RAPPORT_* variables for this worker."""
        log = tmp_path / f"worker-{len(started) + 1}.log"
        worker = WorkerProcess(
            ["--no-startup-delay", "--interval", "0.1", *args], {**env, **(environment or {})}, log
        )
        started.append(worker)
        return worker

    try:
        yield start
    finally:
        for worker in started:
            worker.stop()


def wait_until(check: Callable[[], bool], *, timeout: float, failure: Callable[[], str]) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"Waited {timeout} s in vain: {failure()}")
        time.sleep(0.05)
