"""`rapport worker`: run queued background tasks, safely across crashes.

Start as many as you like, on as many machines as share the database. Each
holds a lease (a row in the WorkerLease table, renewed every third of
RAPPORT_WORKER_LEASE_SECONDS); when a worker dies without releasing it, the
others put its running task back in the queue once the lease has lapsed.
See rapport.core.worker for the details and what that asks of tasks.
"""

from __future__ import annotations

import logging
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.crypto import get_random_string
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS
from django_tasks_db.compat import TASKS_LOGGER
from django_tasks_db.management.commands.db_worker import (
    valid_backend_name,
    valid_interval,
    valid_max_tasks,
)

from rapport.core.worker import LeasedWorker

LOG_LEVELS = {0: logging.CRITICAL, 1: logging.INFO}


class Command(BaseCommand):
    help = (
        "Run queued background tasks until stopped. Each worker holds a lease that it "
        "renews every third of RAPPORT_WORKER_LEASE_SECONDS (default 30); if a worker "
        "is killed, the others put its running task back in the queue once its lease "
        "has lapsed, and it runs again from the start. SIGTERM or Ctrl+C finishes the "
        "current task, releases the lease and exits; a second one stops at once."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--queue",
            default="*",
            help="Queues to take tasks from, separated by commas (default: all queues).",
        )
        parser.add_argument(
            "--interval",
            type=valid_interval,
            default=1.0,
            help="Seconds to wait before looking again when the queue is empty (default: 1).",
        )
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Run every task that is ready, then exit.",
        )
        parser.add_argument(
            "--max-tasks",
            type=valid_max_tasks,
            default=None,
            help="Exit after running this many tasks (default: no limit).",
        )
        parser.add_argument(
            "--backend",
            type=valid_backend_name,
            default=DEFAULT_TASK_BACKEND_ALIAS,
            help="The task backend in settings.TASKS to work for (default: %(default)s).",
        )
        parser.add_argument(
            "--no-startup-delay",
            action="store_false",
            dest="startup_delay",
            help="Start at once, without the short random delay that keeps many "
            "workers restarted together from querying in step.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        level = LOG_LEVELS.get(options["verbosity"], logging.DEBUG)
        for name in ("rapport.core.worker", "django_tasks_db", TASKS_LOGGER):
            logging.getLogger(name).setLevel(level)
        worker = LeasedWorker(
            queue_names=[q.strip() for q in options["queue"].split(",") if q.strip()] or ["*"],
            excluded_queue_names=[],
            interval=options["interval"],
            batch=options["batch"],
            max_tasks=options["max_tasks"],
            backend_name=options["backend"],
            startup_delay=options["startup_delay"],
            worker_id=get_random_string(32),
            lease_seconds=settings.WORKER_LEASE_SECONDS,
        )
        worker.configure_signals()
        worker.run()
