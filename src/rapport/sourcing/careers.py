"""The careers site: applying for a job in public, and the counts behind its
completion rate. Reads are in careers_selectors, pages in careers_views.

An application (`apply`) is one transaction that

- finds the person through the de-duplication rules (`identity.find_exact`:
  an email address, a phone number or a LinkedIn profile names one
  candidate). Someone already in the talent pool is filled in, never
  overwritten (`candidate_fill`); anyone else becomes a candidate with
  source "application" (`candidate_intake`). A newcomer who merely looks
  like someone (`similar`: a close name in the same city), and details that
  name two different people, open a DuplicateReview for a person to decide,
  as imports do; nobody is merged here;
- keeps the CV through the résumé reader, which judges a file by its bytes
  and refuses what it cannot read safely (`community.resume_read`);
- records consent to the version of the privacy notice the person read;
- opens the Application in the job's "Applied" stage (else its first), with
  the answers to the job's questions as plain text, source "careers";
- writes the confirmation email as an outbox row (transactional: it goes
  whatever the frequency cap and the send window say, but never to a
  suppressed address or to someone who asked to hear nothing more);
- tells the job's recruiter (a Notification), and counts the submission.

A second application to the same job changes nothing (`AlreadyApplied`).
A CV stored before something else failed leaves storage with the rollback.

Rate limits: CLIENT_LIMIT applications per CLIENT_WINDOW from one client
(a keyed digest of its address, counted in the cache as the public
preference pages count bad tokens) and ADDRESS_LIMIT per ADDRESS_WINDOW for
one person (counted from their applications).

The funnel (`funnel_count`) is a counter per job, step and day, raised with
one INSERT … ON CONFLICT DO UPDATE statement: nothing about the visitor is
kept. Job questions are written here too (`question_*`; MANAGE_JOBS).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.utils import parseaddr
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from rapport.accounts.models import Capability
from rapport.core.activity import activity_record
from rapport.core.contacts import normalize_email, normalize_phone
from rapport.core.errors import DuplicateContact
from rapport.core.models import ActivityKind, Notification
from rapport.jobs.models import (
    Application,
    FunnelCount,
    FunnelStep,
    Job,
    JobQuestion,
    JobStatus,
    QuestionKind,
    Stage,
    StageKind,
)
from rapport.jobs.services import application_create
from rapport.outreach import merge, mime
from rapport.outreach.models import Message, MessageKind, MessageStatus
from rapport.people.models import Candidate
from rapport.people.services import (
    CandidateFields,
    candidate_fill,
    candidate_intake,
    candidate_reindex,
    require,
)
from rapport.privacy.models import PrivacyNotice
from rapport.privacy.services import consent_record
from rapport.sourcing import similar
from rapport.sourcing.community import resume_read
from rapport.sourcing.identity import Keys, Match, find_exact
from rapport.sourcing.models import DuplicateReview, Resume

if TYPE_CHECKING:
    from rapport.accounts.models import User

SOURCE = "careers"  # the application's source
CANDIDATE_SOURCE = "application"  # a new candidate's source, as the candidate form names it
APPLIED_STAGE = "Applied"
CLIENT_LIMIT, CLIENT_WINDOW = 10, dt.timedelta(hours=1)
ADDRESS_LIMIT, ADDRESS_WINDOW = 5, dt.timedelta(hours=24)
SHORT_MAX, LONG_MAX = 300, 5000
MAX_QUESTIONS, MAX_CHOICES, CHOICE_MAX = 30, 20, 100
YES, NO = "Yes", "No"

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class JobClosed(Exception):
    """The job takes no applications (any more)."""

    def __init__(self, job: Job) -> None:
        self.job = job
        super().__init__(f"{job.title} is not open for applications.")


class AlreadyApplied(Exception):
    """This person has applied for this job before."""

    def __init__(self, job: Job) -> None:
        self.job = job
        super().__init__(f"You have already applied for {job.title}.")


class Throttled(Exception):
    def __init__(self, window: dt.timedelta) -> None:
        self.seconds = int(window.total_seconds())
        super().__init__(f"Too many applications; try again in {self.seconds // 60} minutes.")


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str

    def as_json(self) -> dict[str, str]:
        return {"question": self.question, "answer": self.answer}


@dataclass(frozen=True)
class ApplyRequest:
    job: Job
    first_name: str
    last_name: str
    email: str
    notice: PrivacyNotice
    resume: UploadedFile
    answers: Mapping[int, str]  # question id → what was typed or chosen
    phone: str = ""
    linkedin_url: str = ""
    city: str = ""
    client: str = ""  # community.client_digest() of where the request came from


@dataclass(frozen=True)
class Applied:
    application: Application
    candidate: Candidate
    created: bool  # a new candidate, not someone already in the talent pool
    preferences_url: str


def accepting() -> Q:
    """The jobs the careers site lists and takes applications for."""
    return Q(status=JobStatus.OPEN, published=True)


def is_accepting(job: Job) -> bool:
    return job.status == JobStatus.OPEN and job.published


def plain(text: str, limit: int) -> str:
    """What a person typed, as plain text: no control characters but line
    breaks and tabs, Windows line ends made plain, at most `limit` long."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return text.strip()[:limit]


# --- applying


def answers_clean(questions: Sequence[JobQuestion], raw: Mapping[int, str]) -> list[Answer]:
    """The answers in the questions' order, checked: required ones given, a
    choice one of the question's choices. Unanswered optional ones are left
    out. Errors are keyed `q_<question id>`."""
    errors: dict[str, list[str]] = {}
    found: list[Answer] = []
    for question in questions:
        limit = LONG_MAX if question.kind == QuestionKind.LONG else SHORT_MAX
        value = plain(str(raw.get(question.pk) or ""), limit)
        if question.kind == QuestionKind.YES_NO and value:
            value = {"yes": YES, "no": NO}.get(value.lower(), "")
            if not value:
                errors[f"q_{question.pk}"] = ["Answer yes or no."]
                continue
        if question.kind == QuestionKind.CHOICE and value and value not in question.choices:
            errors[f"q_{question.pk}"] = ["Choose one of the answers offered."]
            continue
        if not value:
            if question.required:
                errors[f"q_{question.pk}"] = ["Please answer this question."]
            continue
        found.append(Answer(question.label, value))
    if errors:
        raise ValidationError(errors)
    return found


def _throttle(client: str, now: dt.datetime) -> None:
    """Count this attempt against the client's limit; Throttled past it."""
    if not client:
        return
    key = f"careers:apply:{client}"
    seconds = int(CLIENT_WINDOW.total_seconds())
    if cache.add(key, 1, seconds):
        return
    try:
        count = cache.incr(key)
    except ValueError:  # expired in between
        cache.add(key, 1, seconds)
        return
    if count > CLIENT_LIMIT:
        raise Throttled(CLIENT_WINDOW)


def apply(*, request: ApplyRequest, now: dt.datetime | None = None) -> Applied:
    """Apply for a job (see the module's docstring). Raises JobClosed,
    AlreadyApplied, Throttled, or ValidationError naming the field."""
    now = now or timezone.now()
    job = request.job
    if not is_accepting(job):
        raise JobClosed(job)
    _throttle(request.client, now)
    answers = answers_clean(list(job.questions.all()), request.answers)
    email = normalize_email(request.email)
    phones = [normalize_phone(request.phone)] if request.phone.strip() else []
    keys = Keys(emails=[email], phones=phones, linkedin=request.linkedin_url.strip())
    known = find_exact([keys])[0].candidate_id
    if known is not None:
        if Application.objects.filter(job=job, candidate_id=known).exists():
            raise AlreadyApplied(job)
        recent = Application.objects.filter(
            candidate_id=known, source=SOURCE, created_at__gte=now - ADDRESS_WINDOW
        )
        if recent.count() >= ADDRESS_LIMIT:
            raise Throttled(ADDRESS_WINDOW)
    kept: list[Resume] = []
    try:
        with transaction.atomic():
            return _apply(request, answers, email, phones, keys, kept, now)
    except BaseException as exc:
        for resume in kept:  # its row went with the rollback; its file goes now
            resume.file.delete(save=False)
        if isinstance(exc, ValidationError | IntegrityError):
            _explain(job, keys)
        raise


def _explain(job: Job, keys: Keys) -> None:
    """After a failed application: say so when it failed because the job
    closed or the person applied meanwhile (in another tab, say)."""
    job.refresh_from_db()
    if not is_accepting(job):
        raise JobClosed(job)
    known = find_exact([keys])[0].candidate_id
    if known is not None and Application.objects.filter(job=job, candidate_id=known).exists():
        raise AlreadyApplied(job)


def _apply(
    request: ApplyRequest,
    answers: list[Answer],
    email: str,
    phones: list[str],
    keys: Keys,
    kept: list[Resume],
    now: dt.datetime,
) -> Applied:
    job = request.job
    candidate, created, match = _candidate_for(request, email, phones, keys)
    resume = resume_read(upload=request.resume, candidate=candidate, by=None)
    if not getattr(resume, "already_stored", False):
        kept.append(resume)
        activity_record(
            kind=ActivityKind.CANDIDATE_UPDATED, candidate=candidate, actor=None,
            summary=f"Sent a CV with their application for {job.title} ({resume.original_name})",
            target=resume, data={"fields": ["resume"], "job": job.pk},
        )  # fmt: skip
        candidate_reindex(candidate_ids=[candidate.pk])
    consent_record(candidate=candidate, notice=request.notice, source=SOURCE)
    application = application_create(
        actor=None,
        job=job,
        candidate=candidate,
        stage=_applied_stage(job),
        source=SOURCE,
        answers=[answer.as_json() for answer in answers],
    )
    _reviews_open(candidate, created, match, job)
    _confirmation_write(application, email, answers, request.first_name)
    _notify(application)
    funnel_count(job=job, step=FunnelStep.SUBMITTED, day=timezone.localdate(now))
    return Applied(
        application=application,
        candidate=candidate,
        created=created,
        preferences_url=merge.preferences_url(candidate.pk),
    )


def _candidate_for(
    request: ApplyRequest, email: str, phones: list[str], keys: Keys
) -> tuple[Candidate, bool, Match]:
    """The candidate these details name, filled in; or a new one."""
    data = CandidateFields(
        first_name=plain(request.first_name, 100),
        last_name=plain(request.last_name, 100),
        city=plain(request.city, 100),
        linkedin_url=request.linkedin_url.strip(),
        source=CANDIDATE_SOURCE,
    )
    for _ in range(2):
        match = find_exact([keys])[0]
        if match.candidate_id is not None:
            candidate = Candidate.objects.get(pk=match.candidate_id)
            candidate_fill(candidate=candidate, data=data, emails=[email], phones=phones, by=None)
            return candidate, False, match
        try:
            with transaction.atomic():
                candidate = candidate_intake(
                    data=data, emails=[email], phones=phones, by=None,
                    summary="Applied on the careers site",  # the job is on its own event
                )  # fmt: skip
            return candidate, True, match
        except (IntegrityError, DuplicateContact):
            # The same address came in a moment ago: look again.
            continue
    raise ValidationError("Your application could not be saved just now; please send it again.")


def _applied_stage(job: Job) -> Stage | None:
    """The job's "Applied" stage; None for its first stage."""
    return Stage.objects.filter(job=job, kind=StageKind.ACTIVE, name__iexact=APPLIED_STAGE).first()


def _reviews_open(candidate: Candidate, created: bool, match: Match, job: Job) -> None:
    """Possible duplicates, for a person to decide: a newcomer who looks like
    someone already known, or details that named two different people."""
    pairs: list[tuple[int, float, list[str]]] = []
    if created:
        pairs += [
            (other.pk, score, reasons) for other, score, reasons in similar.similar_to(candidate)
        ]
    for other in match.conflicts:
        reason = f"an application for {job.title} gave the contact details of both"
        pairs.append((other, 100.0, [reason]))
    for other, score, reasons in pairs:
        newer, older = max(candidate.pk, other), min(candidate.pk, other)
        if DuplicateReview.objects.filter(
            Q(candidate_id=newer, other_id=older) | Q(candidate_id=older, other_id=newer)
        ).exists():
            continue
        DuplicateReview.objects.create(
            candidate_id=newer, other_id=older, score=score, reasons=reasons[:10]
        )


def _sender(job: Job) -> tuple[str, str]:
    """Who the confirmation is from: the job's recruiter, or the organisation's address."""
    if job.recruiter is not None and job.recruiter.is_active:
        fields = merge.sender_fields(job.recruiter)
        return str(fields["name"]), str(fields["email"])
    name, address = parseaddr(str(settings.DEFAULT_FROM_EMAIL))
    return name or "Recruiting team", address


def _confirmation_write(
    application: Application, email: str, answers: list[Answer], first_name: str
) -> Message:
    """The confirmation email, as an outbox row the worker sends. Rendered by
    Django's templates: what the applicant typed is escaped in the HTML and
    never read as template code or Markdown."""
    job = application.job
    from_name, from_email = _sender(job)
    context = {
        "first_name": plain(first_name, 100),
        "job": job,
        "answers": answers,
        "from_name": from_name,
        "job_url": settings.BASE_URL + reverse("careers_job", args=[job.slug]),
        "preferences_url": merge.preferences_url(application.candidate_id),
        "privacy_url": settings.BASE_URL + reverse("privacy_notice"),
    }
    subject = render_to_string("sourcing/careers/email_subject.txt", context)
    message = Message(
        candidate_id=application.candidate_id,
        kind=MessageKind.TRANSACTIONAL,
        key=f"careers:{application.pk}",
        message_id=mime.new_message_id(),
        from_name=from_name[:150],
        from_email=from_email[:254],
        to_email=email,
        subject=" ".join(subject.split())[:300],
        body_text=render_to_string("sourcing/careers/email.txt", context),
        body_html=render_to_string("sourcing/careers/email.html", context),
        status=MessageStatus.QUEUED,
        due_at=timezone.now(),
    )
    message.save()
    return message


def _notify(application: Application) -> None:
    recruiter = application.job.recruiter
    if recruiter is None or not recruiter.is_active:
        return
    candidate = application.candidate
    Notification.objects.create(
        user=recruiter, kind="application.created", candidate=candidate,
        url=reverse("application_detail", args=[application.pk]),
        text=f"{candidate.full_name} applied for {application.job.title} on the careers site"[:300],
    )  # fmt: skip


# --- the funnel


def funnel_count(*, job: Job, step: str, day: dt.date | None = None) -> None:
    """Add one to the job's count for this step and day, in one statement
    that two requests at once cannot both insert."""
    if step not in FunnelStep.values:
        raise ValueError(f"{step!r} is not a step of the funnel.")
    table = connection.ops.quote_name(FunnelCount._meta.db_table)
    day = day or timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (job_id, step, day, count) VALUES (%s, %s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (job_id, step, day) DO UPDATE SET count = {table}.count + 1",
            [job.pk, step, day],
        )


# --- the questions of a job's apply form


@dataclass(frozen=True)
class QuestionFields:
    label: str
    kind: str = QuestionKind.SHORT
    choices: Sequence[str] = ()
    required: bool = False


def _clean_question(values: QuestionFields) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    label = " ".join(plain(values.label, 1000).split())
    if not label:
        errors["label"] = ["Write the question."]
    elif len(label) > 300:
        errors["label"] = [f"Keep the question under 300 characters (it has {len(label)})."]
    if values.kind not in QuestionKind.values:
        errors["kind"] = [f"{values.kind!r} is not a kind of question."]
    choices: list[str] = []
    if values.kind == QuestionKind.CHOICE:
        for raw in values.choices:
            choice = " ".join(plain(raw, 1000).split())
            if len(choice) > CHOICE_MAX:
                errors["choices"] = [f"Keep each answer under {CHOICE_MAX} characters."]
            elif choice and choice not in choices:
                choices.append(choice)
        if len(choices) < 2:
            errors.setdefault("choices", ["Give at least two answers to choose from, one a line."])
        elif len(choices) > MAX_CHOICES:
            errors.setdefault("choices", [f"Give at most {MAX_CHOICES} answers to choose from."])
    if errors:
        raise ValidationError(errors)
    return {"label": label, "kind": values.kind, "choices": choices, "required": values.required}


@transaction.atomic
def question_add(*, actor: User, job: Job, values: QuestionFields) -> JobQuestion:
    """A new question, at the end of the job's apply form."""
    require(actor, Capability.MANAGE_JOBS)
    cleaned = _clean_question(values)
    Job.objects.select_for_update().filter(pk=job.pk).first()  # one position at a time
    if JobQuestion.objects.filter(job=job).count() >= MAX_QUESTIONS:
        raise ValidationError(
            {"label": [f"An apply form has at most {MAX_QUESTIONS} questions; remove one first."]}
        )
    last = JobQuestion.objects.filter(job=job).aggregate(last=Max("position"))["last"]
    return JobQuestion.objects.create(job=job, position=(last or 0) + 1, **cleaned)


@transaction.atomic
def question_update(*, actor: User, question: JobQuestion, values: QuestionFields) -> JobQuestion:
    """Change a question. Answers already given keep the wording they answered."""
    require(actor, Capability.MANAGE_JOBS)
    for name, value in _clean_question(values).items():
        setattr(question, name, value)
    question.save(update_fields=["label", "kind", "choices", "required"])
    return question


@transaction.atomic
def question_delete(*, actor: User, question: JobQuestion) -> None:
    require(actor, Capability.MANAGE_JOBS)
    question.delete()


@transaction.atomic
def question_move(*, actor: User, question: JobQuestion, up: bool) -> None:
    """Swap the question with the one before it (`up`) or after it."""
    require(actor, Capability.MANAGE_JOBS)
    order = list(JobQuestion.objects.select_for_update().filter(job_id=question.job_id))
    index = next(i for i, q in enumerate(order) if q.pk == question.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(order):
        return
    order[index], order[other] = order[other], order[index]
    for position, item in enumerate(order, start=1):
        if item.position != position:
            JobQuestion.objects.filter(pk=item.pk).update(position=position)
