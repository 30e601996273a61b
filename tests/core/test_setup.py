"""Settings, migrations and the commands behind `make run`."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command


def rapport(
    *args: str, env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rapport.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("RAPPORT_DEBUG", "maybe", "RAPPORT_DEBUG must be true or false"),
        (
            "RAPPORT_DATABASE_URL",
            "mysql://localhost/x",
            "RAPPORT_DATABASE_URL must be sqlite:// or postgres://",
        ),
        (
            "RAPPORT_EMAIL_URL",
            "mail.example.com",
            "RAPPORT_EMAIL_URL must be a URL starting with smtp://",
        ),
        (
            "RAPPORT_WORKER_LEASE_SECONDS",
            "soon",
            "RAPPORT_WORKER_LEASE_SECONDS must be a whole number",
        ),
        ("RAPPORT_SECRET_KEY_FILE", "/nonexistent/key", "RAPPORT_SECRET_KEY_FILE cannot be read"),
        ("PORT", "eighty", "PORT must be a port number (1 to 65535), not 'eighty'"),
    ],
)
def test_a_bad_setting_stops_start_up_naming_the_variable(
    tmp_path: Path, variable: str, value: str, says: str
) -> None:
    result = rapport("check", env={"RAPPORT_DATA_DIR": str(tmp_path), variable: value})
    assert result.returncode == 2
    assert says in result.stderr
    assert "Traceback" not in result.stderr


def test_no_model_change_lacks_a_migration(db: None) -> None:
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit:
        pytest.fail(f"Models changed without a migration:\n{out.getvalue()}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_setup_then_serve_runs_the_web_and_the_worker_until_told_to_stop(tmp_path: Path) -> None:
    port = free_port()
    env = {"RAPPORT_DATA_DIR": str(tmp_path), "RAPPORT_DATABASE_URL": "", "PORT": str(port)}
    first = rapport("setup", "--demo-candidates", "30", env=env)
    assert first.returncode == 0, first.stderr
    assert "password:" in first.stdout
    assert f"Sign in at http://localhost:{port}/" in first.stdout
    second = rapport("setup", "--demo-candidates", "30", env=env)
    assert "password:" not in second.stdout
    assert "already" in second.stdout.lower() or "skipping" in second.stdout.lower()

    server = subprocess.Popen(
        [sys.executable, "-m", "rapport.cli", "serve", "--port", str(port), "--web-workers", "1"],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        page = ""
        while time.monotonic() < deadline:
            try:
                url = f"http://127.0.0.1:{port}/login/"
                with urllib.request.urlopen(url, timeout=2) as response:
                    page = response.read().decode()
                    break
            except OSError:
                time.sleep(0.3)
        assert "Sign in" in page
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
        assert server.returncode == 0, output
        assert "Rapport stopped." in output
    finally:
        if server.poll() is None:
            server.kill()
