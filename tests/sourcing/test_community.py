"""The talent community, end to end: the public page, the confirmation
email through a real SMTP server (aiosmtpd on loopback), the link, the
candidate it makes or fills in, consent with the notice's version, the
honeypot, the rate limits, expired and reused links, and the team's page."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from fpdf import FPDF

from rapport.accounts.models import User
from rapport.core.models import Activity, ActivityKind
from rapport.outreach.models import Preference, Suppression, SuppressionReason
from rapport.outreach.policy import address_digest
from rapport.people.models import Candidate, ConsentState, ContactPoint, Note, Pool
from rapport.people.services import pool_create
from rapport.privacy.models import Consent, PrivacyNotice
from rapport.privacy.selectors import notice_current
from rapport.sourcing import community
from rapport.sourcing.models import CommunitySignup, Resume
from tests.conftest import login
from tests.outreach.conftest import Received, Sink, html, plain, smtp_sink

__all__ = ["smtp_sink"]  # the outreach fixture, used here too

TASK = "rapport.sourcing.community_tasks.community_confirmation_send"
LINK = re.compile(r"https?://\S+/join/confirm/([\w-]+)/")


# --- helpers


def run_confirmations() -> list[str]:
    """Run the confirmation tasks that are due, as a worker would."""
    outcomes = []
    for row in DBTaskResult.objects.ready().filter(task_path=TASK).order_by("enqueued_at"):
        row.claim("test-worker")
        value = row.task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
        row.set_successful(value)
        outcomes.append(value)
    return outcomes


def sign_up(client: Client, *, ip: str = "203.0.113.7", path: str = "/join/", **fields: Any) -> Any:
    data = {
        "first_name": "Jo",
        "last_name": "Almeida",
        "email": "jo.almeida@example.net",
        "roles": "Backend engineering",
        "departments": "Platform",
        "locations": "Lisbon or remote",
        "agree": "on",
        "notice": (notice_current() or PrivacyNotice()).version,
        "leave_blank": "",
        **fields,
    }
    return client.post(path, {k: v for k, v in data.items() if v is not None}, REMOTE_ADDR=ip)


def link_in(received: Received) -> str:
    found = LINK.search(plain(received))
    assert found is not None, plain(received)
    return found.group(0)


def confirm_path(received: Received) -> str:
    found = LINK.search(plain(received))
    assert found is not None
    return f"/join/confirm/{found.group(1)}/"


def join_path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def pdf_resume(name: str = "Jo Almeida") -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    for line in (name, "jo.almeida@example.net", "Backend engineer", "Python, Django, PostgreSQL"):
        pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    out = io.BytesIO()
    pdf.output(out)
    return out.getvalue()


@pytest.fixture
def notice(db: Any) -> PrivacyNotice:
    """The notice a fresh installation publishes (privacy migration 0002)."""
    found = notice_current()
    assert found is not None and found.version == "1"
    return found


@pytest.fixture
def fresh_cache() -> None:
    from django.core.cache import cache

    cache.clear()


# --- the public page


def test_the_sign_up_page_needs_no_login_and_shows_the_current_notice(
    client: Client, notice: PrivacyNotice
) -> None:
    response = client.get("/join/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Join our talent community" in page
    assert "I have read the privacy notice (version 1) and agree to it" in page
    assert "What we keep" in page  # the notice's text, there to read
    assert 'name="notice" value="1"' in page
    # The honeypot is in the form but out of sight and out of the tab order.
    assert 'class="trap" aria-hidden="true"' in page and 'tabindex="-1"' in page
    assert response["Cache-Control"] == "private, no-store"


def test_the_sign_up_page_is_closed_while_no_notice_is_published(client: Client, db: Any) -> None:
    PrivacyNotice.objects.update(published_at=None)
    response = client.get("/join/")
    assert response.status_code == 503
    assert "isn't open yet" in response.content.decode()
    assert not CommunitySignup.objects.exists()


# --- double opt-in, end to end


def test_a_person_signs_up_receives_the_email_and_the_link_makes_them_a_candidate(
    client: Client, notice: PrivacyNotice, smtp_sink: Sink, settings: Any
) -> None:
    settings.BASE_URL = "https://talent.example.com"
    response = sign_up(client)
    assert response.status_code == 200
    assert "Check your inbox" in response.content.decode()
    assert "jo.almeida@example.net" in response.content.decode()
    signup = CommunitySignup.objects.get()
    assert not Candidate.objects.exists()  # nothing in the pool before the email is confirmed
    assert len(signup.token_digest) == 64 and signup.client_digest
    assert "203.0.113.7" not in signup.client_digest

    assert run_confirmations() == ["sent"]
    [mail] = smtp_sink.received
    assert mail.rcpt_tos == ["jo.almeida@example.net"]
    assert mail.message["Subject"] == "Please confirm your email address"
    assert mail.message["From"] == settings.DEFAULT_FROM_EMAIL
    assert mail.message["Auto-Submitted"] == "auto-generated"
    link = link_in(mail)
    assert link.startswith("https://talent.example.com/join/confirm/")
    assert link in html(mail)
    token = LINK.search(link).group(1)  # type: ignore[union-attr]
    assert signup.token_digest == community.token_digest(token)  # only the digest is kept

    path = link.removeprefix("https://talent.example.com")
    page = client.get(path)
    assert page.status_code == 200 and "One last step, Jo" in page.content.decode()
    assert not Candidate.objects.exists()  # opening the link (a mail scanner) confirms nothing

    welcome = client.post(path)
    assert welcome.status_code == 200
    text = welcome.content.decode()
    assert "Welcome aboard, Jo!" in text
    jo = Candidate.objects.get()
    assert (jo.first_name, jo.last_name, jo.source) == ("Jo", "Almeida", "talent-community")
    assert jo.owner is None and jo.created_by is None
    assert jo.consent == ConsentState.GIVEN
    assert list(jo.contacts.values_list("value", flat=True)) == ["jo.almeida@example.net"]
    consent = Consent.objects.get(candidate=jo)
    assert (consent.notice, consent.source, consent.purpose) == (
        notice,
        "talent-community",
        "talent_pool",
    )
    given = Activity.objects.get(candidate=jo, kind=ActivityKind.CONSENT_GIVEN)
    assert given.data["notice"] == "1" and given.actor is None
    assert "version 1" in given.summary
    note = Note.objects.get(candidate=jo)
    assert "Backend engineering" in note.body and "Lisbon or remote" in note.body
    preference = Preference.objects.get(candidate=jo)
    assert (preference.roles, preference.locations) == (
        "Backend engineering; Platform",
        "Lisbon or remote",
    )
    signup.refresh_from_db()
    assert signup.confirmed_at is not None and signup.candidate == jo

    # The thank-you page leads to their preference centre, which knows them.
    preferences = re.search(r'href="(/preferences/[^"]+/)"', text)
    assert preferences is not None
    centre = client.get(preferences.group(1)).content.decode()
    assert "Hi Jo, what would you like to hear about?" in centre
    assert "Backend engineering; Platform" in centre


def test_running_the_send_twice_sends_the_same_message_with_the_same_link(
    client: Client, notice: PrivacyNotice, smtp_sink: Sink
) -> None:
    sign_up(client)
    signup = CommunitySignup.objects.get()
    assert community.confirmation_deliver(signup_id=signup.pk) == "sent"
    assert community.confirmation_deliver(signup_id=signup.pk) == "sent"
    first, second = smtp_sink.received
    assert link_in(first) == link_in(second)
    assert first.message["Message-ID"] == second.message["Message-ID"]


def test_a_deferred_confirmation_is_tried_again_later(
    client: Client, notice: PrivacyNotice, smtp_sink: Sink
) -> None:
    sign_up(client)
    smtp_sink.fail_next.append("451 4.3.0 Try again later")
    assert run_confirmations() == ["deferred"]
    assert not smtp_sink.received
    retry = DBTaskResult.objects.filter(task_path=TASK, status="READY").get()
    assert retry.args_kwargs["kwargs"]["attempt"] == 1
    assert retry.run_after > timezone.now()
    retry.run_after = timezone.now()
    retry.save(update_fields=["run_after"])
    assert run_confirmations() == ["sent"]
    assert len(smtp_sink.received) == 1


def test_a_suppressed_address_is_never_mailed(
    client: Client, notice: PrivacyNotice, smtp_sink: Sink
) -> None:
    Suppression.objects.create(
        digest=address_digest("jo.almeida@example.net"), reason=SuppressionReason.LEFT
    )
    response = sign_up(client)
    assert "Check your inbox" in response.content.decode()  # the same page as anyone's
    assert run_confirmations() == ["suppressed"]
    assert not smtp_sink.received


def test_without_a_mail_server_the_confirmation_waits_and_says_why(
    client: Client, notice: PrivacyNotice, settings: Any, caplog: Any
) -> None:
    settings.EMAIL_URL = ""
    sign_up(client)
    assert run_confirmations() == ["captured"]
    assert "no mail server" in caplog.text
    assert CommunitySignup.objects.get().confirmed_at is None


# --- who the person turns out to be


def test_an_existing_candidate_is_matched_filled_in_and_never_overwritten(
    client: Client, notice: PrivacyNotice, smtp_sink: Sink, make_candidate: Callable[..., Any]
) -> None:
    known = make_candidate(
        first_name="Joanna", last_name="", emails=["jo.almeida@example.net"], source="import"
    )
    sign_up(client, email="  Jo.Almeida@Example.NET ")
    run_confirmations()
    client.post(confirm_path(smtp_sink.received[0]))
    assert Candidate.objects.count() == 1
    known.refresh_from_db()
    assert known.first_name == "Joanna"  # kept: what we knew is not replaced
    assert known.last_name == "Almeida"  # filled: it was blank
    assert known.source == "import"  # how they first came in
    assert known.consent == ConsentState.GIVEN
    assert ContactPoint.objects.filter(candidate=known).count() == 1
    filled = Activity.objects.get(candidate=known, kind=ActivityKind.CANDIDATE_UPDATED)
    assert filled.data["fields"] == ["last_name"]


def test_the_page_and_the_email_read_the_same_for_a_known_and_an_unknown_address(
    client: Client, notice: PrivacyNotice, smtp_sink: Sink, make_candidate: Callable[..., Any]
) -> None:
    make_candidate(first_name="Kim", emails=["known@example.net"])
    pages = []
    for address in ("known@example.net", "unknown@example.net"):
        response = sign_up(client, email=address)
        pages.append(response.content.decode().replace(address, "ADDRESS"))
    assert pages[0] == pages[1]
    run_confirmations()
    bodies = [LINK.sub("LINK", plain(mail)) for mail in smtp_sink.received]
    assert len(bodies) == 2 and bodies[0] == bodies[1]
    subjects = {mail.message["Subject"] for mail in smtp_sink.received}
    assert len(subjects) == 1


def test_two_sign_ups_of_one_new_address_make_one_candidate(
    client: Client, notice: PrivacyNotice, smtp_sink: Sink
) -> None:
    sign_up(client, roles="Data")
    sign_up(client, roles="Design")
    run_confirmations()
    for mail in smtp_sink.received:
        assert client.post(confirm_path(mail)).status_code == 200
    assert Candidate.objects.count() == 1
    assert Consent.objects.count() == 2


# --- links that cannot confirm


def _signed_up_link(client: Client, smtp_sink: Sink) -> str:
    sign_up(client)
    run_confirmations()
    return confirm_path(smtp_sink.received[-1])


def test_an_expired_link_says_so_and_confirms_nothing(
    client: Client, notice: PrivacyNotice, smtp_sink: Sink
) -> None:
    path = _signed_up_link(client, smtp_sink)
    CommunitySignup.objects.update(
        created_at=timezone.now() - dt.timedelta(hours=community.CONFIRM_HOURS, minutes=1)
    )
    for response in (client.get(path), client.post(path)):
        assert response.status_code == 410
        assert "This link has expired" in response.content.decode()
    assert not Candidate.objects.exists()


def test_a_link_confirms_once(client: Client, notice: PrivacyNotice, smtp_sink: Sink) -> None:
    path = _signed_up_link(client, smtp_sink)
    assert "Welcome aboard" in client.post(path).content.decode()
    again = client.post(path)
    assert "You've already confirmed" in again.content.decode()
    assert "/preferences/" not in again.content.decode()
    assert Consent.objects.count() == 1
    assert Activity.objects.filter(kind=ActivityKind.CONSENT_GIVEN).count() == 1


def test_an_unknown_or_altered_link_is_not_found(
    client: Client, notice: PrivacyNotice, smtp_sink: Sink
) -> None:
    path = _signed_up_link(client, smtp_sink)
    altered = path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:]
    for bad in (altered, "/join/confirm/nothing-here/"):
        response = client.post(bad)
        assert response.status_code == 404
        assert "This link isn't working" in response.content.decode()
    assert not Candidate.objects.exists()


# --- robots and rate limits


def test_the_honeypot_gets_the_same_page_and_nothing_is_kept_or_sent(
    client: Client, notice: PrivacyNotice, smtp_sink: Sink
) -> None:
    human = sign_up(client, email="a@example.net").content.decode().replace("a@example.net", "X")
    robot = sign_up(client, email="b@example.net", leave_blank="http://spam.example")
    assert robot.status_code == 200
    assert robot.content.decode().replace("b@example.net", "X") == human
    assert list(CommunitySignup.objects.values_list("email", flat=True)) == ["a@example.net"]
    run_confirmations()
    assert [m.rcpt_tos for m in smtp_sink.received] == [["a@example.net"]]


def test_a_client_that_signs_up_too_often_is_asked_to_wait(
    client: Client, notice: PrivacyNotice
) -> None:
    for n in range(community.CLIENT_LIMIT):
        assert sign_up(client, email=f"p{n}@example.net").status_code == 200
    refused = sign_up(client, email="one-more@example.net")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "3600"
    assert "try again in a little while" in refused.content.decode()
    assert not CommunitySignup.objects.filter(email="one-more@example.net").exists()
    # Someone else is not held up by it.
    assert sign_up(client, email="other@example.net", ip="198.51.100.9").status_code == 200


def test_ipv6_clients_are_counted_by_their_64_block_and_the_address_is_never_kept(
    client: Client, notice: PrivacyNotice
) -> None:
    for n in range(community.CLIENT_LIMIT):
        sign_up(client, email=f"v{n}@example.net", ip=f"2001:db8:1:2::{n + 1:x}")
    assert sign_up(client, email="x@example.net", ip="2001:db8:1:2:ffff::9").status_code == 429
    assert sign_up(client, email="y@example.net", ip="2001:db8:1:3::1").status_code == 200
    digests = set(CommunitySignup.objects.values_list("client_digest", flat=True))
    assert len(digests) == 2 and not any("2001" in d for d in digests)


def test_an_address_signed_up_too_often_gets_the_same_page_and_no_more_mail(
    client: Client, notice: PrivacyNotice, smtp_sink: Sink
) -> None:
    pages = set()
    for n in range(community.EMAIL_LIMIT + 2):
        response = sign_up(client, ip=f"198.51.100.{n + 1}")
        assert response.status_code == 200
        pages.add(response.content.decode())
    assert len(pages) == 1
    assert CommunitySignup.objects.count() == community.EMAIL_LIMIT
    run_confirmations()
    assert len(smtp_sink.received) == community.EMAIL_LIMIT


# --- what the form checks


def test_the_box_must_be_ticked_and_the_name_and_address_given(
    client: Client, notice: PrivacyNotice
) -> None:
    response = sign_up(client, agree=None, first_name="", email="not-an-address")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Please tick the box to agree to the privacy notice" in page
    assert "Enter your email address, like name@example.com." in page
    assert "This field is required." in page
    assert not CommunitySignup.objects.exists()


def test_the_consent_names_the_version_the_person_read(
    client: Client, notice: PrivacyNotice, smtp_sink: Sink, admin: User
) -> None:
    from rapport.privacy.services import notice_create, notice_publish

    page = client.get("/join/").content.decode()
    assert 'name="notice" value="1"' in page
    newer = notice_publish(
        actor=admin, notice=notice_create(actor=admin, version="2", text="## New words")
    )
    assert notice_current() == newer
    sign_up(client, notice="1")  # the page they read still said version 1
    run_confirmations()
    client.post(confirm_path(smtp_sink.received[0]))
    assert Consent.objects.get().notice == notice
    # A version that was never published is not something anyone agreed to.
    draft = notice_create(actor=admin, version="3", text="Draft")
    response = sign_up(client, email="z@example.net", notice=draft.version)
    assert "Our privacy notice has just changed" in response.content.decode()
    assert not CommunitySignup.objects.filter(email="z@example.net").exists()


# --- pools and CVs


def test_a_pool_link_puts_the_person_in_the_pool_and_a_forged_one_does_not(
    client: Client, notice: PrivacyNotice, smtp_sink: Sink, owner: User
) -> None:
    backend = pool_create(actor=owner, name="Backend community")
    secret = pool_create(actor=owner, name="Do not contact")
    path = join_path(community.join_url(backend))
    page = client.get(path)
    assert page.status_code == 200 and "Backend community" not in page.content.decode()
    assert page["X-Robots-Tag"] == "noindex, nofollow"
    sign_up(client, path=path)
    forged = f"{secret.pk:x}-{community.pool_token(backend).split('-', 1)[1]}"
    sign_up(client, path=f"/join/{forged}/", email="forger@example.net")
    run_confirmations()
    for mail in smtp_sink.received:
        client.post(confirm_path(mail))
    jo = Candidate.objects.get(contacts__value="jo.almeida@example.net")
    forger = Candidate.objects.get(contacts__value="forger@example.net")
    assert list(Pool.objects.filter(candidates=jo)) == [backend]
    assert not Pool.objects.filter(candidates=forger).exists()
    joined = Activity.objects.get(candidate=jo, kind=ActivityKind.POOL_ADDED)
    assert joined.actor is None and joined.summary == "Backend community"


def test_a_cv_sent_with_the_sign_up_becomes_the_candidates_once_they_confirm(
    client: Client, notice: PrivacyNotice, smtp_sink: Sink
) -> None:
    upload = SimpleUploadedFile("Jo CV.pdf", pdf_resume(), content_type="application/pdf")
    sign_up(client, resume=upload)
    resume = Resume.objects.get()
    assert resume.candidate is None and resume.uploaded_by is None
    assert "Backend engineer" in resume.text
    assert not resume.file.name.endswith("Jo CV.pdf")  # stored under a generated name
    run_confirmations()
    client.post(confirm_path(smtp_sink.received[0]))
    resume.refresh_from_db()
    jo = Candidate.objects.get()
    assert resume.candidate == jo
    assert Activity.objects.filter(candidate=jo, summary__startswith="Sent a CV").exists()


def test_a_file_that_is_not_a_cv_is_refused_with_a_reason(
    client: Client, notice: PrivacyNotice
) -> None:
    fake = SimpleUploadedFile(
        "cv.pdf", b"MZ\x90\x00 this is a program", content_type="application/pdf"
    )
    response = sign_up(client, resume=fake)
    page = response.content.decode()
    assert "Please check the highlighted fields" in page
    assert "cv.pdf" in page
    assert not CommunitySignup.objects.exists() and not Resume.objects.exists()


# --- clean-up


def test_sign_ups_never_confirmed_are_deleted_with_their_cv_once_stale(
    client: Client, notice: PrivacyNotice, django_capture_on_commit_callbacks: Any
) -> None:
    upload = SimpleUploadedFile("cv.pdf", pdf_resume(), content_type="application/pdf")
    sign_up(client, resume=upload, email="stale@example.net")
    sign_up(client, email="recent@example.net", ip="198.51.100.1")
    stale = CommunitySignup.objects.get(email="stale@example.net")
    stored = Resume.objects.get().file.name
    old = timezone.now() - dt.timedelta(hours=community.CONFIRM_HOURS) - community.PURGE_AFTER
    CommunitySignup.objects.filter(pk=stale.pk).update(created_at=old - dt.timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert community.signups_purge() == 1
    assert list(CommunitySignup.objects.values_list("email", flat=True)) == ["recent@example.net"]
    assert not Resume.objects.exists()
    from django.core.files.storage import default_storage

    assert not default_storage.exists(stored)


# --- the team's page


def test_the_team_page_shows_who_joined_and_makes_pool_links_for_those_who_see_the_pool(
    client: Client, notice: PrivacyNotice, smtp_sink: Sink, cast: dict[str, User]
) -> None:
    pool = pool_create(actor=cast["owner"], name="Data people")
    sign_up(client, path=join_path(community.join_url(pool)))
    run_confirmations()
    client.post(confirm_path(smtp_sink.received[0]))
    for name, user in cast.items():
        response = login(Client(), user).get(f"/community/?pool={pool.pk}")
        if name in ("manager", "outsider"):
            assert response.status_code == 404, name
            continue
        page = response.content.decode()
        assert response.status_code == 200, name
        assert "Jo Almeida" in page and "Data people" in page and "notice v1" in page
        assert community.join_url(pool) in page  # the link for the chosen pool
        assert "No mail server is set up" not in page


def test_the_team_page_warns_when_no_mail_server_is_set_up(
    client: Client, notice: PrivacyNotice, owner: User, settings: Any
) -> None:
    settings.EMAIL_URL = ""
    page = login(client, owner).get("/community/").content.decode()
    assert "No mail server is set up" in page


def test_the_team_page_reads_the_same_queries_however_many_joined(
    client: Client, notice: PrivacyNotice, owner: User
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    pool = pool_create(actor=owner, name="Data people")

    def join(n: int) -> None:
        request = community.SignupRequest(
            first_name=f"P{n}", last_name="Example", email=f"p{n}@example.net",
            interests=community.Interests(roles="Data"), notice=notice, pool=pool,
        )  # fmt: skip
        signup = community.signup_submit(request=request)
        assert signup is not None
        community.signup_confirm(token=community.confirmation_token(signup))

    login(client, owner)
    join(0)
    with CaptureQueriesContext(connection) as one:
        first = client.get("/community/").content.decode()
    for n in range(1, 4):
        join(n)
    with CaptureQueriesContext(connection) as four:
        page = client.get("/community/").content.decode()
    assert "P0 Example" in first and "P3 Example" in page
    assert len(four) == len(one)
