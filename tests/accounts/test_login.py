from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from rapport.accounts.models import ApiToken, User
from rapport.accounts.services import token_authenticate
from tests.conftest import PASSWORD


def sign_in(client: Client, email: str, password: str) -> str:
    response = client.post("/login/", {"email": email, "password": password})
    return response.content.decode() if response.status_code == 200 else response["Location"]


def test_a_user_signs_in_with_email_and_password(client: Client, owner: User) -> None:
    assert sign_in(client, "RITA@example.com", PASSWORD) == "/candidates/"
    assert "Rita Recruiter" in client.get("/candidates/").content.decode()


def test_a_wrong_password_says_so_without_saying_which_part(client: Client, owner: User) -> None:
    html = sign_in(client, owner.email, "nope")
    assert "do not match an active account" in html


def test_an_unknown_address_gets_the_same_answer(client: Client, db: None) -> None:
    assert "do not match an active account" in sign_in(client, "nobody@example.com", "nope")


def test_a_deactivated_user_cannot_sign_in(client: Client, owner: User) -> None:
    owner.is_active = False
    owner.save()
    assert "do not match" in sign_in(client, owner.email, PASSWORD)


@override_settings(LOGIN_THROTTLE_FAILURES=3)
def test_logins_are_throttled_after_repeated_failures(client: Client, owner: User) -> None:
    for _ in range(3):
        sign_in(client, owner.email, "wrong")
    html = sign_in(client, owner.email, PASSWORD)
    assert "Too many failed attempts" in html
    assert "_auth_user_id" not in client.session


def test_a_success_clears_earlier_failures(client: Client, owner: User) -> None:
    for _ in range(4):
        sign_in(client, owner.email, "wrong")
    assert sign_in(client, owner.email, PASSWORD) == "/candidates/"
    client.logout()
    for _ in range(4):
        sign_in(client, owner.email, "wrong")
    assert sign_in(client, owner.email, PASSWORD) == "/candidates/"


def test_the_next_parameter_only_redirects_inside_rapport(client: Client, owner: User) -> None:
    response = client.post(
        "/login/?next=https://evil.example.com/", {"email": owner.email, "password": PASSWORD}
    )
    assert response["Location"] == "/candidates/"


def test_a_token_made_on_the_account_page_is_shown_once_and_works(
    client: Client, owner: User
) -> None:
    client.force_login(owner)
    html = client.post("/account/", {"name": "HR sync"}).content.decode()
    token = ApiToken.objects.get(user=owner)
    plain = html.split("<code data-token>")[1].split("</code>")[0]
    assert plain.startswith(token.prefix) and token_authenticate(plain) == owner
    assert plain not in client.get("/account/").content.decode()
    client.post(f"/account/tokens/{token.pk}/revoke/")
    assert token_authenticate(plain) is None


def test_the_token_command_prints_a_working_token(
    owner: User, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("token", "create", owner.email, "--name", "script")
    plain = capsys.readouterr().out.strip().splitlines()[-1]
    assert token_authenticate(plain) == owner


def test_the_createuser_command_prints_a_working_password(
    client: Client, db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("createuser", "new@example.com", "--role", "sourcer")
    password = capsys.readouterr().out.split("Password (shown once): ")[1].strip()
    assert User.objects.get(email="new@example.com").role == "sourcer"
    assert sign_in(client, "new@example.com", password) == "/candidates/"
