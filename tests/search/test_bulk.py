"""Bulk actions over every match of a search, in the request or in the worker."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from rapport.accounts.models import User
from rapport.core.models import Activity
from rapport.people.models import Candidate, CandidateTag, PoolMembership
from rapport.people.services import pool_add, pool_create
from rapport.search import bulk
from rapport.search.models import BulkJob, BulkStatus
from tests.conftest import login

MakeCandidate = Callable[..., Candidate]


@pytest.fixture
def crowd(make_candidate: MakeCandidate) -> list[Candidate]:
    """60 Go people (more than a page) and 5 Java people."""
    gophers = [make_candidate(skills=["Go"]) for _ in range(60)]
    for _ in range(5):
        make_candidate(skills=["Java"])
    return gophers


def tagged(name: str) -> set[int]:
    return set(CandidateTag.objects.filter(tag__name=name).values_list("candidate_id", flat=True))


def test_tagging_all_matches_reaches_past_the_first_page(
    client: Client, owner: User, crowd: list[Candidate]
) -> None:
    login(client, owner)
    response = client.post(
        "/bulk/", {"q": "skill:go", "action": "tag", "tag": "Gopher Pool"}, follow=True
    )
    assert "Tag: 60 changed of 60 matches." in response.content.decode()
    assert tagged("gopher-pool") == {c.pk for c in crowd}
    assert Activity.objects.filter(kind="tag.added").count() == 60


def test_a_large_set_runs_in_the_worker_and_resumes_after_a_crash(
    client: Client,
    owner: User,
    crowd: list[Candidate],
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    monkeypatch.setattr(bulk, "SYNC_LIMIT", 10)
    monkeypatch.setattr(bulk, "BATCH", 25)
    pool = pool_create(actor=owner, name="Gophers")
    login(client, owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/bulk/", {"q": "skill:go", "action": "pool_add", "pool": pool.pk})
    job = BulkJob.objects.get()
    assert response["Location"] == f"/bulk/{job.pk}/"
    assert job.status == BulkStatus.QUEUED and job.total == 60
    assert DBTaskResult.objects.filter(task_path="rapport.search.tasks.bulk_task").count() == 1
    page = client.get(f"/bulk/{job.pk}/").content.decode()
    assert "0 of 60 done" in page and "Waiting for a worker" in page

    # A worker did one batch, then died: the job says where it stopped.
    first = sorted(c.pk for c in crowd)[:25]
    pool_add(actor=owner, pool=pool, candidates=list(Candidate.objects.filter(pk__in=first)))
    BulkJob.objects.filter(pk=job.pk).update(
        status=BulkStatus.RUNNING, done=25, changed=25, last_id=first[-1]
    )
    done = bulk.bulk_run(job_id=job.pk)  # the next worker
    assert done.status == BulkStatus.DONE
    assert (done.done, done.changed) == (60, 60)
    assert PoolMembership.objects.filter(pool=pool).count() == 60
    assert Activity.objects.filter(kind="pool.added").count() == 60  # nobody twice
    progress = client.get(f"/bulk/{job.pk}/progress/").content.decode()
    assert "60 of 60 done" in progress and "Add to pool: 60 changed of 60 matches." in progress
    assert "hx-trigger" not in progress  # finished: the page stops asking


def test_an_export_is_a_csv_of_every_match_with_formulas_defused(
    client: Client, owner: User, teammate: User, make_candidate: MakeCandidate
) -> None:
    make_candidate(first_name='=HYPERLINK("http://x")', last_name="Evil", skills=["Go"])
    make_candidate(first_name="Ana", skills=["Go"], current_title="-Lead")
    make_candidate(first_name="Bob", skills=["Java"])
    login(client, owner)
    response = client.post("/bulk/", {"q": "skill:go", "action": "export"})
    job = BulkJob.objects.get()
    assert response["Location"] == f"/bulk/{job.pk}/"
    page = client.get(f"/bulk/{job.pk}/").content.decode()
    assert f"/bulk/{job.pk}/download/" in page
    download = client.get(f"/bulk/{job.pk}/download/")
    assert download["Content-Disposition"].startswith('attachment; filename="candidates-')
    text = b"".join(download.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sorted(r["last_name"] for r in rows) == ["Evil", "Example"]
    evil = next(r for r in rows if r["last_name"] == "Evil")
    assert evil["first_name"] == '\'=HYPERLINK("http://x")'
    ana = next(r for r in rows if r["first_name"] == "Ana")
    assert ana["title"] == "'-Lead" and ana["skills"] == "Go"
    login(client, teammate)
    assert client.get(f"/bulk/{job.pk}/download/").status_code == 404
    assert client.get(f"/bulk/{job.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("role", "action", "says"),
    [
        ("manager", "tag", "Your role (Hiring manager) may not do this."),
        ("manager", "export", "Your role (Hiring manager) may not do this."),
        ("owner", "tag", "Name the tag, e.g. relocation-ok."),
        ("owner", "shred", "“shred” is not a bulk action."),
    ],
)
def test_a_bulk_action_that_may_not_run_changes_nothing(
    client: Client,
    cast: dict[str, User],
    crowd: list[Candidate],
    role: str,
    action: str,
    says: str,
) -> None:
    login(client, cast[role])
    response = client.post("/bulk/", {"q": "skill:go", "action": action}, follow=True)
    assert says in response.content.decode()
    assert not CandidateTag.objects.exists()
    assert not BulkJob.objects.exists()


def test_a_broken_query_is_refused_before_anything_runs(
    client: Client, owner: User, crowd: list[Candidate]
) -> None:
    login(client, owner)
    response = client.post("/bulk/", {"q": "skill:(go", "action": "tag", "tag": "x"}, follow=True)
    assert "The search cannot run: This parenthesis is never closed" in response.content.decode()
    assert not CandidateTag.objects.exists()


def test_the_page_acts_on_what_it_lists_filters_included(
    client: Client, owner: User, crowd: list[Candidate]
) -> None:
    pool = pool_create(actor=owner, name="Senior Go")
    pool_add(actor=owner, pool=pool, candidates=crowd[:3])
    login(client, owner)
    page = client.get("/candidates/", {"q": "skill:go", "pool": pool.pk}).content.decode()
    assert 'name="q" value="skill:go pool:&quot;Senior Go&quot;"' in page
    assert "Act on all 3 matches" in page
