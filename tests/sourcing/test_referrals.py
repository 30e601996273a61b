"""Referrals: anyone signed in refers someone; the person is found or added
(never twice), the referrer credited and, when their referral brought the
person in, able to follow them; "My referrals" shows the progress. Every
permission test runs across the whole cast."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rapport.accounts.models import User
from rapport.core.models import Activity, ActivityKind
from rapport.people.models import Candidate, CandidateShare, Note
from rapport.sourcing.models import Referral, Resume
from tests.conftest import login
from tests.sourcing.test_community import pdf_resume

SEE_ALL = ("admin", "owner", "teammate", "sourcer")


def refer(client: Client, **fields: Any) -> Any:
    data = {
        "first_name": "Ines",
        "last_name": "Duarte",
        "email": "ines.duarte@example.net",
        "phone": "",
        "linkedin_url": "",
        "current_title": "Data engineer",
        "current_company": "Tidewater",
        "note": "Worked with her for three years; brilliant with **Airflow**.",
        "told": "on",
        **fields,
    }
    return client.post("/refer/new/", {k: v for k, v in data.items() if v is not None})


def test_everyone_signed_in_may_refer_and_nobody_else(
    client: Client, cast: dict[str, User]
) -> None:
    assert client.get("/refer/new/").status_code == 302  # to the login page
    for name, user in cast.items():
        page = login(Client(), user).get("/refer/new/")
        assert page.status_code == 200, name
        assert "Refer someone" in page.content.decode()
        assert 'href="/refer/"' in page.content.decode()  # in everyone's navigation


@pytest.mark.parametrize("name", ["admin", "owner", "teammate", "sourcer", "manager", "outsider"])
def test_a_referral_adds_the_person_credits_the_referrer_and_lets_them_follow(
    name: str, cast: dict[str, User]
) -> None:
    referrer = cast[name]
    client = login(Client(), referrer)
    response = refer(client)
    assert response.status_code == 302 and response["Location"] == "/refer/"
    ines = Candidate.objects.get()
    assert (ines.first_name, ines.source, ines.current_title) == (
        "Ines",
        "referral",
        "Data engineer",
    )
    assert ines.created_by == referrer
    # A role that may own candidates owns its referral; a hiring manager's waits for a recruiter.
    assert ines.owner == (referrer if name in SEE_ALL else None)
    referral = Referral.objects.get()
    assert (referral.candidate, referral.referrer) == (ines, referrer)
    assert "Airflow" in referral.note
    note = Note.objects.get(candidate=ines)
    assert note.author == referrer and "<strong>Airflow</strong>" in note.body_html
    created = Activity.objects.get(candidate=ines, kind=ActivityKind.CANDIDATE_CREATED)
    assert created.summary == f"Referred by {referrer.display_name}"

    shared = CandidateShare.objects.filter(candidate=ines, user=referrer).exists()
    assert shared == (name not in SEE_ALL)
    listing = client.get("/refer/").content.decode()
    assert "is now in the talent pool" in listing
    assert f'href="/candidates/{ines.pk}/"' in listing
    profile = client.get(f"/candidates/{ines.pk}/")
    assert profile.status_code == 200 and "Ines Duarte" in profile.content.decode()
    # Nobody else who cannot see the whole pool gains anything from it.
    for other, user in cast.items():
        if other not in SEE_ALL and other != name:
            assert login(Client(), user).get(f"/candidates/{ines.pk}/").status_code == 404


def test_someone_already_known_is_found_not_added_twice_and_filled_in_not_overwritten(
    cast: dict[str, User], make_candidate: Callable[..., Candidate]
) -> None:
    known = make_candidate(
        first_name="Inês", last_name="Duarte", emails=["ines@work.example"], phones=[],
        linkedin_url="https://www.linkedin.com/in/ines-duarte",
    )  # fmt: skip
    client = login(Client(), cast["outsider"])
    response = refer(
        client, email="ines.duarte@example.net", first_name="Ines",
        linkedin_url="linkedin.com/in/Ines-Duarte/", phone="+351 912 345 678",
    )  # fmt: skip
    assert response.status_code == 302
    assert Candidate.objects.count() == 1
    known.refresh_from_db()
    assert known.first_name == "Inês"  # kept
    assert (known.current_title, known.current_company) == ("Data engineer", "Tidewater")  # filled
    assert set(known.contacts.values_list("value", flat=True)) == {
        "ines@work.example",
        "ines.duarte@example.net",
        "+351912345678",
    }
    assert known.contacts.get(value="ines@work.example").is_primary
    assert Referral.objects.get().candidate == known
    # Referring a known address is no way into a record one may not read.
    assert not CandidateShare.objects.filter(candidate=known, user=cast["outsider"]).exists()
    assert client.get(f"/candidates/{known.pk}/").status_code == 404
    listing = client.get("/refer/").content.decode()
    assert "was already known to the recruiting team" in listing
    assert "Inês Duarte" in listing and f'href="/candidates/{known.pk}/"' not in listing
    event = Activity.objects.get(candidate=known, summary="Referred by Otto Outsider")
    assert event.actor == cast["outsider"]


def test_referring_the_same_person_again_adds_the_note_not_a_second_referral(
    owner: User,
) -> None:
    client = login(Client(), owner)
    refer(client)
    response = refer(client, note="She is looking now.")
    assert Referral.objects.count() == 1 and Candidate.objects.count() == 1
    assert (
        "You had referred Ines Duarte before" in client.get(response["Location"]).content.decode()
    )
    assert Note.objects.filter(body="She is looking now.").exists()


def test_the_form_needs_a_way_to_reach_them_and_their_agreement(owner: User) -> None:
    client = login(Client(), owner)
    page = refer(client, email="", phone="", told=None).content.decode()
    assert "Give an email address or a phone number" not in page  # the box is checked first
    assert "Ask them first: tick this once they know." in page
    page = refer(client, email="", phone="").content.decode()
    assert "Give an email address or a phone number, so the team can reach them." in page
    page = refer(client, email="", phone="912 345").content.decode()
    assert "is not a phone number" in page
    page = refer(client, email="not an address").content.decode()
    assert "is not a valid email address" in page
    assert not Candidate.objects.exists() and not Referral.objects.exists()


def test_a_cv_sent_with_a_referral_is_kept_with_the_candidate(manager: User) -> None:
    upload = SimpleUploadedFile(
        "ines.pdf", pdf_resume("Ines Duarte"), content_type="application/pdf"
    )
    refer(login(Client(), manager), resume=upload)
    resume = Resume.objects.get()
    ines = Candidate.objects.get()
    assert (resume.candidate, resume.uploaded_by) == (ines, manager)
    assert Activity.objects.filter(candidate=ines, summary__contains="sent a CV").exists()


def test_my_referrals_shows_progress_since_the_referral(
    cast: dict[str, User], make_candidate: Callable[..., Candidate]
) -> None:
    manager = cast["manager"]
    client = login(Client(), manager)
    refer(client)
    refer(client, first_name="Rui", last_name="Costa", email="rui@example.net")
    ines = Candidate.objects.get(first_name="Ines")
    Candidate.objects.filter(pk=ines.pk).update(
        last_contacted_at=timezone.now() + dt.timedelta(minutes=1),
        engagement_score=70,
        owner=cast["owner"],
    )
    with CaptureQueriesContext(connection) as two:
        page = client.get("/refer/").content.decode()
    assert "My referrals" in page
    page = page[page.index("<tbody>") :]
    rui_row = page[page.index("Rui Costa") : page.index("Ines Duarte")]  # newest first
    ines_row = page[page.index("Ines Duarte") :]
    assert "Not yet" not in ines_row and "High" in ines_row and "Rita Recruiter" in ines_row
    assert "Not yet" in rui_row and "None" in rui_row
    assert "Stage" not in page  # no jobs yet, so no stage is made up
    # Only one's own referrals, in the same queries however many there are.
    refer(login(Client(), cast["outsider"]), first_name="Eva", email="eva@example.net")
    for n in range(3):
        refer(client, first_name=f"Friend{n}", email=f"friend{n}@example.net")
    with CaptureQueriesContext(connection) as five:
        page = client.get("/refer/").content.decode()
    assert "Friend2" in page and "Eva" not in page
    assert len(five) == len(two)


def test_the_team_sees_everyones_referrals_and_who_to_thank(cast: dict[str, User]) -> None:
    refer(login(Client(), cast["manager"]))
    for name, user in cast.items():
        page = login(Client(), user).get("/refer/?all=1").content.decode()
        if name in SEE_ALL:
            assert "All referrals" in page and "Ines Duarte" in page and "Hana Manager" in page
        else:
            assert "All referrals" not in page and "Everyone" not in page, name
