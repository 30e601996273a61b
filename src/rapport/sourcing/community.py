"""The talent community: people who ask, on a public page, to hear from us.

A sign-up (`signup_submit`) is kept as a CommunitySignup and its
confirmation email is queued; nothing enters the talent pool until the
person opens the link in that email and confirms (`signup_confirm`,
double opt-in). Confirming creates the candidate, or fills in the one their
address already names (`identity.find_exact`: never a duplicate, nothing
already known overwritten), records their consent to the version of the
privacy notice they read, puts them in the pool their link was for, and
keeps what they are interested in with their preferences.

- **The link.** Its token is derived, under a key drawn from the secret
  key, from the sign-up's id and the instant it was made, and only its
  SHA-256 is stored: nobody who reads the database can confirm on anyone's
  behalf, and the worker can write the same email again after a crash (a
  repeat carries the same link and Message-ID). It works for
  CONFIRM_HOURS, once.
- **The confirmation email** is a task row written in the sign-up's own
  transaction and sent by the worker through the outbox's SMTP transport,
  retried when the server defers it. It is not a row of the outbox itself:
  an outbox Message belongs to a candidate, and until they confirm, the
  person is not one. An address on the suppression list is not mailed.
- **The same answer for everyone.** The page and the email read the same
  whether or not the address is already known, and an address signed up
  too often lately gets the same page with nothing sent.
- **Rate limits.** CLIENT_LIMIT sign-ups per CLIENT_WINDOW from one client
  (a keyed digest of its IP address, an IPv6 one by its /64; the address
  itself is never stored), EMAIL_LIMIT per EMAIL_WINDOW for one address.
  A honeypot field catches most robots before that (see community_views).
- **A chosen pool.** A recruiter hands out /join/<pool token>/, where the
  token is the pool's id and a signature over it, so nobody can make a link
  into a pool they guessed. The public page never shows the pool's name.
- **Clean-up.** Sign-ups never confirmed, and their résumés, are deleted
  PURGE_AFTER their link expired (`signups_purge`, daily).
"""

from __future__ import annotations

import base64
import datetime as dt
import email.policy
import hashlib
import hmac
import ipaddress
import logging
import secrets
from dataclasses import asdict, dataclass
from email.message import EmailMessage
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from rapport.accounts.models import Capability
from rapport.core.activity import activity_record
from rapport.core.contacts import normalize_email
from rapport.core.models import ActivityKind
from rapport.outreach import delivery, mime, policy, tokens
from rapport.outreach import services as outreach
from rapport.outreach.models import Suppression
from rapport.outreach.smtp import Deferred, Rejected
from rapport.people.models import Candidate, Pool
from rapport.people.services import (
    CandidateFields,
    candidate_fill,
    candidate_intake,
    candidate_reindex,
    pool_join,
)
from rapport.privacy.models import PrivacyNotice
from rapport.privacy.services import consent_record
from rapport.sourcing import resume_services, resumes
from rapport.sourcing.identity import Keys, find_exact
from rapport.sourcing.models import CommunitySignup, Resume

if TYPE_CHECKING:
    from rapport.accounts.models import User
    from rapport.outreach.smtp import CaptureTransport, SmtpTransport

logger = logging.getLogger(__name__)

SOURCE = "talent-community"  # the candidate's source, as the candidate form names it
CONFIRM_HOURS = 48
CLIENT_LIMIT, CLIENT_WINDOW = 10, dt.timedelta(hours=1)
EMAIL_LIMIT, EMAIL_WINDOW = 3, dt.timedelta(hours=24)
PURGE_AFTER = dt.timedelta(days=7)
RETRY_DELAYS = [60, 300, 900, 3600, 3 * 3600, 6 * 3600]  # seconds, while the link still works

CONFIRM_PURPOSE = "rapport.sourcing.community-confirm"
CLIENT_PURPOSE = "rapport.sourcing.community-client"
POOL_PURPOSE = "rapport.sourcing.community-pool"


class Throttled(Exception):
    """This client signed up too often lately."""

    def __init__(self, window: dt.timedelta) -> None:
        self.seconds = int(window.total_seconds())
        super().__init__(f"Too many sign-ups; try again in {self.seconds // 60} minutes.")


class LinkProblem(Exception):
    """A confirmation link that cannot confirm: `unknown`, `expired` or `used`."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class Interests:
    """What the person said they are interested in (all free text)."""

    roles: str = ""
    departments: str = ""
    locations: str = ""

    @classmethod
    def of(cls, data: dict[str, Any]) -> Interests:
        return cls(**{k: str(data.get(k, ""))[:200] for k in ("roles", "departments", "locations")})

    def as_json(self) -> dict[str, str]:
        return {k: v for k, v in asdict(self).items() if v}

    def lines(self) -> list[tuple[str, str]]:
        labels = (("Roles", self.roles), ("Teams", self.departments), ("Places", self.locations))
        return [(label, value) for label, value in labels if value]


@dataclass(frozen=True)
class SignupRequest:
    first_name: str
    last_name: str
    email: str
    interests: Interests
    notice: PrivacyNotice
    pool: Pool | None = None
    resume: UploadedFile | None = None
    client: str = ""  # client_digest() of where the request came from


@dataclass(frozen=True)
class Welcome:
    candidate: Candidate
    first_name: str
    preferences_path: str


# --- keys, digests and links


def _key(purpose: str) -> bytes:
    return hashlib.sha256(f"{purpose}:{settings.SECRET_KEY}".encode()).digest()


def client_digest(ip: str | None) -> str:
    """A keyed digest of the client's address, for the rate limits. An IPv6
    address counts by its /64, the block one home or machine usually has."""
    if not ip:
        return ""
    key = ip
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        pass
    else:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is None:
            key = str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
        elif isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            key = str(address.ipv4_mapped)
    return hmac.new(_key(CLIENT_PURPOSE), key.encode(), hashlib.sha256).hexdigest()


def confirmation_token(signup: CommunitySignup) -> str:
    moment = int(signup.created_at.timestamp() * 1_000_000)
    value = f"{signup.pk}:{moment}:{signup.email}".encode()
    digest = hmac.new(_key(CONFIRM_PURPOSE), value, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def confirmation_url(signup: CommunitySignup) -> str:
    return settings.BASE_URL + reverse("community_confirm", args=[confirmation_token(signup)])


def pool_token(pool: Pool) -> str:
    text = format(pool.pk, "x")
    return f"{text}-{tokens.signature(text, POOL_PURPOSE)}"


def pool_from_token(token: str) -> Pool | None:
    """The pool a signed link is for; None when the signature fails or the
    pool is gone or archived."""
    text, _, signature = token.partition("-")
    if not text or not hmac.compare_digest(signature, tokens.signature(text, POOL_PURPOSE)):
        return None
    try:
        pk = int(text, 16)
    except ValueError:
        return None
    return Pool.objects.filter(pk=pk, archived_at__isnull=True).first()


def join_url(pool: Pool | None = None) -> str:
    """The public sign-up page, for everyone or for one pool."""
    if pool is None:
        return settings.BASE_URL + reverse("community_join")
    return settings.BASE_URL + reverse("community_join_pool", args=[pool_token(pool)])


# --- résumés sent with a sign-up or a referral


def resume_read(*, upload: UploadedFile, candidate: Candidate | None, by: User | None) -> Resume:
    """Store and read the file with the résumé reader (resume_services), which
    judges a file by its bytes and refuses what it cannot read safely. Its
    refusal comes back as an error on the form's `resume` field."""
    name = resume_services.display_name(upload.name or "")
    if (upload.size or 0) > resumes.MAX_BYTES:
        raise ValidationError(
            {
                "resume": [
                    f"{name} is {resumes.megabytes(upload.size or 0)}; a CV may be at most "
                    f"{resumes.megabytes(resumes.MAX_BYTES)}."
                ]
            }
        )
    upload.seek(0)
    data = upload.read(resumes.MAX_BYTES + 1)
    try:
        return resume_services.resume_store(
            data=data, name=name, candidate=candidate, uploaded_by=by
        )
    except resumes.ResumeRejected as exc:
        raise ValidationError({"resume": [exc.reason]}) from None


# --- signing up


def signup_submit(
    *, request: SignupRequest, now: dt.datetime | None = None
) -> CommunitySignup | None:
    """Keep the sign-up and queue its confirmation email, in one transaction.

    Raises Throttled when this client signed up too often lately. Returns
    None, having kept nothing, when this address did: the page then says
    the same as for any sign-up, so it tells nobody about the address."""
    now = now or timezone.now()
    address = normalize_email(request.email)
    if request.client:
        recent = CommunitySignup.objects.filter(
            client_digest=request.client, created_at__gte=now - CLIENT_WINDOW
        )
        if recent.count() >= CLIENT_LIMIT:
            raise Throttled(CLIENT_WINDOW)
    if (
        CommunitySignup.objects.filter(email=address, created_at__gte=now - EMAIL_WINDOW).count()
        >= EMAIL_LIMIT
    ):
        logger.info("Talent community: a sign-up for an address signed up too often lately.")
        return None
    interests = request.interests.as_json() | ({"pool": request.pool.pk} if request.pool else {})
    with transaction.atomic():
        resume = (
            resume_read(upload=request.resume, candidate=None, by=None) if request.resume else None
        )
        signup = CommunitySignup.objects.create(
            email=address,
            first_name=request.first_name.strip()[:100],
            last_name=request.last_name.strip()[:100],
            interests=interests,
            resume=resume,
            notice=request.notice,
            token_digest=secrets.token_hex(32),  # replaced below, once the id is known
            source=SOURCE,
            client_digest=request.client,
            created_at=now,
        )
        signup.token_digest = token_digest(confirmation_token(signup))
        signup.save(update_fields=["token_digest"])
        confirmation_queue(signup.pk)
    return signup


def confirmation_queue(signup_id: int, *, attempt: int = 0, delay: int = 0) -> None:
    """A task row, written in the caller's transaction (the database is the
    queue): the sign-up and its email are kept together or not at all."""
    from rapport.sourcing.community_tasks import community_confirmation_send

    task = community_confirmation_send
    if delay:
        task = task.using(run_after=timezone.now() + dt.timedelta(seconds=delay))
    task.enqueue(signup_id=signup_id, attempt=attempt)


def _expired(signup: CommunitySignup, now: dt.datetime) -> bool:
    return signup.created_at + dt.timedelta(hours=CONFIRM_HOURS) < now


def confirmation_email(signup: CommunitySignup) -> mime.Envelope:
    """The confirmation email as it goes over SMTP: text and HTML, from
    RAPPORT_FROM_EMAIL, marked as automatic so that out-of-office replies
    stay away, DKIM-signed like the outbox's mail when a key is set."""
    context = {
        "first_name": signup.first_name,
        "link": confirmation_url(signup),
        "hours": CONFIRM_HOURS,
        "privacy_url": settings.BASE_URL + reverse("privacy_notice"),
    }
    message = EmailMessage(
        policy=email.policy.SMTP if signup.email.isascii() else email.policy.SMTPUTF8
    )
    message["From"] = settings.DEFAULT_FROM_EMAIL
    message["To"] = signup.email
    message["Subject"] = render_to_string("sourcing/community_email_subject.txt", context).strip()
    message["Date"] = format_datetime(timezone.now())
    message_key = tokens.signature(str(signup.pk), CONFIRM_PURPOSE)[:16]
    message["Message-ID"] = f"<community.{signup.pk}.{message_key}@{mime.domain()}>"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(render_to_string("sourcing/community_email.txt", context))
    message.add_alternative(
        render_to_string("sourcing/community_email.html", context), subtype="html"
    )
    data = mime._signed(message.as_bytes())  # the outbox's DKIM signing, so both sign alike
    return mime.Envelope(sender=str(settings.BOUNCE_ADDRESS), recipient=signup.email, data=data)


def confirmation_deliver(
    *, signup_id: int, attempt: int = 0, via: SmtpTransport | CaptureTransport | None = None
) -> str:
    """Send one sign-up's confirmation email (the task's work); what became
    of it. Sending twice sends the same message, with the same link."""
    signup = CommunitySignup.objects.filter(pk=signup_id).first()
    if signup is None or signup.confirmed_at is not None:
        return "gone"
    if _expired(signup, timezone.now()):
        return "expired"
    if Suppression.objects.filter(digest=policy.address_digest(signup.email)).exists():
        logger.info(
            "Talent community: sign-up %s is for a suppressed address; not mailed.", signup.pk
        )
        return "suppressed"
    transport = via or delivery.transport()
    try:
        if transport.captures:
            logger.warning(
                "Talent community: sign-up %s was not mailed its confirmation: no mail server "
                "is configured (RAPPORT_EMAIL_URL).",
                signup.pk,
            )
            return "captured"
        transport.send(confirmation_email(signup))
    except Deferred as exc:
        if attempt < len(RETRY_DELAYS):
            confirmation_queue(signup.pk, attempt=attempt + 1, delay=RETRY_DELAYS[attempt])
            logger.info("Talent community: sign-up %s deferred (%s); will retry.", signup.pk, exc)
            return "deferred"
        logger.warning("Talent community: sign-up %s could not be mailed: %s", signup.pk, exc)
        return "failed"
    except Rejected as exc:
        logger.warning("Talent community: sign-up %s was refused: %s", signup.pk, exc)
        return "rejected"
    finally:
        if via is None:
            transport.close()
    return "sent"


# --- confirming


def signup_check(*, token: str, now: dt.datetime | None = None) -> CommunitySignup:
    """The sign-up this link confirms, or LinkProblem."""
    signup = CommunitySignup.objects.filter(token_digest=token_digest(token)).first()
    return _usable(signup, now or timezone.now())


def _usable(signup: CommunitySignup | None, now: dt.datetime) -> CommunitySignup:
    if signup is None:
        raise LinkProblem("unknown")
    if signup.confirmed_at is not None:
        raise LinkProblem("used")
    if _expired(signup, now):
        raise LinkProblem("expired")
    return signup


def signup_confirm(*, token: str, now: dt.datetime | None = None) -> Welcome:
    """Confirm the sign-up: the person, from now on a candidate, in one
    transaction with their consent, pool, preferences and timeline."""
    now = now or timezone.now()
    with transaction.atomic():
        found = (
            CommunitySignup.objects.select_for_update()
            .select_related("notice")
            .filter(token_digest=token_digest(token))
            .first()
        )
        signup = _usable(found, now)
        interests = Interests.of(signup.interests)
        candidate = _candidate_for(signup, interests)
        if signup.resume_id is not None:
            _resume_attach(signup.resume_id, candidate)
        consent_record(candidate=candidate, notice=signup.notice, source=SOURCE)
        pool_id = signup.interests.get("pool")
        pool = (
            Pool.objects.filter(pk=pool_id, archived_at__isnull=True).first() if pool_id else None
        )
        if pool is not None:
            pool_join(pool=pool, candidate=candidate, by=None)
        _keep_preferences(candidate, interests)
        signup.confirmed_at, signup.candidate = now, candidate
        signup.save(update_fields=["confirmed_at", "candidate"])
    path = reverse("public_preferences", args=[tokens.candidate_token(candidate.pk)])
    return Welcome(candidate=candidate, first_name=signup.first_name, preferences_path=path)


def _candidate_for(signup: CommunitySignup, interests: Interests) -> Candidate:
    """The candidate this address names, filled in; or a new one."""
    data = CandidateFields(first_name=signup.first_name, last_name=signup.last_name, source=SOURCE)
    note = _interest_note(interests)
    for _ in range(2):
        match = find_exact([Keys(emails=[signup.email])])[0]
        if match.candidate_id is not None:
            candidate = Candidate.objects.get(pk=match.candidate_id)
            candidate_fill(candidate=candidate, data=data, by=None, note=note)
            return candidate
        try:
            with transaction.atomic():
                return candidate_intake(
                    data=data, emails=[signup.email], by=None,
                    summary="Joined the talent community", note=note,
                )  # fmt: skip
        except (IntegrityError, ValidationError):
            # The same address confirmed a moment ago by another sign-up:
            # look again, and fill in the candidate that one made.
            continue
    raise ValidationError("This sign-up could not be confirmed; please try again.")


def _resume_attach(resume_id: int, candidate: Candidate) -> None:
    """The CV sent with the sign-up becomes the candidate's, and searchable."""
    resume = Resume.objects.filter(pk=resume_id, candidate__isnull=True).first()
    if resume is None:
        return
    resume.candidate = candidate
    resume.save(update_fields=["candidate"])
    activity_record(
        kind=ActivityKind.CANDIDATE_UPDATED, candidate=candidate, actor=None,
        summary=f"Sent a CV with their sign-up ({resume.original_name})", target=resume,
        data={"fields": ["resume"]},
    )  # fmt: skip
    candidate_reindex(candidate_ids=[candidate.pk])


def _interest_note(interests: Interests) -> str:
    """A note on the candidate (searchable, on their timeline). What they
    typed is escaped: it reads as text, never as a link or markup."""
    if not interests.lines():
        return ""
    items = "\n".join(f"- {label}: {_escape(value)}" for label, value in interests.lines())
    return f"Joined the talent community, interested in:\n\n{items}"


def _escape(text: str) -> str:
    special = "\\`*_{}[]()<>#+-.!|~"
    return "".join(f"\\{c}" if c in special else c for c in " ".join(text.split()))


def _keep_preferences(candidate: Candidate, interests: Interests) -> None:
    """Joining is asking to hear from us: subscribed again if they had
    unsubscribed, and what they are interested in shown in their preference
    centre, where they can change it. Someone who asked to hear nothing
    more at all stays so (a new sign-up is never mailed to them anyway)."""
    roles = "; ".join(v for v in (interests.roles, interests.departments) if v)
    preference = outreach.preference_of(candidate)
    if preference.left_at is not None:
        return
    if not (roles or interests.locations or preference.unsubscribed_at):
        return
    today = timezone.localdate()
    paused = preference.paused_until
    choice = outreach.PreferenceChoice(
        subscribed=True,
        frequency=preference.frequency,
        topics_declined=tuple(preference.topics_declined.values_list("pk", flat=True)),
        paused_until=paused if paused is not None and paused >= today else None,
        roles=roles or preference.roles,
        locations=interests.locations or preference.locations,
    )
    outreach.preferences_update(candidate=candidate, choice=choice)


# --- clean-up


def signups_purge(*, now: dt.datetime | None = None) -> int:
    """Delete sign-ups never confirmed, with their résumés, PURGE_AFTER their
    link expired: nobody asked us to keep them. (A résumé's file leaves
    storage with its row, once the deletion commits: resume_file_forget.)"""
    cutoff = (now or timezone.now()) - dt.timedelta(hours=CONFIRM_HOURS) - PURGE_AFTER
    stale = CommunitySignup.objects.filter(confirmed_at__isnull=True, created_at__lt=cutoff)
    with transaction.atomic():
        resume_ids = list(stale.exclude(resume=None).values_list("resume_id", flat=True))
        count, _ = stale.delete()
        Resume.objects.filter(pk__in=resume_ids, candidate__isnull=True).delete()
    return int(count)


# --- reads, for the team


@dataclass(frozen=True)
class Overview:
    waiting: int
    confirmed: int
    expired: int
    recent: list[CommunitySignup]


def overview(user: User, *, days: int = 30, now: dt.datetime | None = None) -> Overview:
    """Sign-ups of the last `days`, for people who see the whole talent pool
    (anyone else gets a 404)."""
    if not user.can(Capability.SEE_ALL_CANDIDATES):
        raise Http404("No such page.")
    now = now or timezone.now()
    since = now - dt.timedelta(days=days)
    live = now - dt.timedelta(hours=CONFIRM_HOURS)
    counts = CommunitySignup.objects.filter(created_at__gte=since).aggregate(
        confirmed=Count("pk", filter=Q(confirmed_at__isnull=False)),
        waiting=Count("pk", filter=Q(confirmed_at__isnull=True, created_at__gte=live)),
        expired=Count("pk", filter=Q(confirmed_at__isnull=True, created_at__lt=live)),
    )
    recent = list(
        CommunitySignup.objects.filter(confirmed_at__isnull=False, candidate__isnull=False)
        .select_related("candidate", "notice")
        .order_by("-confirmed_at")[:50]
    )
    return Overview(recent=recent, **counts)
