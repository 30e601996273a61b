"""A fresh-eye review of rediscovery's pool in memory (PostgreSQL): what the
pool keeps must give the very ranking scoring everyone in SQL gives, however
many skills a job names, whichever thread asks, and whatever another
transaction was doing when the pool was read."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections

from rapport.accounts.models import User
from rapport.jobs import pool_memory, rediscovery, semantic
from rapport.jobs.models import Application, Job
from rapport.jobs.rediscovery import Weights
from rapport.jobs.services import JobFields, job_create, job_set_status
from rapport.people.models import Candidate, CandidateSkill, Skill
from tests.jobs.test_rediscovery_exact import WEIGHTS, _everyone

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="The pool is kept in memory on PostgreSQL only."
)

MEMORY = "everyone, from the pool in memory"


def _same_as_everyone(owner: User, job: Job, weights: Weights, limit: int = 10) -> None:
    plan = rediscovery.plan_for(job)
    scope = rediscovery.scope_for(owner, job, hide_in_pipeline=False)
    expected = _everyone(plan, weights, scope, limit)
    found, search = rediscovery.rank(plan, weights, scope, limit=limit)
    assert search.path == MEMORY
    assert [(s.features.id, s.score) for s in found] == expected


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_job_naming_more_than_127_skills_counts_every_one_a_candidate_holds(
    owner: User, make_candidate: Callable[..., Candidate]
) -> None:
    names = [f"Skill {n:03}" for n in range(130)]
    everything = make_candidate(current_title="Generalist", skills=names)
    few = make_candidate(current_title="Specialist", skills=names[:3])
    job = job_set_status(
        actor=owner,
        job=job_create(actor=owner, values=JobFields(title="Generalist", required_skills=names)),
        status="open",
    )
    pool_memory.pool_forget()  # read after the commits: both are in the pool itself
    weights = Weights(required=10.0, text=0.0, title=0.0, engagement=0.0)
    _same_as_everyone(owner, job, weights)
    plan = rediscovery.plan_for(job)
    scope = rediscovery.scope_for(owner, job, hide_in_pipeline=False)
    found, _ = rediscovery.rank(plan, weights, scope, limit=2)
    assert [s.features.id for s in found] == [everything.pk, few.pk]
    assert found[0].features.required == 130


class _ClearedByAnotherThread(dict[Any, Any]):
    """A memo another ranking's thread clears (it found more than 256
    entries) right after this one wrote its entry, before it read it back."""

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(key, value)
        self.clear()


@pytest.mark.django_db
def test_a_value_computed_once_is_returned_even_if_another_thread_clears_the_memo(
    job: Job,
) -> None:
    pool_memory.pool_forget()
    found = pool_memory.pool_for_ranking()
    assert found is not None
    pool = replace(found[0], memo=_ClearedByAnotherThread())
    plan = rediscovery.plan_for(job)
    levels = rediscovery._per_value(pool, "levels", rediscovery._seniority_case(plan.seniority))
    assert len(levels) == len(pool.levels)


@pytest.fixture
def elsewhere() -> Iterator[Any]:
    """A connection of another process: a transaction the test controls."""
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    other.ensure_connection()
    raw = other.connection
    raw.autocommit = True
    try:
        yield raw
    finally:
        other.close()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_write_running_when_the_pool_was_read_reaches_the_ranking_once_committed(
    owner: User,
    job: Job,
    make_candidate: Callable[..., Candidate],
    elsewhere: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made = [
        make_candidate(current_title="Nurse", city="Lisbon", country="PT", skills=["Python"])
        for _ in range(6)
    ]
    with elsewhere.cursor() as cursor:
        cursor.execute("BEGIN")
        cursor.execute(
            "UPDATE people_candidate SET current_title = 'Senior Backend Engineer', "
            "seniority = 'senior', engagement_score = 100 WHERE id = %s",
            [made[3].pk],
        )
        # The pool is read while that transaction runs: it cannot see it.
        pool_memory.pool_forget()
        _same_as_everyone(owner, job, Weights())
        pool = pool_memory._pools[pool_memory._database_key()]
        assert pool.changed() == []
        cursor.execute("COMMIT")
    assert pool.changed() == [(made[3].pk, made[3].pk)]
    _same_as_everyone(owner, job, Weights())
    # Read into the pool (advanced), it is still the top.
    monkeypatch.setattr(pool_memory, "ADVANCE_AT", 0)
    _same_as_everyone(owner, job, Weights())
    advanced = pool_memory._pools[pool_memory._database_key()]
    assert advanced is not pool and advanced.changed() == []
    monkeypatch.setattr(pool_memory, "ADVANCE_AT", 2_000)
    _same_as_everyone(owner, job, Weights())


@pytest.fixture
def reads_give_up_on_locks(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pool's own connection gives up on a lock after a while instead
    of waiting for ever, so that a ranking that would hang fails instead."""
    create = connections.create_connection

    def giving_up(alias: str) -> Any:
        made = create(alias)
        options = {**made.settings_dict.get("OPTIONS", {}), "options": "-c lock_timeout=3s"}
        made.settings_dict = {**made.settings_dict, "OPTIONS": options}
        return made

    monkeypatch.setattr(connections, "create_connection", giving_up)


@pytest.mark.django_db
@pytest.mark.parametrize("read_before", [False, True])
def test_a_ranking_in_a_transaction_that_emptied_the_skills_does_not_wait_for_itself(
    owner: User,
    job: Job,
    make_candidate: Callable[..., Candidate],
    reads_give_up_on_locks: None,
    read_before: bool,
) -> None:
    """TRUNCATE locks the table against every other connection until the
    transaction ends: the pool must not be read on its own connection then,
    or the ranking waits for the very transaction it runs in."""
    pool_memory.pool_forget()
    if read_before:
        assert pool_memory.pool_for_ranking() is not None
    make_candidate(current_title="Senior Backend Engineer", skills=["Python", "Django"])
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no foreign key checks pending
        cursor.execute("TRUNCATE people_candidateskill")
    plan = rediscovery.plan_for(job)
    scope = rediscovery.scope_for(owner, job, hide_in_pipeline=False)
    expected = _everyone(plan, Weights(), scope, 5)
    found, _ = rediscovery.rank(plan, Weights(), scope, limit=5)
    assert [(s.features.id, s.score) for s in found] == expected


def _decoded(pool: pool_memory.Pool) -> dict[str, Any]:
    """What a pool says of each candidate, by id, whatever its codes and positions."""
    return {
        "ids": pool.ids.tolist(),
        "title": [pool.titles[c] for c in pool.title.tolist()],
        "place": [pool.places[c] for c in pool.place.tolist()],
        "level": [pool.levels[c] for c in pool.level.tolist()],
        "engagement": pool.engagement.tolist(),
        "holders": {s: pool.ids[at].tolist() for s, at in sorted(pool.holders.items())},
    }


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_advanced_pool_says_what_a_pool_read_whole_says(
    owner: User,
    job: Job,
    make_candidate: Callable[..., Candidate],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made = [
        make_candidate(current_title=f"Engineer {n}", skills=["Python", "Go", "Django"][: n % 4])
        for n in range(8)
    ]
    pool_memory.pool_forget()
    _same_as_everyone(owner, job, Weights())
    pool = pool_memory._pools[pool_memory._database_key()]
    # Below every id the pool holds; gone; every skill gone; skills moved.
    low = Candidate.objects.create(pk=int(pool.ids[0]) - 1, first_name="Low", city="Lisbon")
    CandidateSkill.objects.create(candidate=low, skill=Skill.objects.get(name="Django"))
    made[2].delete()
    CandidateSkill.objects.filter(candidate=made[3]).delete()
    CandidateSkill.objects.filter(candidate=made[7]).update(candidate=made[0])
    Candidate.objects.filter(pk=made[5].pk).update(seniority="lead", engagement_score=7.5)
    monkeypatch.setattr(pool_memory, "ADVANCE_AT", 0)
    _same_as_everyone(owner, job, Weights())
    advanced = pool_memory._pools[pool_memory._database_key()]
    assert advanced is not pool and advanced.changed() == []
    whole = pool_memory._read(None)
    assert _decoded(advanced) == _decoded(whole)
    assert low.pk in advanced.ids and made[2].pk not in advanced.ids


class _Nearest(semantic.Neighbours):
    """The index's answer, without a model: every candidate's similarity is
    known; the index proposes the nearest, and nobody else is nearer than
    the last of them."""

    def similarities(self, ids: Sequence[int]) -> dict[int, float]:
        return {i: self.found[i] for i in ids if i in self.found}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_pool_with_neighbours_and_the_pipeline_hidden_gives_the_top_of_everyone(
    owner: User,
    job: Job,
    crowd: list[Candidate],
) -> None:
    import numpy as np

    rng = random.Random(11)
    in_pipeline = crowd[::5]
    for candidate in in_pipeline:
        Application.objects.create(
            candidate=candidate, job=job, stage=job.stages.first(), source="test"
        )
    similarity = {c.pk: round(rng.uniform(-0.2, 0.9), 3) for c in crowd}
    by_nearness = sorted(similarity, key=lambda i: -similarity[i])
    proposed = by_nearness[:30]  # some of them are in the pipeline: hidden
    assert set(proposed) & {c.pk for c in in_pipeline}
    nearest = _Nearest(
        vector=np.zeros(1), ids=proposed, bound=similarity[proposed[-1]], found=similarity
    )
    pool_memory.pool_forget()
    plan = rediscovery.plan_for(job)
    scope = rediscovery.scope_for(owner, job, hide_in_pipeline=True)
    ties = Weights(text=0.0, title=0.0, engagement=0.0, history=0.0, semantic=0.0)
    for weights in [Weights(), Weights(semantic=10.0, required=1.0), ties, *WEIGHTS]:
        for limit in (1, 7, 40):
            expected = _everyone(plan, weights, scope, limit, similar=nearest.found)
            found, search = rediscovery.rank(plan, weights, scope, limit=limit, neighbours=nearest)
            assert search.path == MEMORY
            assert [(s.features.id, s.score) for s in found] == expected, (weights, limit)
            assert not {s.features.id for s in found} & {c.pk for c in in_pipeline}


def _write_at_random(rng: random.Random, cursor: Any, ids: list[int], skills: list[int]) -> None:
    """One write of a kind the ranking reads, in raw SQL on `cursor`."""
    kind = rng.choice(["title", "place", "level", "score", "add", "remove", "move"])
    who, other = rng.sample(ids, 2)
    if kind == "title":
        title = rng.choice(["Senior Backend Engineer", "Nurse", "Sr Developer", ""])
        cursor.execute("UPDATE people_candidate SET current_title = %s WHERE id = %s", [title, who])
    elif kind == "place":
        place = rng.choice(
            [("Lisbon", "PT", "Europe/Lisbon"), ("Berlin", "DE", "Europe/Berlin"), ("", "", "")]
        )
        cursor.execute(
            "UPDATE people_candidate SET city = %s, country = %s, timezone = %s WHERE id = %s",
            [*place, who],
        )
    elif kind == "level":
        level = rng.choice(["junior", "senior", "lead", ""])
        cursor.execute("UPDATE people_candidate SET seniority = %s WHERE id = %s", [level, who])
    elif kind == "score":
        score = rng.uniform(0, 100)
        cursor.execute(
            "UPDATE people_candidate SET engagement_score = %s WHERE id = %s", [score, who]
        )
    elif kind == "add":
        cursor.execute(
            "INSERT INTO people_candidateskill (candidate_id, skill_id) VALUES (%s, %s) "
            "ON CONFLICT DO NOTHING",
            [who, rng.choice(skills)],
        )
    elif kind == "remove":
        cursor.execute("DELETE FROM people_candidateskill WHERE candidate_id = %s", [who])
    else:  # one's skills to another (a merge), those the other lacks
        cursor.execute(
            "UPDATE people_candidateskill SET candidate_id = %s WHERE candidate_id = %s "
            "AND skill_id NOT IN (SELECT skill_id FROM people_candidateskill "
            "WHERE candidate_id = %s)",
            [other, who, other],
        )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_writes_at_random_committed_or_running_across_pool_reads_keep_the_top_exact(
    owner: User,
    job: Job,
    crowd: list[Candidate],
    elsewhere: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = random.Random(5)
    # Each connection writes its own half: neither waits for the other's locks.
    mine, theirs = [c.pk for c in crowd[::2]], [c.pk for c in crowd[1::2]]
    skills = list(Skill.objects.values_list("pk", flat=True))
    pool_memory.pool_forget()
    running = False
    with elsewhere.cursor() as other:
        for _ in range(60):
            # Sometimes the pool reads what changed at the next ranking.
            monkeypatch.setattr(pool_memory, "ADVANCE_AT", rng.choice([0, 2_000]))
            with connection.cursor() as here:
                _write_at_random(rng, here, mine, skills)
            if not running and rng.random() < 0.5:
                other.execute("BEGIN")
                running = True
            if running:
                _write_at_random(rng, other, theirs, skills)
                if rng.random() < 0.4:
                    other.execute(rng.choice(["COMMIT", "COMMIT", "ROLLBACK"]))
                    running = False
            weights = rng.choice(WEIGHTS)
            _same_as_everyone(owner, job, weights, limit=rng.choice([1, 5, 20]))
        if running:
            other.execute("COMMIT")
    _same_as_everyone(owner, job, Weights())


@pytest.fixture
def replaceable() -> Iterator[Callable[[], None]]:
    """The default connection moved to a database of its own, made from a
    migrated template; calling the fixture replaces that database with a
    fresh one of the same name (as a restore or a re-created test database
    would), under this running process. The test database is back after."""
    import psycopg
    from django.core.management import call_command

    settings = connection.settings_dict
    original = settings["NAME"]
    template, scratch = f"{original}_tmpl", f"{original}_replaced"
    server = psycopg.connect(
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )

    def use(name: str) -> None:
        connection.close()
        settings["NAME"] = name

    def replace_it() -> None:
        use(scratch)
        connection.close()
        server.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
        server.execute(f'CREATE DATABASE "{scratch}" TEMPLATE "{template}"')

    try:
        for name in (scratch, template):
            server.execute(f'DROP DATABASE IF EXISTS "{name}"')
        server.execute(f'CREATE DATABASE "{template}"')
        use(template)
        call_command("migrate", verbosity=0)
        use(original)
        replace_it()
        yield replace_it
    finally:
        use(original)
        pool_memory.pool_forget()
        for name in (scratch, template):
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.close()


def _what_the_pool_scores_exists() -> None:
    """Everyone the pool scores from its arrays (not read again from the
    tables) is in the database, with the title the database has."""
    found = pool_memory.pool_for_ranking()
    assert found is not None
    pool, ranges = found
    kept = ~pool.within(ranges)
    from_pool = dict(
        zip(pool.ids[kept].tolist(), [pool.titles[c] for c in pool.title[kept]], strict=True)
    )
    in_database = dict(Candidate.objects.values_list("pk", "current_title"))
    assert {i: in_database.get(i) for i in from_pool} == from_pool


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_database_replaced_under_the_same_name_is_not_ranked_from_the_old_pool(
    replaceable: Callable[[], None],
) -> None:
    for n in range(5):
        Candidate.objects.create(first_name=f"Old {n}", current_title="Backend Engineer")
    pool_memory.pool_forget()
    _what_the_pool_scores_exists()
    replaceable()
    for n in range(2):
        Candidate.objects.create(first_name=f"New {n}", current_title="Nurse")
    _what_the_pool_scores_exists()
