"""The careers site: the public list and job pages, the apply form end to end
(candidate, CV, consent, application, confirmation email through a real SMTP
server, the recruiter's notification), de-duplication, refusals, the funnel,
and the team's pages for a job's figures and its apply-form questions."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from rapport.accounts.models import User
from rapport.core.models import Activity, ActivityKind, Notification
from rapport.jobs.models import (
    Application,
    FunnelCount,
    FunnelStep,
    Job,
    JobQuestion,
    QuestionKind,
)
from rapport.jobs.services import JobFields, job_create, job_set_status, job_update
from rapport.outreach.delivery import Outcome
from rapport.outreach.models import Message, MessageKind
from rapport.people.models import Candidate, ConsentState, ContactPoint
from rapport.privacy.models import Consent, PrivacyNotice
from rapport.privacy.selectors import notice_current
from rapport.sourcing import careers
from rapport.sourcing.careers_views import is_robot
from rapport.sourcing.models import DuplicateReview, Resume
from tests.conftest import login
from tests.jobs.conftest import job, stage
from tests.outreach.conftest import Sink, always_open, deliver, html, plain, smtp_sink
from tests.sourcing.test_community import pdf_resume

__all__ = ["always_open", "deliver", "job", "smtp_sink", "stage"]  # fixtures, used here too

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126 Safari/537.36"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    cache.clear()


@pytest.fixture
def notice(db: Any) -> PrivacyNotice:
    found = notice_current()
    assert found is not None
    return found


@pytest.fixture
def browser() -> Client:
    return Client(HTTP_USER_AGENT=BROWSER)


def open_job(owner: User, title: str, **fields: Any) -> Job:
    made = job_create(actor=owner, values=JobFields(title=title, recruiter=owner, **fields))
    return job_set_status(actor=owner, job=made, status="open")


def ask(job: Job, label: str, kind: str = QuestionKind.SHORT, **fields: Any) -> JobQuestion:
    return careers.question_add(
        actor=job.recruiter,  # type: ignore[arg-type]
        job=job,
        values=careers.QuestionFields(label=label, kind=kind, **fields),
    )


def cv(name: str = "cv.pdf", data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data if data is not None else pdf_resume(), "application/pdf")


def send(client: Client, job: Job, *, ip: str = "203.0.113.9", **fields: Any) -> Any:
    data: dict[str, Any] = {
        "first_name": "Jo",
        "last_name": "Almeida",
        "email": "jo.almeida@example.net",
        "phone": "+351 912 345 678",
        "city": "Porto",
        "linkedin_url": "",
        "agree": "on",
        "notice": (notice_current() or PrivacyNotice()).version,
        "leave_blank": "",
        "resume": cv(),
        **fields,
    }
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(f"/careers/{job.slug}/apply/", data, REMOTE_ADDR=ip)


# --- the public list


def test_the_list_shows_open_published_roles_by_team_and_filters_them(
    owner: User, job: Job, browser: Client, django_assert_num_queries: Any
) -> None:
    open_job(owner, "Account Executive", department="Sales", location="Berlin", remote="remote")
    open_job(owner, "Data Analyst", department="Data", location="Lisbon")
    job_create(actor=owner, values=JobFields(title="Secret Draft Role", department="Sales"))
    hidden = open_job(owner, "Unlisted Designer", department="Design")
    job_update(actor=owner, job=hidden, values=JobFields(title=hidden.title, published=False))
    job_set_status(actor=owner, job=open_job(owner, "Filled Role"), status="closed")

    with django_assert_num_queries(2):
        page = browser.get("/careers/").content.decode()
    assert "<strong>3</strong> open roles" in page
    for title in ("Senior Backend Engineer", "Account Executive", "Data Analyst"):
        assert title in page
    for title in ("Secret Draft Role", "Unlisted Designer", "Filled Role"):
        assert title not in page
    # Grouped by team, teams in order, a filter for each team and place.
    assert page.index(">Data <") < page.index(">Engineering <") < page.index(">Sales <")
    assert '<option value="Berlin">Berlin</option>' in page
    assert "Design" not in page  # an unlisted role's team is not offered either
    assert 'href="/join/"' in page  # no match? the talent community

    sales = browser.get("/careers/", {"department": "sales"}).content.decode()
    assert "Account Executive" in sales and "Data Analyst" not in sales
    assert "1</strong> of 3 open roles matches" in sales
    lisbon = browser.get("/careers/", {"location": "Lisbon", "q": "backend"}).content.decode()
    assert "Senior Backend Engineer" in lisbon and "Data Analyst" not in lisbon
    remote = browser.get("/careers/", {"remote": "remote"}).content.decode()
    assert "Account Executive" in remote and "Senior Backend Engineer" not in remote
    nothing = browser.get("/careers/", {"q": "astronaut", "remote": "nonsense"})
    assert nothing.status_code == 200
    assert "No open roles match your search" in nothing.content.decode()


# --- a job's page


def test_a_job_page_shows_the_role_and_counts_a_persons_view_only(
    job: Job, browser: Client, client: Client, owner: User
) -> None:
    response = browser.get(f"/careers/{job.slug}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Senior Backend Engineer</h1>" in page
    for text in ("Engineering", "Lisbon", "Hybrid", "Full time", "<strong>payments</strong>"):
        assert text in page
    assert "What you'll bring" in page and "Nice to have" in page
    assert page.index("Django") < page.index("Nice to have") < page.index("PostgreSQL")
    assert f'href="/careers/{job.slug}/apply/"' in page
    assert 'href="/join/"' in page
    assert "staff" not in page.lower() and "Sign out" not in page

    browser.head(f"/careers/{job.slug}/")
    Client(HTTP_USER_AGENT="Mozilla/5.0 (compatible; Googlebot/2.1)").get(f"/careers/{job.slug}/")
    client.get(f"/careers/{job.slug}/")  # no User-Agent at all
    login(Client(HTTP_USER_AGENT=BROWSER), owner).get(f"/careers/{job.slug}/")  # the team
    counts = list(FunnelCount.objects.values_list("step", "day", "count"))
    assert counts == [(FunnelStep.VIEWED, timezone.localdate(), 1)]


def test_robots_are_told_apart_by_their_user_agent() -> None:
    assert is_robot("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)")
    assert is_robot("curl/8.5.0") and is_robot("python-requests/2.32") and is_robot("")
    assert not is_robot(BROWSER)
    assert not is_robot("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Safari/604.1")


def test_a_role_that_is_not_open_says_so_and_takes_no_application(
    job: Job, owner: User, browser: Client, notice: PrivacyNotice
) -> None:
    job_set_status(actor=owner, job=job, status="filled")
    for path in (f"/careers/{job.slug}/", f"/careers/{job.slug}/apply/"):
        response = browser.get(path)
        page = response.content.decode()
        assert response.status_code == 410
        assert "Senior Backend Engineer is no longer open" in page
        assert 'href="/careers/"' in page and 'href="/join/"' in page
    assert send(browser, job).status_code == 410
    assert not Application.objects.exists() and not Candidate.objects.exists()

    draft = job_create(actor=owner, values=JobFields(title="Quiet Draft"))
    response = browser.get(f"/careers/{draft.slug}/")
    assert response.status_code == 404
    assert "We couldn't find that role" in response.content.decode()
    assert "Quiet Draft" not in response.content.decode()
    assert browser.get("/careers/no-such-role/").status_code == 404


def test_an_unpublished_role_is_not_listed_and_cannot_be_applied_for(
    job: Job, owner: User, browser: Client, notice: PrivacyNotice
) -> None:
    job_update(
        actor=owner,
        job=job,
        values=JobFields(title=job.title, recruiter=owner, published=False),
    )
    assert job.title not in browser.get("/careers/").content.decode()
    response = send(browser, job)
    assert response.status_code == 404
    # A role kept off the site is not confirmed to exist, even by its address.
    assert job.title not in response.content.decode()
    page = browser.get(f"/careers/{job.slug}/")
    assert page.status_code == 404 and job.title not in page.content.decode()
    assert not Application.objects.exists()


# --- applying


def test_an_application_makes_the_candidate_cv_consent_application_and_confirmation(
    job: Job, owner: User, browser: Client, notice: PrivacyNotice
) -> None:
    why = ask(job, "Why this role?", QuestionKind.LONG, required=True)
    visa = ask(job, "Do you need a visa to work in Portugal?", QuestionKind.YES_NO, required=True)
    when = ask(job, "When could you start?", QuestionKind.CHOICE, choices=["Now", "In a month"])
    ask(job, "Anything else?")
    form = browser.get(f"/careers/{job.slug}/apply/").content.decode()
    for label in ("Why this role?", "Do you need a visa", "When could you start?", "Your CV"):
        assert label in form
    assert "I have read the privacy notice (version 1) and agree to it" in form

    response = send(
        browser,
        job,
        **{
            f"q_{why.pk}": "Payments at scale.\r\nAnd a team I'd learn from.",
            f"q_{visa.pk}": "no",
            f"q_{when.pk}": "In a month",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Thank you, Jo!" in page and "Your application for Senior Backend Engineer" in page
    assert response["Cache-Control"] == "private, no-store"

    jo = Candidate.objects.get()
    assert (jo.full_name, jo.city, jo.source, jo.consent) == (
        "Jo Almeida",
        "Porto",
        "application",
        ConsentState.GIVEN,
    )
    assert set(jo.contacts.values_list("kind", "value")) == {
        ("email", "jo.almeida@example.net"),
        ("phone", "+351912345678"),
    }
    resume = Resume.objects.get(candidate=jo)
    assert "Backend engineer" in resume.text and resume.original_name == "cv.pdf"
    assert Consent.objects.get(candidate=jo).notice == notice
    application = Application.objects.get()
    assert (application.job, application.candidate, application.source) == (job, jo, "careers")
    assert application.stage.name == "Applied"
    assert application.answers == [
        {"question": "Why this role?", "answer": "Payments at scale.\nAnd a team I'd learn from."},
        {"question": "Do you need a visa to work in Portugal?", "answer": "No"},
        {"question": "When could you start?", "answer": "In a month"},
    ]
    created = Activity.objects.get(kind=ActivityKind.APPLICATION_CREATED)
    assert created.candidate_id == jo.pk and created.data["source"] == "careers"
    assert created.summary == "Senior Backend Engineer: Applied"

    message = Message.objects.get()
    assert (message.kind, message.to_email, message.candidate_id) == (
        MessageKind.TRANSACTIONAL,
        "jo.almeida@example.net",
        jo.pk,
    )
    assert message.subject == "We've received your application for Senior Backend Engineer"
    assert (message.from_name, message.from_email) == ("Rita Recruiter", owner.email)
    assert "What happens next" in message.body_text
    assert "And a team I'd learn from." in message.body_text
    assert "/preferences/" in message.body_text and "/preferences/" in message.body_html

    note = Notification.objects.get(user=owner)
    assert note.text == "Jo Almeida applied for Senior Backend Engineer on the careers site"
    assert note.url == f"/applications/{application.pk}/"
    assert FunnelCount.objects.get(step=FunnelStep.SUBMITTED).count == 1

    # The team finds it on the candidate's timeline.
    timeline = login(Client(), owner).get(f"/candidates/{jo.pk}/").content.decode()
    assert "Senior Backend Engineer: Applied" in timeline


def test_an_address_already_in_the_pool_is_matched_and_filled_in_never_overwritten(
    job: Job, candidate: Candidate, browser: Client, notice: PrivacyNotice
) -> None:
    response = send(
        browser,
        job,
        first_name="Mary",
        last_name="S.",
        email="Maria.Souza@example.org",
        phone="",
        city="Lisbon",
        linkedin_url="linkedin.com/in/maria-souza/",
    )
    assert "Thank you, Mary!" in response.content.decode()
    assert Candidate.objects.count() == 1
    candidate.refresh_from_db()
    assert (candidate.full_name, candidate.city) == ("Maria Souza", "São Paulo")
    assert candidate.linkedin_url == "https://www.linkedin.com/in/maria-souza"  # it was blank
    assert Application.objects.get().candidate == candidate
    assert Resume.objects.get().candidate == candidate
    assert Message.objects.get().to_email == "maria.souza@example.org"


def test_a_phone_number_already_in_the_pool_names_the_candidate_too(
    job: Job, candidate: Candidate, browser: Client, notice: PrivacyNotice
) -> None:
    send(browser, job, email="maria.at.home@example.net", phone="+55 11 91234-5678")
    assert Candidate.objects.count() == 1
    assert Application.objects.get().candidate == candidate
    emails = set(ContactPoint.objects.filter(kind="email").values_list("value", "is_primary"))
    assert emails == {("maria.souza@example.org", True), ("maria.at.home@example.net", False)}


def test_applying_twice_says_so_and_keeps_one_of_everything(
    job: Job, browser: Client, notice: PrivacyNotice, media: Path
) -> None:
    send(browser, job)
    again = send(browser, job, first_name="Joanna", resume=cv("newer.pdf", pdf_resume("Jo A.")))
    page = again.content.decode()
    assert again.status_code == 200
    assert "You have already applied for Senior Backend Engineer" in page
    counts = [m.objects.count() for m in (Candidate, Application, Resume, Message, Consent)]
    assert counts == [1, 1, 1, 1, 1]
    assert Candidate.objects.get().first_name == "Jo"
    assert len(list(media.rglob("*.pdf"))) == 1


def test_a_lookalike_newcomer_is_kept_and_goes_to_the_review_queue(
    job: Job, candidate: Candidate, browser: Client, notice: PrivacyNotice
) -> None:
    send(
        browser,
        job,
        first_name="Maria",
        last_name="Sousa",
        email="msousa@example.net",
        phone="",
        city="São Paulo",
    )
    newcomer = Candidate.objects.exclude(pk=candidate.pk).get()
    review = DuplicateReview.objects.get()
    assert (review.candidate, review.other) == (newcomer, candidate)
    assert "same city: São Paulo" in review.reasons
    assert Application.objects.get().candidate == newcomer


def test_details_that_name_two_people_go_to_the_application_of_the_email_and_the_review_queue(
    job: Job, make_candidate: Callable[..., Candidate], browser: Client, notice: PrivacyNotice
) -> None:
    by_email = make_candidate(emails=["ana@example.net"])
    by_phone = make_candidate(emails=["other@example.net"], phones=["+351 912 000 111"])
    send(browser, job, email="ana@example.net", phone="+351912000111")
    assert Application.objects.get().candidate == by_email
    review = DuplicateReview.objects.get()
    assert (review.candidate, review.other, review.score) == (by_phone, by_email, 100.0)


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        (
            "cv.pdf",
            b"<html><script>alert(1)</script></html>",
            "cv.pdf is called a PDF but is not one: it looks like an HTML or XML file.",
        ),
        ("cv.pdf", b"MZ\x90\x00" + b"\x00" * 200, "it looks like a Windows program"),
        ("cv.pdf", b"", "That file is empty"),
    ],
)
def test_a_disguised_or_empty_file_is_refused_with_a_message_and_nothing_kept(
    job: Job, browser: Client, notice: PrivacyNotice, media: Path, name: str, data: bytes, says: str
) -> None:
    response = send(browser, job, resume=cv(name, data))
    page = response.content.decode()
    assert response.status_code == 200
    assert says in page.replace("&#x27;", "'")
    assert 'value="jo.almeida@example.net"' in page  # nothing typed is lost
    assert not Candidate.objects.exists() and not Application.objects.exists()
    assert not Resume.objects.exists() and not list(media.rglob("*.*"))
    assert not FunnelCount.objects.filter(step=FunnelStep.SUBMITTED).exists()


def test_a_zip_bomb_called_a_docx_is_refused_unopened(
    job: Job, browser: Client, notice: PrivacyNotice
) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/media/padding.bin", b"\0" * (8 * 1024 * 1024))
    response = send(browser, job, resume=cv("cv.docx", buffer.getvalue()))
    assert "zip bomb" in response.content.decode()
    assert not Candidate.objects.exists()


def test_script_in_an_answer_is_kept_as_text_and_shown_escaped_everywhere(
    job: Job,
    owner: User,
    browser: Client,
    notice: PrivacyNotice,
    smtp_sink: Sink,
    always_open: Any,
    deliver: Callable[..., Outcome],
) -> None:
    question = ask(job, "Your <b>favourite</b> tool?")
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    send(browser, job, **{f"q_{question.pk}": attack})
    application = Application.objects.get()
    assert application.answers[0]["answer"] == attack  # kept as typed, as text

    staff = login(Client(), owner).get(f"/jobs/{job.pk}/careers/").content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in staff
    assert "<script>alert" not in staff and "<img src=x" not in staff
    assert "Your &lt;b&gt;favourite&lt;/b&gt; tool?" in staff

    assert deliver().sent == 1
    [mail] = smtp_sink.to("jo.almeida@example.net")
    assert "&lt;script&gt;" in html(mail) and "<script>" not in html(mail)
    assert "<img src=x" not in html(mail)
    assert attack in plain(mail)  # plain text is plain
    assert "/preferences/" in plain(mail)


def test_a_required_question_left_blank_or_a_choice_not_offered_is_named(
    job: Job, browser: Client, notice: PrivacyNotice
) -> None:
    required = ask(job, "Why this role?", required=True)
    choice = ask(job, "Start?", QuestionKind.CHOICE, choices=["Now", "Later"])
    response = send(browser, job, **{f"q_{required.pk}": "   ", f"q_{choice.pk}": "Tomorrow"})
    page = response.content.decode()
    assert "Please answer this question." in page
    assert "Select a valid choice. Tomorrow is not one of the available choices." in page
    assert not Application.objects.exists() and not Candidate.objects.exists()

    with pytest.raises(careers.ValidationError) as refused:
        careers.answers_clean([required, choice], {required.pk: "x", choice.pk: "Tomorrow"})
    assert refused.value.message_dict == {f"q_{choice.pk}": ["Choose one of the answers offered."]}


def test_missing_consent_a_bad_phone_and_a_linkedin_that_is_no_profile_are_explained(
    job: Job, browser: Client, notice: PrivacyNotice
) -> None:
    response = send(
        browser, job, agree=None, phone="call me", linkedin_url="https://example.com/me"
    )
    page = response.content.decode().replace("&#x27;", "'")
    assert "Please tick the box to agree to the privacy notice" in page
    assert "That doesn't look like a phone number" in page
    assert "Give the address of your LinkedIn profile" in page
    assert not Candidate.objects.exists()


def test_the_honeypot_keeps_nothing_and_shows_the_same_thanks(
    job: Job, browser: Client, notice: PrivacyNotice
) -> None:
    response = send(browser, job, leave_blank="https://spam.example")
    assert "Thank you, Jo!" in response.content.decode()
    assert not Candidate.objects.exists() and not Message.objects.exists()


def test_too_many_applications_from_one_connection_are_paused(
    job: Job, owner: User, browser: Client, notice: PrivacyNotice, monkeypatch: Any
) -> None:
    monkeypatch.setattr(careers, "CLIENT_LIMIT", 2)
    others = [open_job(owner, f"Role {n}") for n in range(3)]
    for n, role in enumerate(others[:2]):
        assert (
            "Thank you" in send(browser, role, email=f"p{n}@example.net", phone="").content.decode()
        )
    response = send(browser, others[2], email="p9@example.net", phone="")
    assert response.status_code == 429
    assert "Please try again in a little while" in response.content.decode()
    assert response["Retry-After"] == "3600"
    assert Application.objects.count() == 2
    # Another connection is not held up.
    assert "Thank you" in send(browser, others[2], ip="198.51.100.4", phone="").content.decode()


def test_the_apply_form_is_closed_while_no_privacy_notice_is_published(
    job: Job, browser: Client, notice: PrivacyNotice
) -> None:
    PrivacyNotice.objects.update(published_at=None)
    response = browser.get(f"/careers/{job.slug}/apply/")
    assert response.status_code == 503
    assert "We can't take applications just now" in response.content.decode()


# --- the funnel


def test_the_funnel_counts_views_starts_and_submissions_and_the_team_sees_the_rates(
    job: Job, owner: User, manager: User, outsider: User, browser: Client, notice: PrivacyNotice
) -> None:
    for _ in range(4):
        browser.get(f"/careers/{job.slug}/")
    browser.get(f"/careers/{job.slug}/apply/")
    browser.get(f"/careers/{job.slug}/apply/")
    send(browser, job)
    rows = dict(FunnelCount.objects.values_list("step", "count"))
    assert rows == {FunnelStep.VIEWED: 4, FunnelStep.STARTED: 2, FunnelStep.SUBMITTED: 1}

    page = login(Client(), owner).get(f"/jobs/{job.pk}/careers/").content.decode()
    assert '<div class="n">4</div><div class="l">job page views' in page
    assert '<div class="n">2</div><div class="l">apply forms started' in page
    assert '<div class="n">1</div><div class="l">applications sent' in page
    assert '<div class="n">50%</div><div class="l">completion rate' in page
    assert '<div class="n">25%</div><div class="l">conversion' in page
    assert "Jo Almeida" in page
    # The job's hiring manager sees it too; a hiring manager of nothing here does not.
    assert "Jo Almeida" in login(Client(), manager).get(f"/jobs/{job.pk}/careers/").content.decode()
    assert login(Client(), outsider).get(f"/jobs/{job.pk}/careers/").status_code == 404


def test_a_count_is_one_row_per_job_step_and_day_raised_in_place(job: Job) -> None:
    day = timezone.localdate()
    for _ in range(3):
        careers.funnel_count(job=job, step=FunnelStep.VIEWED, day=day)
    careers.funnel_count(
        job=job,
        step=FunnelStep.VIEWED,
        day=day.replace(day=1) if day.day != 1 else day.replace(day=2),
    )
    assert sorted(FunnelCount.objects.values_list("count", flat=True)) == [1, 3]
    with pytest.raises(ValueError, match="not a step"):
        careers.funnel_count(job=job, step="clicked")


def test_the_staff_page_reads_a_fixed_number_of_queries(
    job: Job,
    owner: User,
    make_candidate: Callable[..., Candidate],
    django_assert_max_num_queries: Any,
) -> None:
    from rapport.jobs.services import application_create

    for _ in range(5):
        application_create(
            actor=None, job=job, candidate=make_candidate(), source="careers",
            answers=[{"question": "Q", "answer": "A"}],
        )  # fmt: skip
    staff = login(Client(), owner)
    staff.get(f"/jobs/{job.pk}/careers/")  # warm the session
    with django_assert_max_num_queries(10):
        page = staff.get(f"/jobs/{job.pk}/careers/").content.decode()
    assert page.count("1 answer<") == 5


# --- the questions of the apply form


def test_a_recruiter_adds_edits_moves_and_removes_questions(job: Job, owner: User) -> None:
    staff = login(Client(), owner)
    staff.post(f"/jobs/{job.pk}/questions/", {"label": "Why us?", "kind": "long", "required": "on"})
    staff.post(
        f"/jobs/{job.pk}/questions/",
        {"label": "Start?", "kind": "choice", "choices": "Now\n\nLater\nNow\n"},
    )
    first, second = JobQuestion.objects.order_by("position")
    assert (first.label, first.kind, first.required) == ("Why us?", "long", True)
    assert second.choices == ["Now", "Later"]

    staff.post(f"/jobs/{job.pk}/questions/{second.pk}/move/", {"direction": "up"})
    assert list(JobQuestion.objects.order_by("position").values_list("label", flat=True)) == [
        "Start?",
        "Why us?",
    ]
    staff.post(
        f"/jobs/{job.pk}/questions/{first.pk}/",
        {f"q{first.pk}-label": "Why this team?", f"q{first.pk}-kind": "short"},
    )
    first.refresh_from_db()
    assert (first.label, first.kind, first.required) == ("Why this team?", "short", False)
    response = staff.post(f"/jobs/{job.pk}/questions/{second.pk}/delete/", follow=True)
    assert "Removed “Start?”" in response.content.decode()
    assert list(JobQuestion.objects.values_list("label", flat=True)) == ["Why this team?"]

    page = staff.get(f"/jobs/{job.pk}/questions/").content.decode()
    assert "Why this team?" in page and "Add a question" in page


def test_a_list_question_needs_two_answers_and_a_question_needs_words(
    job: Job, owner: User
) -> None:
    staff = login(Client(), owner)
    page = staff.post(
        f"/jobs/{job.pk}/questions/", {"label": "Start?", "kind": "choice", "choices": "Now"}
    ).content.decode()
    assert "Give at least two answers to choose from, one a line." in page
    page = staff.post(
        f"/jobs/{job.pk}/questions/", {"label": "   ", "kind": "short"}
    ).content.decode()
    assert "This field is required." in page or "Write the question." in page
    assert not JobQuestion.objects.exists()


def test_the_question_editor_is_for_the_people_who_manage_the_job(
    job: Job, cast: dict[str, User]
) -> None:
    question = ask(job, "Why us?")
    for name in ("sourcer", "manager"):
        user = login(Client(), cast[name])
        page = user.get(f"/jobs/{job.pk}/questions/").content.decode()
        assert "Why us?" in page and "Add a question" not in page
        response = user.post(
            f"/jobs/{job.pk}/questions/", {"label": "Sneaky?", "kind": "short"}, follow=True
        )
        assert "Your role may not change this job&#x27;s apply form." in response.content.decode()
        user.post(f"/jobs/{job.pk}/questions/{question.pk}/delete/")
        user.post(
            f"/jobs/{job.pk}/questions/{question.pk}/",
            {f"q{question.pk}-label": "Edited", f"q{question.pk}-kind": "short"},
        )
    assert list(JobQuestion.objects.values_list("label", flat=True)) == ["Why us?"]

    outsider = login(Client(), cast["outsider"])
    assert outsider.get(f"/jobs/{job.pk}/questions/").status_code == 404
    assert outsider.post(f"/jobs/{job.pk}/questions/{question.pk}/delete/").status_code == 404
    assert JobQuestion.objects.count() == 1

    for name in ("admin", "teammate"):
        login(Client(), cast[name]).post(
            f"/jobs/{job.pk}/questions/", {"label": f"From {name}?", "kind": "short"}
        )
    assert JobQuestion.objects.count() == 3
    assert Client().get(f"/jobs/{job.pk}/questions/").status_code == 302  # to the login page


def test_a_question_of_another_job_is_not_found_through_this_one(job: Job, owner: User) -> None:
    other = open_job(owner, "Other Role")
    question = ask(other, "Elsewhere?")
    staff = login(Client(), owner)
    assert staff.post(f"/jobs/{job.pk}/questions/{question.pk}/delete/").status_code == 404
    assert JobQuestion.objects.filter(pk=question.pk).exists()


def test_a_cv_over_the_size_limit_is_refused_before_it_is_read(
    job: Job, browser: Client, notice: PrivacyNotice, monkeypatch: Any
) -> None:
    from rapport.sourcing import resumes

    monkeypatch.setattr(resumes, "MAX_BYTES", 1024)
    response = send(browser, job)
    assert "a CV may be at most 0.0 MB" in response.content.decode()
    assert not Candidate.objects.exists() and not Application.objects.exists()


def test_a_job_without_an_applied_stage_starts_people_in_its_first_and_mails_from_the_team(
    job: Job, owner: User, browser: Client, notice: PrivacyNotice, settings: Any
) -> None:
    from rapport.jobs.models import Stage
    from rapport.jobs.services import stage_rename

    settings.DEFAULT_FROM_EMAIL = "Northwind Careers <careers@northwind.example>"
    stage_rename(actor=owner, stage=Stage.objects.get(job=job, name="Applied"), name="Inbound")
    Job.objects.filter(pk=job.pk).update(recruiter=None)
    send(browser, job)
    assert Application.objects.get().stage.name == "Sourced"
    message = Message.objects.get()
    assert (message.from_name, message.from_email) == (
        "Northwind Careers",
        "careers@northwind.example",
    )
    assert not Notification.objects.exists()  # nobody recruits for it to tell


def test_a_role_on_hold_says_hiring_is_paused(job: Job, owner: User, browser: Client) -> None:
    job_set_status(actor=owner, job=job, status="on_hold")
    response = browser.get(f"/careers/{job.slug}/")
    assert response.status_code == 410
    assert "paused hiring for this role" in response.content.decode()
    assert job.title not in browser.get("/careers/").content.decode()


def test_the_careers_site_carries_the_organisations_name_when_set(
    client: Client, job: Job, settings: Any
) -> None:
    plain = client.get("/careers/").content.decode()
    assert "<title>Open roles · Careers</title>" in plain
    settings.ORGANISATION_NAME = "Lumen & Co"
    named = client.get("/careers/").content.decode()
    assert "<title>Open roles · Careers at Lumen &amp; Co</title>" in named
    assert "Lumen &amp; Co careers</a>" in named


def test_the_cv_event_names_its_job_so_other_jobs_hiring_managers_never_read_it(
    job: Job, owner: User, outsider: User, browser: Client, notice: PrivacyNotice
) -> None:
    from rapport.jobs.models import Application as Applied
    from rapport.jobs.services import application_create, job_create

    assert send(browser, job).status_code in (200, 302)
    jo = Candidate.objects.get(first_name="Jo")
    cv_event = Activity.objects.get(candidate=jo, summary__startswith="Sent a CV")
    assert cv_event.data["job"] == job.pk
    # Otto hires for another job Jo is also in: he sees Jo, not this job's events.
    other = job_create(
        actor=owner, values=JobFields(title="Office Manager", hiring_managers=[outsider])
    )
    application_create(actor=owner, job=other, candidate=jo)
    assert Applied.objects.filter(candidate=jo).count() == 2
    page = login(Client(), outsider).get(f"/candidates/{jo.pk}/").content.decode()
    assert "Jo Almeida" in page
    assert "Sent a CV" not in page
    assert job.title not in page
