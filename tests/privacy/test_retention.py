"""The retention rule erases candidates nobody has touched for the months an
admin chose, and no one else: not the recently touched, not people in an
open pipeline, not people tagged to be kept. Off, it erases nobody."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone

from rapport.accounts.models import User
from rapport.core import schedule
from rapport.core.activity import activity_record
from rapport.core.errors import PermissionDenied
from rapport.core.models import Activity, ActivityKind
from rapport.jobs.models import JobStatus
from rapport.jobs.services import JobFields, application_create, job_create, job_set_status
from rapport.people.models import Candidate
from rapport.people.services import tag_add
from rapport.privacy.models import Erasure, ErasureReason
from rapport.privacy.retention import policy_get, policy_update, retention_apply
from rapport.sourcing.models import ImportJob

pytestmark = pytest.mark.django_db

NOW = timezone.now()
LONG_AGO = NOW - dt.timedelta(days=800)  # past 24 months
LATELY = NOW - dt.timedelta(days=30)


def _aged(candidate: Candidate, when: dt.datetime = LONG_AGO) -> Candidate:
    Candidate.objects.filter(pk=candidate.pk).update(created_at=when, updated_at=when)
    Activity.objects.filter(candidate=candidate).update(occurred_at=when)
    return candidate


@pytest.fixture
def people(make_candidate: Callable[..., Candidate], owner: User) -> dict[str, Candidate]:
    made = {
        name: _aged(make_candidate(first_name=name.capitalize()))
        for name in (
            "forgotten", "machine_only", "closed_job", "contacted", "replied",
            "in_pipeline", "kept",
        )
    }  # fmt: skip
    made["new"] = make_candidate(first_name="New")
    activity_record(  # only Rapport's own events since: still untouched
        kind=ActivityKind.CANDIDATE_UPDATED, candidate=made["machine_only"], actor=None,
        summary="Engagement recomputed", automated=True,
    )  # fmt: skip
    Candidate.objects.filter(pk=made["contacted"].pk).update(last_contacted_at=LATELY)
    activity_record(kind=ActivityKind.EMAIL_REPLIED, candidate=made["replied"], actor=None)
    Activity.objects.filter(candidate=made["replied"]).update(occurred_at=LATELY)
    open_job = job_create(actor=owner, values=JobFields(title="Open role"))
    job_set_status(actor=owner, job=open_job, status=JobStatus.OPEN)
    closed_job = job_create(actor=owner, values=JobFields(title="Closed role"))
    for job, person in ((open_job, "in_pipeline"), (closed_job, "closed_job")):
        application_create(actor=owner, job=job, candidate=made[person])
        _aged(made[person])
    job_set_status(actor=owner, job=closed_job, status=JobStatus.CLOSED)
    tag_add(actor=owner, candidates=[made["kept"]], name="keep")
    _aged(made["kept"])
    return made


def test_the_rule_erases_only_the_untouched(people: dict[str, Candidate], admin: User) -> None:
    policy_update(actor=admin, enabled=True, months=24, hold_tag="keep")

    erased = retention_apply(now=NOW)

    gone = {name for name, c in people.items() if not Candidate.objects.filter(pk=c.pk).exists()}
    assert gone == {"forgotten", "machine_only", "closed_job"}
    assert erased == 3
    records = list(Erasure.objects.all())
    assert {r.record for r in records} == {people[n].pk for n in gone}
    assert all(r.reason == ErasureReason.RETENTION and r.erased_by is None for r in records)
    assert all(not r.suppressed and "24 months" in r.note for r in records)
    policy = policy_get()
    assert policy.last_run_erased == 3 and policy.last_run_at == NOW


def test_off_it_erases_nobody_and_a_run_is_bounded(
    people: dict[str, Candidate], admin: User
) -> None:
    assert retention_apply(now=NOW) == 0
    assert Candidate.objects.count() == len(people)
    policy_update(actor=admin, enabled=True, months=24, hold_tag="keep")
    assert retention_apply(now=NOW, limit=2) == 2
    assert retention_apply(now=NOW, limit=2) == 1
    assert retention_apply(now=NOW, limit=2) == 0


def test_a_shorter_rule_reaches_the_recently_touched(
    people: dict[str, Candidate], admin: User
) -> None:
    policy_update(actor=admin, enabled=True, months=6, hold_tag="nothing-held")
    retention_apply(now=NOW + dt.timedelta(days=170))
    left = {name for name, c in people.items() if Candidate.objects.filter(pk=c.pk).exists()}
    assert left == {"in_pipeline", "new"}


def test_only_admins_set_the_rule_and_bad_values_are_refused(cast: dict[str, User]) -> None:
    for role in ("owner", "sourcer", "manager"):
        with pytest.raises(PermissionDenied):
            policy_update(actor=cast[role], enabled=True, months=24, hold_tag="keep")
    with pytest.raises(ValidationError) as refused:
        policy_update(actor=cast["admin"], enabled=True, months=3, hold_tag=" ")
    assert refused.value.message_dict == {
        "months": ["Choose between 6 and 120 months."],
        "hold_tag": ["Name the tag that keeps a candidate, such as keep."],
    }
    assert not policy_get().enabled


def test_the_page_shows_who_is_due_before_anything_is_erased(
    client: Client, cast: dict[str, User], people: dict[str, Candidate]
) -> None:
    client.force_login(cast["admin"])
    page = client.get("/settings/retention/").content.decode()
    assert "<strong>3</strong> candidates would be erased if the rule were on" in page
    assert "Forgotten" in page and "Replied" not in page
    saved = client.post(
        "/settings/retention/", {"enabled": "on", "months": "24", "hold_tag": "keep"}, follow=True
    ).content.decode()
    assert "Saved. The retention rule is on." in saved
    assert "will be erased in the next runs" in saved
    assert Candidate.objects.count() == len(people), "saving erases nobody by itself"
    for role in ("owner", "sourcer"):
        client.force_login(cast[role])
        assert client.get("/settings/retention/").status_code == 404


def test_the_worker_runs_the_rule_daily() -> None:
    periodic = schedule.REGISTRY["rapport.privacy.tasks.retention_apply"]
    assert periodic.interval == dt.timedelta(days=1)


def test_a_run_takes_the_import_files_that_hold_anyone_it_erased(
    people: dict[str, Candidate],
    admin: User,
    owner: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Kept import files are read once per run, for everyone it erased."""
    forgotten = people["forgotten"].contacts.get().value
    kept_address = people["kept"].contacts.get().value
    holds = ImportJob.objects.create(original_name="old.csv", created_by=owner)
    holds.file.save("old.csv", ContentFile(f"email\n{forgotten}\n".encode()), save=True)
    other = ImportJob.objects.create(original_name="other.csv", created_by=owner)
    other.file.save("other.csv", ContentFile(f"email\n{kept_address}\n".encode()), save=True)
    name = holds.file.name
    policy_update(actor=admin, enabled=True, months=24, hold_tag="keep")

    with django_capture_on_commit_callbacks(execute=True):
        retention_apply(now=NOW)

    holds.refresh_from_db()
    other.refresh_from_db()
    assert holds.file.name == "" and not default_storage.exists(name)
    assert other.file.name and default_storage.exists(other.file.name)
