"""Forms of the jobs pages. They only validate what a person typed; the
services decide what may be done and say why not."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from rapport.core.geo import countries
from rapport.jobs.models import EmploymentType, Job, RejectionReason, RemotePolicy, StageKind
from rapport.jobs.selectors import job_people_choices, job_skills
from rapport.jobs.services import JobFields
from rapport.people.forms import split_list
from rapport.people.models import Seniority

# Where a service's error about a field lands on the job form.
JOB_FIELD_ALIASES = {"skills": "required_skills", "silver_stage": None}


class PeopleChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name} ({obj.get_role_display().lower()})"


class PeopleChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name} ({obj.get_role_display().lower()})"


class JobForm(forms.Form):
    title = forms.CharField(max_length=150)
    department = forms.CharField(max_length=100, required=False)
    location = forms.CharField(
        max_length=150, required=False, help_text="The city, as candidates see it."
    )
    country = forms.ChoiceField(required=False)
    timezone = forms.CharField(
        max_length=64,
        required=False,
        label="Team's time zone",
        widget=forms.TextInput(attrs={"list": "timezones", "placeholder": "e.g. Europe/Lisbon"}),
    )
    remote = forms.ChoiceField(choices=RemotePolicy.choices, label="Remote policy")
    employment_type = forms.ChoiceField(choices=EmploymentType.choices, label="Employment type")
    seniority = forms.ChoiceField(choices=[("", "—"), *Seniority.choices], required=False)
    headcount = forms.IntegerField(
        min_value=1, max_value=999, initial=1, help_text="How many people this job hires."
    )
    description = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Markdown: **bold**, lists, links.",
    )
    required_skills = forms.CharField(
        required=False,
        label="Required skills",
        widget=forms.TextInput(attrs={"list": "skills", "placeholder": "Python, Django"}),
        help_text="Comma-separated names from the skills vocabulary; aliases work (k8s, postgres).",
    )
    nice_skills = forms.CharField(
        required=False,
        label="Nice-to-have skills",
        widget=forms.TextInput(attrs={"list": "skills", "placeholder": "PostgreSQL, Kubernetes"}),
        help_text="Comma-separated, none of them required above.",
    )
    recruiter = PeopleChoice(queryset=None, required=False, empty_label="Nobody yet")
    hiring_managers = PeopleChoices(
        queryset=None,
        required=False,
        label="Hiring managers",
        widget=forms.CheckboxSelectMultiple,
        help_text="They see this job and its candidates, nothing else.",
    )
    published = forms.BooleanField(
        required=False, initial=True, label="Show on the careers site while the job is open"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        country = self.fields["country"]
        assert isinstance(country, forms.ChoiceField)
        country.choices = [("", "—"), *countries().items()]
        recruiters, managers = job_people_choices()
        self.fields["recruiter"].queryset = recruiters  # type: ignore[attr-defined]
        self.fields["hiring_managers"].queryset = managers  # type: ignore[attr-defined]

    def job_fields(self) -> JobFields:
        data = self.cleaned_data
        return JobFields(
            title=data["title"],
            department=" ".join(data["department"].split()),
            location=" ".join(data["location"].split()),
            country=data["country"],
            timezone=data["timezone"].strip(),
            remote=data["remote"],
            employment_type=data["employment_type"],
            description=data["description"],
            seniority=data["seniority"],
            headcount=data["headcount"],
            published=data["published"],
            recruiter=data["recruiter"],
            hiring_managers=list(data["hiring_managers"]),
            required_skills=split_list(data["required_skills"]),
            nice_skills=split_list(data["nice_skills"]),
        )


def job_initial(job: Job) -> dict[str, Any]:
    required, nice = job_skills(job)
    return {
        "title": job.title,
        "department": job.department,
        "location": job.location,
        "country": job.country,
        "timezone": job.timezone,
        "remote": job.remote,
        "employment_type": job.employment_type,
        "seniority": job.seniority,
        "headcount": job.headcount,
        "description": job.description,
        "required_skills": ", ".join(required),
        "nice_skills": ", ".join(nice),
        "recruiter": job.recruiter_id,
        "hiring_managers": list(job.hiring_managers.values_list("pk", flat=True)),
        "published": job.published,
    }


def apply_job_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError next to the field it names."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, messages in error.message_dict.items():
        target = JOB_FIELD_ALIASES.get(name, name)
        form.add_error(target if target in form.fields else None, messages)


class MoveForm(forms.Form):
    """Where to move one or more applications. The stage is an id checked
    against the job by the view; the reason goes with Rejected only."""

    stage = forms.CharField(error_messages={"required": "Choose the stage to move to."})
    reason = forms.ChoiceField(choices=[("", "—"), *RejectionReason.choices], required=False)
    note = forms.CharField(max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class StageAddForm(forms.Form):
    name = forms.CharField(max_length=60)
    kind = forms.ChoiceField(choices=StageKind.choices, initial=StageKind.ACTIVE)
