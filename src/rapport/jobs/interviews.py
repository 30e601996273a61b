"""Interviews and their feedback: every write, and the reads scoped to the
acting user.

Scheduling, rescheduling and cancelling each run in one transaction that
writes the interview, its Activity on the candidate's timeline and one outbox
row per recipient carrying the iCalendar invitation (see `jobs.ics`): the
candidate's as personal mail, each interviewer's as staff mail (mail about
the candidate to a teammate, which is not contact with the candidate). The
key of each row names the interview, its SEQUENCE and the recipient, so
writing the same invitation twice writes it once.

Scorecards are confidential: only those `selectors.may_see_feedback` lets
see feedback read them, and their Activity is marked confidential."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from rapport.accounts.models import ROLE_CAPABILITIES, Capability, Role, User
from rapport.core.activity import activity_record
from rapport.core.errors import PermissionDenied
from rapport.core.geo import clean_timezone
from rapport.core.models import ActivityKind
from rapport.jobs import ics
from rapport.jobs.models import (
    Application,
    Interview,
    InterviewStatus,
    Job,
    Recommendation,
    Scorecard,
)
from rapport.jobs.selectors import jobs_visible, may_see_feedback
from rapport.outreach import merge, mime, policy
from rapport.outreach.models import Message, MessageKind, MessageStatus
from rapport.people.services import require

if TYPE_CHECKING:
    from rapport.people.models import Candidate

# A form filled in a few minutes ago still schedules "now".
PAST_GRACE = dt.timedelta(minutes=10)
LONGEST = dt.timedelta(hours=12)
NOTES_LIMIT = 10_000
Audience = Literal["candidate", "interviewer"]


# --- time zones ------------------------------------------------------------------


def zone_label(name: str, at: dt.datetime) -> str:
    """ "Europe/Lisbon, UTC+01:00": a zone by name, with its offset at `at`."""
    offset = at.astimezone(ZoneInfo(name)).utcoffset() or dt.timedelta()
    minutes = int(offset.total_seconds() // 60)
    hours, rest = divmod(abs(minutes), 60)
    return f"{name.replace('_', ' ')}, UTC{'+' if minutes >= 0 else '−'}{hours:02d}:{rest:02d}"


@dataclass(frozen=True)
class LocalTime:
    """An interview's time as seen in one time zone."""

    zone: str
    label: str  # the zone and its offset
    text: str  # "Tuesday 14 January 2031, 10:00–11:00"
    short: str  # "Tue 14 Jan, 10:00"
    known: bool = True  # False: the person's zone is unknown; the interview's is shown

    @property
    def place(self) -> str:
        """The zone as people read it: "America/Sao Paulo"."""
        return self.zone.replace("_", " ")


def local_time(
    starts: dt.datetime, ends: dt.datetime, zone: str, *, known: bool = True
) -> LocalTime:
    name = policy.zone_of(zone, "UTC").key
    s, e = starts.astimezone(ZoneInfo(name)), ends.astimezone(ZoneInfo(name))
    end = f"{e:%H:%M}" if e.date() == s.date() else f"{e:%a} {e.day} {e:%b}, {e:%H:%M}"
    return LocalTime(
        zone=name,
        label=zone_label(name, starts),
        text=f"{s:%A} {s.day} {s:%B %Y}, {s:%H:%M}–{end}",
        short=f"{s:%a} {s.day} {s:%b}, {s:%H:%M}",
        known=known,
    )


def interview_time(interview: Interview, zone: str = "") -> LocalTime:
    """The interview's time in `zone`, or in its own zone when that is empty."""
    if zone:
        return local_time(interview.starts_at, interview.ends_at, zone)
    return local_time(interview.starts_at, interview.ends_at, interview.timezone, known=False)


def user_zone(user: User) -> str:
    """A user's own time zone, as set on their account page ("" when unset)."""
    return user.timezone


def scheduler_zone(user: User, job: Job) -> str:
    """The zone a scheduler types times in unless they choose another: their
    own, else the job's, else the organisation's fallback."""
    return (
        user_zone(user)
        or job.timezone
        or policy.organisation_policy().fallback_timezone
        or settings.TIME_ZONE
    )


# --- reads -----------------------------------------------------------------------


def interviews_visible(user: User) -> QuerySet[Interview]:
    """The interviews of the jobs the user may see."""
    return Interview.objects.filter(application__job__in=jobs_visible(user))


def interview_get(user: User, pk: int | str) -> Interview:
    """The interview, or a 404 for anyone who may not see its job."""
    try:
        return (
            interviews_visible(user)
            .select_related(
                "application__job__recruiter",
                "application__candidate",
                "application__stage",
                "created_by",
            )
            .prefetch_related("interviewers")
            .get(pk=int(pk))
        )
    except (Interview.DoesNotExist, ValueError, TypeError):
        raise Http404("No such interview.") from None


def application_interviews(user: User, application: Application) -> list[Interview]:
    """An application's interviews, soonest first, with their interviewers."""
    return list(
        interviews_visible(user)
        .filter(application=application)
        .prefetch_related("interviewers")
        .order_by("starts_at", "id")
    )


def upcoming_interviews(
    user: User, *, everyone: bool = False, past: bool = False, now: dt.datetime | None = None
) -> QuerySet[Interview]:
    """Scheduled interviews that have not ended (with `past`: those of the last
    30 days that have), where the user interviews; with `everyone` (for those
    who run pipelines), all of those of the jobs they see."""
    now = now or timezone.now()
    rows = interviews_visible(user).filter(status=InterviewStatus.SCHEDULED)
    if not (everyone and user.can(Capability.MOVE_APPLICATIONS)):
        rows = rows.filter(interviewers=user)
    if past:
        rows = rows.filter(ends_at__lte=now, ends_at__gt=now - dt.timedelta(days=30))
        order: tuple[str, ...] = ("-starts_at", "-id")
    else:
        rows = rows.filter(ends_at__gt=now)
        order = ("starts_at", "id")
    mine = Scorecard.objects.filter(interview=OuterRef("pk"), author=user)
    return (
        rows.annotate(my_feedback=Exists(mine))
        .select_related("application__job", "application__candidate")
        .prefetch_related("interviewers")
        .order_by(*order)
    )


def feedback_due(user: User, *, now: dt.datetime | None = None) -> QuerySet[Interview]:
    """Interviews of the last 30 days the user took part in and has not scored."""
    now = now or timezone.now()
    return (
        interviews_visible(user)
        .filter(
            status=InterviewStatus.SCHEDULED,
            interviewers=user,
            ends_at__lte=now,
            ends_at__gt=now - dt.timedelta(days=30),
        )
        .exclude(Exists(Scorecard.objects.filter(interview=OuterRef("pk"), author=user)))
        .select_related("application__job", "application__candidate")
        .order_by("-starts_at", "-id")
    )


def interviewers_eligible(job: Job) -> QuerySet[User]:
    """Who may interview for the job: active users whose role reads feedback
    (admins, recruiters) and the job's own hiring managers."""
    roles = [r for r, caps in ROLE_CAPABILITIES.items() if Capability.SEE_CONFIDENTIAL in caps]
    managers = Job.hiring_managers.through.objects.filter(job_id=job.pk, user_id=OuterRef("pk"))
    return User.objects.filter(is_active=True).filter(
        Q(role__in=roles) | Q(Exists(managers), role=Role.HIRING_MANAGER)
    )


def invitations(interview: Interview) -> list[Message]:
    """The invitation emails of an interview, newest first."""
    return list(
        Message.objects.filter(
            candidate_id=interview.application.candidate_id, key__startswith=f"iv{interview.pk}:"
        ).order_by("-created_at", "-id")
    )


def changeable(interview: Interview, now: dt.datetime | None = None) -> bool:
    """Whether the interview may still be moved or cancelled."""
    now = now or timezone.now()
    return interview.status == InterviewStatus.SCHEDULED and interview.ends_at > now


def may_schedule(user: User, application: Application) -> bool:
    return user.can(Capability.MOVE_APPLICATIONS) and not application.stage.ends


def may_score(user: User, interview: Interview) -> bool:
    """The interviewers, the job's recruiter and hiring managers, and admins
    give feedback; never anyone who may not read it."""
    job = interview.application.job
    if not user.is_active or not may_see_feedback(user, job):
        return False
    return (
        user.role == Role.ADMIN
        or job.recruiter_id == user.pk
        or any(u.pk == user.pk for u in interview.interviewers.all())
        or job.hiring_managers.filter(pk=user.pk).exists()
    )


def scorecards_of(user: User, interview: Interview) -> list[Scorecard]:
    """The interview's scorecards, for those who may read feedback only."""
    if not may_see_feedback(user, interview.application.job):
        return []
    return list(interview.scorecards.select_related("author").order_by("created_at", "id"))


@dataclass(frozen=True)
class FeedbackSummary:
    count: int
    average: float | None
    recommendations: list[tuple[str, str, int]] = field(default_factory=list)  # value, label, n


def feedback_summary(cards: Iterable[Scorecard]) -> FeedbackSummary:
    cards = list(cards)
    counts = Counter(c.recommendation for c in cards)
    return FeedbackSummary(
        count=len(cards),
        average=round(sum(c.rating for c in cards) / len(cards), 1) if cards else None,
        recommendations=[(v, label, counts[v]) for v, label in Recommendation.choices if counts[v]],
    )


# --- what a schedule says ---------------------------------------------------------


@dataclass(frozen=True)
class InterviewFields:
    """An interview as the scheduler describes it. Times are aware; `timezone`
    is the one they were given in."""

    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    timezone: str
    interviewers: Sequence[User]
    location: str = ""
    video_url: str = ""
    notes: str = ""


def video_link_problem(url: str) -> str:
    """Why a video link is refused, or "" when it is a web address."""
    if not url:
        return ""
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        return "A video link must be a web address starting with https:// (or http://)."
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        return "That video link is not a web address: paste it as the meeting app gives it."
    return ""


def _line(text: str) -> str:
    """One line of printable text."""
    return "".join(c for c in " ".join(text.split()) if c.isprintable())


def _lines(text: str) -> str:
    """Paragraphs of printable text (no NUL, which PostgreSQL refuses)."""
    return "".join(c for c in text if c.isprintable() or c in "\n\t").strip()


def _clean(fields: InterviewFields, job: Job, *, now: dt.datetime) -> InterviewFields:
    errors: dict[str, list[str]] = {}
    title = _line(fields.title)[:150]
    if not title:
        errors["title"] = ["Give the interview a title, such as “Technical interview”."]
    zone = ""
    try:
        zone = clean_timezone(fields.timezone)
    except ValidationError as exc:
        errors["timezone"] = exc.messages
    if not zone and "timezone" not in errors:
        errors["timezone"] = ["Say which time zone the time is in."]
    if timezone.is_naive(fields.starts_at) or timezone.is_naive(fields.ends_at):
        errors["starts_at"] = ["The time needs its time zone."]
    elif fields.ends_at <= fields.starts_at:
        errors["ends_at"] = ["The interview must end after it starts."]
    elif fields.ends_at - fields.starts_at > LONGEST:
        errors["ends_at"] = ["An interview lasts 12 hours at most: schedule days apart."]
    elif fields.starts_at < now - PAST_GRACE:
        errors["starts_at"] = ["That time has passed: choose a time from now on."]
    people = list({u.pk: u for u in fields.interviewers}.values())
    if not people:
        errors["interviewers"] = ["Choose at least one interviewer."]
    else:
        allowed = set(
            interviewers_eligible(job)
            .filter(pk__in=[u.pk for u in people])
            .values_list("pk", flat=True)
        )
        refused = [u.display_name for u in people if u.pk not in allowed]
        if refused:
            errors["interviewers"] = [
                f"{', '.join(refused)} cannot interview for {job.title}: interviewers are "
                "admins, recruiters and the job's hiring managers."
            ]
    location = _line(fields.location)[:300]
    video_url = fields.video_url.strip()
    if problem := video_link_problem(video_url):
        errors["video_url"] = [problem]
    elif len(video_url) > 500:
        errors["video_url"] = ["That video link is too long (500 characters at most)."]
    if not location and not video_url and "video_url" not in errors:
        errors["location"] = ["Say where: a place, a video link, or both."]
    notes = _lines(fields.notes.replace("\r\n", "\n"))
    if len(notes) > NOTES_LIMIT:
        errors["notes"] = [f"Notes are {NOTES_LIMIT} characters at most."]
    if errors:
        raise ValidationError(errors)
    return InterviewFields(
        title=title,
        starts_at=fields.starts_at,
        ends_at=fields.ends_at,
        timezone=zone,
        interviewers=people,
        location=location,
        video_url=video_url,
        notes=notes,
    )


def _open(application: Application) -> None:
    if application.stage.ends:
        raise ValidationError(
            {
                "application": [
                    f"{application.candidate.full_name}'s application has ended "
                    f"({application.stage.name}): move it back to a stage in progress first."
                ]
            }
        )


def _locked(interview: Interview) -> Interview:
    """The interview, locked for the change, with what the change reads."""
    Interview.objects.select_for_update().filter(pk=interview.pk).first()
    return Interview.objects.select_related(
        "application__job", "application__candidate", "application__stage", "created_by"
    ).get(pk=interview.pk)


def _changeable(interview: Interview, now: dt.datetime) -> None:
    if interview.status == InterviewStatus.CANCELLED:
        raise ValidationError(
            {"interview": ["This interview was cancelled: schedule a new one instead."]}
        )
    if interview.ends_at <= now:
        raise ValidationError(
            {"interview": ["This interview has taken place: schedule a new one instead."]}
        )


# --- writes ------------------------------------------------------------------------


@transaction.atomic
def interview_schedule(
    *, actor: User, application: Application, fields: InterviewFields
) -> Interview:
    """Schedule an interview and invite the candidate and the interviewers."""
    require(actor, Capability.MOVE_APPLICATIONS)
    application = (
        Application.objects.select_for_update()
        .select_related("job", "stage", "candidate")
        .get(pk=application.pk)
    )
    _open(application)
    now = timezone.now()
    fields = _clean(fields, application.job, now=now)
    twin = Interview.objects.filter(
        application=application,
        status=InterviewStatus.SCHEDULED,
        starts_at=fields.starts_at,
        title=fields.title,
    )
    if twin.exists():
        raise ValidationError({"starts_at": ["This interview is already scheduled at that time."]})
    interview = Interview.objects.create(
        application=application,
        title=fields.title,
        starts_at=fields.starts_at,
        ends_at=fields.ends_at,
        timezone=fields.timezone,
        location=fields.location,
        video_url=fields.video_url,
        notes=fields.notes,
        uid=f"{uuid.uuid4().hex}@{mime.domain()}",
        sequence=0,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    interview.interviewers.set(fields.interviewers)
    interview.application = application
    activity_record(
        kind=ActivityKind.INTERVIEW_SCHEDULED,
        candidate=application.candidate,
        actor=actor,
        summary=_summary(interview),
        target=interview,
        data=_data(interview),
    )
    _invite(interview, actor=actor, method="REQUEST", candidate=True, people=fields.interviewers)
    return interview


@transaction.atomic
def interview_reschedule(
    *, actor: User, interview: Interview, fields: InterviewFields
) -> Interview:
    """Change an interview's time, place, interviewers or notes and send the
    update (same UID, next SEQUENCE). The candidate hears of it when what
    they see changed; an interviewer taken off gets a cancellation."""
    require(actor, Capability.MOVE_APPLICATIONS)
    interview = _locked(interview)
    now = timezone.now()
    _changeable(interview, now)
    _open(interview.application)
    fields = _clean(fields, interview.application.job, now=now)
    before = list(interview.interviewers.all())
    seen = ("title", "starts_at", "ends_at", "location", "video_url")
    candidate_sees = [n for n in seen if getattr(interview, n) != getattr(fields, n)]
    team_sees = [n for n in ("timezone", "notes") if getattr(interview, n) != getattr(fields, n)]
    removed = [u for u in before if u.pk not in {p.pk for p in fields.interviewers}]
    added = [u for u in fields.interviewers if u.pk not in {b.pk for b in before}]
    if not (candidate_sees or team_sees or removed or added):
        raise ValidationError({"interview": ["Nothing changed, so no update was sent."]})
    for name in (*seen, "timezone", "notes"):
        setattr(interview, name, getattr(fields, name))
    interview.sequence += 1
    interview.updated_at = now
    interview.save()
    interview.interviewers.set(fields.interviewers)
    changed = candidate_sees + team_sees + (["interviewers"] if removed or added else [])
    moved = "starts_at" in changed or "ends_at" in changed
    activity_record(
        kind=ActivityKind.INTERVIEW_UPDATED,
        candidate=interview.application.candidate,
        actor=actor,
        summary=_summary(interview, prefix="Moved to: " if moved else "Changed: "),
        target=interview,
        data={**_data(interview), "changed": changed},
    )
    _invite(
        interview,
        actor=actor,
        method="REQUEST",
        candidate=bool(candidate_sees),
        people=fields.interviewers,
        update=True,
    )
    if removed:
        _invite(interview, actor=actor, method="CANCEL", candidate=False, people=removed)
    return interview


@transaction.atomic
def interview_cancel(*, actor: User, interview: Interview, note: str = "") -> Interview:
    """Call the interview off: everyone's calendar drops it (METHOD:CANCEL),
    with `note` to the candidate when given."""
    require(actor, Capability.MOVE_APPLICATIONS)
    interview = _locked(interview)
    now = timezone.now()
    _changeable(interview, now)
    interview.status = InterviewStatus.CANCELLED
    interview.sequence += 1
    interview.updated_at = now
    interview.save()
    note = _lines(note.replace("\r\n", "\n"))[:2000]
    activity_record(
        kind=ActivityKind.INTERVIEW_CANCELLED,
        candidate=interview.application.candidate,
        actor=actor,
        summary=_summary(interview),
        target=interview,
        data={**_data(interview), **({"note": note} if note else {})},
    )
    _invite(
        interview,
        actor=actor,
        method="CANCEL",
        candidate=True,
        people=list(interview.interviewers.all()),
        note=note,
    )
    return interview


def _summary(interview: Interview, *, prefix: str = "") -> str:
    when = interview_time(interview, interview.timezone)
    job = interview.application.job
    return f"{prefix}{interview.title} for {job.title}, {when.short} ({when.zone})"


def _data(interview: Interview) -> dict[str, object]:
    return {
        "interview": interview.pk,
        "job": interview.application.job_id,
        "title": interview.title,
        "starts_at": interview.starts_at.isoformat(),
        "ends_at": interview.ends_at.isoformat(),
        "sequence": interview.sequence,
    }


# --- invitations --------------------------------------------------------------------


@dataclass(frozen=True)
class _Recipient:
    suffix: str  # of the outbox key: "c" for the candidate, "u<id>" for a user
    person: ics.Person
    zone: str
    audience: Audience


def _invite(
    interview: Interview,
    *,
    actor: User,
    method: ics.Method,
    candidate: bool,
    people: Sequence[User],
    update: bool = False,
    note: str = "",
) -> None:
    """Write the invitations of the interview's current SEQUENCE: to the
    candidate when `candidate`, and to `people` (interviewers)."""
    application = interview.application
    person = application.candidate
    organiser = merge.sender_fields(interview.created_by or actor)
    email = merge.primary_emails([person.pk]).get(person.pk, "")
    them = ics.Person(person.full_name, email)
    team = list(interview.interviewers.all())
    if method == "CANCEL" and interview.status != InterviewStatus.CANCELLED:
        attendees = [ics.Person(u.display_name, u.email) for u in people]  # taken off only
    else:
        attendees = ([them] if email else []) + [ics.Person(u.display_name, u.email) for u in team]
    recipients = [
        _Recipient(f"u{u.pk}", ics.Person(u.display_name, u.email), user_zone(u), "interviewer")
        for u in people
    ]
    if candidate:
        recipients.insert(0, _Recipient("c", them, person.timezone, "candidate"))
    now = timezone.now()
    rows = [
        _message(
            interview,
            to=r,
            candidate=person,
            actor=actor,
            organiser=organiser,
            method=method,
            attendees=attendees,
            team=team,
            update=update,
            note=note,
            now=now,
        )
        for r in recipients
    ]
    # A second write of the same invitation (same interview, SEQUENCE and
    # recipient) meets the unique key and writes nothing.
    Message.objects.bulk_create(rows, ignore_conflicts=True)


def _message(
    interview: Interview,
    *,
    to: _Recipient,
    candidate: Candidate,
    actor: User,
    organiser: dict[str, str],
    method: ics.Method,
    attendees: list[ics.Person],
    team: list[User],
    update: bool,
    note: str,
    now: dt.datetime,
) -> Message:
    job = interview.application.job
    when = interview_time(interview, to.zone)
    context = {
        "audience": to.audience,
        "recipient": (to.person.name.split() or ["there"])[0],
        "cancelled": interview.status == InterviewStatus.CANCELLED,
        "method": method,
        "update": update,
        "interview": interview,
        "candidate": candidate,
        "job": job,
        "when": when,
        "team": team,
        "note": note,
        "organiser": organiser,
        "link": f"{settings.BASE_URL}{reverse('interview_detail', args=[interview.pk])}",
    }
    text = render_to_string("jobs/interviews/email/invitation.txt", context).strip() + "\n"
    html = render_to_string("jobs/interviews/email/invitation.html", context)
    about = job.title if to.audience == "candidate" else f"{candidate.full_name} for {job.title}"
    summary = f"{interview.title}: {about}"
    if method == "CANCEL":
        subject = f"Cancelled: {interview.title}, {about}, {when.short}"
    elif update:
        subject = f"Updated: {interview.title}, {about}, {when.short}"
    elif to.audience == "candidate":
        subject = f"Interview invitation: {job.title}, {when.short}"
    else:
        subject = f"Interview: {about}, {when.short}"
    calendar = ics.invitation(
        interview,
        method=method,
        summary=summary,
        description=text,
        organizer=ics.Person(organiser["name"], organiser["email"]),
        attendees=attendees,
        stamp=now,
    )
    held = not to.person.email
    return Message(
        candidate=candidate,
        kind=MessageKind.TRANSACTIONAL if to.audience == "candidate" else MessageKind.STAFF,
        author=actor,
        key=f"iv{interview.pk}:{interview.sequence}:{to.suffix}",
        message_id=mime.new_message_id(),
        from_name=organiser["name"],
        from_email=organiser["email"],
        to_email=to.person.email,
        subject=subject[:300],
        body_text=text,
        body_html=html,
        calendar=calendar,
        status=MessageStatus.SUPPRESSED if held else MessageStatus.QUEUED,
        reason="no_address" if held else "",
        due_at=now,
        created_at=now,
    )


def interview_calendar(interview: Interview) -> str:
    """The interview as a calendar file for a teammate to import: as it
    stands (cancelled ones as a cancellation), with the interviewers' notes."""
    person = interview.application.candidate
    email = merge.primary_emails([person.pk]).get(person.pk, "")
    team = list(interview.interviewers.all())
    organiser = interview.created_by
    job = interview.application.job
    when = interview_time(interview, interview.timezone)
    lines = [
        f"{interview.title} with {person.full_name} for {job.title}",
        f"When: {when.text} ({when.label})",
    ]
    if interview.notes:
        lines += ["", "Notes for the interviewers:", interview.notes]
    link = f"{settings.BASE_URL}{reverse('interview_detail', args=[interview.pk])}"
    return ics.invitation(
        interview,
        method="CANCEL" if interview.status == InterviewStatus.CANCELLED else "REQUEST",
        summary=f"{interview.title}: {person.full_name} for {job.title}",
        description="\n".join([*lines, "", link]),
        organizer=ics.Person(organiser.display_name, organiser.email)
        if organiser
        else ics.Person("", settings.DEFAULT_FROM_EMAIL.rpartition("<")[2].rstrip(">")),
        attendees=([ics.Person(person.full_name, email)] if email else [])
        + [ics.Person(u.display_name, u.email) for u in team],
    )


# --- scorecards --------------------------------------------------------------------


def _check_score(rating: int, recommendation: str, notes: str) -> str:
    errors: dict[str, list[str]] = {}
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        errors["rating"] = ["Rate from 1 (poor) to 5 (excellent)."]
    if recommendation not in Recommendation.values:
        errors["recommendation"] = ["Choose a recommendation, from strong no to strong yes."]
    notes = _lines(notes.replace("\r\n", "\n"))
    if len(notes) > NOTES_LIMIT:
        errors["notes"] = [f"Notes are {NOTES_LIMIT} characters at most."]
    if errors:
        raise ValidationError(errors)
    return notes


@transaction.atomic
def scorecard_submit(
    *, actor: User, interview: Interview, rating: int, recommendation: str, notes: str = ""
) -> Scorecard:
    """The actor's feedback on an interview: written once, and updated when
    they submit again."""
    interview = _locked(interview)
    if not may_score(actor, interview):
        raise PermissionDenied(
            "Only the interviewers, the job's recruiter and hiring managers, and admins give "
            "feedback on this interview."
        )
    if interview.status == InterviewStatus.CANCELLED:
        raise ValidationError(
            {"interview": ["This interview was cancelled: there is nothing to score."]}
        )
    notes = _check_score(rating, recommendation, notes)
    existing = (
        Scorecard.objects.select_for_update().filter(interview=interview, author=actor).first()
    )
    if existing is not None:
        return _scorecard_write(existing, rating=rating, recommendation=recommendation, notes=notes)
    now = timezone.now()
    try:
        with transaction.atomic():
            card = Scorecard.objects.create(
                application=interview.application,
                interview=interview,
                author=actor,
                rating=rating,
                recommendation=recommendation,
                notes=notes,
                created_at=now,
                updated_at=now,
            )
    except IntegrityError:  # the same person's other tab got there first
        card = Scorecard.objects.get(interview=interview, author=actor)
        return _scorecard_write(card, rating=rating, recommendation=recommendation, notes=notes)
    activity_record(
        kind=ActivityKind.SCORECARD_ADDED,
        candidate=interview.application.candidate,
        actor=actor,
        summary=f"Feedback on {interview.title} for {interview.application.job.title}",
        target=card,
        data={"interview": interview.pk, "job": interview.application.job_id},
        confidential=True,
    )
    return card


@transaction.atomic
def scorecard_update(
    *, actor: User, scorecard: Scorecard, rating: int, recommendation: str, notes: str = ""
) -> Scorecard:
    """Change one's own scorecard."""
    card = (
        Scorecard.objects.select_for_update()
        .select_related("application__job")
        .get(pk=scorecard.pk)
    )
    if card.author_id != actor.pk or not may_see_feedback(actor, card.application.job):
        raise PermissionDenied("Only its author can change a scorecard.")
    notes = _check_score(rating, recommendation, notes)
    return _scorecard_write(card, rating=rating, recommendation=recommendation, notes=notes)


def _scorecard_write(card: Scorecard, *, rating: int, recommendation: str, notes: str) -> Scorecard:
    card.rating, card.recommendation, card.notes = rating, recommendation, notes
    card.updated_at = timezone.now()
    card.save(update_fields=["rating", "recommendation", "notes", "updated_at"])
    return card
