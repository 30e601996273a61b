"""A Message row as the bytes that go over SMTP: both parts, the headers a
good sender sets (RFC 8058 one-click unsubscribe on nurture mail), the
return path that maps a bounce to its message, and a DKIM signature when a
key is configured. The HTML part's links go through click tracking and it
carries the open pixel while the policy tracks opens (see
outreach.tracking); the text part keeps plain links."""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr
from pathlib import Path

import dkim
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from rapport.outreach import policy, tokens, tracking
from rapport.outreach.merge import preferences_url, unsubscribe_url
from rapport.outreach.models import Message, MessageKind
from rapport.outreach.rendering import one_line

# Headers are not folded below RFC 5322's limit of 998 characters: some mail
# clients read a folded List-Unsubscribe badly.
LONG_LINES = SMTP.clone(max_line_length=998)
SIGNED_HEADERS = [
    b"from", b"to", b"subject", b"date", b"message-id", b"in-reply-to", b"references",
    b"list-unsubscribe", b"list-unsubscribe-post", b"mime-version", b"content-type",
]  # fmt: skip


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


def message_from_return_path(address: str) -> int | None:
    """The message a bounce sent to our return path is about."""
    local = address.split("@", 1)[0]
    _, _, token = local.partition("+")
    return tokens.message_from_token(token) if token else None


def new_message_id() -> str:
    """Written with the row, so every attempt to send it carries the same one."""
    return f"<{uuid.uuid4().hex}@{domain()}>"


def build(message: Message, *, track_opens: bool | None = None) -> Envelope:
    """The message as sent; `track_opens` defaults to the sending policy's."""
    email = EmailMessage(policy=LONG_LINES)
    email["From"] = formataddr((one_line(message.from_name), message.from_email))
    email["To"] = Address(addr_spec=message.to_email)
    email["Subject"] = one_line(message.subject)
    email["Date"] = format_datetime(timezone.now())
    email["Message-ID"] = message.message_id
    if message.in_reply_to:
        email["In-Reply-To"] = message.in_reply_to
        email["References"] = one_line(message.references or message.in_reply_to)
    if message.kind == MessageKind.NURTURE:
        mailto = f"mailto:unsubscribe+{tokens.candidate_token(message.candidate_id)}@{domain()}"
        email["List-Unsubscribe"] = f"<{unsubscribe_url(message.candidate_id)}>, <{mailto}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email.set_content(_text(message))
    if track_opens is None:
        track_opens = policy.organisation_policy().track_opens
    email.add_alternative(_html(message, track_opens=track_opens), subtype="html")
    data = email.as_bytes()
    return Envelope(sender=return_path(message), recipient=message.to_email, data=_signed(data))


def _text(message: Message) -> str:
    if message.kind != MessageKind.NURTURE:
        return message.body_text
    footer = (
        "\n-- \nNot interested any more? Unsubscribe: "
        f"{unsubscribe_url(message.candidate_id)}\n"
        f"Choose what you hear about: {preferences_url(message.candidate_id)}\n"
    )
    return message.body_text + footer


def _html(message: Message, *, track_opens: bool) -> str:
    body = tracking.tracked_html(message.body_html, message.pk)
    if track_opens:
        body += tracking.pixel_html(message.pk)
    return render_to_string(
        "outreach/email.html",
        {
            "message": message,
            "body": body,
            "nurture": message.kind == MessageKind.NURTURE,
            "unsubscribe_url": unsubscribe_url(message.candidate_id),
            "preferences_url": preferences_url(message.candidate_id),
        },
    )


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
