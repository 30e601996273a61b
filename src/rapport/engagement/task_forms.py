"""The form of a task made by hand. It only validates; the service decides."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from rapport.accounts.models import User
from rapport.engagement.task_services import end_of_day


def _display_name(user: User) -> str:
    return user.display_name


class TaskForm(forms.Form):
    title = forms.CharField(max_length=200, label="What needs doing")
    due = forms.DateField(
        label="Due",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="By the end of the day.",
    )
    assignee = forms.ModelChoiceField(queryset=User.objects.none(), label="For")
    notes = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "true"})
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = User.objects.filter(is_active=True).order_by("name", "email")
        field.initial = actor.pk
        field.label_from_instance = _display_name  # type: ignore[method-assign,assignment]
        self.fields["due"].initial = timezone.localdate()

    def clean_due(self) -> dt.date:
        due: dt.date = self.cleaned_data["due"]
        if due < timezone.localdate():
            raise forms.ValidationError("Choose today or a later day.")
        return due

    def due_at(self) -> dt.datetime:
        """The end of the chosen day, in the installation's time zone."""
        day: dt.date = self.cleaned_data["due"]
        return end_of_day(timezone.make_aware(dt.datetime.combine(day, dt.time(12))))
