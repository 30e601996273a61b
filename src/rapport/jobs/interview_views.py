"""The interview pages: an application's interviews card, scheduling,
rescheduling and cancelling, an interview with its times in everyone's time
zone and its feedback, the feedback form, a calendar file, and My
interviews.

Thin: interviews come from `jobs.interviews` (a 404 for anyone who may not
see the job), feedback only for those who may read it; every change goes
through the services there, and their refusals come back on the form."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from rapport.accounts.models import Capability, User
from rapport.core.errors import PermissionDenied
from rapport.core.http import acting_user
from rapport.jobs import interviews as iv
from rapport.jobs.interview_forms import (
    FIELD_ALIASES,
    CancelForm,
    InterviewForm,
    ScorecardForm,
    interview_initial,
    keep_duration,
)
from rapport.jobs.models import Application, Interview, InterviewStatus
from rapport.jobs.selectors import application_get, may_see_feedback, scorecards_visible
from rapport.outreach.policy import REASONS

PAGE_SIZE = 50
NOT_YOURS = (
    "Only recruiters and admins schedule, move and cancel interviews; the interviewers "
    "and the job's hiring managers see them and give feedback."
)


def _forbidden(request: HttpRequest, message: str, back: str = "") -> HttpResponse:
    if getattr(request, "htmx", False):
        return HttpResponse(message, status=403, content_type="text/plain; charset=utf-8")
    return render(request, "jobs/forbidden.html", {"message": message, "back": back}, status=403)


def _apply_errors(form: Form, error: ValidationError) -> None:
    """Put a service's refusal on the field it names (or above the form)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, problems in error.message_dict.items():
        target = FIELD_ALIASES.get(name, name)
        form.add_error(target if target in form.fields else None, problems)


def _invitation_line(interview: Interview) -> str:
    """What became of the invitations of the interview's latest change."""
    latest = [
        m for m in iv.invitations(interview) if m.key.split(":")[1] == str(interview.sequence)
    ]
    held = [m for m in latest if m.status == "suppressed"]
    if not latest:
        return ""
    if held:
        names = ", ".join(m.to_email or "the candidate" for m in held)
        return f"Not sent to {names}: {REASONS.get(held[0].reason, held[0].reason).lower()}."
    return f"{len(latest)} invitation{'s' if len(latest) != 1 else ''} on their way."


# --- the application's card -----------------------------------------------------


@login_required
def application_interviews(request: HttpRequest, pk: int) -> HttpResponse:
    """The Interviews card of an application page (loaded by htmx)."""
    user = acting_user(request)
    application = application_get(user, pk)
    rows = iv.application_interviews(user, application)
    cards = list(scorecards_visible(user, application))
    by_interview: dict[int | None, list[Any]] = {}
    for card in cards:
        by_interview.setdefault(card.interview_id, []).append(card)
    now = timezone.now()
    context = {
        "application": application,
        "rows": [
            {
                "interview": i,
                "when": iv.interview_time(i),
                "past": i.ends_at <= now,
                "scorecards": by_interview.get(i.pk, []),
            }
            for i in rows
        ],
        "feedback": may_see_feedback(user, application.job),
        "summary": iv.feedback_summary(cards),
        "can_schedule": iv.may_schedule(user, application),
        "can_move": user.can(Capability.MOVE_APPLICATIONS),
    }
    return render(request, "jobs/interviews/_card.html", context)


# --- schedule, reschedule, cancel ---------------------------------------------------


def _schedule_initial(user: User, application: Application) -> dict[str, Any]:
    zone = iv.scheduler_zone(user, application.job)
    tomorrow = timezone.now().astimezone(ZoneInfo(zone)).date() + dt.timedelta(days=1)
    eligible = iv.interviewers_eligible(application.job).filter(pk=user.pk).exists()
    return {
        "title": f"{application.stage.name} interview"
        if application.stage.name.lower() != "interview"
        else "Interview",
        "date": tomorrow,
        "time": dt.time(10, 0),
        "timezone": zone,
        "duration": 60,
        "interviewers": [user.pk] if eligible else [],
    }


@login_required
def interview_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    application = application_get(user, pk)
    back = reverse("application_detail", args=[application.pk])
    if not user.can(Capability.MOVE_APPLICATIONS):
        return _forbidden(
            request, f"Your role ({user.get_role_display()}) may not do this. {NOT_YOURS}", back
        )
    eligible = iv.interviewers_eligible(application.job)
    form = InterviewForm(
        request.POST if request.method == "POST" else None,
        interviewers=eligible,
        initial=_schedule_initial(user, application),
    )
    if request.method == "POST" and form.is_valid():
        try:
            interview = iv.interview_schedule(
                actor=user, application=application, fields=form.interview_fields()
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        except PermissionDenied as exc:
            return _forbidden(request, str(exc), back)
        else:
            messages.success(request, f"Interview scheduled. {_invitation_line(interview)}")
            return redirect("interview_detail", interview.pk)
    return _form_page(request, form, application)


def _form_page(
    request: HttpRequest,
    form: InterviewForm,
    application: Application,
    interview: Interview | None = None,
) -> HttpResponse:
    """The scheduling form, for a new interview or a change to one."""
    return render(
        request,
        "jobs/interviews/form.html",
        {
            "form": form,
            "application": application,
            "job": application.job,
            "candidate": application.candidate,
            "interview": interview,
            "closed": interview is not None and not iv.changeable(interview),
            "ended": application.stage.ends,
            "candidate_zone": application.candidate.timezone.replace("_", " "),
        },
    )


@login_required
def interview_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    interview = iv.interview_get(user, pk)
    back = reverse("interview_detail", args=[interview.pk])
    if not user.can(Capability.MOVE_APPLICATIONS):
        return _forbidden(
            request, f"Your role ({user.get_role_display()}) may not do this. {NOT_YOURS}", back
        )
    application = interview.application
    initial = interview_initial(interview)
    form = InterviewForm(
        request.POST if request.method == "POST" else None,
        interviewers=iv.interviewers_eligible(application.job),
        initial=initial,
    )
    keep_duration(form, initial["duration"])
    if request.method == "POST" and form.is_valid():
        try:
            interview = iv.interview_reschedule(
                actor=user, interview=interview, fields=form.interview_fields()
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        except PermissionDenied as exc:
            return _forbidden(request, str(exc), back)
        else:
            messages.success(request, f"Interview updated. {_invitation_line(interview)}")
            return redirect("interview_detail", interview.pk)
    return _form_page(request, form, application, interview)


@login_required
def interview_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    interview = iv.interview_get(user, pk)
    back = reverse("interview_detail", args=[interview.pk])
    if not user.can(Capability.MOVE_APPLICATIONS):
        return _forbidden(
            request, f"Your role ({user.get_role_display()}) may not do this. {NOT_YOURS}", back
        )
    form = CancelForm(request.POST if request.method == "POST" else None)
    if request.method == "GET" and not iv.changeable(interview):
        messages.info(request, "This interview can no longer be cancelled.")
        return redirect("interview_detail", interview.pk)
    if request.method == "POST" and form.is_valid():
        try:
            iv.interview_cancel(actor=user, interview=interview, note=form.cleaned_data["note"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except PermissionDenied as exc:
            return _forbidden(request, str(exc), back)
        else:
            messages.success(
                request, "Interview cancelled. The candidate and the interviewers are told."
            )
        return redirect("interview_detail", interview.pk)
    return render(
        request,
        "jobs/interviews/cancel.html",
        {"form": form, "interview": interview, "when": iv.interview_time(interview)},
    )


# --- an interview -----------------------------------------------------------------


@login_required
def interview_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    interview = iv.interview_get(user, pk)
    application = interview.application
    candidate = application.candidate
    now = timezone.now()
    team = list(interview.interviewers.all())
    feedback = may_see_feedback(user, application.job)
    cards = iv.scorecards_of(user, interview)
    open_ = iv.changeable(interview, now)
    context = {
        "interview": interview,
        "application": application,
        "job": application.job,
        "candidate": candidate,
        "scheduled": iv.interview_time(interview, interview.timezone),
        "candidate_time": iv.interview_time(interview, candidate.timezone),
        "team": [(u, iv.interview_time(interview, iv.user_zone(u))) for u in team],
        # The viewer's own zone when set on their account; else the browser's.
        "my_time": iv.interview_time(interview, user.timezone) if user.timezone else None,
        "past": interview.ends_at <= now,
        "open": open_,
        "can_change": open_ and user.can(Capability.MOVE_APPLICATIONS),
        "feedback": feedback,
        "scorecards": cards,
        "summary": iv.feedback_summary(cards),
        "can_score": interview.status != InterviewStatus.CANCELLED
        and iv.may_score(user, interview),
        "mine": next((c for c in cards if c.author_id == user.pk), None),
        "invitations": iv.invitations(interview),
        "reasons": REASONS,
    }
    return render(request, "jobs/interviews/detail.html", context)


@login_required
def interview_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    """The user's scorecard for an interview: written once, edited after."""
    user = acting_user(request)
    interview = iv.interview_get(user, pk)
    if not may_see_feedback(user, interview.application.job):
        raise Http404("No such page.")  # feedback is confidential: no hint it exists
    back = reverse("interview_detail", args=[interview.pk])
    if not iv.may_score(user, interview):
        return _forbidden(
            request,
            "Only the interviewers, the job's recruiter and hiring managers, and admins give "
            "feedback on this interview.",
            back,
        )
    mine = interview.scorecards.filter(author=user).first()
    initial = (
        {"rating": mine.rating, "recommendation": mine.recommendation, "notes": mine.notes}
        if mine
        else {}
    )
    form = ScorecardForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            iv.scorecard_submit(
                actor=user,
                interview=interview,
                rating=form.cleaned_data["rating"],
                recommendation=form.cleaned_data["recommendation"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        except PermissionDenied as exc:
            return _forbidden(request, str(exc), back)
        else:
            messages.success(request, "Feedback updated." if mine else "Feedback saved. Thank you.")
            return redirect("interview_detail", interview.pk)
    return render(
        request,
        "jobs/interviews/feedback.html",
        {
            "form": form,
            "interview": interview,
            "candidate": interview.application.candidate,
            "job": interview.application.job,
            "when": iv.interview_time(interview),
            "mine": mine,
        },
    )


@login_required
def interview_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """The interview as a calendar file, for a teammate's own calendar."""
    user = acting_user(request)
    interview = iv.interview_get(user, pk)
    response = HttpResponse(
        iv.interview_calendar(interview), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="interview-{interview.pk}.ics"'
    return response


# --- my interviews ------------------------------------------------------------------


@login_required
def my_interviews(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    can_all = user.can(Capability.MOVE_APPLICATIONS)
    everyone = can_all and request.GET.get("scope") != "mine"
    past = request.GET.get("when") == "past"
    rows = iv.upcoming_interviews(user, everyone=everyone, past=past)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": [(i, iv.interview_time(i)) for i in page],
        "due": list(iv.feedback_due(user)[:20]),
        "can_all": can_all,
        "everyone": everyone,
        "past": past,
        "viewer": user,
    }
    return render(request, "jobs/interviews/mine.html", context)
