"""Countries (ISO 3166-1) and time zones (IANA), for forms and validation."""

from __future__ import annotations

import zoneinfo
from functools import cache

import pycountry
from django.core.exceptions import ValidationError


@cache
def countries() -> dict[str, str]:
    """ISO alpha-2 code → the country's common English name, sorted by name."""
    names = {c.alpha_2: getattr(c, "common_name", c.name) for c in pycountry.countries}
    return dict(sorted(names.items(), key=lambda item: item[1]))


@cache
def timezones() -> list[str]:
    return sorted(
        z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith("Etc/")
    )


def country_name(code: str) -> str:
    return countries().get(code.upper(), code) if code else ""


def clean_country(value: str, *, field: str = "country") -> str:
    """Accept an ISO code or an English name; return the code."""
    raw = value.strip()
    if not raw:
        return ""
    if raw.upper() in countries():
        return raw.upper()
    try:
        return str(pycountry.countries.lookup(raw).alpha_2)
    except LookupError:
        raise ValidationError(
            {
                field: [
                    f"{raw!r} is not a country; use an ISO code such as BR or a name such as Brazil."
                ]
            }
        ) from None


def clean_timezone(value: str, *, field: str = "timezone") -> str:
    raw = value.strip()
    if not raw:
        return ""
    if raw not in zoneinfo.available_timezones():
        raise ValidationError(
            {field: [f"{raw!r} is not a time zone; use an IANA name such as Europe/Berlin."]}
        )
    return raw
