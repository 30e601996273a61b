"""Interview invitations as iCalendar objects (RFC 5545), sent by email the
way calendars expect them (iTIP, RFC 5546).

One interview is one event with a UID that never changes. Each change sends
the event again with a higher SEQUENCE, so calendars replace what they hold
instead of adding a second event: METHOD:REQUEST to invite or update, and
METHOD:CANCEL with STATUS:CANCELLED to take it off (from everyone's
calendar, or from one removed interviewer's only). Times are written in UTC,
which every calendar reads without a time-zone definition and shows in its
owner's own time zone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from rapport.jobs.models import Interview

PRODID = "-//Rapport//Interview invitations//EN"
Method = Literal["REQUEST", "CANCEL"]


@dataclass(frozen=True)
class Person:
    """Someone the invitation names: the organiser or an attendee."""

    name: str
    email: str


def _address(person: Person, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    if person.name:
        address.params["CN"] = vText(person.name)
    for key, value in params.items():
        address.params[key.upper().replace("_", "-")] = vText(value)
    return address


def invitation(
    interview: Interview,
    *,
    method: Method,
    summary: str,
    description: str,
    organizer: Person,
    attendees: Sequence[Person],
    stamp: dt.datetime | None = None,
) -> str:
    """The calendar text for one audience of `interview` (the candidate's and
    the interviewers' differ only in summary and description)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    event = Event()
    event.add("uid", interview.uid)
    event.add("sequence", interview.sequence)
    event.add("dtstamp", (stamp or timezone.now()).astimezone(dt.UTC))
    event.add("dtstart", interview.starts_at.astimezone(dt.UTC))
    event.add("dtend", interview.ends_at.astimezone(dt.UTC))
    event.add("last-modified", interview.updated_at.astimezone(dt.UTC))
    event.add("summary", summary)
    if description:
        event.add("description", description)
    place = interview.location or interview.video_url
    if place:
        event.add("location", place)
    if interview.video_url:
        event.add("url", interview.video_url)
    event.add("organizer", _address(organizer))
    for person in attendees:
        event.add(
            "attendee",
            _address(
                person,
                cutype="INDIVIDUAL",
                role="REQ-PARTICIPANT",
                partstat="NEEDS-ACTION",
                rsvp="TRUE" if method == "REQUEST" else "FALSE",
            ),
        )
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    event.add("transp", "OPAQUE")
    calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")
