"""Stage automations: the email a stage sends (at once, after a wait, held for
review), the sending policy a rejection follows, the recruiter's task, and the
pages that set them up and review what they hold."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rapport.accounts.models import User
from rapport.core.errors import PermissionDenied
from rapport.core.models import Notification
from rapport.engagement.models import Task
from rapport.jobs.automations import (
    AutomationFields,
    automation_remove,
    automation_set,
    automations_due,
    automations_process,
    review_send,
    review_skip,
    run_process,
)
from rapport.jobs.models import Application, AutomationRun, Job, StageAutomation
from rapport.jobs.services import Move, application_create, application_move
from rapport.outreach.models import Message, MessageKind, MessageStatus, Template
from rapport.outreach.services import suppression_add, template_create, unsubscribe
from rapport.people.models import Candidate
from tests.conftest import login

pytestmark = pytest.mark.django_db

INVITATION_SUBJECT = "{{ candidate.first_name }}, next step for {{ job.title }}"
INVITATION_BODY = (
    "Hi {{ candidate.first_name }},\n\nThanks for your time so far. We would like to invite "
    "you to interview for **{{ job.title }}** in {{ job.department }}.\n\n{{ sender.name }}"
)


@pytest.fixture
def invitation(owner: User) -> Template:
    return template_create(
        actor=owner, name="Interview invitation", subject=INVITATION_SUBJECT,
        body=INVITATION_BODY, kind=MessageKind.TRANSACTIONAL,
    )  # fmt: skip


@pytest.fixture
def rejection(owner: User) -> Template:
    return template_create(
        actor=owner, name="Rejection with feedback",
        subject="About {{ job.title }}",
        body="Dear {{ candidate.first_name }},\n\nThank you for applying to {{ job.title }}.",
    )  # fmt: skip


@pytest.fixture
def application(job: Job, candidate: Candidate, owner: User) -> Application:
    return application_create(actor=owner, job=job, candidate=candidate)


Automate = Callable[..., StageAutomation]


@pytest.fixture
def automate(owner: User, stage: Any) -> Automate:
    def make(stage_name: str, **values: Any) -> StageAutomation:
        return automation_set(
            actor=owner, stage=stage(stage_name), values=AutomationFields(**values)
        )

    return make


def move(actor: User, application: Application, stage: Any, name: str, **why: str) -> Application:
    return application_move(actor=actor, application=application, move=Move(stage(name), **why))


def only_run(application: Application) -> AutomationRun:
    run = AutomationRun.objects.get(application=application)
    return run


def later(hours: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=hours)


# --- sending


def test_a_move_into_an_automated_stage_sends_the_template_through_the_outbox(
    automate: Automate, invitation: Template, application: Application, owner: User,
    stage: Any, django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    automate("Interview", template=invitation)
    with django_capture_on_commit_callbacks(execute=True):
        move(owner, application, stage, "Interview")
    run = only_run(application)
    # Due at once: a worker is asked to carry it out as soon as the move commits.
    assert DBTaskResult.objects.filter(
        task_path="rapport.jobs.automations.automation_run", args_kwargs__kwargs__run_id=run.pk
    ).exists()
    assert run_process(run_id=run.pk) == "sent"
    run.refresh_from_db()
    message = Message.objects.get()
    assert run.message == message and run.status == "sent" and run.finished_at is not None
    assert message.subject == "Maria, next step for Senior Backend Engineer"
    assert "Hi Maria," in message.body_text
    assert "<strong>Senior Backend Engineer</strong> in Engineering" in message.body_html
    assert "Rita Recruiter" in message.body_text
    assert message.to_email == "maria.souza@example.org" and message.from_email == owner.email
    assert message.kind == MessageKind.TRANSACTIONAL and message.status == MessageStatus.QUEUED
    assert message.key == f"a{run.pk}" and message.author is None


def test_processing_a_run_twice_writes_one_message(
    automate: Automate, invitation: Template, application: Application, owner: User, stage: Any
) -> None:
    automate("Interview", template=invitation)
    move(owner, application, stage, "Interview")
    assert automations_process().sent == 1
    assert automations_process().sent == 0
    run = only_run(application)
    assert run_process(run_id=run.pk) is None
    # Even a run read as waiting a second time (a worker that lost track of
    # its first attempt) writes nothing new: the outbox key is the run's.
    AutomationRun.objects.filter(pk=run.pk).update(status="waiting")
    assert run_process(run_id=run.pk) == "sent"
    assert Message.objects.count() == 1
    run.refresh_from_db()
    assert run.message == Message.objects.get()


def test_the_workers_minute_task_carries_out_what_is_due(
    automate: Automate, invitation: Template, application: Application, owner: User, stage: Any
) -> None:
    automate("Interview", template=invitation)
    move(owner, application, stage, "Interview")
    assert automations_due.call() == {"sent": 1, "review": 0, "skipped": 0}
    assert automations_due.call() == {"sent": 0, "review": 0, "skipped": 0}
    assert Message.objects.get().subject == "Maria, next step for Senior Backend Engineer"


def test_a_delayed_email_waits_until_it_is_due(
    automate: Automate, invitation: Template, application: Application, owner: User, stage: Any
) -> None:
    automate("Interview", template=invitation, delay_hours=24)
    move(owner, application, stage, "Interview")
    run = only_run(application)
    assert run.status == "waiting"
    assert abs((run.due_at - later(24)).total_seconds()) < 60
    assert automations_process(now=later(23)).sent == 0
    assert not Message.objects.exists()
    assert automations_process(now=later(25)).sent == 1
    assert Message.objects.get().subject.startswith("Maria, next step")


def test_moving_on_before_the_delay_cancels_the_email(
    automate: Automate, invitation: Template, application: Application, owner: User, stage: Any
) -> None:
    automate("Interview", template=invitation, delay_hours=24)
    move(owner, application, stage, "Interview")
    move(owner, application, stage, "Final")
    run = only_run(application)
    assert run.status == "cancelled"
    assert "left the stage" in run.detail
    assert automations_process(now=later(48)).sent == 0
    assert not Message.objects.exists()


def test_a_run_whose_candidate_is_elsewhere_is_skipped_with_the_reason(
    automate: Automate, invitation: Template, application: Application, owner: User, stage: Any
) -> None:
    automate("Interview", template=invitation, delay_hours=1)
    move(owner, application, stage, "Interview")
    # Moved without the pipeline's services (say, a repair by hand).
    Application.objects.filter(pk=application.pk).update(stage=stage("Screen"))
    automations_process(now=later(2))
    run = only_run(application)
    assert run.status == "skipped"
    assert run.detail == "Maria Souza had left Interview (now in Screen)."
    assert not Message.objects.exists()


def test_a_candidate_without_an_address_is_skipped_with_the_reason(
    automate: Automate, invitation: Template, job: Job, owner: User, stage: Any,
    make_candidate: Callable[..., Candidate],
) -> None:  # fmt: skip
    automate("Interview", template=invitation)
    nobody = make_candidate(first_name="Ana", last_name="Lima", emails=[])
    application = application_create(actor=owner, job=job, candidate=nobody)
    move(owner, application, stage, "Interview")
    assert automations_process().skipped == 1
    run = only_run(application)
    assert run.status == "skipped" and run.detail == "Ana Lima has no email address."
    assert run.message is not None and run.message.reason == "no_address"


def test_a_template_that_fails_for_one_candidate_is_skipped_with_the_error(
    automate: Automate, job: Job, owner: User, stage: Any,
    make_candidate: Callable[..., Candidate],
) -> None:  # fmt: skip
    # Fine for the sample candidate (a last name of 8 letters), not for one without.
    odd = template_create(
        actor=owner, name="Odd", subject="Hello", body="{{ 10 // (candidate.last_name|length) }}"
    )
    automate("Interview", template=odd)
    single = make_candidate(first_name="Prince", last_name="")
    application = application_create(actor=owner, job=job, candidate=single)
    move(owner, application, stage, "Interview")
    automations_process()
    run = only_run(application)
    assert run.status == "skipped"
    assert run.detail.startswith("The template cannot be rendered for Prince")


# --- rejections and the sending policy


def test_a_rejection_to_an_unsubscribed_candidate_is_held_by_policy_with_the_reason(
    automate: Automate, rejection: Template, application: Application, owner: User,
    stage: Any, candidate: Candidate,
) -> None:  # fmt: skip
    automate("Rejected", template=rejection)
    unsubscribe(candidate=candidate, source="test")
    move(owner, application, stage, "Rejected", reason="skills")
    assert automations_process().skipped == 1
    run = only_run(application)
    assert run.status == "skipped"
    assert run.detail == "Held back by the sending policy: Unsubscribed."
    message = Message.objects.get()
    assert message.kind == MessageKind.NURTURE
    assert (message.status, message.reason) == (MessageStatus.SUPPRESSED, "unsubscribed")


def test_a_rejection_to_a_suppressed_address_is_held_by_policy(
    automate: Automate, rejection: Template, application: Application, owner: User, stage: Any
) -> None:
    automate("Rejected", template=rejection)
    suppression_add(actor=owner, address="maria.souza@example.org")
    move(owner, application, stage, "Rejected", reason="stronger")
    automations_process()
    run = only_run(application)
    assert run.detail == "Held back by the sending policy: Address on the suppression list."
    assert Message.objects.get().reason == "suppressed"


def test_a_rejection_goes_as_nurture_mail_and_an_invitation_as_personal_mail(
    automate: Automate, rejection: Template, invitation: Template, owner: User, job: Job,
    stage: Any, candidate: Candidate, make_candidate: Callable[..., Candidate],
) -> None:  # fmt: skip
    automate("Rejected", template=rejection)
    automate("Interview", template=invitation)
    unsubscribe(candidate=candidate, source="test")
    # Unsubscribed from nurture mail, Maria is still told about her own interview.
    invited = application_create(actor=owner, job=job, candidate=candidate)
    move(owner, invited, stage, "Interview")
    rejected = application_create(actor=owner, job=job, candidate=make_candidate())
    move(owner, rejected, stage, "Rejected", reason="seniority")
    done = automations_process()
    assert (done.sent, done.skipped) == (2, 0)
    by_application = {r.application_id: r.message for r in AutomationRun.objects.all()}
    assert by_application[invited.pk].kind == MessageKind.TRANSACTIONAL
    assert by_application[invited.pk].status == MessageStatus.QUEUED
    assert by_application[rejected.pk].kind == MessageKind.NURTURE
    assert by_application[rejected.pk].status == MessageStatus.QUEUED


# --- review


def test_a_held_email_waits_for_review_and_goes_as_edited(
    automate: Automate, invitation: Template, application: Application, owner: User, stage: Any
) -> None:
    automate("Interview", template=invitation, review=True)
    move(owner, application, stage, "Interview")
    assert automations_process().review == 1
    run = only_run(application)
    assert run.status == "review" and not Message.objects.exists()
    assert run.subject == "Maria, next step for Senior Backend Engineer"
    assert run.body.startswith("Hi Maria,")
    assert "**Senior Backend Engineer**" in run.body  # still Markdown, to edit
    note = Notification.objects.get(user=owner, kind="automation.review")
    assert "Maria Souza" in note.text and note.url.endswith(f"#run-{run.pk}")

    message = review_send(
        actor=owner, run=run, subject="Maria, your interview",
        body="Hi Maria,\n\nWe loved talking to you: **see you Tuesday**.",
    )  # fmt: skip
    assert message.subject == "Maria, your interview"
    assert "<strong>see you Tuesday</strong>" in message.body_html
    assert message.author == owner and message.key == f"a{run.pk}"
    run.refresh_from_db()
    assert (run.status, run.message, run.subject) == ("sent", message, "Maria, your interview")


def test_edited_text_that_does_not_compile_is_refused_and_nothing_is_sent(
    automate: Automate, invitation: Template, application: Application, owner: User, stage: Any
) -> None:
    automate("Interview", template=invitation, review=True)
    move(owner, application, stage, "Interview")
    automations_process()
    run = only_run(application)
    with pytest.raises(ValidationError, match=r"Unknown field candidate\.salary"):
        review_send(actor=owner, run=run, subject="Hi", body="Your {{ candidate.salary }}")
    run.refresh_from_db()
    assert run.status == "review" and not Message.objects.exists()


def test_a_skipped_email_says_who_skipped_it_and_cannot_be_sent_after(
    automate: Automate, invitation: Template, application: Application, owner: User, stage: Any
) -> None:
    automate("Interview", template=invitation, review=True)
    move(owner, application, stage, "Interview")
    automations_process()
    run = review_skip(actor=owner, run=only_run(application))
    assert (run.status, run.detail) == ("skipped", "Skipped by Rita Recruiter.")
    with pytest.raises(ValidationError, match="no longer waiting"):
        review_send(actor=owner, run=run, subject="Hi", body="Hello")
    assert not Message.objects.exists()


def test_hiring_managers_and_sourcers_may_not_send_or_skip_held_emails(
    automate: Automate, invitation: Template, application: Application, owner: User,
    stage: Any, manager: User, sourcer: User,
) -> None:  # fmt: skip
    automate("Interview", template=invitation, review=True)
    move(owner, application, stage, "Interview")
    automations_process()
    run = only_run(application)
    for user in (manager, sourcer):
        with pytest.raises(PermissionDenied):
            review_send(actor=user, run=run, subject="Hi", body="Hello")
        with pytest.raises(PermissionDenied):
            review_skip(actor=user, run=run)
    assert AutomationRun.objects.get(pk=run.pk).status == "review"


# --- tasks


def test_entering_the_stage_makes_the_task_for_the_jobs_recruiter(
    automate: Automate, application: Application, owner: User, teammate: User, stage: Any
) -> None:
    automate("Offer", task_title="Call Maria with the offer", task_due_days=2)
    application = move(teammate, application, stage, "Offer")
    task = Task.objects.get()
    assert task.assignee == owner  # the job's recruiter, not who moved
    assert task.title == "Call Maria with the offer"
    assert task.candidate_id == application.candidate_id
    assert task.link_url == f"/applications/{application.pk}/"
    assert task.link_label == "Senior Backend Engineer · Offer"
    assert (task.origin, task.target_type, task.target_id) == (
        "automation",
        "application",
        application.pk,
    )
    # Due by the end of the day two days on.
    due = timezone.localtime(task.due_at)
    entered = timezone.localtime(application.stage_entered_at)
    assert due.date() == entered.date() + dt.timedelta(days=2)
    assert (due.hour, due.minute) == (23, 59)
    assert not AutomationRun.objects.exists()  # a task only: no email owed


def test_without_a_recruiter_the_task_goes_to_whoever_moved_the_candidate(
    automate: Automate, application: Application, job: Job, teammate: User, stage: Any
) -> None:
    Job.objects.filter(pk=job.pk).update(recruiter=None)
    application.job.recruiter = None
    automate("Screen", task_title="Book a screening call")
    move(teammate, application, stage, "Screen")
    assert Task.objects.get().assignee == teammate


# --- setting automations up


def test_an_automation_records_who_changed_it(
    automate: Automate, invitation: Template, owner: User
) -> None:
    automation = automate("Interview", template=invitation, delay_hours=2, review=True)
    assert automation.updated_by == owner and automation.updated_at is not None
    assert (automation.delay_hours, automation.review) == (2, True)


def test_an_automation_needs_something_to_do_and_a_template_that_compiles(
    automate: Automate, invitation: Template, owner: User
) -> None:
    with pytest.raises(ValidationError, match="Choose a template to send, a task to make"):
        automate("Interview")
    broken = Template.objects.create(name="Broken", subject="Hi", body="{{ candidate.salary }}")
    with pytest.raises(ValidationError, match=r"cannot be sent: Unknown field candidate\.salary"):
        automate("Interview", template=broken)
    invitation.archived_at = timezone.now()
    invitation.save()
    with pytest.raises(ValidationError, match="is archived"):
        automate("Interview", template=invitation)
    with pytest.raises(ValidationError, match="Only an email can be held for review"):
        automate("Interview", task_title="Call", review=True)
    assert not StageAutomation.objects.exists()


def test_only_those_who_manage_jobs_set_automations(
    invitation: Template, stage: Any, sourcer: User, manager: User
) -> None:
    for user in (sourcer, manager):
        with pytest.raises(PermissionDenied):
            automation_set(
                actor=user, stage=stage("Interview"), values=AutomationFields(template=invitation)
            )


def test_switching_an_automation_off_cancels_the_emails_it_owes(
    automate: Automate, invitation: Template, application: Application, owner: User, stage: Any
) -> None:
    automate("Interview", template=invitation, delay_hours=5)
    move(owner, application, stage, "Interview")
    automate("Interview", template=invitation, delay_hours=5, active=False)
    run = only_run(application)
    assert run.status == "cancelled"
    assert run.detail == "The automation was switched off by Rita Recruiter."


def test_removing_an_automation_that_ran_keeps_what_it_sent(
    automate: Automate, invitation: Template, application: Application, owner: User, stage: Any
) -> None:
    automate("Interview", template=invitation)
    move(owner, application, stage, "Interview")
    automations_process()
    assert automation_remove(actor=owner, stage=stage("Interview")) == 0
    automation = StageAutomation.objects.get()
    assert automation.template is None and not automation.active
    assert only_run(application).status == "sent"
    assert automation_remove(actor=owner, stage=stage("Screen")) == 0  # nothing there


# --- pages


def test_the_editor_shows_each_stage_and_saves_an_automation(
    client: Client, owner: User, job: Job, invitation: Template, stage: Any
) -> None:
    login(client, owner)
    page = client.get(reverse("job_automations", args=[job.pk])).content.decode()
    assert "Sourced" in page and "Withdrawn" in page and "Nothing happens." in page
    interview = stage("Interview")
    prefix = f"s{interview.pk}"
    response = client.post(
        reverse("job_automation_save", args=[job.pk, interview.pk]),
        {f"{prefix}-template": invitation.pk, f"{prefix}-delay_hours": 3,
         f"{prefix}-review": "on", f"{prefix}-task_title": "Prepare the panel",
         f"{prefix}-task_due_days": 1, f"{prefix}-active": "on"},
        follow=True,
    )  # fmt: skip
    page = response.content.decode()
    assert "Automation of Interview saved." in page
    assert (
        "Sends <strong>“Interview invitation”</strong> 3 hours after they enter, held for review"
        in page
    )
    assert "Task <strong>“Prepare the panel”</strong>, due in 1 day" in page
    assert "Changed by Rita Recruiter" in page


def test_the_editor_shows_a_services_refusal_beside_the_form(
    client: Client, owner: User, job: Job, stage: Any
) -> None:
    broken = Template.objects.create(name="Broken", subject="Hi", body="{{ candidate.salary }}")
    login(client, owner)
    interview = stage("Interview")
    prefix = f"s{interview.pk}"
    response = client.post(
        reverse("job_automation_save", args=[job.pk, interview.pk]),
        {f"{prefix}-template": broken.pk, f"{prefix}-delay_hours": 0, f"{prefix}-task_due_days": 1},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "cannot be sent: Unknown field candidate.salary" in page
    assert not StageAutomation.objects.exists()


def test_who_sees_and_edits_the_automations_of_a_job(
    client: Client, cast: dict[str, User], job: Job, invitation: Template, stage: Any
) -> None:
    url = reverse("job_automations", args=[job.pk])
    save = reverse("job_automation_save", args=[job.pk, stage("Interview").pk])
    for name in ("admin", "owner", "teammate"):
        assert "Automate</summary>" in login(client, cast[name]).get(url).content.decode()
    for name in ("sourcer", "manager"):
        page = login(client, cast[name]).get(url).content.decode()
        assert "Interview" in page and "Automate</summary>" not in page
        response = login(client, cast[name]).post(save, {"remove": "1"}, follow=True)
        assert "may not do this" in response.content.decode()
    assert login(client, cast["outsider"]).get(url).status_code == 404
    assert login(client, cast["outsider"]).post(save, {"remove": "1"}).status_code == 404


def _held(
    automate: Automate, invitation: Template, job: Job, owner: User, stage: Any,
    make_candidate: Callable[..., Candidate], count: int,
) -> None:  # fmt: skip
    if not StageAutomation.objects.exists():
        automate("Screen", template=invitation, review=True)
    for _ in range(count):
        application = application_create(actor=owner, job=job, candidate=make_candidate())
        move(owner, application, stage, "Screen")
    automations_process()


def test_the_review_queue_costs_the_same_queries_for_one_email_or_six(
    client: Client, owner: User, automate: Automate, invitation: Template, job: Job,
    stage: Any, make_candidate: Callable[..., Candidate], django_assert_num_queries: Any,
) -> None:  # fmt: skip
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, owner)
    _held(automate, invitation, job, owner, stage, make_candidate, 1)
    with CaptureQueriesContext(connection) as one:
        page = client.get(reverse("automation_review")).content.decode()
    assert page.count('class="card review-run"') == 1
    _held(automate, invitation, job, owner, stage, make_candidate, 5)
    with django_assert_num_queries(len(one.captured_queries)):
        page = client.get(reverse("automation_review")).content.decode()
    assert page.count('class="card review-run"') == 6
    assert "Person1, next step for Senior Backend Engineer" in page


def test_the_review_queue_sends_the_edited_text_and_keeps_it_when_refused(
    client: Client, owner: User, automate: Automate, invitation: Template,
    application: Application, stage: Any,
) -> None:  # fmt: skip
    automate("Interview", template=invitation, review=True)
    move(owner, application, stage, "Interview")
    automations_process()
    run = only_run(application)
    login(client, owner)
    send = reverse("automation_review_send", args=[run.pk])
    page = client.post(send, {"subject": "Hi Maria", "body": "See {{ job.salary }}"}).content
    assert "Unknown field job.salary" in page.decode()
    assert "See {{ job.salary }}" in page.decode()  # what she wrote, kept
    response = client.post(send, {"subject": "Hi Maria", "body": "See you **soon**."}, follow=True)
    assert "Email to Maria Souza queued to send." in response.content.decode()
    assert Message.objects.get().body_html.strip() == "<p>See you <strong>soon</strong>.</p>"
    assert "Nothing to review." in response.content.decode()


def test_hiring_managers_read_held_emails_of_their_jobs_without_sending_them(
    client: Client, cast: dict[str, User], automate: Automate, invitation: Template,
    application: Application, stage: Any,
) -> None:  # fmt: skip
    automate("Interview", template=invitation, review=True)
    move(cast["owner"], application, stage, "Interview")
    automations_process()
    run = only_run(application)
    page = login(client, cast["manager"]).get(reverse("automation_review")).content.decode()
    assert "Maria, next step" in page and "a recruiter sends or skips them" in page
    assert reverse("automation_review_send", args=[run.pk]) not in page
    response = client.post(reverse("automation_review_skip", args=[run.pk]), follow=True)
    assert "may not do this" in response.content.decode()
    page = login(client, cast["outsider"]).get(reverse("automation_review")).content.decode()
    assert "Nothing to review." in page and "Maria" not in page
    skip = reverse("automation_review_skip", args=[run.pk])
    assert login(client, cast["outsider"]).post(skip).status_code == 404
    assert AutomationRun.objects.get(pk=run.pk).status == "review"


def test_the_application_card_lists_what_the_automations_did(
    client: Client, cast: dict[str, User], automate: Automate, invitation: Template,
    rejection: Template, application: Application, stage: Any,
) -> None:  # fmt: skip
    owner = cast["owner"]
    automate("Interview", template=invitation)
    automate("Final", template=rejection, delay_hours=48)
    move(owner, application, stage, "Interview")
    automations_process()
    move(owner, application, stage, "Final")
    url = reverse("application_automations", args=[application.pk])
    page = login(client, owner).get(url).content.decode()
    assert "Maria, next step for Senior Backend Engineer" in page
    assert '<span class="run-status run-message-queued">Queued</span>' in page
    assert '<span class="run-status run-waiting">Waiting for its delay</span>' in page
    assert "About Senior Backend Engineer" not in page  # not written until it is due
    assert '“Rejection with feedback” <span class="muted small">· entering Final' in page
    assert login(client, cast["manager"]).get(url).status_code == 200
    assert login(client, cast["outsider"]).get(url).status_code == 404


def test_held_emails_are_counted_beside_the_recruiters_tasks(
    client: Client, owner: User, manager: User, automate: Automate, invitation: Template,
    application: Application, stage: Any,
) -> None:  # fmt: skip
    automate("Interview", template=invitation, review=True)
    move(owner, application, stage, "Interview")
    automations_process()
    page = login(client, owner).get(reverse("task_list")).content.decode()
    assert (
        f'<a href="{reverse("automation_review")}">Emails held for your review: <strong>1</strong>'
        in page
    )
    # A hiring manager may not send them: nothing waits for them.
    page = login(client, manager).get(reverse("task_list")).content.decode()
    assert "Emails held for your review" not in page
