"""The optional semantic signal: the IVF index on synthetic vectors (needs
numpy), embeddings with the real model (needs the `semantic` extra), and
rediscovery without the extra (needs nothing)."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from rapport.accounts.models import User
from rapport.jobs import rediscovery, semantic
from rapport.jobs.models import CandidateEmbedding, Job
from rapport.people.models import Candidate
from tests.conftest import login

HAS_NUMPY = importlib.util.find_spec("numpy") is not None
HAS_EXTRA = not semantic.missing()
needs_numpy = pytest.mark.skipif(
    not HAS_NUMPY,
    reason="NOT RUN: numpy is missing; it comes with the optional extra (pip install rapport[semantic])",
)
needs_extra = pytest.mark.skipif(
    not HAS_EXTRA,
    reason="NOT RUN: the semantic extra is not installed (pip install rapport[semantic])",
)


def _clusters(n: int, *, seed: int = 3, dims: int = 384, centres: int = 40) -> Any:
    """Unit vectors around a few dozen centres, as profiles of a few dozen
    kinds of job would be."""
    import numpy as np

    rng = np.random.default_rng(seed)
    middle = rng.normal(size=(centres, dims)).astype(np.float32)
    vectors = middle[rng.integers(0, centres, size=n)] + 0.6 * rng.normal(size=(n, dims)).astype(
        np.float32
    )
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


@needs_numpy
def test_the_index_finds_what_an_exact_search_finds() -> None:
    import numpy as np

    vectors = _clusters(6000)
    ids = np.arange(1, 6001, dtype=np.int64) * 7
    index = semantic.IvfIndex.build(ids, vectors)
    queries = _clusters(30, seed=11)
    found = 0
    for query in queries:
        exact = ids[np.argsort(-(vectors @ query))[:10]]
        got, sims = index.search(query, 10)
        assert list(sims) == sorted(sims, reverse=True)
        found += len(set(got.tolist()) & set(exact.tolist()))
    assert found / (10 * len(queries)) >= 0.95


@needs_numpy
def test_the_index_survives_a_restart_and_replaces_itself_whole(tmp_path: Path) -> None:
    import numpy as np

    vectors = _clusters(500)
    ids = np.arange(500, dtype=np.int64)
    index = semantic.IvfIndex.build(ids, vectors, lists=8)
    with override_settings(DATA_DIR=tmp_path):
        index.save(semantic.index_folder())
        meta = semantic.index_meta()
        assert meta is not None and meta.count == 500
        loaded = semantic.IvfIndex.load(semantic.index_folder(), meta)
        first = loaded.search(vectors[42], 3)[0].tolist()
        assert first[0] == 42
        # A second build replaces the first: one folder left.
        semantic.IvfIndex.build(ids[:100], vectors[:100], lists=4).save(semantic.index_folder())
        assert len(list((tmp_path / "semantic").glob("ivf-*"))) == 1
        assert semantic.index_meta().count == 100  # type: ignore[union-attr]


@needs_numpy
def test_an_empty_list_in_the_index_is_harmless() -> None:
    import numpy as np

    vectors = _clusters(50, centres=2)
    index = semantic.IvfIndex.build(np.arange(50), vectors, lists=20, iterations=3)
    got, _ = index.search(vectors[0], 5, nprobe=20)
    assert 0 in got.tolist()


@pytest.fixture
def no_index(tmp_path: Path) -> Iterator[None]:
    with override_settings(DATA_DIR=tmp_path):
        yield


@pytest.mark.django_db
def test_without_the_extra_rediscovery_says_so_in_one_line_and_ranks(
    client: Client, owner: User, job: Job, make_candidate: Callable[..., Candidate], no_index: None
) -> None:
    make_candidate(first_name="Ana", skills=["Python", "Django"])
    status = semantic.status()
    if HAS_EXTRA:
        assert status.installed
        pytest.skip("the extra is installed here: its absence cannot be shown")
    assert not status.ready
    assert "pip install rapport[semantic]" in status.line
    ranking = rediscovery.rediscover(owner, job)
    assert [r.candidate.first_name for r in ranking.rows] == ["Ana"]
    page = login(client, owner).get(reverse("job_rediscover", args=[job.pk]))
    assert page.status_code == 200
    assert (
        "The semantic signal is not installed (pip install rapport[semantic])."
        in page.content.decode()
    )


@needs_extra
@pytest.mark.django_db
def test_profiles_are_embedded_once_and_again_only_when_they_change(
    owner: User, make_candidate: Callable[..., Candidate], no_index: None
) -> None:
    import numpy as np

    from rapport.people.services import CandidateFields, candidate_update

    nurse = make_candidate(first_name="Nia", current_title="Paediatric nurse", skills=["Nursing"])
    coder = make_candidate(first_name="Cody", current_title="Backend engineer", skills=["Python"])
    assert semantic.embeddings_refresh() == 2
    assert semantic.embeddings_refresh() == 0  # nothing changed
    stored = CandidateEmbedding.objects.get(candidate=nurse)
    vector = np.frombuffer(bytes(stored.vector), dtype=np.float32)
    assert vector.shape == (semantic.DIMENSIONS,)
    assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-4
    candidate_update(
        actor=owner,
        candidate=coder,
        data=CandidateFields(
            first_name="Cody", last_name="Example", current_title="Data scientist"
        ),
    )
    assert semantic.embeddings_refresh() == 1
    # A job about children's health finds the nurse first.
    near = semantic.neighbours(semantic.embed(["Nurse for a children's hospital ward"])[0], k=2)
    assert near.ids[0] == nurse.pk
    assert near.bound == 0.0  # everyone with an embedding was read


@needs_extra
@pytest.mark.django_db
def test_the_semantic_signal_joins_the_ranking_and_explains_itself(
    owner: User, make_candidate: Callable[..., Candidate], no_index: None
) -> None:
    from rapport.jobs.services import JobFields, job_create

    ward = job_create(
        actor=owner,
        values=JobFields(title="Ward carer", description="Look after children in hospital."),
    )
    make_candidate(first_name="Nia", current_title="Paediatric nurse", skills=["Nursing"])
    make_candidate(first_name="Cody", current_title="Backend engineer", skills=["Python"])
    semantic.embeddings_refresh()
    semantic.index_rebuild(force=True)
    assert semantic.status().ready
    only_meaning = rediscovery.Weights(
        **(dict.fromkeys(rediscovery._KEYS, 0.0) | {"semantic": 5.0})
    )
    ranking = rediscovery.rediscover(owner, ward, weights=only_meaning)
    assert ranking.rows[0].candidate.first_name == "Nia"
    part = next(p for p in ranking.rows[0].parts if p.key == "semantic")
    assert part.detail.startswith("Similarity 0.")
    assert ranking.rows[0].score > ranking.rows[1].score
