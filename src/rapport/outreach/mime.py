"""A Message row as the bytes that go over SMTP: both parts, the headers a
good sender sets (RFC 8058 one-click unsubscribe on nurture mail), the
return path that maps a bounce to its message, and a DKIM signature when a
key is configured. The HTML part's links go through click tracking and it
carries the open pixel while the policy tracks opens (see
outreach.tracking); the text part keeps plain links. A message with a
calendar (an interview invitation) also carries it as a text/calendar
alternative, which mail clients show as an invitation to accept, and as an
.ics attachment for those that do not."""

from __future__ import annotations

import base64
import binascii
import functools
import re
import secrets
import time
import uuid
from dataclasses import dataclass
from email.utils import format_datetime, formataddr
from html import escape
from pathlib import Path

import dkim
from django.conf import settings
from django.utils import timezone

from rapport.outreach import policy, tokens, tracking
from rapport.outreach.merge import candidate_links
from rapport.outreach.models import Message, MessageKind
from rapport.outreach.rendering import one_line

SIGNED_HEADERS = [
    b"from", b"reply-to", b"to", b"subject", b"date", b"message-id", b"in-reply-to", b"references",
    b"list-unsubscribe", b"list-unsubscribe-post", b"mime-version", b"content-type",
]  # fmt: skip


ENCODED_WORD_BYTES = 45  # in base64, 60 characters: with "=?utf-8?b?" and "?=", 72 of 75


@dataclass(frozen=True)
class Envelope:
    sender: str  # MAIL FROM: the VERP return path
    recipient: str
    data: bytes


def domain() -> str:
    """The mail domain of this installation: where bounces and unsubscribe
    mail come back to."""
    return str(settings.MAIL_DOMAIN)


def return_path(message: Message) -> str:
    """bounces+<signed message id>@domain: a bounce names its message."""
    local, _, _ = str(settings.BOUNCE_ADDRESS).partition("@")
    return f"{local}+{tokens.message_token(message.pk)}@{domain()}"


def reply_address(message: Message) -> str:
    """replies+<signed message id>@domain when RAPPORT_REPLY_ADDRESS is set:
    a reply names the message it answers even when its client drops the
    threading headers. Empty otherwise (replies go to the sender)."""
    if not settings.REPLY_ADDRESS:
        return ""
    local, _, _ = str(settings.REPLY_ADDRESS).partition("@")
    return f"{local}+{tokens.message_token(message.pk)}@{domain()}"


def message_from_return_path(address: str) -> int | None:
    """The message a bounce sent to our return path is about."""
    local = address.split("@", 1)[0]
    _, _, token = local.partition("+")
    return tokens.message_from_token(token) if token else None


def new_message_id() -> str:
    """Written with the row, so every attempt to send it carries the same one.
    It starts with the time, so the unique index on it grows at its end
    instead of at random places (a campaign writes a million of these)."""
    return f"<{time.time_ns():x}.{secrets.token_hex(8)}@{domain()}>"


def build(message: Message, *, track_opens: bool | None = None) -> Envelope:
    """The message as sent; `track_opens` defaults to the sending policy's.

    Written out by hand rather than through the email package's
    EmailMessage, whose header objects cost several milliseconds a message:
    headers are ASCII or RFC 2047 encoded words, both parts UTF-8 in
    quoted-printable, lines end in CRLF, as SMTP and DKIM want."""
    if track_opens is None:
        track_opens = policy.organisation_policy().track_opens
    boundary = f"=_rapport_{uuid.uuid4().hex}"
    headers = [
        ("From", _from(message.from_name, message.from_email)),
        ("To", _address(message.to_email)),
        ("Subject", _encoded(one_line(message.subject))),
        ("Date", format_datetime(timezone.now())),
        ("Message-ID", message.message_id),
    ]
    # A teammate's answer goes to the sender, never into a candidate's thread.
    if message.kind != MessageKind.STAFF and (reply_to := reply_address(message)):
        headers.append(("Reply-To", reply_to))
    if message.in_reply_to:
        headers.append(("In-Reply-To", message.in_reply_to))
        headers.append(("References", one_line(message.references or message.in_reply_to)))
    if message.kind == MessageKind.NURTURE:
        mailto = f"mailto:unsubscribe+{_token(message.candidate_id)}@{domain()}"
        headers.append(
            ("List-Unsubscribe", f"<{_links(message.candidate_id)['unsubscribe_url']}>, <{mailto}>")
        )
        headers.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
    headers.append(("MIME-Version", "1.0"))
    alternatives = [
        _part(boundary, "plain", _text(message)),
        _part(boundary, "html", _html(message, track_opens=track_opens)),
    ]
    if message.calendar:
        alternatives.append(_calendar_part(boundary, message.calendar))
    alternative = b"".join([*alternatives, f"--{boundary}--\r\n".encode("ascii")])
    if message.calendar:
        # multipart/mixed: the alternatives, then the same calendar as a file.
        outer = f"=_rapport_{uuid.uuid4().hex}"
        headers.append(("Content-Type", f'multipart/mixed; boundary="{outer}"'))
        alternative = b"".join(
            [
                f'--{outer}\r\nContent-Type: multipart/alternative; boundary="{boundary}"'
                "\r\n\r\n".encode("ascii"),
                alternative,
                _calendar_part(outer, message.calendar, attachment=True),
                f"--{outer}--\r\n".encode("ascii"),
            ]
        )
    else:
        headers.append(("Content-Type", f'multipart/alternative; boundary="{boundary}"'))
    lines = [f"{name}: {value}" for name, value in headers]
    head = "\r\n".join(lines).encode("ascii")
    data = head + b"\r\n\r\n" + alternative
    return Envelope(sender=return_path(message), recipient=message.to_email, data=_signed(data))


@functools.lru_cache(maxsize=256)
def _from(name: str, address: str) -> str:
    return formataddr((one_line(name), address), charset="utf-8")


def _address(address: str) -> str:
    """An address for a header; an international domain in its ASCII form."""
    if address.isascii():
        return address
    local, _, host = address.rpartition("@")
    return f"{local}@{host.encode('idna').decode('ascii')}"


def _encoded(value: str) -> str:
    """A header value as ASCII: when it needs them, RFC 2047 encoded words
    of at most 75 characters, one to a folded line. (The email package's
    Header does the same at ten times the cost, for a name with an accent.)"""
    if value.isascii():
        return value
    data = value.encode("utf-8")
    words = []
    while data:
        end = min(ENCODED_WORD_BYTES, len(data))
        while end < len(data) and data[end] & 0xC0 == 0x80:  # never split a character
            end -= 1
        words.append(f"=?utf-8?b?{base64.b64encode(data[:end]).decode('ascii')}?=")
        data = data[end:]
    return "\r\n ".join(words)


def _part(boundary: str, subtype: str, content: str) -> bytes:
    text = content.replace("\r\n", "\n").replace("\r", "\n")
    encoded = binascii.b2a_qp(text.encode("utf-8"), istext=True).replace(b"\n", b"\r\n")
    return (
        (
            f'--{boundary}\r\nContent-Type: text/{subtype}; charset="utf-8"\r\n'
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        ).encode("ascii")
        + encoded
        + b"\r\n"
    )


CALENDAR_METHOD = re.compile(r"^METHOD:([A-Z-]+)\r?$", re.MULTILINE)


def calendar_method(calendar: str) -> str:
    """The iTIP method of an iCalendar object (REQUEST, CANCEL…)."""
    found = CALENDAR_METHOD.search(calendar)
    return found.group(1) if found else "PUBLISH"


def _calendar_part(boundary: str, calendar: str, *, attachment: bool = False) -> bytes:
    """The invitation, in base64 so that its CRLF lines and long folded
    lines reach the calendar exactly as written."""
    method = calendar_method(calendar)
    if attachment:
        kind = 'application/ics; name="invite.ics"'
        disposition = 'Content-Disposition: attachment; filename="invite.ics"\r\n'
    else:
        kind = f'text/calendar; charset="utf-8"; method={method}'
        disposition = ""
    encoded = base64.encodebytes(calendar.encode("utf-8")).replace(b"\n", b"\r\n")
    return (
        f"--{boundary}\r\nContent-Type: {kind}\r\n{disposition}"
        "Content-Transfer-Encoding: base64\r\n\r\n"
    ).encode("ascii") + encoded


def _token(candidate_id: int) -> str:
    return _cached_links(candidate_id, settings.BASE_URL, settings.SECRET_KEY)["token"]


def _links(candidate_id: int) -> dict[str, str]:
    """The candidate's unsubscribe and preference links (each message names
    them three times; they are signed once)."""
    return _cached_links(candidate_id, settings.BASE_URL, settings.SECRET_KEY)


@functools.lru_cache(maxsize=64)
def _cached_links(candidate_id: int, base_url: str, secret: str) -> dict[str, str]:
    return {**candidate_links(candidate_id), "token": tokens.candidate_token(candidate_id)}


def _text(message: Message) -> str:
    if message.kind != MessageKind.NURTURE:
        return message.body_text
    footer = (
        "\n-- \nNot interested any more? Unsubscribe: "
        f"{_links(message.candidate_id)['unsubscribe_url']}\n"
        f"Choose what you hear about: {_links(message.candidate_id)['preferences_url']}\n"
    )
    return message.body_text + footer


HTML_PAGE = (
    '<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1"><title>{subject}</title></head>\n'
    '<body style="margin:0;padding:0;background:#ffffff;">\n'
    '<div style="max-width:600px;margin:0 auto;padding:24px 20px;font-family:-apple-system,Segoe UI,'
    'Helvetica,Arial,sans-serif;font-size:15px;line-height:1.55;color:#1f2937;">\n{body}\n{footer}</div>\n'
    "</body>\n</html>\n"
)
HTML_FOOTER = (
    '<p style="margin-top:32px;padding-top:12px;border-top:1px solid #e5e7eb;font-size:12px;color:#6b7280;">'
    'Not interested any more? <a href="{unsubscribe}" style="color:#6b7280;">Unsubscribe</a> · '
    '<a href="{preferences}" style="color:#6b7280;">Choose what you hear about</a></p>\n'
)


def _html(message: Message, *, track_opens: bool) -> str:
    # A teammate's reading is not the candidate's engagement: no tracking.
    if message.kind == MessageKind.STAFF:
        body = message.body_html
    else:
        body = tracking.tracked_html(message.body_html, message.pk)
    if track_opens and message.kind != MessageKind.STAFF:
        body += tracking.pixel_html(message.pk)
    footer = ""
    if message.kind == MessageKind.NURTURE:
        footer = HTML_FOOTER.format(
            unsubscribe=escape(_links(message.candidate_id)["unsubscribe_url"]),
            preferences=escape(_links(message.candidate_id)["preferences_url"]),
        )
    return HTML_PAGE.format(subject=escape(message.subject), body=body, footer=footer)


def _signed(data: bytes) -> bytes:
    key = _dkim_key(str(settings.DKIM_KEY_FILE))
    if key is None:
        return data
    head = b"\r\n" + data.split(b"\r\n\r\n", 1)[0].lower()
    signature = dkim.sign(
        data,
        selector=str(settings.DKIM_SELECTOR).encode(),
        domain=str(settings.DKIM_DOMAIN or domain()).encode(),
        privkey=key,
        include_headers=[h for h in SIGNED_HEADERS if b"\r\n" + h + b":" in head],
    )
    return signature + data


@functools.cache
def _dkim_key(path: str) -> bytes | None:
    return Path(path).read_bytes() if path else None
