"""Possible duplicates and merges in the REST API."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from rapport.accounts.models import User
from rapport.people.models import Candidate
from rapport.people.services import candidate_share
from rapport.sourcing.merge import candidate_merge
from rapport.sourcing.models import DuplicateReview, ImportJob, Merge, ReviewStatus
from tests.api.client import ApiClient, error_at

pytestmark = pytest.mark.django_db

Make = Callable[..., Candidate]


@pytest.fixture
def pair(make_candidate: Make) -> tuple[Candidate, Candidate]:
    older = make_candidate(
        first_name="Maria",
        last_name="Souza",
        current_title="Engineer",
        emails=["maria@example.org"],
    )
    newer = make_candidate(
        first_name="Maria",
        last_name="Sousa",
        current_title="Staff Engineer",
        emails=["ms@example.net"],
    )
    return older, newer


@pytest.fixture
def review(pair: tuple[Candidate, Candidate]) -> DuplicateReview:
    older, newer = pair
    job = ImportJob.objects.create(original_name="export.csv", digest="0" * 64, format="csv")
    return DuplicateReview.objects.create(
        candidate=newer, other=older, score=91.5, reasons=["similar name"], job=job
    )


def test_open_reviews_are_listed_likeliest_first(
    api: ApiClient, review: DuplicateReview, make_candidate: Make
) -> None:
    a, b = make_candidate(first_name="Jon"), make_candidate(first_name="John")
    DuplicateReview.objects.create(candidate=b, other=a, score=97)
    DuplicateReview.objects.create(candidate=a, other=b, score=99, status=ReviewStatus.DISMISSED)

    body = api.get("/duplicates").json()

    assert body["count"] == 2
    assert [r["score"] for r in body["results"]] == [97, 91.5]
    first = body["results"][1]
    assert first["candidate"] == {"id": review.candidate_id, "full_name": "Maria Sousa"}
    assert first["other"] == {"id": review.other_id, "full_name": "Maria Souza"}
    assert (first["status"], first["import_id"], first["reasons"]) == (
        "open",
        review.job_id,
        ["similar name"],
    )
    assert api.get("/duplicates", import_id=review.job_id).json()["count"] == 1
    assert api.get("/duplicates", status="dismissed").json()["count"] == 1


def test_a_review_is_merged_with_choices(
    api: ApiClient, owner: User, review: DuplicateReview, pair: tuple[Candidate, Candidate]
) -> None:
    older, newer = pair

    response = api.post(f"/duplicates/{review.pk}/merge", {"choices": {"current_title": "merged"}})

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kept"] == {"id": older.pk, "full_name": "Maria Souza"}
    assert (body["merged_id"], body["merged_name"]) == (newer.pk, "Maria Sousa")
    assert body["choices"] == {
        "last_name": "kept",
        "current_title": "merged",
        "primary_email": "kept",
    }
    assert body["merged_by"]["id"] == owner.pk and body["undone_at"] is None
    older.refresh_from_db()
    assert older.current_title == "Staff Engineer"
    assert not Candidate.objects.filter(pk=newer.pk).exists()


def test_a_review_can_keep_the_newer_record(
    api: ApiClient, review: DuplicateReview, pair: tuple[Candidate, Candidate]
) -> None:
    older, newer = pair

    body = api.post(f"/duplicates/{review.pk}/merge", {"keep": newer.pk}).json()

    assert body["kept"]["id"] == newer.pk
    assert not Candidate.objects.filter(pk=older.pk).exists()


def test_keeping_a_third_person_is_refused(
    api: ApiClient, review: DuplicateReview, make_candidate: Make
) -> None:
    response = api.post(f"/duplicates/{review.pk}/merge", {"keep": make_candidate().pk})

    assert (
        error_at(response, "body", "keep")["msg"] == "Keep one of the two records of this review."
    )
    assert not Merge.objects.exists()


def test_a_bad_choice_answers_422(api: ApiClient, review: DuplicateReview) -> None:
    response = api.post(f"/duplicates/{review.pk}/merge", {"choices": {"salary": "merged"}})

    assert error_at(response, "body", "choices")["msg"] == "'salary' is not something to pick."


def test_a_pair_is_dismissed(api: ApiClient, owner: User, review: DuplicateReview) -> None:
    body = api.post(f"/duplicates/{review.pk}/dismiss").json()

    assert (body["status"], body["resolved_by"]["id"]) == ("dismissed", owner.pk)
    assert api.get("/duplicates").json()["count"] == 0
    assert error_at(api.post(f"/duplicates/{review.pk}/dismiss"), "body")["msg"] == (
        "This review is already closed: Not the same person."
    )


def test_any_two_are_merged_and_the_merge_undone(
    api: ApiClient, pair: tuple[Candidate, Candidate]
) -> None:
    older, newer = pair

    made = api.post("/merges", {"kept_id": older.pk, "merged_id": newer.pk})
    assert made.status_code == 201
    assert api.get("/merges").json()["results"][0]["id"] == made.json()["id"]

    undone = api.post(f"/merges/{made.json()['id']}/undo")

    assert undone.status_code == 200
    assert undone.json()["undone_at"] is not None
    assert Candidate.objects.filter(pk=newer.pk).exists()
    assert error_at(api.post(f"/merges/{made.json()['id']}/undo"), "body")["msg"].startswith(
        "This merge was already undone"
    )


def test_an_undo_that_cannot_be_done_now_says_why(
    api: ApiClient, owner: User, pair: tuple[Candidate, Candidate], make_candidate: Make
) -> None:
    older, newer = pair
    first = candidate_merge(actor=owner, kept=older, merged=newer, choices={})
    candidate_merge(
        actor=owner, kept=older, merged=make_candidate(first_name="Mia", last_name="S"), choices={}
    )

    response = api.post(f"/merges/{first.pk}/undo")

    assert error_at(response, "body")["msg"] == (
        "Mia S was merged into this record afterwards: undo the later merges first, newest first."
    )


@pytest.mark.parametrize("role", ["admin", "owner", "teammate", "sourcer", "manager", "outsider"])
def test_who_may(
    role: str,
    cast: dict[str, User],
    api_as: Callable[[User], ApiClient],
    review: DuplicateReview,
    pair: tuple[Candidate, Candidate],
) -> None:
    older, newer = pair
    for c in pair:
        candidate_share(actor=cast["owner"], candidate=c, user=cast["manager"])
    client = api_as(cast[role])

    listed = client.get("/duplicates").json()["count"]
    merged = client.post("/merges", {"kept_id": older.pk, "merged_id": newer.pk})
    dismissed = client.post(f"/duplicates/{review.pk}/dismiss")

    if role in ("admin", "owner", "teammate", "sourcer"):
        assert (listed, merged.status_code) == (1, 201)
        assert not Candidate.objects.filter(pk=newer.pk).exists()
        assert dismissed.status_code == 404  # the merge settled the pair
    elif role == "manager":  # sees both people, may not merge them
        assert (listed, merged.status_code, dismissed.status_code) == (0, 403, 404)
        assert Candidate.objects.filter(pk=newer.pk).exists()
    else:
        assert (listed, merged.status_code, dismissed.status_code) == (0, 404, 404)
        assert Candidate.objects.filter(pk=newer.pk).exists()
