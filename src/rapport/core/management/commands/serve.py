from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Run the web server (gunicorn) and a worker together in the foreground. "
        "Ctrl-C or SIGTERM stops both; if either exits, the other is stopped too."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("RAPPORT_BIND", "127.0.0.1"))
        parser.add_argument("--web-workers", type=int, default=2)
        parser.add_argument("--no-worker", action="store_true", help="Run the web server only.")

    def handle(
        self, *args: Any, port: int, host: str, web_workers: int, no_worker: bool, **options: Any
    ) -> None:
        env = dict(os.environ)
        env.setdefault("RAPPORT_BASE_URL", f"http://localhost:{port}")
        env["RAPPORT_DATA_DIR"] = str(settings.DATA_DIR)
        web = [
            sys.executable,
            "-m",
            "gunicorn",
            "rapport.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(web_workers),
            "--threads",
            "4",
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "10",
            # Its control socket lives in the home folder, shared by every
            # installation on the host; Rapport does not use it.
            "--no-control-socket",
        ]
        worker = [sys.executable, "-m", "rapport.cli", "worker"]
        children = [subprocess.Popen(web, env=env)]
        if not no_worker:
            children.append(subprocess.Popen(worker, env=env))
        self.stdout.write(
            self.style.SUCCESS(
                f"Rapport is running at {env['RAPPORT_BASE_URL']}/  (Ctrl-C stops it)"
            )
        )
        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        code = 0
        while not stopping:
            if any(c.poll() is not None for c in children):
                code = next(c.returncode for c in children if c.returncode is not None) or 1
                self.stderr.write("A Rapport process stopped; stopping the others.")
                break
            time.sleep(0.5)
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
        self.stdout.write("Rapport stopped.")
        if code:
            raise SystemExit(code)
