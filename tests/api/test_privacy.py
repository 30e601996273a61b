"""Erasing, exporting and the record of erasures in the REST API."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable

import pytest

from rapport.accounts.models import User
from rapport.outreach.models import Suppression
from rapport.people.models import Candidate
from tests.api.client import ApiClient, error_at

pytestmark = pytest.mark.django_db

Make = Callable[..., Candidate]


def test_a_recruiter_erases_a_candidate_and_sees_the_record(
    api: ApiClient, make_candidate: Make
) -> None:
    made = make_candidate(first_name="Ines", emails=["ines@example.org"])
    response = api.post(
        f"/candidates/{made.pk}/erase", {"reason": "request", "note": "email 3 March"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["record"] == made.pk and body["reason"] == "request" and body["suppressed"]
    assert body["removed"]["people.Candidate"] == 1 and body["note"] == "email 3 March"
    assert not Candidate.objects.filter(pk=made.pk).exists()
    assert Suppression.objects.count() == 1
    listed = api.get("/erasures").json()
    assert [e["record"] for e in listed["results"]] == [made.pk]
    assert "Ines" not in json.dumps(listed)
    assert api.post(f"/candidates/{made.pk}/erase", {"reason": "request"}).status_code == 404


def test_a_bad_reason_is_refused_and_nothing_goes(api: ApiClient, make_candidate: Make) -> None:
    made = make_candidate(first_name="Ines")
    response = api.post(f"/candidates/{made.pk}/erase", {"reason": "bored"})
    assert "request" in error_at(response, "body", "reason")["msg"]
    assert Candidate.objects.filter(pk=made.pk).exists()


def test_the_export_is_a_zip_of_their_records(api: ApiClient, make_candidate: Make) -> None:
    made = make_candidate(first_name="Cleo", emails=["cleo@example.com"])
    response = api.post(f"/candidates/{made.pk}/export")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as zipped:
        contacts = json.loads(zipped.read("people-contactpoint.json"))
    assert [c["value"] for c in contacts] == ["cleo@example.com"]


@pytest.mark.parametrize("role", ["sourcer", "manager"])
def test_others_may_neither_erase_nor_export_nor_list(
    role: str, cast: dict[str, User], api_as: Callable[[User], ApiClient], make_candidate: Make
) -> None:
    made = make_candidate(first_name="Dan")
    client = api_as(cast[role])
    assert client.post(f"/candidates/{made.pk}/erase", {"reason": "mistake"}).status_code in (
        403,
        404,
    )
    assert client.post(f"/candidates/{made.pk}/export").status_code == 404
    assert client.get("/erasures").status_code == 404
    assert Candidate.objects.filter(pk=made.pk).exists()
