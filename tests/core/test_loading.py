"""Instances read from the database are built without `__init__`, and are the
same instances `__init__` would have built."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import models
from django.db.models.signals import post_init

from rapport.accounts.models import User
from rapport.people.models import Candidate
from rapport.people.selectors import OWNER_SHOWN, candidate_list

pytestmark = pytest.mark.django_db


def _as_django_builds(model: type[models.Model], read: models.Model) -> models.Model:
    """The instance Django's own from_db builds from the same values."""
    names = [f.attname for f in model._meta.concrete_fields]
    values = [read.__dict__[name] for name in names]
    return models.Model.from_db.__func__(model, read._state.db, names, values)  # type: ignore[attr-defined]


def _columns(instance: models.Model) -> dict[str, Any]:
    return {k: v for k, v in instance.__dict__.items() if k != "_state"}


def test_a_candidate_and_its_owner_read_are_what_init_would_build(
    make_candidate: Callable[..., Candidate], owner: User
) -> None:
    made = make_candidate(first_name="Ana", languages=["pt", "en"])
    read = Candidate.objects.select_related("owner").get(pk=made.pk)
    for model, instance in ((Candidate, read), (User, read.owner)):
        built = _as_django_builds(model, instance)
        assert _columns(instance) == _columns(built)
        assert (instance._state.adding, instance._state.db) == (False, "default")
    assert read.languages == ["en", "pt"] and read.custom_fields == {}
    assert read.owner == owner and read.owner_id == owner.pk


def test_a_column_left_unread_is_read_when_first_used(
    make_candidate: Callable[..., Candidate], django_assert_num_queries: Any
) -> None:
    made = make_candidate(first_name="Ana", headline="Data engineer")
    read = Candidate.objects.only("first_name").get(pk=made.pk)
    assert "headline" not in read.__dict__
    with django_assert_num_queries(1):
        assert read.headline == "Data engineer"


@pytest.fixture
def heard() -> Iterator[list[Candidate]]:
    instances: list[Candidate] = []

    def receiver(sender: type[Candidate], instance: Candidate, **kwargs: Any) -> None:
        instances.append(instance)

    post_init.connect(receiver, sender=Candidate)
    yield instances
    post_init.disconnect(receiver, sender=Candidate)


def test_a_receiver_of_post_init_still_hears_every_instance_read(
    make_candidate: Callable[..., Candidate], heard: list[Candidate]
) -> None:
    made = make_candidate(first_name="Ana")
    heard.clear()
    read = Candidate.objects.get(pk=made.pk)
    assert heard == [read]


def test_a_list_reads_only_what_it_shows_of_each_owner(
    make_candidate: Callable[..., Candidate], owner: User, django_assert_num_queries: Any
) -> None:
    for n in range(3):
        make_candidate(first_name=f"Ana{n}")
    with django_assert_num_queries(1):
        rows = list(candidate_list(owner))
        assert {(c.owner.display_name, c.owner.email, c.owner.pk) for c in rows} == {
            ("Rita Recruiter", owner.email, owner.pk)
        }
    assert set(_columns(rows[0].owner)) == {"id", "name", "email"} == set(OWNER_SHOWN)
