"""Every write of outreach: templates, campaigns, one-to-one mail, the
candidate's preferences, suppression and bounces. Each function checks what
the actor may do, runs in one transaction and records its Activity there.
Sequences have theirs in outreach.sequences."""

from __future__ import annotations

import dataclasses
import datetime as dt
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import psycopg
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django.db.models import QuerySet
from django.utils import timezone

from rapport.accounts.models import Capability
from rapport.core.activity import activity_record
from rapport.core.contacts import normalize_email
from rapport.core.models import ActivityKind
from rapport.outreach import merge, mime, policy, rendering
from rapport.outreach.models import (
    PENDING,
    Campaign,
    CampaignStatus,
    Message,
    MessageKind,
    MessageStatus,
    Preference,
    SendingPolicy,
    Suppression,
    SuppressionReason,
    Template,
    Topic,
)
from rapport.people.models import Candidate, ContactKind, Pool, PoolMembership
from rapport.people.services import require

if TYPE_CHECKING:
    from rapport.accounts.models import User
    from rapport.search.models import Segment

QUEUE_BATCH = 500
INSERT_ROWS = 500  # rows per INSERT: 500 x 24 parameters stays under SQLite's limit


# --- templates


def template_check(*, subject: str, body: str) -> rendering.Compiled:
    """Refuse a template that would fail for anyone: bad syntax, an unknown
    field, anything the sandbox does not allow, or an error when rendered
    with every field filled in."""
    try:
        compiled = rendering.compile_template(subject, body)
        rendering.render(compiled, merge.sample_context())
    except rendering.TemplateProblem as exc:
        raise ValidationError({exc.part: [str(exc)]}) from None
    return compiled


def template_create(
    *, actor: User, name: str, subject: str, body: str, kind: str = MessageKind.NURTURE,
    topic: Topic | None = None,
) -> Template:  # fmt: skip
    require(actor, Capability.MANAGE_OUTREACH)
    name = name.strip()
    _template_name_free(name)
    template_check(subject=subject, body=body)
    return Template.objects.create(
        name=name, subject=subject.strip(), body=body, kind=kind, topic=topic, created_by=actor
    )


def template_update(
    *, actor: User, template: Template, name: str, subject: str, body: str, kind: str,
    topic: Topic | None,
) -> Template:  # fmt: skip
    require(actor, Capability.MANAGE_OUTREACH)
    name = name.strip()
    _template_name_free(name, exclude=template.pk)
    template_check(subject=subject, body=body)
    template.name, template.subject, template.body = name, subject.strip(), body
    template.kind, template.topic = kind, topic
    template.updated_at = timezone.now()
    template.save()
    return template


def template_archive(*, actor: User, template: Template) -> None:
    require(actor, Capability.MANAGE_OUTREACH)
    template.archived_at = timezone.now()
    template.save(update_fields=["archived_at"])


def _template_name_free(name: str, *, exclude: int | None = None) -> None:
    if not name:
        raise ValidationError({"name": ["Give the template a name."]})
    same = Template.objects.filter(name__iexact=name)
    if exclude is not None:
        same = same.exclude(pk=exclude)
    if same.exists():
        raise ValidationError({"name": [f"A template called {name!r} already exists."]})


def preview(
    *, template_subject: str, template_body: str, candidate: Candidate, sender: User
) -> rendering.Rendered:
    """The message `candidate` would get (raises ValidationError)."""
    compiled = template_check(subject=template_subject, body=template_body)
    recipient = merge.recipients([candidate], sender=sender)[0]
    try:
        return rendering.render(compiled, recipient.context)
    except rendering.TemplateProblem as exc:
        raise ValidationError({exc.part: [f"For {candidate.full_name}: {exc}"]}) from None


# --- writing messages


@dataclass(frozen=True)
class Origin:
    """What a message belongs to, and who it is from."""

    kind: str
    sender: User
    author: User | None = None  # a person who wrote it by hand (one-to-one)
    template: Template | None = None
    campaign: Campaign | None = None
    topic_id: int | None = None
    window: policy.Window | None = None


def message_fields(
    recipient: merge.Recipient,
    compiled: rendering.Compiled,
    *,
    origin: Origin,
    key: str,
    due_at: dt.datetime,
) -> dict[str, Any]:
    """The columns of an outbox row for one recipient, rendered. A render
    error or a missing address makes a row that is already held back, with
    the reason."""
    status, reason, detail = MessageStatus.QUEUED, "", ""
    try:
        rendered = rendering.render(compiled, recipient.context)
    except rendering.TemplateProblem as exc:
        rendered = rendering.Rendered(subject="", text="", html="")
        status, reason, detail = MessageStatus.SUPPRESSED, "template_error", str(exc)[:500]
    if not recipient.email and status == MessageStatus.QUEUED:
        status, reason = MessageStatus.SUPPRESSED, "no_address"
    sender = merge.sender_fields(origin.sender)
    return {
        "candidate_id": recipient.candidate_id,
        "kind": origin.kind,
        "campaign_id": origin.campaign.pk if origin.campaign else None,
        "template_id": origin.template.pk if origin.template else None,
        "topic_id": origin.topic_id,
        "author_id": origin.author.pk if origin.author else None,
        "key": key,
        "message_id": mime.new_message_id(),
        "from_name": sender["name"],
        "from_email": sender["email"],
        "to_email": recipient.email,
        "subject": rendered.subject[:300],
        "body_text": rendered.text,
        "body_html": rendered.html,
        "status": status,
        "reason": reason,
        "detail": detail,
        "due_at": due_at,
    }


def message_build(
    recipient: merge.Recipient,
    compiled: rendering.Compiled,
    *,
    origin: Origin,
    key: str,
    due_at: dt.datetime,
    extra: dict[str, Any] | None = None,
) -> Message:
    """An unsaved outbox row (see message_fields)."""
    fields = message_fields(recipient, compiled, origin=origin, key=key, due_at=due_at)
    return Message(**fields, **(extra or {}))


def messages_insert(rows: Sequence[dict[str, Any]]) -> int:
    """Write many outbox rows in one statement per batch, skipping any whose
    key was written before (a second run of the same send writes nothing).
    Plain SQL: building a model and compiling an INSERT for each of a
    hundred thousand rows is most of the cost of queueing a campaign."""
    if not rows:
        return 0
    now = timezone.now()
    defaults = {
        "attempts": 0,
        "lease_owner": "",
        "in_reply_to": "",
        "references": "",
        "created_at": now,
    }
    names = [*rows[0], *defaults]
    quote = connection.ops.quote_name
    dates = {"due_at", "created_at"}
    adapt = connection.ops.adapt_datetimefield_value
    table = quote(Message._meta.db_table)
    columns = ", ".join(quote(n) for n in names)
    if connection.vendor == "postgresql":
        return _messages_insert_arrays(rows, names, defaults, table=table, columns=columns)
    row_marks = "(" + ", ".join(["%s"] * len(names)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), INSERT_ROWS):
            chunk = rows[start : start + INSERT_ROWS]
            params = [
                adapt(v) if n in dates else v
                for row in chunk
                for n, v in zip(names, (*row.values(), *defaults.values()), strict=True)
            ]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([row_marks] * len(chunk))} "  # noqa: S608
                "ON CONFLICT DO NOTHING",
                params,
            )
    return len(rows)


def _messages_insert_arrays(
    rows: Sequence[dict[str, Any]], names: list[str], defaults: dict[str, Any], *, table: str,
    columns: str,
) -> int:  # fmt: skip
    """PostgreSQL: one array per column, unnested into rows. The statement
    keeps one placeholder per column however many rows it carries; with one
    per value, the driver spent more time finding the placeholders of each
    statement than the server took to insert its rows. The arrays go to the
    server bound and in binary (%b): quoted into the statement as text, the
    way Django's cursor binds, they cost five times as much to write out."""
    # Arrays of text, not varchar(n): a cast to varchar(n) would cut a long
    # value short where an insert refuses it.
    fields = {f.attname: f for f in Message._meta.concrete_fields}
    types = [fields[n].db_type(connection) or "text" for n in names]
    arrays = ", ".join(f"%b::{'text' if t.startswith('varchar') else t}[]" for t in types)
    with _binding_cursor() as cursor:
        for start in range(0, len(rows), INSERT_ROWS):
            chunk = rows[start : start + INSERT_ROWS]
            params = [[row[n] for row in chunk] for n in rows[0]]
            params += [[value] * len(chunk) for value in defaults.values()]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({arrays}) "  # noqa: S608
                "ON CONFLICT DO NOTHING",
                params,
            )
    return len(rows)


def _binding_cursor() -> CursorWrapper:
    """A cursor of Django's connection, in its transaction and seen by its
    query logging, that has the server bind the parameters."""
    connection.ensure_connection()
    bound = psycopg.Cursor(connection.connection)
    wrapper = CursorDebugWrapper if connection.queries_logged else CursorWrapper
    return wrapper(bound, connection)


def email_send(
    *,
    actor: User,
    candidate: Candidate,
    subject: str,
    body: str,
    template: Template | None = None,
    in_reply_to: str = "",
    references: str = "",
    to: str = "",
) -> Message:
    """A one-to-one email from `actor`, through the outbox, due now; with
    `in_reply_to`, an answer in that thread; with `to`, to that one of the
    candidate's addresses instead of their primary one."""
    require(actor, Capability.SEND_EMAIL)
    compiled = template_check(subject=subject, body=body)
    recipient = merge.recipients([candidate], sender=actor)[0]
    if to and to.lower() != recipient.email:
        if not candidate.contacts.filter(kind=ContactKind.EMAIL, value=to.lower()).exists():
            raise ValidationError({"to": [f"{to} is not an address of {candidate.full_name}."]})
        recipient = dataclasses.replace(recipient, email=to.lower())
    if not recipient.email:
        raise ValidationError({"to": [f"{candidate.full_name} has no email address."]})
    origin = Origin(kind=MessageKind.TRANSACTIONAL, sender=actor, author=actor, template=template)
    with transaction.atomic():
        message = message_build(
            recipient,
            compiled,
            origin=origin,
            key=f"d{mime.new_message_id()[1:33]}",
            due_at=timezone.now(),
            extra={"in_reply_to": in_reply_to, "references": references or in_reply_to},
        )
        if message.status != MessageStatus.QUEUED:
            raise ValidationError({"body": [message.detail or "This message cannot be sent."]})
        message.save()
    return message


# --- campaigns


def campaign_create(
    *, actor: User, name: str, template: Template, segment: Segment | None = None,
    pool: Pool | None = None, sender: User | None = None, window: policy.Window | None = None,
) -> Campaign:  # fmt: skip
    require(actor, Capability.MANAGE_OUTREACH)
    _campaign_fields(name=name, template=template, segment=segment, pool=pool)
    return Campaign.objects.create(
        name=name.strip(), template=template, segment=segment, pool=pool,
        sender=sender or actor, window=window.to_json() if window else None, created_by=actor,
    )  # fmt: skip


def campaign_update(
    *, actor: User, campaign: Campaign, name: str, template: Template,
    segment: Segment | None, pool: Pool | None, sender: User, window: policy.Window | None,
) -> Campaign:  # fmt: skip
    require(actor, Capability.MANAGE_OUTREACH)
    if campaign.status not in (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED):
        raise ValidationError({"name": ["A campaign that has started cannot be changed."]})
    _campaign_fields(name=name, template=template, segment=segment, pool=pool)
    campaign.name, campaign.template = name.strip(), template
    campaign.segment, campaign.pool, campaign.sender = segment, pool, sender
    campaign.window = window.to_json() if window else None
    campaign.save()
    return campaign


def _campaign_fields(
    *, name: str, template: Template, segment: Segment | None, pool: Pool | None
) -> None:
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = ["Give the campaign a name."]
    if (segment is None) == (pool is None):
        errors["audience"] = ["Choose a segment or a pool (one of them)."]
    if template.archived_at:
        errors["template"] = ["That template is archived."]
    if errors:
        raise ValidationError(errors)


def campaign_audience(campaign: Campaign) -> QuerySet[Candidate]:
    """Who the campaign goes to now: the segment as its author sees it, or the
    pool's members."""
    if campaign.segment_id:
        from rapport.search.selectors import candidate_search

        assert campaign.segment is not None and campaign.created_by is not None
        return candidate_search(campaign.created_by, query=campaign.segment.query).rows
    assert campaign.pool_id is not None
    return Candidate.objects.filter(pool_memberships__pool_id=campaign.pool_id)


def _audience_batches(campaign: Campaign, *, after: int = 0) -> Iterator[list[merge.Person]]:
    """The audience in id order, QUEUE_BATCH at a time, from after `after`.
    Who is in it is read once, as ids (8 bytes each), and each batch's
    columns by id: read from where the last batch ended, a segment's search
    or a pool's walk ran again for every batch, and PostgreSQL read the
    whole of a freshly filled pool each time, its statistics still seeing
    the pool as small."""
    ids = array("q", _audience_ids(campaign, after=after))
    for start in range(0, len(ids), QUEUE_BATCH):
        wanted = ids[start : start + QUEUE_BATCH].tolist()
        rows = Candidate.objects.filter(id__in=policy.any_of(wanted)).order_by("id")
        batch = [merge.Person(*row) for row in rows.values_list(*merge.CANDIDATE_COLUMNS)]
        if batch:  # empty when every one of them was deleted meanwhile
            yield batch


def _audience_ids(campaign: Campaign, *, after: int) -> QuerySet[Any, int]:
    if campaign.segment_id:
        rows = campaign_audience(campaign).filter(id__gt=after).order_by("id")
        return rows.values_list("id", flat=True)
    assert campaign.pool_id is not None
    members = PoolMembership.objects.filter(pool_id=campaign.pool_id, candidate_id__gt=after)
    return members.order_by("candidate_id").values_list("candidate_id", flat=True)


@dataclass
class Preview:
    """What launching a campaign now would do."""

    total: int = 0
    now: int = 0
    later: Counter[str] = field(default_factory=Counter)
    held: Counter[str] = field(default_factory=Counter)

    @property
    def will_receive(self) -> int:
        return self.now + sum(self.later.values())

    @property
    def held_total(self) -> int:
        return sum(self.held.values())

    @property
    def waiting(self) -> list[tuple[str, int]]:
        """(what they wait for, how many), most first."""
        return [(policy.REASONS.get(r, r), n) for r, n in self.later.most_common()]

    @property
    def held_back(self) -> list[tuple[str, int]]:
        return [(policy.REASONS.get(r, r), n) for r, n in self.held.most_common()]


def campaign_preview(campaign: Campaign, *, at: dt.datetime | None = None) -> Preview:
    """Who will receive the campaign and who is held back by which policy,
    decided by the same rules the worker applies when it sends."""
    at = at or campaign.scheduled_at or timezone.now()
    result = Preview()
    window = policy.Window.from_json(campaign.window)
    topic_id = campaign.template.topic_id
    sending_policy = policy.organisation_policy()
    for batch in _audience_batches(campaign):
        emails = merge.primary_emails([c.pk for c in batch])
        facts = policy.facts_for(
            [c.pk for c in batch], emails.values(), now=at, policy=sending_policy
        )
        for candidate in batch:
            verdict = policy.decide(
                facts, candidate_id=candidate.pk, address=emails.get(candidate.pk, ""),
                kind=campaign.template.kind, topic_id=topic_id, window=window,
            )  # fmt: skip
            result.total += 1
            if verdict.send:
                result.now += 1
            elif verdict.held:
                result.held[verdict.reason] += 1
            else:
                result.later[verdict.reason] += 1
    return result


def campaign_launch(*, actor: User, campaign: Campaign, at: dt.datetime | None = None) -> Campaign:
    """Send now (`at` empty) or schedule. The messages are written by a task."""
    require(actor, Capability.MANAGE_OUTREACH)
    if campaign.status not in (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED):
        raise ValidationError(
            {"status": [f"This campaign is {campaign.get_status_display().lower()}."]}
        )
    template_check(subject=campaign.template.subject, body=campaign.template.body)
    now = timezone.now()
    with transaction.atomic():
        if at is not None and at > now:
            campaign.status, campaign.scheduled_at = CampaignStatus.SCHEDULED, at
            campaign.save(update_fields=["status", "scheduled_at"])
            return campaign
        campaign.status, campaign.started_at = CampaignStatus.QUEUEING, now
        campaign.save(update_fields=["status", "started_at"])
        _enqueue_campaign(campaign)
    return campaign


def _enqueue_campaign(campaign: Campaign) -> None:
    from rapport.outreach.tasks import campaign_queue

    pk = campaign.pk
    transaction.on_commit(lambda: campaign_queue.enqueue(campaign_id=pk))


def campaign_start_due(*, now: dt.datetime | None = None) -> int:
    """Start the scheduled campaigns whose time has come (the clock calls this)."""
    now = now or timezone.now()
    started = 0
    for pk in Campaign.objects.filter(
        status=CampaignStatus.SCHEDULED, scheduled_at__lte=now
    ).values_list("pk", flat=True):
        with transaction.atomic():
            if Campaign.objects.filter(pk=pk, status=CampaignStatus.SCHEDULED).update(
                status=CampaignStatus.QUEUEING, started_at=now
            ):
                _enqueue_campaign(Campaign(pk=pk))
                started += 1
    return started


def campaign_queue_messages(campaign: Campaign) -> int:
    """Write one message per recipient, carrying on after the last candidate
    written (a second run writes nothing twice: keys are unique)."""
    compiled = rendering.compile_template(campaign.template.subject, campaign.template.body)
    window = policy.Window.from_json(campaign.window)
    sending_policy = policy.organisation_policy()
    origin = Origin(
        kind=campaign.template.kind, sender=campaign.sender, template=campaign.template,
        campaign=campaign, topic_id=campaign.template.topic_id, window=window,
    )  # fmt: skip
    written = 0
    for batch in _audience_batches(campaign, after=campaign.queued_through):
        campaign.refresh_from_db(fields=["status"])
        if campaign.status == CampaignStatus.CANCELLED:
            return written
        paused = campaign.status == CampaignStatus.PAUSED
        rows = _campaign_rows(batch, compiled, origin=origin, policy_=sending_policy, paused=paused)
        with transaction.atomic():
            messages_insert(rows)
            Campaign.objects.filter(pk=campaign.pk).update(queued_through=batch[-1].pk)
        campaign.queued_through = batch[-1].pk
        written += len(rows)
    Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.QUEUEING).update(
        status=CampaignStatus.SENDING, queued_at=timezone.now()
    )
    Campaign.objects.filter(pk=campaign.pk, queued_at__isnull=True).update(queued_at=timezone.now())
    return written


def _campaign_rows(
    batch: Sequence[merge.Person], compiled: rendering.Compiled, *, origin: Origin,
    policy_: SendingPolicy, paused: bool,
) -> list[dict[str, Any]]:  # fmt: skip
    assert origin.campaign is not None
    now = timezone.now()
    window = origin.window or policy.organisation_window(policy_)
    rows = []
    for recipient, candidate in zip(
        merge.recipients(batch, sender=origin.sender), batch, strict=True
    ):
        due = now
        if origin.kind == MessageKind.NURTURE:
            due = window.opens(now, policy.zone_of(candidate.timezone, policy_.fallback_timezone))
        row = message_fields(
            recipient,
            compiled,
            origin=origin,
            key=f"c{origin.campaign.pk}:{candidate.pk}",
            due_at=due,
        )
        if paused and row["status"] == MessageStatus.QUEUED:
            row["status"], row["reason"] = MessageStatus.PAUSED, "campaign_paused"
        rows.append(row)
    return rows


def campaign_pause(*, actor: User, campaign: Campaign) -> None:
    require(actor, Capability.MANAGE_OUTREACH)
    with transaction.atomic():
        if not Campaign.objects.filter(
            pk=campaign.pk, status__in=[CampaignStatus.QUEUEING, CampaignStatus.SENDING]
        ).update(status=CampaignStatus.PAUSED):
            raise ValidationError({"status": ["Only a campaign that is sending can be paused."]})
        campaign.messages.filter(status=MessageStatus.QUEUED).update(
            status=MessageStatus.PAUSED, reason="campaign_paused"
        )
    campaign.status = CampaignStatus.PAUSED


def campaign_resume(*, actor: User, campaign: Campaign) -> None:
    require(actor, Capability.MANAGE_OUTREACH)
    with transaction.atomic():
        fully_queued = Campaign.objects.filter(pk=campaign.pk, queued_at__isnull=False).exists()
        status = CampaignStatus.SENDING if fully_queued else CampaignStatus.QUEUEING
        if not Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.PAUSED).update(
            status=status
        ):
            raise ValidationError({"status": ["Only a paused campaign can be resumed."]})
        campaign.messages.filter(status=MessageStatus.PAUSED).update(
            status=MessageStatus.QUEUED, reason=""
        )
        if not fully_queued:
            _enqueue_campaign(campaign)
    campaign.status = status


def campaign_cancel(*, actor: User, campaign: Campaign) -> None:
    require(actor, Capability.MANAGE_OUTREACH)
    with transaction.atomic():
        if not Campaign.objects.filter(
            pk=campaign.pk,
            status__in=[
                CampaignStatus.SCHEDULED,
                CampaignStatus.QUEUEING,
                CampaignStatus.SENDING,
                CampaignStatus.PAUSED,
            ],
        ).update(status=CampaignStatus.CANCELLED, finished_at=timezone.now()):
            raise ValidationError({"status": ["This campaign has already ended."]})
        campaign.messages.filter(status__in=[MessageStatus.QUEUED, MessageStatus.PAUSED]).update(
            status=MessageStatus.CANCELLED, reason="cancelled"
        )
    campaign.status = CampaignStatus.CANCELLED


def campaigns_finish(*, now: dt.datetime | None = None) -> int:
    """Mark done the sending campaigns with nothing left to send."""
    done = 0
    for campaign in Campaign.objects.filter(status=CampaignStatus.SENDING, queued_at__isnull=False):
        if not campaign.messages.filter(status__in=PENDING).exists():
            done += Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.SENDING).update(
                status=CampaignStatus.DONE, finished_at=now or timezone.now()
            )
    return done


# --- the candidate's side: unsubscribe, preferences, leaving


def preference_of(candidate: Candidate) -> Preference:
    preference, _ = Preference.objects.get_or_create(candidate=candidate)
    return preference


def unsubscribe(*, candidate: Candidate, source: str) -> bool:
    """Stop nurture mail to `candidate` at once, queued mail included.
    Returns False when they were already unsubscribed."""
    from rapport.outreach.sequences import enrollments_stop

    with transaction.atomic():
        preference = preference_of(candidate)
        if preference.unsubscribed_at:
            return False
        preference.unsubscribed_at = preference.updated_at = timezone.now()
        preference.save(update_fields=["unsubscribed_at", "updated_at"])
        _hold_queued(candidate, reason="unsubscribed", kinds=[MessageKind.NURTURE])
        enrollments_stop(candidate=candidate, reason="unsubscribed")
        activity_record(
            kind=ActivityKind.UNSUBSCRIBED, candidate=candidate, actor=None,
            summary=f"Unsubscribed ({source})", data={"source": source},
        )  # fmt: skip
    return True


@dataclass(frozen=True)
class PreferenceChoice:
    """What the candidate chose in the preference centre."""

    subscribed: bool
    frequency: str
    topics_declined: tuple[int, ...] = ()
    paused_until: dt.date | None = None
    roles: str = ""
    locations: str = ""


def preferences_update(*, candidate: Candidate, choice: PreferenceChoice) -> Preference:
    from rapport.outreach.sequences import enrollments_stop

    today = timezone.now().date()
    if choice.paused_until is not None and choice.paused_until < today:
        raise ValidationError({"paused_until": ["Choose a date from today on."]})
    with transaction.atomic():
        preference = preference_of(candidate)
        was_subscribed = preference.unsubscribed_at is None
        now = timezone.now()
        preference.unsubscribed_at = (
            None if choice.subscribed else (preference.unsubscribed_at or now)
        )
        preference.frequency = choice.frequency
        preference.paused_until = choice.paused_until
        preference.roles, preference.locations = choice.roles[:300], choice.locations[:300]
        preference.updated_at = now
        preference.save()
        preference.topics_declined.set(Topic.objects.filter(pk__in=choice.topics_declined))
        if was_subscribed and not choice.subscribed:
            _hold_queued(candidate, reason="unsubscribed", kinds=[MessageKind.NURTURE])
            enrollments_stop(candidate=candidate, reason="unsubscribed")
            activity_record(kind=ActivityKind.UNSUBSCRIBED, candidate=candidate, actor=None, summary="Unsubscribed (preference centre)", data={"source": "preferences"})  # fmt: skip
        activity_record(
            kind=ActivityKind.PREFERENCES_UPDATED, candidate=candidate, actor=None,
            summary="Updated their email preferences",
            data={"frequency": choice.frequency, "subscribed": choice.subscribed,
                  "paused_until": choice.paused_until.isoformat() if choice.paused_until else None},
        )  # fmt: skip
    return preference


def leave(*, candidate: Candidate) -> None:
    """The candidate asked to hear nothing more: no mail of any kind, their
    addresses suppressed, queued mail held back, sequences stopped."""
    from rapport.outreach.sequences import enrollments_stop

    with transaction.atomic():
        preference = preference_of(candidate)
        now = timezone.now()
        preference.left_at = preference.left_at or now
        preference.unsubscribed_at = preference.unsubscribed_at or now
        preference.updated_at = now
        preference.save()
        for address in candidate.contacts.filter(kind=ContactKind.EMAIL).values_list(
            "value", flat=True
        ):
            _suppress(address, reason=SuppressionReason.LEFT)
        _hold_queued(
            candidate, reason="left", kinds=[MessageKind.NURTURE, MessageKind.TRANSACTIONAL]
        )
        enrollments_stop(candidate=candidate, reason="left")
        activity_record(
            kind=ActivityKind.UNSUBSCRIBED, candidate=candidate, actor=None,
            summary="Asked to hear nothing more", data={"source": "preferences", "left": True},
        )  # fmt: skip


def _hold_queued(candidate: Candidate, *, reason: str, kinds: Iterable[str]) -> int:
    return Message.objects.filter(
        candidate=candidate,
        kind__in=list(kinds),
        status__in=[MessageStatus.QUEUED, MessageStatus.PAUSED],
    ).update(status=MessageStatus.SUPPRESSED, reason=reason)


# --- suppression and bounces


def _suppress(address: str, *, reason: str, note: str = "", actor: User | None = None) -> bool:
    _, created = Suppression.objects.get_or_create(
        digest=policy.address_digest(address),
        defaults={"reason": reason, "note": note[:300], "created_by": actor},
    )
    return created


def suppression_add(*, actor: User, address: str, note: str = "") -> bool:
    """Never mail this address (nor import it again). False if it already was."""
    require(actor, Capability.MANAGE_OUTREACH)
    normalized = normalize_email(address, field="address")
    with transaction.atomic():
        created = _suppress(normalized, reason=SuppressionReason.MANUAL, note=note, actor=actor)
        Message.objects.filter(
            to_email=normalized, status__in=[MessageStatus.QUEUED, MessageStatus.PAUSED]
        ).update(status=MessageStatus.SUPPRESSED, reason="suppressed")
    return created


def suppression_remove(*, actor: User, address: str) -> bool:
    require(actor, Capability.MANAGE_OUTREACH)
    normalized = normalize_email(address, field="address")
    deleted, _ = Suppression.objects.filter(digest=policy.address_digest(normalized)).delete()
    return bool(deleted)


def bounce_record(*, message: Message, hard: bool, detail: str, reason: str) -> None:
    """A message bounced: on a hard bounce its address is suppressed and the
    candidate's sequences stop. Call inside the caller's transaction."""
    from rapport.outreach.sequences import enrollments_stop

    candidate = Candidate(pk=message.candidate_id)
    if hard:
        _suppress(message.to_email, reason=reason, note=detail)
        enrollments_stop(candidate=candidate, reason="bounced")
    activity_record(
        kind=ActivityKind.EMAIL_BOUNCED, candidate=candidate, actor=None,
        summary=f"{'Bounced' if hard else 'Soft bounce'}: {message.subject}",
        target=message, data={"to": message.to_email, "detail": detail[:300], "hard": hard},
        automated=True,
    )  # fmt: skip


def policy_update(*, actor: User, **fields: Any) -> SendingPolicy:
    require(actor, Capability.MANAGE_SETTINGS)
    current = policy.organisation_policy()
    for name, value in fields.items():
        setattr(current, name, value)
    current.updated_at = timezone.now()
    current.full_clean()
    current.save()
    return current


# --- topics


def topic_create(*, actor: User, name: str, description: str = "") -> Topic:
    require(actor, Capability.MANAGE_SETTINGS)
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": ["Give the topic a name."]})
    if Topic.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": [f"There is already a topic called {name!r}."]})
    return Topic.objects.create(
        name=name, description=description.strip(), position=Topic.objects.count()
    )


def topic_delete(*, actor: User, topic: Topic) -> None:
    """Templates of the topic keep going, to everyone."""
    require(actor, Capability.MANAGE_SETTINGS)
    topic.delete()


def suppression_count() -> int:
    return Suppression.objects.count()
