"""The forms of the texts and the calls-and-meetings panels. They only
validate shapes; what may be sent or logged is the services' decision."""

from __future__ import annotations

from django import forms

from rapport.inbox.models import OUTCOMES, SMS_MAX_CHARS, InteractionKind, InteractionOutcome


class SmsForm(forms.Form):
    body = forms.CharField(
        label="Text",
        strip=False,
        max_length=SMS_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "true", "maxlength": SMS_MAX_CHARS}),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("auto_id", "sms_%s")
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


def _outcome_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    return [
        (InteractionKind(kind).label, [(o, InteractionOutcome(o).label) for o in outcomes])
        for kind, outcomes in OUTCOMES.items()
    ]


class InteractionForm(forms.Form):
    kind = forms.ChoiceField(
        label="What", choices=InteractionKind.choices, widget=forms.RadioSelect, initial="call"
    )
    occurred_at = forms.DateTimeField(
        label="When",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    duration_minutes = forms.IntegerField(
        label="Minutes",
        required=False,
        widget=forms.NumberInput(attrs={"min": 0, "max": 24 * 60, "step": 1}),
    )
    outcome = forms.ChoiceField(label="Outcome", choices=_outcome_choices)
    notes = forms.CharField(
        label="Notes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "true"}),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("auto_id", "call_%s")
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
