"""Résumé pages: the Résumés card of a candidate's page (loaded by htmx),
upload, download, the confirmation of what was read, and the bulk upload.
Thin: objects come from selectors, changes go through resume_services, and
a service's error becomes a message that says what to do."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import TooManyFilesSent, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from rapport.accounts.models import Capability
from rapport.core.contacts import display_phone
from rapport.core.errors import PermissionDenied
from rapport.core.http import acting_user
from rapport.people import selectors as people
from rapport.people.models import Candidate
from rapport.sourcing import resume_services as services
from rapport.sourcing.models import Resume, ResumeStatus
from rapport.sourcing.resume_extract import confidence_label
from rapport.sourcing.resume_selectors import resume_get, resumes_of


def _refused(request: HttpRequest, exc: Exception) -> None:
    text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    messages.error(request, text)


@login_required
def candidate_resumes(request: HttpRequest, pk: int) -> HttpResponse:
    """The Résumés card of a candidate's page."""
    user = acting_user(request)
    candidate = people.candidate_get(user, pk)
    context = {
        "candidate": candidate,
        "resumes": resumes_of(candidate),
        "can_edit": user.can(Capability.EDIT_CANDIDATES),
    }
    return render(request, "sourcing/resume_card.html", context)


@login_required
@require_POST
def resume_upload(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    candidate = people.candidate_get(user, pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "Choose a PDF or DOCX résumé to upload first.")
        return redirect("candidate_detail", pk=pk)
    try:
        resume = services.resume_upload(actor=user, candidate=candidate, file=upload)
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
        return redirect("candidate_detail", pk=pk)
    if resume.status == ResumeStatus.FAILED:
        messages.warning(request, f"{resume.original_name} was kept, but: {resume.error}")
        return redirect("candidate_detail", pk=pk)
    if resume.already_stored:  # type: ignore[attr-defined]
        messages.info(
            request,
            f"This file was already uploaded on {resume.created_at:%d %b %Y} as "
            f"{resume.original_name}.",
        )
        if resume.status == ResumeStatus.CONFIRMED:
            return redirect("candidate_detail", pk=pk)
    return redirect("resume_confirm", pk=resume.pk)


@login_required
def resume_download(request: HttpRequest, pk: int) -> FileResponse:
    """The file as it was uploaded, always as an attachment: a browser never
    renders it in Rapport's origin, and never guesses another type."""
    return services.resume_attachment(resume_get(acting_user(request), pk))


@login_required
@require_POST
def resume_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    resume = resume_get(user, pk)
    candidate_id = resume.candidate_id
    try:
        services.resume_delete(actor=user, resume=resume)
        messages.success(request, f"Removed the résumé {resume.original_name}.")
    except PermissionDenied as exc:
        _refused(request, exc)
    return redirect("candidate_detail", pk=candidate_id)


# --- confirmation

LABELS = {
    "name": "Name",
    "current_title": "Current title",
    "current_company": "Current company",
    "years_experience": "Years of experience",
    "linkedin_url": "LinkedIn",
    "github_url": "GitHub",
    "portfolio_url": "Portfolio",
    "emails": "Emails",
    "phones": "Phones",
    "skills": "Skills",
    "education": "Education",
}


@dataclass
class Item:
    value: str  # what the form sends back
    shown: str
    confidence: float
    present: bool  # already on the profile
    checked: bool
    line: str = ""

    @property
    def level(self) -> str:
        return confidence_label(self.confidence)


@dataclass
class Row:
    """One finding on the confirmation form, beside the profile's value."""

    key: str
    label: str
    confidence: float
    current: str
    value: str = ""
    first_name: str = ""
    last_name: str = ""
    checked: bool = False
    line: str = ""
    items: list[Item] = field(default_factory=list)

    @property
    def level(self) -> str:
        return confidence_label(self.confidence)


def _rows(resume: Resume, candidate: Candidate) -> list[Row]:
    found = resume.extracted
    rows: list[Row] = []
    if name := found.get("name"):
        first, last = name["value"]["first_name"], name["value"]["last_name"]
        rows.append(
            Row(
                "name",
                LABELS["name"],
                name["confidence"],
                candidate.full_name,
                first_name=first,
                last_name=last,
                checked=False,  # the profile already has a name: change it only on purpose
                line=name.get("line", ""),
            )
        )
    for key in services.PROFILE_FIELDS:
        if entry := found.get(key):
            current = getattr(candidate, key)
            value = entry["value"]
            rows.append(
                Row(
                    key,
                    LABELS[key],
                    entry["confidence"],
                    "" if current is None else str(current),
                    value=str(value),
                    checked=current in (None, "") and entry["confidence"] >= 0.8,
                    line=entry.get("line", ""),
                )
            )
    contacts = {c.value for c in candidate.contacts.all()}
    skills = {s.lower() for s in candidate.skills.values_list("name", flat=True)}
    for key in services.LIST_FIELDS:
        entry = found.get(key)
        if not entry:
            continue
        row = Row(key, LABELS[key], entry["confidence"], "")
        for position, item in enumerate(entry["value"]):
            value, shown, present = _item(key, item["value"], position, contacts, skills)
            row.items.append(
                Item(
                    value,
                    shown,
                    item["confidence"],
                    present,
                    checked=not present and item["confidence"] >= 0.8,
                    line=item.get("line", ""),
                )
            )
        rows.append(row)
    return rows


def _item(
    key: str, value: Any, position: int, contacts: set[str], skills: set[str]
) -> tuple[str, str, bool]:
    if key == "education":
        shown = ", ".join(str(value[k]) for k in ("degree", "school", "year") if value.get(k))
        return str(position), shown, False
    if key == "phones":
        return value, display_phone(value), value in contacts
    if key == "skills":
        return value, value, value.lower() in skills
    return value, value, value in contacts


def _accepted(request: HttpRequest) -> dict[str, Any]:
    """What the form's ticks say was accepted, as resume_confirm takes it."""
    post = request.POST
    fields: dict[str, Any] = {}
    if post.get("accept_name"):
        fields["name"] = {
            "first_name": post.get("first_name", ""),
            "last_name": post.get("last_name", ""),
        }
    for key in services.PROFILE_FIELDS:
        if post.get(f"accept_{key}"):
            fields[key] = post.get(f"value_{key}", "")
    for key in services.LIST_FIELDS:
        if values := post.getlist(key):
            fields[key] = values
    return fields


@login_required
def resume_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    resume = resume_get(user, pk)
    candidate = people.candidate_get(user, resume.candidate_id or 0)
    can_edit = user.can(Capability.EDIT_CANDIDATES)
    if request.method == "POST":
        if not can_edit:
            messages.error(request, "Your role may not change candidates' profiles.")
            return redirect("candidate_detail", pk=candidate.pk)
        try:
            changed = services.resume_confirm(actor=user, resume=resume, fields=_accepted(request))
        except (ValidationError, PermissionDenied) as exc:
            _refused(request, exc)
        else:
            if changed:
                messages.success(request, f"Saved to the profile: {', '.join(changed)}.")
            else:
                messages.success(request, "Marked as checked; nothing on the profile changed.")
            return redirect("candidate_detail", pk=candidate.pk)
    rows = _rows(resume, candidate)
    return render(
        request,
        "sourcing/resume_confirm.html",
        {"resume": resume, "candidate": candidate, "rows": rows, "can_edit": can_edit},
    )


# --- bulk upload


@login_required
def resumes_bulk(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if not user.can(Capability.EDIT_CANDIDATES):
        messages.error(request, "Your role may not add candidates.")
        return redirect("candidate_list")
    report = None
    if request.method == "POST":
        try:
            uploads = request.FILES.getlist("files")
        except TooManyFilesSent:
            messages.error(request, "Too many files in one upload: put them in a zip instead.")
            return redirect("resumes_bulk")
        if not uploads:
            messages.error(request, "Choose résumés (PDF or DOCX) or a zip of them first.")
        else:
            report = services.resumes_bulk(actor=user, files_or_zip=uploads)
    return render(
        request,
        "sourcing/resume_bulk.html",
        {
            "report": report,
            "max_files": services.BULK_MAX_FILES,
            "max_zip": services.ZIP_MAX_BYTES // (1024 * 1024),
            "max_file": services.resumes.MAX_BYTES // (1024 * 1024),
        },
    )
