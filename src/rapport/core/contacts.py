"""Validating and normalising email addresses and phone numbers."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

import phonenumbers
from django.core.exceptions import ValidationError
from email_validator import EmailNotValidError, validate_email


def normalize_email(value: str, *, field: str = "email") -> str:
    raw = value.strip()
    try:
        result = validate_email(raw, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationError({field: [f"{raw!r} is not a valid email address: {exc}"]}) from None
    return result.normalized.lower()


def normalize_phone(value: str, *, region: str = "", field: str = "phone") -> str:
    """E.164 form. A number without a country code is read in the
    candidate's country, when known."""
    raw = value.strip()
    try:
        number = phonenumbers.parse(raw, (region or "").upper() or None)
    except phonenumbers.NumberParseException:
        raise ValidationError(
            {
                field: [
                    f"{raw!r} is not a phone number; write it with its country code, e.g. +44 20 7946 0958."
                ]
            }
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError({field: [f"{raw!r} is not a valid phone number."]})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


PROFILE_HOSTS = {
    "linkedin.com": "https://www.linkedin.com/in/",
    "github.com": "https://github.com/",
}


def canonical_profile_url(value: str) -> str:
    """One spelling for a LinkedIn or GitHub profile, so the same person is
    found however the address was written (http or https, www or a country
    subdomain, a trailing slash, a query, capitals). Any other address is
    returned as given."""
    raw = value.strip()
    try:
        parts = urlsplit(raw if "://" in raw else f"https://{raw}")
        host = (parts.hostname or "").lower()
    except ValueError:  # not a URL at all ("http://["): the validators say so
        return raw
    path = [p for p in parts.path.split("/") if p]
    if host == "linkedin.com" or host.endswith(".linkedin.com"):
        if len(path) >= 2 and path[0].lower() in {"in", "pub"}:
            return PROFILE_HOSTS["linkedin.com"] + unquote(path[1]).lower()
    elif host in {"github.com", "www.github.com"} and len(path) >= 1:
        return PROFILE_HOSTS["github.com"] + path[0].lower()
    return raw
