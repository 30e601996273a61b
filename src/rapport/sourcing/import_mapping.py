"""Which column of an import file goes to which field of a candidate.

`suggest(header)` reads the column names, including those of common ATS
exports (Greenhouse, Lever, Workable, BambooHR, Recruitee…) and of LinkedIn
Recruiter's project exports ("First Name", "Email Address", "Current
Company", "Profile URL"…), ignoring case, accents, spaces and punctuation.
A `Mapping` is what the person confirmed: it is checked against the header
(`problems`) and turned into a `Plan` (column positions) for reading rows.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from typing import Any

from rapport.core.text import fold

# Field → label. "" skips the column.
FIELDS: dict[str, str] = {
    "": "Skip this column",
    "full_name": "Full name (split into first and last)",
    "first_name": "First name",
    "last_name": "Last name",
    "email": "Email",
    "phone": "Phone",
    "headline": "Headline",
    "current_title": "Current title",
    "current_company": "Current company",
    "location": "Location (city, country)",
    "city": "City",
    "country": "Country",
    "timezone": "Time zone",
    "seniority": "Seniority",
    "years_experience": "Years of experience",
    "languages": "Languages",
    "skills": "Skills",
    "tags": "Tags",
    "source": "Source",
    "profile_url": "Profile URL (LinkedIn, GitHub or a website)",
    "linkedin_url": "LinkedIn URL",
    "github_url": "GitHub URL",
    "portfolio_url": "Website or portfolio",
    "school": "School",
}
# Fields several columns may feed (each cell may also hold several values).
MULTI = frozenset({"email", "phone", "languages", "skills", "tags", "profile_url"})

ALIASES: dict[str, tuple[str, ...]] = {
    "full_name": (
        "name", "full name", "candidate name", "candidate", "contact name", "contact",
        "person", "applicant name", "applicant", "display name",
    ),
    "first_name": ("first name", "firstname", "given name", "forename", "first", "prenom", "vorname"),
    "last_name": (
        "last name", "lastname", "surname", "family name", "last", "nom", "nachname", "apellido",
    ),
    "email": (
        "email", "e mail", "email address", "e mail address", "mail", "personal email",
        "work email", "primary email", "other email", "email 1", "email 2", "email 3",
        "emails", "candidate email", "contact email", "private email", "business email",
    ),
    "phone": (
        "phone", "phone number", "phone numbers", "mobile", "mobile phone", "mobile number",
        "cell", "cell phone", "telephone", "tel", "work phone", "home phone", "phone 1",
        "phone 2", "primary phone", "other phone", "contact number", "candidate phone",
    ),
    "headline": ("headline", "tagline", "professional headline", "profile headline"),
    "current_title": (
        "title", "job title", "current title", "current job title", "position",
        "current position", "role", "current role", "occupation", "designation",
    ),
    "current_company": (
        "company", "current company", "company name", "employer", "current employer",
        "organization", "organisation", "current organization", "current organisation",
    ),
    "location": ("location", "address", "geo location", "current location", "based in"),
    "city": ("city", "town", "locality", "city name"),
    "country": ("country", "country code", "country name", "nation"),
    "timezone": ("time zone", "timezone", "tz"),
    "seniority": ("seniority", "level", "career level", "seniority level", "experience level"),
    "years_experience": (
        "years of experience", "years experience", "experience years", "yoe",
        "total experience", "experience", "years",
    ),
    "languages": ("languages", "language", "spoken languages"),
    "skills": ("skills", "skill", "key skills", "technologies", "tech stack", "expertise"),
    "tags": ("tags", "tag", "labels", "label", "keywords"),
    "source": ("source", "sources", "candidate source", "lead source", "origin", "source name"),
    "profile_url": ("profile url", "profile", "public profile url", "profile link", "links", "url"),
    "linkedin_url": (
        "linkedin", "linkedin url", "linkedin profile", "linkedin profile url",
        "linkedin public profile url", "public linkedin url",
    ),
    "github_url": ("github", "github url", "github profile", "github profile url"),
    "portfolio_url": ("website", "portfolio", "personal website", "blog", "homepage", "web site"),
    "school": ("school", "education", "university", "college", "alma mater", "schools"),
}  # fmt: skip
_BY_ALIAS = {alias: field for field, aliases in ALIASES.items() for alias in aliases}


def normal(name: str) -> str:
    """`E-mail Address ` → `e mail address`: what aliases are compared with."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(name)).split())


def suggest(header: list[str]) -> dict[str, str]:
    """Column → field, for each column whose name says what it is. A field
    that takes one column goes to the first column that names it."""
    taken: set[str] = set()
    mapping: dict[str, str] = {}
    for column in header:
        key = normal(column)
        field = _BY_ALIAS.get(key) or _BY_ALIAS.get(re.sub(r"\s*\d+$", "", key), "")
        if field and field not in MULTI and field in taken:
            field = ""
        mapping[column] = field
        taken.add(field)
    names = set(mapping.values())
    # "Name" beside "First Name" and "Last Name" is the same person twice.
    if {"first_name", "last_name"} <= names and "full_name" in names:
        for column, field in mapping.items():
            if field == "full_name":
                mapping[column] = ""
    return mapping


@dataclass(frozen=True)
class Plan:
    """Column positions per field, in the order of the file."""

    columns: tuple[tuple[int, str], ...]

    def fields(self) -> set[str]:
        return {field for _, field in self.columns}


@dataclass(frozen=True)
class Mapping:
    """Column name → field, as confirmed (or saved) by a person."""

    columns: dict[str, str]

    @classmethod
    def of(cls, data: dict[str, Any]) -> Mapping:
        return cls({str(k): str(v or "") for k, v in data.items()})

    def problems(self, header: list[str]) -> list[str]:
        """What is wrong with this mapping for a file with this header."""
        errors = []
        unknown = sorted({f for f in self.columns.values() if f not in FIELDS})
        if unknown:
            errors.append(f"Unknown fields: {', '.join(unknown)}; choose from the list.")
        used: dict[str, list[str]] = {}
        for column in header:
            field = self.columns.get(column, "")
            if field:
                used.setdefault(field, []).append(column)
        for field, columns in used.items():
            if field not in MULTI and len(columns) > 1:
                names = " and ".join(f"“{c}”" for c in columns)
                errors.append(f"{names} both go to {FIELDS.get(field, field)}; keep one.")
        if not {"first_name", "full_name"} & set(used):
            errors.append(
                "Map a column to First name or to Full name: every candidate needs a name."
            )
        if not {"email", "phone", "linkedin_url", "github_url", "profile_url"} & set(used):
            errors.append(
                "Map a column to Email, Phone or a profile URL: without one, nobody can be "
                "told apart from a namesake, so no row could be imported."
            )
        return errors

    def plan(self, header: list[str]) -> Plan:
        return Plan(
            tuple((i, self.columns[c]) for i, c in enumerate(header) if self.columns.get(c))
        )


def mapping_parse(text: str) -> Mapping:
    """A mapping written by hand: JSON (`{"Column": "field"}`, or that under
    "columns"), or CSV with two columns, the column's name and the field."""
    stripped = text.strip().lstrip("\ufeff")
    if stripped.startswith("{"):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise ValueError(f"The mapping is not valid JSON: {exc}.") from None
        if isinstance(data.get("columns"), dict):
            data = data["columns"]
        if not all(isinstance(v, str | None) for v in data.values()):
            raise ValueError('Each column must name a field as text: {"Email Address": "email"}.')
        return Mapping.of(data)
    rows = [r for r in csv.reader(io.StringIO(stripped)) if r and any(c.strip() for c in r)]
    if rows and [normal(c) for c in rows[0][:2]] in (["column", "field"], ["header", "field"]):
        rows = rows[1:]
    if any(len(r) < 2 for r in rows):
        raise ValueError("Each line of a CSV mapping needs two values: the column and the field.")
    return Mapping.of({r[0].strip(): r[1].strip() for r in rows})
