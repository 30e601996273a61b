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


@dataclass(frozen=True)
class _Site:
    """The settings a message is built from, read once per message: each
    read of a setting goes through Django's lazy settings object, and a
    message used to read them about thirty times."""

    base_url: str
    domain: str
    bounce_local: str
    reply_local: str  # empty: replies go to the sender
    secret: str

    @classmethod
    def read(cls) -> _Site:
        reply = str(settings.REPLY_ADDRESS or "")
        return cls(
            base_url=str(settings.BASE_URL),
            domain=str(settings.MAIL_DOMAIN),
            bounce_local=str(settings.BOUNCE_ADDRESS).partition("@")[0],
            reply_local=reply.partition("@")[0] if reply else "",
            secret=str(settings.SECRET_KEY),
        )


def build(message: Message, *, track_opens: bool | None = None) -> Envelope:
    """The message as sent; `track_opens` defaults to the sending policy's.

    Written out by hand rather than through the email package's
    EmailMessage, whose header objects cost several milliseconds a message:
    headers are ASCII or RFC 2047 encoded words, both parts UTF-8 in
    quoted-printable, lines end in CRLF, as SMTP and DKIM want. What is the
    same in every message (the page around the HTML body) is encoded once
    per process."""
    if track_opens is None:
        track_opens = policy.organisation_policy().track_opens
    site = _Site.read()
    token = tokens.message_token(message.pk, secret=site.secret)
    links = _links(message.candidate_id, site) if message.kind == MessageKind.NURTURE else None
    boundary = f"=_rapport_{secrets.token_hex(16)}"
    headers = [
        ("From", _from(message.from_name, message.from_email)),
        ("To", ascii_domain(message.to_email)),
        ("Subject", _encoded(one_line(message.subject))),
        ("Date", _date()),
        ("Message-ID", message.message_id),
    ]
    # A teammate's answer goes to the sender, never into a candidate's thread.
    if message.kind != MessageKind.STAFF and site.reply_local:
        headers.append(("Reply-To", f"{site.reply_local}+{token}@{site.domain}"))
    if message.in_reply_to:
        headers.append(("In-Reply-To", message.in_reply_to))
        headers.append(("References", one_line(message.references or message.in_reply_to)))
    if links is not None:
        mailto = f"mailto:unsubscribe+{links['token']}@{site.domain}"
        headers.append(("List-Unsubscribe", f"<{links['unsubscribe_url']}>, <{mailto}>"))
        headers.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
    headers.append(("MIME-Version", "1.0"))
    alternatives = [
        _part(boundary, "plain", _text(message, links)),
        _part_encoded(boundary, "html", _html(message, links, track_opens=track_opens, site=site)),
    ]
    if message.calendar:
        alternatives.append(_calendar_part(boundary, message.calendar))
    alternative = b"".join([*alternatives, f"--{boundary}--\r\n".encode("ascii")])
    if message.calendar:
        # multipart/mixed: the alternatives, then the same calendar as a file.
        outer = f"=_rapport_{secrets.token_hex(16)}"
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
    # ASCII, but for a To address whose name is not: UTF-8, as a server
    # that takes SMTPUTF8 takes it (RFC 6532), and no other gets it.
    head = "\r\n".join([f"{name}: {value}" for name, value in headers]).encode("utf-8")
    data = head + b"\r\n\r\n" + alternative
    sender = f"{site.bounce_local}+{token}@{site.domain}"  # the VERP return path
    return Envelope(sender=sender, recipient=message.to_email, data=_signed(data))


_last_date: tuple[int, str] = (0, "")


def _date() -> str:
    """The Date header, formatted once a second (it has no finer part)."""
    global _last_date
    now = timezone.now()
    second = int(now.timestamp())
    if _last_date[0] != second:
        _last_date = (second, format_datetime(now.replace(microsecond=0)))
    return _last_date[1]


@functools.lru_cache(maxsize=256)
def _from(name: str, address: str) -> str:
    return formataddr((one_line(name), address), charset="utf-8")


def ascii_domain(address: str) -> str:
    """An address with an international domain in its ASCII form (IDNA),
    as headers and SMTP commands carry it; the local part as it is."""
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
    return _part_encoded(boundary, subtype, [_qp(content)])


def _part_encoded(boundary: str, subtype: str, encoded: list[bytes]) -> bytes:
    """A part from its content already in quoted-printable, in pieces."""
    return b"".join(
        [
            _part_head(boundary, subtype),
            *encoded,
            b"\r\n",
        ]
    )


def _part_head(boundary: str, subtype: str) -> bytes:
    return (
        f'--{boundary}\r\nContent-Type: text/{subtype}; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    ).encode("ascii")


def _qp(content: str) -> bytes:
    """Text as quoted-printable with CRLF line ends. Each line is encoded on
    its own, so text cut after a line end encodes to the same bytes piece
    by piece as whole: the fixed pieces of a page are encoded once."""
    text = content.replace("\r\n", "\n").replace("\r", "\n")
    return binascii.b2a_qp(text.encode("utf-8"), istext=True).replace(b"\n", b"\r\n")


@functools.cache
def _qp_fixed(content: str) -> bytes:
    return _qp(content)


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


def _links(candidate_id: int, site: _Site) -> dict[str, str]:
    """The candidate's unsubscribe and preference links (each message names
    them three times; they are signed once)."""
    return _cached_links(candidate_id, site.base_url, site.secret)


@functools.lru_cache(maxsize=64)
def _cached_links(candidate_id: int, base_url: str, secret: str) -> dict[str, str]:
    return {**candidate_links(candidate_id), "token": tokens.candidate_token(candidate_id)}


def _text(message: Message, links: dict[str, str] | None) -> str:
    if links is None:
        return message.body_text
    footer = (
        "\n-- \nNot interested any more? Unsubscribe: "
        f"{links['unsubscribe_url']}\n"
        f"Choose what you hear about: {links['preferences_url']}\n"
    )
    return message.body_text + footer


# The HTML page around a message's body, in pieces that each end a line, so
# that the fixed ones are encoded once (see _qp).
HTML_START = '<!doctype html>\n<html lang="en">\n'
HTML_TITLE = (
    '<head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1"><title>{subject}</title></head>\n'
)
HTML_OPEN = (
    '<body style="margin:0;padding:0;background:#ffffff;">\n'
    '<div style="max-width:600px;margin:0 auto;padding:24px 20px;font-family:-apple-system,Segoe UI,'
    'Helvetica,Arial,sans-serif;font-size:15px;line-height:1.55;color:#1f2937;">\n'
)
HTML_END = "</div>\n</body>\n</html>\n"
HTML_PAGE = HTML_START + HTML_TITLE + HTML_OPEN + "{body}\n{footer}" + HTML_END
HTML_FOOTER = (
    '<p style="margin-top:32px;padding-top:12px;border-top:1px solid #e5e7eb;font-size:12px;color:#6b7280;">'
    'Not interested any more? <a href="{unsubscribe}" style="color:#6b7280;">Unsubscribe</a> · '
    '<a href="{preferences}" style="color:#6b7280;">Choose what you hear about</a></p>\n'
)


def _html(
    message: Message, links: dict[str, str] | None, *, track_opens: bool, site: _Site
) -> list[bytes]:
    """The HTML part as HTML_PAGE, in quoted-printable pieces."""
    # A teammate's reading is not the candidate's engagement: no tracking.
    if message.kind == MessageKind.STAFF:
        body = message.body_html
    else:
        body = tracking.tracked_html(message.body_html, message.pk)
    if track_opens and message.kind != MessageKind.STAFF:
        body += tracking.pixel_html(message.pk)
    footer = ""
    if links is not None:
        footer = HTML_FOOTER.format(
            unsubscribe=escape(links["unsubscribe_url"]),
            preferences=escape(links["preferences_url"]),
        )
    return [
        _qp_fixed(HTML_START),
        _qp(HTML_TITLE.format(subject=escape(message.subject))),
        _qp_fixed(HTML_OPEN),
        _qp(f"{body}\n{footer}"),
        _qp_fixed(HTML_END),
    ]


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
