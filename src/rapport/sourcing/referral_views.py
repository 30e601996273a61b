"""Referring someone, and following one's referrals. Open to everyone signed
in, hiring managers included. Thin: the work is in sourcing.referrals."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from rapport.accounts.models import Capability
from rapport.core.errors import PermissionDenied
from rapport.core.http import acting_user
from rapport.people.forms import apply_errors
from rapport.sourcing import referrals


class ReferralForm(forms.Form):
    first_name = forms.CharField(label="First name", max_length=100)
    last_name = forms.CharField(label="Last name", max_length=100, required=False)
    email = forms.CharField(label="Email", max_length=254, required=False)
    phone = forms.CharField(
        label="Phone",
        max_length=40,
        required=False,
        help_text="With the country code, such as +44 20 7946 0958.",
    )
    linkedin_url = forms.CharField(
        label="LinkedIn profile",
        max_length=300,
        required=False,
        widget=forms.TextInput({"placeholder": "https://www.linkedin.com/in/…"}),
    )
    current_title = forms.CharField(label="Current title", max_length=150, required=False)
    current_company = forms.CharField(label="Current company", max_length=150, required=False)
    note = forms.CharField(
        label="Why them?",
        max_length=5000,
        required=False,
        widget=forms.Textarea({"rows": 5}),
        help_text="How you know them, what they are great at, what they'd like to do next.",
    )
    resume = forms.FileField(
        label="CV",
        required=False,
        help_text="A PDF or a Word document (.docx), up to 10\u00a0MB.",
        widget=forms.ClearableFileInput({"accept": ".pdf,.docx"}),
    )
    told = forms.BooleanField(
        label="They know I'm passing their details to the recruiting team",
        error_messages={"required": "Ask them first: tick this once they know."},
    )

    def referral_input(self) -> referrals.ReferralInput:
        data = self.cleaned_data
        return referrals.ReferralInput(
            **{name: data[name] for name in referrals.ReferralInput.__dataclass_fields__}
        )


@login_required
def referral_create(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = ReferralForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            done = referrals.referral_create(
                actor=user, data=form.referral_input(), resume=form.cleaned_data["resume"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _thanks(done))
            return redirect("referral_list")
    return render(request, "sourcing/referral_form.html", {"form": form})


def _thanks(done: referrals.Referred) -> str:
    name = done.candidate.full_name
    if done.again:
        return f"You had referred {name} before; your new note is on their profile. Thank you!"
    if done.created:
        return f"Thank you! {name} is now in the talent pool, and the team can see your note."
    return (
        f"Thank you! {name} was already known to the recruiting team; "
        "your referral and note are now on their profile."
    )


@login_required
def referral_list(request: HttpRequest) -> HttpResponse:
    """My referrals; for people who see the whole pool, everyone's too."""
    user = acting_user(request)
    everyone = request.GET.get("all") == "1" and user.can(Capability.SEE_ALL_CANDIDATES)
    rows = referrals.referrals_all(user) if everyone else referrals.referrals_mine(user)
    context: dict[str, Any] = {
        "rows": rows,
        "everyone": everyone,
        "can_see_everyone": user.can(Capability.SEE_ALL_CANDIDATES),
    }
    return render(request, "sourcing/referral_list.html", context)
