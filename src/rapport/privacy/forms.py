"""Forms check the shape of what was typed; the services decide."""

from __future__ import annotations

import unicodedata
from typing import Any

from django import forms

from rapport.privacy.models import ErasureReason


class NoticeForm(forms.Form):
    version = forms.CharField(
        max_length=40,
        help_text="How people and consents refer to this text, such as 2 or 2027-01.",
    )
    text = forms.CharField(
        label="Notice",
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 22, "class": "mono"}),
        help_text="Markdown: ## for a heading, - for a list item, [words](https://…) for a link.",
    )


class EraseForm(forms.Form):
    """Why, a note, and the candidate's name typed again: erasing cannot be
    undone, so it asks for more than a click."""

    reason = forms.ChoiceField(choices=ErasureReason.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        max_length=300,
        required=False,
        help_text="Where the request came from, say “email of 3 March”. Nothing that names them: "
        "this note outlives them.",
    )
    confirm = forms.CharField(max_length=210, label="Their full name")

    def __init__(self, *args: Any, name: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.name = name
        self.fields["confirm"].help_text = f"Type {name} to confirm."

    def clean_confirm(self) -> str:
        typed = " ".join(self.cleaned_data["confirm"].split())
        if _comparable(typed) != _comparable(self.name):
            raise forms.ValidationError(f"Type their full name, {self.name}, to confirm.")
        return typed


def _comparable(name: str) -> str:
    """A name as typed, whatever the spacing, case or way its accents were
    written (é as one character, or e and a combining accent)."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


class RetentionForm(forms.Form):
    enabled = forms.BooleanField(
        required=False, label="Erase candidates nobody has touched for this long"
    )
    months = forms.IntegerField(
        min_value=6, max_value=120, label="Months", help_text="Between 6 and 120; 24 is common."
    )
    hold_tag = forms.CharField(
        max_length=50,
        label="Never erase candidates tagged",
        help_text="Tag someone with it to keep them, whatever the rule says.",
    )
