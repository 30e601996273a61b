"""Interviews and scorecards: the services, what goes out, and who sees what
on every page (the whole cast)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rapport.accounts.models import User
from rapport.core.errors import PermissionDenied
from rapport.core.models import Activity
from rapport.jobs.interviews import (
    _invite,
    interview_cancel,
    interview_reschedule,
    interview_schedule,
    scorecard_submit,
    scorecard_update,
)
from rapport.jobs.models import Application, Interview, Job, Scorecard, Stage
from rapport.jobs.services import Move, application_create, application_move
from rapport.outreach.models import CapturedMail, Message, MessageKind, MessageStatus
from rapport.outreach.services import leave, suppression_add
from rapport.people.models import Candidate
from rapport.people.selectors import timeline
from tests.conftest import login
from tests.jobs.interview_helpers import LISBON, in_two_days, interview_fields
from tests.outreach.conftest import deliver

__all__ = ["deliver"]  # the outreach fixture, used here too
pytestmark = pytest.mark.django_db


@pytest.fixture
def application(
    job: Job, candidate: Candidate, owner: User, stage: Callable[[str], Stage]
) -> Application:
    return application_create(actor=owner, job=job, candidate=candidate, stage=stage("Interview"))


@pytest.fixture
def interview(application: Application, owner: User, manager: User) -> Interview:
    return interview_schedule(
        actor=owner, application=application, fields=interview_fields([owner, manager])
    )


def _mail(interview: Interview) -> dict[str, Message]:
    return {m.key: m for m in Message.objects.filter(key__startswith=f"iv{interview.pk}:")}


# --- scheduling ---------------------------------------------------------------------


def test_scheduling_invites_the_candidate_and_each_interviewer(
    interview: Interview, owner: User, manager: User, candidate: Candidate
) -> None:
    mail = _mail(interview)
    assert set(mail) == {
        f"iv{interview.pk}:0:c",
        f"iv{interview.pk}:0:u{owner.pk}",
        f"iv{interview.pk}:0:u{manager.pk}",
    }
    to_candidate = mail[f"iv{interview.pk}:0:c"]
    assert to_candidate.kind == MessageKind.TRANSACTIONAL
    assert to_candidate.to_email == "maria.souza@example.org"
    assert to_candidate.subject.startswith("Interview invitation: Senior Backend Engineer")
    assert "METHOD:REQUEST" in to_candidate.calendar
    # The candidate reads the time in São Paulo, 07:00 when it is 10:00 in Lisbon
    # (both at UTC-3 and UTC+0, or -3 and +1 in the Lisbon summer: 06:00).
    assert "America/Sao Paulo" in to_candidate.body_text
    assert "Go deep on Django ORM" not in to_candidate.body_text + to_candidate.calendar
    to_manager = mail[f"iv{interview.pk}:0:u{manager.pk}"]
    assert to_manager.kind == MessageKind.STAFF
    assert to_manager.to_email == "hana@example.com"
    assert to_manager.candidate_id == candidate.pk
    assert "Go deep on Django ORM performance." in to_manager.body_text
    assert f"/interviews/{interview.pk}/" in to_manager.body_text
    assert {m.status for m in mail.values()} == {MessageStatus.QUEUED}


def test_scheduling_is_on_the_candidates_timeline_for_everyone_who_sees_them(
    interview: Interview, candidate: Candidate, sourcer: User
) -> None:
    event = Activity.objects.get(kind="interview.scheduled", candidate=candidate)
    assert not event.confidential
    assert "Technical interview for Senior Backend Engineer" in event.summary
    assert timeline(sourcer, candidate).filter(kind="interview.scheduled").exists()


def test_the_same_invitation_written_again_is_written_once(
    interview: Interview, owner: User, manager: User
) -> None:
    before = Message.objects.count()
    _invite(interview, actor=owner, method="REQUEST", candidate=True, people=[owner, manager])
    assert Message.objects.count() == before


def test_the_same_interview_scheduled_twice_is_refused(
    interview: Interview, application: Application, owner: User, manager: User
) -> None:
    with pytest.raises(ValidationError, match="already scheduled"):
        interview_schedule(
            actor=owner, application=application, fields=interview_fields([owner, manager])
        )
    assert Interview.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"ends_at": in_two_days(9)}, "ends_at", "must end after it starts"),
        ({"interviewers": []}, "interviewers", "at least one interviewer"),
        ({"video_url": "javascript:alert(1)"}, "video_url", "starting with https://"),
        ({"video_url": "https://"}, "video_url", "not a web address"),
        ({"location": "", "video_url": ""}, "location", "a place, a video link, or both"),
        ({"title": "  "}, "title", "Give the interview a title"),
        ({"timezone": "Mars/Olympus"}, "timezone", "not a time zone"),
        (
            {
                "starts_at": timezone.now() - dt.timedelta(hours=2),
                "ends_at": timezone.now() - dt.timedelta(hours=1),
            },
            "starts_at",
            "That time has passed",
        ),
        ({"ends_at": in_two_days(10) + dt.timedelta(hours=13)}, "ends_at", "12 hours at most"),
    ],
)
def test_bad_input_is_refused_with_a_message_on_its_field(
    application: Application, owner: User, overrides: dict[str, Any], field: str, message: str
) -> None:
    values = dict(overrides)
    people = values.pop("interviewers", [owner])
    with pytest.raises(ValidationError) as refused:
        interview_schedule(
            actor=owner, application=application, fields=interview_fields(people, **values)
        )
    assert message in " ".join(refused.value.message_dict[field])
    assert not Interview.objects.exists() and not Message.objects.exists()


def test_only_admins_recruiters_and_the_jobs_hiring_managers_interview(
    application: Application, owner: User, sourcer: User, outsider: User
) -> None:
    with pytest.raises(ValidationError) as refused:
        interview_schedule(
            actor=owner, application=application, fields=interview_fields([sourcer, outsider])
        )
    assert "Sam Sourcer, Otto Outsider cannot interview" in refused.value.messages[0]


def test_only_those_who_move_candidates_schedule(
    application: Application, sourcer: User, manager: User
) -> None:
    for user in (sourcer, manager):
        with pytest.raises(PermissionDenied):
            interview_schedule(
                actor=user, application=application, fields=interview_fields([manager])
            )


def test_an_ended_application_is_not_interviewed(
    application: Application, owner: User, stage: Callable[[str], Stage]
) -> None:
    application_move(
        actor=owner, application=application, move=Move(stage("Rejected"), reason="skills")
    )
    with pytest.raises(ValidationError, match="application has ended"):
        interview_schedule(actor=owner, application=application, fields=interview_fields([owner]))


# --- rescheduling and cancelling ---------------------------------------------------


def test_a_reschedule_sends_the_update_with_the_next_sequence(
    interview: Interview, owner: User, manager: User, admin: User
) -> None:
    later = in_two_days(15)
    moved = interview_reschedule(
        actor=owner,
        interview=interview,
        fields=interview_fields(
            [owner, admin], starts_at=later, ends_at=later + dt.timedelta(minutes=45)
        ),
    )
    assert moved.uid == interview.uid and moved.sequence == 1
    mail = _mail(interview)
    assert mail[f"iv{interview.pk}:1:c"].subject.startswith("Updated: Technical interview")
    assert "METHOD:REQUEST" in mail[f"iv{interview.pk}:1:u{admin.pk}"].calendar
    assert "METHOD:REQUEST" in mail[f"iv{interview.pk}:1:u{owner.pk}"].calendar
    # Hana was taken off the panel: her calendar drops it.
    removed = mail[f"iv{interview.pk}:1:u{manager.pk}"]
    assert "METHOD:CANCEL" in removed.calendar and "no longer on the panel" in removed.body_text
    event = Activity.objects.get(kind="interview.updated")
    assert event.summary.startswith("Moved to: ")
    assert set(event.data["changed"]) == {"starts_at", "ends_at", "interviewers"}


def test_a_change_of_notes_only_is_the_teams_business(
    interview: Interview, owner: User, manager: User
) -> None:
    interview_reschedule(
        actor=owner,
        interview=interview,
        fields=interview_fields([owner, manager], notes="Pair on a bug."),
    )
    assert set(_mail(interview)) - {m for m in _mail(interview) if m.split(":")[1] == "0"} == {
        f"iv{interview.pk}:1:u{owner.pk}",
        f"iv{interview.pk}:1:u{manager.pk}",
    }


def test_a_reschedule_that_changes_nothing_sends_nothing(
    interview: Interview, owner: User, manager: User
) -> None:
    with pytest.raises(ValidationError, match="Nothing changed"):
        interview_reschedule(
            actor=owner, interview=interview, fields=interview_fields([owner, manager])
        )
    interview.refresh_from_db()
    assert interview.sequence == 0 and len(_mail(interview)) == 3


def test_cancelling_tells_everyone_and_a_cancelled_interview_stays_cancelled(
    interview: Interview, owner: User, manager: User
) -> None:
    interview_cancel(actor=owner, interview=interview, note="The role is on hold, sorry.")
    interview.refresh_from_db()
    assert interview.status == "cancelled" and interview.sequence == 1
    cancellations = [m for k, m in _mail(interview).items() if k.split(":")[1] == "1"]
    assert len(cancellations) == 3
    assert all("METHOD:CANCEL" in m.calendar for m in cancellations)
    to_candidate = _mail(interview)[f"iv{interview.pk}:1:c"]
    assert "The role is on hold, sorry." in to_candidate.body_text
    assert Activity.objects.filter(kind="interview.cancelled").count() == 1
    with pytest.raises(ValidationError, match="was cancelled"):
        interview_reschedule(
            actor=owner, interview=interview, fields=interview_fields([owner], notes="Again?")
        )
    with pytest.raises(ValidationError, match="was cancelled"):
        interview_cancel(actor=owner, interview=interview)
    assert Message.objects.count() == 6


def test_an_interview_that_took_place_is_not_moved(interview: Interview, owner: User) -> None:
    Interview.objects.filter(pk=interview.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=3),
        ends_at=timezone.now() - dt.timedelta(hours=2),
    )
    with pytest.raises(ValidationError, match="has taken place"):
        interview_cancel(actor=owner, interview=interview)


# --- delivery -----------------------------------------------------------------------


def test_interviewer_mail_is_not_contact_with_the_candidate(
    interview: Interview, candidate: Candidate, deliver: Any
) -> None:
    outcome = deliver()
    assert outcome.sent == 3
    assert CapturedMail.objects.count() == 3
    sent = Activity.objects.filter(kind="email.sent", candidate=candidate)
    assert [a.data["to"] for a in sent] == ["maria.souza@example.org"]
    candidate.refresh_from_db()
    assert candidate.last_contacted_at is not None


def test_a_candidate_who_left_gets_nothing_while_the_panel_still_hears(
    interview: Interview, candidate: Candidate, owner: User, manager: User, deliver: Any
) -> None:
    interview_cancel(actor=owner, interview=interview)
    Message.objects.filter(key__endswith=":0:c").update(status=MessageStatus.CANCELLED)
    leave(candidate=candidate)
    deliver()
    cancellation = Message.objects.get(key=f"iv{interview.pk}:1:c")
    assert cancellation.status == MessageStatus.SUPPRESSED
    to_hana = Message.objects.get(key=f"iv{interview.pk}:1:u{manager.pk}")
    assert to_hana.status == MessageStatus.SENT


def test_a_suppressed_interviewer_address_is_held_back(
    application: Application, owner: User, manager: User, admin: User, deliver: Any
) -> None:
    suppression_add(actor=admin, address="hana@example.com")
    interview = interview_schedule(
        actor=owner, application=application, fields=interview_fields([owner, manager])
    )
    deliver()
    held = Message.objects.get(key=f"iv{interview.pk}:0:u{manager.pk}")
    assert (held.status, held.reason) == (MessageStatus.SUPPRESSED, "suppressed")


def test_a_candidate_without_an_address_is_said_to_have_none(
    job: Job, make_candidate: Callable[..., Candidate], owner: User
) -> None:
    nobody = make_candidate(first_name="Ana", emails=[])
    application = application_create(actor=owner, job=job, candidate=nobody)
    interview = interview_schedule(
        actor=owner, application=application, fields=interview_fields([owner])
    )
    held = Message.objects.get(key=f"iv{interview.pk}:0:c")
    assert (held.status, held.reason) == (MessageStatus.SUPPRESSED, "no_address")
    assert Message.objects.get(key=f"iv{interview.pk}:0:u{owner.pk}").status == MessageStatus.QUEUED


# --- scorecards -----------------------------------------------------------------------


def test_an_interviewer_scores_once_and_edits_after(
    interview: Interview, manager: User, owner: User, sourcer: User, candidate: Candidate
) -> None:
    first = scorecard_submit(
        actor=manager, interview=interview, rating=4, recommendation="yes", notes="Solid."
    )
    again = scorecard_submit(
        actor=manager, interview=interview, rating=5, recommendation="strong_yes", notes="Better."
    )
    assert first.pk == again.pk and Scorecard.objects.count() == 1
    assert (again.rating, again.recommendation, again.notes) == (5, "strong_yes", "Better.")
    event = Activity.objects.get(kind="scorecard.added")
    assert event.confidential and event.candidate_id == candidate.pk
    assert timeline(owner, candidate).filter(kind="scorecard.added").exists()
    assert not timeline(sourcer, candidate).filter(kind="scorecard.added").exists()


@pytest.mark.parametrize("who", ["sourcer", "teammate", "outsider"])
def test_those_off_the_panel_and_the_job_give_no_feedback(
    interview: Interview, cast: dict[str, User], who: str
) -> None:
    with pytest.raises(PermissionDenied, match="Only the interviewers"):
        scorecard_submit(actor=cast[who], interview=interview, rating=3, recommendation="no")


def test_a_rating_out_of_range_is_refused(interview: Interview, owner: User) -> None:
    with pytest.raises(ValidationError) as refused:
        scorecard_submit(actor=owner, interview=interview, rating=6, recommendation="maybe")
    assert refused.value.message_dict == {
        "rating": ["Rate from 1 (poor) to 5 (excellent)."],
        "recommendation": ["Choose a recommendation, from strong no to strong yes."],
    }


def test_only_its_author_changes_a_scorecard(
    interview: Interview, owner: User, admin: User
) -> None:
    card = scorecard_submit(actor=owner, interview=interview, rating=2, recommendation="no")
    with pytest.raises(PermissionDenied, match="Only its author"):
        scorecard_update(actor=admin, scorecard=card, rating=5, recommendation="yes")
    card = scorecard_update(
        actor=owner, scorecard=card, rating=3, recommendation="yes", notes="On reflection."
    )
    assert (card.rating, card.notes) == (3, "On reflection.")


def test_a_cancelled_interview_takes_no_feedback(interview: Interview, owner: User) -> None:
    interview_cancel(actor=owner, interview=interview)
    with pytest.raises(ValidationError, match="nothing to score"):
        scorecard_submit(actor=owner, interview=interview, rating=3, recommendation="yes")


# --- pages: who sees what ------------------------------------------------------------


SEE_FEEDBACK = {"admin": True, "owner": True, "teammate": True, "manager": True, "sourcer": False}


@pytest.fixture
def scored(interview: Interview, manager: User) -> Interview:
    scorecard_submit(
        actor=manager,
        interview=interview,
        rating=4,
        recommendation="yes",
        notes="Clear thinker, secret-ish.",
    )
    return interview


@pytest.mark.parametrize("who", ["admin", "owner", "teammate", "manager", "sourcer", "outsider"])
def test_the_interview_page_for_the_whole_cast(
    client: Client, scored: Interview, cast: dict[str, User], who: str
) -> None:
    response = login(client, cast[who]).get(f"/interviews/{scored.pk}/")
    if who == "outsider":
        assert response.status_code == 404
        return
    page = response.content.decode()
    assert "Technical interview" in page and "Maria Souza" in page
    assert "America/Sao Paulo" in page and "Europe/Lisbon" in page
    assert "Go deep on Django ORM performance." in page
    assert ("Clear thinker, secret-ish." in page) is SEE_FEEDBACK[who]
    assert ("Reschedule or change" in page) is (who in ("admin", "owner", "teammate"))


@pytest.mark.parametrize("who", ["admin", "owner", "teammate", "manager", "sourcer", "outsider"])
def test_the_application_card_for_the_whole_cast(
    client: Client, scored: Interview, cast: dict[str, User], who: str
) -> None:
    response = login(client, cast[who]).get(f"/applications/{scored.application_id}/interviews/")
    if who == "outsider":
        assert response.status_code == 404
        return
    page = response.content.decode()
    assert "Technical interview" in page
    assert ("average of 1 scorecard" in page) is SEE_FEEDBACK[who]
    assert ("Hana Manager" in page and "4/5" in page) is SEE_FEEDBACK[who]
    assert ("Schedule interview" in page) is (who in ("admin", "owner", "teammate"))


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 200),
        ("owner", 200),
        ("manager", 200),
        ("teammate", 403),
        ("sourcer", 404),
        ("outsider", 404),
    ],
)
def test_the_feedback_form_is_for_the_panel_and_the_job(
    client: Client, scored: Interview, cast: dict[str, User], who: str, status: int
) -> None:
    response = login(client, cast[who]).get(f"/interviews/{scored.pk}/feedback/")
    assert response.status_code == status
    if status == 403:
        assert "Only the interviewers" in response.content.decode()
    if who == "manager":
        assert "Clear thinker, secret-ish." in response.content.decode()  # her own, to edit


def test_feedback_is_given_through_the_page(
    client: Client, interview: Interview, owner: User
) -> None:
    page = login(client, owner).post(
        f"/interviews/{interview.pk}/feedback/", {"rating": "5", "notes": "Great."}
    )
    assert "Choose a recommendation" in page.content.decode()
    done = client.post(
        f"/interviews/{interview.pk}/feedback/",
        {"rating": "5", "recommendation": "strong_yes", "notes": "Great."},
        follow=True,
    )
    assert "Feedback saved" in done.content.decode()
    assert Scorecard.objects.get(author=owner).recommendation == "strong_yes"


def test_the_schedule_page_says_what_was_wrong(
    client: Client, application: Application, owner: User
) -> None:
    day = in_two_days().date().isoformat()
    response = login(client, owner).post(
        f"/applications/{application.pk}/interviews/new/",
        {
            "title": "Technical interview",
            "date": day,
            "time": "10:00",
            "timezone": "Europe/Lisbon",
            "duration": "60",
            "video_url": "javascript:alert(document.cookie)",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Choose at least one interviewer." in page
    assert "A video link must be a web address starting with https://" in page
    assert not Interview.objects.exists()


def test_the_schedule_page_schedules(
    client: Client, application: Application, owner: User, manager: User
) -> None:
    day = in_two_days().date().isoformat()
    response = login(client, owner).post(
        f"/applications/{application.pk}/interviews/new/",
        {
            "title": "Culture chat",
            "date": day,
            "time": "14:30",
            "timezone": "Europe/Lisbon",
            "duration": "45",
            "interviewers": [str(owner.pk), str(manager.pk)],
            "video_url": "https://meet.example.com/xyz",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Interview scheduled. 3 invitations on their way." in page
    interview = Interview.objects.get()
    assert interview.ends_at - interview.starts_at == dt.timedelta(minutes=45)
    assert interview.starts_at.astimezone(LISBON).isoformat().startswith(f"{day}T14:30")
    assert interview.timezone == "Europe/Lisbon" and interview.title == "Culture chat"


@pytest.mark.parametrize("who", ["sourcer", "manager"])
def test_those_who_do_not_move_candidates_are_told_so(
    client: Client, application: Application, cast: dict[str, User], who: str
) -> None:
    response = login(client, cast[who]).get(f"/applications/{application.pk}/interviews/new/")
    assert response.status_code == 403
    assert "Only recruiters and admins schedule" in response.content.decode()


def test_a_cancelled_interview_page_offers_no_changes(
    client: Client, interview: Interview, owner: User
) -> None:
    interview_cancel(actor=owner, interview=interview)
    page = login(client, owner).get(f"/interviews/{interview.pk}/edit/").content.decode()
    assert "was cancelled and cannot be changed" in page
    response = client.post(f"/interviews/{interview.pk}/cancel/", {}, follow=True)
    assert "This interview was cancelled" in response.content.decode()


def test_the_calendar_file_reads_back(client: Client, interview: Interview, manager: User) -> None:
    from icalendar import Calendar

    response = login(client, manager).get(f"/interviews/{interview.pk}/invite.ics")
    assert response["Content-Type"].startswith("text/calendar")
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert str(event["UID"]) == interview.uid
    assert "Go deep on Django ORM performance." in str(event["DESCRIPTION"])


# --- my interviews ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("admin", True),
        ("owner", True),
        ("teammate", True),
        ("manager", True),
        ("sourcer", False),
        ("outsider", False),
    ],
)
def test_my_interviews_for_the_whole_cast(
    client: Client, interview: Interview, cast: dict[str, User], who: str, sees: bool
) -> None:
    page = login(client, cast[who]).get("/interviews/").content.decode()
    assert ("Technical interview" in page) is sees
    mine = client.get("/interviews/?scope=mine").content.decode()
    assert ("Technical interview" in mine) is (who in ("owner", "manager"))


def test_my_interviews_reads_a_fixed_number_of_queries(
    client: Client,
    job: Job,
    make_candidate: Callable[..., Candidate],
    owner: User,
    manager: User,
    django_assert_max_num_queries: Any,
) -> None:
    def add(n: int) -> None:
        for _ in range(n):
            person = make_candidate()
            application = application_create(actor=owner, job=job, candidate=person)
            interview_schedule(
                actor=owner, application=application, fields=interview_fields([owner, manager])
            )

    login(client, owner)
    add(1)
    client.get("/interviews/")
    with CaptureQueriesContext(connection) as one:
        client.get("/interviews/")
    add(4)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get("/interviews/").content.decode()
    assert page.count("Technical interview") == 5


def test_feedback_due_is_listed_for_the_interviewer(
    client: Client, interview: Interview, manager: User
) -> None:
    Interview.objects.filter(pk=interview.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=3),
        ends_at=timezone.now() - dt.timedelta(hours=2),
    )
    page = login(client, manager).get("/interviews/").content.decode()
    assert "Your feedback is due" in page and f"/interviews/{interview.pk}/feedback/" in page
    scorecard_submit(actor=manager, interview=interview, rating=3, recommendation="yes")
    assert "Your feedback is due" not in client.get("/interviews/").content.decode()


def test_the_reschedule_page_moves_the_interview(
    client: Client, interview: Interview, owner: User, manager: User
) -> None:
    form = login(client, owner).get(f"/interviews/{interview.pk}/edit/").content.decode()
    assert 'value="Technical interview"' in form and 'value="10:00"' in form
    day = in_two_days().date().isoformat()
    moved = client.post(
        f"/interviews/{interview.pk}/edit/",
        {
            "title": "Technical interview",
            "date": day,
            "time": "16:00",
            "timezone": "Europe/Lisbon",
            "duration": "60",
            "interviewers": [str(owner.pk), str(manager.pk)],
            "location": "Rua Augusta 10, Lisbon",
            "video_url": "https://meet.example.com/abc-defg",
            "notes": "Go deep on Django ORM performance.",
        },
        follow=True,
    )
    assert "Interview updated. 3 invitations on their way." in moved.content.decode()
    interview.refresh_from_db()
    assert interview.sequence == 1
    assert interview.starts_at.astimezone(LISBON).hour == 16


def test_the_application_card_reads_a_fixed_number_of_queries(
    client: Client,
    application: Application,
    owner: User,
    manager: User,
    django_assert_max_num_queries: Any,
) -> None:
    def add(hour: int) -> None:
        starts = in_two_days(hour)
        made = interview_schedule(
            actor=owner,
            application=application,
            fields=interview_fields(
                [owner, manager], starts_at=starts, ends_at=starts + dt.timedelta(hours=1)
            ),
        )
        scorecard_submit(actor=manager, interview=made, rating=4, recommendation="yes")

    login(client, owner)
    add(9)
    with CaptureQueriesContext(connection) as one:
        client.get(f"/applications/{application.pk}/interviews/")
    add(11)
    add(13)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(f"/applications/{application.pk}/interviews/").content.decode()
    assert page.count("Technical interview") == 3 and "average of 3 scorecards" in page


def test_an_interviewers_answer_to_the_invitation_is_not_the_candidate_replying(
    interview: Interview, manager: User, candidate: Candidate
) -> None:
    from rapport.inbox.models import InboundKind
    from rapport.inbox.services import inbound_receive
    from rapport.outreach.models import Enrollment

    invitation = Message.objects.get(key=f"iv{interview.pk}:0:u{manager.pk}")
    raw = (
        f"From: Hana Manager <{manager.email}>\r\n"
        f"To: {invitation.from_email}\r\n"
        f"Subject: Re: {invitation.subject}\r\n"
        "Message-ID: <hana-answer-1@example.com>\r\n"
        f"In-Reply-To: {invitation.message_id}\r\n"
        "Date: Thu, 26 Nov 2026 10:00:00 +0000\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "I can do it, but could we start ten minutes later?\r\n"
    ).encode()
    received = inbound_receive(raw=raw, source="pipe").message
    assert received.kind == InboundKind.UNMATCHED
    assert received.suggested_candidate_id == candidate.pk
    assert not Activity.objects.filter(candidate=candidate, kind="email.replied").exists()
    assert not Enrollment.objects.filter(candidate=candidate, stop_reason="replied").exists()


def test_the_interview_page_shows_it_in_the_viewers_own_zone_when_set(
    interview: Interview, owner: User
) -> None:
    from zoneinfo import ZoneInfo

    from rapport.accounts.services import profile_update

    client = login(Client(), owner)
    plain = client.get(f"/interviews/{interview.pk}/").content.decode()
    assert "Your browser’s time zone" in plain
    profile_update(user=owner, name=owner.name, timezone="Asia/Tokyo", signature="")
    page = client.get(f"/interviews/{interview.pk}/").content.decode()
    tokyo = interview.starts_at.astimezone(ZoneInfo("Asia/Tokyo"))
    assert "your time zone, from your account" in page
    assert f"{tokyo:%H:%M}–" in page
    assert "Your browser’s time zone" not in page
