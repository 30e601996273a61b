"""The import pages: upload → mapping and preview → progress → report."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render

from rapport.accounts.models import Capability
from rapport.core.errors import PermissionDenied
from rapport.core.http import acting_user
from rapport.people import selectors as people_selectors
from rapport.people.forms import apply_errors
from rapport.sourcing import imports
from rapport.sourcing.forms import MappingForm, UploadForm
from rapport.sourcing.import_mapping import Mapping
from rapport.sourcing.models import ImportJob, ImportStatus, RowOutcome

REPORT_PAGE = 50


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if not user.can(Capability.EDIT_CANDIDATES):
        raise Http404("No such page.")
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = imports.import_create(actor=user, upload=upload, name=upload.name)
        except ValidationError as exc:
            form.add_error("file", exc.messages)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("import_detail", pk=job.pk)
    jobs = imports.imports_recent(user)
    return render(request, "sourcing/import_list.html", {"form": form, "jobs": jobs})


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    job = imports.import_get(user, pk)
    if job.status == ImportStatus.PREVIEW:
        return _mapping(request, job)
    return _report(request, job)


def _mapping(request: HttpRequest, job: ImportJob) -> HttpResponse:
    header = list(job.options.get("header", []))
    columns = dict(job.columns)
    form = MappingForm(request.POST or None, header=header, columns=columns)
    action = request.POST.get("action", "")
    if request.method == "POST" and form.is_valid():
        saved = form.cleaned_data["saved"]
        if action == "load" and saved is not None:
            columns = {c: saved.columns.get(c, "") for c in header}
            form = MappingForm(header=header, columns=columns)
        else:
            columns = form.columns()
            try:
                _act(request, job, form, action, columns)
            except (ValidationError, PermissionDenied) as exc:
                _errors(form, exc)
            else:
                if action == "run":
                    return redirect("import_detail", pk=job.pk)
    mapping = Mapping.of(columns)
    preview = imports.import_preview(job=job, mapping=mapping)
    pools = people_selectors.pools_visible(acting_user(request))
    return render(
        request,
        "sourcing/import_mapping.html",
        {"job": job, "form": form, "preview": preview, "columns": columns, "pools": pools},
    )


def _act(
    request: HttpRequest, job: ImportJob, form: MappingForm, action: str, columns: dict[str, str]
) -> None:
    user = acting_user(request)
    mapping = Mapping.of(columns)
    data = form.cleaned_data
    if action == "save":
        saved = imports.mapping_save(actor=user, name=data["save_as"], mapping=mapping)
        messages.success(request, f"Mapping “{saved.name}” saved.")
    elif action == "run":
        if data["save_as"].strip():
            imports.mapping_save(actor=user, name=data["save_as"], mapping=mapping)
        options = imports.Options(
            pool=data["pool"],
            tag=data["tag"],
            source=data["source"],
            replace=data["replace"],
            dry_run=data["dry_run"],
        )
        imports.import_start(actor=user, job=job, mapping=mapping, options=options)


def _errors(form: MappingForm, exc: Exception) -> None:
    if isinstance(exc, PermissionDenied):
        form.add_error(None, str(exc))
        return
    assert isinstance(exc, ValidationError)
    if hasattr(exc, "error_dict"):
        for name, messages_ in exc.message_dict.items():
            target = {"name": "save_as", "columns": None}.get(name, name)
            form.add_error(target if target in form.fields else None, messages_)
    else:
        apply_errors(form, exc)


def _report(request: HttpRequest, job: ImportJob) -> HttpResponse:
    outcome = request.GET.get("outcome", "")
    if outcome not in RowOutcome.values:
        outcome = ""
    rows = imports.report_rows(job, outcome=outcome)
    page = Paginator(rows, REPORT_PAGE).get_page(request.GET.get("page"))
    imports.attach_reviews(job, page.object_list)
    return render(
        request,
        "sourcing/import_report.html",
        {"job": job, "page": page, "outcome": outcome, "outcomes": RowOutcome.choices},
    )


@login_required
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    job = imports.import_get(acting_user(request), pk)
    response = render(request, "sourcing/import_progress.html", {"job": job})
    if job.status in (ImportStatus.DONE, ImportStatus.FAILED) and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"  # the page becomes the report
    return response


@login_required
def import_report(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    job = imports.import_get(acting_user(request), pk)
    if job.status != ImportStatus.DONE:
        raise Http404("The report is ready when the import is done.")
    stem = job.original_name.rsplit(".", 1)[0][:60] or "import"
    response = StreamingHttpResponse(
        imports.report_lines(job), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="report-{job.pk}-{_safe(stem)}.csv"'
    return response


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in name)
