"""The query builder: for people who would rather fill in a form than type
a query. It only writes a query in the query language, which the segment
keeps and anyone can read and edit afterwards."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class Built:
    """What the builder form asks for; every part is optional."""

    words: str = ""
    skills: list[str] = field(default_factory=list)  # any of them
    all_skills: bool = False  # all of them instead
    countries: list[str] = field(default_factory=list)
    city: str = ""
    seniority: list[str] = field(default_factory=list)
    min_years: int | None = None
    tags: list[str] = field(default_factory=list)
    pool: str = ""
    not_contacted_days: int | None = None
    engagement: str = ""
    reachable_by_email: bool = False


def quote(value: str) -> str:
    """A value as the query language reads it: quoted when it has spaces,
    parentheses or quotes (inner quotes cannot be written, so they go)."""
    value = " ".join(value.replace('"', " ").split())
    needs = any(c.isspace() or c in "()" for c in value) or value.upper() in ("AND", "OR", "NOT")
    return f'"{value}"' if needs else value


def build_query(built: Built) -> str:
    parts: list[str] = []
    if built.words.strip():
        parts.append(built.words.strip())
    parts.append(_any("skill", built.skills, all_of=built.all_skills))
    parts.append(_any("country", built.countries))
    if built.city.strip():
        parts.append(f"city:{quote(built.city)}")
    parts.append(_any("seniority", built.seniority))
    if built.min_years is not None:
        parts.append(f"years:>={built.min_years}")
    parts.append(_any("tag", built.tags))
    if built.pool.strip():
        parts.append(f"pool:{quote(built.pool)}")
    if built.not_contacted_days is not None:
        parts.append(f"last_contacted:>{built.not_contacted_days}d")
    if built.engagement:
        parts.append(f"engagement:{built.engagement}")
    if built.reachable_by_email:
        parts.append("has:email")
    return " ".join(p for p in parts if p)


def _any(name: str, values: Iterable[str], *, all_of: bool = False) -> str:
    cleaned = [quote(v) for v in values if v.strip()]
    if not cleaned:
        return ""
    if len(cleaned) == 1 or all_of:
        return " ".join(f"{name}:{v}" for v in cleaned)
    return f"{name}:({' OR '.join(cleaned)})"
