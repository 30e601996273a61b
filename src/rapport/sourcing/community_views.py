"""The talent community's pages: the public sign-up and its confirmation
(no login), and the team's page with the links to hand out. Thin: the work
is in sourcing.community.

The public pages are `Cache-Control: private, no-store`, and the ones that
carry a token are not indexed and keep it on this site. The confirmation
link's GET only shows a button: mail scanners open every link in a message,
and a GET that confirmed would give consent for people who never read it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from rapport.accounts.auth import client_ip
from rapport.core.http import acting_user, id_or_none
from rapport.people.forms import apply_errors
from rapport.people.models import Pool
from rapport.people.selectors import pools_visible
from rapport.privacy.models import PrivacyNotice
from rapport.privacy.selectors import notice_current, notice_html, notice_published
from rapport.sourcing import community

View = Callable[..., HttpResponse]


def _public(*, index: bool = False) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = view(request, *args, **kwargs)
            response["Cache-Control"] = "private, no-store"
            response.setdefault("Referrer-Policy", "same-origin")
            if not index:
                response["X-Robots-Tag"] = "noindex, nofollow"
            return response

        return wrapped

    return decorate


class CommunityForm(forms.Form):
    first_name = forms.CharField(
        label="First name", max_length=100, widget=forms.TextInput({"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label="Last name",
        max_length=100,
        required=False,
        widget=forms.TextInput({"autocomplete": "family-name"}),
    )
    email = forms.EmailField(
        label="Email",
        max_length=254,
        widget=forms.EmailInput({"autocomplete": "email", "spellcheck": "false"}),
        error_messages={"invalid": "Enter your email address, like name@example.com."},
    )
    roles = forms.CharField(
        label="Roles you're interested in",
        max_length=200,
        required=False,
        widget=forms.TextInput({"placeholder": "e.g. backend engineering, product design"}),
    )
    departments = forms.CharField(
        label="Teams or departments",
        max_length=200,
        required=False,
        widget=forms.TextInput({"placeholder": "e.g. Engineering, Data, Sales"}),
    )
    locations = forms.CharField(
        label="Where you'd like to work",
        max_length=200,
        required=False,
        widget=forms.TextInput({"placeholder": "e.g. Lisbon, Berlin or remote"}),
    )
    resume = forms.FileField(
        label="Your CV",
        required=False,
        help_text="A PDF or a Word document (.docx), up to 10\u00a0MB.",
        widget=forms.ClearableFileInput({"accept": ".pdf,.docx"}),
    )
    agree = forms.BooleanField(
        error_messages={
            "required": "Please tick the box to agree to the privacy notice: "
            "we can't keep your details without it."
        },
    )
    notice = forms.CharField(widget=forms.HiddenInput)
    # The honeypot: hidden from people, filled in by robots that fill everything.
    leave_blank = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput({"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args: Any, current: PrivacyNotice, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.current = current
        self.fields["notice"].initial = current.version
        agree = f"I have read the privacy notice (version {current.version}) and agree to it"
        self.fields["agree"].label = agree

    def clean_notice(self) -> PrivacyNotice:
        """The version the person read (the page may be older than a newly
        published one): the consent names exactly that one."""
        notice = notice_published(self.cleaned_data["notice"])
        if notice is None:
            raise ValidationError(
                "Our privacy notice has just changed. Please read it again and tick the box."
            )
        return notice

    @property
    def robot(self) -> bool:
        return bool(self.cleaned_data.get("leave_blank"))

    def signup_request(self, *, client: str, pool: Pool | None) -> community.SignupRequest:
        data = self.cleaned_data
        return community.SignupRequest(
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            interests=community.Interests(
                roles=data["roles"].strip(),
                departments=data["departments"].strip(),
                locations=data["locations"].strip(),
            ),
            notice=data["notice"],
            pool=pool,
            resume=data.get("resume") or None,
            client=client,
        )


def _join(request: HttpRequest, pool: Pool | None) -> HttpResponse:
    current = notice_current()
    if current is None:
        return render(request, "sourcing/community_closed.html", status=503)
    form = CommunityForm(request.POST or None, request.FILES or None, current=current)
    if request.method == "POST" and form.is_valid():
        if form.robot:
            return _check_inbox(request, form.cleaned_data["email"])
        client = community.client_digest(client_ip(request))
        try:
            community.signup_submit(request=form.signup_request(client=client, pool=pool))
        except community.Throttled as exc:
            response = render(request, "sourcing/community_too_many.html", status=429)
            response["Retry-After"] = str(exc.seconds)
            return response
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return _check_inbox(request, form.cleaned_data["email"])
    context = {"form": form, "notice": current, "notice_html": notice_html(current.text)}
    return render(request, "sourcing/community_join.html", context)


def _check_inbox(request: HttpRequest, address: str) -> HttpResponse:
    """The answer to every sign-up that got this far, whatever happened."""
    context = {"email": address, "hours": community.CONFIRM_HOURS, "again_url": request.path}
    return render(request, "sourcing/community_check_inbox.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@_public(index=True)
def join(request: HttpRequest) -> HttpResponse:
    return _join(request, None)


@require_http_methods(["GET", "HEAD", "POST"])
@_public()
def join_pool(request: HttpRequest, token: str) -> HttpResponse:
    """A recruiter's link for one pool. A link whose pool has gone still
    signs people up, to the community as a whole."""
    return _join(request, community.pool_from_token(token))


def _problem(request: HttpRequest, problem: community.LinkProblem) -> HttpResponse:
    status = {"unknown": 404, "expired": 410, "used": 200}[problem.reason]
    context = {"reason": problem.reason, "hours": community.CONFIRM_HOURS}
    return render(request, "sourcing/community_link_problem.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@_public()
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a button. POST: confirmed, and welcome."""
    try:
        if request.method != "POST":
            signup = community.signup_check(token=token)
            context = {"first_name": signup.first_name, "token": token}
            return render(request, "sourcing/community_confirm.html", context)
        welcome = community.signup_confirm(token=token)
    except community.LinkProblem as problem:
        return _problem(request, problem)
    context = {"first_name": welcome.first_name, "preferences_path": welcome.preferences_path}
    return render(request, "sourcing/community_welcome.html", context)


# --- the team's page


@login_required
def community_admin(request: HttpRequest) -> HttpResponse:
    """The links to hand out, the notice people agree to, and who joined."""
    user = acting_user(request)
    overview = community.overview(user)
    pools = list(pools_visible(user).only("pk", "name"))
    chosen_id = id_or_none(request.GET.get("pool"))
    chosen = next((p for p in pools if p.pk == chosen_id), None)
    names = {p.pk: p.name for p in pools}
    recent = [(s, names.get(s.interests.get("pool") or 0, "")) for s in overview.recent]
    context = {
        "overview": overview,
        "recent": recent,
        "join_url": community.join_url(),
        "pools": pools,
        "chosen": chosen,
        "pool_url": community.join_url(chosen) if chosen else "",
        "notice": notice_current(),
        "mail_configured": bool(settings.EMAIL_URL),
    }
    return render(request, "sourcing/community_admin.html", context)
