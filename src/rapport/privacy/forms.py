"""Forms check the shape of what was typed; the services decide."""

from __future__ import annotations

from django import forms


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
