"""Forms of the interview pages. They only validate what was typed; the rules
(who may interview, when, where) are the services' and come back as errors
on the fields they name."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import QuerySet

from rapport.accounts.models import User
from rapport.core.geo import timezones
from rapport.jobs.interviews import InterviewFields, video_link_problem
from rapport.jobs.models import Interview, Recommendation

DURATIONS = [
    (15, "15 minutes"),
    (30, "30 minutes"),
    (45, "45 minutes"),
    (60, "1 hour"),
    (90, "1 hour 30"),
    (120, "2 hours"),
    (180, "3 hours"),
    (240, "4 hours"),
]
# A service error about these names lands on the field the person typed in.
FIELD_ALIASES = {"starts_at": "time", "ends_at": "duration", "interview": None, "application": None}


class InterviewerChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name} ({obj.get_role_display()})"


class InterviewForm(forms.Form):
    title = forms.CharField(max_length=150, initial="Interview")
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    timezone = forms.ChoiceField(label="Time zone", help_text="The zone the date and time are in.")
    duration = forms.TypedChoiceField(coerce=int, choices=DURATIONS, initial=60)
    interviewers = InterviewerChoice(
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one interviewer."},
        help_text="Admins, recruiters and the job's hiring managers.",
    )
    location = forms.CharField(
        max_length=300,
        required=False,
        help_text="An address or a room. Give a place, a video link, or both.",
    )
    video_url = forms.CharField(
        label="Video link",
        max_length=500,
        required=False,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    notes = forms.CharField(
        label="Notes for the interviewers",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What to cover. The candidate never sees these.",
    )

    def __init__(self, *args: Any, interviewers: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["interviewers"]
        assert isinstance(field, InterviewerChoice)
        field.queryset = interviewers.order_by("name", "email")
        zone = self.fields["timezone"]
        assert isinstance(zone, forms.ChoiceField)
        zone.choices = [(z, z.replace("_", " ")) for z in ["UTC", *timezones()]]

    def clean_video_url(self) -> str:
        url = str(self.cleaned_data.get("video_url", "")).strip()
        if problem := video_link_problem(url):
            raise forms.ValidationError(problem)
        return url

    def interview_fields(self) -> InterviewFields:
        data = self.cleaned_data
        starts = dt.datetime.combine(data["date"], data["time"], tzinfo=ZoneInfo(data["timezone"]))
        return InterviewFields(
            title=data["title"],
            starts_at=starts,
            ends_at=starts + dt.timedelta(minutes=data["duration"]),
            timezone=data["timezone"],
            interviewers=list(data["interviewers"]),
            location=data["location"],
            video_url=data["video_url"],
            notes=data["notes"],
        )


def interview_initial(interview: Interview) -> dict[str, Any]:
    """The form as the interview stands, in the zone it was scheduled in."""
    local = interview.starts_at.astimezone(ZoneInfo(interview.timezone))
    minutes = int((interview.ends_at - interview.starts_at).total_seconds() // 60)
    return {
        "title": interview.title,
        "date": local.date(),
        "time": local.time().replace(second=0, microsecond=0),
        "timezone": interview.timezone,
        "duration": minutes,
        "interviewers": [u.pk for u in interview.interviewers.all()],
        "location": interview.location,
        "video_url": interview.video_url,
        "notes": interview.notes,
    }


def keep_duration(form: InterviewForm, minutes: int) -> None:
    """An interview of an unusual length keeps it as a choice when edited."""
    field = form.fields["duration"]
    assert isinstance(field, forms.TypedChoiceField)
    if minutes not in {m for m, _ in DURATIONS}:
        field.choices = sorted([*DURATIONS, (minutes, f"{minutes} minutes")])


class CancelForm(forms.Form):
    note = forms.CharField(
        label="A word to the candidate",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Goes in the cancellation email, such as why or what happens next.",
    )


class ScorecardForm(forms.Form):
    rating = forms.TypedChoiceField(
        coerce=int,
        choices=[
            (5, "5 · Excellent"),
            (4, "4 · Good"),
            (3, "3 · Mixed"),
            (2, "2 · Weak"),
            (1, "1 · Poor"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Rate from 1 (poor) to 5 (excellent)."},
    )
    recommendation = forms.ChoiceField(
        choices=list(reversed(Recommendation.choices)),
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a recommendation, from strong no to strong yes."},
    )
    notes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="What you saw: strengths, concerns, evidence. Confidential: sourcers never see it.",
    )
