"""The collection check refuses every test that empties the database when
it ends without restoring it, however it asks for a transactional database:
the marker's keyword, the marker's first argument, or a fixture
(`transactional_db`, or `live_server`, which asks for it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

import pytest

from tests.conftest import pytest_collection_modifyitems


@dataclass
class FakeItem:
    nodeid: str
    marker: Any = None
    fixturenames: list[str] = field(default_factory=list)

    def get_closest_marker(self, name: str) -> Any:
        return self.marker if name == "django_db" else None


def _check(item: FakeItem) -> None:
    pytest_collection_modifyitems(cast(list[pytest.Item], [item]))


@pytest.mark.parametrize(
    "item",
    [
        FakeItem("marker-keyword", pytest.mark.django_db(transaction=True).mark),
        FakeItem("marker-argument", pytest.mark.django_db(True).mark),
        FakeItem("fixture", None, ["transactional_db"]),
        FakeItem("live-server", pytest.mark.django_db.mark, ["live_server", "db"]),
    ],
    ids=lambda item: item.nodeid,
)
def test_a_test_that_flushes_without_restoring_is_refused(item: FakeItem) -> None:
    with pytest.raises(pytest.UsageError, match="serialized_rollback"):
        _check(item)


@pytest.mark.parametrize(
    "item",
    [
        FakeItem("plain", pytest.mark.django_db.mark),
        FakeItem(
            "restoring", pytest.mark.django_db(transaction=True, serialized_rollback=True).mark
        ),
        FakeItem("restoring-fixture", None, ["transactional_db", "django_db_serialized_rollback"]),
        FakeItem(
            "restoring-live-server",
            pytest.mark.django_db(transaction=True, serialized_rollback=True).mark,
            ["live_server", "transactional_db"],
        ),
        FakeItem("no-database"),
    ],
    ids=lambda item: item.nodeid,
)
def test_a_test_that_restores_or_keeps_the_database_is_accepted(item: FakeItem) -> None:
    _check(item)
