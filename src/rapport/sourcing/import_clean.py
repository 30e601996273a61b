"""One row of an import file, checked and normalised, or the reasons it cannot be.

`clean(cells, plan)` touches no database: it turns the cells into a
`Person` (values ready to store, emails lower-case, phones in E.164,
profile URLs canonical) or a list of messages, each naming the column, the
value and what to do. A row with any bad value is rejected whole, so that
nothing is imported half right; the other rows go on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import phonenumbers
import pycountry
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from email_validator import SPECIAL_USE_DOMAIN_NAMES

from rapport.core.contacts import canonical_profile_url, normalize_email
from rapport.core.geo import clean_country, clean_timezone
from rapport.core.text import slugify_tag
from rapport.people.models import Seniority
from rapport.sourcing.import_mapping import FIELDS, Plan
from rapport.sourcing.import_read import Date, Number

LIMITS = {
    "first_name": 100,
    "last_name": 100,
    "headline": 200,
    "current_title": 150,
    "current_company": 150,
    "city": 100,
    "source": 40,
    "school": 200,
}
URL_LIMIT = 300
EMPTY = frozenset({"n/a", "na", "none", "null", "nil", "-", "--", "—", "?", "unknown", "#n/a"})
SPLIT = re.compile(r"\s*[,;|\n]\s*")
EMAIL_SPLIT = re.compile(r"[\s,;|]+")
FORMULA = re.compile(r"^(=|[+\-@].*(?:[A-Za-z]\(|\|))", re.DOTALL)
_space = re.compile(r"\s+")
# Addresses this simple are valid exactly when this matches; anything else is
# checked by email-validator (core.contacts.normalize_email), which is slower.
_SIMPLE_EMAIL = re.compile(
    r"[a-z0-9_%+-]+(?:\.[a-z0-9_%+-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}"
)
_validate_url = URLValidator(schemes=["http", "https"])

SENIORITY_WORDS = {
    **{value: value for value in Seniority.values},
    **{label.lower(): value for value, label in Seniority.choices},
    "entry level": "junior", "entry": "junior", "graduate": "junior", "jr": "junior",
    "jr.": "junior", "associate": "junior", "mid": "mid", "intermediate": "mid",
    "mid level": "mid", "mid-senior level": "senior", "sr": "senior", "sr.": "senior",
    "staff": "principal", "director": "executive", "vp": "executive", "c-level": "executive",
    "head": "lead", "team lead": "lead", "internship": "intern",
}  # fmt: skip


@dataclass(slots=True)
class Person:
    """A row as it would be stored."""

    fields: dict[str, Any]  # CandidateFields names → value, only those the row gives
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    school: str = ""
    keys: set[int] | None = None  # similarity's blocking keys, once worked out

    @property
    def full_name(self) -> str:
        return f"{self.fields.get('first_name', '')} {self.fields.get('last_name', '')}".strip()


def values_of(cells: list[str], plan: Plan) -> dict[str, str]:
    """The mapped cells as text, several columns of one field joined by `; `."""
    out: dict[str, str] = {}
    for index, name in plan.columns:
        value = cells[index] if index < len(cells) else ""
        value = value.strip() if isinstance(value, str) else str(value)
        if value:
            out[name] = f"{out[name]}; {value}" if name in out else value
    return out


def clean(cells: list[str], plan: Plan, *, region: str = "") -> Person | list[str]:
    errors: list[str] = []
    raw: dict[str, list[str]] = {}
    width = len(cells)
    for index, name in plan.columns:
        value = cells[index] if index < width else ""
        kind = type(value)
        if kind is not str:  # keep Number and Date, which say what Excel did
            value = kind(str(value).replace("\x00", "").strip())
        else:
            if "\x00" in value:
                value = value.replace("\x00", "")
            value = value.strip()
        if not value or (len(value) <= 7 and value.lower() in EMPTY):
            continue
        if (
            value[0] in "=+-@"
            and FORMULA.match(value)
            and not (name == "phone" and _phone_like(value))
        ):
            errors.append(
                f"{FIELDS[name]}: “{value[:60]}” is a spreadsheet formula, not a value; "
                "replace it with what it shows."
            )
            continue
        raw.setdefault(name, []).append(value)
    person = Person(fields={})
    _names(raw, person, errors)
    for name in ("headline", "current_title", "current_company", "city", "source", "school"):
        if name in raw:
            text = _one_line(raw[name][0])
            if len(text) > LIMITS[name]:
                errors.append(f"{FIELDS[name]} is longer than {LIMITS[name]} characters.")
            elif name == "school":
                person.school = text
            else:
                person.fields[name] = text
    if "location" in raw:
        _location(raw["location"][0], raw, person)
    if "country" in raw:
        _country(raw["country"][0], person, errors)
    if "timezone" in raw:
        _check(errors, person, "timezone", lambda: clean_timezone(raw["timezone"][0]))
    if "seniority" in raw:
        _seniority(raw["seniority"][0], person, errors)
    if "years_experience" in raw:
        _years(raw["years_experience"][0], person, errors)
    if "languages" in raw:
        _languages(raw["languages"], person, errors)
    _urls(raw, person, errors)
    person.emails = _emails(raw.get("email", []), errors)
    region = person.fields.get("country") or region
    person.phones = _phones(raw.get("phone", []), region, errors)
    person.skills = _split(raw.get("skills", []))
    person.tags = [t for t in (slugify_tag(t) for t in _split(raw.get("tags", []))) if t]
    if not errors and not (
        person.emails
        or person.phones
        or person.fields.get("linkedin_url")
        or person.fields.get("github_url")
    ):
        errors.append(
            "No email, phone, LinkedIn or GitHub URL: without one this person cannot be told "
            "apart from a namesake, so the row is not imported."
        )
    return errors or person


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _names(raw: dict[str, list[str]], person: Person, errors: list[str]) -> None:
    first = _one_line(raw.get("first_name", [""])[0])
    last = _one_line(raw.get("last_name", [""])[0])
    if not first and not last and "full_name" in raw:
        first, last = split_name(_one_line(raw["full_name"][0]))
    elif not first and last and "full_name" in raw:
        first, _ = split_name(_one_line(raw["full_name"][0]))
    if not first:
        errors.append("No first name: a candidate needs at least a first name.")
    for name, value in (("first_name", first), ("last_name", last)):
        if len(value) > LIMITS[name]:
            errors.append(f"{FIELDS[name]} is longer than {LIMITS[name]} characters.")
        elif value:
            person.fields[name] = value


def split_name(full: str) -> tuple[str, str]:
    """`Souza, Maria` and `Maria Souza` → (Maria, Souza); `Maria da Silva` →
    (Maria, da Silva): the first word is the first name."""
    if "," in full:
        last, _, first = full.partition(",")
        return first.strip(), last.strip()
    first, _, last = full.partition(" ")
    return first, last.strip()


def _check(errors: list[str], person: Person, name: str, fn: Any) -> None:
    try:
        person.fields[name] = fn()
    except ValidationError as exc:
        errors.extend(exc.messages)


@lru_cache(maxsize=4096)
def _country_code(value: str) -> str | None:
    try:
        return clean_country(value)
    except ValidationError:
        return None


def _country(value: str, person: Person, errors: list[str]) -> None:
    code = _country_code(value)
    if code is None:
        errors.append(f"Country: “{value}” is not a country; use a name or an ISO code such as BR.")
    else:
        person.fields["country"] = code


def _location(value: str, raw: dict[str, list[str]], person: Person) -> None:
    """`São Paulo, SP, Brazil` → city São Paulo, country BR (unless the row
    has City or Country columns of its own). Never an error: what is not a
    country stays part of the city."""
    parts = [p.strip() for p in _one_line(value).split(",") if p.strip()]
    if not parts:
        return
    code = _country_code(parts[-1]) if len(parts[-1]) > 1 else None
    if code and "country" not in raw:
        person.fields["country"] = code
        parts = parts[:-1]
    if parts and "city" not in raw and len(parts[0]) <= LIMITS["city"]:
        person.fields["city"] = parts[0]


def _seniority(value: str, person: Person, errors: list[str]) -> None:
    found = SENIORITY_WORDS.get(_one_line(value).lower())
    if found is None:
        errors.append(
            f"Seniority: “{value}” is not one of {', '.join(Seniority.labels)}; "
            "leave it empty or use one of them."
        )
    else:
        person.fields["seniority"] = found


def _years(value: str, person: Person, errors: list[str]) -> None:
    match = re.fullmatch(r"(\d{1,2})(?:[.,]\d+)?\s*\+?\s*(?:y|yr|yrs|years?)?\.?", value.lower())
    if match is None or int(match.group(1)) > 70:
        errors.append(f"Years of experience: “{value}” is not a number of years between 0 and 70.")
    else:
        person.fields["years_experience"] = int(match.group(1))


@lru_cache(maxsize=1024)
def _language(value: str) -> str | None:
    text = value.strip()
    if 2 <= len(text) <= 3 and text.isalpha() and text.isascii():
        return text.lower()
    try:
        language = pycountry.languages.lookup(text)
    except LookupError:
        return None
    return str(getattr(language, "alpha_2", "") or language.alpha_3)


def _languages(values: list[str], person: Person, errors: list[str]) -> None:
    codes = []
    for value in _split(values):
        code = _language(value)
        if code is None:
            errors.append(
                f"Languages: “{value}” is not a language; use a name or a code such as pt."
            )
        elif code not in codes:
            codes.append(code)
    person.fields["languages"] = sorted(codes)


def _split(values: list[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        for part in SPLIT.split(value):
            part = _one_line(part)
            if part and part not in out:
                out.append(part)
    return out


def _urls(raw: dict[str, list[str]], person: Person, errors: list[str]) -> None:
    """Profile URLs go where their host says: LinkedIn, GitHub, or the website."""
    wanted: dict[str, str] = {}
    for name in ("linkedin_url", "github_url", "portfolio_url", "profile_url"):
        for value in _split(raw.get(name, [])):
            url = value if "://" in value else f"https://{value}"
            canonical = canonical_profile_url(url)
            host_field = (
                "linkedin_url"
                if canonical.startswith("https://www.linkedin.com/in/")
                else "github_url"
                if canonical.startswith("https://github.com/")
                else "portfolio_url"
            )
            if name in ("linkedin_url", "github_url") and host_field != name:
                errors.append(
                    f"{FIELDS[name]}: “{value}” is not a {FIELDS[name].split()[0]} profile."
                )
                continue
            try:
                _validate_url(canonical)
            except ValidationError:
                errors.append(f"{FIELDS[name]}: “{value}” is not a web address.")
                continue
            if len(canonical) > URL_LIMIT:
                errors.append(f"{FIELDS[name]}: the address is longer than {URL_LIMIT} characters.")
                continue
            wanted.setdefault(host_field, canonical)
    person.fields.update(wanted)


def email_normal(value: str) -> str:
    """The stored form of an address (`core.contacts.normalize_email`), fast
    for the common simple ones; raises ValidationError for a bad one."""
    lowered = value.strip().lower()
    if len(lowered) <= 254 and _SIMPLE_EMAIL.fullmatch(lowered):
        local, _, domain = lowered.partition("@")
        if len(local) <= 64 and not _special(domain):
            return lowered
    return normalize_email(value)


_SPECIAL = frozenset(SPECIAL_USE_DOMAIN_NAMES)


def _special(domain: str) -> bool:
    labels = domain.split(".")
    return any(".".join(labels[i:]) in _SPECIAL for i in range(len(labels)))


def _emails(values: list[str], errors: list[str]) -> list[str]:
    found: list[str] = []
    for value in values:
        for part in EMAIL_SPLIT.split(value.strip("<>")):
            part = part.strip("<>\"'")
            if not part:
                continue
            try:
                email = email_normal(part)
            except ValidationError:
                errors.append(f"Email: “{part[:80]}” is not an email address.")
                continue
            if email not in found:
                found.append(email)
    return found


def _phone_like(value: str) -> bool:
    return bool(re.fullmatch(r"[+\d\s().\-/]+", value))


def _phones(values: list[str], region: str, errors: list[str]) -> list[str]:
    found: list[str] = []
    for value in values:
        for part in re.split(r"\s*[;,|/]\s*(?=[+(\d])", value) if len(value) > 22 else [value]:
            phone = _phone(part, region, errors)
            if phone and phone not in found:
                found.append(phone)
    return found


def _phone(value: str, region: str, errors: list[str]) -> str:
    if isinstance(value, Date):
        errors.append(
            f"Phone: “{value}” is a date: the spreadsheet turned the number into one. "
            "Format the column as text and type the number again."
        )
        return ""
    attempts = [value]
    if isinstance(value, Number) or re.fullmatch(r"\d{8,15}", value):
        # Excel drops the + and leading zeros of numbers it stores as numbers:
        # read it in the row's country first, then as international.
        attempts = [value, f"0{value}", f"+{value}"] if region else [f"+{value}"]
    for attempt in attempts:
        number = _parse_phone(attempt, region)
        if number:
            return number
    if isinstance(value, Number):
        errors.append(
            f"Phone: {value} was stored as a number, which loses its + and leading zeros, and "
            "is not a valid number as it stands. Format the column as text and write the number "
            "with its country code."
        )
    elif not region and not value.lstrip().startswith(("+", "00")):
        errors.append(
            f"Phone: “{value}” has no country code and the row has no country; write it as "
            "+44 20 7946 0958."
        )
    else:
        errors.append(f"Phone: “{value}” is not a valid phone number.")
    return ""


_FORMATTING = str.maketrans("", "", " ()-./\u00a0")
_CODES = phonenumbers.COUNTRY_CODE_TO_REGION_CODE


@lru_cache(maxsize=512)
def _prefix_rule(country_code: int) -> re.Pattern[str] | None:
    """The national prefix phonenumbers strips while parsing, if any."""
    regions = _CODES.get(country_code, ())
    metadata = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(
        country_code, regions[0] if regions else ""
    )
    rule = metadata.national_prefix_for_parsing if metadata else None
    return re.compile(rule) if rule else None


def _plain(country_code: int, national: str) -> bool:
    """Whether parsing would keep these national digits as they are."""
    rule = _prefix_rule(country_code)
    return rule is None or rule.match(national) is None


def _parse_phone(value: str, region: str) -> str:
    """The E.164 form, or "" when the number is not valid. A number already
    written with + and its country code (the common case in exports) skips
    phonenumbers' parser, which costs as much again as its validity check;
    a national number beginning with 0 (Italy keeps it) takes the long way."""
    compact = value.translate(_FORMATTING)
    if compact.startswith("+") and compact[1:].isdigit() and 8 <= len(compact) <= 16:
        digits = compact[1:]
        for size in (1, 2, 3):
            if int(digits[:size]) in _CODES:
                national = digits[size:]
                if (
                    national
                    and not national.startswith("0")
                    and _plain(int(digits[:size]), national)
                ):
                    number = phonenumbers.PhoneNumber(
                        country_code=int(digits[:size]), national_number=int(national)
                    )
                    if phonenumbers.is_valid_number(number):
                        return f"+{digits}"
                    return ""
                break
    try:
        number = phonenumbers.parse(value, region.upper() or None)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
