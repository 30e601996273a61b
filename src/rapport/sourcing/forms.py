"""Forms of the import pages (only validation; the services decide)."""

from __future__ import annotations

from typing import Any

from django import forms

from rapport.sourcing.import_mapping import FIELDS
from rapport.sourcing.imports import REPLACEABLE
from rapport.sourcing.models import ColumnMapping

REPLACE_LABELS = {
    "headline": "Headline",
    "current_title": "Current title",
    "current_company": "Current company",
    "city": "City",
    "country": "Country",
    "timezone": "Time zone",
    "seniority": "Seniority",
    "years_experience": "Years of experience",
    "portfolio_url": "Website",
}


class UploadForm(forms.Form):
    file = forms.FileField(
        label="File",
        help_text="CSV, TSV or Excel (.xlsx) with a header row: an ATS export, a LinkedIn "
        "Recruiter project export or a spreadsheet.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.tsv,.txt,.xlsx"}),
    )


class MappingForm(forms.Form):
    """One choice per column of the file, then the run's options."""

    saved = forms.ModelChoiceField(
        queryset=ColumnMapping.objects.order_by("name"),
        required=False,
        label="Use a saved mapping",
        empty_label="—",
    )
    save_as = forms.CharField(
        max_length=120, required=False, label="Save this mapping as",
        help_text="Files with the same columns then get it on their own.",
    )  # fmt: skip
    pool = forms.CharField(
        max_length=120, required=False, label="Add everyone to the pool",
        help_text="An existing pool, or a new one by this name.",
        widget=forms.TextInput(attrs={"list": "pool-names", "autocomplete": "off"}),
    )  # fmt: skip
    tag = forms.CharField(max_length=60, required=False, label="Tag everyone")
    source = forms.CharField(
        max_length=40, required=False, label="Source",
        help_text="Where these people came from, when the file does not say (default: import).",
    )  # fmt: skip
    replace = forms.MultipleChoiceField(
        choices=[(f, REPLACE_LABELS[f]) for f in REPLACEABLE],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="The file is newer for",
        help_text="For people already here, these fields take the file's value. "
        "Otherwise only empty fields are filled.",
    )
    dry_run = forms.BooleanField(
        required=False,
        label="Dry run: show what would happen and change nothing",
    )

    def __init__(self, *args: Any, header: list[str], columns: dict[str, str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.header = header
        choices = list(FIELDS.items())
        for i, column in enumerate(header):
            self.fields[f"col_{i}"] = forms.ChoiceField(
                choices=choices, required=False, label=column, initial=columns.get(column, "")
            )

    def column_fields(self) -> list[forms.BoundField]:
        return [self[f"col_{i}"] for i in range(len(self.header))]

    def columns(self) -> dict[str, str]:
        data = self.cleaned_data
        return {column: data.get(f"col_{i}") or "" for i, column in enumerate(self.header)}
