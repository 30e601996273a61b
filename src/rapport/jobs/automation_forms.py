"""Forms of the stage-automation pages. They only validate; the services
decide (templates that do not compile, limits, what goes with what)."""

from __future__ import annotations

from typing import Any

from django import forms

from rapport.jobs.automations import MAX_DELAY_HOURS, MAX_TASK_DAYS, AutomationFields
from rapport.outreach.forms import MARKDOWN_HELP
from rapport.outreach.models import Template


class AutomationForm(forms.Form):
    template = forms.ModelChoiceField(
        queryset=Template.objects.none(),
        required=False,
        label="Email",
        empty_label="No email",
        help_text="An outreach template; {{ job.title }} and the other job fields are filled in.",
    )
    delay_hours = forms.IntegerField(
        min_value=0,
        max_value=MAX_DELAY_HOURS,
        initial=0,
        label="Wait (hours)",
        help_text="0 sends it at once.",
    )
    review = forms.BooleanField(required=False, label="Hold it for me to read, edit and send")
    task_title = forms.CharField(
        max_length=200,
        required=False,
        label="Task for the recruiter",
        help_text="Leave empty for no task.",
    )
    task_due_days = forms.IntegerField(
        min_value=0,
        max_value=MAX_TASK_DAYS,
        initial=1,
        label="Task due in (days)",
        help_text="0: by the end of the day they enter.",
    )
    active = forms.BooleanField(required=False, initial=True, label="Active")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["template"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Template.objects.filter(archived_at__isnull=True).order_by("name")

    def values(self) -> AutomationFields:
        data = self.cleaned_data
        return AutomationFields(
            template=data["template"],
            delay_hours=data["delay_hours"],
            review=data["review"],
            task_title=data["task_title"],
            task_due_days=data["task_due_days"],
            active=data["active"],
        )


class ReviewForm(forms.Form):
    subject = forms.CharField(max_length=300)
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "true"}), help_text=MARKDOWN_HELP
    )
