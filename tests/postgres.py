"""Run a command (the test suite) against PostgreSQL.

Uses RAPPORT_TEST_DATABASE_URL, or the local server when one answers. When
none answers, this is a loud skip on a laptop and a failure under CI."""

from __future__ import annotations

import os
import subprocess
import sys

import psycopg

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/rapport"


def main(argv: list[str]) -> int:
    command = argv[argv.index("--") + 1 :] if "--" in argv else argv
    url = os.environ.get("RAPPORT_TEST_DATABASE_URL", DEFAULT_URL)
    in_ci = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
    server = url.rsplit("/", 1)[0] + "/postgres"
    try:
        psycopg.connect(server, connect_timeout=3).close()
    except psycopg.Error as exc:
        message = f"PostgreSQL does not answer at {server}: {exc}".strip()
        if in_ci:
            print(f"FAIL: CI requires PostgreSQL. {message}", file=sys.stderr)
            return 1
        print(
            f"\n*** SKIPPED the PostgreSQL run: {message}\n*** Set RAPPORT_TEST_DATABASE_URL to run it.\n",
            file=sys.stderr,
        )
        return 0
    print(f"\n=== The test suite on PostgreSQL ({url.split('@')[-1]}) ===\n", flush=True)
    env = {**os.environ, "RAPPORT_DATABASE_URL": url}
    return subprocess.call(command, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
