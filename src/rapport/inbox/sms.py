"""Talking to an SMS provider: the backend interface, the Twilio-compatible
HTTP backend, the captured backend of the embedded default, the signature
of inbound webhooks and how many segments a text costs.

RAPPORT_SMS_URL chooses the backend: empty keeps every text in the app
(captured: nothing leaves, the thread on the candidate's page shows it);
`https://ACCOUNT_SID:AUTH_TOKEN@api.twilio.com` (or any host that speaks
the same API) sends through it. Nothing here touches the database.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import quote, unquote, urlencode, urlsplit

from django.conf import settings
from django.urls import reverse

TIMEOUT_SECONDS = 15.0
CAPTURED_PREFIX = "captured-"
# 4xx answers that mean "not now" rather than "never".
TEMPORARY_CLIENT_ERRORS = frozenset({408, 429})


class SmsError(Exception):
    """The provider did not take the text; `str(error)` says why."""


class PermanentSmsError(SmsError):
    """Sending it again would fail the same way (a bad number, a refusal)."""


class TemporarySmsError(SmsError):
    """The provider could not be reached or asked us to come back later."""


class SmsConfigError(PermanentSmsError):
    """RAPPORT_SMS_URL cannot be used: every text would fail the same way."""


class SmsBackend(Protocol):
    captured: bool

    def send(self, *, to: str, body: str, sender: str) -> str:
        """Hand one text to the provider; its id for the text. Raises
        PermanentSmsError or TemporarySmsError."""
        ...


class CapturedBackend:
    """Nothing leaves: the text is kept in the app, where it is readable."""

    captured = True

    def send(self, *, to: str, body: str, sender: str) -> str:
        return f"{CAPTURED_PREFIX}{uuid.uuid4().hex}"


@dataclass(frozen=True)
class TwilioBackend:
    """Twilio's Messages API, or any API that copies it: a form-encoded POST
    with HTTP Basic authentication, answered with JSON."""

    base: str  # scheme://host[:port][/prefix], without the credentials
    account_sid: str
    auth_token: str
    status_callback: str = ""  # where the provider reports delivery, per text
    timeout: float = TIMEOUT_SECONDS
    captured = False

    @classmethod
    def from_url(cls, url: str, *, status_callback: str = "") -> TwilioBackend:
        parts = urlsplit(url)
        if not parts.username or not parts.password or not parts.hostname:
            raise SmsConfigError(
                "RAPPORT_SMS_URL must hold the account and its token: https://ACCOUNT_SID:AUTH_TOKEN@host"
            )
        host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
        port = f":{parts.port}" if parts.port else ""
        return cls(
            base=f"{parts.scheme}://{host}{port}{parts.path.rstrip('/')}",
            account_sid=unquote(parts.username),
            auth_token=unquote(parts.password),
            status_callback=status_callback,
        )

    @property
    def messages_url(self) -> str:
        return f"{self.base}/2010-04-01/Accounts/{quote(self.account_sid, safe='')}/Messages.json"

    def send(self, *, to: str, body: str, sender: str) -> str:
        credentials = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        request = urllib.request.Request(  # noqa: S310 (the scheme is checked by settings)
            self.messages_url,
            data=urlencode(self._form(to=to, body=body, sender=sender)).encode(),
            method="POST",
            headers={
                "Authorization": f"Basic {credentials}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
                "User-Agent": "Rapport",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = response.read()
        except urllib.error.HTTPError as exc:
            problem = _problem(exc.read(), exc.code)
            if 400 <= exc.code < 500 and exc.code not in TEMPORARY_CLIENT_ERRORS:
                raise PermanentSmsError(problem) from None
            raise TemporarySmsError(problem) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise TemporarySmsError(f"Could not reach the SMS provider: {reason}") from None
        return _provider_id(answer)

    def _form(self, *, to: str, body: str, sender: str) -> dict[str, str]:
        form = {"To": to, "From": sender, "Body": body}
        if self.status_callback:
            form["StatusCallback"] = self.status_callback
        return form


def _problem(answer: bytes, status: int) -> str:
    """The provider's own words for a refusal, when it gave them."""
    try:
        data = json.loads(answer)
    except ValueError:
        data = None
    if isinstance(data, dict) and data.get("message"):
        code = f" (error {data['code']})" if data.get("code") else ""
        return f"The SMS provider refused the text{code}: {data['message']}"[:500]
    return f"The SMS provider answered HTTP {status}."


def _provider_id(answer: bytes) -> str:
    try:
        data = json.loads(answer)
    except ValueError:
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("sid"), str) or not data["sid"]:
        # It may have been sent: trying again could send it twice.
        raise PermanentSmsError("The SMS provider's answer did not name the message it created.")
    if data.get("status") in {"failed", "undelivered"}:
        raise PermanentSmsError(
            f"The SMS provider refused the text: {data.get('error_message') or data['status']}"
        )
    return str(data["sid"])[:64]


def backend() -> SmsBackend:
    """The backend RAPPORT_SMS_URL asks for (captured when it is empty). It
    asks the provider to report each text's delivery to /sms/status/."""
    if not settings.SMS_URL:
        return CapturedBackend()
    return TwilioBackend.from_url(
        settings.SMS_URL, status_callback=webhook_url(reverse("sms_status"))
    )


def is_captured() -> bool:
    return not settings.SMS_URL


# --- inbound webhooks


def auth_token() -> str:
    """The token that signs the provider's webhooks ("" when captured)."""
    password = urlsplit(settings.SMS_URL).password if settings.SMS_URL else None
    return unquote(password or "")


def webhook_url(path: str) -> str:
    """The URL the provider was given for `path`. From RAPPORT_BASE_URL, not
    from the request: behind a proxy the host and scheme a request arrives
    with are not the ones the provider signed."""
    return f"{settings.BASE_URL}{path}"


def signature(*, url: str, params: Iterable[tuple[str, str]], token: str) -> str:
    """Twilio's request signature: HMAC-SHA1, keyed with the auth token, of
    the full URL followed by every POST parameter sorted by name, each name
    followed by its value; in base64."""
    signed = url + "".join(name + value for name, value in sorted(params))
    digest = hmac.new(token.encode(), signed.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def signature_valid(*, url: str, params: Iterable[tuple[str, str]], token: str, given: str) -> bool:
    if not token or not given:
        return False
    expected = signature(url=url, params=params, token=token)
    return hmac.compare_digest(expected.encode(), given.encode())


# --- length


# The GSM 03.38 alphabet: one septet each; the extension table costs two.
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = frozenset("^{}\\[~]|€\f")


@dataclass(frozen=True)
class Length:
    """What a text costs: its units (septets or UTF-16 code units), in how
    many segments, and how many units one segment holds."""

    characters: int
    units: int
    segments: int
    per_segment: int
    unicode: bool


def length(body: str) -> Length:
    if all(c in GSM_BASIC or c in GSM_EXTENDED for c in body):
        units = sum(2 if c in GSM_EXTENDED else 1 for c in body)
        single, multi, unicode = 160, 153, False
    else:
        units = len(body.encode("utf-16-le")) // 2
        single, multi, unicode = 70, 67, True
    per_segment = single if units <= single else multi
    segments = max(1, -(-units // per_segment))
    return Length(len(body), units, segments, per_segment, unicode)
