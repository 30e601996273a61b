"""The `rapport` command: Django's management commands, plus Rapport's own
(setup, serve, worker, demo, createuser, token, …), with settings chosen and
configuration errors shown as one clear line instead of a traceback."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.settings")
    from django.core.exceptions import ImproperlyConfigured

    args = ["rapport", *(sys.argv[1:] if argv is None else argv)]
    try:
        import django

        django.setup()
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"rapport: configuration error: {exc}\n")
        raise SystemExit(2) from None
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
