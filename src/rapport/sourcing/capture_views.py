"""The capture window and the page that explains it.

The bookmarklet and the extension open `/capture/?url=…` in a small window
of its own. That window is Rapport's page, with the user's own session; the
profile page hands it its HTML with `postMessage`, aimed at Rapport's exact
origin, and the window accepts it only from the window that opened it and
only from the origin of the address it was given (docs/decisions/0010).
Nothing goes back to the profile page. The window then posts the HTML to
`capture_review` like any form (with its CSRF token), which shows what was
read and whether the person is already in the talent pool; `capture_save`
saves what the user confirmed. Thin: the work is in `sourcing.capture` and
`sourcing.capture_services`.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlsplit

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from rapport.accounts.models import Capability, User
from rapport.core.errors import PermissionDenied
from rapport.core.geo import countries, country_name
from rapport.core.http import acting_user, id_or_none
from rapport.people import selectors
from rapport.people.forms import apply_errors, split_list
from rapport.people.services import CandidateFields
from rapport.sourcing.capture import MAX_HTML_CHARS, Profile, clean_email, clean_url, read_page
from rapport.sourcing.capture_services import Existing, capture_lookup, capture_save

# The most of a page the window sends: characters, and the bytes read of it.
PAGE_CHARS = MAX_HTML_CHARS
PAGE_BYTES = 4 * MAX_HTML_CHARS


class CaptureForm(forms.Form):
    url = forms.CharField(max_length=2000, widget=forms.HiddenInput)
    first_name = forms.CharField(label="First name", max_length=100)
    last_name = forms.CharField(label="Last name", max_length=100, required=False)
    headline = forms.CharField(max_length=200, required=False)
    current_title = forms.CharField(label="Current title", max_length=150, required=False)
    current_company = forms.CharField(label="Current company", max_length=150, required=False)
    city = forms.CharField(max_length=100, required=False)
    country = forms.ChoiceField(required=False)
    emails = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea({"rows": 1}),
        help_text="Only addresses the page shows publicly; one per line.",
    )
    linkedin_url = forms.URLField(
        label="LinkedIn", max_length=300, required=False, assume_scheme="https"
    )
    github_url = forms.URLField(
        label="GitHub", max_length=300, required=False, assume_scheme="https"
    )
    portfolio_url = forms.URLField(
        label="Website", max_length=300, required=False, assume_scheme="https"
    )
    skills = forms.CharField(max_length=2000, required=False, help_text="Comma-separated.")
    tags = forms.CharField(
        max_length=1000, required=False, help_text="Comma-separated, e.g. open-source, rust."
    )
    pool = forms.ChoiceField(required=False, label="Add to pool")
    note = forms.CharField(
        max_length=20_000,
        required=False,
        widget=forms.Textarea({"rows": 3, "placeholder": "Why this person, where you found them…"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        country = self.fields["country"]
        assert isinstance(country, forms.ChoiceField)
        country.choices = [("", "—"), *countries().items()]
        pool = self.fields["pool"]
        assert isinstance(pool, forms.ChoiceField)
        pool.choices = [("", "No pool")] + [
            (str(p.pk), p.name) for p in selectors.pools_visible(user).order_by("name")
        ]
        if not user.can(Capability.MANAGE_POOLS):
            del self.fields["pool"]

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
            linkedin_url=data["linkedin_url"],
            github_url=data["github_url"],
            portfolio_url=data["portfolio_url"],
        )

    def chosen_pool(self) -> Any:
        pk = id_or_none(self.cleaned_data.get("pool"))
        return selectors.pool_get(self.user, pk) if pk else None


def _window(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    return render(request, f"sourcing/{template}", context)


def _refused(request: HttpRequest, message: str) -> HttpResponse:
    return _window(request, "capture_refused.html", {"message": message})


@require_GET
@login_required
def capture_start(request: HttpRequest) -> HttpResponse:
    """The window the bookmarklet opens: it waits for the page's HTML from
    the window that opened it, then posts it to `capture_review`."""
    user = acting_user(request)
    if not user.can(Capability.EDIT_CANDIDATES):
        return _refused(request, f"Your role ({user.get_role_display()}) may not add candidates.")
    page = clean_url(request.GET.get("url", ""))
    if not page:
        return _refused(request, "Open a profile page (an http or https address) and try again.")
    parts = urlsplit(page)
    context = {"page": page, "origin": f"{parts.scheme}://{parts.netloc}", "limit": PAGE_CHARS}
    response = _window(request, "capture_start.html", context)
    # The window must stay reachable from the page that opened it until the
    # page has handed over its HTML; the review page that follows has the
    # usual same-origin policy again, which cuts the link.
    response["Cross-Origin-Opener-Policy"] = "unsafe-none"
    return response


@require_POST
@login_required
def capture_review(request: HttpRequest) -> HttpResponse:
    """What was read, and whether the person is in the talent pool already."""
    user = acting_user(request)
    if not user.can(Capability.EDIT_CANDIDATES):
        return _refused(request, f"Your role ({user.get_role_display()}) may not add candidates.")
    upload = request.FILES.get("page")
    html = upload.read(PAGE_BYTES).decode("utf-8", errors="replace") if upload else ""
    try:
        profile = read_page(request.POST.get("url", ""), html)
        existing = capture_lookup(actor=user, profile=profile)
    except ValidationError as exc:
        return _refused(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        return _refused(request, str(exc))
    form = CaptureForm(user=user, initial=_initial(profile))
    return _review(request, form, profile, existing, received=bool(html))


@require_POST
@login_required
def capture_save_view(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = CaptureForm(request.POST, user=user)
    if form.is_valid():
        try:
            saved = capture_save(
                actor=user,
                url=form.cleaned_data["url"],
                data=form.candidate_fields(),
                emails=split_list(form.cleaned_data["emails"]),
                skills=split_list(form.cleaned_data["skills"]),
                tags=split_list(form.cleaned_data["tags"]),
                pool=form.chosen_pool() if "pool" in form.fields else None,
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            return _window(request, "capture_saved.html", {"saved": saved})
    profile = _profile_of(form)
    try:
        existing = capture_lookup(actor=user, profile=profile)
    except PermissionDenied as exc:
        return _refused(request, str(exc))
    return _review(request, form, profile, existing, received=True)


@require_GET
@login_required
def capture_help(request: HttpRequest) -> HttpResponse:
    """How to install the bookmarklet and the extension."""
    user = acting_user(request)
    context = {
        "bookmarklet": bookmarklet(),
        "base_url": settings.BASE_URL,
        "can_capture": user.can(Capability.EDIT_CANDIDATES),
    }
    return render(request, "sourcing/capture_help.html", context)


def bookmarklet() -> str:
    """The bookmarklet's `javascript:` address, for this installation."""
    base = urlsplit(settings.BASE_URL)
    origin = f"{base.scheme}://{base.netloc}"
    code = render_to_string(
        "sourcing/capture_bookmarklet.js",
        {
            "origin": json.dumps(origin),
            "start": json.dumps(settings.BASE_URL + reverse("capture_start")),
            "limit": PAGE_CHARS,
        },
    )
    lines = (line.strip() for line in code.splitlines())
    compact = " ".join(line for line in lines if line and not line.startswith("//"))
    return "javascript:" + quote(compact, safe=" !\"#$&'()*+,-./:;<=>?@[]^_`{|}~")


# --- helpers ------------------------------------------------------------------------


def _initial(profile: Profile) -> dict[str, Any]:
    return {
        "url": profile.url,
        "first_name": profile.first_name,
        "last_name": profile.last_name,
        "headline": profile.headline,
        "current_title": profile.current_title,
        "current_company": profile.current_company,
        "city": profile.city,
        "country": profile.country,
        "emails": "\n".join(profile.emails),
        "linkedin_url": profile.linkedin_url,
        "github_url": profile.github_url,
        "portfolio_url": profile.portfolio_url,
        "skills": ", ".join(profile.skills),
    }


def _profile_of(form: CaptureForm) -> Profile:
    """What the user sent back, for looking the person up again."""
    data = form.data
    emails = [e for e in (clean_email(raw) for raw in split_list(data.get("emails", ""))) if e]
    return Profile(
        url=clean_url(data.get("url", "")),
        emails=emails,
        linkedin_url=data.get("linkedin_url", ""),
        github_url=data.get("github_url", ""),
    )


def _review(
    request: HttpRequest, form: CaptureForm, profile: Profile, existing: Existing, *, received: bool
) -> HttpResponse:
    stored = None
    if existing.candidate_id is not None:
        stored = selectors.candidate_get(acting_user(request), existing.candidate_id)
    context = {
        "form": form,
        "rows": [_row(form, name, wide, stored) for name, wide in LAYOUT if name in form.fields],
        "profile": profile,
        "existing": existing,
        "received": received,
        "sources": [SOURCE_NAMES.get(s, s) for s in profile.sources],
    }
    return _window(request, "capture_review.html", context)


def _row(form: CaptureForm, name: str, wide: bool, stored: Any) -> dict[str, Any]:
    """One field of the review. A value the existing record already holds
    is shown as it is, not offered for editing: saving never replaces it."""
    field = form[name]
    kept = (
        str(getattr(stored, name, "") or "") if name in CandidateFields.__dataclass_fields__ else ""
    )
    page = str(field.value() or "")
    return {
        "field": field,
        "wide": wide,
        "kept": kept,
        "kept_shown": country_name(kept) if name == "country" else kept,
        "page": country_name(page) if name == "country" else page,
        "differs": bool(kept) and page.strip() not in ("", kept),
    }


# The review form's fields in order; the wide ones take a whole row.
LAYOUT = (
    ("first_name", False), ("last_name", False), ("headline", True),
    ("current_title", False), ("current_company", False), ("city", False), ("country", False),
    ("emails", True), ("linkedin_url", True), ("github_url", True), ("portfolio_url", True),
    ("skills", True), ("tags", False), ("pool", False), ("note", True),
)  # fmt: skip
SOURCE_NAMES = {
    "json-ld": "structured data (JSON-LD)",
    "github": "the GitHub profile",
    "linkedin": "the LinkedIn profile",
    "microdata": "microdata",
    "h-card": "an h-card",
    "opengraph": "the page's title and description",
}
