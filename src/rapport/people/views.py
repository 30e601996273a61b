"""Pages of the talent pool. Thin: objects come from selectors, changes go
through services, and a service's error goes back to the form that caused it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from rapport.accounts.models import Capability, Role, User
from rapport.core.errors import DuplicateContact, PermissionDenied
from rapport.core.geo import timezones
from rapport.core.http import acting_user, id_or_none
from rapport.core.models import ActivityKind
from rapport.people import selectors, services
from rapport.people.forms import (
    CandidateForm,
    ContactForm,
    CustomFieldForm,
    NoteForm,
    PoolForm,
    apply_errors,
    initial_for,
    split_list,
)
from rapport.people.models import Candidate, CustomField, Skill

PAGE_SIZE = 50
TIMELINE_PAGE = 30


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    """Return to the page the form was on, when it is one of ours."""
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/") and not target.startswith("//") else fallback)


def _refused(request: HttpRequest, exc: Exception) -> None:
    messages.error(request, str(exc))


def _vocabulary_context() -> dict[str, Any]:
    return {
        "skill_names": Skill.objects.order_by("name").values_list("name", flat=True),
        "timezone_names": timezones(),
    }


# --- candidates ---------------------------------------------------------------


@login_required
@require_POST
def candidate_bulk(request: HttpRequest) -> HttpResponse:
    """Tag, pool or assign the candidates ticked on the list page."""
    user = acting_user(request)
    ids = [i for i in (id_or_none(v) for v in request.POST.getlist("ids")) if i is not None]
    chosen = list(selectors.candidates_visible(user).filter(pk__in=ids))
    action = request.POST.get("action", "")
    if not chosen:
        messages.error(request, "Tick at least one candidate first.")
        return _back(request, reverse("candidate_list"))
    try:
        if action == "tag":
            name = request.POST.get("tag", "")
            done = services.tag_add(actor=user, candidates=chosen, name=name)
            messages.success(
                request,
                f"Tagged {done} of {len(chosen)} with “{services.tag_get_or_create(name=name).name}”.",
            )
        elif action == "pool":
            pool = selectors.pool_get(user, request.POST.get("pool", ""))
            done = services.pool_add(actor=user, pool=pool, candidates=chosen)
            messages.success(request, f"Added {done} of {len(chosen)} to {pool.name}.")
        elif action == "owner":
            owner_id = id_or_none(request.POST.get("owner"))
            owner = User.objects.filter(pk=owner_id, is_active=True).first() if owner_id else None
            if request.POST.get("owner") and owner is None:
                raise ValidationError("That owner is not an active user.")
            done = services.owner_assign(actor=user, candidates=chosen, owner=owner)
            messages.success(request, f"Changed the owner of {done} candidates.")
        else:
            messages.error(request, "Choose what to do with the selected candidates.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        _refused(request, exc)
    return _back(request, reverse("candidate_list"))


@login_required
def candidate_create(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if not user.can(Capability.EDIT_CANDIDATES):
        messages.error(request, "Your role may not add candidates.")
        return redirect("candidate_list")
    form = CandidateForm(request.POST or None, initial={"owner": user.pk})
    duplicate = None
    if request.method == "POST" and form.is_valid():
        try:
            candidate = services.candidate_create(
                actor=user,
                data=form.candidate_fields(),
                emails=split_list(form.cleaned_data["emails"]),
                phones=split_list(form.cleaned_data["phones"]),
                skills=form.skill_inputs(),
                tags=split_list(form.cleaned_data["tags"]),
                owner=form.cleaned_data["owner"],
            )
        except DuplicateContact as exc:
            duplicate = exc
            apply_errors(form, exc)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"{candidate.full_name} is in your talent pool.")
            return redirect("candidate_detail", pk=candidate.pk)
    return render(
        request,
        "people/candidate_form.html",
        {"form": form, "duplicate": duplicate, "creating": True, **_vocabulary_context()},
    )


@login_required
def candidate_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    candidate = selectors.candidate_get_full(user, pk)
    if not user.can(Capability.EDIT_CANDIDATES):
        messages.error(request, "Your role may not edit candidates.")
        return redirect("candidate_detail", pk=pk)
    form = CandidateForm(request.POST or None, initial=initial_for(candidate), editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.candidate_update(
                    actor=user,
                    candidate=candidate,
                    data=form.candidate_fields(),
                    skills=form.skill_inputs(),
                )
                new_owner = form.cleaned_data["owner"]
                if (new_owner.pk if new_owner else None) != candidate.owner_id:
                    services.owner_assign(actor=user, candidates=[candidate], owner=new_owner)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Profile saved.")
            return redirect("candidate_detail", pk=candidate.pk)
    return render(
        request,
        "people/candidate_form.html",
        {"form": form, "candidate": candidate, "creating": False, **_vocabulary_context()},
    )


@login_required
@require_POST
def candidate_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    candidate = selectors.candidate_get(user, pk)
    try:
        services.candidate_delete(actor=user, candidate=candidate)
    except PermissionDenied as exc:
        _refused(request, exc)
        return redirect("candidate_detail", pk=pk)
    messages.success(request, f"{candidate.full_name} was deleted.")
    return redirect("candidate_list")


@login_required
def candidate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    try:
        candidate = selectors.candidate_get_full(user, pk)
    except Http404:
        # An old link to someone merged into another record leads there.
        moved = selectors.candidate_forwarded(user, int(pk))
        if moved is None:
            raise
        messages.info(request, f"That record was merged into {moved.full_name}'s.")
        return redirect("candidate_detail", pk=moved.pk)
    context = {
        "candidate": candidate,
        "note_form": NoteForm(),
        "custom_values": [
            (f.label, candidate.custom_fields[f.key])
            for f in CustomField.objects.all()
            if f.key in candidate.custom_fields
        ],
        "contact_form": ContactForm(),
        "emails": candidate.shown.emails,
        "phones": candidate.shown.phones,
        "pools_available": selectors.pools_visible(user)
        .exclude(memberships__candidate=candidate)
        .only("pk", "name"),
        "managers": User.objects.filter(role=Role.HIRING_MANAGER, is_active=True).exclude(
            shared_candidates__candidate=candidate
        )
        if user.can(Capability.SHARE_CANDIDATES)
        else [],
        **_timeline_context(request, user, candidate),
    }
    partial = getattr(request, "htmx", False) and request.GET.get("partial") == "timeline"
    template = "people/_timeline.html" if partial else "people/candidate_detail.html"
    return render(request, template, context)


def _timeline_context(request: HttpRequest, user: User, candidate: Candidate) -> dict[str, Any]:
    kind = request.GET.get("kind", "")
    kinds = [kind] if kind else []
    events = Paginator(selectors.timeline(user, candidate, kinds=kinds), TIMELINE_PAGE).get_page(
        request.GET.get("tpage")
    )
    note_ids = [e.target_id for e in events if e.kind == ActivityKind.NOTE_ADDED and e.target_id]
    notes = {n.pk: n for n in selectors.notes_visible(user, candidate).filter(pk__in=note_ids)}
    for event in events:
        event.note = notes.get(event.target_id) if event.kind == ActivityKind.NOTE_ADDED else None  # type: ignore[attr-defined,arg-type]
    labels = dict(ActivityKind.choices)
    return {
        "events": events,
        "kind": kind,
        "kind_filters": [(k, labels.get(k, k)) for k in selectors.timeline_kinds(user, candidate)],
    }


@login_required
@require_POST
def note_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    candidate = selectors.candidate_get(user, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.note_add(
                actor=user,
                candidate=candidate,
                body=form.cleaned_data["body"],
                confidential=form.cleaned_data["confidential"],
            )
            messages.success(request, "Note added.")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except PermissionDenied as exc:
            _refused(request, exc)
    else:
        messages.error(request, "Write something first: the note is empty.")
    return redirect("candidate_detail", pk=pk)


@login_required
@require_POST
def candidate_tag_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    candidate = selectors.candidate_get(user, pk)
    names = split_list(request.POST.get("tag", ""))
    try:
        for name in names:
            services.tag_add(actor=user, candidates=[candidate], name=name)
        if not names:
            messages.error(request, "Type a tag first.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        _refused(request, exc)
    return redirect("candidate_detail", pk=pk)


@login_required
@require_POST
def candidate_tag_remove(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    user = acting_user(request)
    candidate = selectors.candidate_get(user, pk)
    tag = selectors.candidate_tag_get(candidate, name)
    try:
        services.tag_remove(actor=user, candidates=[candidate], tag=tag)
    except PermissionDenied as exc:
        _refused(request, exc)
    return redirect("candidate_detail", pk=pk)


@login_required
@require_POST
def candidate_pool_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    candidate = selectors.candidate_get(user, pk)
    pool = selectors.pool_get(user, request.POST.get("pool", ""))
    try:
        services.pool_add(actor=user, pool=pool, candidates=[candidate])
        messages.success(request, f"Added to {pool.name}.")
    except PermissionDenied as exc:
        _refused(request, exc)
    return _back(request, reverse("candidate_detail", args=[pk]))


@login_required
@require_POST
def candidate_pool_remove(request: HttpRequest, pk: int, pool_pk: int) -> HttpResponse:
    user = acting_user(request)
    candidate = selectors.candidate_get(user, pk)
    pool = selectors.pool_get(user, pool_pk)
    try:
        services.pool_remove(actor=user, pool=pool, candidates=[candidate])
        messages.success(request, f"Removed from {pool.name}.")
    except PermissionDenied as exc:
        _refused(request, exc)
    return _back(request, reverse("candidate_detail", args=[pk]))


@login_required
@require_POST
def contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    candidate = selectors.candidate_get(user, pk)
    form = ContactForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose email or phone and type the address or number.")
        return redirect("candidate_detail", pk=pk)
    try:
        services.contact_add(actor=user, candidate=candidate, **form.cleaned_data)
        messages.success(request, "Contact added.")
    except DuplicateContact as exc:
        url = reverse("candidate_detail", args=[exc.candidate_id])
        messages.error(
            request,
            format_html(
                '{} already belongs to <a href="{}">{}</a>.', exc.value, url, exc.candidate_name
            ),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        _refused(request, exc)
    return redirect("candidate_detail", pk=pk)


@login_required
@require_POST
def contact_remove(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    user = acting_user(request)
    contact = selectors.contact_get(user, contact_pk, candidate=pk)
    try:
        services.contact_remove(actor=user, contact=contact)
    except PermissionDenied as exc:
        _refused(request, exc)
    return redirect("candidate_detail", pk=contact.candidate_id)


@login_required
@require_POST
def contact_primary(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    user = acting_user(request)
    contact = selectors.contact_get(user, contact_pk, candidate=pk)
    try:
        services.contact_make_primary(actor=user, contact=contact)
    except PermissionDenied as exc:
        _refused(request, exc)
    return redirect("candidate_detail", pk=contact.candidate_id)


@login_required
@require_POST
def candidate_share(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    candidate = selectors.candidate_get(user, pk)
    target_id = id_or_none(request.POST.get("user"))
    target = User.objects.filter(pk=target_id, is_active=True).first() if target_id else None
    if target is None:
        messages.error(request, "Choose who to share with.")
        return redirect("candidate_detail", pk=pk)
    try:
        services.candidate_share(actor=user, candidate=candidate, user=target)
        messages.success(request, f"Shared with {target.display_name}.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        _refused(request, exc)
    return redirect("candidate_detail", pk=pk)


# --- pools and tags -----------------------------------------------------------


@login_required
def pool_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if not user.can(Capability.SEE_ALL_CANDIDATES):
        return render(request, "web/404.html", status=404)
    form = PoolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pool = services.pool_create(actor=user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            _refused(request, exc)
        else:
            messages.success(request, f"Pool “{pool.name}” created.")
            return redirect("pool_detail", pk=pool.pk)
    return render(
        request, "people/pool_list.html", {"pools": selectors.pool_list(user), "form": form}
    )


@login_required
def pool_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    pool = selectors.pool_get(user, pk)
    form = PoolForm(
        request.POST or None, initial={"name": pool.name, "description": pool.description}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.pool_update(actor=user, pool=pool, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            _refused(request, exc)
        else:
            messages.success(request, "Pool saved.")
            return redirect("pool_detail", pk=pool.pk)
    page = Paginator(selectors.pool_members(user, pool), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    selectors.attach_shown(
        user,
        [m.candidate for m in page.object_list],
        contacts=False,
        pools=False,
        skills_by_level=True,
    )
    return render(request, "people/pool_detail.html", {"pool": pool, "page": page, "form": form})


@login_required
def tag_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if not user.can(Capability.SEE_ALL_CANDIDATES):
        return render(request, "web/404.html", status=404)
    return render(request, "people/tag_list.html", {"tags": selectors.tag_counts(user)})


# --- settings -------------------------------------------------------------------


@login_required
def settings_fields(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if not user.can(Capability.MANAGE_SETTINGS):
        return render(request, "web/404.html", status=404)
    form = CustomFieldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            field = services.custom_field_create(
                actor=user,
                label=data["label"],
                field_type=data["field_type"],
                choices=split_list(data["choices"]),
                help_text=data["help_text"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Every profile now has “{field.label}”.")
            return redirect("settings_fields")
    return render(
        request, "people/settings_fields.html", {"form": form, "fields": CustomField.objects.all()}
    )


@login_required
@require_POST
def custom_field_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    if not user.can(Capability.MANAGE_SETTINGS):
        return render(request, "web/404.html", status=404)
    field = CustomField.objects.filter(pk=pk).first()
    if field is not None:
        services.custom_field_delete(actor=user, field=field)
        messages.success(request, f"“{field.label}” removed.")
    return redirect("settings_fields")
