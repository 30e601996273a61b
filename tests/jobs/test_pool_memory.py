"""Rediscovery's pool in memory (PostgreSQL): the database logs every write
to what the pool keeps, a ranking reads what changed since the pool's
snapshot from the tables, and the pool reads it in when there is much.
Whatever was written, and however, the top stays the top of everyone."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection

from rapport.accounts.models import User
from rapport.jobs import pool_memory, rediscovery
from rapport.jobs.models import Application, Job, PoolChange
from rapport.jobs.rediscovery import Weights
from rapport.people.models import Candidate, CandidateSkill, Skill
from tests.jobs.test_rediscovery_exact import WEIGHTS, _everyone

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="The pool is kept in memory on PostgreSQL only."
)


def _logged(since: int) -> list[tuple[int | None, int | None]]:
    return list(PoolChange.objects.filter(id__gt=since).order_by("id").values_list("low", "high"))


def _last() -> int:
    return PoolChange.objects.order_by("-id").values_list("id", flat=True).first() or 0


@pytest.mark.django_db
def test_the_database_logs_writes_to_what_the_pool_keeps_and_nothing_else(
    make_candidate: Callable[..., Candidate],
) -> None:
    before = _last()
    made = make_candidate(current_title="Nurse", skills=["Python", "Go"])
    assert (made.pk, made.pk) in _logged(before), "a new candidate and their skills"
    before = _last()
    Candidate.objects.filter(pk=made.pk).update(headline="Changed", last_contacted_at=None)
    assert _logged(before) == [], "the headline is not read by the ranking"
    Candidate.objects.filter(pk=made.pk).update(current_title="Head Nurse")
    Candidate.objects.filter(pk=made.pk).update(engagement_score=42)
    CandidateSkill.objects.filter(candidate=made, skill__name="Go").delete()
    assert _logged(before) == [(made.pk, made.pk)] * 3
    before = _last()
    Candidate.objects.filter(pk=made.pk).delete()
    assert (made.pk, made.pk) in _logged(before)


def _ranks(owner: User, job: Job, limit: int = 20) -> None:
    """Every weight set: the pool's top is the top of everyone, read by the database."""
    plan = rediscovery.plan_for(job)
    scope = rediscovery.scope_for(owner, job, hide_in_pipeline=True)
    for weights in WEIGHTS:
        expected = _everyone(plan, weights, scope, limit)
        found, search = rediscovery.rank(plan, weights, scope, limit=limit)
        assert search.path == "everyone, from the pool in memory"
        assert [(s.features.id, s.score) for s in found] == expected, weights


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_committed_writes_reach_the_ranking_then_the_pool(
    owner: User,
    job: Job,
    crowd: list[Candidate],
    make_candidate: Callable[..., Candidate],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pool_memory.pool_forget()
    _ranks(owner, job)
    pool = pool_memory._pools[pool_memory._database_key()]
    assert pool.size >= len(crowd), "the crowd is committed: the pool read it"
    # Writes of every kind, each committed on its own, after the snapshot.
    first, second, third, fourth = crowd[:4]
    Candidate.objects.filter(pk=first.pk).update(current_title="Senior Backend Engineer")
    Candidate.objects.filter(pk=second.pk).update(engagement_score=100, city="Lisbon", country="PT")
    CandidateSkill.objects.filter(candidate=third).delete()
    for name in ("Python", "Django", "PostgreSQL"):
        CandidateSkill.objects.get_or_create(candidate=fourth, skill=Skill.objects.get(name=name))
    crowd[4].delete()
    make_candidate(current_title="Backend Engineer", city="Lisbon", country="PT",
                   skills=["Python", "Django", "PostgreSQL"], seniority="senior")  # fmt: skip
    Application.objects.create(candidate=crowd[5], job=job, stage=job.stages.first(), source="test")
    _ranks(owner, job)
    assert pool_memory._pools[pool_memory._database_key()] is pool, "few changes: read beside it"
    # Many changes (here: any): the pool reads them in, and is current again.
    monkeypatch.setattr(pool_memory, "ADVANCE_AT", 0)
    _ranks(owner, job)
    advanced = pool_memory._pools[pool_memory._database_key()]
    assert advanced is not pool and advanced.watermark > pool.watermark
    assert advanced.size == pool.size, "one removed, one added"
    assert first.pk in advanced.ids and crowd[4].pk not in advanced.ids
    assert advanced.changed() == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_emptied_table_makes_the_pool_read_everything_again(
    owner: User,
    job: Job,
    crowd: list[Candidate],
) -> None:
    pool_memory.pool_forget()
    _ranks(owner, job)
    pool = pool_memory._pools[pool_memory._database_key()]
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE people_candidateskill")
    assert pool.changed() is None
    _ranks(owner, job)
    again = pool_memory._pools[pool_memory._database_key()]
    assert again is not pool and again.holders == {}


@pytest.mark.django_db
def test_a_user_who_sees_part_of_the_pool_is_ranked_by_the_database(
    manager: User,
    job: Job,
    crowd: list[Candidate],
) -> None:
    plan = rediscovery.plan_for(job)
    scope = rediscovery.scope_for(manager, job, hide_in_pipeline=False)
    assert scope.visible_sql, "a hiring manager sees the candidates of their jobs only"
    _, search = rediscovery.rank(plan, Weights(), scope, limit=5)
    assert search.path != "everyone, from the pool in memory"


def test_pruning_forgets_only_old_changes(db: None) -> None:
    import datetime as dt

    from django.utils import timezone

    PoolChange.objects.create(low=1, high=1, xid=1, at=timezone.now() - dt.timedelta(days=2))
    recent = PoolChange.objects.create(low=2, high=2, xid=2)
    assert pool_memory.pool_changes_prune() >= 1
    assert list(PoolChange.objects.values_list("pk", flat=True)) == [recent.pk]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_pool_is_read_whole_again_when_advancing_would_not_do(
    owner: User,
    job: Job,
    crowd: list[Candidate],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Advanced for a day, or with changes scattered in too many ranges: the
    pool is read whole (its lists of distinct values start afresh)."""
    import dataclasses
    import datetime as dt

    from django.utils import timezone

    pool_memory.pool_forget()
    _ranks(owner, job)
    key = pool_memory._database_key()
    monkeypatch.setattr(pool_memory, "ADVANCE_AT", 0)
    Candidate.objects.filter(pk=crowd[0].pk).update(current_title="Chief Backend Engineer")
    _ranks(owner, job)
    advanced = pool_memory._pools[key]
    assert advanced.read_whole_at < advanced.taken_at, "a few changes: advanced"
    day_old = timezone.now() - dt.timedelta(days=2)
    pool_memory._pools[key] = dataclasses.replace(advanced, read_whole_at=day_old)
    Candidate.objects.filter(pk=crowd[1].pk).update(current_title="Backend Engineer")
    _ranks(owner, job)
    assert pool_memory._pools[key].read_whole_at > day_old
    monkeypatch.setattr(pool_memory, "RANGES_AT_MOST", 1)
    before = pool_memory._pools[key].read_whole_at
    for candidate in (crowd[2], crowd[9]):  # two ranges apart
        Candidate.objects.filter(pk=candidate.pk).update(seniority="lead")
    _ranks(owner, job)
    assert pool_memory._pools[key].read_whole_at > before
