"""The team's outreach pages: templates, campaigns, sequences, one-to-one
email, the captured mailbox and the sending settings. Thin: objects come
from selectors, changes go through services, and a service's error goes back
to the form that caused it."""

from __future__ import annotations

import email
import email.policy
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from rapport.accounts.models import Capability, User
from rapport.core.errors import PermissionDenied
from rapport.core.http import acting_user, id_or_none
from rapport.outreach import merge, policy, selectors, sequences, services, stats, tracking
from rapport.outreach.forms import (
    CampaignForm,
    EmailForm,
    EnrollForm,
    LaunchForm,
    PolicyForm,
    SequenceForm,
    StepForm,
    SuppressionForm,
    TemplateForm,
    TopicForm,
    WindowFields,
)
from rapport.outreach.models import (
    Campaign,
    CampaignStatus,
    MessageStatus,
    Sequence,
    SequenceStep,
    Template,
    Topic,
)
from rapport.people import selectors as people
from rapport.people.forms import apply_errors
from rapport.people.models import Candidate, Pool
from rapport.search.models import Segment
from rapport.search.selectors import candidate_search, segments_visible

PAGE_SIZE = 50


def _refused(request: HttpRequest, exc: Exception) -> None:
    messages.error(request, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))


# --- templates


@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    archived = request.GET.get("archived") == "1"
    return render(
        request,
        "outreach/template_list.html",
        {
            "templates": selectors.template_list(user, archived=archived),
            "archived": archived,
            "tab": "templates",
        },
    )


@login_required
def template_create(request: HttpRequest) -> HttpResponse:
    return _template_form(request, None)


@login_required
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _template_form(request, selectors.template_get(acting_user(request), pk))


def _template_form(request: HttpRequest, template: Template | None) -> HttpResponse:
    user = acting_user(request)
    selectors.template_list(user)  # 404 for those who may not send
    initial = (
        {"name": template.name, "kind": template.kind, "topic": template.topic, "subject": template.subject, "body": template.body}
        if template
        else {"subject": "{{ candidate.first_name }}, ", "body": STARTER_BODY}
    )  # fmt: skip
    form = TemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if template is None:
                template = services.template_create(actor=user, **data)
            else:
                services.template_update(actor=user, template=template, **data)
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            _refused(request, exc)
        else:
            messages.success(request, f"Template “{template.name}” saved.")
            return redirect("template_edit", template.pk)
    context = {
        "form": form,
        "template": template,
        "fields": merge_field_reference(),
        "preview_candidates": _preview_candidates(user),
        "stats": stats.template_stats(template) if template else None,
        "tab": "templates",
    }
    return render(request, "outreach/template_form.html", context)


STARTER_BODY = """Hi {{ candidate.first_name or "there" }},

{% if last_conversation %}
Last time we spoke ({{ last_conversation.date|date }}): {{ last_conversation.summary }}
{% endif %}

I'm writing because …

Best,
{{ sender.name }}
"""


def merge_field_reference() -> list[tuple[str, str]]:
    return [
        ('{{ candidate.first_name or "there" }}', "First name, with a fallback"),
        ("{{ candidate.full_name }}", "Full name"),
        ("{{ candidate.current_title }}", "Current title"),
        ("{{ candidate.current_company }}", "Current company"),
        ("{{ candidate.city }}, {{ candidate.country }}", "Where they live"),
        ("{{ candidate.top_skill }}", "Their strongest skill"),
        ('{{ candidate.skills|join(", ") }}', "All their skills"),
        ("{{ last_conversation.summary }}", "The last note, reply, call or meeting, in a sentence"),
        ("{{ last_conversation.date|date }}", "When it was"),
        ("{{ sender.name }} / {{ sender.signature }}", "Who sends it"),
        ("{{ job.title }}", "The job, when one is involved"),
        ("{{ preferences_url }}", "Their preference page (unsubscribe is added for you)"),
        ("{% if … %} … {% endif %}", "Say something only when it applies"),
    ]


def _preview_candidates(user: User) -> Any:
    return (
        people.candidates_visible(user)
        .order_by("-updated_at", "-id")
        .only("id", "first_name", "last_name")[:200]
    )


@login_required
@require_POST
def template_preview(request: HttpRequest) -> HttpResponse:
    """The message one candidate would get (htmx: the form's subject and body)."""
    user = acting_user(request)
    selectors.template_list(user)
    pk = id_or_none(request.POST.get("candidate"))
    candidate = people.candidate_get(user, pk) if pk else _preview_candidates(user).first()
    context: dict[str, Any] = {"candidate": candidate}
    if candidate is None:
        context["error"] = "Add a candidate first: the preview shows a real person's message."
    else:
        try:
            context["rendered"] = services.preview(
                template_subject=request.POST.get("subject", ""),
                template_body=request.POST.get("body", ""),
                candidate=candidate,
                sender=user,
            )
        except ValidationError as exc:
            context["error"] = " ".join(exc.messages)
    return render(request, "outreach/_preview.html", context)


@login_required
@require_POST
def template_archive(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    template = selectors.template_get(user, pk)
    try:
        services.template_archive(actor=user, template=template)
    except PermissionDenied as exc:
        _refused(request, exc)
        return redirect("template_edit", pk)
    messages.success(
        request, f"Template “{template.name}” archived. Campaigns that used it keep what they sent."
    )
    return redirect("template_list")


# --- campaigns


def _audiences(user: User) -> list[tuple[str, str]]:
    segments = [
        (f"segment:{s.pk}", f"Segment · {s.name}") for s in segments_visible(user).order_by("name")
    ]
    pools = [
        (f"pool:{p.pk}", f"Pool · {p.name}") for p in people.pools_visible(user).order_by("name")
    ]
    return segments + pools


def _audience(user: User, value: str) -> tuple[Segment | None, Pool | None]:
    kind, _, pk = value.partition(":")
    if kind == "segment":
        return segments_visible(user).get(pk=int(pk)), None
    if kind == "pool":
        return None, people.pool_get(user, pk)
    return None, None


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    campaigns = Paginator(selectors.campaign_list(user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request, "outreach/campaign_list.html", {"campaigns": campaigns, "tab": "campaigns"}
    )


@login_required
def campaign_create(request: HttpRequest) -> HttpResponse:
    return _campaign_form(request, None)


@login_required
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _campaign_form(request, selectors.campaign_get(acting_user(request), pk))


def _campaign_form(request: HttpRequest, campaign: Campaign | None) -> HttpResponse:
    user = acting_user(request)
    selectors.campaign_list(user)
    initial: dict[str, Any] = {"sender": user}
    if campaign is not None:
        audience = (
            f"segment:{campaign.segment_id}" if campaign.segment_id else f"pool:{campaign.pool_id}"
        )
        initial = {"name": campaign.name, "template": campaign.template, "audience": audience, "sender": campaign.sender,
                   **WindowFields.initial_for(policy.Window.from_json(campaign.window))}  # fmt: skip
    else:
        initial["audience"] = request.GET.get("audience", "")
    form = CampaignForm(request.POST or None, initial=initial, audiences=_audiences(user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            segment, pool = _audience(user, data["audience"])
            fields = {"name": data["name"], "template": data["template"], "segment": segment, "pool": pool,
                      "sender": data["sender"], "window": form.window()}  # fmt: skip
            if campaign is None:
                campaign = services.campaign_create(actor=user, **fields)
            else:
                services.campaign_update(actor=user, campaign=campaign, **fields)
        except ValidationError as exc:
            apply_errors(form, exc)
        except (PermissionDenied, Segment.DoesNotExist, Http404) as exc:
            _refused(request, exc)
        else:
            return redirect("campaign_detail", campaign.pk)
    return render(
        request,
        "outreach/campaign_form.html",
        {"form": form, "campaign": campaign, "tab": "campaigns"},
    )


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    campaign = selectors.campaign_get(user, pk)
    status = request.GET.get("status", "")
    context: dict[str, Any] = {
        "campaign": campaign,
        "tab": "campaigns",
        "status_filter": status,
        "reasons": policy.REASONS,
    }
    if campaign.status in (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED):
        context["preview"] = services.campaign_preview(campaign)
        context["launch_form"] = LaunchForm()
        context["sample_to"], context["sample"] = _sample(user, campaign)
    else:
        context.update(_progress(campaign))
        recipients = selectors.campaign_recipients(campaign, status=status)
        context["recipients"] = Paginator(recipients, PAGE_SIZE).get_page(request.GET.get("page"))
        context["statuses"] = MessageStatus.choices
    return render(request, "outreach/campaign_detail.html", context)


def _sample(user: User, campaign: Campaign) -> tuple[Candidate | None, Any]:
    """The first person in the audience, and the message they would get."""
    first = services.campaign_audience(campaign).order_by("id").first()
    if first is None:
        return None, None
    try:
        return first, services.preview(
            template_subject=campaign.template.subject, template_body=campaign.template.body,
            candidate=first, sender=campaign.sender,
        )  # fmt: skip
    except ValidationError:
        return first, None


def _progress(campaign: Campaign) -> dict[str, Any]:
    counts = selectors.campaign_counts(campaign)
    total = sum(counts.values())
    done = sum(
        counts.get(s, 0)
        for s in (
            MessageStatus.SENT,
            MessageStatus.BOUNCED,
            MessageStatus.FAILED,
            MessageStatus.SUPPRESSED,
            MessageStatus.CANCELLED,
        )
    )
    return {
        "counts": counts,
        "total": total,
        "percent": round(100 * done / total) if total else 0,
        "stats": stats.campaign_stats(campaign),
    }


@login_required
def campaign_progress(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = selectors.campaign_get(acting_user(request), pk)
    return render(
        request, "outreach/_campaign_progress.html", {"campaign": campaign, **_progress(campaign)}
    )


@login_required
@require_POST
def campaign_launch(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    campaign = selectors.campaign_get(user, pk)
    form = LaunchForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Choose to send now or at a time.")
        at = form.moment()
        services.campaign_launch(actor=user, campaign=campaign, at=at)
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        if campaign.status == CampaignStatus.SCHEDULED:
            messages.success(
                request, f"Scheduled. It starts on {campaign.scheduled_at:%d %b %Y at %H:%M} (UTC)."
            )
        else:
            messages.success(request, "Sending. Each message goes out inside its send window.")
    return redirect("campaign_detail", pk)


def _campaign_action(request: HttpRequest, pk: int, action: Any, done: str) -> HttpResponse:
    user = acting_user(request)
    campaign = selectors.campaign_get(user, pk)
    try:
        action(actor=user, campaign=campaign)
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        messages.success(request, done)
    return redirect("campaign_detail", pk)


@login_required
@require_POST
def campaign_pause(request: HttpRequest, pk: int) -> HttpResponse:
    return _campaign_action(
        request, pk, services.campaign_pause, "Paused. Nothing more goes out until you resume."
    )


@login_required
@require_POST
def campaign_resume(request: HttpRequest, pk: int) -> HttpResponse:
    return _campaign_action(request, pk, services.campaign_resume, "Resumed.")


@login_required
@require_POST
def campaign_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _campaign_action(
        request,
        pk,
        services.campaign_cancel,
        "Cancelled. What was sent stays sent; nothing more goes out.",
    )


# --- sequences


def _segment_choices(user: User) -> list[tuple[int, str]]:
    return [(s.pk, s.name) for s in segments_visible(user).order_by("name")]


@login_required
def sequence_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    return render(
        request,
        "outreach/sequence_list.html",
        {"sequences": selectors.sequence_list(user), "tab": "sequences"},
    )


@login_required
def sequence_create(request: HttpRequest) -> HttpResponse:
    return _sequence_form(request, None)


@login_required
def sequence_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _sequence_form(request, selectors.sequence_get(acting_user(request), pk))


def _sequence_form(request: HttpRequest, sequence: Sequence | None) -> HttpResponse:
    user = acting_user(request)
    selectors.sequence_list(user)
    initial: dict[str, Any] = {"sender": user, "active": True}
    if sequence is not None:
        initial = {"name": sequence.name, "description": sequence.description, "sender": sequence.sender,
                   "auto_segment": sequence.auto_segment_id or "", "stop_on_auto_reply": sequence.stop_on_auto_reply,
                   "active": sequence.active, **WindowFields.initial_for(policy.Window.from_json(sequence.window))}  # fmt: skip
    form = SequenceForm(request.POST or None, initial=initial, segments=_segment_choices(user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        segment_id = id_or_none(data["auto_segment"])
        segment = segments_visible(user).filter(pk=segment_id).first() if segment_id else None
        try:
            sequence = sequences.sequence_save(
                actor=user, sequence=sequence, name=data["name"], description=data["description"],
                sender=data["sender"], window=form.window(), auto_segment=segment,
                stop_on_auto_reply=data["stop_on_auto_reply"], active=data["active"],
            )  # fmt: skip
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            _refused(request, exc)
        else:
            return redirect("sequence_detail", sequence.pk)
    return render(
        request,
        "outreach/sequence_form.html",
        {"form": form, "sequence": sequence, "tab": "sequences"},
    )


@login_required
def sequence_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    sequence = selectors.sequence_get(user, pk)
    enrolled = Paginator(selectors.enrollments(sequence), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "sequence": sequence,
        "steps": sequence.steps.select_related("template").order_by("position"),
        "step_form": StepForm(),
        "enrollments": enrolled,
        "stats": stats.sequence_stats(sequence),
        "tab": "sequences",
    }
    return render(request, "outreach/sequence_detail.html", context)


@login_required
@require_POST
def step_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    sequence = selectors.sequence_get(user, pk)
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The step needs a template and a wait of 0 to 365 days.")
        return redirect("sequence_detail", pk)
    try:
        sequences.step_add(actor=user, sequence=sequence, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    return redirect("sequence_detail", pk)


@login_required
@require_POST
def step_remove(request: HttpRequest, pk: int, step: int) -> HttpResponse:
    user = acting_user(request)
    sequence = selectors.sequence_get(user, pk)
    try:
        sequences.step_remove(actor=user, step=sequence.steps.get(pk=step))
    except SequenceStep.DoesNotExist:
        raise Http404("No such step.") from None
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    return redirect("sequence_detail", pk)


@login_required
@require_POST
def sequence_enroll(request: HttpRequest, pk: int) -> HttpResponse:
    """Enrol one candidate (from their page) or every match of a search."""
    user = acting_user(request)
    sequence = selectors.sequence_get(user, pk)
    if "query" in request.POST:
        ids = list(
            candidate_search(user, query=request.POST["query"]).rows.values_list("id", flat=True)
        )
    else:
        ids = [people.candidate_get(user, request.POST.get("candidate", "")).pk]
    try:
        result = sequences.sequence_enroll(actor=user, sequence=sequence, candidate_ids=ids)
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        already = (
            f" ({result.already} were enrolled before, and are not again)" if result.already else ""
        )
        messages.success(request, f"Enrolled {result.enrolled} in {sequence.name}{already}.")
    return redirect(request.POST.get("next") or reverse("sequence_detail", args=[pk]))


@login_required
@require_POST
def enrollment_stop(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    enrollment = selectors.enrollment_get(user, pk)
    sequences.enrollment_stop(enrollment=enrollment, reason="stopped by hand", actor=user)
    messages.success(
        request, f"Stopped {enrollment.sequence.name} for {enrollment.candidate.full_name}."
    )
    target = request.POST.get("next", "")
    return redirect(
        target
        if target.startswith("/") and not target.startswith("//")
        else reverse("sequence_detail", args=[enrollment.sequence_id])
    )


# --- one candidate


@login_required
def candidate_outreach(request: HttpRequest, pk: int) -> HttpResponse:
    """The outreach panel of a profile (loaded by htmx): mail, sequences."""
    user = acting_user(request)
    candidate = people.candidate_get(user, pk)
    if not selectors.may_send(user):
        return HttpResponse("")
    context = {
        "candidate": candidate,
        "messages_sent": selectors.candidate_messages(user, candidate)[:10],
        "enrollments": selectors.candidate_enrollments(user, candidate),
        "enroll_form": EnrollForm(),
        "reasons": policy.REASONS,
        "preference": selectors.candidate_preference(user, candidate),
    }
    return render(request, "outreach/_candidate.html", context)


@login_required
def candidate_email(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    candidate = people.candidate_get(user, pk)
    if not selectors.may_send(user):
        raise Http404("Not found.")
    initial: dict[str, Any] = {
        "subject": "",
        "body": "Hi {{ candidate.first_name }},\n\n\n\n{{ sender.signature }}",
    }
    template_id = id_or_none(request.GET.get("template"))
    if template_id and (
        template := Template.objects.filter(pk=template_id, archived_at__isnull=True).first()
    ):
        initial = {"template": template, "subject": template.subject, "body": template.body}
    form = EmailForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.email_send(
                actor=user,
                candidate=candidate,
                subject=data["subject"],
                body=data["body"],
                template=data["template"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            _refused(request, exc)
        else:
            messages.success(
                request,
                f"Sent to {candidate.full_name}; it is in the outbox and on the timeline once delivered.",
            )
            return redirect("candidate_detail", candidate.pk)
    emails = merge.primary_emails([candidate.pk])
    context = {
        "candidate": candidate,
        "form": form,
        "to": emails.get(candidate.pk, ""),
        "fields": merge_field_reference(),
    }
    return render(request, "outreach/email_form.html", context)


# --- captured mail


@login_required
def mailbox_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    page = Paginator(selectors.mailbox(user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "outreach/mailbox_list.html", {"mails": page, "tab": "mailbox"})


@login_required
def mailbox_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    captured = selectors.captured_get(user, pk)
    parsed = email.message_from_bytes(bytes(captured.raw), policy=email.policy.default)
    html_part = parsed.get_body(preferencelist=("html",))
    text_part = parsed.get_body(preferencelist=("plain",))
    headers = [
        (k, str(v))
        for k, v in parsed.items()
        if k.lower() not in ("content-type", "content-transfer-encoding", "mime-version")
    ]
    context = {
        "captured": captured,
        "headers": headers,
        # Without the open pixel and click links: reading it here is not the
        # candidate opening it.
        "html": tracking.untracked_html(html_part.get_content()) if html_part else "",
        "text": text_part.get_content() if text_part else "",
        "tab": "mailbox",
    }
    return render(request, "outreach/mailbox_detail.html", context)


# --- settings


@login_required
def outreach_settings(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if not user.can(Capability.MANAGE_SETTINGS):
        raise Http404("Not found.")
    current = policy.organisation_policy()
    window = policy.organisation_window(current)
    initial = {
        "fallback_timezone": current.fallback_timezone, "cap_messages": current.cap_messages,
        "cap_days": current.cap_days, "require_consent": current.require_consent,
        "retry_days": current.retry_days, "track_opens": current.track_opens,
        "window_days": [str(d) for d in window.days], "window_start": window.start, "window_end": window.end,
    }  # fmt: skip
    form = PolicyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        new_window = policy.Window(
            days=tuple(int(d) for d in data.pop("window_days")),
            start=data.pop("window_start"),
            end=data.pop("window_end"),
        )
        services.policy_update(actor=user, window=new_window.to_json(), **data)
        messages.success(
            request,
            "Sending rules saved. They apply to every message from now on, queued ones included.",
        )
        return redirect("outreach_settings")
    context = {
        "form": form,
        "topics": Topic.objects.all(),
        "topic_form": TopicForm(),
        "suppression_form": SuppressionForm(),
        "suppressed": services.suppression_count(),
        "tab": "settings",
    }
    return render(request, "outreach/settings.html", context)


@login_required
@require_POST
def topic_add(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = TopicForm(request.POST)
    if form.is_valid():
        try:
            services.topic_create(actor=user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            _refused(request, exc)
    return redirect("outreach_settings")


@login_required
@require_POST
def topic_remove(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    try:
        services.topic_delete(actor=user, topic=Topic.objects.get(pk=pk))
    except Topic.DoesNotExist:
        raise Http404("No such topic.") from None
    except PermissionDenied as exc:
        _refused(request, exc)
    return redirect("outreach_settings")


@login_required
@require_POST
def suppression_change(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = SuppressionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give an email address.")
        return redirect("outreach_settings")
    address = form.cleaned_data["address"]
    try:
        if request.POST.get("action") == "remove":
            done = services.suppression_remove(actor=user, address=address)
            messages.success(
                request,
                f"{address} may be mailed again." if done else f"{address} was not on the list.",
            )
        else:
            done = services.suppression_add(
                actor=user, address=address, note=form.cleaned_data["note"]
            )
            messages.success(
                request,
                f"{address} will never be mailed."
                if done
                else f"{address} was already on the list.",
            )
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    return redirect("outreach_settings")
