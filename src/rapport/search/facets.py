"""Facets: how the matches of a search spread over countries, skills, tags,
pools, owners and engagement, each value with the query term that narrows
the search to it. And chips: the query's top-level terms, each removable."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count

from rapport.accounts.models import Capability, display_name
from rapport.core.geo import countries, country_name
from rapport.core.text import fold
from rapport.people.models import (
    Candidate,
    CandidateSkill,
    CandidateTag,
    ConsentState,
    PoolMembership,
    Seniority,
    Skill,
    Tag,
)
from rapport.people.selectors import pools_visible
from rapport.search.builder import quote
from rapport.search.compiler import ENGAGEMENT_BANDS, band_condition
from rapport.search.query import And, Node, QueryError, parse

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from rapport.accounts.models import User

TOP = 8


@dataclass(frozen=True)
class FacetValue:
    label: str
    count: int
    term: str  # the query term that narrows to this value


@dataclass(frozen=True)
class Facet:
    name: str
    label: str
    values: list[FacetValue]


def facets(user: User, rows: QuerySet[Candidate]) -> list[Facet]:
    """The facets of the matches `rows` (already scoped to the user)."""
    matches = rows.order_by().values("pk")
    found = [
        Facet("country", "Country", _countries(rows)),
        Facet("skill", "Skills", _skills(matches)),
    ]
    if user.can(Capability.SEE_ALL_CANDIDATES):
        found += [
            Facet("tag", "Tags", _tags(matches)),
            Facet("pool", "Pools", _pools(user, matches)),
        ]
    found += [
        Facet("owner", "Owner", _owners(rows)),
        Facet("engagement", "Engagement", _bands(rows)),
    ]
    return [f for f in found if f.values]


def _countries(rows: QuerySet[Candidate]) -> list[FacetValue]:
    counted = (
        rows.order_by().exclude(country="").values("country").annotate(n=Count("pk")).order_by("-n")
    )
    return [
        FacetValue(country_name(r["country"]), r["n"], f"country:{r['country']}")
        for r in counted[:TOP]
    ]


def _skills(matches: QuerySet[Candidate, Any]) -> list[FacetValue]:
    counted = (
        CandidateSkill.objects.filter(candidate__in=matches)
        .values("skill__name")
        .annotate(n=Count("candidate_id"))
        .order_by("-n", "skill__name")
    )
    return [
        FacetValue(r["skill__name"], r["n"], f"skill:{quote(r['skill__name'])}")
        for r in counted[:TOP]
    ]


def _tags(matches: QuerySet[Candidate, Any]) -> list[FacetValue]:
    counted = (
        CandidateTag.objects.filter(candidate__in=matches)
        .values("tag__name")
        .annotate(n=Count("candidate_id"))
        .order_by("-n", "tag__name")
    )
    return [FacetValue(r["tag__name"], r["n"], f"tag:{r['tag__name']}") for r in counted[:TOP]]


def _pools(user: User, matches: QuerySet[Candidate, Any]) -> list[FacetValue]:
    counted = (
        PoolMembership.objects.filter(candidate__in=matches, pool__in=pools_visible(user))
        .values("pool__name")
        .annotate(n=Count("candidate_id"))
        .order_by("-n", "pool__name")
    )
    return [
        FacetValue(r["pool__name"], r["n"], f"pool:{quote(r['pool__name'])}") for r in counted[:TOP]
    ]


def _owners(rows: QuerySet[Candidate]) -> list[FacetValue]:
    counted = (
        rows.order_by().values("owner__email", "owner__name").annotate(n=Count("pk")).order_by("-n")
    )
    values = []
    for r in counted[:TOP]:
        email = r["owner__email"]
        if email is None:
            values.append(FacetValue("Nobody", r["n"], "owner:none"))
        else:
            values.append(
                FacetValue(display_name(r["owner__name"], email), r["n"], f"owner:{email}")
            )
    return values


def _bands(rows: QuerySet[Candidate]) -> list[FacetValue]:
    counts = rows.order_by().aggregate(
        **{band: Count("pk", filter=band_condition(band)) for band in ENGAGEMENT_BANDS}
    )
    return [
        FacetValue(band.title(), counts[band], f"engagement:{band}")
        for band in reversed(list(ENGAGEMENT_BANDS))
        if counts[band]
    ]


# --- chips


@dataclass(frozen=True)
class Chip:
    text: str
    without: str  # the query with this term removed


def chips(query: str) -> list[Chip]:
    """The top-level terms of a query, each with the query it leaves when
    removed. Nothing for a query that does not parse."""
    try:
        tree = parse(query)
    except QueryError:
        return []
    if tree is None:
        return []
    terms: tuple[Node, ...] = tree.children if isinstance(tree, And) else (tree,)
    if len(terms) < 2 and not query.strip():
        return []
    return [
        Chip(query[t.start : t.end], " ".join((query[: t.start] + query[t.end :]).split()))
        for t in terms
    ]


def narrowed(query: str, term: str) -> str:
    """The query with a term added (unless it is there already)."""
    if term in query.split():
        return query
    return f"{query} {term}".strip()


# --- suggestions for the search box

ENUMS = {
    "seniority": [code for code, _ in Seniority.choices],
    "engagement": list(ENGAGEMENT_BANDS),
    "consent": [code for code, _ in ConsentState.choices],
    "has": ["email", "phone", "linkedin", "github", "portfolio", "owner"],
    "owner": ["me", "none"],
}


def suggestions(user: User, token: str, *, limit: int = 8) -> list[dict[str, str]]:
    """What the word being typed may become: a field name, or a value of the
    field it names (skills, tags, pools, segments, countries, fixed choices).
    Each is {"value": text that replaces the word, "label": what to show}."""
    from rapport.search.query import EXAMPLES, FIELDS

    name, colon, partial = token.partition(":")
    if not colon:
        stem = token.lower()
        return [
            {"value": f"{f}:", "label": f"{f}:  e.g. {EXAMPLES[f]}"}
            for f in FIELDS
            if f.startswith(stem) and stem
        ][:limit]
    stem = fold(partial.strip('"'))
    values: list[tuple[str, str]] = []
    if name == "skill":
        values = [(n, n) for n in Skill.objects.order_by("name").values_list("name", flat=True)]
    elif name == "tag" and user.can(Capability.SEE_ALL_CANDIDATES):
        values = [(t, t) for t in Tag.objects.order_by("name").values_list("name", flat=True)]
    elif name == "pool":
        values = [
            (p, p) for p in pools_visible(user).order_by("name").values_list("name", flat=True)
        ]
    elif name == "segment":
        from rapport.search.selectors import segments_visible

        names = segments_visible(user).order_by("name").values_list("name", flat=True)
        values = [(s, s) for s in names]
    elif name == "country":
        values = [(code, f"{code} · {label}") for code, label in countries().items()]
    elif name in ENUMS:
        values = [(v, v) for v in ENUMS[name]]
    found = [
        {"value": f"{name}:{quote(value)}", "label": label}
        for value, label in values
        if fold(value).startswith(stem) or fold(label).startswith(stem)
    ]
    return found[:limit]
