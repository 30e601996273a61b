"""The rediscovery page's forms: they validate, the ranking and the actions
live in `rediscovery`."""

from __future__ import annotations

from typing import Any

from django import forms

from rapport.jobs.rediscovery import DEFAULT_WEIGHTS, MAX_WEIGHT, SIGNALS, Weights
from rapport.outreach.models import Sequence

SIZES = (25, 50, 100, 200)


class RankingForm(forms.Form):
    """The weights of one search and what to show, all in the query string,
    so a ranking can be shared as a link."""

    n = forms.TypedChoiceField(
        label="Show", choices=[(s, f"Top {s}") for s in SIZES], coerce=int, required=False
    )
    hide = forms.BooleanField(label="Hide those already in this job", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for signal in SIGNALS:
            self.fields[f"w_{signal.key}"] = forms.FloatField(
                label=signal.label,
                help_text=signal.help,
                required=False,
                min_value=0,
                max_value=MAX_WEIGHT,
                error_messages={
                    "invalid": f"{signal.label}: enter a number from 0 to {MAX_WEIGHT:g}.",
                    "min_value": f"{signal.label}: a weight cannot be below 0.",
                    "max_value": f"{signal.label}: a weight goes up to {MAX_WEIGHT:g}.",
                },
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and not any(w > 0 for w in self._values(cleaned).values()):
            raise forms.ValidationError(
                "Every weight is zero, so nothing would rank: give at least one signal a weight."
            )
        return cleaned

    @staticmethod
    def _values(cleaned: dict[str, Any]) -> dict[str, float]:
        return {
            s.key: (
                DEFAULT_WEIGHTS.of(s.key)
                if cleaned.get(f"w_{s.key}") is None
                else float(cleaned[f"w_{s.key}"])
            )
            for s in SIGNALS
        }

    def weights(self) -> Weights:
        return Weights(**self._values(self.cleaned_data))

    def limit(self) -> int:
        return int(self.cleaned_data.get("n") or 50)

    def weight_fields(self) -> list[forms.BoundField]:
        return [self[f"w_{s.key}"] for s in SIGNALS]

    def value_of(self, key: str) -> float:
        """The weight to show in a slider: as typed when valid, else the default."""
        if self.is_bound and self.is_valid():
            return self.weights().of(key)
        raw = self.data.get(f"w_{key}") if self.is_bound else None
        try:
            value = float(str(raw)) if raw not in (None, "") else DEFAULT_WEIGHTS.of(key)
        except (TypeError, ValueError):
            return DEFAULT_WEIGHTS.of(key)
        return min(max(value, 0.0), MAX_WEIGHT)


class EnrolForm(forms.Form):
    sequence = forms.ModelChoiceField(
        queryset=Sequence.objects.filter(active=True).order_by("name"),
        empty_label="Choose a sequence…",
        error_messages={
            "required": "Choose the sequence to enrol them in.",
            "invalid_choice": "That sequence is gone or paused; choose another.",
        },
    )
    top = forms.IntegerField(
        min_value=1,
        max_value=max(SIZES),
        initial=10,
        error_messages={
            "required": "Say how many of the top candidates to enrol.",
            "invalid": "Say how many to enrol, as a number.",
            "min_value": "Enrol at least one.",
            "max_value": f"Enrol at most {max(SIZES)} at once.",
        },
    )
