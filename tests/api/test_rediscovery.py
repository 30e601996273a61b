"""Rediscovery through the API: the ranking explained, weights, adding to
the job and enrolling the top, with the same scoping as the page."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from rapport.accounts.models import User
from rapport.jobs.models import Application, Job
from rapport.outreach import services as outreach
from rapport.outreach.models import Enrollment, Sequence
from rapport.people.models import Candidate
from tests.api.client import ApiClient
from tests.jobs.conftest import job
from tests.jobs.test_rediscovery import pool, sequence

__all__ = ["job", "pool", "sequence"]

pytestmark = pytest.mark.django_db


def names(body: dict) -> list[str]:
    return [row["candidate"]["full_name"] for row in body["results"]]


def test_the_pool_comes_back_ranked_and_explained(
    api: ApiClient, job: Job, pool: dict[str, Candidate], owner: User
) -> None:
    outreach.suppression_add(actor=owner, address=pool["bruno"].primary_email)
    body = api.get(f"/jobs/{job.pk}/rediscover").json()
    assert names(body)[0] == "Ana Example"
    assert names(body)[-1] == "Dora Example"
    ana = body["results"][0]
    required = next(p for p in ana["parts"] if p["key"] == "required")
    assert required["share"] == 1.0 and "Django, Python" in required["detail"]
    assert round(sum(p["points"] for p in ana["parts"]), 3) == round(ana["score"], 3)
    bruno = next(r for r in body["results"] if r["candidate"]["full_name"] == "Bruno Example")
    assert (bruno["contactable"], bruno["not_contactable_because"]) == (
        False,
        "Address on the suppression list",
    )
    assert body["semantic"]["note"]


def test_weights_change_the_order_and_bad_ones_are_refused(
    api: ApiClient, job: Job, pool: dict[str, Candidate]
) -> None:
    plain = names(api.get(f"/jobs/{job.pk}/rediscover").json())
    silver_first = names(
        api.get(f"/jobs/{job.pk}/rediscover", w_silver=10, w_required=0, w_nice=0).json()
    )
    assert plain.index("Eva Example") > silver_first.index("Eva Example") == 0
    too_big = api.get(f"/jobs/{job.pk}/rediscover", w_text=11)
    assert too_big.status_code == 422
    zeros = {f"w_{k}": 0 for k in ("required", "nice", "text", "title", "location",
                                   "seniority", "history", "silver", "engagement", "semantic")}  # fmt: skip
    nothing = api.get(f"/jobs/{job.pk}/rediscover", **zeros)
    assert nothing.status_code == 422 and nothing.json()["detail"][0]["msg"]


def test_adding_the_chosen_is_idempotent(
    api: ApiClient, job: Job, pool: dict[str, Candidate]
) -> None:
    ids = [pool["ana"].pk, pool["bruno"].pk]
    first = api.post(f"/jobs/{job.pk}/rediscover/add", {"candidate_ids": ids}).json()
    assert first == {"added": 2, "already": 0, "stage": "Sourced"}
    again = api.post(f"/jobs/{job.pk}/rediscover/add", {"candidate_ids": ids}).json()
    assert again == {"added": 0, "already": 2, "stage": "Sourced"}
    assert Application.objects.filter(job=job).count() == 2
    ranked = api.get(f"/jobs/{job.pk}/rediscover", hide_in_pipeline=True).json()
    assert "Ana Example" not in names(ranked)


def test_the_top_is_enrolled_and_who_cannot_be_reached_is_named(
    api: ApiClient, job: Job, pool: dict[str, Candidate], owner: User, sequence: Sequence
) -> None:
    outreach.suppression_add(actor=owner, address=pool["bruno"].primary_email)
    done = api.post(
        f"/jobs/{job.pk}/rediscover/enrol", {"sequence_id": sequence.pk, "top": 3}
    ).json()
    assert (done["enrolled"], done["already"]) == (2, 0)
    assert done["skipped"] == [{"name": "Bruno Example", "why": "Address on the suppression list"}]
    assert Enrollment.objects.filter(sequence=sequence).count() == 2
    missing = api.post(f"/jobs/{job.pk}/rediscover/enrol", {"sequence_id": 999, "top": 3})
    assert missing.status_code == 404


@pytest.mark.parametrize("who", ["admin", "owner", "teammate", "sourcer", "manager", "outsider"])
def test_each_role_ranks_only_who_they_may_see(
    who: str,
    cast: dict[str, User],
    api_as: Callable[[User], ApiClient],
    job: Job,
    owner: User,
    pool: dict[str, Candidate],
) -> None:
    Application.objects.filter(job=job).delete()
    api_as(owner).post(f"/jobs/{job.pk}/rediscover/add", {"candidate_ids": [pool["dora"].pk]})
    response = api_as(cast[who]).get(f"/jobs/{job.pk}/rediscover")
    if who == "outsider":
        assert response.status_code == 404
        return
    ranked = names(response.json())
    # A hiring manager sees this job's candidates (and those shared with them) only.
    assert ranked == ["Dora Example"] if who == "manager" else len(ranked) == 5
    added = api_as(cast[who]).post(
        f"/jobs/{job.pk}/rediscover/add", {"candidate_ids": [pool["ana"].pk]}
    )
    assert added.status_code == (403 if who == "manager" else 200)
