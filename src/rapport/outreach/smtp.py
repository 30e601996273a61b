"""Talking to the SMTP server of RAPPORT_EMAIL_URL: connections kept open
between messages, each taken through a message's exchange one answer at a
time (so that one thread can keep several busy), and every answer sorted
into "try again later" (4xx, a dropped or refused connection, no answer in
time) or "never" (5xx)."""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from collections.abc import Iterator
from urllib.parse import unquote, urlsplit

from rapport.outreach.mime import Envelope, ascii_domain


class Deferred(Exception):
    """The server could not take the message now; retry later."""

    def __init__(self, code: int, text: str) -> None:
        super().__init__(f"{code} {text}".strip())
        self.code = code
        self.text = text


class Rejected(Exception):
    """The server refused the message for good (a hard bounce)."""

    def __init__(self, code: int, text: str) -> None:
        super().__init__(f"{code} {text}".strip())
        self.code = code
        self.text = text


def _answer(code: int, text: bytes | str) -> Deferred | Rejected:
    message = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return Rejected(code, message) if 500 <= code < 600 else Deferred(code, message)


# The answers a message's exchange waits for, in turn: to MAIL, RCPT, DATA,
# and the message itself.
STAGES: tuple[tuple[int, ...], ...] = ((250,), (250, 251), (354,), (250,))


class SmtpTransport:
    captures = False

    def __init__(self, url: str, *, timeout: float = 30) -> None:
        parts = urlsplit(url)
        self.scheme = parts.scheme
        self.host = parts.hostname or "localhost"
        self.port = parts.port or (465 if parts.scheme == "smtps" else 25)
        self.username = unquote(parts.username or "")
        self.password = unquote(parts.password or "")
        self.timeout = timeout
        self.connection: smtplib.SMTP | None = None
        self.envelope: Envelope | None = None  # the message on its way, between steps
        self.stage = 0  # the answers to it read so far (see STAGES)

    def _connect(self) -> smtplib.SMTP:
        if self.connection is not None:
            return self.connection
        try:
            if self.scheme == "smtps":
                connection: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
                )
            else:
                connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
                if self.scheme == "smtp+starttls":
                    connection.starttls(context=ssl.create_default_context())
            connection.ehlo()
            if self.username:
                connection.login(self.username, self.password)
        except smtplib.SMTPResponseException as exc:
            raise _answer(exc.smtp_code, exc.smtp_error) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise Deferred(0, f"cannot connect to {self.host}:{self.port}: {exc}") from None
        self.connection = connection
        return connection

    def send(self, envelope: Envelope) -> None:
        """Send one message, waiting for each of the server's answers."""
        if self.start(envelope):
            return
        while not self.step():
            pass

    def start(self, envelope: Envelope) -> bool:
        """Begin sending: write the first command, and say True only when
        the message went at once (an address with a non-ASCII name, which
        smtplib sends whole). Otherwise `step` takes it on each time the
        server has answered, which a thread driving several connections
        learns from `fileno` becoming readable."""
        with self._answers():
            connection = self._connect()
            envelope = _in_ascii(envelope)
            if not (envelope.sender.isascii() and envelope.recipient.isascii()):
                self._send_international(connection, envelope)
                return True
            self.envelope, self.stage = envelope, 0
            self._write(connection, f"MAIL FROM:<{envelope.sender}>\r\n".encode("ascii"))
        return False

    @staticmethod
    def _send_international(connection: smtplib.SMTP, envelope: Envelope) -> None:
        """A name (the part before the @) that is not ASCII needs a server
        that takes SMTPUTF8; without one, the message waits for a server
        that does (it is retried, then fails, but the address is not
        suppressed: nothing is wrong with it)."""
        if not connection.has_extn("smtputf8"):
            raise Deferred(0, "the SMTP server does not take addresses with non-ASCII names "
                              "(it does not offer SMTPUTF8)")  # fmt: skip
        connection.sendmail(
            envelope.sender, [envelope.recipient], envelope.data, mail_options=["SMTPUTF8"]
        )

    def step(self) -> bool:
        """Read the server's answer to what was written last and write what
        follows it: RCPT after MAIL, DATA after RCPT, the message after
        DATA. True once the server has taken the message. The commands
        go straight to the socket and answers are read from smtplib's own
        buffered file (see _reply), so smtplib can go on using the
        connection afterwards (RSET, QUIT); smtplib's sendmail would parse
        the addresses and rescan the message again, which costs about as
        much as the rest of sending one."""
        connection, envelope = self.connection, self.envelope
        assert connection is not None and envelope is not None
        with self._answers():
            code, text = _reply(connection)
            if code not in STAGES[self.stage]:
                if self.stage < len(STAGES) - 1 and code not in (421, -1):
                    # Ready for the next message; a connection that fails
                    # at it is closed by smtplib, and then here (_sorted).
                    with contextlib.suppress(OSError, smtplib.SMTPException):
                        connection.rset()
                raise smtplib.SMTPResponseException(code, text)
            self.stage += 1
            if self.stage == len(STAGES):
                self.envelope = None
                return True
            if self.stage == 1:
                self._write(connection, f"RCPT TO:<{envelope.recipient}>\r\n".encode("ascii"))
            elif self.stage == 2:
                self._write(connection, b"DATA\r\n")
            else:
                self._write(connection, _dot_stuffed(envelope.data))
        return False

    def fileno(self) -> int:
        """The socket whose answer `step` waits for."""
        assert self.connection is not None and self.connection.sock is not None
        return self.connection.sock.fileno()

    @staticmethod
    def _write(connection: smtplib.SMTP, data: bytes) -> None:
        assert connection.sock is not None
        connection.sock.sendall(data)

    @contextlib.contextmanager
    def _answers(self) -> Iterator[None]:
        """smtplib's failures as Deferred or Rejected (see _sorted); the
        message given up, so the connection is free for the next."""
        try:
            yield
        except (OSError, smtplib.SMTPException) as exc:
            error = self._sorted(exc)
            self.envelope = None
            raise error from None
        except (Deferred, Rejected):
            self.envelope = None
            raise
        except Exception:
            # Anything else (an address the server's commands cannot carry)
            # may leave a transaction open: the connection is not reused.
            self._drop()
            raise

    def _sorted(self, exc: OSError | smtplib.SMTPException) -> Deferred | Rejected:
        """4xx, a dropped connection or a timeout: later; 5xx: never. A
        connection that can no longer be trusted is closed."""
        if isinstance(exc, smtplib.SMTPRecipientsRefused):
            code, text = next(iter(exc.recipients.values()))
            return _answer(code, text)
        if isinstance(exc, smtplib.SMTPResponseException):  # sender or data refused, 421…
            # 421: the server is closing; -1: an answer out of step with the commands.
            if exc.smtp_code in (421, -1) or (self.connection and self.connection.sock is None):
                self.close()
            return _answer(exc.smtp_code, exc.smtp_error)
        self.close()
        return Deferred(0, f"connection to {self.host}:{self.port} lost: {exc}")

    def close(self) -> None:
        """QUIT and close; in the middle of a message, only close (a QUIT
        written there could be read as part of it)."""
        if self.envelope is not None:
            self._drop()
            return
        connection, self.connection = self.connection, None
        if connection is None:
            return
        try:
            connection.quit()
        except (OSError, smtplib.SMTPException):
            connection.close()

    def _drop(self) -> None:
        """Close without a word to the server."""
        connection, self.connection, self.envelope = self.connection, None, None
        if connection is not None:
            connection.close()


def _in_ascii(envelope: Envelope) -> Envelope:
    """The addresses with international domains in their ASCII form."""
    sender, recipient = ascii_domain(envelope.sender), ascii_domain(envelope.recipient)
    if (sender, recipient) == (envelope.sender, envelope.recipient):
        return envelope
    return Envelope(sender=sender, recipient=recipient, data=envelope.data)


def _dot_stuffed(data: bytes) -> bytes:
    """The message as DATA carries it: a line's leading dot doubled, the
    last line ended, and the lone dot that ends it."""
    body = data.replace(b"\r\n.", b"\r\n..")
    if body.startswith(b"."):
        body = b"." + body
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    return body + b".\r\n"


MAX_LINE = 8192  # smtplib's limit on a line of an answer


def _reply(connection: smtplib.SMTP) -> tuple[int, bytes]:
    """smtplib's getreply, without its debugging and per-line bookkeeping
    (four answers a message): read from the same buffered file, so nothing
    the server sent is left where smtplib would not find it."""
    if connection.file is None:
        assert connection.sock is not None
        connection.file = connection.sock.makefile("rb")
    lines = []
    while True:
        line = connection.file.readline(MAX_LINE + 1)
        if not line:
            connection.close()
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        if len(line) > MAX_LINE:
            connection.close()
            raise smtplib.SMTPResponseException(500, b"Line too long.")
        lines.append(line[4:].strip(b" \t\r\n"))
        try:
            code = int(line[:3])
        except ValueError:
            return -1, b"\n".join(lines)  # a broken answer: read no further
        if line[3:4] != b"-":
            return code, b"\n".join(lines)


class CaptureTransport:
    """No SMTP server configured: messages are kept in the app (CapturedMail)."""

    captures = True

    def send(self, envelope: Envelope) -> None:
        return None

    def start(self, envelope: Envelope) -> bool:
        return True  # kept at once: there is nothing to wait for

    def close(self) -> None:
        return None
