"""Listing, adding, reading, changing and deleting candidates."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rapport.accounts.models import User
from rapport.core.models import Activity, ActivityKind
from rapport.people.models import Candidate, CustomField, CustomFieldType
from rapport.people.services import pool_add, pool_create
from tests.api.client import ApiClient, error_at

MakeCandidate = Callable[..., Candidate]


def names(response: object) -> list[str]:
    assert response.status_code == 200, response.content  # type: ignore[attr-defined]
    return [row["full_name"] for row in response.json()["results"]]  # type: ignore[attr-defined]


# --- the list --------------------------------------------------------------------


def test_it_lists_candidates_newest_first_with_their_contacts_skills_and_tags(
    api: ApiClient, make_candidate: MakeCandidate
) -> None:
    make_candidate(first_name="Ana", last_name="Lima")
    make_candidate(
        first_name="Bruno",
        last_name="Costa",
        emails=["Bruno@Example.org", "bruno.work@example.org"],
        phones=["+44 20 7946 0958"],
        skills=["Go", "k8s"],
        tags=["Silver Medallist"],
    )

    response = api.get("/candidates")

    body = response.json()
    assert body["count"] == 2
    assert body["page"] == 1
    assert body["page_size"] == 50
    bruno, ana = body["results"]
    assert ana["full_name"] == "Ana Lima"
    assert bruno["full_name"] == "Bruno Costa"
    assert [(e["value"], e["is_primary"]) for e in bruno["emails"]] == [
        ("bruno@example.org", True),
        ("bruno.work@example.org", False),
    ]
    assert [p["value"] for p in bruno["phones"]] == ["+442079460958"]
    assert [s["name"] for s in bruno["skills"]] == ["Go", "Kubernetes"]
    assert bruno["tags"] == ["silver-medallist"]
    assert bruno["owner"]["email"] == "rita@example.com"


def test_it_pages_through_the_list(api: ApiClient, make_candidate: MakeCandidate) -> None:
    for n in range(7):
        make_candidate(first_name=f"P{n}")

    first = api.get("/candidates", page_size=3).json()
    last = api.get("/candidates", page_size=3, page=3).json()
    beyond = api.get("/candidates", page_size=3, page=4).json()

    assert first["count"] == last["count"] == beyond["count"] == 7
    assert [r["first_name"] for r in first["results"]] == ["P6", "P5", "P4"]
    assert [r["first_name"] for r in last["results"]] == ["P0"]
    assert beyond["results"] == []


@pytest.mark.parametrize(
    ("params", "loc"),
    [
        ({"page_size": 201}, ("query", "page_size")),
        ({"page_size": 0}, ("query", "page_size")),
        ({"page": 0}, ("query", "page")),
        ({"sort": "salary"}, ("query", "sort")),
    ],
)
def test_it_refuses_a_bad_page_or_sort_naming_the_parameter(
    api: ApiClient, params: dict[str, object], loc: tuple[str, str]
) -> None:
    error = error_at(api.get("/candidates", **params), *loc)

    assert error["msg"]


def test_the_quick_search_matches_names_emails_and_skill_aliases(
    api: ApiClient, make_candidate: MakeCandidate
) -> None:
    make_candidate(first_name="Joana", last_name="Prado", skills=["Kubernetes"])
    make_candidate(first_name="Kim", emails=["kim@bluefin.example"], skills=["Excel"])

    assert names(api.get("/candidates", q="joana")) == ["Joana Prado"]
    assert names(api.get("/candidates", q="bluefin")) == ["Kim Example"]
    assert names(api.get("/candidates", q="k8s")) == ["Joana Prado"]
    assert names(api.get("/candidates", q="nobody")) == []


def test_it_filters_by_tag_pool_and_owner(
    api: ApiClient, make_candidate: MakeCandidate, owner: User, teammate: User
) -> None:
    tagged = make_candidate(first_name="Tagged", tags=["backend"])
    pooled = make_candidate(first_name="Pooled")
    make_candidate(first_name="Teammates", actor=teammate)
    pool = pool_create(actor=owner, name="Shortlist")
    pool_add(actor=owner, pool=pool, candidates=[pooled])

    assert names(api.get("/candidates", tag="backend")) == [tagged.full_name]
    assert names(api.get("/candidates", pool=pool.pk)) == [pooled.full_name]
    assert names(api.get("/candidates", owner=teammate.pk)) == ["Teammates Example"]


def test_it_sorts_by_name(api: ApiClient, make_candidate: MakeCandidate) -> None:
    make_candidate(first_name="Zoe", last_name="Adams")
    make_candidate(first_name="Al", last_name="Zhou")

    assert names(api.get("/candidates", sort="name")) == ["Zoe Adams", "Al Zhou"]
    assert names(api.get("/candidates", sort="-name")) == ["Al Zhou", "Zoe Adams"]


def test_a_hiring_manager_lists_only_the_candidates_shared_with_them(
    api_as: Callable[[User], ApiClient],
    candidate: Candidate,
    make_candidate: MakeCandidate,
    manager: User,
    outsider: User,
) -> None:
    make_candidate(first_name="Unshared")

    assert names(api_as(manager).get("/candidates")) == ["Maria Souza"]
    assert names(api_as(outsider).get("/candidates")) == []


def test_the_list_costs_the_same_queries_for_5_rows_as_for_50(
    api: ApiClient, make_candidate: MakeCandidate, owner: User
) -> None:
    pool = pool_create(actor=owner, name="Everyone")
    for n in range(60):
        emails = [f"c{n}@example.org", f"c{n}.work@example.org"]
        phones = ["+44 20 7946 0958"] if n == 0 else []
        make_candidate(emails=emails, phones=phones, skills=["Python", "Go"], tags=["a", "b"])
    pool_add(actor=owner, pool=pool, candidates=list(Candidate.objects.all()))
    api.get("/me")  # the token's first use records it: not part of the count

    with CaptureQueriesContext(connection) as five:
        small = api.get("/candidates", page_size=5)
    with CaptureQueriesContext(connection) as fifty:
        large = api.get("/candidates", page_size=50)

    assert len(small.json()["results"]) == 5
    rows = large.json()["results"]
    assert len(rows) == 50
    assert all(len(r["emails"]) == 2 and r["tags"] == ["a", "b"] for r in rows)
    assert all(r["pools"] == [{"id": pool.pk, "name": "Everyone"}] for r in rows)
    assert len(five.captured_queries) == len(fifty.captured_queries)


# --- adding ------------------------------------------------------------------------


def test_it_creates_a_candidate_with_emails_phones_skills_and_tags(
    api: ApiClient, owner: User
) -> None:
    response = api.post(
        "/candidates",
        {
            "first_name": " Lucas ",
            "last_name": "Pereira",
            "current_title": "Data Engineer",
            "country": "Brazil",
            "timezone": "America/Sao_Paulo",
            "languages": ["PT", "en"],
            "seniority": "senior",
            "years_experience": 8,
            "source": "referral",
            "emails": ["Lucas@Example.ORG", "lucas.p@example.org"],
            "phones": ["(11) 91234-0000"],
            "skills": [{"name": "py", "level": 5, "years": 8}, {"name": "Airflow"}],
            "tags": ["Silver Medallist", "data"],
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id"] == Candidate.objects.get().pk
    assert body["first_name"] == "Lucas"
    assert body["full_name"] == "Lucas Pereira"
    assert body["country"] == "BR"
    assert body["languages"] == ["en", "pt"]
    assert body["seniority"] == "senior"
    assert body["years_experience"] == 8
    assert [(e["value"], e["is_primary"]) for e in body["emails"]] == [
        ("lucas@example.org", True),
        ("lucas.p@example.org", False),
    ]
    assert [(p["value"], p["is_primary"]) for p in body["phones"]] == [("+5511912340000", True)]
    assert body["skills"] == [
        {"name": "Apache Airflow", "level": None, "years": None},
        {"name": "Python", "level": 5, "years": 8},
    ]
    assert body["tags"] == ["data", "silver-medallist"]
    assert body["owner"] == {"id": owner.pk, "name": "Rita Recruiter", "email": owner.email}
    assert body["pools"] == []
    assert body["consent"] == "unknown"


def test_it_creates_a_candidate_for_another_owner(api: ApiClient, teammate: User) -> None:
    response = api.post("/candidates", {"first_name": "Lea", "owner_id": teammate.pk})

    assert response.status_code == 201
    assert response.json()["owner"]["id"] == teammate.pk


def test_it_refuses_an_owner_who_does_not_exist(api: ApiClient) -> None:
    response = api.post("/candidates", {"first_name": "Lea", "owner_id": 9999})

    assert "9999" in error_at(response, "body", "owner_id")["msg"]
    assert not Candidate.objects.exists()


def test_it_refuses_an_invalid_email_naming_the_field_and_the_value(api: ApiClient) -> None:
    response = api.post("/candidates", {"first_name": "Lea", "emails": ["lea-at-example.org"]})

    error = error_at(response, "body", "emails")
    assert "lea-at-example.org" in error["msg"]
    assert error["type"] == "value_error"
    assert not Candidate.objects.exists()


def test_it_refuses_an_email_that_belongs_to_another_candidate_and_says_whose(
    api: ApiClient, candidate: Candidate
) -> None:
    before = Candidate.objects.count()

    response = api.post(
        "/candidates", {"first_name": "Maria", "emails": ["Maria.Souza@Example.org"]}
    )

    error = error_at(response, "body", "emails")
    assert error["type"] == "duplicate_contact"
    assert error["candidate_id"] == candidate.pk
    assert "Maria Souza" in error["msg"]
    assert Candidate.objects.count() == before


def test_it_refuses_an_invalid_phone_naming_the_field_and_the_value(api: ApiClient) -> None:
    response = api.post("/candidates", {"first_name": "Lea", "phones": ["12"]})

    assert "'12'" in error_at(response, "body", "phones")["msg"]
    assert not Candidate.objects.exists()


@pytest.mark.parametrize(
    ("body", "loc", "words"),
    [
        ({}, ("body", "first_name"), "required"),
        ({"first_name": "   "}, ("body", "first_name"), "first name is required"),
        ({"first_name": "x" * 101}, ("body", "first_name"), "at most 100"),
        ({"first_name": "Lea", "country": "Atlantis"}, ("body", "country"), "Atlantis"),
        ({"first_name": "Lea", "timezone": "Mars/Base"}, ("body", "timezone"), "Mars/Base"),
        ({"first_name": "Lea", "seniority": "guru"}, ("body", "seniority"), "guru"),
        ({"first_name": "Lea", "linkedin_url": "linkedin"}, ("body", "linkedin_url"), "URL"),
        (
            {"first_name": "Lea", "skills": [{"name": "Go", "level": 6}]},
            ("body", "skills", 0, "level"),
            "less than or equal to 5",
        ),
        ({"first_name": "Lea", "tags": ["!!!"]}, ("body", "tags"), "no letters"),
        ({"first_name": "Lea", "custom_fields": {"shoe": 42}}, ("body", "custom_fields"), "shoe"),
    ],
)
def test_it_refuses_bad_profile_fields_in_one_error_format(
    api: ApiClient, body: dict[str, object], loc: tuple[str | int, ...], words: str
) -> None:
    response = api.post("/candidates", body)

    assert words.lower() in error_at(response, *loc)["msg"].lower()
    assert not Candidate.objects.exists()


# --- reading -------------------------------------------------------------------------


def test_it_shows_a_candidate_with_their_pools(
    api: ApiClient, candidate: Candidate, owner: User
) -> None:
    pool = pool_create(actor=owner, name="Backend")
    pool_add(actor=owner, pool=pool, candidates=[candidate])

    body = api.get(f"/candidates/{candidate.pk}").json()

    assert body["full_name"] == "Maria Souza"
    assert body["current_company"] == "Bluefin Analytics"
    assert body["city"] == "São Paulo"
    assert [s["name"] for s in body["skills"]] == ["Django", "PostgreSQL", "Python"]
    assert body["pools"] == [{"id": pool.pk, "name": "Backend"}]


def test_a_hiring_manager_sees_a_shared_candidate_but_not_the_teams_pools(
    api_as: Callable[[User], ApiClient], candidate: Candidate, owner: User, manager: User
) -> None:
    pool = pool_create(actor=owner, name="Backend")
    pool_add(actor=owner, pool=pool, candidates=[candidate])

    body = api_as(manager).get(f"/candidates/{candidate.pk}").json()

    assert body["full_name"] == "Maria Souza"
    assert body["pools"] == []


def test_it_returns_404_for_a_candidate_outside_the_users_scope(
    api_as: Callable[[User], ApiClient], candidate: Candidate, outsider: User
) -> None:
    hidden = api_as(outsider).get(f"/candidates/{candidate.pk}")
    missing = api_as(outsider).get("/candidates/999999")

    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json() == {"detail": "Not found"}


# --- changing ------------------------------------------------------------------------


def test_a_partial_update_changes_only_the_fields_sent(
    api: ApiClient, candidate: Candidate
) -> None:
    response = api.patch(
        f"/candidates/{candidate.pk}", {"headline": "Builds data platforms", "years_experience": 9}
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["headline"] == "Builds data platforms"
    assert body["years_experience"] == 9
    assert body["current_title"] == "Senior Backend Engineer"
    assert body["timezone"] == "America/Sao_Paulo"
    assert [e["value"] for e in body["emails"]] == ["maria.souza@example.org"]
    assert [s["name"] for s in body["skills"]] == ["Django", "PostgreSQL", "Python"]
    candidate.refresh_from_db()
    assert candidate.headline == "Builds data platforms"
    assert candidate.current_company == "Bluefin Analytics"
    update = Activity.objects.get(candidate=candidate, kind=ActivityKind.CANDIDATE_UPDATED)
    assert update.data == {"fields": ["headline", "years_experience"]}


def test_a_partial_update_replaces_the_skills_when_sent(
    api: ApiClient, candidate: Candidate
) -> None:
    response = api.patch(
        f"/candidates/{candidate.pk}", {"skills": [{"name": "golang", "level": 3, "years": 2}]}
    )

    assert response.json()["skills"] == [{"name": "Go", "level": 3, "years": 2}]


def test_a_partial_update_merges_custom_fields(api: ApiClient, candidate: Candidate) -> None:
    CustomField.objects.create(key="notice", label="Notice", field_type=CustomFieldType.NUMBER)
    CustomField.objects.create(key="remote", label="Remote", field_type=CustomFieldType.BOOLEAN)
    api.patch(f"/candidates/{candidate.pk}", {"custom_fields": {"notice": "30", "remote": "yes"}})

    response = api.patch(f"/candidates/{candidate.pk}", {"custom_fields": {"notice": None}})

    assert response.json()["custom_fields"] == {"remote": True}


def test_a_bad_partial_update_changes_nothing(api: ApiClient, candidate: Candidate) -> None:
    response = api.patch(
        f"/candidates/{candidate.pk}", {"headline": "New", "timezone": "Nowhere/Town"}
    )

    assert "Nowhere/Town" in error_at(response, "body", "timezone")["msg"]
    candidate.refresh_from_db()
    assert candidate.headline == ""
    assert candidate.timezone == "America/Sao_Paulo"


def test_a_partial_update_refuses_null_for_a_text_field(
    api: ApiClient, candidate: Candidate
) -> None:
    response = api.patch(f"/candidates/{candidate.pk}", {"first_name": None})

    assert error_at(response, "body", "first_name")["type"] == "string_type"


def test_a_hiring_manager_may_not_change_a_shared_candidate(
    api_as: Callable[[User], ApiClient], candidate: Candidate, manager: User
) -> None:
    response = api_as(manager).patch(f"/candidates/{candidate.pk}", {"headline": "Mine now"})

    assert response.status_code == 403
    assert "Hiring manager" in response.json()["detail"]
    candidate.refresh_from_db()
    assert candidate.headline == ""


# --- deleting -------------------------------------------------------------------------


def test_it_deletes_a_candidate(api: ApiClient, candidate: Candidate) -> None:
    response = api.delete(f"/candidates/{candidate.pk}")

    assert response.status_code == 204
    assert response.content == b""
    assert not Candidate.objects.filter(pk=candidate.pk).exists()
    assert api.get(f"/candidates/{candidate.pk}").status_code == 404


def test_a_sourcer_may_not_delete_a_candidate(
    api_as: Callable[[User], ApiClient], candidate: Candidate, sourcer: User
) -> None:
    response = api_as(sourcer).delete(f"/candidates/{candidate.pk}")

    assert response.status_code == 403
    assert response.json() == {"detail": "Only recruiters and admins may delete candidates."}
    assert Candidate.objects.filter(pk=candidate.pk).exists()
