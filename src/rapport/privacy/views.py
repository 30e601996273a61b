"""The privacy notice: its public page, and the pages where admins write,
preview and publish its versions. Thin: objects come from selectors,
changes go through services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from rapport.accounts.models import Capability
from rapport.core.errors import PermissionDenied
from rapport.core.http import acting_user
from rapport.people import selectors as people_selectors
from rapport.people.forms import apply_errors
from rapport.privacy import erasure as erasure_service
from rapport.privacy import exports, retention, selectors, services
from rapport.privacy.forms import EraseForm, NoticeForm, RetentionForm

# --- public


@require_http_methods(["GET", "HEAD"])
def notice_public(request: HttpRequest, version: str = "") -> HttpResponse:
    """The current notice, or an earlier published version by its name."""
    notice = selectors.notice_published(version) if version else selectors.notice_current()
    current = selectors.notice_current()
    if notice is None:
        return render(request, "privacy/notice_missing.html", status=404)
    context = {
        "notice": notice,
        "html": selectors.notice_html(notice.text),
        "current": current,
        "is_current": current is not None and current.pk == notice.pk,
    }
    response = render(request, "privacy/notice_public.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response


# --- for admins


@login_required
def notice_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    notices = list(selectors.notices_for(user))
    current = selectors.notice_current()
    start = current.text if current else ""
    form = NoticeForm(
        request.POST or None, initial={"version": services.next_version(), "text": start}
    )
    if request.method == "POST" and form.is_valid():
        try:
            notice = services.notice_create(actor=user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, f"Draft version {notice.version} saved. Publish it when ready."
            )
            return redirect("notice_detail", pk=notice.pk)
    context = {"notices": notices, "current": current, "form": form}
    return render(request, "privacy/notice_list.html", context)


@login_required
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A draft: edit and preview it. A published version: read it."""
    user = acting_user(request)
    notice = selectors.notice_get(user, pk)
    form = None
    if notice.published_at is None:
        form = NoticeForm(
            request.POST or None, initial={"version": notice.version, "text": notice.text}
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.notice_update(actor=user, notice=notice, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            except PermissionDenied as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, "Draft saved.")
                return redirect("notice_detail", pk=notice.pk)
    current = selectors.notice_current()
    context = {
        "notice": notice,
        "form": form,
        "html": selectors.notice_html(notice.text),
        "is_current": current is not None and current.pk == notice.pk,
        "consents": notice.consents.count(),
    }
    return render(request, "privacy/notice_detail.html", context)


def _act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = acting_user(request)
    notice = selectors.notice_get(user, pk)
    try:
        if action == "publish":
            services.notice_publish(actor=user, notice=notice)
            messages.success(
                request, f"Version {notice.version} is published: public forms show it from now on."
            )
        elif action == "copy":
            notice = services.notice_copy(actor=user, notice=notice)
            messages.success(request, f"Draft version {notice.version} started from that text.")
        else:
            services.notice_delete(actor=user, notice=notice)
            messages.success(request, f"Draft version {notice.version} deleted.")
            return redirect("notice_list")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    return redirect("notice_detail", pk=notice.pk)


@login_required
@require_POST
def notice_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "publish")


@login_required
@require_POST
def notice_copy(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "copy")


@login_required
@require_POST
def notice_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "delete")


# --- erasure


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def candidate_erase(request: HttpRequest, pk: int) -> HttpResponse:
    """Erase a candidate: what goes, why, and their name typed to confirm."""
    user = acting_user(request)
    candidate = people_selectors.candidate_get(user, pk)
    if not selectors.may_erase(user):
        raise Http404("No such page.")
    form = EraseForm(request.POST or None, name=candidate.full_name)
    if request.method == "POST" and form.is_valid():
        try:
            erasure = erasure_service.candidate_erase(
                actor=user,
                candidate=candidate,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                f"Erased. Nothing of them is left; the record of it is erasure {erasure.pk}.",
            )
            return redirect("erasure_list")
    context = {"candidate": candidate, "form": form}
    return render(request, "privacy/candidate_erase.html", context)


@login_required
def erasure_list(request: HttpRequest) -> HttpResponse:
    erasures = selectors.erasures_for(acting_user(request))
    return render(request, "privacy/erasure_list.html", {"erasures": erasures[:500]})


@login_required
@require_POST
def candidate_export(request: HttpRequest, pk: int) -> FileResponse:
    """Download everything Rapport keeps about a candidate, as a zip file."""
    user = acting_user(request)
    candidate = people_selectors.candidate_get(user, pk)
    if not selectors.may_erase(user):
        raise Http404("No such page.")
    archive = exports.candidate_export(actor=user, candidate=candidate)
    return FileResponse(archive, as_attachment=True, filename=exports.export_filename(candidate))


@login_required
def retention_settings(request: HttpRequest) -> HttpResponse:
    """How long untouched candidates are kept, and who the rule would erase now."""
    user = acting_user(request)
    if not user.can(Capability.MANAGE_SETTINGS):
        raise Http404("No such page.")
    policy = retention.policy_get()
    initial = {"enabled": policy.enabled, "months": policy.months, "hold_tag": policy.hold_tag}
    form = RetentionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            retention.policy_update(actor=user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            state = "on" if form.cleaned_data["enabled"] else "off"
            messages.success(request, f"Saved. The retention rule is {state}.")
            return redirect("retention_settings")
    due = retention.due(policy)
    context = {
        "form": form,
        "policy": policy,
        "due_count": due.count(),
        "due_first": list(due.select_related("owner")[:20]),
        "cutoff": retention.cutoff(policy, timezone.now()),
    }
    return render(request, "privacy/retention.html", context)
