"""The pages and links a candidate reaches from an email, without signing in:
unsubscribe (one click, RFC 8058), the preference centre, leaving entirely,
and the tracking links (open pixel, click redirect).

Every URL carries a signed token (outreach.tokens) and nothing else: no
address, no name. A token whose signature fails and one whose signature
holds but whose candidate is gone get the same friendly "link not working"
page, so nothing is learnt beyond the signature. An address that keeps
trying bad tokens is turned away for a while (BAD_TOKEN_LIMIT per
BAD_TOKEN_SECONDS, counted in the cache). The pages show the candidate's
first name and nothing else about them or the team.

Only the unsubscribe URL is exempt from CSRF: mail clients POST
`List-Unsubscribe=One-Click` to it with no cookie. Its GET shows a button
and changes nothing, since mail scanners follow links.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from rapport.accounts.auth import client_ip
from rapport.outreach import policy, services, tokens, tracking
from rapport.outreach.models import Frequency, Preference, Topic
from rapport.people.models import Candidate

BAD_TOKEN_LIMIT = 30
BAD_TOKEN_SECONDS = 600
PAUSE_CHOICES = [("", "Don't pause"), ("30", "For a month"), ("90", "For three months")]
PAUSE_CHOICES += [("180", "For six months"), ("date", "Until a date I choose")]

View = Callable[..., HttpResponse]


# --- tokens, and addresses that keep guessing


def _throttle_key(request: HttpRequest) -> str:
    return f"outreach:bad-token:{client_ip(request) or 'unknown'}"


def _throttled(request: HttpRequest) -> bool:
    return int(cache.get(_throttle_key(request), 0)) >= BAD_TOKEN_LIMIT


def _bad_token(request: HttpRequest) -> None:
    key = _throttle_key(request)
    if not cache.add(key, 1, BAD_TOKEN_SECONDS):
        try:
            cache.incr(key)
        except ValueError:  # expired in between
            cache.add(key, 1, BAD_TOKEN_SECONDS)


def _public(view: View) -> View:
    """Headers every public page gets, and the throttle in front of it."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if _throttled(request):
            response = render(request, "outreach/public/too_many.html", status=429)
            response["Retry-After"] = str(BAD_TOKEN_SECONDS)
        else:
            response = view(request, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
        # The token never leaves for another site. (Not "no-referrer": with
        # it, browsers send `Origin: null` and the form fails its CSRF check.)
        response.setdefault("Referrer-Policy", "same-origin")
        return response

    return wrapped


def _candidate(request: HttpRequest, token: str) -> Candidate | None:
    pk = tokens.candidate_from_token(token)
    found = Candidate.objects.filter(pk=pk).only("pk", "first_name").first() if pk else None
    if found is None:
        _bad_token(request)
    return found


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "outreach/public/not_found.html", status=404)


def _preference(candidate: Candidate) -> Preference | None:
    return Preference.objects.filter(candidate_id=candidate.pk).first()


# --- unsubscribe


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
@_public
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a page with a button. POST (the button, or a mail client's
    one-click request): unsubscribed at once, answered with 200."""
    candidate = _candidate(request, token)
    if candidate is None:
        return _not_found(request)
    context: dict[str, Any] = {"first_name": candidate.first_name, "token": token}
    if request.method != "POST":
        preference = _preference(candidate)
        context["already"] = bool(preference and preference.unsubscribed_at)
        return render(request, "outreach/public/unsubscribe.html", context)
    one_click = request.POST.get("List-Unsubscribe") == "One-Click"
    services.unsubscribe(candidate=candidate, source="one-click" if one_click else "link")
    return render(request, "outreach/public/unsubscribed.html", context)


# --- the preference centre


class PreferenceForm(forms.Form):
    subscribed = forms.TypedChoiceField(
        label="Updates from us",
        choices=(("yes", "Keep me posted"), ("no", "Unsubscribe from all updates")),
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    topics = forms.TypedMultipleChoiceField(
        label="What you'd like to hear about",
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    frequency = forms.ChoiceField(
        label="How often", choices=Frequency.choices, widget=forms.RadioSelect
    )
    pause = forms.ChoiceField(label="Take a break", choices=PAUSE_CHOICES, required=False)
    paused_until = forms.DateField(
        label="Pause until", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    roles = forms.CharField(
        label="Roles you'd like to hear about",
        required=False,
        max_length=300,
        help_text="For example: backend engineering, team lead.",
    )
    locations = forms.CharField(
        label="Where you'd like to work",
        required=False,
        max_length=300,
        help_text="Cities, countries, or remote.",
    )

    def __init__(self, *args: Any, topics: list[Topic], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.topic_list = topics
        field = self.fields["topics"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(t.pk, t.name) for t in topics]
        today = timezone.localdate()
        self.fields["paused_until"].widget.attrs["min"] = today.isoformat()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        pause = data.get("pause") or ""
        if pause == "date" and not data.get("paused_until"):
            self.add_error("paused_until", "Choose the date you'd like to hear from us again.")
        return data

    def choice(self) -> services.PreferenceChoice:
        data = self.cleaned_data
        wanted = set(data["topics"])
        pause = data.get("pause") or ""
        if pause == "date":
            paused_until = data["paused_until"]
        elif pause:
            paused_until = timezone.localdate() + dt.timedelta(days=int(pause))
        else:
            paused_until = None
        return services.PreferenceChoice(
            subscribed=data["subscribed"],
            frequency=data["frequency"],
            topics_declined=tuple(t.pk for t in self.topic_list if t.pk not in wanted),
            paused_until=paused_until,
            roles=data["roles"].strip(),
            locations=data["locations"].strip(),
        )


def _initial(preference: Preference | None, topics: list[Topic]) -> dict[str, Any]:
    if preference is None:
        return {
            "subscribed": "yes",
            "frequency": Frequency.NORMAL,
            "topics": [t.pk for t in topics],
        }
    declined = {t.pk for t in preference.topics_declined.all()}
    paused = preference.paused_until
    if paused is not None and paused < timezone.localdate():
        paused = None
    return {
        "subscribed": "no" if preference.unsubscribed_at else "yes",
        "frequency": preference.frequency,
        "topics": [t.pk for t in topics if t.pk not in declined],
        "pause": "date" if paused else "",
        "paused_until": paused,
        "roles": preference.roles,
        "locations": preference.locations,
    }


@require_http_methods(["GET", "HEAD", "POST"])
@_public
def preferences(request: HttpRequest, token: str) -> HttpResponse:
    candidate = _candidate(request, token)
    if candidate is None:
        return _not_found(request)
    preference = _preference(candidate)
    context: dict[str, Any] = {"first_name": candidate.first_name, "token": token}
    if preference is not None and preference.left_at:
        return render(request, "outreach/public/left.html", context)
    topics = list(Topic.objects.all())
    if request.method == "POST":
        form = PreferenceForm(request.POST, topics=topics)
        if form.is_valid():
            try:
                services.preferences_update(candidate=candidate, choice=form.choice())
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                return HttpResponseRedirect(f"{request.path}?saved=1")
    else:
        form = PreferenceForm(initial=_initial(preference, topics), topics=topics)
    context.update(
        form=form,
        saved=request.method == "GET" and request.GET.get("saved") == "1",
        unsubscribed=bool(preference and preference.unsubscribed_at),
        paused_until=preference.paused_until if preference else None,
        today=timezone.localdate(),
    )
    return render(request, "outreach/public/preferences.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@_public
def leave(request: HttpRequest, token: str) -> HttpResponse:
    """GET: what leaving means, and a button. POST: done, at once."""
    candidate = _candidate(request, token)
    if candidate is None:
        return _not_found(request)
    context = {"first_name": candidate.first_name, "token": token}
    if request.method == "POST":
        services.leave(candidate=candidate)
        return render(request, "outreach/public/left.html", context)
    return render(request, "outreach/public/leave.html", context)


# --- tracking


def _tracking_request(request: HttpRequest) -> tracking.Request:
    return tracking.Request(
        method=request.method or "GET",
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        at=timezone.now(),
    )


def _teammate(request: HttpRequest) -> bool:
    """Someone signed in to Rapport, looking at mail in the app: not the
    candidate, so not recorded."""
    return bool(request.user.is_authenticated)


@require_http_methods(["GET", "HEAD"])
def open_pixel(request: HttpRequest, token: str) -> HttpResponse:
    """The 1×1 image: recorded as an open while the policy tracks opens."""
    message_id = tokens.message_from_token(token)
    if message_id is None:
        return HttpResponse(status=404)
    if not _teammate(request) and policy.organisation_policy().track_opens:
        tracking.open_record(message_id=message_id, request=_tracking_request(request))
    response = HttpResponse(tracking.PIXEL, content_type="image/gif")
    response["Cache-Control"] = "private, no-store, no-cache, must-revalidate, max-age=0"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_http_methods(["GET", "HEAD"])
@_public
def click(request: HttpRequest, token: str) -> HttpResponse:
    """A link in an email: recorded, then on to where it pointed. Only
    targets signed for this message are followed."""
    message_id = tokens.message_from_token(token)
    target = (
        tracking.click_target(message_id, request.GET.get("to", ""), request.GET.get("s", ""))
        if message_id is not None
        else None
    )
    if message_id is None or target is None:
        _bad_token(request)
        return _not_found(request)
    if not _teammate(request):
        tracking.click_record(message_id=message_id, url=target, request=_tracking_request(request))
    response = HttpResponseRedirect(target)
    response["Referrer-Policy"] = "no-referrer"  # the target does not see the tracking link
    return response
