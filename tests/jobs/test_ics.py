"""Interview invitations read back: the iCalendar text through the icalendar
package, and the outbox messages as bytes through the email package and a
real SMTP server."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from collections.abc import Callable
from email.message import EmailMessage
from typing import Any

import pytest
from icalendar import Calendar

from rapport.accounts.models import User
from rapport.jobs.interviews import interview_cancel, interview_reschedule, interview_schedule
from rapport.jobs.models import Application, Interview, Job, Stage
from rapport.jobs.services import application_create
from rapport.outreach import mime
from rapport.outreach.models import CapturedMail, Message
from rapport.people.models import Candidate
from tests.jobs.interview_helpers import in_two_days, interview_fields
from tests.outreach.conftest import Sink, deliver, smtp_sink

__all__ = ["deliver", "smtp_sink"]  # the outreach fixtures, used here too
pytestmark = pytest.mark.django_db


@pytest.fixture
def interview(
    job: Job, candidate: Candidate, owner: User, manager: User, stage: Callable[[str], Stage]
) -> Interview:
    application: Application = application_create(
        actor=owner, job=job, candidate=candidate, stage=stage("Interview")
    )
    return interview_schedule(
        actor=owner, application=application, fields=interview_fields([owner, manager])
    )


def _calendar(key: str) -> tuple[Calendar, Any]:
    calendar = Calendar.from_ical(Message.objects.get(key=key).calendar)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return calendar, events[0]


def _attendees(event: Any) -> set[str]:
    found = event.get("ATTENDEE")
    found = found if isinstance(found, list) else [found]
    return {str(a).removeprefix("mailto:") for a in found}


def test_the_invitation_reads_back(interview: Interview, owner: User, manager: User) -> None:
    calendar, event = _calendar(f"iv{interview.pk}:0:c")
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == interview.uid and interview.uid.endswith(f"@{mime.domain()}")
    assert int(event["SEQUENCE"]) == 0
    assert (
        event["DTSTART"].dt == in_two_days() and event["DTSTART"].dt.utcoffset() == dt.timedelta()
    )
    utc = in_two_days().astimezone(dt.UTC)
    assert (
        f"DTSTART:{utc:%Y%m%dT%H%M%S}Z" in Message.objects.get(key=f"iv{interview.pk}:0:c").calendar
    )
    assert event["DTEND"].dt == in_two_days(11)
    assert str(event["ORGANIZER"]) == "mailto:rita@example.com"
    assert event["ORGANIZER"].params["CN"] == "Rita Recruiter"
    assert _attendees(event) == {"maria.souza@example.org", "rita@example.com", "hana@example.com"}
    assert str(event["LOCATION"]) == "Rua Augusta 10, Lisbon"
    assert str(event["URL"]) == "https://meet.example.com/abc-defg"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["SUMMARY"]) == "Technical interview: Senior Backend Engineer"
    assert "Thank you for your interest in Senior Backend Engineer" in str(event["DESCRIPTION"])
    assert "Go deep" not in str(event["DESCRIPTION"])  # the notes are the team's


def test_an_interviewers_invitation_carries_the_notes(interview: Interview, manager: User) -> None:
    _, event = _calendar(f"iv{interview.pk}:0:u{manager.pk}")
    assert str(event["SUMMARY"]) == "Technical interview: Maria Souza for Senior Backend Engineer"
    assert "Go deep on Django ORM performance." in str(event["DESCRIPTION"])
    assert str(event["UID"]) == interview.uid


def test_a_reschedule_keeps_the_uid_and_raises_the_sequence(
    interview: Interview, owner: User, manager: User
) -> None:
    later = in_two_days(16)
    interview_reschedule(
        actor=owner,
        interview=interview,
        fields=interview_fields(
            [owner, manager], starts_at=later, ends_at=later + dt.timedelta(minutes=30)
        ),
    )
    calendar, event = _calendar(f"iv{interview.pk}:1:c")
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == interview.uid and int(event["SEQUENCE"]) == 1
    assert event["DTSTART"].dt == later and event["DTEND"].dt == later + dt.timedelta(minutes=30)
    _, earlier = _calendar(f"iv{interview.pk}:0:c")
    assert earlier["DTSTART"].dt == in_two_days()  # what was sent first is kept as sent


def test_a_cancellation_reads_back(interview: Interview, owner: User, manager: User) -> None:
    interview_cancel(actor=owner, interview=interview)
    for key in (f"iv{interview.pk}:1:c", f"iv{interview.pk}:1:u{manager.pk}"):
        calendar, event = _calendar(key)
        assert str(calendar["METHOD"]) == "CANCEL"
        assert str(event["STATUS"]) == "CANCELLED"
        assert str(event["UID"]) == interview.uid and int(event["SEQUENCE"]) == 1


def test_an_interviewer_taken_off_gets_a_cancellation_naming_only_them(
    interview: Interview, owner: User, manager: User, admin: User
) -> None:
    interview_reschedule(actor=owner, interview=interview, fields=interview_fields([owner, admin]))
    calendar, event = _calendar(f"iv{interview.pk}:1:u{manager.pk}")
    assert str(calendar["METHOD"]) == "CANCEL" and _attendees(event) == {"hana@example.com"}
    _, kept = _calendar(f"iv{interview.pk}:1:u{admin.pk}")
    assert _attendees(kept) == {"maria.souza@example.org", "rita@example.com", "ada@example.com"}


def _parsed(data: bytes) -> EmailMessage:
    parsed = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def _calendar_parts(parsed: EmailMessage) -> tuple[EmailMessage, EmailMessage]:
    inline = [p for p in parsed.walk() if p.get_content_type() == "text/calendar"]
    files = [p for p in parsed.walk() if p.get_filename() == "invite.ics"]
    assert len(inline) == 1 and len(files) == 1
    return inline[0], files[0]  # type: ignore[return-value]


def test_the_outbox_message_is_an_invitation_mail_clients_understand(
    interview: Interview, settings: Any
) -> None:
    settings.REPLY_ADDRESS = "replies@mail.example.com"
    message = Message.objects.get(key=f"iv{interview.pk}:0:c")
    parsed = _parsed(mime.build(message, track_opens=False).data)
    assert parsed.get_content_type() == "multipart/mixed"
    inline, attached = _calendar_parts(parsed)
    assert inline.get_param("method") == "REQUEST"
    assert inline.get_content() == message.calendar
    assert attached.get_content_disposition() == "attachment"
    assert Calendar.from_ical(attached.get_content())["METHOD"] == "REQUEST"
    text = parsed.get_body(preferencelist=("plain",))
    html = parsed.get_body(preferencelist=("html",))
    assert text is not None and "Hi Maria," in text.get_content()
    assert html is not None and "Technical interview" in html.get_content()
    assert parsed["Reply-To"].startswith("replies+")  # the candidate's answer comes back


def test_a_teammates_copy_is_untracked_and_answered_to_the_sender(
    interview: Interview, manager: User, settings: Any
) -> None:
    settings.REPLY_ADDRESS = "replies@mail.example.com"
    message = Message.objects.get(key=f"iv{interview.pk}:0:u{manager.pk}")
    parsed = _parsed(mime.build(message, track_opens=True).data)
    assert parsed["Reply-To"] is None and parsed["List-Unsubscribe"] is None
    html = parsed.get_body(preferencelist=("html",))
    assert html is not None and "/m/" not in html.get_content()  # no open pixel, no click links


def test_the_captured_mailbox_holds_the_invitations(
    interview: Interview, deliver: Any, manager: User
) -> None:
    deliver()
    raw = bytes(CapturedMail.objects.get(message__key=f"iv{interview.pk}:0:u{manager.pk}").raw)
    inline, _ = _calendar_parts(_parsed(raw))
    event = Calendar.from_ical(inline.get_content()).walk("VEVENT")[0]
    assert str(event["UID"]) == interview.uid


def test_the_invitations_reach_a_real_mail_server(
    interview: Interview, smtp_sink: Sink, deliver: Any, owner: User
) -> None:
    outcome = deliver()
    assert outcome.sent == 3
    received = smtp_sink.to("maria.souza@example.org")
    assert len(received) == 1
    inline, _ = _calendar_parts(received[0].message)
    assert inline.get_param("method") == "REQUEST"
    interview_cancel(actor=owner, interview=interview)
    deliver()
    cancelled = smtp_sink.to("hana@example.com")[-1].message
    inline, _ = _calendar_parts(cancelled)
    assert inline.get_param("method") == "CANCEL"
    assert cancelled["Subject"].startswith("Cancelled: Technical interview")
