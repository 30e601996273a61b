"""The import pages: upload, mapping and preview, progress, report."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from rapport.accounts.models import User
from rapport.people.models import Candidate
from rapport.sourcing.imports import import_run
from rapport.sourcing.models import ColumnMapping, ImportJob, ImportStatus
from tests.conftest import login

pytestmark = pytest.mark.django_db

FILES = Path(__file__).resolve().parent / "files"


def upload(client: Client, name: str = "linkedin.csv") -> Any:
    data = (FILES / name).read_bytes()
    return client.post("/imports/", {"file": SimpleUploadedFile(name, data)})


def mapping_post(job: ImportJob, action: str, **extra: Any) -> dict[str, Any]:
    data = {f"col_{i}": job.columns.get(c, "") for i, c in enumerate(job.options["header"])}
    return {**data, "action": action, **extra}


def test_a_recruiter_uploads_maps_runs_and_reads_the_report(
    client: Client, owner: User, django_capture_on_commit_callbacks: Any
) -> None:
    login(client, owner)
    page = client.get("/candidates/")
    assert 'href="/imports/">Import</a>' in page.content.decode()
    response = upload(client)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/imports/{job.pk}/"
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert "Map the columns" in page
    assert '<option value="email" selected>Email</option>' in page  # Email Address → email
    assert "Email: “not-an-email” is not an email address." in page
    assert "5 can be imported" in page

    # Skip the skills column, save the mapping, run with a tag.
    header = job.options["header"]
    data = mapping_post(job, "save", save_as="LinkedIn Recruiter")
    data[f"col_{header.index('Skills')}"] = ""
    response = client.post(f"/imports/{job.pk}/", data)
    assert ColumnMapping.objects.get().columns["Skills"] == ""
    data.update(action="run", tag="Spring fair", save_as="")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(f"/imports/{job.pk}/", data)
    assert response.status_code == 302
    assert len(callbacks) == 1  # the task is queued after the commit
    job.refresh_from_db()
    assert job.status == ImportStatus.QUEUED and job.columns["Skills"] == ""
    progress = client.get(f"/imports/{job.pk}/progress/").content.decode()
    assert "waiting for a worker" in progress and 'hx-trigger="every 1s"' in progress

    import_run(job_id=job.pk)
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert "<strong>3</strong> created" in page
    assert "<strong>4</strong> rejected" in page
    assert "Looks like Maria Souza" in page and "Review the pair" in page
    assert not Candidate.objects.filter(skills__isnull=False).exists()
    assert Candidate.objects.filter(tags__name="spring-fair").count() == 4
    rejected = client.get(f"/imports/{job.pk}/?outcome=rejected").content.decode()
    assert rejected.count('class="badge outcome-rejected"') == 4

    report = client.get(f"/imports/{job.pk}/report.csv")
    assert report["Content-Disposition"] == f'attachment; filename="report-{job.pk}-linkedin.csv"'
    lines = list(csv.reader(io.StringIO(b"".join(report.streaming_content).decode())))
    assert [line[1] for line in lines[1:]] == [
        "Rejected", "Rejected", "Rejected", "Rejected", "Possible duplicate", "Unchanged"
    ]  # fmt: skip


def test_a_saved_mapping_is_suggested_for_the_same_columns(client: Client, owner: User) -> None:
    login(client, owner)
    upload(client)
    job = ImportJob.objects.get()
    data = mapping_post(job, "save", save_as="Fair list")
    data[f"col_{job.options['header'].index('Headline')}"] = "current_title"
    data[f"col_{job.options['header'].index('Current Title')}"] = ""
    client.post(f"/imports/{job.pk}/", data)
    upload(client)
    second = ImportJob.objects.order_by("-pk").first()
    assert second is not None
    assert second.columns["Headline"] == "current_title"
    assert second.columns["Current Title"] == ""


def test_a_mapping_without_a_name_column_cannot_run(client: Client, owner: User) -> None:
    login(client, owner)
    upload(client)
    job = ImportJob.objects.get()
    data = mapping_post(job, "run")
    data["col_0"] = data["col_1"] = ""
    page = client.post(f"/imports/{job.pk}/", data).content.decode()
    assert "Map a column to First name or to Full name" in page
    job.refresh_from_db()
    assert job.status == ImportStatus.PREVIEW


def test_an_unreadable_file_is_refused_on_the_upload_page(client: Client, owner: User) -> None:
    login(client, owner)
    page = upload(client, "old-excel.xls").content.decode()
    assert "This is an old Excel file (.xls)" in page
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("who", ["owner", "teammate", "sourcer", "admin", "manager", "outsider"])
def test_only_people_who_may_add_candidates_see_imports(
    client: Client, cast: dict[str, User], who: str
) -> None:
    login(client, cast["owner"])
    upload(client)
    job = ImportJob.objects.get()
    login(client, cast[who])
    allowed = who not in ("manager", "outsider")
    for url in ("/imports/", f"/imports/{job.pk}/", f"/imports/{job.pk}/progress/"):
        assert client.get(url).status_code == (200 if allowed else 404), url
    if not allowed:
        assert upload(client).status_code == 404
        assert ImportJob.objects.count() == 1
