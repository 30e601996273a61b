"""What the interview tests share: an application at the Interview stage and
an interview's fields two days from now, at 10:00 in Lisbon."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from rapport.accounts.models import User
from rapport.jobs.interviews import InterviewFields

LISBON = ZoneInfo("Europe/Lisbon")


def in_two_days(hour: int = 10) -> dt.datetime:
    day = (timezone.now() + dt.timedelta(days=2)).astimezone(LISBON).date()
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=LISBON)


def interview_fields(interviewers: Sequence[User], **overrides: Any) -> InterviewFields:
    starts = overrides.pop("starts_at", in_two_days())
    values: dict[str, Any] = {
        "title": "Technical interview",
        "starts_at": starts,
        "ends_at": starts + dt.timedelta(hours=1),
        "timezone": "Europe/Lisbon",
        "interviewers": list(interviewers),
        "location": "Rua Augusta 10, Lisbon",
        "video_url": "https://meet.example.com/abc-defg",
        "notes": "Go deep on Django ORM performance.",
    }
    values.update(overrides)
    return InterviewFields(**values)
