"""The OpenAPI schema and the docs page."""

from __future__ import annotations

import json
from typing import Any, get_args

from django.test import Client

from rapport.api.candidates import CandidateFilters, CandidateSort
from rapport.search.selectors import SORTS
from tests.api.client import BASE

PATHS = {
    "/candidates": {"get", "post"},
    "/candidates/{candidate_id}": {"get", "patch", "delete"},
    "/candidates/{candidate_id}/contacts": {"get", "post"},
    "/candidates/{candidate_id}/contacts/{contact_id}": {"delete"},
    "/candidates/{candidate_id}/contacts/{contact_id}/primary": {"post"},
    "/candidates/{candidate_id}/notes": {"get", "post"},
    "/candidates/{candidate_id}/timeline": {"get"},
    "/candidates/{candidate_id}/tags": {"post"},
    "/candidates/{candidate_id}/tags/{name}": {"delete"},
    "/search": {"get"},
    "/segments": {"get", "post"},
    "/segments/{segment_id}": {"get", "patch", "delete"},
    "/segments/{segment_id}/members": {"get"},
    "/tags": {"get"},
    "/pools": {"get", "post"},
    "/pools/{pool_id}": {"get", "patch"},
    "/pools/{pool_id}/members": {"get", "post"},
    "/pools/{pool_id}/members/{candidate_id}": {"delete"},
    "/skills": {"get"},
    "/conversations": {"get"},
    "/conversations/{conversation_id}": {"get"},
    "/conversations/{conversation_id}/reply": {"post"},
    "/conversations/{conversation_id}/assign": {"post"},
    "/conversations/{conversation_id}/done": {"post"},
    "/duplicates": {"get"},
    "/duplicates/{review_id}/merge": {"post"},
    "/duplicates/{review_id}/dismiss": {"post"},
    "/merges": {"get", "post"},
    "/merges/{merge_id}/undo": {"post"},
    "/capture/lookup": {"post"},
    "/capture/save": {"post"},
    "/candidates/{candidate_id}/resumes": {"get", "post"},
    "/resumes/{resume_id}": {"get", "delete"},
    "/resumes/{resume_id}/file": {"get"},
    "/resumes/{resume_id}/confirm": {"post"},
    "/referrals": {"get", "post"},
    "/jobs": {"get", "post"},
    "/jobs/{job_id}": {"get", "patch"},
    "/jobs/{job_id}/status": {"post"},
    "/jobs/{job_id}/stages": {"get", "post"},
    "/jobs/{job_id}/stages/{stage_id}": {"patch", "delete"},
    "/jobs/{job_id}/stage-order": {"post"},
    "/jobs/{job_id}/applications": {"get", "post"},
    "/jobs/{job_id}/applications/move": {"post"},
    "/applications/{application_id}": {"get"},
    "/applications/{application_id}/move": {"post"},
    "/jobs/{job_id}/rediscover": {"get"},
    "/jobs/{job_id}/rediscover/add": {"post"},
    "/jobs/{job_id}/rediscover/enrol": {"post"},
    "/interviews": {"get"},
    "/applications/{application_id}/interviews": {"get", "post"},
    "/interviews/{interview_id}": {"get", "patch"},
    "/interviews/{interview_id}/cancel": {"post"},
    "/interviews/{interview_id}/scorecards": {"get", "post"},
    "/candidates/{candidate_id}/erase": {"post"},
    "/candidates/{candidate_id}/export": {"post"},
    "/erasures": {"get"},
    "/me": {"get"},
}


def openapi(client: Client) -> dict[str, Any]:
    response = client.get(f"{BASE}/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return dict(json.loads(response.content))


def test_the_schema_is_json_listing_every_path_and_method(client: Client) -> None:
    schema = openapi(client)

    assert schema["info"]["title"] == "Rapport API"
    assert schema["info"]["version"] == "1"
    assert {path: set(ops) for path, ops in schema["paths"].items()} == {
        BASE + path: methods for path, methods in PATHS.items()
    }


def test_every_operation_has_a_summary_a_tag_and_needs_authentication(client: Client) -> None:
    schema = openapi(client)

    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            assert operation["summary"], where
            assert operation["tags"], where
            assert {"BearerToken": []} in operation["security"], where
            assert {"BrowserSession": []} in operation["security"], where
            assert "401" in operation["responses"], where


def test_the_schema_describes_bearer_and_session_authentication(client: Client) -> None:
    schemes = openapi(client)["components"]["securitySchemes"]

    assert schemes["BearerToken"] == {"type": "http", "scheme": "bearer"}
    assert schemes["BrowserSession"]["in"] == "cookie"


def test_the_docs_page_is_served(client: Client) -> None:
    response = client.get(f"{BASE}/docs")

    assert response.status_code == 200
    assert b"openapi.json" in response.content


def test_the_sort_parameter_offers_exactly_the_selectors_sorts() -> None:
    assert set(get_args(CandidateSort)) == set(SORTS)
    assert CandidateFilters.model_fields["sort"].default == "relevance"
