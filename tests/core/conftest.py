"""Core's tests start real `rapport worker` processes, which must see the test
database. On SQLite pytest-django keeps that database in memory unless
DATABASES["default"]["TEST"]["NAME"] names a file, and no other process can
open an in-memory database; so, unless a file is already named (for instance
through RAPPORT_TEST_DATABASE_URL), name a fresh one for this session, in a
private temporary folder so that parallel sessions never share it."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from django.conf import settings


def pytest_configure(config: pytest.Config) -> None:
    # Called when this conftest is imported: after settings are loaded, before
    # any test database exists. The test database is one per session, so this
    # also puts the rest of the session on the file.
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.sqlite3":
        return
    test = db.setdefault("TEST", {})
    if test.get("NAME") and test["NAME"] != ":memory:":
        return
    folder = tempfile.mkdtemp(prefix="rapport-tests-")
    test["NAME"] = str(Path(folder) / "test.sqlite3")
    config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))
