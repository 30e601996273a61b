"""The outbox and its delivery, against a real SMTP server on loopback."""

from __future__ import annotations

import datetime as dt
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dkim
import pytest
from django.db import DatabaseError, connection
from django.utils import timezone

from rapport.accounts.models import User
from rapport.core.models import Activity, ActivityKind
from rapport.outreach import delivery, mime, services
from rapport.outreach.models import (
    CapturedMail,
    Message,
    MessageKind,
    MessageStatus,
    Suppression,
    UnrecordedSend,
)
from rapport.outreach.policy import address_digest
from rapport.people.models import Candidate
from tests.conftest import need_peer
from tests.outreach.conftest import Sink, html, plain, refresh

pytestmark = pytest.mark.django_db


def _send(owner: User, candidate: Candidate, **kwargs: Any) -> Message:
    return services.email_send(
        actor=owner,
        candidate=candidate,
        subject=kwargs.get("subject", "Hello {{ candidate.first_name }}"),
        body=kwargs.get(
            "body", "Hi **{{ candidate.first_name }}**, how is {{ candidate.current_company }}?"
        ),
    )


def test_a_personal_email_arrives_personalised_with_both_parts_and_its_headers(
    smtp_sink: Sink, deliver: Callable[..., Any], owner: User, candidate: Candidate
) -> None:
    message = _send(owner, candidate)
    assert deliver().sent == 1
    [received] = smtp_sink.received
    mail = received.message
    assert received.rcpt_tos == ["maria.souza@example.org"]
    assert mail["To"] == "maria.souza@example.org"
    assert mail["From"] == "Rita Recruiter <rita@example.com>"
    assert mail["Subject"] == "Hello Maria"
    assert mail["Message-ID"] == refresh(message).message_id
    assert "Hi **Maria**, how is Bluefin Analytics?" in plain(received)
    assert "Hi <strong>Maria</strong>, how is Bluefin Analytics?" in html(received)
    # Personal mail carries no list headers and no unsubscribe footer.
    assert mail["List-Unsubscribe"] is None
    assert "Unsubscribe" not in plain(received)
    # The return path names the message, so a bounce finds it.
    assert received.mail_from.startswith("bounces+")
    assert mime.message_from_return_path(received.mail_from) == message.pk


def test_a_sent_email_is_on_the_timeline_and_updates_last_contacted(
    smtp_sink: Sink, deliver: Callable[..., Any], owner: User, candidate: Candidate
) -> None:
    message = _send(owner, candidate)
    deliver()
    message = refresh(message)
    assert message.status == MessageStatus.SENT and message.attempts == 1
    sent = Activity.objects.get(candidate=candidate, kind=ActivityKind.EMAIL_SENT)
    assert sent.summary == "Hello Maria" and sent.target_id == message.pk
    assert sent.data == {"to": "maria.souza@example.org", "kind": message.kind}
    assert sent.occurred_at == message.sent_at and not sent.automated  # written by a person
    candidate.refresh_from_db()
    assert candidate.last_contacted_at == message.sent_at


def test_mail_is_signed_with_dkim_when_a_key_is_configured(
    smtp_sink: Sink,
    deliver: Callable[..., Any],
    owner: User,
    candidate: Candidate,
    settings: Any,
    tmp_path: Path,
) -> None:
    key = tmp_path / "dkim.pem"
    openssl = subprocess.run(
        ["openssl", "genrsa", "-traditional", "-out", str(key), "2048"],
        capture_output=True,
        check=False,
    )
    need_peer(openssl.returncode == 0, f"openssl cannot make an RSA key: {openssl.stderr!r}")
    public = subprocess.run(
        ["openssl", "rsa", "-in", str(key), "-pubout", "-outform", "DER"],
        capture_output=True,
        check=True,
    ).stdout
    settings.DKIM_KEY_FILE, settings.DKIM_SELECTOR, settings.DKIM_DOMAIN = (
        str(key),
        "s1",
        "example.com",
    )
    _send(owner, candidate)
    deliver()
    [received] = smtp_sink.received
    assert b"DKIM-Signature:" in received.data
    import base64

    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)

    def dns(name: bytes, timeout: int = 5) -> bytes:
        assert name == b"s1._domainkey.example.com."
        return record

    assert dkim.verify(received.data, dnsfunc=dns)
    assert not dkim.verify(received.data.replace(b"Maria", b"Mario"), dnsfunc=dns)


def test_a_deferral_is_retried_later_with_the_same_message_id(
    smtp_sink: Sink, deliver: Callable[..., Any], owner: User, candidate: Candidate
) -> None:
    message = _send(owner, candidate)
    smtp_sink.fail_next.append("451 4.3.0 Try again later")
    outcome = deliver()
    assert outcome.deferred == 1 and outcome.sent == 0
    message = refresh(message)
    assert message.status == MessageStatus.QUEUED and message.reason == "deferred"
    assert message.attempts == 1 and "451" in message.detail
    assert message.due_at > timezone.now() + dt.timedelta(seconds=30)
    assert smtp_sink.received == []

    Message.objects.filter(pk=message.pk).update(due_at=timezone.now())
    assert deliver().sent == 1
    assert [r.message["Message-ID"] for r in smtp_sink.received] == [message.message_id]
    assert refresh(message).attempts == 2


def test_a_message_deferred_past_the_retry_limit_fails(
    smtp_sink: Sink, deliver: Callable[..., Any], owner: User, candidate: Candidate
) -> None:
    message = _send(owner, candidate)
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - dt.timedelta(days=4))
    smtp_sink.fail_next.append("421 4.7.0 Too busy")
    deliver()
    message = refresh(message)
    assert message.status == MessageStatus.FAILED and "421" in message.detail


def test_a_hard_bounce_suppresses_the_address_and_is_recorded(
    smtp_sink: Sink, deliver: Callable[..., Any], owner: User, candidate: Candidate
) -> None:
    smtp_sink.answers["maria.souza@example.org"] = "550 5.1.1 No such user"
    first = _send(owner, candidate)
    assert deliver().bounced == 1
    first = refresh(first)
    assert first.status == MessageStatus.BOUNCED and "550" in first.detail
    assert Suppression.objects.filter(digest=address_digest("maria.souza@example.org")).exists()
    bounce = Activity.objects.get(candidate=candidate, kind=ActivityKind.EMAIL_BOUNCED)
    assert bounce.target_id == first.pk

    second = _send(owner, candidate, subject="Again")
    deliver()
    second = refresh(second)
    assert second.status == MessageStatus.SUPPRESSED and second.reason == "suppressed"
    assert smtp_sink.received == []


def test_a_server_that_is_down_loses_nothing(
    settings: Any, deliver: Callable[..., Any], owner: User, candidate: Candidate
) -> None:
    settings.EMAIL_URL = "smtp://127.0.0.1:9"  # nothing listens on the discard port here
    message = _send(owner, candidate)
    assert deliver().deferred == 1
    message = refresh(message)
    assert message.status == MessageStatus.QUEUED and "cannot connect" in message.detail


def test_without_an_smtp_server_mail_is_captured_as_sent(
    settings: Any, deliver: Callable[..., Any], owner: User, candidate: Candidate
) -> None:
    settings.EMAIL_URL = ""
    message = _send(owner, candidate)
    assert deliver().sent == 1
    captured = CapturedMail.objects.get(message=message)
    assert b"Subject: Hello Maria" in bytes(captured.raw)
    assert refresh(message).status == MessageStatus.SENT


def test_a_claimed_message_is_not_claimed_again_until_its_lease_lapses(
    smtp_sink: Sink, owner: User, candidate: Candidate
) -> None:
    message = _send(owner, candidate)
    assert [m.pk for m in delivery.claim(owner="dead-worker/0")] == [message.pk]
    assert delivery.claim(owner="other/0") == []
    # The first worker died; its lease lapses and another takes over.
    Message.objects.filter(pk=message.pk).update(
        lease_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    via = delivery.transport()
    try:
        assert delivery.deliver_once(owner="other/0", via=[via]).sent == 1
    finally:
        via.close()
    assert len(smtp_sink.received) == 1
    assert refresh(message).status == MessageStatus.SENT


def _nurture_outbox(owner: User, candidate: Candidate, count: int) -> list[Message]:
    """Queued nurture messages due a minute apart, the earliest first."""
    first = _send(owner, candidate)
    due = timezone.now() - dt.timedelta(hours=1)
    messages = [first]
    for n in range(1, count):
        message = Message.objects.get(pk=first.pk)
        message.pk = None
        message.key, message.message_id = f"{first.key}-{n}", f"<{n}.{first.message_id[1:]}"
        message.save()
        messages.append(message)
    for n, message in enumerate(messages):
        Message.objects.filter(pk=message.pk).update(
            kind=MessageKind.NURTURE, due_at=due + dt.timedelta(minutes=n)
        )
    return messages


def _claimed(owner: str) -> list[int]:
    return [m.pk for m in delivery.claim(owner=owner, limit=2)]


def _put_back(message: Message) -> None:
    """As a worker out of time leaves the rest of its batch."""
    Message.objects.filter(pk=message.pk).update(
        status=MessageStatus.QUEUED, lease_owner="", lease_expires_at=None
    )


def test_a_message_put_back_behind_later_ones_goes_once_they_run_short(
    owner: User, candidate: Candidate
) -> None:
    one, two, three, four, five = _nurture_outbox(owner, candidate, 5)
    assert _claimed("w/0") == [one.pk, two.pk]
    _put_back(one)
    # The claims go on from where they stopped, then look through everything.
    assert _claimed("w/0") == [three.pk, four.pk]
    assert sorted(_claimed("w/0")) == sorted([one.pk, five.pk])
    assert _claimed("w/0") == []


def test_a_message_put_back_goes_within_the_time_of_a_whole_look_however_busy_the_outbox(
    owner: User, candidate: Candidate, monkeypatch: pytest.MonkeyPatch
) -> None:
    one, two, three, _four, _five = _nurture_outbox(owner, candidate, 5)
    assert _claimed("w/0") == [one.pk, two.pk]
    _put_back(one)
    monkeypatch.setattr(delivery, "WHOLE_LOOK_SECONDS", 0.0)
    assert _claimed("w/0") == [one.pk, three.pk]


def test_a_worker_whose_lease_was_taken_over_does_not_record_the_send_twice(
    smtp_sink: Sink, owner: User, candidate: Candidate
) -> None:
    message = _send(owner, candidate)
    [mine] = delivery.claim(owner="slow/0")
    Message.objects.filter(pk=message.pk).update(
        lease_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    [theirs] = delivery.claim(owner="fast/0")
    assert delivery._sent(theirs, owner="fast/0", raw=None)
    assert not delivery._sent(mine, owner="slow/0", raw=None)
    assert delivery.sends_record([message.pk]) == 1
    assert delivery.sends_record([message.pk]) == 0
    assert Activity.objects.filter(kind=ActivityKind.EMAIL_SENT, target_id=message.pk).count() == 1


def test_one_sending_thread_keeps_all_its_connections_busy_at_once(
    smtp_sink: Sink, owner: User, make_candidate: Callable[..., Candidate]
) -> None:
    people = [make_candidate(first_name=f"P{n}", emails=[f"p{n}@example.org"]) for n in range(6)]
    for person in people:
        _send(owner, person)
    smtp_sink.hold = 0.5  # each answer to RCPT waits, so that the exchanges overlap
    via = delivery.transports(3)
    try:
        assert delivery.deliver_once(owner="w/0", via=via).sent == 6
    finally:
        for transport in via:
            transport.close()
    assert smtp_sink.most_held == 3
    assert len({r.peer for r in smtp_sink.received}) == 3
    assert sorted(r.rcpt_tos[0] for r in smtp_sink.received) == [
        f"p{n}@example.org" for n in range(6)
    ]


def test_a_batch_with_no_connection_to_go_over_is_refused_not_spun_on(
    owner: User, candidate: Candidate
) -> None:
    message = _send(owner, candidate)
    with pytest.raises(ValueError, match="at least one connection"):
        delivery.deliver_once(owner="w/0", via=[])
    assert refresh(message).status == MessageStatus.SENDING  # waits for its lease


def test_a_server_that_does_not_answer_in_time_defers_the_message_and_loses_nothing(
    smtp_sink: Sink, deliver: Callable[..., Any], owner: User, candidate: Candidate,
    settings: Any,
) -> None:  # fmt: skip
    settings.SMTP_TIMEOUT = 0.3
    message = _send(owner, candidate)
    smtp_sink.hold = 3.0
    outcome = deliver()
    assert (outcome.deferred, outcome.sent) == (1, 0)
    deferred = refresh(message)
    assert (deferred.status, deferred.reason) == (MessageStatus.QUEUED, "deferred")
    assert "no answer in 0.3 s" in deferred.detail
    assert smtp_sink.received == []

    smtp_sink.hold = 0.0
    Message.objects.filter(pk=message.pk).update(due_at=timezone.now())
    assert deliver().sent == 1
    assert [r.message["Message-ID"] for r in smtp_sink.received] == [message.message_id]


def test_a_send_waits_to_be_recorded_as_a_row_of_its_own_marked_with_it(
    smtp_sink: Sink, owner: User, candidate: Candidate
) -> None:
    message = _send(owner, candidate)
    [mine] = delivery.claim(owner="w/0")
    theirs = refresh(message)
    assert not delivery._sent(theirs, owner="someone-else/0", raw=None)  # not their lease
    assert not UnrecordedSend.objects.exists()
    assert delivery._sent(mine, owner="w/0", raw=None)
    assert list(UnrecordedSend.objects.values_list("message_id", flat=True)) == [message.pk]
    assert delivery.sends_record([message.pk]) == 1
    assert not UnrecordedSend.objects.exists()


def test_a_message_is_marked_sent_with_its_batch_at_the_moment_the_server_took_it(
    smtp_sink: Sink, owner: User, candidate: Candidate
) -> None:
    message = _send(owner, candidate)
    [claimed] = delivery.claim(owner="w/0")
    before = timezone.now()
    assert delivery._sent(claimed, owner="w/0", raw=None)
    noted = UnrecordedSend.objects.get(message=message).sent_at
    assert before <= noted <= timezone.now()
    assert refresh(message).status == MessageStatus.SENDING  # still this worker's
    assert delivery.sends_record([message.pk]) == 1
    marked = refresh(message)
    assert (marked.status, marked.sent_at, marked.attempts) == (MessageStatus.SENT, noted, 1)
    assert (marked.lease_owner, marked.lease_expires_at) == ("", None)


def test_a_message_sent_by_a_worker_killed_before_its_batch_ended_is_recorded_not_resent(
    smtp_sink: Sink, deliver: Callable[..., Any], owner: User, candidate: Candidate
) -> None:
    message = _send(owner, candidate)
    [claimed] = delivery.claim(owner="doomed/0")
    assert delivery._sent(claimed, owner="doomed/0", raw=None)  # then the worker dies
    noted = UnrecordedSend.objects.get(message=message).sent_at
    Message.objects.filter(pk=message.pk).update(
        lease_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert deliver(owner="next/0").sent == 0
    assert smtp_sink.received == []  # the test sent nothing itself: no copy went out
    sent = refresh(message)
    assert (sent.status, sent.sent_at) == (MessageStatus.SENT, noted)
    assert Activity.objects.filter(kind=ActivityKind.EMAIL_SENT, target_id=message.pk).count() == 1
    assert not UnrecordedSend.objects.exists()


def test_a_send_that_a_killed_worker_did_not_record_is_recorded_by_the_clock(
    smtp_sink: Sink, owner: User, candidate: Candidate
) -> None:
    message = _send(owner, candidate)
    [claimed] = delivery.claim(owner="doomed/0")
    assert delivery._sent(claimed, owner="doomed/0", raw=None)  # then the worker dies
    assert delivery.sends_record_stale() == 0  # too recent: its worker may still record it
    UnrecordedSend.objects.filter(message=message).update(
        sent_at=timezone.now() - dt.timedelta(minutes=2)
    )
    assert delivery.sends_record_stale() == 1
    assert (
        Activity.objects.get(kind=ActivityKind.EMAIL_SENT, target_id=message.pk).candidate
        == candidate
    )
    candidate.refresh_from_db()
    assert candidate.last_contacted_at == refresh(message).sent_at


def test_a_line_that_starts_with_a_dot_arrives_whole(
    smtp_sink: Sink, deliver: Callable[..., Any], owner: User, candidate: Candidate
) -> None:
    _send(owner, candidate, body="First line\n\n.hidden line\n\n..two dots\n\n.")
    assert deliver().sent == 1
    text = plain(smtp_sink.received[0])
    assert ".hidden line" in text and "..two dots" in text
    assert "\n.\n" in text or text.rstrip().endswith(".")


def test_after_a_refusal_the_connection_carries_on_with_the_next_message(
    smtp_sink: Sink, deliver: Callable[..., Any], owner: User, candidate: Candidate,
    make_candidate: Callable[..., Candidate],
) -> None:  # fmt: skip
    other = make_candidate(first_name="Olga", emails=["olga@example.org"])
    smtp_sink.answers["maria.souza@example.org"] = "550 5.1.1 No such user"
    _send(owner, candidate)
    _send(owner, other)
    outcome = deliver(connections=1)
    assert (outcome.bounced, outcome.sent) == (1, 1)
    assert [r.rcpt_tos for r in smtp_sink.received] == [["olga@example.org"]]


def test_an_address_with_an_international_domain_goes_in_its_ascii_form(
    smtp_sink: Sink, deliver: Callable[..., Any], owner: User,
    make_candidate: Callable[..., Candidate],
) -> None:  # fmt: skip
    _send(owner, make_candidate(first_name="Jürgen", emails=["jurgen@bücher.example"]))
    assert deliver().sent == 1
    [received] = smtp_sink.received
    assert received.rcpt_tos == ["jurgen@xn--bcher-kva.example"]
    assert received.message["To"] == "jurgen@xn--bcher-kva.example"


def test_a_name_that_is_not_ascii_goes_to_a_server_that_offers_smtputf8(
    smtp_sink: Sink, deliver: Callable[..., Any], owner: User, candidate: Candidate
) -> None:
    josé = _send(owner, candidate)
    Message.objects.filter(pk=josé.pk).update(to_email="josé@example.org")
    assert deliver().sent == 1
    [received] = smtp_sink.received
    assert received.rcpt_tos == ["josé@example.org"]
    assert received.message["To"] == "josé@example.org"


def test_a_name_that_is_not_ascii_waits_for_a_server_that_takes_it_and_blocks_nothing(
    deliver: Callable[..., Any], owner: User, candidate: Candidate,
    make_candidate: Callable[..., Candidate], settings: Any,
) -> None:  # fmt: skip
    from aiosmtpd.controller import Controller

    from tests.outreach.conftest import Handler, _free_port

    sink = Sink(host="127.0.0.1", port=_free_port())
    controller = Controller(
        Handler(sink), hostname=sink.host, port=sink.port, enable_SMTPUTF8=False
    )
    controller.start()
    settings.EMAIL_URL = sink.url
    josé = _send(owner, candidate)
    Message.objects.filter(pk=josé.pk).update(to_email="josé@example.org")
    _send(owner, make_candidate(first_name="Olga", emails=["olga@example.org"]))
    try:
        outcome = deliver(connections=1)  # the next message goes over the same connection
    finally:
        controller.stop()
    assert (outcome.deferred, outcome.sent) == (1, 1)
    waiting = refresh(josé)
    assert (waiting.status, waiting.reason) == (MessageStatus.QUEUED, "deferred")
    assert "SMTPUTF8" in waiting.detail
    assert not Suppression.objects.exists()
    assert [r.rcpt_tos for r in sink.received] == [["olga@example.org"]]


def test_a_failure_midway_lets_the_other_exchanges_finish_and_records_them(
    smtp_sink: Sink, owner: User, make_candidate: Callable[..., Candidate],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    for n in range(2):
        _send(owner, make_candidate(first_name=f"P{n}", emails=[f"p{n}@example.org"]))
    smtp_sink.hold = 0.3  # both exchanges under way when the first ends
    noted = delivery._sent
    failed: list[int] = []

    def note_fails_once(message: Message, **kwargs: Any) -> bool:
        if not failed:
            failed.append(message.pk)
            raise DatabaseError("the database went away")
        return noted(message, **kwargs)

    monkeypatch.setattr(delivery, "_sent", note_fails_once)
    via = delivery.transports(2)
    try:
        with pytest.raises(DatabaseError, match="went away"):
            delivery.deliver_once(owner="w/0", via=via)
    finally:
        for transport in via:
            transport.close()
    assert len(smtp_sink.received) == 2
    statuses = dict(Message.objects.values_list("pk", "status"))
    assert statuses.pop(failed[0]) == MessageStatus.SENDING  # goes again once its lease lapses
    assert list(statuses.values()) == [MessageStatus.SENT]  # finished, noted and recorded


def test_a_message_that_cannot_be_built_is_tried_again_later_and_the_rest_go(
    smtp_sink: Sink, deliver: Callable[..., Any], owner: User, candidate: Candidate,
    make_candidate: Callable[..., Candidate], monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    broken = _send(owner, candidate)
    _send(owner, make_candidate(first_name="Olga", emails=["olga@example.org"]))
    build = mime.build

    def build_fails_for_one(message: Message, **kwargs: Any) -> mime.Envelope:
        if message.pk == broken.pk:
            raise OSError("the DKIM key file cannot be read")
        return build(message, **kwargs)

    monkeypatch.setattr(mime, "build", build_fails_for_one)
    outcome = deliver()
    assert (outcome.deferred, outcome.sent) == (1, 1)
    waiting = refresh(broken)
    assert (waiting.status, waiting.reason) == (MessageStatus.QUEUED, "deferred")
    assert "could not be built: the DKIM key file cannot be read" in waiting.detail
    assert [r.rcpt_tos for r in smtp_sink.received] == [["olga@example.org"]]


def test_a_long_subject_with_accents_arrives_whole_in_short_encoded_words(
    smtp_sink: Sink, deliver: Callable[..., Any], owner: User, candidate: Candidate
) -> None:
    subject = "Olá {{ candidate.first_name }}, " + "uma vaga em São Paulo — ação já! " * 6
    _send(owner, candidate, subject=subject)
    assert deliver().sent == 1
    [received] = smtp_sink.received
    expected = "Olá Maria, " + "uma vaga em São Paulo — ação já! " * 6
    assert received.message["Subject"] == expected.strip()
    head = received.data.split(b"\r\n\r\n", 1)[0].decode("ascii")
    words = [w for line in head.split("\r\n") for w in line.split() if w.startswith("=?utf-8?")]
    assert len(words) > 1 and all(len(w) <= 75 for w in words)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_sends_are_marked_outside_a_transaction_and_after_the_connection_is_reopened(
    smtp_sink: Sink, deliver: Callable[..., Any], owner: User, candidate: Candidate
) -> None:
    first = _send(owner, candidate)
    assert deliver().sent == 1
    connection.close()  # a new session: on PostgreSQL, the marking statement is prepared anew
    second = _send(owner, candidate, subject="Hello again")
    assert deliver().sent == 1
    assert refresh(first).status == refresh(second).status == MessageStatus.SENT
    assert len(smtp_sink.received) == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="a database server's session")
def test_a_sending_thread_goes_on_after_its_database_session_is_lost(
    smtp_sink: Sink, owner: User, candidate: Candidate
) -> None:
    """A restarted database (or a session an administrator ended) leaves a
    sending thread's connection dead: it must open a new one, not fail on
    the old one from then on."""

    def sent(count: int) -> bool:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if len(smtp_sink.received) >= count:
                return True
            time.sleep(0.05)
        return False

    stopped = threading.Event()
    thread = delivery.Deliverer(owner="test-worker/lost", connections=1, stopped=stopped)
    thread.start()
    try:
        _send(owner, candidate)
        assert sent(1)
        with connection.cursor() as cursor:  # every other session of this database ends
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            assert cursor.fetchall(), "the sending thread had no session to end"
        second = _send(owner, candidate, subject="After the restart")
        assert sent(2), "the thread never sent again on a new session"
        deadline = time.monotonic() + 20
        while refresh(second).status != MessageStatus.SENT and time.monotonic() < deadline:
            time.sleep(0.05)
        assert refresh(second).status == MessageStatus.SENT
    finally:
        stopped.set()
        thread.join(timeout=30)
    subjects = [r.message["Subject"] for r in smtp_sink.received]
    assert subjects == ["Hello Maria", "After the restart"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the note's prepared statement")
def test_a_note_the_database_refuses_is_an_error_not_a_message_taken_over(
    owner: User, candidate: Candidate
) -> None:
    first, second = _send(owner, candidate), _send(owner, candidate, subject="Two")
    Message.objects.filter(pk__in=[first.pk, second.pk]).update(
        status=MessageStatus.SENDING, lease_owner="test-worker/0"
    )
    assert delivery._note_sent(first.pk, owner="test-worker/0", at=timezone.now())
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE rapport_note_sent")  # the session lost its statement

    with pytest.raises(DatabaseError, match="rapport_note_sent"):
        delivery._note_sent(second.pk, owner="test-worker/0", at=timezone.now())
    assert list(UnrecordedSend.objects.values_list("message_id", flat=True)) == [first.pk]
