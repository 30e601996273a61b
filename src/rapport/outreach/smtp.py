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
        context = ssl.create_default_context()
        try:
            if self.scheme == "smtps":
                connection: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=context
                )
            else:
                connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
                if self.scheme == "smtp+starttls":
                    connection.starttls(context=context)
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

    def close(self) -> None:
        connection, self.connection = self.connection, None
        if connection is None:
            return
        try:
            connection.quit()
        except (OSError, smtplib.SMTPException):
            connection.close()


class CaptureTransport:
    """No SMTP server configured: messages are kept in the app (CapturedMail)."""

    captures = True

    def send(self, envelope: Envelope) -> None:
        return None

    def close(self) -> None:
        return None
