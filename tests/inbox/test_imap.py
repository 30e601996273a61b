"""The mailbox reader, against a real Dovecot on loopback: each message is
recorded once across restarts, renumbering and racing workers, and mail in
the mailbox is never marked, moved or deleted unless moving was asked for."""

from __future__ import annotations

import contextlib
import io
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections
from django.utils import timezone

from rapport.core.models import WorkerLease
from rapport.inbox import imap
from rapport.inbox import services as inbox_services
from rapport.inbox.models import InboundKind, InboundMessage, Mailbox
from tests.inbox.dovecot import HOST, Dovecot, ImapAccount
from tests.inbox.test_receive import REPLY
from tests.inbox.world import World
from tests.workers import WorkerProcess, start_worker, wait_until

__all__ = ["start_worker"]  # a fixture, used by name

THREADS = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def mail(n: int, *, subject: str = "", body: str = "Hello there.", **headers: str) -> bytes:
    lines = [
        f"From: Sender {n} <sender{n}@example.net>",
        "To: replies@rapport.example",
        f"Subject: {subject or f'Message {n}'}",
        f"Message-ID: <message-{n}-{time.monotonic_ns()}@example.net>",
        "Date: Tue, 24 Nov 2026 10:00:00 +0000",
        *(f"{name.replace('_', '-')}: {value}" for name, value in headers.items()),
        "Content-Type: text/plain; charset=utf-8",
        "",
        body,
        "",
    ]
    return "\r\n".join(lines).encode()


@contextlib.contextmanager
def socket_bound() -> Iterator[int]:
    """A loopback port that is taken but not listening: connecting is refused."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        yield int(s.getsockname()[1])


def subjects() -> list[str]:
    return sorted(InboundMessage.objects.values_list("subject", flat=True))


def mailbox_row(account: ImapAccount, folder: str = "INBOX") -> Mailbox:
    return Mailbox.objects.get(key=f"{account.user}@{HOST}/{folder}")


def eventually(check: Callable[[], bool], *, seconds: float = 30) -> bool:
    """Whether `check` comes true before a generous deadline (a deadline,
    not a measurement: the test asserts the outcome, never the time)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


@pytest.fixture
def receive_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every source key the reader hands to inbound_receive."""
    calls: list[str] = []
    real = inbox_services.inbound_receive

    def counting(**kwargs: Any) -> inbox_services.Received:
        calls.append(kwargs["source_key"])
        return real(**kwargs)

    monkeypatch.setattr(inbox_services, "inbound_receive", counting)
    return calls


# --- the address of the mailbox


def test_the_url_gives_host_port_user_password_and_folder() -> None:
    target = imap.target_from_url(
        "imaps://replies%40example.com:p%40ss%2Fw@mail.example.com/Job%20replies"
    )
    assert (target.host, target.port, target.user, target.password, target.folder) == (
        "mail.example.com", 993, "replies@example.com", "p@ss/w", "Job replies",
    )  # fmt: skip
    assert imap.target_from_url("imap+starttls://u:p@mail.example.com").port == 143
    assert imap.target_from_url("imap+starttls://u:p@mail.example.com").folder == "INBOX"
    assert imap.target_from_url("imap://u:p@127.0.0.1:1143/").port == 1143


def test_plain_imap_to_another_machine_is_refused_naming_the_setting() -> None:
    with pytest.raises(ImproperlyConfigured, match=r"RAPPORT_IMAP_URL.*imaps://"):
        imap.target_from_url("imap://u:p@mail.example.com/INBOX")


def test_a_url_without_a_password_is_refused_naming_the_setting() -> None:
    with pytest.raises(ImproperlyConfigured, match="RAPPORT_IMAP_URL must name a user"):
        imap.target_from_url("imaps://mail.example.com/INBOX")


def test_folder_names_are_quoted_and_written_in_modified_utf7() -> None:
    assert imap.folder_name("INBOX") == '"INBOX"'
    assert imap.folder_name('Say "hi" & go') == '"Say \\"hi\\" &- go"'
    assert imap.folder_name("Réponses") == '"R&AOk-ponses"'


# --- reading


@pytest.mark.django_db
def test_new_mail_is_read_once_and_reading_again_reads_nothing(
    imap_mailbox: ImapAccount, receive_calls: list[str]
) -> None:
    uids = [imap_mailbox.append(mail(n)) for n in (1, 2, 3)]
    assert imap.mailbox_read_once() == 3
    assert subjects() == ["Message 1", "Message 2", "Message 3"]
    assert imap.mailbox_read_once() == 0
    assert InboundMessage.objects.count() == 3
    row = mailbox_row(imap_mailbox)
    assert row.last_uid == uids[-1]
    assert row.uidvalidity == imap_mailbox.uidvalidity()
    assert row.checked_at is not None and row.error == ""
    assert row.lease_owner == ""
    assert receive_calls == [f"imap:{row.key}:{row.uidvalidity}:{uid}" for uid in uids]
    assert set(InboundMessage.objects.values_list("source", flat=True)) == {"imap"}


@pytest.mark.django_db
def test_only_mail_that_arrived_since_the_last_read_is_read(imap_mailbox: ImapAccount) -> None:
    imap_mailbox.append(mail(1))
    imap.mailbox_read_once()
    imap_mailbox.append(mail(2))
    assert imap.mailbox_read_once() == 1
    assert subjects() == ["Message 1", "Message 2"]


@pytest.mark.django_db
def test_a_new_reader_after_a_restart_reads_nothing_twice(
    imap_mailbox: ImapAccount, receive_calls: list[str]
) -> None:
    imap_mailbox.append(mail(1))
    imap_mailbox.append(mail(2))
    imap.mailbox_read_once(owner="worker-a/imap")
    # Worker a dies while it holds the folder; once its lease lapses, b reads.
    Mailbox.objects.update(
        lease_owner="worker-a/imap", lease_expires_at=timezone.now() - timezone.timedelta(seconds=1)
    )
    imap_mailbox.append(mail(3))
    assert imap.mailbox_read_once(owner="worker-b/imap") == 1
    assert len(receive_calls) == 3
    assert subjects() == ["Message 1", "Message 2", "Message 3"]


@pytest.mark.django_db
def test_a_failure_while_recording_leaves_the_message_to_be_read_again(
    imap_mailbox: ImapAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = imap_mailbox.append(mail(1))
    imap_mailbox.append(mail(2, subject="Breaks the first time"))
    real = inbox_services.inbound_receive

    def failing(**kwargs: Any) -> inbox_services.Received:
        if b"Breaks" in kwargs["raw"]:
            raise RuntimeError("database went away")
        return real(**kwargs)

    monkeypatch.setattr(inbox_services, "inbound_receive", failing)
    with pytest.raises(RuntimeError):
        imap.mailbox_read_once()
    row = mailbox_row(imap_mailbox)
    assert row.last_uid == first
    assert subjects() == ["Message 1"]
    assert row.error == "Reading the mailbox failed (RuntimeError: database went away)."
    monkeypatch.setattr(inbox_services, "inbound_receive", real)
    assert imap.mailbox_read_once() == 1
    assert subjects() == ["Breaks the first time", "Message 1"]
    assert mailbox_row(imap_mailbox).error == ""


@pytest.mark.django_db
def test_a_recreated_folder_is_read_again_without_recording_its_mail_twice(
    imap_mailbox: ImapAccount, settings: Any, receive_calls: list[str]
) -> None:
    settings.IMAP_URL = imap_mailbox.url(folder="Replies")
    imap_mailbox.create("Replies")
    old = [mail(1), mail(2)]
    for raw in old:
        imap_mailbox.append(raw, "Replies")
    assert imap.mailbox_read_once() == 2
    first_validity = imap_mailbox.uidvalidity("Replies")
    imap_mailbox.delete("Replies")
    imap_mailbox.create("Replies")
    for raw in [*old, mail(3)]:
        imap_mailbox.append(raw, "Replies")
    assert imap_mailbox.uidvalidity("Replies") != first_validity
    assert imap.mailbox_read_once() == 3
    assert len(receive_calls) == 5
    assert subjects() == ["Message 1", "Message 2", "Message 3"]
    row = mailbox_row(imap_mailbox, "Replies")
    assert row.uidvalidity == imap_mailbox.uidvalidity("Replies")


@pytest.mark.django_db
def test_a_folder_with_a_name_beyond_ascii_is_read(
    imap_mailbox: ImapAccount, settings: Any
) -> None:
    settings.IMAP_URL = imap_mailbox.url(folder="Réponses")
    assert "/R%C3%A9ponses" in settings.IMAP_URL
    client = imap_mailbox.connect()
    assert client.create(imap.folder_name("Réponses"))[0] == "OK"
    assert client.append(imap.folder_name("Réponses"), None, None, mail(1))[0] == "OK"
    client.logout()
    assert imap.mailbox_read_once() == 1
    assert mailbox_row(imap_mailbox, "Réponses").last_uid == 1


@pytest.mark.django_db
def test_without_a_move_folder_nothing_in_the_mailbox_is_marked_moved_or_deleted(
    imap_mailbox: ImapAccount,
) -> None:
    imap_mailbox.append(mail(1))
    imap_mailbox.append(mail(2))
    imap_mailbox.create("Archive")
    imap_mailbox.append(mail(3), "Archive")
    folders = sorted(imap_mailbox.folders())
    before = imap_mailbox.listing()
    assert before and all(flags == set() for flags in before.values())
    assert imap.mailbox_read_once() == 2
    assert imap_mailbox.listing() == before
    assert sorted(imap_mailbox.folders()) == folders
    assert len(imap_mailbox.listing("Archive")) == 1


@pytest.mark.django_db
def test_with_a_move_folder_processed_mail_is_moved_there_and_nothing_else(
    imap_mailbox: ImapAccount, settings: Any
) -> None:
    settings.IMAP_MOVE_TO = "Rapport processed"
    imap_mailbox.create("Archive")
    imap_mailbox.append(mail(9), "Archive")
    imap_mailbox.append(mail(1))
    imap_mailbox.append(mail(2))
    assert imap.mailbox_read_once() == 2
    assert "Rapport processed" in imap_mailbox.folders()
    moved = imap_mailbox.listing("Rapport processed")
    assert len(moved) == 2
    assert all("\\Seen" not in flags for flags in moved.values())
    assert imap_mailbox.listing() == {}
    assert len(imap_mailbox.listing("Archive")) == 1
    later = imap_mailbox.append(mail(3))
    assert imap_mailbox.listing() == {later: set()}


@pytest.mark.django_db
def test_without_move_the_server_expunges_only_the_message_rapport_moved(
    imap_mailbox: ImapAccount, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A server without MOVE: COPY, \Deleted and UID EXPUNGE of that UID. A
    # message someone else marked \Deleted must survive the first move.
    original = imap.Session._capabilities
    monkeypatch.setattr(imap.Session, "_capabilities", lambda self: original(self) - {"MOVE"})
    settings.IMAP_MOVE_TO = "Done"
    imap_mailbox.append(mail(1))
    marked = mail(2, subject="Marked deleted by someone else")
    imap_mailbox.connect().append('"INBOX"', "(\\Deleted)", None, marked)
    assert imap.mailbox_read_once() == 2
    assert subjects() == ["Marked deleted by someone else", "Message 1"]
    assert len(imap_mailbox.listing("Done")) == 2


@pytest.mark.django_db
def test_mail_left_unmoved_by_a_crash_is_moved_on_the_next_read(
    imap_mailbox: ImapAccount, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.IMAP_MOVE_TO = "Done"
    imap_mailbox.append(mail(1))

    def crash(self: imap.Session, uids: Any, folder: str) -> None:
        raise imap.ImapError("connection lost")

    with monkeypatch.context() as patch:
        patch.setattr(imap.Session, "move", crash)
        with pytest.raises(imap.ImapError):
            imap.mailbox_read_once()
    assert InboundMessage.objects.count() == 1
    assert len(imap_mailbox.listing()) == 1
    assert imap.mailbox_read_once() == 0
    assert imap_mailbox.listing() == {}
    assert len(imap_mailbox.listing("Done")) == 1


@pytest.mark.django_db
def test_a_message_over_the_size_limit_is_recorded_from_its_headers(
    imap_mailbox: ImapAccount, settings: Any
) -> None:
    settings.INBOUND_MAX_BYTES = 20_000
    big = mail(
        1,
        subject="My portfolio, attached",
        body="PORTFOLIO " * 5_000,
        X_Mailer="Big Mail 1.0",
    )
    uid = imap_mailbox.append(big)
    assert imap.mailbox_read_once() == 1
    message = InboundMessage.objects.get()
    assert message.subject == "My portfolio, attached"
    assert message.from_email == "sender1@example.net"
    assert "larger than the limit of 20,000 bytes" in message.text_full
    assert b"PORTFOLIO" not in bytes(message.raw or b"")
    assert b"X-Mailer: Big Mail 1.0" in bytes(message.raw or b"")
    assert message.size > 50_000  # its own size, not the headers'
    assert any("over the limit of 20,000" in problem for problem in message.problems)
    assert imap_mailbox.listing() == {uid: set()}


@pytest.mark.django_db
def test_a_reply_in_the_mailbox_is_recorded_as_the_reply_it_is(
    world: World, dovecot: Dovecot, settings: Any
) -> None:
    account = dovecot.account()
    settings.IMAP_URL = account.url()
    account.append(world.fill(REPLY))
    assert imap.mailbox_read_once() == 1
    message = InboundMessage.objects.get()
    assert message.kind == InboundKind.REPLY
    assert message.candidate == world.candidates["ana"]
    assert message.answers == world.messages["m1"]


# --- connecting


@pytest.mark.django_db
def test_tls_and_starttls_are_read_with_the_certificate_verified(
    imap_mailbox: ImapAccount, dovecot: Dovecot, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The test server's self-signed certificate is trusted the way an
    # operator trusts a private authority: SSL_CERT_FILE.
    monkeypatch.setenv("SSL_CERT_FILE", str(dovecot.cert))
    imap_mailbox.append(mail(1))
    settings.IMAP_URL = imap_mailbox.url(scheme="imaps")
    assert imap.mailbox_read_once() == 1
    imap_mailbox.append(mail(2))
    settings.IMAP_URL = imap_mailbox.url(scheme="imap+starttls")
    assert imap.mailbox_read_once() == 1


@pytest.mark.django_db
def test_a_certificate_nobody_vouches_for_is_a_clear_error(
    imap_mailbox: ImapAccount, settings: Any
) -> None:
    settings.IMAP_URL = imap_mailbox.url(scheme="imaps")
    with pytest.raises(imap.ImapError, match=r"certificate of the IMAP server .* was not accepted"):
        imap.mailbox_read_once()


@pytest.mark.django_db
def test_a_wrong_password_is_a_clear_error_recorded_on_the_mailbox(
    imap_mailbox: ImapAccount, settings: Any
) -> None:
    settings.IMAP_URL = imap_mailbox.url(password="not the password")
    with pytest.raises(imap.ImapError) as caught:
        imap.mailbox_read_once()
    expected = (
        f"The IMAP server at {HOST}:{imap_mailbox.server.port} refused the user name or "
        f"password of {imap_mailbox.user}; check RAPPORT_IMAP_URL (percent-encode @ : / % "
        "in the password)."
    )
    assert str(caught.value) == expected
    row = mailbox_row(imap_mailbox)
    assert row.error == expected
    assert row.lease_owner == "" and row.last_uid == 0


@pytest.mark.django_db
def test_an_unknown_folder_is_a_clear_error(imap_mailbox: ImapAccount, settings: Any) -> None:
    settings.IMAP_URL = imap_mailbox.url(folder="Nowhere")
    with pytest.raises(imap.ImapError, match=r"The folder 'Nowhere' .* cannot be opened"):
        imap.mailbox_read_once()
    assert (
        "the path of RAPPORT_IMAP_URL names the folder"
        in mailbox_row(imap_mailbox, "Nowhere").error
    )


@pytest.mark.django_db
def test_an_unreachable_server_is_a_clear_error(imap_mailbox: ImapAccount, settings: Any) -> None:
    with socket_bound() as port:  # a port nobody listens on
        settings.IMAP_URL = imap_mailbox.url(port=port)
        with pytest.raises(imap.ImapError, match=f"Cannot reach the IMAP server at {HOST}:{port}"):
            imap.mailbox_read_once()


# --- one reader at a time


@pytest.mark.django_db
def test_a_reader_leaves_a_mailbox_another_worker_holds_until_its_lease_lapses(
    imap_mailbox: ImapAccount,
) -> None:
    imap_mailbox.append(mail(1))
    key = f"{imap_mailbox.user}@{HOST}/INBOX"
    later = timezone.now() + timezone.timedelta(minutes=5)
    Mailbox.objects.create(key=key, lease_owner="worker-a/imap", lease_expires_at=later)
    with pytest.raises(imap.MailboxBusy, match="Another worker \\(worker-a/imap\\)"):
        imap.mailbox_read_once(owner="worker-b/imap")
    assert InboundMessage.objects.count() == 0
    Mailbox.objects.update(lease_expires_at=timezone.now() - timezone.timedelta(seconds=1))
    assert imap.mailbox_read_once(owner="worker-b/imap") == 1


@THREADS
def test_two_readers_racing_for_one_mailbox_record_each_message_once(
    imap_mailbox: ImapAccount, receive_calls: list[str]
) -> None:
    for n in range(1, 6):
        imap_mailbox.append(mail(n))
    start = threading.Barrier(2)
    outcomes: list[object] = []

    def read(owner: str) -> None:
        try:
            start.wait()
            outcomes.append(imap.mailbox_read_once(owner=owner))
        except imap.MailboxBusy as exc:
            outcomes.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=read, args=(f"worker-{n}/imap",)) for n in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(o for o in outcomes if isinstance(o, int)) in ([5], [0, 5])
    assert len(receive_calls) == 5 == len(set(receive_calls))
    assert InboundMessage.objects.count() == 5


# --- the worker's thread


@pytest.fixture
def reader(settings: Any) -> Iterator[Callable[[], threading.Thread]]:
    stopped = threading.Event()
    started: list[threading.Thread] = []

    def start() -> threading.Thread:
        threads = imap.start_reader("test-worker", stopped)
        assert len(threads) == 1
        started.extend(threads)
        return threads[0]

    yield start
    stopped.set()
    for thread in started:
        thread.join(timeout=60)
        assert not thread.is_alive()


def _first_pass_done(account: ImapAccount) -> bool:
    return Mailbox.objects.filter(
        key=f"{account.user}@{HOST}/INBOX", checked_at__isnull=False
    ).exists()


def test_mail_announced_with_an_earlier_answer_is_not_waited_for_in_idle(
    imap_mailbox: ImapAccount,
) -> None:
    """Mail that arrives while the reader's last command runs is announced
    with that command's answer, and IDLE does not announce it again: the
    reader must read it rather than wait in IDLE for half an hour."""
    session = imap.Session(imap.target_from_url(imap_mailbox.url()), writable=False)
    try:
        # Nothing new since the folder was opened: IDLE waits, then says so.
        assert not session.idle(threading.Event(), tick=lambda: None, seconds=0.5)
        imap_mailbox.append(mail(1))
        session.noop()  # the server answers, and announces the new mail with it
        assert session.idle(threading.Event(), tick=lambda: None, seconds=5)
        # Taken: the next IDLE waits for mail newer still.
        assert not session.idle(threading.Event(), tick=lambda: None, seconds=0.5)
    finally:
        session.close()


@THREADS
def test_the_reader_picks_up_mail_that_arrives_while_it_idles(
    imap_mailbox: ImapAccount, settings: Any, reader: Callable[[], threading.Thread]
) -> None:
    settings.IMAP_IDLE = True
    settings.IMAP_POLL_SECONDS = 3600  # only IDLE can see the second message in time
    imap_mailbox.append(mail(1))
    reader()
    assert eventually(lambda: _first_pass_done(imap_mailbox))
    assert subjects() == ["Message 1"]
    imap_mailbox.append(mail(2))
    assert eventually(lambda: InboundMessage.objects.count() == 2)
    assert subjects() == ["Message 1", "Message 2"]
    assert mailbox_row(imap_mailbox).lease_owner == "test-worker/imap"


@THREADS
def test_the_reader_polls_when_idle_is_turned_off(
    imap_mailbox: ImapAccount,
    settings: Any,
    reader: Callable[[], threading.Thread],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings.IMAP_IDLE = False
    settings.IMAP_POLL_SECONDS = 1
    monkeypatch.setattr(imap, "NOOP_SECONDS", 0)  # and keeps the connection alive meanwhile
    reader()
    assert eventually(lambda: _first_pass_done(imap_mailbox))
    imap_mailbox.append(mail(1))
    assert eventually(lambda: InboundMessage.objects.count() == 1)


@THREADS
def test_the_reader_stops_when_asked_and_lets_go_of_the_mailbox(
    imap_mailbox: ImapAccount, settings: Any
) -> None:
    stopped = threading.Event()
    (thread,) = imap.start_reader("test-worker", stopped)
    assert eventually(lambda: _first_pass_done(imap_mailbox))
    stopped.set()
    thread.join(timeout=60)
    assert not thread.is_alive()
    assert mailbox_row(imap_mailbox).lease_owner == ""


@THREADS
def test_the_reader_records_errors_and_keeps_trying(
    imap_mailbox: ImapAccount, settings: Any, reader: Callable[[], threading.Thread]
) -> None:
    settings.IMAP_URL = imap_mailbox.url(password="wrong")
    thread = reader()
    key = f"{imap_mailbox.user}@{HOST}/INBOX"
    assert eventually(
        lambda: Mailbox.objects.filter(key=key, error__contains="refused the user name").exists()
    )
    assert thread.is_alive()


@pytest.mark.slow
@THREADS
def test_a_killed_workers_mailbox_is_taken_over_and_nothing_is_recorded_twice(
    imap_mailbox: ImapAccount, start_worker: Callable[..., WorkerProcess]
) -> None:
    mailbox = {"RAPPORT_IMAP_URL": imap_mailbox.url(), "RAPPORT_IMAP_POLL_SECONDS": "1"}
    imap_mailbox.append(mail(1))
    first = start_worker(environment=mailbox)
    wait_until(lambda: InboundMessage.objects.count() == 1, timeout=60, failure=first.output)
    holder = mailbox_row(imap_mailbox).lease_owner
    second = start_worker(environment=mailbox)
    wait_until(lambda: WorkerLease.objects.count() == 2, timeout=60, failure=second.output)
    assert mailbox_row(imap_mailbox).lease_owner == holder  # the second one waits
    first.signal(signal.SIGKILL)
    first.wait(timeout=30)
    imap_mailbox.append(mail(2))
    imap_mailbox.append(mail(3))
    wait_until(lambda: InboundMessage.objects.count() == 3, timeout=60, failure=second.output)
    assert subjects() == ["Message 1", "Message 2", "Message 3"]
    assert mailbox_row(imap_mailbox).lease_owner not in ("", holder)
    second.signal(signal.SIGTERM)
    assert second.wait(timeout=60) == 0, second.output()


def test_no_reader_starts_without_a_mailbox(settings: Any) -> None:
    settings.IMAP_URL = ""
    assert imap.start_reader("test-worker", threading.Event()) == []


# --- rapport imap_check


@pytest.mark.django_db
def test_imap_check_says_what_is_in_the_folder_and_how_far_rapport_has_read(
    imap_mailbox: ImapAccount,
) -> None:
    imap_mailbox.append(mail(1))
    out = io.StringIO()
    call_command("imap_check", stdout=out)
    text = out.getvalue()
    assert f"INBOX, 1 message, UIDVALIDITY {imap_mailbox.uidvalidity()}" in text
    assert (
        "not read yet; the first read takes every message in the folder (1 message not read yet)"
        in text
    )
    assert "IDLE:        offered and used" in text
    assert "Move to:     not set: Rapport never changes the mailbox" in text
    assert InboundMessage.objects.count() == 0
    out = io.StringIO()
    call_command("imap_check", "--read", stdout=out)
    assert "Read 1 new message." in out.getvalue()
    out = io.StringIO()
    call_command("imap_check", stdout=out)
    assert "up to UID 1 (0 messages not read yet)" in out.getvalue()


@pytest.mark.django_db
def test_imap_check_explains_a_wrong_password(imap_mailbox: ImapAccount, settings: Any) -> None:
    settings.IMAP_URL = imap_mailbox.url(password="wrong")
    with pytest.raises(CommandError, match="refused the user name or password"):
        call_command("imap_check")


def test_imap_check_says_when_no_mailbox_is_set(settings: Any) -> None:
    settings.IMAP_URL = ""
    with pytest.raises(CommandError, match="RAPPORT_IMAP_URL is not set"):
        call_command("imap_check")
