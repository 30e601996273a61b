"""Reading an inbound message, whatever shape it arrives in.

Mail from the outside is often broken: encoded words that do not decode,
charsets nobody knows, parts that never end, HTML and nothing else. This
module never raises on such input. It reads the message with the lenient
compat32 policy, decodes every header and part itself with fallbacks, and
notes each repair in `problems`, so what was guessed is visible later.
"""

from __future__ import annotations

import codecs
import datetime as dt
import email
import email.header
import email.utils
import re
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesHeaderParser

from django.utils import timezone

from rapport.inbox.html import html_to_text

# Labels mail clients write that Python does not know, and what they mean.
CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "ks_c_5601-1987": "cp949",
    "x-sjis": "shift_jis",
    "windows-874": "cp874",
    "unicode-1-1-utf-7": "utf-7",
    "iso-8859-8-i": "iso-8859-8",
    "ansi_x3.4-1968": "ascii",
    "x-mac-roman": "mac_roman",
}
MESSAGE_ID = re.compile(r"<[^<>\s@]+@[^<>\s@]+>")
MAX_PARTS = 200
STATUS_TYPES = {"message/delivery-status", "message/global-delivery-status"}
MAX_TEXT = 200_000


@dataclass
class Attachment:
    name: str
    content_type: str
    size: int
    index: int  # its position among the message's parts, to find it again


@dataclass
class RecipientStatus:
    """One recipient's block of a delivery-status report (RFC 3464)."""

    recipient: str = ""
    action: str = ""
    status: str = ""
    diagnostic: str = ""


@dataclass
class Parsed:
    message_id: str = ""
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    from_name: str = ""
    from_email: str = ""
    recipients: list[str] = field(default_factory=list)  # To, Cc and delivery headers
    to_display: str = ""
    subject: str = ""
    date: dt.datetime | None = None
    headers: dict[str, str] = field(default_factory=dict)  # lower-case name: first value
    content_type: str = ""
    text: str = ""
    html: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    report_type: str = ""
    statuses: list[RecipientStatus] = field(default_factory=list)
    returned_ids: list[str] = field(default_factory=list)  # Message-IDs of returned mail
    returned_recipients: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")

    def note(self, problem: str) -> None:
        if problem not in self.problems and len(self.problems) < 20:
            self.problems.append(problem)


def parse(raw: bytes) -> Parsed:
    """Everything classification and display need from `raw`."""
    raw = _normalise_newlines(raw)
    message = email.message_from_bytes(raw)
    out = Parsed()
    for defect in message.defects[:5]:
        out.note(f"Malformed headers: {type(defect).__name__}.")
    _read_headers(message, out)
    _read_body(message, out)
    _without_nul(out)
    return out


def _without_nul(out: Parsed) -> None:
    """NUL is not text: PostgreSQL refuses it, and no reader needs it."""
    for name, value in vars(out).items():
        if isinstance(value, str) and "\x00" in value:
            setattr(out, name, value.replace("\x00", ""))
    out.headers = {k.replace("\x00", ""): v.replace("\x00", "") for k, v in out.headers.items()}
    out.recipients = [r.replace("\x00", "") for r in out.recipients]
    for attachment in out.attachments:
        attachment.name = attachment.name.replace("\x00", "")


def _normalise_newlines(raw: bytes) -> bytes:
    """Mixed CRLF and bare LF read as lines either way; a bare CR does not.
    NUL bytes go too: mail may not carry them, and the email package chokes
    on one in a charset name."""
    return raw.replace(b"\x00", b"").replace(b"\r\n", b"\n").replace(b"\r", b"\n")


# --- headers


def decode_header(value: str | None, out: Parsed | None = None) -> str:
    """An RFC 2047 header as text; a word that does not decode stays as written."""
    if not value:
        return ""
    value = str(value)
    try:
        pieces = email.header.decode_header(value)
    except (email.errors.HeaderParseError, ValueError, LookupError):
        if out is not None:
            out.note("A header's encoded words did not decode; kept as written.")
        return _one_line(value)
    text = []
    for piece, charset in pieces:
        if isinstance(piece, bytes):
            text.append(decode_bytes(piece, charset, out))
        else:
            text.append(piece)
    return _one_line("".join(text))


def _one_line(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip()


def _read_headers(message: Message, out: Parsed) -> None:
    for name, value in message.items()[:500]:
        key = name.lower().strip()
        if key not in out.headers:
            out.headers[key] = decode_header(value, out) if isinstance(value, str) else str(value)
    out.message_id = _first_id(message.get("Message-ID", ""))
    out.in_reply_to = _ids(message.get("In-Reply-To", ""))
    out.references = _ids(message.get("References", ""))
    out.subject = decode_header(message.get("Subject", ""), out)[:300]
    senders = _addresses(message.get_all("From", []), out)
    if senders:
        out.from_name, out.from_email = senders[0][0], senders[0][1].lower()
    else:
        out.note("No sender address could be read.")
    to = message.get_all("To", []) + message.get_all("Cc", [])
    out.to_display = ", ".join(decode_header(v, out) for v in to)[:1000]
    delivery = []
    for name in ("Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To"):
        delivery += message.get_all(name, [])
    out.recipients = [address for _, address in _addresses(to + delivery, out)]
    out.date = _date(message.get("Date", ""), out)


def _ids(value: str | None) -> list[str]:
    return MESSAGE_ID.findall(str(value or ""))[:100]


def _first_id(value: str | None) -> str:
    found = _ids(value)
    return found[0] if found else ""


def _addresses(values: list[str], out: Parsed) -> list[tuple[str, str]]:
    decoded = [decode_header(v, out) if isinstance(v, str) else str(v) for v in values]
    found = []
    for name, address in email.utils.getaddresses(decoded):
        address = address.strip().strip("<>")  # case kept: tokens in local parts are signed
        if "@" in address and " " not in address and len(address) <= 254:
            found.append((name.strip()[:200], address))
    return found


def _date(value: str, out: Parsed) -> dt.datetime | None:
    if not value:
        return None
    try:
        when = email.utils.parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError):
        out.note("The Date header could not be read.")
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC) if abs(when - timezone.now()).days < 36500 else None


# --- bodies


def decode_bytes(data: bytes, charset: str | None, out: Parsed | None = None) -> str:
    """Text in its declared charset; an unknown label or bad bytes fall back
    to UTF-8 and then Windows-1252, and say so."""
    label = (charset or "").strip().strip('"').lower()
    label = CHARSET_ALIASES.get(label, label)
    if label:
        try:
            codecs.lookup(label)
        except (LookupError, ValueError):
            if out is not None:
                out.note(f"Unknown charset {label[:40]!r}; read as UTF-8 or Windows-1252.")
            label = ""
    for candidate in ([label] if label else []) + ["utf-8"]:
        try:
            return data.decode(candidate)
        except (UnicodeDecodeError, LookupError, ValueError):
            continue
    if out is not None and label:
        out.note(f"Bytes that are not {label} were replaced.")
    if label:
        return data.decode(label, errors="replace")
    return data.decode("cp1252", errors="replace")


def _payload_bytes(part: Message, out: Parsed) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except (ValueError, TypeError, AssertionError):
        data = None
    if not isinstance(data, bytes):
        out.note("A part could not be decoded; its raw text is shown.")
        payload = part.get_payload()
        data = payload.encode("utf-8", "replace") if isinstance(payload, str) else b""
    for defect in part.defects:
        if "Base64" in type(defect).__name__ or "Padding" in type(defect).__name__:
            out.note("A base64 part was damaged; what could be read is kept.")
    return data


def _read_body(message: Message, out: Parsed) -> None:
    out.content_type = message.get_content_type()
    if message.get_content_maintype() == "multipart":
        out.report_type = str(message.get_param("report-type") or "").lower()
        if message.get_param("boundary") is None:
            out.note("A multipart message had no boundary; read as text.")
    texts: list[str] = []
    htmls: list[str] = []
    for index, part in enumerate(_walk(message, out)):
        _read_part(part, index, out, texts, htmls)
    out.text = "\n\n".join(texts)[:MAX_TEXT]
    out.html = "\n".join(htmls)[:MAX_TEXT]
    if not out.text and out.html:
        out.text = html_to_text(out.html)[:MAX_TEXT]


def _walk(message: Message, out: Parsed) -> list[Message]:
    """The leaf parts, and the returned message of a report, with a limit."""
    parts: list[Message] = []
    stack = [message]
    while stack and len(parts) < MAX_PARTS:
        part = stack.pop(0)
        kind = part.get_content_type()
        try:
            payload = part.get_payload()
        except (ValueError, TypeError, LookupError):
            out.note("A part could not be read.")
            continue
        if kind in {"message/rfc822", "message/global", *STATUS_TYPES}:
            parts.append(part)
        elif part.is_multipart() and isinstance(payload, list):
            stack = [p for p in payload if isinstance(p, Message)] + stack
        else:
            parts.append(part)
    if stack:
        out.note(f"More than {MAX_PARTS} parts; the rest were not read.")
    return parts


def _read_part(part: Message, index: int, out: Parsed, texts: list[str], htmls: list[str]) -> None:
    kind = part.get_content_type()
    if kind in {"message/rfc822", "message/global"}:
        _read_returned(part, out)
        return
    if kind in STATUS_TYPES:
        payload = part.get_payload()
        if isinstance(payload, list):  # the parser read each block as headers
            text = "\n\n".join(
                "\n".join(f"{k}: {v}" for k, v in block.items())
                for block in payload
                if isinstance(block, Message)
            )
        else:
            text = _payload_text(part, out)
        _read_statuses(text, out)
        return
    if kind in {"text/rfc822-headers", "text/global-headers"}:
        _read_returned_headers(_payload_bytes(part, out), out)
        return
    filename = decode_header(part.get_filename() or "", out)
    disposition = str(part.get("Content-Disposition", "")).lower()
    if filename or disposition.startswith("attachment") or part.get_content_maintype() not in {
        "text", "multipart"
    }:  # fmt: skip
        size = len(_payload_bytes(part, out))
        name = filename or f"part-{index + 1}"
        out.attachments.append(Attachment(name[:200], kind[:100], size, index))
        return
    if kind == "text/html":
        htmls.append(_payload_text(part, out))
    elif kind.startswith("text/") or part.get_content_maintype() == "multipart":
        texts.append(_payload_text(part, out))  # a multipart without a boundary is one text


def _payload_text(part: Message, out: Parsed) -> str:
    return decode_bytes(_payload_bytes(part, out), part.get_content_charset(), out)


def _read_returned(part: Message, out: Parsed) -> None:
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if isinstance(inner, Message):
        if found := _first_id(inner.get("Message-ID", "")):
            out.returned_ids.append(found)
        out.returned_recipients += [a.lower() for _, a in _addresses(inner.get_all("To", []), out)]
    elif isinstance(payload, str):
        _read_returned_headers(payload.encode("utf-8", "replace"), out)


def _read_returned_headers(data: bytes, out: Parsed) -> None:
    headers = BytesHeaderParser().parsebytes(_normalise_newlines(data))
    if found := _first_id(headers.get("Message-ID", "")):
        out.returned_ids.append(found)
    out.returned_recipients += [a.lower() for _, a in _addresses(headers.get_all("To", []), out)]


def _read_statuses(text: str, out: Parsed) -> None:
    """The per-recipient blocks of a delivery-status part."""
    blocks = re.split(r"\n\s*\n", _normalise_newlines(text.encode()).decode())
    for block in blocks:
        fields = _fields(block)
        if "action" not in fields and "status" not in fields:
            continue
        recipient = fields.get("final-recipient") or fields.get("original-recipient", "")
        out.statuses.append(
            RecipientStatus(
                recipient=recipient.rpartition(";")[2].strip().strip("<>").lower(),
                action=fields.get("action", "").lower(),
                status=fields.get("status", "").split()[0] if fields.get("status") else "",
                diagnostic=fields.get("diagnostic-code", "").rpartition(";")[2].strip()[:500],
            )
        )


def _fields(block: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    last = ""
    for line in block.splitlines():
        if line[:1] in {" ", "\t"} and last:
            fields[last] += " " + line.strip()
            continue
        name, colon, value = line.partition(":")
        if colon:
            last = name.strip().lower()
            fields.setdefault(last, value.strip())
    return fields


def part_bytes(raw: bytes, index: int) -> tuple[str, str, bytes] | None:
    """An attachment found again by its index: (name, content type, bytes)."""
    message = email.message_from_bytes(_normalise_newlines(raw))
    scratch = Parsed()
    parts = _walk(message, scratch)
    if not 0 <= index < len(parts):
        return None
    part = parts[index]
    name = decode_header(part.get_filename() or "", scratch) or f"part-{index + 1}"
    return name, part.get_content_type(), _payload_bytes(part, scratch)
