"""A parsed query, turned into a condition on candidates for one user.

`compile_query(user, text)` parses and compiles; the result's `condition`
goes into `.filter()` on the candidates the user may see. Values that name
nothing (a tag nobody has, a pool that does not exist) match nobody and
leave a warning; values that cannot mean anything (`years:lots`, a country
that does not exist) raise a QueryError that points at them.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pycountry
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone

from rapport.accounts.models import Capability, User
from rapport.core.contacts import normalize_email, normalize_phone
from rapport.core.geo import clean_country
from rapport.core.text import fold, slugify_tag, words
from rapport.engagement.scoring import BANDS
from rapport.people.documents import MARKERS, skill_token
from rapport.people.models import (
    CandidateSkill,
    CandidateTag,
    ConsentState,
    ContactKind,
    ContactPoint,
    PoolMembership,
    Seniority,
)
from rapport.people.selectors import pools_visible
from rapport.search import fulltext, plans
from rapport.search.fulltext import Condition, Phrase, Without
from rapport.search.plans import Members, related_members, text_members
from rapport.search.query import And, Field, Node, Not, Or, QueryError, Text, parse
from rapport.search.vocabulary import Vocabulary, vocabulary

NOTHING = Q(pk__in=[])
EVERYTHING = ~NOTHING

ENGAGEMENT_BANDS = BANDS  # engagement: bands over Candidate.engagement_score


def band_condition(band: str) -> Q:
    """Candidates whose engagement score is in the band."""
    low, high = ENGAGEMENT_BANDS[band]
    condition = Q()
    if low is not None:
        condition &= Q(engagement_score__gte=low)
    if high is not None:
        condition &= Q(engagement_score__lt=high)
    return condition


TOKEN_FIELDS = ("name", "headline", "title", "company", "city")
MAX_AGE_DAYS = 200 * 365


# has: on rows of other tables (read like skill:), then on columns.
HAS_CONTACT = {"email": ContactKind.EMAIL, "phone": ContactKind.PHONE}
HAS = {
    "linkedin": lambda: ~Q(linkedin_url=""),
    "github": lambda: ~Q(github_url=""),
    "portfolio": lambda: ~Q(portfolio_url=""),
    "owner": lambda: Q(owner__isnull=False),
}


@lru_cache(maxsize=16_384)
def _folded(name: str) -> str:
    """A skill's name folded, kept per process, for what compares a value
    with every name (`skill:py*`, the suggestion for a misspelt skill):
    folding six hundred names took about 3 ms."""
    return fold(name)


@dataclass
class Compiled:
    """What a query means for one user."""

    condition: Q
    warnings: list[str] = field(default_factory=list)
    # Words to highlight in results: what the free text asked for.
    highlights: list[str] = field(default_factory=list)
    # The free text asked for, to rank matches by (None: no free text).
    rank: Condition | None = None
    # Whether free text reaches confidential notes (the user may read them).
    private: bool = False
    # When the whole condition is one set of candidates read from an index
    # (full text, or a skill, tag, pool or contact point), perhaps negated:
    # that set, and whether it is negated. A search may then read it one by
    # one instead of as a set (see `plans`).
    sole: tuple[Members, bool] | None = None


def compile_query(
    user: User,
    text: str,
    *,
    now: dt.datetime | None = None,
    segments: Callable[[User, str], str | None] | None = None,
) -> Compiled:
    """Parse and compile `text` for `user`; `segments(user, name)` returns a
    saved segment's query (or None), for `segment:`."""
    tree = parse(text)
    compiler = _Compiler(user, now or timezone.now(), segments)
    if tree is None:
        return Compiled(EVERYTHING)
    condition = compiler.node(tree)
    rank = fulltext.any_of(compiler.ranked) if compiler.ranked else None
    sole = compiler.members.get(id(condition))
    return Compiled(
        condition,
        compiler.warnings,
        compiler.highlights,
        rank,
        compiler.private,
        (sole[1], sole[2]) if sole is not None and sole[0] is condition else None,
    )


class _Compiler:
    def __init__(
        self,
        user: User,
        now: dt.datetime,
        segments: Callable[[User, str], str | None] | None,
    ) -> None:
        self.user = user
        self.now = now
        self.segments = segments
        self.seen_segments: list[str] = []
        self.private = user.can(Capability.SEE_CONFIDENTIAL)
        self.warnings: list[str] = []
        self.highlights: list[str] = []
        self.ranked: list[Condition] = []
        self.negations = 0  # inside how many NOTs: what is negated is not highlighted
        self._vocabulary: Vocabulary | None = None
        # The conditions that are one set of members, by id: (the condition,
        # its members, whether negated). The condition is kept so its id
        # stays its own.
        self.members: dict[int, tuple[Q, Members, bool]] = {}

    @property
    def vocabulary(self) -> Vocabulary:
        """The skill vocabulary, once per query and only if needed."""
        if self._vocabulary is None:
            self._vocabulary = vocabulary()
        return self._vocabulary

    @property
    def skills(self) -> list[tuple[int, str]]:
        return self.vocabulary.skills

    # --- the tree

    def node(self, node: Node) -> Q:
        if isinstance(node, And):
            return self.all_of(node)
        if isinstance(node, Or):
            return self.any_of(node)
        if isinstance(node, Not):
            if isinstance(node.child, Text) and not words(node.child.value):
                return self.text(node.child)  # left out, not negated: it matches all
            self.negations += 1
            try:
                return self.negate(self.node(node.child))
            finally:
                self.negations -= 1
        if isinstance(node, Text):
            return self.text(node)
        return self.field(node)

    def all_of(self, node: And) -> Q:
        """Free-text children become one full-text condition (one index
        lookup instead of one per word); the rest are ANDed to it."""
        keep, drop, rest = [], [], []
        for child in node.children:
            if isinstance(child, Text):
                if (cond := self.text_condition(child)) is not None:
                    keep.append(cond)
            elif isinstance(child, Not) and isinstance(child.child, Text):
                if (cond := self.text_condition(child.child, positive=False)) is not None:
                    drop.append(cond)
            elif isinstance(child, Or) and (cond := self.text_only(child)) is not None:
                keep.append(cond)  # (react OR vue): part of the same full-text condition
            else:
                rest.append(child)
        condition = EVERYTHING
        if keep:
            combined: Condition = fulltext.all_of(keep)
            if drop:
                combined = Without(combined, tuple(drop))
            condition = self.matching(combined)
        elif drop:
            condition = self.negate(self.matching(fulltext.any_of(drop)))
        for child in rest:
            condition &= self.node(child)
        return condition

    def any_of(self, node: Or) -> Q:
        """Free-text children become one full-text condition, ORed with the rest."""
        conditions: list[Condition] = []
        rest: list[Node] = []
        left_out = False  # a term with no words matches everyone
        for child in node.children:
            if not isinstance(child, Text):
                rest.append(child)
            elif (found := self.text_condition(child)) is not None:
                conditions.append(found)
            else:
                left_out = True
        condition = self.matching(fulltext.any_of(conditions)) if conditions else NOTHING
        for child in rest:
            condition |= self.node(child)
        return EVERYTHING if left_out else condition

    def text_only(self, node: Or) -> Condition | None:
        """The full-text condition of an OR whose every part is a word,
        phrase or prefix (or None, and nothing recorded, if one is not)."""
        if not all(isinstance(c, Text) and words(c.value) for c in node.children):
            return None
        found = [self.text_condition(c) for c in node.children if isinstance(c, Text)]
        return fulltext.any_of([c for c in found if c is not None])

    # --- free text

    def matching(self, condition: Condition) -> Q:
        return self.member(text_members(condition, private=self.private))

    def among(self, rows: QuerySet[Any]) -> Q:
        """Candidates whose id is among the `candidate_id`s of `rows`."""
        return self.member(related_members(rows))

    def member(self, members: Members) -> Q:
        condition = members.condition
        self.members[id(condition)] = (condition, members, False)
        return condition

    def negate(self, condition: Q) -> Q:
        negated = ~condition
        if (known := self.members.get(id(condition))) is not None and known[0] is condition:
            self.members[id(negated)] = (negated, known[1], not known[2])
        return negated

    def text(self, node: Text) -> Q:
        condition = self.text_condition(node)
        return EVERYTHING if condition is None else self.matching(condition)

    def text_condition(self, node: Text, *, positive: bool = True) -> Condition | None:
        """The full-text condition of a word, phrase or prefix: in the plain
        words, in confidential notes for those who may read them, and as a
        skill when it names one through an alias (`k8s`)."""
        found = words(node.value)
        if not found:
            self.warnings.append(f"“{node.value}” has no letters or digits, so it was left out.")
            return None
        positive = positive and self.negations % 2 == 0
        if positive:
            self.highlights.append(node.value + ("*" if node.prefix else ""))
        options: list[Condition] = [Phrase(tuple(found), node.prefix)]
        skill = None if node.prefix else self.skill_name(node.value)
        if skill is not None and (_has_symbols(node.value) or words(skill) != found):
            # An alias (k8s → Kubernetes) also finds the skill. A skill named
            # with symbols is found by its token alone: the words of `c++`
            # (c) would find every C programmer. A plain skill name needs
            # nothing more: its words are in the document already.
            if _has_symbols(node.value):
                options = []
            options.append(Phrase((skill_token(skill),)))
            if positive:
                self.highlights.append(skill)
        condition = fulltext.any_of(options)
        if positive:
            self.ranked.append(condition)
        return condition

    # --- fields

    def field(self, node: Field) -> Q:
        handler = getattr(self, f"field_{node.name}", None)
        if node.name in TOKEN_FIELDS:
            return self.token_field(node)
        assert handler is not None, f"no handler for {node.name}:"
        result: Q = handler(node)
        return result

    def token_field(self, node: Field) -> Q:
        value, prefix = node.value, False
        if value.endswith("*") and not node.quoted:
            value, prefix = value.rstrip("*"), True
        found = words(value)
        if not found:
            raise QueryError(
                f"{node.name}: needs letters or digits, e.g. {node.name}:engineer.",
                node.value_start,
                len(node.value),
            )
        if self.negations % 2 == 0:
            self.highlights.append(value + ("*" if prefix else ""))
        marker = MARKERS[node.name]
        return self.matching(Phrase(tuple(marker + w for w in found), prefix))

    def field_skill(self, node: Field) -> Q:
        value = node.value.strip()
        if value.endswith("*") and not node.quoted:
            stem = fold(value.rstrip("*"))
            ids = [pk for pk, name in self.skills if _folded(name).startswith(stem)] if stem else []
        else:
            pk = self.skill_id(value)
            ids = [pk] if pk is not None else []
        if not ids:
            self.warnings.append(f"No skill is called “{value}”.{self.nearest_skill(value)}")
            return NOTHING
        self.highlights += [name for pk, name in self.skills if pk in ids]
        return self.among(CandidateSkill.objects.filter(skill_id__in=ids))

    def field_tag(self, node: Field) -> Q:
        slug = slugify_tag(node.value)
        if not self.user.can(Capability.SEE_ALL_CANDIDATES):
            return NOTHING  # tags are the team's, as on the tags page
        if node.value.endswith("*") and not node.quoted:
            stem = slugify_tag(node.value.rstrip("*"))
            return self.among(CandidateTag.objects.filter(tag__name__startswith=stem))
        return self.among(CandidateTag.objects.filter(tag__name=slug))

    def field_pool(self, node: Field) -> Q:
        wanted = fold(node.value)
        pools = [p for p in pools_visible(self.user).only("pk", "name") if fold(p.name) == wanted]
        if not pools:
            self.warnings.append(f"No pool is called “{node.value}”.")
            return NOTHING
        return self.among(PoolMembership.objects.filter(pool_id__in=[p.pk for p in pools]))

    def field_segment(self, node: Field) -> Q:
        name = fold(node.value)
        query = self.segments(self.user, node.value) if self.segments else None
        if query is None:
            self.warnings.append(f"No segment you can use is called “{node.value}”.")
            return NOTHING
        if name in self.seen_segments:
            chain = " → ".join([*self.seen_segments, name])
            raise QueryError(
                f"segment:{node.value} refers to itself ({chain}); a segment cannot contain itself.",
                node.start,
                node.end - node.start,
            )
        self.seen_segments.append(name)
        try:
            tree = parse(query)
            return EVERYTHING if tree is None else self.node(tree)
        except QueryError as exc:
            # The mistake is inside the segment's own query; point at the
            # segment: term the user typed, and say which segment it is.
            if len(self.seen_segments) > 1:
                raise
            cycle = exc.message.startswith("segment:")
            message = (
                exc.message if cycle else f"The segment “{node.value}” cannot run: {exc.message}"
            )
            raise QueryError(message, node.start, node.end - node.start) from None
        finally:
            self.seen_segments.pop()

    def field_country(self, node: Field) -> Q:
        try:
            code = clean_country(node.value)
        except ValidationError:
            raise self.bad(
                node, f"“{node.value}” is not a country; use a code such as BR or a name."
            ) from None
        return plans.column("country", code)

    def field_tz(self, node: Field) -> Q:
        value = node.value.strip().rstrip("*").rstrip("/")
        zones = {z.lower(): z for z in zoneinfo.available_timezones()}
        if value.lower() in zones:
            return Q(timezone=zones[value.lower()])
        region = value.lower() + "/"
        if any(z.startswith(region) for z in zones):
            return Q(timezone__istartswith=region)
        raise self.bad(
            node, f"“{node.value}” is not a time zone; use a name such as Europe/Berlin or Europe."
        )

    def field_language(self, node: Field) -> Q:
        value = node.value.strip()
        language = _language(value)
        if language is None:
            raise self.bad(node, f"“{value}” is not a language; use a code such as pt or a name.")
        code = getattr(language, "alpha_2", "") or language.alpha_3
        return Q(languages__icontains=f'"{code}"')

    def field_source(self, node: Field) -> Q:
        return Q(source__iexact=node.value.strip())

    def field_owner(self, node: Field) -> Q:
        value = node.value.strip()
        if value.lower() == "me":
            return Q(owner=self.user)
        if value.lower() in ("none", "nobody"):
            return Q(owner__isnull=True)
        folded = fold(value)
        owners = [
            u.pk
            for u in User.objects.only("pk", "email", "name")
            if folded in (fold(u.email), fold(u.name), fold(u.display_name))
            or fold(u.email).split("@")[0] == folded
            or (folded and fold(u.name).split()[:1] == [folded])
        ]
        if not owners:
            self.warnings.append(f"Nobody on the team is called “{value}”.")
            return NOTHING
        return Q(owner_id__in=owners)

    def field_seniority(self, node: Field) -> Q:
        return Q(seniority=self.choice(node, Seniority.choices))

    def field_consent(self, node: Field) -> Q:
        return Q(consent=self.choice(node, ConsentState.choices))

    def field_engagement(self, node: Field) -> Q:
        band = node.value.strip().lower()
        if band not in ENGAGEMENT_BANDS:
            raise self.bad(node, f"engagement: is one of {', '.join(ENGAGEMENT_BANDS)}.")
        return band_condition(band)

    def field_has(self, node: Field) -> Q:
        what = node.value.strip().lower()
        if what in HAS_CONTACT:
            return self.among(ContactPoint.objects.filter(kind=HAS_CONTACT[what]))
        if what not in HAS:
            raise self.bad(node, f"has: is one of {', '.join([*HAS_CONTACT, *HAS])}.")
        return Q(HAS[what]())

    def field_email(self, node: Field) -> Q:
        value = node.value.strip().lower()
        if "@" in value and not value.startswith("@"):
            try:
                value = normalize_email(value)
            except ValidationError:
                raise self.bad(node, f"“{node.value}” is not an email address.") from None
            match = Q(value=value)
        else:  # a domain: email:acme.com or email:@acme.com
            domain = value.lstrip("@")
            if "." not in domain:
                raise self.bad(node, "email: takes an address or a domain such as acme.com.")
            match = Q(value__endswith="@" + domain) | Q(value__endswith="." + domain)
        return self.among(ContactPoint.objects.filter(match, kind=ContactKind.EMAIL))

    def field_phone(self, node: Field) -> Q:
        try:
            number = normalize_phone(node.value)
        except ValidationError:
            raise self.bad(
                node, f"“{node.value}” is not a phone number; write it with its country code."
            ) from None
        return self.among(ContactPoint.objects.filter(kind=ContactKind.PHONE, value=number))

    def field_years(self, node: Field) -> Q:
        op, low, high = self.comparison(node, _whole_number, "years:>=5 or years:3..8")
        return _compare("years_experience", op, low, high)

    def field_created(self, node: Field) -> Q:
        return self.moment(node, "created_at", include_never=False)

    def field_last_contacted(self, node: Field) -> Q:
        return self.moment(node, "last_contacted_at", include_never=True)

    def skill_name(self, value: str) -> str | None:
        """The skill a name or an alias stands for (`k8s` → Kubernetes)."""
        pk = self.skill_id(value)
        return self.vocabulary.names.get(pk) if pk else None

    def skill_id(self, value: str) -> int | None:
        return self.vocabulary.skill_id(value)

    def nearest_skill(self, value: str) -> str:
        names = {_folded(name): name for _, name in self.skills}
        nearest = difflib.get_close_matches(fold(value), list(names), n=1, cutoff=0.75)
        return f" Did you mean skill:{_quote(names[nearest[0]])}?" if nearest else ""

    # --- values

    def bad(self, node: Field, message: str) -> QueryError:
        return QueryError(message, node.value_start, max(1, node.end - node.value_start))

    def choice(self, node: Field, choices: list[tuple[str, str]]) -> str:
        value = fold(node.value).replace(" ", "_").replace("-", "_")
        for code, label in choices:
            if value in (code, fold(label).replace(" ", "_").replace("-", "_")):
                return code
        options = ", ".join(code for code, _ in choices)
        raise self.bad(node, f"{node.name}: is one of {options}.")

    def comparison(
        self, node: Field, read: Callable[[str], object], example: str
    ) -> tuple[str, object, object]:
        """(operator, value, upper bound of a range) from `>=5`, `3..8`, `5`."""
        raw = node.value.strip()
        try:
            if ".." in raw:
                first, _, last = raw.partition("..")
                return "..", read(first), read(last)
            found = re.match(r"(>=|<=|>|<|=)?(.*)", raw)
            assert found is not None
            return found.group(1) or "=", read(found.group(2)), None
        except ValueError as exc:
            raise self.bad(node, f"{exc} Write it like {example}.") from None

    def moment(self, node: Field, column: str, *, include_never: bool) -> Q:
        """Dates: `>90d` (more than 90 days ago), `<2w` (within two weeks),
        `>=2025-01-01`, `2025-03` (that month), `2025-01-01..2025-03-31`."""
        example = f"{node.name}:>90d, {node.name}:<2w or {node.name}:>=2025-01-01"
        op, low, high = self.comparison(node, self.when, example)
        if op == "..":  # between two moments, dates or ages, in either order
            assert isinstance(low, Ago | Span) and isinstance(high, Ago | Span)
            first = min(self.instant(low, start=True), self.instant(high, start=True))
            last = max(self.instant(low, start=False), self.instant(high, start=False))
            return Q(**{f"{column}__gte": first, f"{column}__lt": last})
        if isinstance(low, Ago):
            if op == "=":
                op = "<"
            before = self.now - low.delta
            if op in (">", ">="):  # longer ago than that; never counts for last contact
                older = Q(**{f"{column}__lt": before})
                return older | Q(**{f"{column}__isnull": True}) if include_never else older
            return Q(**{f"{column}__gte": before})
        assert isinstance(low, Span)
        return {
            "=": Q(**{f"{column}__gte": low.start, f"{column}__lt": low.end}),
            ">": Q(**{f"{column}__gte": low.end}),
            ">=": Q(**{f"{column}__gte": low.start}),
            "<": Q(**{f"{column}__lt": low.start}),
            "<=": Q(**{f"{column}__lt": low.end}),
        }[op]

    def instant(self, moment: Ago | Span, *, start: bool) -> dt.datetime:
        if isinstance(moment, Ago):
            return self.now - moment.delta
        return moment.start if start else moment.end

    def when(self, raw: str) -> Ago | Span:
        raw = raw.strip().lower()
        relative = re.fullmatch(r"(\d{1,6})\s*(d|w|m|y)", raw)
        if relative:
            count, unit = int(relative.group(1)), relative.group(2)
            days = count * {"d": 1, "w": 7, "m": 30, "y": 365}[unit]
            if days > MAX_AGE_DAYS:
                raise ValueError(f"“{raw}” is further back than {MAX_AGE_DAYS // 365} years.")
            return Ago(dt.timedelta(days=days))
        return _span(raw, timezone.get_current_timezone())


@dataclass(frozen=True)
class Ago:
    delta: dt.timedelta


@dataclass(frozen=True)
class Span:
    start: dt.datetime
    end: dt.datetime


def _span(raw: str, zone: dt.tzinfo) -> Span:
    """A day, a month or a year, as the instants it begins and ends."""
    parts = raw.split("-")
    try:
        numbers = [int(p) for p in parts]
        if len(parts) == 1 and len(parts[0]) == 4:
            first = dt.datetime(numbers[0], 1, 1, tzinfo=zone)
            return Span(first, first.replace(year=numbers[0] + 1))
        if len(parts) == 2:
            first = dt.datetime(numbers[0], numbers[1], 1, tzinfo=zone)
            following = (first + dt.timedelta(days=32)).replace(day=1)
            return Span(first, following)
        if len(parts) == 3:
            first = dt.datetime(numbers[0], numbers[1], numbers[2], tzinfo=zone)
            return Span(first, first + dt.timedelta(days=1))
    except (ValueError, OverflowError):
        pass
    raise ValueError(f"“{raw}” is not a date or an age.")


def _whole_number(raw: str) -> int:
    raw = raw.strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 3:
        raise ValueError(f"“{raw}” is not a number of years.")
    return int(raw)


def _compare(column: str, op: str, low: object, high: object) -> Q:
    if op == "..":
        return Q(**{f"{column}__gte": low, f"{column}__lte": high})
    lookup = {"=": "", ">": "__gt", ">=": "__gte", "<": "__lt", "<=": "__lte"}[op]
    return Q(**{f"{column}{lookup}": low})


def _language(value: str) -> Any:
    """A language by its two- or three-letter code first (en is English, not
    the En language), then by name."""
    languages = pycountry.languages
    found = (
        languages.get(alpha_2=value.lower())
        if len(value) == 2
        else languages.get(alpha_3=value.lower())
        if len(value) == 3
        else None
    )
    if found is None:
        try:
            found = languages.lookup(value)
        except LookupError:
            return None
    return found


def _has_symbols(value: str) -> bool:
    return any(not (c.isalnum() or c.isspace()) for c in value)


def _quote(value: str) -> str:
    return f'"{value}"' if " " in value else value
