"""Rediscovery reads only part of the pool, round by round (a floor on the
skills, then rings below it, more rows when a round runs out): whatever
path it takes, its top must be the top of the formula over everyone.

The reference scores every candidate the user may see with the same
functions, from one statement that reads them all. Rounds are made tiny so
that a pool of a few hundred takes the paths a million does."""

from __future__ import annotations

import random
from collections.abc import Mapping

import pytest
from django.db import connection

from rapport.accounts.models import User
from rapport.jobs import rediscovery
from rapport.jobs.models import Job
from rapport.jobs.rediscovery import Weights
from rapport.people.models import Candidate

pytestmark = pytest.mark.django_db


def _everyone(
    plan: rediscovery.Plan,
    weights: Weights,
    scope: rediscovery.Scope,
    limit: int,
    similar: Mapping[int, float] | None = None,
) -> list[tuple[int, float]]:
    """The top by scoring everyone, with each one's semantic similarity when given."""
    similar = similar or {}
    k = rediscovery.Coefficients.of(plan, weights)
    sql, params = rediscovery.features_sql(plan, k, scope, skill_floor=None)
    rows = rediscovery._fetch_features(sql, params)
    tokens = [t for term in plan.terms for t in term.tokens]
    words = rediscovery.documents([f.id for f in rows], private=scope.private, tokens=tokens)
    scored = []
    for f in rows:
        share, _ = rediscovery.text_share(plan.terms, words.get(f.id, set()))
        closeness = max(0.0, similar.get(f.id, 0.0))
        score = rediscovery.final_score(rediscovery.base_score(k, f), k, share, closeness)
        scored.append((f.id, score))
    return sorted(scored, key=lambda s: (-s[1], s[0]))[:limit]


# Skills weigh most and a few are lifted by their history or silver medal:
# the first round reads those with every required skill, the next only the
# ring of lifted candidates below them.
RINGS = Weights(
    required=10.0, nice=2.0, text=0.0, title=0.0, location=0.5, seniority=0.5,
    history=6.0, silver=3.0, engagement=0.5,
)  # fmt: skip
WEIGHTS = [
    Weights(),
    Weights(history=10.0, silver=10.0),  # the few lifted far above their skills
    Weights(required=10.0, nice=0.0, text=0.0),  # skills decide nearly alone
    Weights(required=1.0, nice=1.0, title=10.0, location=5.0),  # skills hardly count
    RINGS,
]


def _random_weights(rng: random.Random) -> Weights:
    """Weights from 0 to 10, often 0, with skills counting for something."""

    def weight() -> float:
        return 0.0 if rng.random() < 0.2 else round(rng.uniform(0.1, 10.0), 1)

    return Weights(
        required=round(rng.uniform(0.5, 10.0), 1), nice=weight(), text=weight(),
        title=weight(), location=weight(), seniority=weight(), history=weight(),
        silver=weight(), engagement=weight(),
    )  # fmt: skip


@pytest.mark.parametrize("limit", [1, 5, 20])
def test_the_top_is_the_top_of_everyone_whatever_rounds_it_takes(
    owner: User,
    job: Job,
    crowd: list[Candidate],
    limit: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The database's rounds, not the pool in memory (tested below).
    monkeypatch.setattr(rediscovery, "_from_memory", lambda *args: None)
    # A handful of rows per round and per batch: many rounds, rings and
    # larger reads, as at a million with the real sizes.
    monkeypatch.setattr(rediscovery, "ROWS_PER_ROUND", 4)
    monkeypatch.setattr(rediscovery, "ROWS_PER_LIMIT", 2)
    monkeypatch.setattr(rediscovery, "BATCH", 3)
    monkeypatch.setattr(rediscovery, "_bars", {})
    plan = rediscovery.plan_for(job)
    scope = rediscovery.scope_for(owner, job, hide_in_pipeline=False)
    rng = random.Random(limit)
    rings = 0
    for weights in [*WEIGHTS, *(_random_weights(rng) for _ in range(25))]:
        expected = _everyone(plan, weights, scope, limit)
        assert len(expected) == limit
        cold, cold_search = rediscovery.rank(plan, weights, scope, limit=limit)
        # The second time starts from the bar the first one reached.
        warm, warm_search = rediscovery.rank(plan, weights, scope, limit=limit)
        for found, search in ((cold, cold_search), (warm, warm_search)):
            assert search.exact, weights
            assert [(s.features.id, s.score) for s in found] == expected, (weights, search)
        rings += cold_search.rings
        if weights == RINGS:
            assert cold_search.rings > 0, f"no round read a ring: {cold_search}"
            assert cold_search.scored < len(crowd), f"it read everyone: {cold_search}"
    assert rings >= 3, "too few rings were read for the test to mean much"


@pytest.mark.parametrize("limit", [1, 5, 20])
def test_the_pool_in_memory_gives_the_top_of_everyone(
    owner: User, job: Job, crowd: list[Candidate], limit: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL everyone's database part comes from the pool in memory:
    the same features, the same sums, so the same top. The crowd was written
    in this test's transaction, after the pool's snapshot: every one of them
    is read from the tables beside it, as changed since."""
    if connection.vendor != "postgresql":
        pytest.skip("The pool is kept in memory on PostgreSQL only.")
    monkeypatch.setattr(rediscovery, "ROWS_PER_LIMIT", 2)
    monkeypatch.setattr(rediscovery, "BATCH", 3)
    plan = rediscovery.plan_for(job)
    scope = rediscovery.scope_for(owner, job, hide_in_pipeline=False)
    rng = random.Random(limit)
    for weights in [*WEIGHTS, *(_random_weights(rng) for _ in range(25))]:
        expected = _everyone(plan, weights, scope, limit)
        found, search = rediscovery.rank(plan, weights, scope, limit=limit)
        assert search.path == "everyone, from the pool in memory"
        assert search.exact, weights
        assert [(s.features.id, s.score) for s in found] == expected, (weights, search)
