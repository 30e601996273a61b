"""Rediscovery: the talent pool ranked for a job, explained, and acted on."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from rapport.api.auth import actor
from rapport.api.errors import ERRORS
from rapport.api.schemas import Id
from rapport.jobs import rediscovery
from rapport.jobs.selectors import job_get
from rapport.outreach.models import Sequence

router = Router(tags=["rediscovery"])


class WeightsIn(Schema):
    """How much each signal counts, 0 to 10; left out, the default."""

    w_required: float = Field(rediscovery.DEFAULT_WEIGHTS.required, ge=0, le=10)
    w_nice: float = Field(rediscovery.DEFAULT_WEIGHTS.nice, ge=0, le=10)
    w_text: float = Field(rediscovery.DEFAULT_WEIGHTS.text, ge=0, le=10)
    w_title: float = Field(rediscovery.DEFAULT_WEIGHTS.title, ge=0, le=10)
    w_location: float = Field(rediscovery.DEFAULT_WEIGHTS.location, ge=0, le=10)
    w_seniority: float = Field(rediscovery.DEFAULT_WEIGHTS.seniority, ge=0, le=10)
    w_history: float = Field(rediscovery.DEFAULT_WEIGHTS.history, ge=0, le=10)
    w_silver: float = Field(rediscovery.DEFAULT_WEIGHTS.silver, ge=0, le=10)
    w_engagement: float = Field(rediscovery.DEFAULT_WEIGHTS.engagement, ge=0, le=10)
    w_semantic: float = Field(rediscovery.DEFAULT_WEIGHTS.semantic, ge=0, le=10)

    def weights(self) -> rediscovery.Weights:
        return rediscovery.weights_from({f[2:]: getattr(self, f) for f in WeightsIn.model_fields})


class RankingParams(WeightsIn):
    limit: int = Field(50, ge=1, le=500, description="How many of the best to return.")
    hide_in_pipeline: bool = Field(False, description="Leave out those already in this job.")


class PartOut(Schema):
    key: str
    label: str
    share: float = Field(description="0 to 1: how much of this signal they have.")
    points: float = Field(description="What it adds to the score at these weights.")
    detail: str = Field(description="Why, in words.")


class CandidateRef(Schema):
    id: int
    full_name: str
    current_title: str
    current_company: str
    city: str
    country: str


class RankedOut(Schema):
    rank: int
    score: float
    candidate: CandidateRef
    parts: list[PartOut]
    contactable: bool
    not_contactable_because: str
    in_pipeline: str = Field(description="Their stage in this job, if they are in it.")


class SemanticOut(Schema):
    installed: bool
    ready: bool
    note: str


class RankingOut(Schema):
    job_id: int
    weights: dict[str, float]
    exact: bool = Field(description="Whether the ranking is exact (it always is today).")
    semantic: SemanticOut
    results: list[RankedOut]


class AddIn(Schema):
    candidate_ids: list[Id] = Field(min_length=1, max_length=500)


class AddedOut(Schema):
    added: int
    already: int = Field(description="Already in this job's pipeline: not added again.")
    stage: str


class EnrolIn(RankingParams):
    sequence_id: int
    top: int = Field(ge=1, le=500, description="Enrol the first `top` of the ranking.")


class SkippedOut(Schema):
    name: str
    why: str


class EnrolledOut(Schema):
    enrolled: int
    already: int
    skipped: list[SkippedOut] = Field(description="Who cannot be contacted, and why.")


def _ranking(request: HttpRequest, job_id: int, params: RankingParams) -> rediscovery.Ranking:
    user = actor(request)
    return rediscovery.rediscover(
        user,
        job_get(user, job_id),
        weights=params.weights(),
        limit=params.limit,
        hide_in_pipeline=params.hide_in_pipeline,
    )


@router.get(
    "/jobs/{job_id}/rediscover",
    response={200: RankingOut, **ERRORS},
    summary="Find in talent pool",
)
def rank(request: HttpRequest, job_id: int, params: Query[RankingParams]) -> dict[str, Any]:
    """Everyone you may see, ranked by fit for the job, best first, each with
    every signal's share, points and reason (see docs/rediscovery.md)."""
    ranking = _ranking(request, job_id, params)
    return {
        "job_id": job_id,
        "weights": {s.key: ranking.weights.of(s.key) for s in rediscovery.SIGNALS},
        "exact": ranking.search.exact,
        "semantic": {
            "installed": ranking.semantic.installed,
            "ready": ranking.semantic.ready,
            "note": ranking.semantic.line,
        },
        "results": [
            {
                "rank": row.rank,
                "score": round(row.score, 4),
                "candidate": row.candidate,
                "parts": row.parts,
                "contactable": row.reach.ok,
                "not_contactable_because": row.reach.reason,
                "in_pipeline": row.in_pipeline,
            }
            for row in ranking.rows
        ],
    }


@router.post(
    "/jobs/{job_id}/rediscover/add",
    response={200: AddedOut, **ERRORS},
    summary="Add candidates to the job as Sourced",
)
def add(request: HttpRequest, job_id: int, payload: AddIn) -> rediscovery.Added:
    """Into the job's first stage; those already in its pipeline are counted,
    never added twice."""
    user = actor(request)
    return rediscovery.rediscovery_add(
        actor=user, job=job_get(user, job_id), candidate_ids=payload.candidate_ids
    )


@router.post(
    "/jobs/{job_id}/rediscover/enrol",
    response={200: EnrolledOut, **ERRORS},
    summary="Enrol the top of the ranking in a sequence",
)
def enrol(request: HttpRequest, job_id: int, payload: EnrolIn) -> dict[str, Any]:
    """Ranks with the weights given, then enrols the first `top` who can be
    contacted; those who cannot are named with the reason."""
    user = actor(request)
    sequence = Sequence.objects.filter(pk=payload.sequence_id, active=True).first()
    if sequence is None:
        raise Http404(f"No active sequence with id {payload.sequence_id}.")
    params = payload.model_copy(update={"limit": max(payload.limit, payload.top)})
    ranking = _ranking(request, job_id, params)
    if not ranking.rows:
        return {"enrolled": 0, "already": 0, "skipped": []}
    done = rediscovery.rediscovery_enrol(
        actor=user, sequence=sequence, rows=ranking.rows, top=min(payload.top, len(ranking.rows))
    )
    return {
        "enrolled": done.enrolled,
        "already": done.already,
        "skipped": [{"name": name, "why": why} for name, why in done.skipped],
    }
