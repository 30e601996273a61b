from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from rapport.accounts.auth import LoginThrottled
from rapport.accounts.forms import LoginForm, ProfileForm, TokenForm, UserForm
from rapport.accounts.models import ApiToken, Capability, Role, User
from rapport.accounts.services import (
    password_generate,
    profile_update,
    token_create,
    token_revoke,
    user_create,
    user_update,
)
from rapport.core.geo import timezones
from rapport.core.http import acting_user


def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("candidate_list")
    form = LoginForm(request.POST or None)
    next_url = request.GET.get("next", "")
    if request.method == "POST" and form.is_valid():
        try:
            user = authenticate(
                request, email=form.cleaned_data["email"], password=form.cleaned_data["password"]
            )
        except LoginThrottled as exc:
            form.add_error(None, str(exc))
        else:
            if user is None:
                form.add_error(None, "That email and password do not match an active account.")
            else:
                login(request, user)
                safe = url_has_allowed_host_and_scheme(next_url, {request.get_host()})
                return redirect(next_url if next_url and safe else "candidate_list")
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("login")


@login_required
def account(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    posted = request.POST if request.method == "POST" else None
    which = posted.get("form") if posted else None
    form = TokenForm(posted if which != "profile" else None)
    profile = ProfileForm(
        posted if which == "profile" else None,
        initial={"name": user.name, "timezone": user.timezone, "signature": user.signature},
    )
    new_token = None
    if which == "profile" and profile.is_valid():
        try:
            profile_update(user=user, **profile.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                profile.add_error(field if field in profile.fields else None, errors)
        else:
            messages.success(request, "Your profile is saved.")
            return redirect("account")
    elif posted is not None and which != "profile" and form.is_valid():
        _, new_token = token_create(user=user, name=form.cleaned_data["name"])
        form = TokenForm()
    tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
    context = {
        "form": form,
        "profile": profile,
        "tokens": tokens,
        "new_token": new_token,
        "timezones": timezones(),
    }
    return render(request, "accounts/account.html", context)


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=acting_user(request), revoked_at__isnull=True)
    token_revoke(token=token)
    messages.success(request, f"Token “{token.name}” revoked; requests using it now fail.")
    return redirect("account")


def _admin_only(request: HttpRequest) -> HttpResponse | None:
    if not acting_user(request).can(Capability.MANAGE_USERS):
        return render(request, "web/404.html", status=404)
    return None


@login_required
def users(request: HttpRequest) -> HttpResponse:
    if refused := _admin_only(request):
        return refused
    form = UserForm(request.POST or None)
    context: dict[str, object] = {}
    if request.method == "POST" and form.is_valid():
        password = password_generate()
        try:
            new_user = user_create(password=password, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            context = {"new_user": new_user, "new_password": password}
            form = UserForm()
    context.update(
        form=form, users=User.objects.order_by("-is_active", "name", "email"), roles=Role.choices
    )
    return render(request, "accounts/users.html", context)


@login_required
@require_POST
def user_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    if refused := _admin_only(request):
        return refused
    target = get_object_or_404(User, pk=pk)
    try:
        user_update(
            actor=acting_user(request),
            user=target,
            role=request.POST.get("role", ""),
            is_active="is_active" in request.POST,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{target.display_name}: saved.")
    return redirect("users")
