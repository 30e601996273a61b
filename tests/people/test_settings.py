from __future__ import annotations

import pytest
from django.test import Client

from rapport.accounts.models import ApiToken, User
from rapport.accounts.services import token_create
from rapport.people.models import Candidate, CustomField
from tests.conftest import login


@pytest.mark.parametrize("role", ["owner", "teammate", "sourcer", "manager", "outsider"])
def test_only_admins_reach_the_settings_pages(
    client: Client, cast: dict[str, User], role: str
) -> None:
    login(client, cast[role])
    assert client.get("/settings/fields/").status_code == 404
    assert client.get("/settings/team/").status_code == 404
    client.post("/settings/fields/", {"label": "Clearance", "field_type": "text"})
    assert not CustomField.objects.exists()


def test_an_admin_adds_a_choice_field_that_appears_on_every_profile(
    client: Client, admin: User, candidate: Candidate
) -> None:
    login(client, admin)
    client.post(
        "/settings/fields/",
        {"label": "Security clearance", "field_type": "choice", "choices": "SC, DV"},
    )
    field = CustomField.objects.get()
    assert (field.key, field.choices) == ("security_clearance", ["SC", "DV"])
    form = client.get(f"/candidates/{candidate.pk}/edit/").content.decode()
    assert "Security clearance" in form and '<option value="DV">' in form
    client.post(
        f"/candidates/{candidate.pk}/edit/",
        {"first_name": "Maria", "last_name": "Souza", "cf_security_clearance": "DV"},
    )
    candidate.refresh_from_db()
    assert candidate.custom_fields == {"security_clearance": "DV"}
    assert "Security clearance" in client.get(f"/candidates/{candidate.pk}/").content.decode()


def test_a_choice_field_without_choices_is_refused(client: Client, admin: User) -> None:
    html = (
        login(client, admin)
        .post("/settings/fields/", {"label": "Band", "field_type": "choice"})
        .content.decode()
    )
    assert "needs at least two choices" in html
    assert not CustomField.objects.exists()


def test_an_admin_adds_a_teammate_and_sees_the_password_once(client: Client, admin: User) -> None:
    html = (
        login(client, admin)
        .post("/settings/team/", {"email": "nina@example.com", "name": "Nina", "role": "sourcer"})
        .content.decode()
    )
    password = html.split("<code data-password>")[1].split("</code>")[0]
    nina = User.objects.get(email="nina@example.com")
    assert nina.role == "sourcer" and nina.check_password(password)
    assert password not in client.get("/settings/team/").content.decode()


def test_deactivating_a_user_revokes_their_tokens(
    client: Client, admin: User, sourcer: User
) -> None:
    token_create(user=sourcer)
    login(client, admin).post(f"/settings/team/{sourcer.pk}/", {"role": "sourcer"})
    sourcer.refresh_from_db()
    assert not sourcer.is_active
    assert ApiToken.objects.get(user=sourcer).revoked_at is not None


def test_an_admin_cannot_remove_their_own_admin_role(client: Client, admin: User) -> None:
    html = (
        login(client, admin)
        .post(f"/settings/team/{admin.pk}/", {"role": "recruiter", "is_active": "on"}, follow=True)
        .content.decode()
    )
    admin.refresh_from_db()
    assert admin.role == "admin"
    assert "cannot remove your own admin access" in html


def test_values_of_a_removed_field_survive_later_edits(
    client: Client, admin: User, candidate: Candidate
) -> None:
    login(client, admin)
    client.post("/settings/fields/", {"label": "Notice", "field_type": "number"})
    client.post(
        f"/candidates/{candidate.pk}/edit/",
        {"first_name": "Maria", "last_name": "Souza", "cf_notice": "4"},
    )
    client.post(f"/settings/fields/{CustomField.objects.get().pk}/delete/")
    client.post(
        f"/candidates/{candidate.pk}/edit/",
        {"first_name": "Maria", "last_name": "Souza", "city": "Recife"},
    )
    candidate.refresh_from_db()
    assert (candidate.city, candidate.custom_fields) == ("Recife", {"notice": 4})
    client.post("/settings/fields/", {"label": "Notice", "field_type": "number"})
    assert (
        "4"
        in client.get(f"/candidates/{candidate.pk}/").content.decode().split("Notice</dt>")[1][:30]
    )
