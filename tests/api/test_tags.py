"""Tags: the list with counts, tagging and untagging a candidate."""

from __future__ import annotations

from collections.abc import Callable

from rapport.accounts.models import User
from rapport.people.models import Candidate, CandidateTag
from tests.api.client import ApiClient, error_at

MakeCandidate = Callable[..., Candidate]


def test_it_lists_tags_most_used_first_with_counts(
    api: ApiClient, make_candidate: MakeCandidate
) -> None:
    make_candidate(tags=["backend", "remote"])
    make_candidate(tags=["remote"])

    response = api.get("/tags")

    assert [(t["name"], t["count"]) for t in response.json()] == [("remote", 2), ("backend", 1)]


def test_a_hiring_manager_sees_no_tag_vocabulary(
    api_as: Callable[[User], ApiClient], api: ApiClient, candidate: Candidate, manager: User
) -> None:
    api.post(f"/candidates/{candidate.pk}/tags", {"name": "backend"})

    response = api_as(manager).get("/tags")

    assert response.status_code == 200
    assert response.json() == []


def test_it_tags_a_candidate_under_the_normalised_name(
    api: ApiClient, candidate: Candidate, owner: User
) -> None:
    response = api.post(f"/candidates/{candidate.pk}/tags", {"name": "Silver Medallist"})

    assert response.status_code == 200
    assert response.json() == ["silver-medallist"]
    link = CandidateTag.objects.get(candidate=candidate)
    assert link.added_by == owner


def test_tagging_twice_is_not_an_error(api: ApiClient, candidate: Candidate) -> None:
    api.post(f"/candidates/{candidate.pk}/tags", {"name": "backend"})

    response = api.post(f"/candidates/{candidate.pk}/tags", {"name": "Backend"})

    assert response.json() == ["backend"]
    assert CandidateTag.objects.filter(candidate=candidate).count() == 1


def test_it_refuses_a_tag_without_letters_or_digits(api: ApiClient, candidate: Candidate) -> None:
    response = api.post(f"/candidates/{candidate.pk}/tags", {"name": "!!!"})

    assert "'!!!'" in error_at(response, "body", "name")["msg"]


def test_it_untags_a_candidate(api: ApiClient, candidate: Candidate) -> None:
    api.post(f"/candidates/{candidate.pk}/tags", {"name": "backend"})
    api.post(f"/candidates/{candidate.pk}/tags", {"name": "remote"})

    response = api.delete(f"/candidates/{candidate.pk}/tags/backend")

    assert response.status_code == 204
    assert api.get(f"/candidates/{candidate.pk}").json()["tags"] == ["remote"]


def test_untagging_a_tag_the_candidate_lacks_is_a_404(
    api: ApiClient, candidate: Candidate, make_candidate: MakeCandidate
) -> None:
    make_candidate(tags=["backend"])

    assert api.delete(f"/candidates/{candidate.pk}/tags/backend").status_code == 404
    assert api.delete(f"/candidates/{candidate.pk}/tags/no-such-tag").status_code == 404
    assert CandidateTag.objects.count() == 1


def test_a_hiring_manager_may_not_tag_or_untag(
    api_as: Callable[[User], ApiClient], api: ApiClient, candidate: Candidate, manager: User
) -> None:
    api.post(f"/candidates/{candidate.pk}/tags", {"name": "backend"})
    as_manager = api_as(manager)

    tagging = as_manager.post(f"/candidates/{candidate.pk}/tags", {"name": "mine"})
    untagging = as_manager.delete(f"/candidates/{candidate.pk}/tags/backend")

    assert tagging.status_code == untagging.status_code == 403
    assert [link.tag.name for link in CandidateTag.objects.all()] == ["backend"]
