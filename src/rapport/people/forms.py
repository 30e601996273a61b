"""Forms check the shape of what was typed; the services decide whether it is
acceptable and their errors are put back on the fields they name."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from rapport.accounts.models import Capability, User
from rapport.core.geo import countries
from rapport.people.models import CustomField, CustomFieldType, Seniority
from rapport.people.services import CandidateFields, SkillInput

SOURCES = [
    ("", "—"),
    ("sourced", "Sourced"),
    ("referral", "Referral"),
    ("application", "Application"),
    ("import", "Import"),
    ("event", "Event"),
    ("talent-community", "Talent community"),
    ("agency", "Agency"),
    ("capture", "Captured from a profile page"),
    ("resume", "Résumé upload"),
    ("inbound email", "Wrote to us by email"),
    ("inbound text", "Texted us"),
]

# Where a service names a field differently from the form.
FIELD_ALIASES = {"email": "emails", "phone": "phones"}


def split_list(text: str) -> list[str]:
    """Items separated by commas or new lines."""
    return [item.strip() for item in text.replace("\n", ",").split(",") if item.strip()]


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form fields it names."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, messages in error.message_dict.items():
        target = FIELD_ALIASES.get(name, name)
        form.add_error(target if target in form.fields else None, messages)


class CandidateForm(forms.Form):
    first_name = forms.CharField(max_length=100)
    last_name = forms.CharField(max_length=100, required=False)
    headline = forms.CharField(max_length=200, required=False)
    current_title = forms.CharField(max_length=150, required=False, label="Current title")
    current_company = forms.CharField(max_length=150, required=False, label="Current company")
    emails = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One per line or comma-separated; the first is the primary address.",
    )
    phones = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="With country code (+44 20 7946 0958), or local to the country below.",
    )
    city = forms.CharField(max_length=100, required=False)
    country = forms.ChoiceField(required=False)
    timezone = forms.CharField(
        max_length=64,
        required=False,
        label="Time zone",
        widget=forms.TextInput(attrs={"list": "timezones", "placeholder": "e.g. Europe/Berlin"}),
    )
    languages = forms.CharField(
        required=False, help_text="ISO codes, comma-separated: en, pt, de.", max_length=100
    )
    seniority = forms.ChoiceField(choices=[("", "—"), *Seniority.choices], required=False)
    years_experience = forms.IntegerField(
        min_value=0, max_value=70, required=False, label="Years of experience"
    )
    skills = forms.CharField(
        required=False,
        widget=forms.TextInput(
            attrs={"list": "skills", "placeholder": "Python, Kubernetes, ICU Nursing"}
        ),
        help_text="Comma-separated. Aliases work: k8s, js, postgres.",
    )
    tags = forms.CharField(
        required=False, help_text="Comma-separated, e.g. relocation-ok, referral."
    )
    linkedin_url = forms.URLField(
        required=False, label="LinkedIn", max_length=300, assume_scheme="https"
    )
    github_url = forms.URLField(
        required=False, label="GitHub", max_length=300, assume_scheme="https"
    )
    portfolio_url = forms.URLField(
        required=False, label="Portfolio", max_length=300, assume_scheme="https"
    )
    source = forms.ChoiceField(choices=SOURCES, required=False)
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, empty_label="Nobody"
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        country = self.fields["country"]
        assert isinstance(country, forms.ChoiceField)
        country.choices = [("", "—"), *countries().items()]
        editors = [
            u.pk for u in User.objects.filter(is_active=True) if u.can(Capability.EDIT_CANDIDATES)
        ]
        self.fields["owner"].queryset = User.objects.filter(pk__in=editors)  # type: ignore[attr-defined]
        # Sources are open-ended (an import may bring its own): the one a
        # candidate has is always offered, so saving the form never clears it.
        current = self.initial.get("source") or (self.data.get("source") if self.data else "")
        source = self.fields["source"]
        assert isinstance(source, forms.ChoiceField)
        if current and current not in dict(SOURCES):
            source.choices = [*SOURCES, (current, current)]
        self.custom = list(CustomField.objects.all())
        for definition in self.custom:
            self.fields[f"cf_{definition.key}"] = custom_form_field(definition)
        if editing:
            for name in ("emails", "phones", "tags"):
                del self.fields[name]

    def candidate_fields(self) -> CandidateFields:
        data = self.cleaned_data
        return CandidateFields(
            first_name=data["first_name"],
            last_name=data["last_name"],
            headline=data["headline"],
            current_title=data["current_title"],
            current_company=data["current_company"],
            city=data["city"],
            country=data["country"],
            timezone=data["timezone"],
            languages=split_list(data["languages"]),
            seniority=data["seniority"],
            years_experience=data["years_experience"],
            linkedin_url=data["linkedin_url"],
            github_url=data["github_url"],
            portfolio_url=data["portfolio_url"],
            source=data["source"],
            custom_fields={d.key: data.get(f"cf_{d.key}") for d in self.custom},
        )

    def skill_inputs(self) -> list[SkillInput]:
        return [SkillInput(name=name) for name in split_list(self.cleaned_data["skills"])]

    def custom_field_names(self) -> list[str]:
        return [f"cf_{d.key}" for d in self.custom]


def custom_form_field(definition: CustomField) -> forms.Field:
    common: dict[str, Any] = {
        "label": definition.label,
        "required": False,
        "help_text": definition.help_text,
    }
    kind = definition.field_type
    if kind == CustomFieldType.NUMBER:
        return forms.FloatField(**common)
    if kind == CustomFieldType.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == CustomFieldType.BOOLEAN:
        return forms.NullBooleanField(**common)
    if kind == CustomFieldType.CHOICE:
        return forms.ChoiceField(
            choices=[("", "—")] + [(c, c) for c in definition.choices], **common
        )
    if kind == CustomFieldType.URL:
        return forms.URLField(assume_scheme="https", **common)
    return forms.CharField(max_length=1000, **common)


def initial_for(candidate: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        name: getattr(candidate, name)
        for name in CandidateForm.base_fields
        if hasattr(candidate, name) and name not in ("skills", "tags", "owner")
    }
    values["languages"] = ", ".join(candidate.languages)
    values["skills"] = ", ".join(link.skill.name for link in candidate.skill_links.all())
    values["owner"] = candidate.owner_id
    for key, value in candidate.custom_fields.items():
        values[f"cf_{key}"] = value
    return values


class NoteForm(forms.Form):
    body = forms.CharField(
        label="Note",
        widget=forms.Textarea(
            attrs={
                "rows": 3,
                "placeholder": "What did you learn? Markdown works: **bold**, lists, links.",
            }
        ),
        max_length=20_000,
    )
    confidential = forms.BooleanField(
        required=False, help_text="Hidden from sourcers and hiring managers."
    )


class ContactForm(forms.Form):
    kind = forms.ChoiceField(choices=[("email", "Email"), ("phone", "Phone")])
    value = forms.CharField(max_length=254, label="Address or number")
    label = forms.CharField(max_length=30, required=False)
    primary = forms.BooleanField(required=False, label="Make primary")


class PoolForm(forms.Form):
    name = forms.CharField(max_length=120)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class CustomFieldForm(forms.Form):
    label = forms.CharField(
        max_length=100, help_text="As shown on the profile, e.g. “Notice period (weeks)”."
    )
    field_type = forms.ChoiceField(choices=CustomFieldType.choices, label="Type")
    choices = forms.CharField(
        required=False,
        help_text="For a choice field: the options, comma-separated.",
        max_length=1000,
    )
    help_text = forms.CharField(required=False, max_length=200, label="Hint")
