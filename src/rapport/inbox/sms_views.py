"""The candidate page's "Texts" and "Calls & meetings" panels (loaded by
htmx, like the Email card), and the SMS provider's two webhooks.

The panels are thin: the candidate comes from people.selectors (a 404 for
anyone who may not see them), reads from sms_selectors, writes through
sms_services, and a service's error goes back to the form that caused it.

The webhooks are public and exempt from CSRF: the provider POSTs to them.
Whenever a provider is configured (RAPPORT_SMS_URL), each request must carry
its signature, checked against RAPPORT_BASE_URL plus the path. They answer an
empty TwiML document: Rapport never replies on its own.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from rapport.core.errors import PermissionDenied
from rapport.core.http import acting_user
from rapport.inbox import sms, sms_selectors, sms_services
from rapport.inbox.models import SMS_MAX_CHARS
from rapport.inbox.sms_forms import InteractionForm, SmsForm
from rapport.people import selectors as people
from rapport.people.forms import apply_errors
from rapport.people.models import Candidate

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
TIMELINE_EVENT = "timeline-changed"  # the candidate page reloads its timeline


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _back(candidate: Candidate, anchor: str) -> HttpResponse:
    return redirect(reverse("candidate_detail", args=[candidate.pk]) + f"#{anchor}")


# --- texts


@login_required
def candidate_texts(request: HttpRequest, pk: int) -> HttpResponse:
    """The thread and the send form; a POST sends."""
    user = acting_user(request)
    candidate = people.candidate_get(user, pk)
    if not sms_selectors.may_text(user):
        raise Http404("Not found.")
    form = SmsForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                sms_services.sms_send(
                    actor=user, candidate=candidate, body=form.cleaned_data["body"]
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                if not _is_htmx(request):
                    messages.success(request, f"Text to {candidate.full_name} queued.")
                    return _back(candidate, "texts")
                form = SmsForm()
        if not _is_htmx(request):
            for error in form.errors.values():
                messages.error(request, str(error[0]))
            return _back(candidate, "texts")
    texts = sms_selectors.sms_thread(user, candidate)
    context = {
        "candidate": candidate,
        "texts": texts,
        "pending": sms_selectors.thread_pending(texts),
        "reasons": sms_services.REASONS,
    }
    if request.GET.get("part") == "thread":
        return render(request, "inbox/sms_thread.html", context)
    reach = sms_services.sms_reachability(candidate)
    context |= {
        "form": form,
        "reach": reach,
        "refusal": "" if reach.ok else sms_services.refusal(candidate, reach),
        "captured": sms.is_captured(),
        "length": sms.length(form["body"].value() or ""),
        "max_chars": SMS_MAX_CHARS,
    }
    return render(request, "inbox/sms_panel.html", context)


@login_required
@require_GET
def sms_length(request: HttpRequest) -> HttpResponse:
    """The counter under the send form, as it is typed."""
    body = request.GET.get("body", "")
    context = {"length": sms.length(body), "max_chars": SMS_MAX_CHARS}
    return render(request, "inbox/sms_length.html", context)


# --- calls and meetings


@login_required
def candidate_interactions(request: HttpRequest, pk: int) -> HttpResponse:
    """The form to log a call or meeting, and the latest ones; a POST logs."""
    user = acting_user(request)
    candidate = people.candidate_get(user, pk)
    if not sms_selectors.may_log(user):
        raise Http404("Not found.")
    now = timezone.localtime().replace(second=0, microsecond=0)
    form = InteractionForm(request.POST or None, initial={"occurred_at": now})
    logged = False
    if request.method == "POST":
        if form.is_valid():
            try:
                sms_services.interaction_log(actor=user, candidate=candidate, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                logged = True
        if not _is_htmx(request):
            if logged:
                messages.success(request, "Logged; it is on the timeline.")
            for error in form.errors.values():
                messages.error(request, str(error[0]))
            return _back(candidate, "timeline" if logged else "interactions")
        if logged:
            form = InteractionForm(initial={"occurred_at": now})
    context = {
        "candidate": candidate,
        "form": form,
        "interactions": sms_selectors.interactions_recent(user, candidate),
        "logged": logged,
        "contact_outcomes": sms_services.CONTACT_OUTCOMES,
    }
    response = render(request, "inbox/interaction_panel.html", context)
    if logged:
        response["HX-Trigger"] = TIMELINE_EVENT
    return response


# --- the provider's webhooks


def _signed(request: HttpRequest) -> bool:
    """Whether the request comes from the provider, by its signature."""
    params = [(name, value) for name, values in request.POST.lists() for value in values]
    return sms.signature_valid(
        url=sms.webhook_url(request.get_full_path()),
        params=params,
        token=sms.auth_token(),
        given=request.headers.get("X-Twilio-Signature", ""),
    )


def _refused(request: HttpRequest) -> HttpResponse | None:
    """Why a webhook call is refused, if it is. Without a provider there is
    nothing to verify a signature against, so nobody may post at all: the
    webhooks would otherwise let anyone write on a candidate's timeline or
    opt their number out."""
    if sms.is_captured():
        return HttpResponse("No SMS provider is configured (RAPPORT_SMS_URL).", status=404)
    if not _signed(request):
        return HttpResponse("The request signature does not match.", status=403)
    return None


def _twiml(status: int = 200) -> HttpResponse:
    return HttpResponse(EMPTY_TWIML, content_type="text/xml", status=status)


@csrf_exempt
@require_POST
def sms_inbound(request: HttpRequest) -> HttpResponse:
    """A text to our number: recorded, never answered automatically."""
    if refused := _refused(request):
        return refused
    sender = request.POST.get("From", "")
    if not sender:
        return HttpResponse("From is missing.", status=400)
    sms_services.sms_receive(
        sender=sender,
        recipient=request.POST.get("To", ""),
        body=request.POST.get("Body", ""),
        provider_id=request.POST.get("MessageSid") or request.POST.get("SmsSid", ""),
    )
    return _twiml()


@csrf_exempt
@require_POST
def sms_status(request: HttpRequest) -> HttpResponse:
    """The provider's word on a text we sent: delivered, or failed after all."""
    if refused := _refused(request):
        return refused
    sms_services.sms_status_update(
        provider_id=request.POST.get("MessageSid") or request.POST.get("SmsSid", ""),
        status=request.POST.get("MessageStatus") or request.POST.get("SmsStatus", ""),
        error=request.POST.get("ErrorCode", ""),
    )
    return _twiml()
