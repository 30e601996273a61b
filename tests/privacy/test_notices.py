"""Versions of the privacy notice: written as drafts, published once and never
edited again, shown publicly; consents that point at the version agreed to."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from rapport.accounts.models import User
from rapport.core.errors import PermissionDenied
from rapport.core.models import Activity, ActivityKind
from rapport.people.models import Candidate, ConsentState
from rapport.privacy import services
from rapport.privacy.models import Consent, PrivacyNotice
from rapport.privacy.selectors import notice_current
from tests.conftest import login


@pytest.fixture
def default(db: Any) -> PrivacyNotice:
    found = notice_current()
    assert found is not None
    return found


def test_a_fresh_installation_publishes_a_default_notice_anyone_can_read(
    client: Client, default: PrivacyNotice
) -> None:
    assert default.version == "1" and default.published_at is not None
    assert default.created_by is None
    response = client.get("/privacy/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Version 1" in page and "<h2>What we keep</h2>" in page
    assert "earlier version" not in page


def test_an_admin_writes_a_draft_edits_it_and_publishes_it(
    client: Client, default: PrivacyNotice, admin: User
) -> None:
    login(client, admin)
    response = client.post("/settings/privacy/", {"version": "2", "text": "## Hello\n\nDraft."})
    draft = PrivacyNotice.objects.get(version="2")
    assert response.status_code == 302 and response["Location"] == f"/settings/privacy/{draft.pk}/"
    assert draft.published_at is None and draft.created_by == admin
    # A draft is nobody's notice yet: not current, not public.
    assert notice_current() == default
    assert client.get("/privacy/2/").status_code == 404

    client.post(f"/settings/privacy/{draft.pk}/", {"version": "2", "text": "## Hello\n\nFinal."})
    draft.refresh_from_db()
    assert draft.text == "## Hello\n\nFinal."
    preview = client.get(f"/settings/privacy/{draft.pk}/").content.decode()
    assert "<h2>Hello</h2>" in preview and "Publish" in preview

    client.post(f"/settings/privacy/{draft.pk}/publish/")
    draft.refresh_from_db()
    assert draft.published_at is not None
    assert notice_current() == draft
    current = Client().get("/privacy/").content.decode()
    assert "Version 2" in current and "Final." in current
    # The earlier version stays readable, marked as such: consents point at it.
    earlier = Client().get("/privacy/1/").content.decode()
    assert "This is an earlier version" in earlier and "What we keep" in earlier


def test_a_published_version_is_never_edited(
    client: Client, default: PrivacyNotice, admin: User
) -> None:
    with pytest.raises(ValidationError, match="write a new version"):
        services.notice_update(actor=admin, notice=default, version="1", text="Changed")
    with pytest.raises(ValidationError):
        services.notice_publish(actor=admin, notice=default)
    with pytest.raises(ValidationError):
        services.notice_delete(actor=admin, notice=default)
    login(client, admin)
    client.post(f"/settings/privacy/{default.pk}/", {"version": "1", "text": "Changed"})
    default.refresh_from_db()
    assert "What we keep" in default.text
    page = client.get(f"/settings/privacy/{default.pk}/").content.decode()
    assert "Write a new version from this text" in page and "Save draft" not in page

    client.post(f"/settings/privacy/{default.pk}/copy/")
    copy = PrivacyNotice.objects.get(version="2")
    assert copy.text == default.text and copy.published_at is None


def test_versions_are_named_plainly_and_once(default: PrivacyNotice, admin: User) -> None:
    with pytest.raises(ValidationError) as taken:
        services.notice_create(actor=admin, version="1", text="Again")
    assert "already a version 1" in str(taken.value)
    for bad in ("", "two words", "../x", "x" * 41):
        with pytest.raises(ValidationError):
            services.notice_create(actor=admin, version=bad, text="Text")
    with pytest.raises(ValidationError, match="empty"):
        services.notice_create(actor=admin, version="2", text="   ")
    assert services.next_version() == "2"


def test_a_draft_can_be_deleted(client: Client, default: PrivacyNotice, admin: User) -> None:
    draft = services.notice_create(actor=admin, version="2b", text="Oops")
    login(client, admin).post(f"/settings/privacy/{draft.pk}/delete/")
    assert not PrivacyNotice.objects.filter(pk=draft.pk).exists()


def test_only_admins_see_or_write_notices(default: PrivacyNotice, cast: dict[str, User]) -> None:
    for name, user in cast.items():
        client = login(Client(), user)
        listing = client.get("/settings/privacy/")
        detail = client.get(f"/settings/privacy/{default.pk}/")
        created = client.post("/settings/privacy/", {"version": f"v-{name}", "text": "Mine"})
        if name == "admin":
            assert listing.status_code == 200 and "Version 1" in listing.content.decode()
            assert detail.status_code == 200
            assert created.status_code == 302
            continue
        assert (listing.status_code, detail.status_code, created.status_code) == (404, 404, 404)
        with pytest.raises(PermissionDenied):
            services.notice_create(actor=user, version=f"w-{name}", text="Mine")
    assert list(PrivacyNotice.objects.order_by("id").values_list("version", flat=True)) == [
        "1",
        "v-admin",
    ]


def test_the_admin_nav_links_to_the_notice_and_no_one_else_gets_the_link(
    cast: dict[str, User], default: PrivacyNotice
) -> None:
    for name, user in cast.items():
        page = login(Client(), user).get(reverse("candidate_list")).content.decode()
        assert ('href="/settings/privacy/"' in page) == (name == "admin"), name


def test_a_notice_cannot_run_scripts_on_the_public_page(
    client: Client, default: PrivacyNotice, admin: User
) -> None:
    text = "## Hi\n\n<script>alert(1)</script>\n\n[link](javascript:alert(2)) <img src=x onerror=alert(3)>"
    services.notice_publish(
        actor=admin, notice=services.notice_create(actor=admin, version="2", text=text)
    )
    page = client.get("/privacy/").content.decode()
    assert "<script>alert" not in page and "javascript:" not in page and "onerror" not in page
    assert "<h2>Hi</h2>" in page


def test_consent_records_the_version_sets_the_state_and_writes_the_timeline(
    default: PrivacyNotice, candidate: Candidate, admin: User
) -> None:
    consent = services.consent_record(
        candidate=candidate, notice=default, source="talent-community"
    )
    candidate.refresh_from_db()
    assert candidate.consent == ConsentState.GIVEN
    assert (consent.notice, consent.source, consent.purpose) == (
        default,
        "talent-community",
        "talent_pool",
    )
    event = Activity.objects.get(candidate=candidate, kind=ActivityKind.CONSENT_GIVEN)
    assert event.actor is None and event.target_id == consent.pk
    assert event.data == {"notice": "1", "source": "talent-community", "purpose": "talent_pool"}
    assert event.summary == "Agreed to the privacy notice, version 1 (talent-community)"

    draft = services.notice_create(actor=admin, version="2", text="Not yet")
    with pytest.raises(ValidationError, match="not published"):
        services.consent_record(candidate=candidate, notice=draft, source="talent-community")
    assert Consent.objects.count() == 1


def test_the_list_counts_consents_per_version(
    client: Client, default: PrivacyNotice, candidate: Candidate, admin: User
) -> None:
    services.consent_record(candidate=candidate, notice=default, source="talent-community")
    services.notice_create(actor=admin, version="2", text="Draft")
    page = login(client, admin).get("/settings/privacy/").content.decode()
    assert page.index("Version 2") < page.index("Version 1")  # drafts first
    assert '<td class="num">1</td>' in page and "Draft" in page and "Current" in page
