"""The worker's side of the outbox: claim due messages, check the policy,
send, record.

Each `rapport worker` runs one sending thread with RAPPORT_SMTP_CONNECTIONS
SMTP connections, kept open between messages and all busy at once: the
thread starts a message on each idle connection and takes on whichever
exchange its server has answered (decision 0024). With
RAPPORT_SENDING_PROCESSES above 1, the connections are shared out among
that many sending processes, each with its own thread, so that the Python
work around each message runs on several cores. A thread claims a
batch of due messages with a conditional update under a lease
(`SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite's IMMEDIATE
transactions serialise the claim), so two workers never hold the same
message. It checks the batch against the sending policy (facts read for the
whole batch, and read again for the rest of it once they are CHECK_SECONDS
old), then sends one message at a time and notes each sent, in a statement
of its own, the moment the server answers: one narrow row (UnrecordedSend),
not a rewrite of the message's wide row and every index of the outbox. What
does not need to be written at once is written per batch: the messages
themselves marked sent, those the policy held back or moved later, and what
follows from the sends (the timeline, the sequences).

What a crash costs: a worker killed while it holds messages leaves them
"sending"; once their lease lapses, the next claim records those it had
noted sent, and takes the others over to send them again. Only a message
the server accepted in the instant before the kill, before its note was
written, can arrive twice, and then with the same Message-ID, which mail
clients show once. Nothing is lost. A thread stops working through its
batch before its lease could lapse, so a slow server never lets two workers
send the same message.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import json
import logging
import math
import multiprocessing
import multiprocessing.process
import os
import select
import signal
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import F, Q
from django.utils import timezone
from psycopg import pq

from rapport.core.models import Activity, ActivityKind
from rapport.outreach import mime, policy
from rapport.outreach.mime import Envelope
from rapport.outreach.models import (
    Campaign,
    CampaignStatus,
    CapturedMail,
    Enrollment,
    Message,
    MessageKind,
    MessageStatus,
    SuppressionReason,
    UnrecordedSend,
)
from rapport.outreach.policy import any_of, array_literal
from rapport.outreach.smtp import CaptureTransport, Deferred, Rejected, SmtpTransport
from rapport.people.models import Candidate

logger = logging.getLogger(__name__)

BATCH = 200
CHECK_SECONDS = 1.0  # how old the facts a message is checked against may be (see Checks)
POLL_SECONDS = 1.0
RETRY_DELAYS = [60, 300, 900, 3600, 3 * 3600, 6 * 3600]  # seconds, then every 6 hours

Transport = SmtpTransport | CaptureTransport


_SQLITE_WRITES = threading.RLock()


@contextlib.contextmanager
def writing(*, atomic: bool = True) -> Iterator[None]:
    """A write (a transaction, unless `atomic` is False for a single
    statement). On SQLite the threads of a process that write (the sending
    thread, the task loop's) take turns through a lock: SQLite lets one
    writer in at a time, and a thread refused by it sleeps before it tries
    again, while a thread waiting on this lock starts the moment the last
    one is done."""
    block = transaction.atomic() if atomic else contextlib.nullcontext()
    if connection.vendor != "sqlite":
        with block:
            yield
        return
    with _SQLITE_WRITES, block:
        yield


def _no_commit_wait() -> None:
    """On PostgreSQL, this connection's commits return without waiting for
    the write-ahead log to reach the disk (synchronous_commit off). A commit
    can then be lost only if the database's machine itself crashes in the
    next fraction of a second, never if a worker or the database process
    dies; the cost of such a loss here is a message sent again with the same
    Message-ID, never a message lost. Waiting for the disk at every send
    limits a worker to a few hundred messages a second."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")


def transport() -> Transport:
    if settings.EMAIL_URL:
        return SmtpTransport(settings.EMAIL_URL, timeout=settings.SMTP_TIMEOUT)
    return CaptureTransport()


def transports(count: int) -> list[Transport]:
    """`count` connections to the SMTP server; without one, the single
    capture that stands for them all (nothing there waits)."""
    if settings.EMAIL_URL:
        return [transport() for _ in range(count)]
    return [CaptureTransport()]


# --- claiming


def claim(*, owner: str, limit: int = BATCH, now: dt.datetime | None = None) -> list[Message]:
    """Take up to `limit` due messages under a lease: personal mail first,
    then by due time, and any whose worker's lease lapsed."""
    now = now or timezone.now()
    sends_record_orphaned(now=now)
    lease = now + dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    with writing():
        ids = _due_ids(DUE_LAPSED, [now], limit)
        if len(ids) < limit:
            ids += _due_ids(DUE_PERSONAL, [now], limit - len(ids), but=ids)
        if len(ids) < limit:
            ids += _due_queued(now, limit - len(ids), but=ids)
        if not ids:
            return []
        Message.objects.filter(id__in=any_of(ids)).update(
            status=MessageStatus.SENDING, lease_owner=owner, lease_expires_at=lease
        )
    return list(
        Message.objects.filter(id__in=any_of(ids), lease_owner=owner).order_by("due_at", "id")
    )


# The claim's look-ups, in plain SQL (each served by one of the outbox's
# partial indexes): built through the ORM, three a batch cost more than
# running them. {but} leaves out what an earlier one took. The status and
# kind are written in, as in the indexes' conditions, so that SQLite can tell
# which partial index serves a look-up before its values are bound.
# A lapsed message with a note was sent: it is recorded (sends_record_orphaned),
# never sent again.
_SENDING, _QUEUED = f"'{MessageStatus.SENDING}'", f"'{MessageStatus.QUEUED}'"
DUE_LAPSED = (
    f"status = {_SENDING} AND lease_expires_at < %s AND NOT EXISTS (SELECT 1 FROM "  # noqa: S608
    "{unrecorded} AS u WHERE u.message_id = {table}.id){but} ORDER BY lease_expires_at"
)
DUE_PERSONAL = (
    f"status = {_QUEUED} AND kind = '{MessageKind.TRANSACTIONAL}' AND due_at <= %s"
    "{but} ORDER BY due_at"
)
DUE_QUEUED = f"status = {_QUEUED} AND due_at <= %s{{but}} ORDER BY due_at, id"
DUE_QUEUED_AFTER = (
    f"status = {_QUEUED} AND due_at <= %s AND (due_at, id) > (%s, %s){{but}} ORDER BY due_at, id"
)
# Each look-up's index, named to SQLite: without statistics it weighs the
# outbox's partial indexes alike, and took the index of every queued message
# for personal mail's look-up (48 ms a claim with 100,000 queued, against
# under 1 ms through personal mail's own).
DUE_INDEXES = {
    DUE_LAPSED: "message_lease_idx",
    DUE_PERSONAL: "message_personal_due_idx",
    DUE_QUEUED: "message_due_idx",
    DUE_QUEUED_AFTER: "message_due_idx",
}
WHOLE_LOOK_SECONDS = 30.0  # how long a message put back below the floor may wait (see _Floor)


class _Floor:
    """Where this process's look-up of queued messages starts: after the
    last message it claimed, in the order of due time and id (the order of
    the queued messages' index). A claimed message leaves an entry behind in the
    queued messages' index until the table is vacuumed, and PostgreSQL steps
    over every one of them from the start of the index to reach the first
    message still queued: a campaign's claims grew with every message sent
    before them (9 ms each, 30,000 messages in). Below the floor, everything
    queued was claimed, by this process or by one holding it locked at the
    time. A message can only come back there by being put back (a worker out
    of time releases the rest of its batch), so the whole index is looked
    through too, when the look-up from the floor finds too few and at least
    every WHOLE_LOOK_SECONDS."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        # (due time as the database returned it, to be passed back; id)
        self.after: tuple[Any, int] | None = None
        self.whole_at = 0.0

    def start(self) -> tuple[Any, int] | None:
        with self.lock:
            if time.monotonic() - self.whole_at > WHOLE_LOOK_SECONDS:
                return None
            return self.after

    def claimed(self, last: tuple[Any, int] | None, *, whole: bool) -> None:
        with self.lock:
            if whole:
                self.whole_at = time.monotonic()
                self.after = last
            elif last is not None and (self.after is None or last > self.after):
                self.after = last


_floor = _Floor()


def forget_floor() -> None:
    """Look through the whole index at the next claim (the outbox was
    replaced: a restored database, a test's fresh one)."""
    with _floor.lock:
        _floor.after, _floor.whole_at = None, 0.0


def _due_queued(now: dt.datetime, limit: int, *, but: Sequence[int]) -> list[int]:
    """Queued messages due by `now`, from the floor up, else from the start."""
    _in_index_order()
    after = _floor.start()
    rows: list[tuple[Any, int]] = []
    if after is not None:
        params = [now, *after]
        rows = _due_rows(DUE_QUEUED_AFTER, params, limit, but=but, columns="due_at, id")
        _floor.claimed(rows[-1] if rows else None, whole=False)
    if len(rows) < limit:
        taken = [*but, *(pk for _, pk in rows)]
        more = _due_rows(
            DUE_QUEUED, [now], limit - len(rows), but=taken,
            columns="due_at, id",
        )  # fmt: skip
        _floor.claimed(more[-1] if more else (rows[-1] if rows else None), whole=True)
        rows += more
    return [pk for _, pk in rows]


def _in_index_order() -> None:
    """On PostgreSQL, for the rest of the claim's transaction, the queued
    messages are read in the index's order, stopping at the batch's end.
    With statistics taken while the campaign was still queued, the planner
    expected few messages after the floor, gathered every one of them into
    a bitmap and sorted them to take the first 200: 57 ms against 0.4,
    50,000 messages from the end."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_bitmapscan TO off")


def _due_ids(
    condition: str, params: list[Any], limit: int, *, but: Sequence[int] = ()
) -> list[int]:
    return [row[0] for row in _due_rows(condition, params, limit, but=but, columns="id")]


def _due_rows(
    condition: str, params: list[Any], limit: int, *, but: Sequence[int], columns: str
) -> list[tuple[Any, ...]]:
    table = connection.ops.quote_name(Message._meta.db_table)
    params = [connection.ops.adapt_datetimefield_value(p) if isinstance(p, dt.datetime) else p
              for p in params]  # fmt: skip
    excluded = ""
    if but:
        if connection.vendor == "postgresql":
            excluded = " AND NOT (id = ANY(%s::bigint[]))"
            params.append(array_literal(but))
        else:
            excluded = " AND id NOT IN (SELECT value FROM json_each(%s))"
            params.append(json.dumps(list(but)))
    skip = connection.features.has_select_for_update_skip_locked
    unrecorded = connection.ops.quote_name(UnrecordedSend._meta.db_table)
    where = condition.format(but=excluded, table=table, unrecorded=unrecorded)
    indexed = f" INDEXED BY {DUE_INDEXES[condition]}" if connection.vendor == "sqlite" else ""
    statement = (
        f"SELECT {columns} FROM {table}{indexed} WHERE {where} "  # noqa: S608
        f"LIMIT %s{' FOR UPDATE SKIP LOCKED' if skip else ''}"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [*params, limit])
        return [tuple(row) for row in cursor.fetchall()]


# --- deciding and sending


@dataclass
class Outcome:
    sent: int = 0
    held: int = 0
    later: int = 0
    deferred: int = 0
    bounced: int = 0
    released: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.held + self.later + self.deferred + self.bounced


def deliver_once(*, owner: str, via: Sequence[Transport]) -> Outcome:
    """Claim one batch and see every message in it through, over all the
    connections of `via` at once."""
    started = time.monotonic()
    _no_commit_wait()
    batch = claim(owner=owner)
    if not batch:
        return Outcome()
    # Stop well before the lease lapses, leaving the rest to be claimed again.
    sending = _Sending(batch, owner=owner, deadline=started + settings.OUTBOX_LEASE_SECONDS / 2)
    try:
        sending.run(via)
    finally:
        sending.settled.write()
        sends_record(sending.sent)
    return sending.outcome


class _Sending:
    """A batch on its way. Each connection takes the next message the
    policy lets go as soon as the last one it carried is through, and the
    thread goes to whichever connection's server has answered: one thread
    keeps several connections busy, where a thread for each spent half as
    much again on taking turns with the others as on the messages (see
    decision 0024)."""

    def __init__(self, batch: Sequence[Message], *, owner: str, deadline: float) -> None:
        self.waiting = collections.deque(batch)
        self.owner = owner
        self.deadline = deadline
        self.outcome = Outcome()
        self.settled = Settled(owner=owner)
        self.sent: list[int] = []  # to be recorded with the batch
        self.checks: Checks | None = None
        # A connection in the middle of a message: the message, its bytes,
        # and by when the server must have answered; its socket, polled.
        self.busy: dict[SmtpTransport, tuple[Message, Envelope, float]] = {}
        self.sockets: dict[int, SmtpTransport] = {}
        self.poll = select.poll()

    def run(self, via: Sequence[Transport]) -> None:
        if not via:
            raise ValueError("a batch needs at least one connection to go over")
        idle = list(via)
        try:
            while self.waiting or self.busy:
                while idle and self.waiting:
                    transport = idle.pop()
                    if not self._start(transport):
                        idle.append(transport)
                idle += self._round()
        except Exception:
            self._wind_down()
            raise

    def _round(self) -> list[SmtpTransport]:
        """Wait for answers and take each exchange on; the connections that
        are free again."""
        freed = []
        ready, late = self._answered()
        for transport in ready:
            if self._step(transport):
                freed.append(transport)
        for transport in late:
            message = self._free(transport)
            transport.close()
            self._failed(message, Deferred(0, f"no answer in {transport.timeout:g} s"))
            freed.append(transport)
        return freed

    def _wind_down(self) -> None:
        """After a failure (the database, say): nothing new starts, and the
        exchanges under way finish (each within its timeout), so that what
        their servers take is noted, not sent again once the lease lapses.
        Should that fail too, the rest are closed midway; those messages
        wait for their lease, as after a kill."""
        try:
            while self.busy:
                self._round()
        except Exception:
            logger.exception("Sending thread %s failed again while finishing.", self.owner)
        finally:
            for transport in list(self.busy):
                self._free(transport)
                transport.close()

    def _next(self) -> Message | None:
        """The next message the policy lets go now. Those it holds back or
        moves later are set aside on the way, to be written together."""
        while self.waiting:
            if time.monotonic() > self.deadline:
                self.settled.write()
                self.outcome.released += _release(list(self.waiting), owner=self.owner)
                self.waiting.clear()
                return None
            message = self.waiting.popleft()
            if self.checks is None or self.checks.stale:
                self.settled.write()  # what was decided counts in what is read next
                self.checks = Checks.read([message, *self.waiting])
            if _cleared(message, checks=self.checks, settled=self.settled, outcome=self.outcome):
                return message
        return None

    def _start(self, transport: Transport) -> bool:
        """Start the next message on this connection; True while it waits
        for the server's answer."""
        message = self._next()
        if message is None:
            return False
        assert self.checks is not None
        try:
            envelope = mime.build(message, track_opens=self.checks.facts.policy.track_opens)
        except Exception as exc:  # a bad key file, say: tried again later, not lost
            logger.exception("Message %s could not be built.", message.pk)
            self._failed(message, Deferred(0, f"could not be built: {exc}"))
            return False
        try:
            if transport.start(envelope):
                self._done(message, envelope, transport)
                return False
        except (Deferred, Rejected) as exc:
            self._failed(message, exc)
            return False
        assert isinstance(transport, SmtpTransport)
        socket = transport.fileno()
        self.sockets[socket] = transport
        self.poll.register(socket, select.POLLIN)
        self.busy[transport] = (message, envelope, time.monotonic() + transport.timeout)
        return True

    def _free(self, transport: SmtpTransport) -> Message:
        """The connection is done with its message (which is returned)."""
        message, *_ = self.busy.pop(transport)
        for socket in [s for s, t in self.sockets.items() if t is transport]:
            self.poll.unregister(socket)
            del self.sockets[socket]
        return message

    def _answered(self) -> tuple[list[SmtpTransport], list[SmtpTransport]]:
        """The busy connections whose server has answered (or closed the
        connection), and those whose server let the time for an answer pass."""
        if not self.busy:
            return [], []
        wait = min(due for *_, due in self.busy.values()) - time.monotonic()
        events = self.poll.poll(max(0, math.ceil(wait * 1000)))
        ready = [self.sockets[socket] for socket, _ in events]
        now = time.monotonic()
        late = [t for t, (*_, due) in self.busy.items() if due <= now and t not in ready]
        return ready, late

    def _step(self, transport: SmtpTransport) -> bool:
        """Take the exchange on by one answer; True once the connection is
        free for the next message."""
        message, envelope, _ = self.busy[transport]
        try:
            through = transport.step()
        except (Deferred, Rejected) as exc:
            self._free(transport)
            self._failed(message, exc)
            return True
        if not through:
            self.busy[transport] = (message, envelope, time.monotonic() + transport.timeout)
            return False
        self._free(transport)
        self._done(message, envelope, transport)
        return True

    def _done(self, message: Message, envelope: Envelope, transport: Transport) -> None:
        """The server took it: noted at once (see _sent)."""
        if not _sent(message, owner=self.owner, raw=envelope.data if transport.captures else None):
            return
        assert self.checks is not None
        facts = self.checks.facts
        facts.recent.setdefault(message.candidate_id, []).insert(0, (message.pk, facts.now))
        self.outcome.sent += 1
        self.sent.append(message.pk)

    def _failed(self, message: Message, error: Deferred | Rejected) -> None:
        if isinstance(error, Deferred):
            assert self.checks is not None
            retry_days = self.checks.facts.policy.retry_days
            _defer(message, owner=self.owner, error=error, retry_days=retry_days)
            self.outcome.deferred += 1
        else:
            _bounce(message, owner=self.owner, error=error)
            self.outcome.bounced += 1


@dataclass
class Checks:
    """What the messages of a batch are checked against: the policy's facts,
    the campaigns and sequences that stopped, the send windows. Read again
    for the rest of the batch once CHECK_SECONDS old, so that a change (an
    unsubscribe, a pause) reaches messages already claimed within that time,
    however slow the server."""

    facts: policy.Facts
    stopped: dict[int, str]
    windows: dict[int, policy.Window | None]
    read_at: float

    @classmethod
    def read(cls, messages: Sequence[Message]) -> Checks:
        campaigns = _campaigns(messages)
        return cls(
            facts=policy.facts_for(
                [m.candidate_id for m in messages], [m.to_email for m in messages]
            ),
            stopped=_stopped(messages, campaigns),
            windows=_windows(messages, campaigns),
            read_at=time.monotonic(),
        )

    @property
    def stale(self) -> bool:
        return time.monotonic() - self.read_at > CHECK_SECONDS


def _campaigns(batch: Sequence[Message]) -> dict[int, tuple[str, Any]]:
    """The status and send window of the batch's campaigns, in one query."""
    ids = {m.campaign_id for m in batch if m.campaign_id}
    if not ids:
        return {}
    rows = Campaign.objects.filter(id__in=ids).values_list("id", "status", "window")
    return {pk: (status, window) for pk, status, window in rows}


def _stopped(batch: Sequence[Message], campaigns: dict[int, tuple[str, Any]]) -> dict[int, str]:
    """Messages whose campaign or sequence no longer wants them sent, and why."""
    stopped: dict[int, str] = {}
    if campaigns:
        for m in batch:
            state = campaigns.get(m.campaign_id or 0, ("", None))[0]
            if state == CampaignStatus.PAUSED:
                stopped[m.pk] = "campaign_paused"
            elif state == CampaignStatus.CANCELLED:
                stopped[m.pk] = "cancelled"
    enrollment_ids = {m.enrollment_id for m in batch if m.enrollment_id}
    if enrollment_ids:
        from rapport.outreach.sequences import enrollments_stopping

        ended = enrollments_stopping(enrollment_ids)
        for m in batch:
            if m.enrollment_id in ended:
                stopped[m.pk] = "sequence_stopped"
    return stopped


def _windows(
    batch: Sequence[Message], campaigns: dict[int, tuple[str, Any]]
) -> dict[int, policy.Window | None]:
    """The send window each message keeps (its campaign's or sequence's own)."""
    found: dict[int, policy.Window | None] = {}
    campaign_windows = {
        pk: policy.Window.from_json(window) for pk, (_, window) in campaigns.items()
    }
    enrollment_ids = {m.enrollment_id for m in batch if m.enrollment_id}
    sequence_windows = (
        {
            pk: policy.Window.from_json(window)
            for pk, window in Enrollment.objects.filter(id__in=enrollment_ids).values_list(
                "id", "sequence__window"
            )
        }
        if enrollment_ids
        else {}
    )
    for m in batch:
        if m.campaign_id:
            found[m.pk] = campaign_windows.get(m.campaign_id)
        elif m.enrollment_id:
            found[m.pk] = sequence_windows.get(m.enrollment_id)
    return found


def _cleared(message: Message, *, checks: Checks, settled: Settled, outcome: Outcome) -> bool:
    """True when the message may go now; else it is set aside with the
    reason (held back, moved later, or its campaign or sequence stopped)."""
    if message.pk in checks.stopped:
        reason = checks.stopped[message.pk]
        status = MessageStatus.PAUSED if reason == "campaign_paused" else MessageStatus.CANCELLED
        settled.add(message, status=status, reason=reason)
        outcome.held += 1
        return False
    verdict = policy.decide(
        checks.facts,
        candidate_id=message.candidate_id,
        address=message.to_email,
        kind=message.kind,
        topic_id=message.topic_id,
        window=checks.windows.get(message.pk),
        message_id=message.pk,
    )
    if verdict.held:
        settled.add(message, status=MessageStatus.SUPPRESSED, reason=verdict.reason)
        outcome.held += 1
        return False
    if not verdict.send:
        settled.add(
            message, status=MessageStatus.QUEUED, reason=verdict.reason, due_at=verdict.later
        )
        outcome.later += 1
        return False
    return True


class Settled:
    """Messages decided without sending (held back, moved later, stopped),
    written together: one transaction for many, instead of one each. Until
    written they stay claimed, so a worker killed before then leaves them to
    be decided again once the lease lapses."""

    def __init__(self, *, owner: str) -> None:
        self.owner = owner
        self.pending: list[tuple[Message, str, str, dt.datetime | None]] = []

    def add(
        self, message: Message, *, status: str, reason: str, due_at: dt.datetime | None = None
    ) -> None:
        self.pending.append((message, status, reason, due_at))

    def write(self) -> None:
        if not self.pending:
            return
        pending, self.pending = self.pending, []
        groups: dict[tuple[str, str, dt.datetime | None], list[int]] = {}
        for message, status, reason, due_at in pending:
            groups.setdefault((status, reason, due_at), []).append(message.pk)
        with writing():
            mine = set(
                Message.objects.select_for_update()
                .filter(
                    id__in=any_of([m.pk for m, *_ in pending]),
                    status=MessageStatus.SENDING,
                    lease_owner=self.owner,
                )
                .values_list("id", flat=True)
            )
            for (status, reason, due_at), ids in groups.items():
                fields: dict[str, object] = {
                    "status": status, "reason": reason, "lease_owner": "", "lease_expires_at": None
                }  # fmt: skip
                if due_at is not None:
                    fields["due_at"] = due_at
                Message.objects.filter(id__in=any_of([pk for pk in ids if pk in mine])).update(
                    **fields
                )
        for message, status, reason, _ in pending:
            if status == MessageStatus.SUPPRESSED and message.pk in mine:
                _sequence_cannot_go_on(message, reason)


def _sequence_cannot_go_on(message: Message, reason: str) -> None:
    if message.enrollment_id:
        from rapport.outreach.sequences import enrollment_message_held

        enrollment_message_held(message, reason=reason)


def _mine(message: Message, owner: str) -> Q:
    return Q(pk=message.pk, status=MessageStatus.SENDING, lease_owner=owner)


def _finish(
    message: Message,
    *,
    owner: str,
    status: str,
    reason: str,
    due_at: dt.datetime | None = None,
    detail: str = "",
) -> bool:
    fields: dict[str, object] = {
        "status": status,
        "reason": reason,
        "lease_owner": "",
        "lease_expires_at": None,
    }
    if due_at is not None:
        fields["due_at"] = due_at
    if detail:
        fields["detail"] = detail[:500]
    with writing():
        return bool(Message.objects.filter(_mine(message, owner)).update(**fields))


def _release(batch: Sequence[Message], *, owner: str) -> int:
    ids = [m.pk for m in batch]
    with writing():
        return Message.objects.filter(
            id__in=any_of(ids), status=MessageStatus.SENDING, lease_owner=owner
        ).update(status=MessageStatus.QUEUED, lease_owner="", lease_expires_at=None)


def _sent(message: Message, *, owner: str, raw: bytes | None) -> bool:
    """Say at once that the server took it: the shorter the moment between
    its answer and this row, the smaller the chance that a killed worker
    leaves a message to be sent twice. What is written at once is the one
    narrow row of an UnrecordedSend; the message's own row is marked sent,
    and what follows from the send recorded, per batch in sends_record."""
    now = timezone.now()
    with writing(atomic=raw is not None):  # else the note is a transaction of its own
        if not _note_sent(message.pk, owner=owner, at=now):
            # Sent, but another worker took the message over meanwhile: it
            # will go again with the same Message-ID.
            logger.warning(
                "Message %s was sent after its lease passed to another worker.", message.pk
            )
            return False
        if raw is not None:
            CapturedMail.objects.create(message=message, raw=raw, captured_at=now)
    return True


# The note of a send: the UnrecordedSend row, written only while the message
# is still this worker's. On PostgreSQL the message row is locked for the
# instant of the statement (FOR SHARE), so that a worker taking over a lapsed
# lease either sees the note or makes this statement find nothing.
NOTE_SENT = (
    "INSERT INTO {unrecorded} (message_id, sent_at) SELECT id, {0} FROM {table} "
    "WHERE id = {1} AND status = {2} AND lease_owner = {3}{lock}"
)
_noting = threading.local()  # per sending thread: the session the note is prepared on


def _note_sent(pk: int, *, owner: str, at: dt.datetime) -> bool:
    """Insert the send's UnrecordedSend row, in plain SQL: it runs once for
    every message sent, and the ORM takes longer to compile it than the
    database takes to run it.

    On PostgreSQL, outside a transaction, it is prepared once per session
    (planning it cost the server more than running it) and run on the
    driver's own connection (see _note_session). On SQLite it runs on the
    driver's connection with its own placeholders: Django's cursor rewrites
    every statement's placeholders and wraps each call."""
    quote = connection.ops.quote_name
    names = {"table": quote(Message._meta.db_table),
             "unrecorded": quote(UnrecordedSend._meta.db_table)}  # fmt: skip
    if connection.vendor != "postgresql":
        params = [connection.ops.adapt_datetimefield_value(at), pk, MessageStatus.SENDING, owner]
        connection.ensure_connection()
        with connection.wrap_database_errors:
            statement = NOTE_SENT.format(*["?"] * 4, lock="", **names)
            return bool(connection.connection.execute(statement, params).rowcount)
    if connection.in_atomic_block:
        with connection.cursor() as cursor:
            statement = NOTE_SENT.format(*["%s"] * 4, lock=" FOR SHARE", **names)
            cursor.execute(statement, [at, pk, MessageStatus.SENDING, owner])
            return bool(cursor.rowcount)
    session = _note_session(names)
    # The values written out here, not passed as parameters: the driver's
    # client-side binding took half the statement's CPU turning four values
    # into literals. All four are this module's own (an id, an ISO time, a
    # status, the worker's name), quoted as strings where they are strings.
    statement = (
        f"EXECUTE rapport_note_sent ({_literal(at.isoformat())}, {int(pk)}, "
        f"{_literal(MessageStatus.SENDING)}, {_literal(owner)})"
    )
    with connection.wrap_database_errors:
        result = session.pgconn.exec_(statement.encode())
        if result.status != pq.ExecStatus.COMMAND_OK:
            raise psycopg.errors.error_from_result(result, encoding=session.info.encoding)
    return bool(result.command_tuples)


def _note_session(names: dict[str, str]) -> psycopg.Connection[Any]:
    """This thread's PostgreSQL session, with the note prepared on it (again
    when Django opened a new session). The note runs on the driver's libpq
    connection itself, which waits for the server without holding the
    interpreter: a cursor for each note (Django's wrapper, the driver's
    adapters copied for it, its result handling) cost the sending thread
    three times the CPU (187 µs a note against 56, one process, interleaved)."""
    connection.ensure_connection()
    session = connection.connection
    if getattr(_noting, "session", None) is session:
        return session
    numbered = [f"${n}" for n in range(1, 5)]
    statement = NOTE_SENT.format(*numbered, lock=" FOR SHARE", **names)
    with connection.cursor() as cursor:  # in autocommit: no rollback can undo it
        cursor.execute(f"PREPARE rapport_note_sent AS {statement}")
    _noting.session = session
    return session


def _literal(value: str) -> str:
    """A string as an SQL literal (standard_conforming_strings, on by
    default since PostgreSQL 9.1: only the quote is doubled)."""
    return "'" + value.replace("'", "''") + "'"


def sends_record(message_ids: Sequence[int]) -> int:
    """Record sent messages, once each: the message marked sent at the time
    its note says, an Activity on the timeline, the candidate's last
    contact, the sequence's next step. The sending thread calls this after
    each batch; for sends whose worker died before it could, the next claim
    (sends_record_orphaned) or the clock (sends_record_stale) does. Taking a
    send's UnrecordedSend row is what makes it recorded once, whoever gets
    there first."""
    if not message_ids:
        return 0
    with writing():
        taken = _unrecorded_take(message_ids)
        if not taken:
            return 0
        # Read by id alone, the status checked here: on PostgreSQL, asked
        # for "status = sent" too, a planner whose statistics were taken
        # while the campaign was still queued (a handful sent) reads every
        # message sent so far for each batch, through the campaign index.
        rows = [
            row[1:]
            for row in Message.objects.filter(id__in=any_of(taken)).values_list(
                "status", "id", "candidate_id", "subject", "to_email", "kind", "author_id",
                "enrollment_id", "sent_at")
            if row[0] == MessageStatus.SENT
        ]  # fmt: skip
        # Mail to a teammate about a candidate is not contact with them.
        contacts = [row for row in rows if row[4] != MessageKind.STAFF and row[7] is not None]
        if contacts:
            _activities_insert(contacts)
            latest = max(sent_at for *_, sent_at in contacts if sent_at is not None)
            Candidate.objects.filter(pk__in=any_of({row[1] for row in contacts})).filter(
                Q(last_contacted_at__isnull=True) | Q(last_contacted_at__lt=latest)
            ).update(last_contacted_at=latest)
        steps = [row[0] for row in contacts if row[6]]
        if steps:
            from rapport.outreach.sequences import enrollment_step_sent

            for message in Message.objects.filter(id__in=steps).select_related("step"):
                assert message.sent_at is not None
                enrollment_step_sent(message, sent_at=message.sent_at)
    return len(rows)


def _unrecorded_take(message_ids: Sequence[int]) -> list[int]:
    """Mark the messages of these notes sent, delete the notes, and say
    which there were. A message is marked only while still "sending": one
    already marked (before notes carried the time) keeps its row.

    On PostgreSQL, one statement, and notes another transaction is
    recording are skipped, not waited for: that one records them. On
    SQLite the transaction holds the database's one write lock from its
    start, so reading the notes and then deleting them leaves no one
    between."""
    quote = connection.ops.quote_name
    table = quote(Message._meta.db_table)
    unrecorded = quote(UnrecordedSend._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(TAKE_AND_MARK.format(table=table, unrecorded=unrecorded),
                           [array_literal(message_ids), MessageStatus.SENT, MessageStatus.SENDING])  # fmt: skip
            return [row[0] for row in cursor.fetchall()]
        wanted = json.dumps(list(message_ids))
        cursor.execute(
            f"SELECT message_id FROM {unrecorded} "  # noqa: S608
            "WHERE message_id IN (SELECT value FROM json_each(%s))",
            [wanted],
        )
        taken = [row[0] for row in cursor.fetchall()]
        if taken:
            cursor.execute(MARK_NOTED_SQLITE.format(table=table, unrecorded=unrecorded),
                           [MessageStatus.SENT, json.dumps(taken), MessageStatus.SENDING])  # fmt: skip
            cursor.execute(
                f"DELETE FROM {unrecorded} WHERE message_id IN (SELECT value FROM json_each(%s))",  # noqa: S608
                [json.dumps(taken)],
            )
        return taken


MARKED_SENT = (
    "status = %s, attempts = {table}.attempts + 1, reason = '', detail = '', lease_owner = '', "
    "lease_expires_at = NULL"
)
TAKE_AND_MARK = (
    "WITH taken AS (DELETE FROM {unrecorded} WHERE message_id IN ("  # noqa: S608 (names only)
    "SELECT message_id FROM {unrecorded} WHERE message_id = ANY(%s::bigint[]) FOR UPDATE SKIP LOCKED) "
    "RETURNING message_id, sent_at), "
    "marked AS (UPDATE {table} SET " + MARKED_SENT + ", sent_at = taken.sent_at FROM taken "
    "WHERE {table}.id = taken.message_id AND {table}.status = %s) "
    "SELECT message_id FROM taken"
)
MARK_NOTED_SQLITE = (
    "UPDATE {table} SET " + MARKED_SENT + ", sent_at = (SELECT u.sent_at FROM {unrecorded} u "  # noqa: S608
    "WHERE u.message_id = {table}.id) "
    "WHERE id IN (SELECT value FROM json_each(%s)) AND status = %s"
)


def _activities_insert(rows: Sequence[tuple[Any, ...]]) -> None:
    """The "email sent" Activity of each sent message, in one statement run
    for many rows: bulk_create prepares every field of every row through
    the ORM, which cost more than the rest of recording a send."""
    table = connection.ops.quote_name(Activity._meta.db_table)
    if connection.vendor == "postgresql":
        _activities_insert_arrays(rows, table=table)
        return
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (occurred_at, kind, candidate_id, actor_id, target_type, "  # noqa: S608
            "target_id, summary, data, confidential, automated) "
            "VALUES (%s, %s, %s, NULL, 'message', %s, %s, %s, %s, %s)",
            [
                (adapt(sent_at), ActivityKind.EMAIL_SENT, candidate_id, pk, subject[:300],
                 json.dumps({"to": to_email, "kind": kind}), False, author_id is None)
                for pk, candidate_id, subject, to_email, kind, author_id, _, sent_at in rows
            ],
        )  # fmt: skip


def _activities_insert_arrays(rows: Sequence[tuple[Any, ...]], *, table: str) -> None:
    """PostgreSQL: one INSERT for the whole batch, one array per column. Run
    for many rows, the statement above is parsed and planned once per row
    (the driver binds values on the client side)."""
    columns = list(zip(*rows, strict=True))
    ids, candidates, subjects, addresses, kinds, authors, _, times = columns
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (occurred_at, kind, candidate_id, actor_id, target_type, "  # noqa: S608
            "target_id, summary, data, confidential, automated) "
            "SELECT sent_at, %s, candidate_id, NULL, 'message', id, left(subject, 300), "
            "jsonb_build_object('to', to_email, 'kind', kind), false, author_id IS NULL "
            "FROM unnest(%s::timestamptz[], %s::bigint[], %s::bigint[], %s::text[], %s::text[], "
            "%s::text[], %s::bigint[]) AS r (sent_at, candidate_id, id, subject, to_email, kind, "
            "author_id)",
            [ActivityKind.EMAIL_SENT, *map(array_literal, (times, candidates, ids, subjects,
                                                           addresses, kinds, authors))],
        )  # fmt: skip


def sends_record_stale(*, older_than: dt.timedelta = dt.timedelta(minutes=1)) -> int:
    """Record the sends a killed worker sent but did not record."""
    cutoff = timezone.now() - older_than
    ids = list(
        UnrecordedSend.objects.filter(sent_at__lt=cutoff).values_list("message_id", flat=True)[
            :5000
        ]
    )
    return sends_record(ids)


def sends_record_orphaned(*, now: dt.datetime | None = None) -> int:
    """Record the sends of messages whose worker's lease lapsed after it
    sent them and before it recorded them (it was killed): the claim leaves
    them out, and this records them, so that they are neither sent again
    nor left "sending" until the clock comes by."""
    table = connection.ops.quote_name(Message._meta.db_table)
    unrecorded = connection.ops.quote_name(UnrecordedSend._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT m.id FROM {table} AS m WHERE m.status = %s AND m.lease_expires_at < %s "  # noqa: S608
            f"AND EXISTS (SELECT 1 FROM {unrecorded} AS u WHERE u.message_id = m.id) LIMIT 1000",
            [
                MessageStatus.SENDING,
                connection.ops.adapt_datetimefield_value(now or timezone.now()),
            ],
        )
        ids = [row[0] for row in cursor.fetchall()]
    return sends_record(ids)


def _defer(message: Message, *, owner: str, error: Deferred, retry_days: int) -> None:
    if timezone.now() - message.created_at > dt.timedelta(days=retry_days):
        if _finish(
            message, owner=owner, status=MessageStatus.FAILED, reason="deferred", detail=str(error)
        ):
            _sequence_cannot_go_on(message, "deferred")
        return
    delay = RETRY_DELAYS[min(message.attempts, len(RETRY_DELAYS) - 1)]
    with writing():
        Message.objects.filter(_mine(message, owner)).update(
            status=MessageStatus.QUEUED,
            reason="deferred",
            detail=str(error)[:500],
            attempts=F("attempts") + 1,
            due_at=timezone.now() + dt.timedelta(seconds=delay),
            lease_owner="",
            lease_expires_at=None,
        )


def _bounce(message: Message, *, owner: str, error: Rejected) -> None:
    from rapport.outreach.services import bounce_record

    with transaction.atomic():
        if _finish(
            message, owner=owner, status=MessageStatus.BOUNCED, reason="", detail=str(error)
        ):
            Message.objects.filter(pk=message.pk).update(attempts=F("attempts") + 1)
            if message.kind == MessageKind.STAFF:
                return  # a teammate's address: nothing about the candidate changes
            bounce_record(
                message=message, hard=True, detail=str(error), reason=SuppressionReason.HARD_BOUNCE
            )


# --- the sending thread of a worker


class Deliverer(threading.Thread):
    """The sending thread: its share of the outbox, over its connections."""

    def __init__(self, *, owner: str, connections: int, stopped: threading.Event) -> None:
        super().__init__(name=f"deliver-{owner[-12:]}", daemon=True)
        self.owner = owner
        self.connections = connections
        self.stopped = stopped

    def run(self) -> None:
        via = transports(self.connections)
        try:
            while not self.stopped.is_set():
                try:
                    outcome = deliver_once(owner=self.owner, via=via)
                except Exception:
                    logger.exception("Sending thread %s failed; retrying shortly.", self.owner)
                    # A session the database ended (a restart) is dropped,
                    # so that the next try opens a new one.
                    connection.close_if_unusable_or_obsolete()
                    outcome = Outcome()
                if not outcome.handled and not outcome.released:
                    self.stopped.wait(POLL_SECONDS)
        finally:
            for each in via:
                each.close()
            connections.close_all()


def start_deliverers(worker_id: str, stopped: threading.Event) -> list[threading.Thread]:
    """The worker's sending thread, with RAPPORT_SMTP_CONNECTIONS
    connections; with RAPPORT_SENDING_PROCESSES above 1, a thread that keeps
    that many sending processes running instead, the connections shared
    out among them."""
    if settings.SENDING_PROCESSES > 1:
        supervisor: threading.Thread = SendingProcesses(worker_id=worker_id, stopped=stopped)
    else:
        supervisor = Deliverer(
            owner=f"{worker_id}/0", connections=settings.SMTP_CONNECTIONS, stopped=stopped
        )
    supervisor.start()
    return [supervisor]


# --- sending processes
#
# A worker's sending thread does the Python work around each message (the
# policy, the MIME, the database) on one core. Sending processes each run
# their share of the SMTP connections in an interpreter of their own, with
# a sending thread each. They claim from the outbox exactly as a worker's
# own thread does (a lease per batch),
# so nothing about crash safety changes: a process that dies leaves its
# batch to be taken over when its lease lapses, and the supervisor starts
# another in its place.


class SendingProcesses(threading.Thread):
    """Keeps RAPPORT_SENDING_PROCESSES sending processes alive while the
    worker runs, and stops them (SIGTERM, then waiting) when it stops."""

    def __init__(self, *, worker_id: str, stopped: threading.Event) -> None:
        super().__init__(name="sending-processes", daemon=True)
        self.worker_id = worker_id
        self.stopped = stopped
        self.processes: dict[int, multiprocessing.process.BaseProcess] = {}

    def run(self) -> None:
        count = settings.SENDING_PROCESSES
        share = max(1, -(-settings.SMTP_CONNECTIONS // count))
        context = multiprocessing.get_context("spawn")
        try:
            while not self.stopped.is_set():
                for n in range(count):
                    process = self.processes.get(n)
                    if process is None or not process.is_alive():
                        if process is not None:
                            logger.warning("Sending process %s ended (%s); starting another.",
                                           n, process.exitcode)  # fmt: skip
                        self.processes[n] = self._start(context, n, share)
                self.stopped.wait(1.0)
        finally:
            for process in self.processes.values():
                if process.is_alive():
                    process.terminate()
            for process in self.processes.values():
                process.join(timeout=settings.SMTP_TIMEOUT + 5)

    def _start(self, context: Any, n: int, share: int) -> multiprocessing.process.BaseProcess:
        from rapport.outreach import sending

        process = context.Process(
            target=sending.main,
            kwargs={"owner": f"{self.worker_id}/p{n}", "connections": share, "parent": os.getpid()},
            name=f"rapport-sending-{n}",
            daemon=True,
        )
        process.start()
        return process


def sending_process(*, owner: str, connections: int, parent: int) -> None:
    """The body of one sending process: its sending thread, until SIGTERM
    or until the worker that started it is gone (even killed, it must not
    send on)."""
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the worker decides when to stop
    sender = Deliverer(owner=owner, connections=connections, stopped=stopped)
    sender.start()
    while not stopped.is_set():
        if os.getppid() != parent:
            stopped.set()
        stopped.wait(1.0)
    sender.join()
