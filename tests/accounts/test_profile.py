"""A person's own profile: name, time zone (interview times) and signature."""

from __future__ import annotations

import pytest
from django.test import Client

from rapport.accounts.models import User
from rapport.jobs.interviews import user_zone
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_a_person_sets_their_name_time_zone_and_signature(owner: User) -> None:
    client = login(Client(), owner)
    page = client.get("/account/").content.decode()
    assert "Your profile" in page and 'value="Rita Recruiter"' in page
    response = client.post(
        "/account/",
        {
            "form": "profile",
            "name": "  Rita   Park ",
            "timezone": "Asia/Tokyo",
            "signature": "Rita\n*Talent, Lumen*",
        },
        follow=True,
    )
    assert "Your profile is saved." in response.content.decode()
    owner.refresh_from_db()
    assert (owner.name, owner.timezone, owner.signature) == (
        "Rita Park",
        "Asia/Tokyo",
        "Rita\n*Talent, Lumen*",
    )
    assert user_zone(owner) == "Asia/Tokyo"


def test_an_unknown_time_zone_is_refused_next_to_the_field(owner: User) -> None:
    client = login(Client(), owner)
    response = client.post(
        "/account/", {"form": "profile", "name": "Rita", "timezone": "Mars/Olympus"}
    )
    page = response.content.decode()
    assert "&#x27;Mars/Olympus&#x27; is not a time zone" in page
    owner.refresh_from_db()
    assert owner.timezone == ""


def test_making_a_token_still_works_beside_the_profile(owner: User) -> None:
    client = login(Client(), owner)
    page = client.post("/account/", {"form": "token", "name": "sync"}).content.decode()
    assert "Copy your new token now." in page
    assert owner.api_tokens.filter(name="sync").exists()
