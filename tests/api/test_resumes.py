"""Résumés and referrals through the API."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from rapport.accounts.models import User
from rapport.people.models import Candidate
from rapport.sourcing.models import Referral, Resume
from tests.api.client import BASE, ApiClient
from tests.sourcing.resume_samples import text_pdf

pytestmark = pytest.mark.django_db

CV = """Maria Souza
maria.work@example.org
Senior Backend Engineer at Bluefin Analytics
Skills: Python, Django, Kubernetes
"""


@pytest.fixture(autouse=True)
def media(settings: object, tmp_path: object) -> None:
    settings.MEDIA_ROOT = str(tmp_path)  # type: ignore[attr-defined]


def upload(api: ApiClient, candidate: Candidate, data: bytes, name: str = "maria.pdf") -> object:
    return api.client.post(
        f"{BASE}/candidates/{candidate.pk}/resumes",
        {"file": SimpleUploadedFile(name, data, content_type="application/pdf")},
        headers=api.headers,
    )


def test_a_resume_is_uploaded_read_and_confirmed(api: ApiClient, candidate: Candidate) -> None:
    made = upload(api, candidate, text_pdf(CV))
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["status"] == "parsed" and "Bluefin Analytics" in body["text"]
    found = body["extracted"]
    assert "maria.work@example.org" in str(found["emails"])
    listed = api.get(f"/candidates/{candidate.pk}/resumes").json()
    assert [r["id"] for r in listed] == [body["id"]]
    confirmed = api.post(
        f"/resumes/{body['id']}/confirm", {"fields": {"emails": ["maria.work@example.org"]}}
    )
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["changed"]
    assert candidate.contacts.filter(value="maria.work@example.org").exists()
    download = api.client.get(f"{BASE}/resumes/{body['id']}/file", headers=api.headers)
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_file_that_is_not_a_resume_is_refused_with_the_reason(
    api: ApiClient, candidate: Candidate
) -> None:
    response = upload(api, candidate, b"<script>alert(1)</script>", name="cv.pdf")
    assert response.status_code == 422
    error = response.json()["detail"][0]
    assert error["loc"] == ["body", "file"]
    assert "cv.pdf" in error["msg"]
    assert not Resume.objects.exists()


def test_an_unknown_finding_names_itself(api: ApiClient, candidate: Candidate) -> None:
    resume_id = upload(api, candidate, text_pdf(CV)).json()["id"]
    response = api.post(f"/resumes/{resume_id}/confirm", {"fields": {"salary": 1}})
    assert response.status_code == 422
    assert "'salary' is not read from résumés" in response.json()["detail"][0]["msg"]


@pytest.mark.parametrize("who", ["admin", "owner", "teammate", "sourcer", "manager", "outsider"])
def test_resumes_follow_who_may_see_the_candidate(
    who: str,
    cast: dict[str, User],
    api: ApiClient,
    api_as: Callable[[User], ApiClient],
    candidate: Candidate,
) -> None:
    resume_id = upload(api, candidate, text_pdf(CV)).json()["id"]
    response = api_as(cast[who]).get(f"/resumes/{resume_id}")
    assert response.status_code == (404 if who == "outsider" else 200)
    if who != "outsider":
        assert response.json()["candidate_id"] == candidate.pk
    assert Resume.objects.count() == 1


def test_a_hiring_manager_refers_someone_and_follows_the_referral(
    api_as: Callable[[User], ApiClient], outsider: User
) -> None:
    client = api_as(outsider)
    made = client.post(
        "/referrals",
        {
            "first_name": "Jonas",
            "last_name": "Berg",
            "email": "Jonas@Example.org",
            "note": "Great.",
        },
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["created"] is True and body["again"] is False
    again = client.post("/referrals", {"first_name": "Jonas", "email": "jonas@example.org"}).json()
    assert again["again"] is True and again["referral_id"] == body["referral_id"]
    assert Referral.objects.count() == 1
    rows = client.get("/referrals").json()
    assert [(r["candidate_name"], r["note"]) for r in rows] == [("Jonas Berg", "Great.")]
    assert client.get("/referrals", scope="all").status_code == 404


def test_a_referral_without_a_way_to_reach_them_is_refused(api: ApiClient) -> None:
    response = api.post("/referrals", {"first_name": "Nobody"})
    assert response.status_code == 422
    assert "email address or a phone number" in response.json()["detail"][0]["msg"]
