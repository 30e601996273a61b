"""The team inbox, notifications, and the HTTP way in for raw mail. Thin:
objects come from selectors, changes go through services."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from rapport.accounts.models import Capability, User
from rapport.api.auth import BearerToken
from rapport.core.errors import PermissionDenied
from rapport.core.http import acting_user, id_or_none
from rapport.inbox import parse, selectors, services
from rapport.inbox.models import InboundSource
from rapport.people import selectors as people
from rapport.people.forms import apply_errors
from rapport.search.query import QueryError
from rapport.search.selectors import candidate_search

PAGE_SIZE = 30


class ReplyForm(forms.Form):
    subject = forms.CharField(max_length=300, required=False)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "true"}))


def _inbox_user(request: HttpRequest) -> User:
    user = acting_user(request)
    if not selectors.may_use_inbox(user):
        raise Http404("Not found.")
    return user


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user = _inbox_user(request)
    view = request.GET.get("view", "open")
    if view not in selectors.VIEWS or (view == "unmatched" and not selectors.sees_unmatched(user)):
        view = "open"
    page = Paginator(selectors.conversation_list(user, view=view), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    views = [
        (key, label) for key, label in selectors.VIEWS.items()
        if key != "unmatched" or selectors.sees_unmatched(user)
    ]  # fmt: skip
    return render(
        request,
        "inbox/inbox.html",
        {"page": page, "view": view, "views": views, "counts": selectors.view_counts(user)},
    )


@login_required
def conversation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _inbox_user(request)
    conversation = selectors.conversation_get(user, pk)
    services.conversation_read(actor=user, conversation=conversation)
    return _detail(request, user, conversation, ReplyForm())


def _detail(
    request: HttpRequest, user: User, conversation: object, form: ReplyForm
) -> HttpResponse:
    from rapport.inbox.models import Conversation

    assert isinstance(conversation, Conversation)
    found = []
    query = request.GET.get("find", "").strip()
    if query and conversation.candidate_id is None:
        try:
            found = list(candidate_search(user, query=query).rows[:8])
        except QueryError as exc:
            messages.error(request, str(exc))
    suggestion = None
    if conversation.candidate_id is None and (pk := selectors.suggestion_for(user, conversation)):
        suggestion = people.candidate_get(user, pk)
    teammates = User.objects.filter(is_active=True).order_by("name", "email")
    return render(
        request,
        "inbox/conversation.html",
        {
            "conversation": conversation,
            "thread": selectors.conversation_thread(conversation),
            "form": form,
            "teammates": [t for t in teammates if t.can(Capability.SEND_EMAIL)],
            "found": found,
            "find": query,
            "suggestion": suggestion,
        },
    )


@login_required
@require_POST
def conversation_reply(request: HttpRequest, pk: int) -> HttpResponse:
    user = _inbox_user(request)
    conversation = selectors.conversation_get(user, pk)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            services.conversation_reply(
                actor=user, conversation=conversation,
                body=form.cleaned_data["body"], subject=form.cleaned_data["subject"],
            )  # fmt: skip
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Your answer is in the outbox, in the same thread.")
            return redirect("conversation_detail", conversation.pk)
    return _detail(request, user, conversation, form)


@login_required
@require_POST
def conversation_assign(request: HttpRequest, pk: int) -> HttpResponse:
    user = _inbox_user(request)
    conversation = selectors.conversation_get(user, pk)
    assignee_id = id_or_none(request.POST.get("assignee"))
    assignee = User.objects.filter(pk=assignee_id).first() if assignee_id else None
    try:
        services.conversation_assign(actor=user, conversation=conversation, assignee=assignee)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
    else:
        messages.success(request, f"Assigned to {assignee}." if assignee else "Unassigned.")
    return redirect("conversation_detail", conversation.pk)


@login_required
@require_POST
def conversation_done(request: HttpRequest, pk: int) -> HttpResponse:
    user = _inbox_user(request)
    conversation = selectors.conversation_get(user, pk)
    done = request.POST.get("done", "1") == "1"
    services.conversation_done(actor=user, conversation=conversation, done=done)
    messages.success(request, "Marked done." if done else "Reopened.")
    return redirect("inbox") if done else redirect("conversation_detail", conversation.pk)


@login_required
@require_POST
def conversation_place(request: HttpRequest, pk: int) -> HttpResponse:
    user = _inbox_user(request)
    conversation = selectors.conversation_get(user, pk)
    try:
        if request.POST.get("new") == "1":
            candidate = services.conversation_create_candidate(
                actor=user, conversation=conversation
            )
        else:
            candidate = people.candidate_get(user, request.POST.get("candidate", ""))
            services.conversation_place(actor=user, conversation=conversation, candidate=candidate)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
    else:
        messages.success(request, f"Placed with {candidate.full_name}; it is on their timeline.")
    return redirect("conversation_detail", conversation.pk)


@login_required
def inbound_attachment(request: HttpRequest, pk: int, index: int) -> HttpResponse:
    """An attachment, always as a download of opaque bytes: never shown inline."""
    user = _inbox_user(request)
    message = selectors.inbound_get(user, pk)
    if not message.raw or not any(a.get("index") == index for a in message.attachments):
        raise Http404("No such attachment.")
    found = parse.part_bytes(bytes(message.raw), index)
    if found is None:
        raise Http404("No such attachment.")
    name, _, data = found
    response = HttpResponse(data, content_type="application/octet-stream")
    safe = "".join(c if c.isalnum() or c in "._- " else "_" for c in name)[:120] or "attachment"
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


@login_required
def inbound_original(request: HttpRequest, pk: int) -> HttpResponse:
    """The message exactly as it arrived, as an .eml download."""
    user = _inbox_user(request)
    message = selectors.inbound_get(user, pk)
    if not message.raw:
        raise Http404("The original was not kept.")
    response = HttpResponse(bytes(message.raw), content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="message-{message.pk}.eml"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if request.method == "POST":
        services.notifications_read(actor=user)
        return redirect("notifications")
    return render(
        request, "inbox/notifications.html", {"notifications": selectors.notification_list(user)}
    )


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    found = selectors.notifications_visible(user).filter(pk=pk).first()
    if found is None:
        raise Http404("No such notification.")
    services.notifications_read(actor=user, ids=[found.pk])
    return redirect(found.url or "notifications")


@csrf_exempt
@require_POST
def inbound_http(request: HttpRequest) -> HttpResponse:
    """POST a raw message (message/rfc822) with an admin's API token, for
    mail servers that forward or pipe over HTTP."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    user = (
        BearerToken().authenticate(request, token.strip()) if scheme.lower() == "bearer" else None
    )
    if user is None:
        return JsonResponse({"detail": "Send an API token: Authorization: Bearer …"}, status=401)
    if not user.can(Capability.MANAGE_SETTINGS):
        return JsonResponse({"detail": "Only an admin's token may deliver mail."}, status=403)
    limit = 4 * settings.INBOUND_MAX_BYTES
    raw = request.read(limit + 1)
    if len(raw) > limit:
        return JsonResponse({"detail": f"The message is over {limit:,} bytes."}, status=413)
    if not raw.strip():
        return JsonResponse({"detail": "The body is empty: send the raw message."}, status=400)
    received = services.inbound_receive(raw=raw, source=InboundSource.HTTP)
    message = received.message
    return JsonResponse(
        {
            "id": message.pk,
            "kind": message.kind,
            "candidate": message.candidate_id,
            "duplicate": not received.created,
        },
        status=201 if received.created else 200,
    )
