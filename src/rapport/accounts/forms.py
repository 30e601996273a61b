from __future__ import annotations

from django import forms

from rapport.accounts.models import Role


class LoginForm(forms.Form):
    email = forms.EmailField(
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True})
    )
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, required=False, help_text="What uses this token, e.g. “HR data sync”."
    )


class UserForm(forms.Form):
    email = forms.EmailField()
    name = forms.CharField(max_length=150, required=False)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.RECRUITER)


class ProfileForm(forms.Form):
    """What a person says about themselves: how mail is signed, where they are."""

    name = forms.CharField(max_length=150, required=False)
    timezone = forms.CharField(
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"list": "timezones", "autocomplete": "off"}),
        help_text="Where you are, e.g. Europe/Lisbon: interview times are shown to you in it.",
    )
    signature = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Markdown. Ends the emails you send ({{ sender.signature }} in templates).",
    )
