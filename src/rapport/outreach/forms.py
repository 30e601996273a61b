"""Forms of the outreach pages. They only validate; the services decide."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from rapport.accounts.models import Capability, User
from rapport.core.geo import timezones
from rapport.outreach.models import MessageKind, Sequence, Template, Topic
from rapport.outreach.policy import DAY_NAMES, Window

MARKDOWN_HELP = (
    "Markdown: **bold**, *italic*, [a link](https://…), lists with “- ”. "
    "Merge fields in double braces: {{ candidate.first_name }}."
)


def senders() -> Any:
    """Teammates mail may come from: everyone active who may send email."""
    ids = [u.pk for u in User.objects.filter(is_active=True) if u.can(Capability.SEND_EMAIL)]
    return User.objects.filter(pk__in=ids).order_by("name", "email")


class TemplateForm(forms.Form):
    name = forms.CharField(max_length=120)
    kind = forms.ChoiceField(
        choices=[(k, label) for k, label in MessageKind.choices if k != MessageKind.STAFF],
        initial=MessageKind.NURTURE,
        help_text="Nurture mail follows every sending rule; personal mail (a reply, an "
        "interview invitation) skips the contact limit and the send window.",
    )
    topic = forms.ModelChoiceField(
        queryset=Topic.objects.all(),
        required=False,
        help_text="Candidates who decline this topic in their preferences do not get it.",
    )
    subject = forms.CharField(max_length=300, widget=forms.TextInput(attrs={"class": "mono"}))
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 14, "class": "mono", "spellcheck": "true"}),
        help_text=MARKDOWN_HELP,
    )


class EmailForm(forms.Form):
    """A one-to-one email, optionally started from a template."""

    template = forms.ModelChoiceField(
        queryset=Template.objects.filter(archived_at__isnull=True),
        required=False,
        label="Start from a template",
        empty_label="Start from a template",
    )
    subject = forms.CharField(max_length=300)
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "true"}), help_text=MARKDOWN_HELP
    )


class WindowFields(forms.Form):
    """A send window of its own, or the organisation's."""

    own_window = forms.BooleanField(required=False, label="Use a send window of its own")
    window_days = forms.MultipleChoiceField(
        required=False,
        label="Days",
        choices=[(str(i), name) for i, name in enumerate(DAY_NAMES)],
        widget=forms.CheckboxSelectMultiple,
        initial=["1", "2", "3"],
    )
    window_start = forms.TimeField(
        required=False,
        label="From",
        initial=dt.time(9),
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    window_end = forms.TimeField(
        required=False,
        label="Until",
        initial=dt.time(11, 30),
        widget=forms.TimeInput(attrs={"type": "time"}),
    )

    def window(self) -> Window | None:
        data = self.cleaned_data
        if not data.get("own_window"):
            return None
        return Window(
            days=tuple(int(d) for d in data["window_days"]),
            start=data["window_start"],
            end=data["window_end"],
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("own_window") or "own_window" not in self.fields:
            if not data.get("window_days"):
                self.add_error("window_days", "Choose at least one day.")
            start, end = data.get("window_start"), data.get("window_end")
            if start is None or end is None:
                self.add_error("window_start", "Give the hours mail may arrive.")
            elif start >= end:
                self.add_error("window_end", "The window must end after it starts.")
        return data

    @staticmethod
    def initial_for(window: Window | None) -> dict[str, Any]:
        if window is None:
            return {}
        return {
            "own_window": True,
            "window_days": [str(d) for d in window.days],
            "window_start": window.start,
            "window_end": window.end,
        }


class CampaignForm(WindowFields):
    name = forms.CharField(max_length=150)
    template = forms.ModelChoiceField(
        queryset=Template.objects.filter(archived_at__isnull=True), empty_label="Choose a template"
    )
    audience = forms.ChoiceField(label="Send to", choices=[])
    sender = forms.ModelChoiceField(queryset=User.objects.none(), label="From")

    field_order = ["name", "template", "audience", "sender"]

    def __init__(self, *args: Any, audiences: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["audience"].choices = [("", "Choose a segment or a pool"), *audiences]  # type: ignore[attr-defined]
        self.fields["sender"].queryset = senders()  # type: ignore[attr-defined]


class LaunchForm(forms.Form):
    when = forms.ChoiceField(
        choices=[("now", "Send now"), ("later", "Schedule")],
        widget=forms.RadioSelect,
        initial="now",
    )
    at = forms.DateTimeField(
        required=False,
        label="Send at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="In your time zone; each message still waits for its send window.",
    )

    def moment(self) -> dt.datetime | None:
        if self.cleaned_data["when"] == "now":
            return None
        at = self.cleaned_data.get("at")
        if at is None:
            raise ValidationError({"at": ["Choose when to send it."]})
        if at <= timezone.now():
            raise ValidationError({"at": ["Choose a moment in the future."]})
        return at


class SequenceForm(WindowFields):
    name = forms.CharField(max_length=150)
    description = forms.CharField(max_length=300, required=False)
    sender = forms.ModelChoiceField(queryset=User.objects.none(), label="From")
    auto_segment = forms.ChoiceField(
        required=False,
        label="Enrol automatically",
        choices=[],
        help_text="Candidates who come to match this segment are enrolled once, within minutes.",
    )
    stop_on_auto_reply = forms.BooleanField(
        required=False, label="Also stop on an automatic reply (out of office)"
    )
    active = forms.BooleanField(required=False, initial=True, label="Active (sending)")

    field_order = ["name", "description", "sender", "auto_segment", "stop_on_auto_reply", "active"]

    def __init__(self, *args: Any, segments: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sender"].queryset = senders()  # type: ignore[attr-defined]
        self.fields["auto_segment"].choices = [("", "No, only by hand"), *segments]  # type: ignore[attr-defined]


class StepForm(forms.Form):
    template = forms.ModelChoiceField(
        queryset=Template.objects.filter(archived_at__isnull=True), empty_label="Choose a template"
    )
    wait_days = forms.IntegerField(
        min_value=0, max_value=365, initial=3, label="Wait (days)",
        help_text="After the previous step was sent; after enrolment for the first step.",
    )  # fmt: skip
    business_days = forms.BooleanField(required=False, label="Count business days only")
    as_reply = forms.BooleanField(
        required=False, initial=True, label="Send as a reply in the same thread"
    )


class PolicyForm(WindowFields):
    fallback_timezone = forms.ChoiceField(
        label="Time zone when a candidate's is unknown", choices=[]
    )
    cap_messages = forms.IntegerField(
        min_value=0, max_value=50, label="At most this many messages",
        help_text="Per candidate, counting every campaign, sequence and sender. 0: no limit.",
    )  # fmt: skip
    cap_days = forms.IntegerField(min_value=1, max_value=365, label="In this many days")
    require_consent = forms.BooleanField(
        required=False, label="Send nurture mail only to candidates who gave consent"
    )
    retry_days = forms.IntegerField(
        min_value=1, max_value=14, label="Retry deferred mail for (days)"
    )
    track_opens = forms.BooleanField(required=False, label="Track opens (a tiny image in the mail)")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["own_window"]  # the organisation always has one
        self.fields["fallback_timezone"].choices = [(z, z) for z in timezones()]  # type: ignore[attr-defined]


class TopicForm(forms.Form):
    name = forms.CharField(max_length=80)
    description = forms.CharField(max_length=200, required=False)


class SuppressionForm(forms.Form):
    address = forms.CharField(max_length=254, label="Email address")
    note = forms.CharField(max_length=300, required=False)


class EnrollForm(forms.Form):
    sequence = forms.ModelChoiceField(queryset=Sequence.objects.filter(active=True))
