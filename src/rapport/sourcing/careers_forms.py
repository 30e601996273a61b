"""The careers site's forms: they check the shape of what was sent; the rules
(answers, identity, the CV, consent) are careers.py's."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from rapport.core.contacts import normalize_email, normalize_phone
from rapport.jobs.models import JobQuestion, QuestionKind, RemotePolicy
from rapport.privacy.models import PrivacyNotice
from rapport.privacy.selectors import notice_published
from rapport.sourcing import careers
from rapport.sourcing.capture import profile_kind
from rapport.sourcing.careers_selectors import Filters

RADIO_UP_TO = 6  # more choices than this are a drop-down


class FilterForm(forms.Form):
    q = forms.CharField(label="Search roles", max_length=100, required=False)
    department = forms.CharField(max_length=100, required=False)
    location = forms.CharField(max_length=150, required=False)
    remote = forms.ChoiceField(choices=[("", ""), *RemotePolicy.choices], required=False)

    def filters(self) -> Filters:
        """What was asked for; a value that does not fit is ignored."""
        if not self.is_valid():
            data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        else:
            data = self.cleaned_data
        return Filters(
            q=" ".join(str(data.get("q") or "").split()),
            department=str(data.get("department") or "").strip(),
            location=str(data.get("location") or "").strip(),
            remote=str(data.get("remote") or ""),
        )


def question_field_name(question: JobQuestion) -> str:
    return f"q_{question.pk}"


def _question_field(question: JobQuestion) -> forms.Field:
    common: dict[str, Any] = {
        "label": question.label,
        "required": question.required,
        "error_messages": {"required": "Please answer this question."},
    }
    if question.kind == QuestionKind.LONG:
        return forms.CharField(
            max_length=careers.LONG_MAX, widget=forms.Textarea({"rows": 5}), **common
        )
    if question.kind == QuestionKind.YES_NO:
        return forms.ChoiceField(
            choices=[("yes", careers.YES), ("no", careers.NO)], widget=forms.RadioSelect, **common
        )
    if question.kind == QuestionKind.CHOICE:
        choices = [(c, c) for c in question.choices]
        if len(choices) <= RADIO_UP_TO:
            return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
        return forms.ChoiceField(choices=[("", "Choose…"), *choices], **common)
    return forms.CharField(max_length=careers.SHORT_MAX, **common)


class ApplyForm(forms.Form):
    first_name = forms.CharField(
        label="First name", max_length=100, widget=forms.TextInput({"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label="Last name",
        max_length=100,
        required=False,
        widget=forms.TextInput({"autocomplete": "family-name"}),
    )
    email = forms.CharField(
        label="Email",
        max_length=254,
        widget=forms.EmailInput({"autocomplete": "email", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label="Phone",
        max_length=40,
        required=False,
        help_text="With the country code, such as +44 20 7946 0958.",
        widget=forms.TextInput({"autocomplete": "tel", "type": "tel"}),
    )
    city = forms.CharField(
        label="Where are you based?",
        max_length=100,
        required=False,
        widget=forms.TextInput({"autocomplete": "address-level2", "placeholder": "City"}),
    )
    linkedin_url = forms.CharField(
        label="LinkedIn profile",
        max_length=300,
        required=False,
        widget=forms.TextInput(
            {"placeholder": "https://www.linkedin.com/in/your-name", "spellcheck": "false"}
        ),
    )
    resume = forms.FileField(
        label="Your CV",
        help_text="A PDF or a Word document (.docx), up to 10\u00a0MB.",
        widget=forms.ClearableFileInput({"accept": ".pdf,.docx"}),
        error_messages={
            "required": "Please attach your CV, as a PDF or a Word document (.docx).",
            "empty": "That file is empty; please attach your CV again.",
        },
    )
    agree = forms.BooleanField(
        error_messages={
            "required": "Please tick the box to agree to the privacy notice: "
            "we can't keep your application without it."
        },
    )
    notice = forms.CharField(widget=forms.HiddenInput)
    # The honeypot: hidden from people, filled in by robots that fill everything.
    leave_blank = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput({"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(
        self,
        *args: Any,
        questions: list[JobQuestion],
        current: PrivacyNotice,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.fields["notice"].initial = current.version
        self.fields[
            "agree"
        ].label = f"I have read the privacy notice (version {current.version}) and agree to it"
        for question in questions:
            self.fields[question_field_name(question)] = _question_field(question)

    @property
    def question_fields(self) -> list[forms.BoundField]:
        return [self[question_field_name(q)] for q in self.questions]

    def clean_email(self) -> str:
        try:
            return normalize_email(self.cleaned_data["email"])
        except ValidationError:
            raise ValidationError("Enter your email address, like name@example.com.") from None

    def clean_phone(self) -> str:
        raw = self.cleaned_data["phone"].strip()
        if raw:
            try:
                normalize_phone(raw)
            except ValidationError:
                raise ValidationError(
                    "That doesn't look like a phone number; write it with its country code, "
                    "such as +44 20 7946 0958."
                ) from None
        return raw

    def clean_linkedin_url(self) -> str:
        raw = self.cleaned_data["linkedin_url"].strip()
        if raw and profile_kind(raw) != "linkedin":
            raise ValidationError(
                "Give the address of your LinkedIn profile, like https://www.linkedin.com/in/your-name."
            )
        return raw

    def clean_notice(self) -> PrivacyNotice:
        """The version the person read: the consent names exactly that one."""
        notice = notice_published(self.cleaned_data["notice"])
        if notice is None:
            raise ValidationError(
                "Our privacy notice has just changed. Please read it again and tick the box."
            )
        return notice

    @property
    def robot(self) -> bool:
        return bool(self.cleaned_data.get("leave_blank"))

    def answers(self) -> dict[int, str]:
        return {
            q.pk: str(self.cleaned_data.get(question_field_name(q)) or "") for q in self.questions
        }


class QuestionForm(forms.Form):
    label = forms.CharField(label="Question", max_length=300)
    kind = forms.ChoiceField(label="Answer", choices=QuestionKind.choices)
    choices = forms.CharField(
        label="Answers to choose from",
        required=False,
        widget=forms.Textarea({"rows": 3}),
        help_text="One a line; only for “One of a list”.",
    )
    required = forms.BooleanField(label="Required", required=False)

    @classmethod
    def of(cls, question: JobQuestion, **kwargs: Any) -> QuestionForm:
        initial = {
            "label": question.label,
            "kind": question.kind,
            "choices": "\n".join(question.choices),
            "required": question.required,
        }
        return cls(initial=initial, prefix=f"q{question.pk}", **kwargs)

    def values(self) -> careers.QuestionFields:
        data = self.cleaned_data
        return careers.QuestionFields(
            label=data["label"],
            kind=data["kind"],
            choices=[line for line in data["choices"].splitlines() if line.strip()],
            required=data["required"],
        )
