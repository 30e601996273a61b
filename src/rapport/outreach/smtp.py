"""Talking to the SMTP server of RAPPORT_EMAIL_URL: one connection per
sending thread, kept open between messages, and every answer sorted into
"try again later" (4xx, a dropped or refused connection) or "never" (5xx)."""

from __future__ import annotations

import smtplib
import ssl
from urllib.parse import unquote, urlsplit

from rapport.outreach.mime import Envelope


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
        connection = self._connect()
        try:
            if envelope.sender.isascii() and envelope.recipient.isascii():
                self._transaction(connection, envelope)
            else:  # an international address: smtplib negotiates SMTPUTF8
                connection.sendmail(envelope.sender, [envelope.recipient], envelope.data)
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            raise _answer(code, text) from None
        except smtplib.SMTPResponseException as exc:  # sender refused, data refused, 421…
            if exc.smtp_code == 421:
                self.close()
            raise _answer(exc.smtp_code, exc.smtp_error) from None
        except (OSError, smtplib.SMTPException) as exc:  # dropped connection, timeout
            self.close()
            raise Deferred(0, f"connection to {self.host}:{self.port} lost: {exc}") from None

    @staticmethod
    def _transaction(connection: smtplib.SMTP, envelope: Envelope) -> None:
        """MAIL, RCPT and DATA, written directly: the bytes are ready (CRLF
        line ends, 7-bit), so smtplib's sendmail would only parse the
        addresses and rescan the message again, which costs about as much
        as the rest of sending one. Commands go straight to the socket and
        answers are read from smtplib's own buffered file (see _reply), so
        smtplib can go on using the connection afterwards (RSET, QUIT)."""
        assert connection.sock is not None
        sock = connection.sock
        for line, expected in (
            (f"MAIL FROM:<{envelope.sender}>\r\n", (250,)),
            (f"RCPT TO:<{envelope.recipient}>\r\n", (250, 251)),
            ("DATA\r\n", (354,)),
        ):
            sock.sendall(line.encode("ascii"))
            code, text = _reply(connection)
            if code not in expected:
                if code != 421:
                    connection.rset()
                raise smtplib.SMTPResponseException(code, text)
        body = envelope.data.replace(b"\r\n.", b"\r\n..")
        if body.startswith(b"."):
            body = b"." + body
        if not body.endswith(b"\r\n"):
            body += b"\r\n"
        sock.sendall(body + b".\r\n")
        code, text = _reply(connection)
        if code != 250:
            raise smtplib.SMTPResponseException(code, text)

    def close(self) -> None:
        connection, self.connection = self.connection, None
        if connection is None:
            return
        try:
            connection.quit()
        except (OSError, smtplib.SMTPException):
            connection.close()


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

    def close(self) -> None:
        return None
