"""The fixed cast every test shares, and the peers some tests need.

The cast: `owner` (a recruiter who owns the candidates made here), `teammate`
(another recruiter, who may see the owner's things), `sourcer`, `manager` (a
hiring manager the candidate is shared with), `outsider` (a hiring manager
nobody shared anything with) and `admin`."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from pytest_django.plugin import validate_django_db

from rapport.accounts.models import Role, User
from rapport.accounts.services import token_create, user_create
from rapport.outreach import delivery
from rapport.people.models import Candidate
from rapport.people.services import CandidateFields, SkillInput, candidate_create, candidate_share

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PASSWORD = "correct horse battery staple"


def need_peer(available: bool, reason: str) -> None:
    """Skip loudly on a laptop; fail under CI, where every peer must be present."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"CI requires it: {reason}")
    pytest.skip(f"MISSING PEER, test not run: {reason}")


def chromium_path() -> str | None:
    return shutil.which("chromium") or (
        "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None
    )


@pytest.fixture(autouse=True)
def _fresh_claim_floor() -> None:
    """Each test's outbox starts anew: a floor a worker of an earlier test
    claimed up to would only send this test's messages out of due order."""
    delivery.forget_floor()


def _user(email: str, role: str, name: str) -> User:
    return user_create(email=email, role=role, name=name, password=PASSWORD)


@pytest.fixture
def admin(db: Any) -> User:
    return _user("ada@example.com", Role.ADMIN, "Ada Admin")


@pytest.fixture
def owner(db: Any) -> User:
    return _user("rita@example.com", Role.RECRUITER, "Rita Recruiter")


@pytest.fixture
def teammate(db: Any) -> User:
    return _user("tom@example.com", Role.RECRUITER, "Tom Teammate")


@pytest.fixture
def sourcer(db: Any) -> User:
    return _user("sam@example.com", Role.SOURCER, "Sam Sourcer")


@pytest.fixture
def manager(db: Any) -> User:
    return _user("hana@example.com", Role.HIRING_MANAGER, "Hana Manager")


@pytest.fixture
def outsider(db: Any) -> User:
    return _user("otto@example.com", Role.HIRING_MANAGER, "Otto Outsider")


@pytest.fixture
def make_candidate(owner: User) -> Callable[..., Candidate]:
    counter = iter(range(1, 10_000))

    def make(**overrides: Any) -> Candidate:
        n = next(counter)
        emails = overrides.pop("emails", [f"person{n}@example.org"])
        phones = overrides.pop("phones", [])
        skills = overrides.pop("skills", ["Python"])
        tags = overrides.pop("tags", [])
        actor = overrides.pop("actor", owner)
        fields = {"first_name": f"Person{n}", "last_name": "Example", **overrides}
        return candidate_create(
            actor=actor,
            data=CandidateFields(**fields),
            emails=emails,
            phones=phones,
            skills=[SkillInput(name=s) for s in skills],
            tags=tags,
        )

    return make


@pytest.fixture
def candidate(make_candidate: Callable[..., Candidate], owner: User, manager: User) -> Candidate:
    """Maria, owned by `owner` and shared with `manager`."""
    maria = make_candidate(
        first_name="Maria",
        last_name="Souza",
        current_title="Senior Backend Engineer",
        current_company="Bluefin Analytics",
        city="São Paulo",
        country="BR",
        timezone="America/Sao_Paulo",
        emails=["maria.souza@example.org"],
        phones=["+55 11 91234-5678"],
        skills=["Python", "Django", "PostgreSQL"],
    )
    candidate_share(actor=owner, candidate=maria, user=manager)
    return maria


@pytest.fixture
def cast(
    admin: User, owner: User, teammate: User, sourcer: User, manager: User, outsider: User
) -> dict[str, User]:
    return {
        "admin": admin,
        "owner": owner,
        "teammate": teammate,
        "sourcer": sourcer,
        "manager": manager,
        "outsider": outsider,
    }


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


@pytest.fixture
def token_for() -> Callable[[User], str]:
    def make(user: User) -> str:
        return token_create(user=user, name="tests")[1]

    return make


# Tests start real `rapport worker` processes, which must see the test
# database. On SQLite pytest-django keeps that database in memory unless
# DATABASES["default"]["TEST"]["NAME"] names a file, and no other process can
# open an in-memory database; so, unless a file is already named (for instance
# through RAPPORT_TEST_DATABASE_URL), name a fresh one for this session, in a
# private temporary folder so that parallel sessions never share it.
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


# A transactional test empties every table when it ends. Without
# serialized_rollback it also empties what migrations wrote (content types,
# default rows), and every later transactional test then fails to restore
# them, far from the cause: refuse such a test when the suite is collected.
# A test is transactional as pytest-django decides it: by the marker, given
# by keyword or by position, or by a fixture (`live_server` asks for one).
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _flushes(item) and not _restores(item):
            raise pytest.UsageError(
                f"{item.nodeid}: a transactional test (django_db(transaction=True), "
                "transactional_db or live_server) must also set serialized_rollback=True, "
                "or the database rows migrations wrote are lost for the tests after it."
            )


def _flushes(item: pytest.Item) -> bool:
    fixtures = getattr(item, "fixturenames", ())
    if any(name in fixtures for name in ("transactional_db", "live_server")):
        return True
    marker = item.get_closest_marker("django_db")
    if marker is None:
        return False
    transaction, reset_sequences, *_ = validate_django_db(marker)
    return bool(transaction or reset_sequences)


def _restores(item: pytest.Item) -> bool:
    if "django_db_serialized_rollback" in getattr(item, "fixturenames", ()):
        return True
    marker = item.get_closest_marker("django_db")
    return marker is not None and bool(validate_django_db(marker)[3])
