"""The skill vocabulary lookup behind autocomplete."""

from __future__ import annotations

from collections.abc import Callable

from rapport.accounts.models import User
from tests.api.client import ApiClient


def skill_names(api: ApiClient, **params: object) -> list[str]:
    response = api.get("/skills", **params)
    assert response.status_code == 200, response.content
    return [s["name"] for s in response.json()]


def test_it_finds_a_skill_by_an_alias(api: ApiClient) -> None:
    response = api.get("/skills", q="k8s")

    assert response.json()[0] == {
        "name": "Kubernetes",
        "category": "engineering",
        "aliases": ["k8s", "kube"],
    }


def test_exact_matches_come_first_then_prefixes(api: ApiClient) -> None:
    found = skill_names(api, q="Go")

    assert found[0] == "Go"
    assert found.index("Google Ads") < found.index("Django")


def test_it_finds_skills_by_part_of_their_name(api: ApiClient) -> None:
    assert "PostgreSQL" in skill_names(api, q="postgres")


def test_it_answers_at_most_limit_skills(api: ApiClient) -> None:
    assert len(skill_names(api, q="a", limit=5)) == 5


def test_an_empty_query_finds_nothing(api: ApiClient) -> None:
    assert skill_names(api, q="  ") == []


def test_a_hiring_manager_may_look_skills_up(
    api_as: Callable[[User], ApiClient], manager: User
) -> None:
    assert skill_names(api_as(manager), q="python")[0] == "Python"
