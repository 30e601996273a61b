"""The mailbox reader: new mail in the folder of RAPPORT_IMAP_URL becomes
InboundMessage rows, each exactly once.

Every `rapport worker` starts one reader thread when RAPPORT_IMAP_URL is
set; a lease on the folder's Mailbox row (a conditional UPDATE, as long as
RAPPORT_WORKER_LEASE_SECONDS and renewed every third of it) lets one of them
read at a time, and another takes over once the lease of a dead one lapses.
The read position only moves for the lease's holder, so a reader that
stalled past its lease records nothing more.

How it reads:

- It logs in over TLS (imaps://), upgrades with STARTTLS
  (imap+starttls://), or, only to this machine, speaks plain IMAP (imap://).
- It opens the folder read-only (EXAMINE) unless RAPPORT_IMAP_MOVE_TO is
  set, downloads with BODY.PEEK, and never stores a flag: mail in the
  mailbox stays exactly as it was, unread included.
- It remembers the folder's UIDVALIDITY and the last UID it recorded. Each
  new message is recorded (`inbound_receive`) and the position advanced in
  one transaction, so a crash redoes both or neither; a source key made of
  the folder, its UIDVALIDITY and the UID keeps a message from being
  recorded twice. When the server renumbers the folder (a new UIDVALIDITY)
  the reader starts again from the first message, and what was already
  recorded is recognised by its Message-ID.
- A message larger than RAPPORT_INBOUND_MAX_BYTES is recorded from its
  headers only, with a note saying so; the message stays in the mailbox.
- With RAPPORT_IMAP_MOVE_TO set, each recorded message is then moved to
  that folder (created when absent), with UID MOVE, or with COPY, \\Deleted
  and UID EXPUNGE of that UID alone where MOVE is not offered. Nothing else
  is ever expunged. A message recorded just before a crash and not yet moved
  is moved on the next connection.
- It waits for new mail with IDLE where the server offers it (and
  RAPPORT_IMAP_IDLE is on), and otherwise looks every
  RAPPORT_IMAP_POLL_SECONDS. Errors are logged and written on the Mailbox
  row as one sentence, and the reader tries again after a growing delay.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import imaplib
import io
import ipaddress
import itertools
import logging
import os
import re
import select
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import close_old_connections, connections, transaction
from django.db.models import Q
from django.utils import timezone

from rapport.inbox.models import InboundSource, Mailbox

if TYPE_CHECKING:
    from rapport.inbox.services import Received

logger = logging.getLogger(__name__)

TIMEOUT = 30.0  # seconds to connect, and to wait for any one answer
IDLE_SECONDS = 29 * 60  # RFC 2177: end IDLE and start it again within 30 minutes
WAKE_SECONDS = 2.0  # how often (at most) a waiting reader looks whether it should stop
NOOP_SECONDS = 240  # a polling reader's sign of life, well within servers' 30-minute autologout
SIZE_BATCH = 100  # UIDs whose sizes are asked for in one FETCH
RETRY_DELAYS = [5, 15, 60, 300, 900]  # seconds after 1, 2, … failures in a row
SCHEMES = {"imap": 143, "imap+starttls": 143, "imaps": 993}


def lease_seconds() -> float:
    """The folder's lease lasts as long as a worker's (RAPPORT_WORKER_LEASE_SECONDS)
    and is renewed every third of it."""
    return float(settings.WORKER_LEASE_SECONDS)


def wake_seconds() -> float:
    return min(WAKE_SECONDS, lease_seconds() / 4)


class ImapError(Exception):
    """What went wrong with the mailbox, in one sentence for an operator."""


class MailboxBusy(ImapError):
    """Another worker holds the folder's lease."""


class LeaseLost(ImapError):
    """The lease passed to another worker while this one was reading."""


# --- where to read


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    user: str
    password: str = field(repr=False)
    folder: str = "INBOX"

    @property
    def key(self) -> str:
        """The Mailbox row's key: user@host/folder."""
        return f"{self.user}@{self.host}/{self.folder}"[:300]

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


def target_from_url(url: str) -> Target:
    """Read RAPPORT_IMAP_URL, refusing what would not work or not be safe."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise ImproperlyConfigured(
            "RAPPORT_IMAP_URL must start with imaps://, imap+starttls:// or (to this "
            f"machine only) imap://; got {parts.scheme or 'no scheme'}."
        )
    try:
        port = parts.port or SCHEMES[parts.scheme]
    except ValueError:
        raise ImproperlyConfigured("RAPPORT_IMAP_URL has a port that is not a number.") from None
    host = parts.hostname or ""
    user, password = unquote(parts.username or ""), unquote(parts.password or "")
    if not host or not user or not password:
        raise ImproperlyConfigured(
            "RAPPORT_IMAP_URL must name a user, a password and a host, such as "
            "imaps://replies%40example.com:PASSWORD@mail.example.com/INBOX "
            "(percent-encode @ : / % in the user name and password)."
        )
    if parts.scheme == "imap" and not is_loopback(host):
        raise ImproperlyConfigured(
            f"RAPPORT_IMAP_URL uses plain imap:// to {host}, which would send the password "
            "unencrypted; use imaps:// or imap+starttls:// (plain IMAP is only for this machine)."
        )
    folder = unquote(parts.path.lstrip("/")) or "INBOX"
    return Target(parts.scheme, host, port, user, password, folder)


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def source_key(key: str, uidvalidity: int, uid: int) -> str:
    found = f"imap:{key}:{uidvalidity}:{uid}"
    if len(found) <= 300:
        return found
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"imap:{digest}:{uidvalidity}:{uid}"


def tls_context() -> ssl.SSLContext:
    """Certificates are always verified, against the system's authorities
    (or those of the file named by the SSL_CERT_FILE environment variable,
    for a server with a private authority)."""
    return ssl.create_default_context()


# --- talking to the server


def folder_name(name: str) -> str:
    """A folder name as IMAP wants it: modified UTF-7 (RFC 3501 5.1.3), quoted."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            encoded = base64.b64encode("".join(pending).encode("utf-16-be")).decode()
            out.append("&" + encoded.rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for ch in name:
        if " " <= ch <= "~":
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            pending.append(ch)
    flush()
    return _quoted("".join(out))


def _text(data: Sequence[object]) -> str:
    """The server's words from a response, for an error message."""
    for item in reversed(data):
        if isinstance(item, bytes):
            return re.sub(r" \(\d+\.\d+ \+ .*secs\)\.?$", "", item.decode("utf-8", "replace"))
    return ""


_idle_tags = itertools.count(1)


class Session:
    """One logged-in connection with the folder selected: read-only unless
    `writable` (which only moving mail out of it needs)."""

    def __init__(self, target: Target, *, writable: bool) -> None:
        self.target = target
        self.imap = _connect(target)
        try:
            self.capabilities = self._capabilities()
            self.uidvalidity, self.exists = self._select(target.folder, writable=writable)
        except BaseException:
            self.close()
            raise

    def _capabilities(self) -> set[str]:
        # Asked again after login: servers offer more to a logged-in client.
        typ, data = self.imap.capability()
        words = _text(data).upper().split() if typ == "OK" else []
        return set(words) | {c.upper() for c in self.imap.capabilities}

    def _select(self, folder: str, *, writable: bool) -> tuple[int, int]:
        try:
            typ, data = self.imap.select(folder_name(folder), readonly=not writable)
        except imaplib.IMAP4.readonly:
            raise ImapError(
                f"The folder {folder!r} at {self.target.where} is read-only, so mail cannot "
                "be moved out of it; unset RAPPORT_IMAP_MOVE_TO or give the user write access."
            ) from None
        if typ != "OK":
            raise ImapError(
                f"The folder {folder!r} of {self.target.user} at {self.target.where} cannot be "
                f"opened ({_text(data)}); the path of RAPPORT_IMAP_URL names the folder, "
                "INBOX when it has none."
            )
        count = data[0] if data else None
        exists = int(count) if isinstance(count, bytes) and count.isdigit() else 0
        self.imap.response("EXISTS")  # taken: later ones announce new mail (see `idle`)
        _, found = self.imap.response("UIDVALIDITY")
        if not found or not isinstance(found[0], bytes) or not found[0].isdigit():
            raise ImapError(f"The IMAP server at {self.target.where} gave no UIDVALIDITY.")
        return int(found[0]), exists

    def _ok(self, typ: str, data: Sequence[object], doing: str) -> None:
        if typ != "OK":
            raise ImapError(
                f"The IMAP server at {self.target.where} refused {doing}: {_text(data)}"
            )

    def noop(self) -> None:
        typ, data = self.imap.noop()
        self._ok(typ, data, "NOOP")

    def uids(self, first: int, last: int | None = None) -> list[int]:
        """The UIDs in first:last (last: the newest), in order. `n:*` always
        includes the newest message, even below n, so it is filtered."""
        if last is not None and last < first:
            return []
        typ, data = self.imap.uid("SEARCH", "UID", f"{first}:{'*' if last is None else last}")
        self._ok(typ, data, "a search")
        words = b" ".join(d for d in data if isinstance(d, bytes)).split()
        found = sorted({int(w) for w in words if w.isdigit()})
        return [uid for uid in found if uid >= first and (last is None or uid <= last)]

    def sizes(self, uids: Sequence[int]) -> dict[int, int]:
        typ, data = self.imap.uid("FETCH", _uid_set(uids), "(RFC822.SIZE)")
        self._ok(typ, data, "to give message sizes")
        sizes = {}
        for line in data:
            header = line[0] if isinstance(line, tuple) else line
            if isinstance(header, bytes):
                uid = re.search(rb"UID (\d+)", header)
                size = re.search(rb"RFC822\.SIZE (\d+)", header)
                if uid and size:
                    sizes[int(uid.group(1))] = int(size.group(1))
        return sizes

    def fetch(self, uid: int, section: str = "") -> bytes | None:
        """The message (or one section of it) without marking it \\Seen;
        None when it is no longer there."""
        typ, data = self.imap.uid("FETCH", str(uid), f"(BODY.PEEK[{section}])")
        self._ok(typ, data, f"to give message {uid}")
        for index, item in enumerate(data):
            if not isinstance(item, tuple) or b"BODY[" not in item[0]:
                continue
            after = data[index + 1] if index + 1 < len(data) else b""
            found = re.search(rb"UID (\d+)", item[0] + (after if isinstance(after, bytes) else b""))
            if found is None or int(found.group(1)) == uid:
                return bytes(item[1])
        return None

    def move(self, uids: Sequence[int], folder: str) -> None:
        """Move these messages, and only these, to `folder`."""
        if not uids:
            return
        where, name = _uid_set(uids), folder_name(folder)
        if "MOVE" in self.capabilities:
            typ, data = self.imap.uid("MOVE", where, name)
            self._ok(typ, data, f"to move mail to {folder!r}")
            return
        typ, data = self.imap.uid("COPY", where, name)
        self._ok(typ, data, f"to copy mail to {folder!r}")
        typ, data = self.imap.uid("STORE", where, "+FLAGS.SILENT", "(\\Deleted)")
        self._ok(typ, data, "to mark moved mail deleted")
        typ, data = self.imap.uid("EXPUNGE", where)
        self._ok(typ, data, "to expunge moved mail")

    def can_move(self) -> bool:
        # Without MOVE or UIDPLUS, expunging would remove every \Deleted
        # message of the folder, not only Rapport's.
        return bool({"MOVE", "UIDPLUS"} & self.capabilities)

    def folder_exists(self, folder: str) -> bool:
        typ, data = self.imap.list('""', folder_name(folder))
        self._ok(typ, data, "to list folders")
        return any(item is not None for item in data)

    def folder_create(self, folder: str) -> None:
        typ, data = self.imap.create(folder_name(folder))
        self._ok(typ, data, f"to create the folder {folder!r}")
        logger.info("Created the folder %r in %s for processed mail.", folder, self.target.key)

    def idle(self, stopped: threading.Event, *, tick: Callable[[], None], seconds: float) -> bool:
        """Wait with IDLE until the server announces new mail (True), or
        until `seconds` pass or `stopped` is set (False). `tick` runs every
        few seconds meanwhile. (Python 3.11's imaplib has no IDLE.)"""
        # Mail the server announced alongside an earlier command (a search
        # it answered just before the mail arrived) is not announced again
        # in IDLE: it has arrived, and is read before waiting.
        _, announced = self.imap.response("EXISTS")
        if any(announced):
            return True
        tag = b"RIDLE%d" % next(_idle_tags)
        self.imap.send(tag + b" IDLE\r\n")
        arrived = False
        while not (line := self._line()).startswith(b"+"):
            if line.startswith(tag + b" "):
                raise ImapError(f"The IMAP server at {self.target.where} refused IDLE: {line!r}")
            arrived |= _announces_mail(line)
        deadline = time.monotonic() + seconds
        while not arrived and not stopped.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            tick()
            if self._readable(min(wake_seconds(), remaining)):
                line = self._line()
                if line.startswith(b"* BYE"):
                    raise ImapError(
                        f"The IMAP server at {self.target.where} closed the connection."
                    )
                arrived = _announces_mail(line)
        self.imap.send(b"DONE\r\n")
        while not (line := self._line()).startswith(tag + b" "):
            arrived |= _announces_mail(line)
        if not line.startswith(tag + b" OK"):
            raise ImapError(f"The IMAP server at {self.target.where} ended IDLE with {line!r}.")
        return arrived

    def _line(self) -> bytes:
        line = bytes(self.imap.readline())
        if not line:
            raise ImapError(f"The IMAP server at {self.target.where} closed the connection.")
        return line

    def _readable(self, seconds: float) -> bool:
        """Whether the server has said something, waiting up to `seconds`.
        What imaplib has already buffered counts: it is looked at without
        blocking, since a socket timeout would break imaplib's reader."""
        sock = self.imap.sock
        reader = cast(io.BufferedReader, self.imap.file)
        previous = sock.gettimeout()
        sock.settimeout(0)
        try:
            if reader.peek(1):
                return True
        except (ssl.SSLWantReadError, BlockingIOError):
            pass
        finally:
            sock.settimeout(previous)
        ready, _, _ = select.select([sock], [], [], seconds)
        return bool(ready)

    def close(self) -> None:
        try:
            self.imap.sock.settimeout(5)
            self.imap.logout()
        except (OSError, imaplib.IMAP4.error, ValueError):
            pass
        with contextlib.suppress(OSError, imaplib.IMAP4.error, ValueError):
            self.imap.shutdown()


def _connect(target: Target) -> imaplib.IMAP4:
    where = target.where
    try:
        if target.scheme == "imaps":
            imap: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                target.host, target.port, ssl_context=tls_context(), timeout=TIMEOUT
            )
        else:
            imap = imaplib.IMAP4(target.host, target.port, timeout=TIMEOUT)
            if target.scheme == "imap+starttls":
                imap.starttls(ssl_context=tls_context())
    except ssl.SSLCertVerificationError as exc:
        raise ImapError(
            f"The certificate of the IMAP server at {where} was not accepted "
            f"({exc.verify_message}); check the host name in RAPPORT_IMAP_URL, or trust a "
            "private authority with SSL_CERT_FILE."
        ) from None
    except ssl.SSLError as exc:
        raise ImapError(
            f"TLS with the IMAP server at {where} failed: {exc.reason or exc}."
        ) from None
    except (OSError, EOFError) as exc:
        reason = (
            exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or "no answer"
        )
        raise ImapError(f"Cannot reach the IMAP server at {where}: {reason}.") from None
    except imaplib.IMAP4.error as exc:
        raise ImapError(f"The IMAP server at {where} did not take the connection: {exc}") from None
    try:
        _login(imap, target)
    except BaseException:
        with contextlib.suppress(OSError):
            imap.shutdown()
        raise
    return imap


def _login(imap: imaplib.IMAP4, target: Target) -> None:
    try:
        if target.user.isascii() and target.password.isascii():
            imap.login(_quoted(target.user), target.password)
        else:
            secret = f"\0{target.user}\0{target.password}".encode()
            imap.authenticate("PLAIN", lambda _: secret)
    except imaplib.IMAP4.abort as exc:
        raise ImapError(f"The IMAP server at {target.where} closed the connection: {exc}") from None
    except imaplib.IMAP4.error:
        raise ImapError(
            f"The IMAP server at {target.where} refused the user name or password of "
            f"{target.user}; check RAPPORT_IMAP_URL (percent-encode @ : / % in the password)."
        ) from None
    except OSError as exc:
        raise ImapError(f"The IMAP server at {target.where} stopped answering: {exc}.") from None


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _uid_set(uids: Sequence[int]) -> str:
    return ",".join(str(uid) for uid in uids)


def _announces_mail(line: bytes) -> bool:
    return re.match(rb"\* \d+ EXISTS", line) is not None


def _batches(uids: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(uids), size):
        yield uids[start : start + size]


# --- the read position and its lease


class Lease:
    """This reader's hold on a folder's Mailbox row."""

    def __init__(self, *, key: str, owner: str) -> None:
        self.key = key
        self.owner = owner[:64]
        self.renewed = 0.0

    def take(self) -> Mailbox:
        now = timezone.now()
        Mailbox.objects.get_or_create(key=self.key)
        free = (
            Q(lease_owner="")
            | Q(lease_owner=self.owner)
            | Q(lease_expires_at__isnull=True)
            | Q(lease_expires_at__lt=now)
        )
        taken = Mailbox.objects.filter(Q(key=self.key) & free).update(
            lease_owner=self.owner, lease_expires_at=now + dt.timedelta(seconds=lease_seconds())
        )
        mailbox = Mailbox.objects.get(key=self.key)
        if not taken:
            until = mailbox.lease_expires_at or now
            raise MailboxBusy(
                f"Another worker ({mailbox.lease_owner}) is reading {self.key}; its lease "
                f"runs until {until:%Y-%m-%d %H:%M:%S} UTC."
            )
        self.renewed = time.monotonic()
        return mailbox

    def mine(self) -> Q:
        return Q(key=self.key, lease_owner=self.owner)

    def renew(self, *, checked: bool = False, force: bool = False) -> None:
        """Extend the lease once a third of it has passed; when `checked`,
        also say the mailbox was looked at (a reader in IDLE is looking)."""
        if not force and time.monotonic() - self.renewed < lease_seconds() / 3:
            return
        now = timezone.now()
        fields: dict[str, object] = {
            "lease_expires_at": now + dt.timedelta(seconds=lease_seconds())
        }
        if checked:
            fields["checked_at"] = now
        if not Mailbox.objects.filter(self.mine()).update(**fields):
            raise LeaseLost(f"Another worker took over reading {self.key}.")
        self.renewed = time.monotonic()

    def release(self) -> None:
        Mailbox.objects.filter(self.mine()).update(lease_owner="", lease_expires_at=None)


def _position(lease: Lease, mailbox: Mailbox, uidvalidity: int) -> int:
    """The last UID recorded, or 0 when the folder is new or was renumbered."""
    if mailbox.uidvalidity == uidvalidity:
        return mailbox.last_uid
    if mailbox.uidvalidity is not None:
        logger.warning(
            "The UIDVALIDITY of %s changed from %s to %s (the folder was recreated or "
            "renumbered): reading it again from its first message; mail already recorded "
            "is recognised by its Message-ID.",
            lease.key,
            mailbox.uidvalidity,
            uidvalidity,
        )
    if not Mailbox.objects.filter(lease.mine()).update(uidvalidity=uidvalidity, last_uid=0):
        raise LeaseLost(f"Another worker took over reading {lease.key}.")
    mailbox.uidvalidity, mailbox.last_uid = uidvalidity, 0
    return 0


def _receive(raw: bytes, key: str, size: int | None = None) -> Received:
    from rapport.inbox.services import inbound_receive

    return inbound_receive(raw=raw, source=InboundSource.IMAP, source_key=key, size=size)


def _record(
    lease: Lease, *, uidvalidity: int, uid: int, raw: bytes | None, size: int | None = None
) -> None:
    """Record the message and move the position past it, in one transaction:
    a crash between the two redoes both or neither. The position only moves
    for the lease's holder, so a reader whose lease has passed to another
    records nothing."""
    with transaction.atomic():
        advanced = Mailbox.objects.filter(
            lease.mine(), uidvalidity=uidvalidity, last_uid__lt=uid
        ).update(last_uid=uid)
        if not advanced:
            raise LeaseLost(f"Another worker took over reading {lease.key}.")
        if raw is not None:
            _receive(raw, source_key(lease.key, uidvalidity, uid), size)


def _too_large(header: bytes, size: int) -> bytes:
    """The headers of a message too large to download, with a note as its
    body; its own Content-Type and encoding give way to plain text."""
    lines = header.replace(b"\r\n", b"\n").split(b"\n")
    kept: list[bytes] = []
    dropping = False
    for line in lines:
        if not line.strip():
            continue
        if line[:1] in (b" ", b"\t"):
            if not dropping:
                kept.append(line)
            continue
        name = line.split(b":", 1)[0].strip().lower()
        dropping = name in (b"content-type", b"content-transfer-encoding")
        if not dropping:
            kept.append(line)
    kept += [b"Content-Type: text/plain; charset=us-ascii", b"Content-Transfer-Encoding: 7bit"]
    note = (
        f"[This message was {size:,} bytes, larger than the limit of "
        f"{settings.INBOUND_MAX_BYTES:,} bytes (RAPPORT_INBOUND_MAX_BYTES), and was not "
        "downloaded; only its headers were read. It is still in the mailbox.]"
    )
    return b"\r\n".join(kept) + b"\r\n\r\n" + note.encode() + b"\r\n"


def _download(session: Session, uid: int, size: int) -> bytes | None:
    if size <= settings.INBOUND_MAX_BYTES:
        return session.fetch(uid)
    logger.warning(
        "Message %s of %s is %s bytes, over RAPPORT_INBOUND_MAX_BYTES: recording its headers.",
        uid,
        session.target.key,
        size,
    )
    header = session.fetch(uid, "HEADER")
    return None if header is None else _too_large(header, size)


def _prepare_moving(session: Session, mailbox: Mailbox, uidvalidity: int) -> None:
    """Make the move folder ready, and move what a crash left behind: every
    message up to the position was recorded, so it is Rapport's to move."""
    folder = settings.IMAP_MOVE_TO
    if not session.can_move():
        raise ImapError(
            f"The IMAP server at {session.target.where} offers neither MOVE nor UIDPLUS, so "
            "Rapport cannot move only its own messages; unset RAPPORT_IMAP_MOVE_TO."
        )
    if not session.folder_exists(folder):
        session.folder_create(folder)
    if mailbox.uidvalidity == uidvalidity and mailbox.last_uid:
        session.move(session.uids(1, mailbox.last_uid), folder)


def read_pass(
    session: Session, lease: Lease, mailbox: Mailbox, *, stopped: threading.Event | None = None
) -> int:
    """Record every message above the position; returns how many were read."""
    last = _position(lease, mailbox, session.uidvalidity)
    uids = session.uids(last + 1)
    read = 0
    for batch in _batches(uids, SIZE_BATCH):
        sizes = session.sizes(batch)
        for uid in batch:
            if stopped is not None and stopped.is_set():
                return read
            lease.renew()
            # A message expunged meanwhile by someone else has no size: it is passed over.
            raw = _download(session, uid, sizes[uid]) if uid in sizes else None
            _record(lease, uidvalidity=session.uidvalidity, uid=uid, raw=raw, size=sizes.get(uid))
            mailbox.last_uid = uid
            if raw is not None:
                read += 1
                if settings.IMAP_MOVE_TO:
                    session.move([uid], settings.IMAP_MOVE_TO)
    Mailbox.objects.filter(lease.mine()).update(checked_at=timezone.now(), error="")
    if read:
        logger.info("Read %s new message(s) from %s.", read, lease.key)
    return read


def _open(target: Target, mailbox: Mailbox) -> Session:
    session = Session(target, writable=bool(settings.IMAP_MOVE_TO))
    try:
        if settings.IMAP_MOVE_TO:
            _prepare_moving(session, mailbox, session.uidvalidity)
    except BaseException:
        session.close()
        raise
    return session


def _error_record(key: str, exc: BaseException) -> str:
    """Write the error on the Mailbox row as one sentence; returns it."""
    if isinstance(exc, ImapError):
        message = str(exc)
    else:
        message = f"Reading the mailbox failed ({type(exc).__name__}: {exc})."
    try:
        Mailbox.objects.filter(key=key).update(error=message[:500])
    except Exception:
        logger.exception("Could not record the mailbox error of %s.", key)
    return message


def _owner(suffix: str) -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{suffix}"


def mailbox_read_once(*, url: str | None = None, owner: str | None = None) -> int:
    """Read what is in the folder now, as a worker would; returns how many
    messages were read. Raises MailboxBusy when a worker holds the folder,
    and ImapError (also written on the Mailbox row) when reading fails."""
    target = target_from_url(url or settings.IMAP_URL)
    lease = Lease(key=target.key, owner=owner or _owner("once"))
    mailbox = lease.take()
    try:
        session = _open(target, mailbox)
        try:
            return read_pass(session, lease, mailbox)
        finally:
            session.close()
    except LeaseLost:
        raise
    except Exception as exc:
        _error_record(target.key, exc)
        raise
    finally:
        lease.release()


@dataclass(frozen=True)
class Status:
    """What `rapport imap_check` reports."""

    target: Target
    uidvalidity: int
    exists: int
    unread: int  # messages above the read position (all of them for a new folder)
    idle: bool
    move: bool  # the server can move only Rapport's messages (MOVE or UIDPLUS)
    move_folder_exists: bool | None  # None without RAPPORT_IMAP_MOVE_TO
    mailbox: Mailbox | None


def mailbox_status(*, url: str | None = None) -> Status:
    """Connect and look, read-only; records nothing."""
    target = target_from_url(url or settings.IMAP_URL)
    mailbox = Mailbox.objects.filter(key=target.key).first()
    session = Session(target, writable=False)
    try:
        same = mailbox is not None and mailbox.uidvalidity == session.uidvalidity
        last = mailbox.last_uid if mailbox is not None and same else 0
        move_to = settings.IMAP_MOVE_TO
        return Status(
            target=target,
            uidvalidity=session.uidvalidity,
            exists=session.exists,
            unread=len(session.uids(last + 1)) if session.exists else 0,
            idle="IDLE" in session.capabilities,
            move=session.can_move(),
            move_folder_exists=session.folder_exists(move_to) if move_to else None,
            mailbox=mailbox,
        )
    finally:
        session.close()


# --- the worker's reader thread


class Reader(threading.Thread):
    """Reads the folder until `stopped`: waits in IDLE where offered,
    otherwise polls; after an error, tries again after a growing delay."""

    def __init__(self, *, target: Target, owner: str, stopped: threading.Event) -> None:
        super().__init__(name=f"imap-{owner[-16:]}", daemon=True)
        self.target = target
        self.owner = owner
        self.stopped = stopped
        self.failures = 0

    def run(self) -> None:
        try:
            while not self.stopped.is_set():
                close_old_connections()
                try:
                    self.serve()
                except (MailboxBusy, LeaseLost) as exc:
                    # Busy is the normal state of every worker but one; a lost
                    # lease means this one stalled for longer than the lease.
                    level = logging.WARNING if isinstance(exc, LeaseLost) else logging.DEBUG
                    logger.log(level, "%s", exc)
                    # Look again soon enough to take over once a dead holder's lease lapses.
                    self.stopped.wait(min(settings.IMAP_POLL_SECONDS, lease_seconds() / 2))
                except Exception as exc:
                    self.failures += 1
                    delay = RETRY_DELAYS[min(self.failures, len(RETRY_DELAYS)) - 1]
                    message = _error_record(self.target.key, exc)
                    if isinstance(exc, ImapError):
                        logger.warning("%s Trying again in %s s.", message, delay)
                    else:
                        logger.exception("%s Trying again in %s s.", message, delay)
                    self.stopped.wait(delay)
        finally:
            connections.close_all()

    def serve(self) -> None:
        lease = Lease(key=self.target.key, owner=self.owner)
        mailbox = lease.take()
        try:
            session = _open(self.target, mailbox)
            try:
                self.follow(session, lease, mailbox)
            finally:
                session.close()
        finally:
            try:
                lease.release()
            except Exception:
                logger.exception("Could not release the lease on %s.", self.target.key)

    def follow(self, session: Session, lease: Lease, mailbox: Mailbox) -> None:
        idle = settings.IMAP_IDLE and "IDLE" in session.capabilities
        while not self.stopped.is_set():
            read_pass(session, lease, mailbox, stopped=self.stopped)
            self.failures = 0
            if idle:
                session.idle(
                    self.stopped, tick=lambda: lease.renew(checked=True), seconds=IDLE_SECONDS
                )
            else:
                self.wait(session, lease, settings.IMAP_POLL_SECONDS)

    def wait(self, session: Session, lease: Lease, seconds: float) -> None:
        started = last_word = time.monotonic()
        while not self.stopped.is_set() and (remaining := started + seconds - time.monotonic()) > 0:
            lease.renew()
            if time.monotonic() - last_word > NOOP_SECONDS:
                session.noop()
                last_word = time.monotonic()
            self.stopped.wait(min(remaining, wake_seconds()))


def start_reader(worker_id: str, stopped: threading.Event) -> list[threading.Thread]:
    """The worker's mailbox reader, when RAPPORT_IMAP_URL is set."""
    if not settings.IMAP_URL:
        return []
    try:
        target = target_from_url(settings.IMAP_URL)
    except ImproperlyConfigured as exc:
        logger.error("The mailbox is not read: %s", exc)
        return []
    reader = Reader(target=target, owner=f"{worker_id}/imap", stopped=stopped)
    reader.start()
    return [reader]
