from __future__ import annotations

from typing import Any

from django import forms

from rapport.core.geo import countries
from rapport.people.forms import split_list
from rapport.people.models import Seniority
from rapport.search.builder import Built
from rapport.search.compiler import ENGAGEMENT_BANDS


class SegmentForm(forms.Form):
    name = forms.CharField(max_length=120)
    query = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "class": "mono"}),
        help_text="In the query language, as in the search box. Who matches is worked out "
        "each time the segment is used.",
    )
    description = forms.CharField(max_length=300, required=False)
    shared = forms.BooleanField(required=False, label="Share with the team")


class BuilderForm(forms.Form):
    """The parts of a query, for those who would rather not type one."""

    words = forms.CharField(required=False, label="Any text", help_text="e.g. fintech")
    skills = forms.CharField(
        required=False, help_text="Separated by commas: python, django", label="Skills"
    )
    all_skills = forms.BooleanField(required=False, label="All of these skills (not any)")
    countries = forms.MultipleChoiceField(
        required=False, choices=[], widget=forms.SelectMultiple(attrs={"size": 5})
    )
    city = forms.CharField(required=False)
    seniority = forms.MultipleChoiceField(
        required=False, choices=Seniority.choices, widget=forms.CheckboxSelectMultiple
    )
    min_years = forms.IntegerField(
        required=False, min_value=0, max_value=60, label="At least this many years"
    )
    tags = forms.CharField(required=False, help_text="Separated by commas")
    pool = forms.ChoiceField(required=False, choices=[])
    not_contacted_days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=3650,
        label="Not contacted for more than (days)",
        help_text="Never contacted counts too.",
    )
    engagement = forms.ChoiceField(
        required=False, choices=[("", "Any"), *((b, b.title()) for b in ENGAGEMENT_BANDS)]
    )
    reachable_by_email = forms.BooleanField(required=False, label="Has an email address")

    def __init__(self, *args: Any, pools: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["countries"].choices = list(countries().items())  # type: ignore[attr-defined]
        self.fields["pool"].choices = [("", "Any"), *((p, p) for p in pools)]  # type: ignore[attr-defined]

    def built(self) -> Built:
        data = self.cleaned_data
        return Built(
            words=data["words"],
            skills=split_list(data["skills"]),
            all_skills=data["all_skills"],
            countries=data["countries"],
            city=data["city"],
            seniority=data["seniority"],
            min_years=data["min_years"],
            tags=split_list(data["tags"]),
            pool=data["pool"],
            not_contacted_days=data["not_contacted_days"],
            engagement=data["engagement"],
            reachable_by_email=data["reachable_by_email"],
        )
