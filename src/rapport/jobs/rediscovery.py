"""Rediscovery: the talent pool ranked for one job, each rank explained.

`rediscover(user, job, weights=…)` scores every candidate the user may see
(`people.selectors.candidates_visible`) and returns the best `limit`, each
with the points every signal gave and why. The score is a weighted sum of
signals, each between 0 and 1:

- required / nice: the share of the job's required (nice-to-have) skills the
  candidate has. Skills are the vocabulary's, so an alias either side
  (k8s, Kubernetes) is the same skill.
- text: the share of the job's key words (from its title, counted twice, and
  its description) found in the words search reads of the candidate: profile,
  skills, notes and résumé text. Confidential notes count only for users who
  may read them, exactly as in search.
- title: the share of the job title's words in the candidate's current title.
- location: same city, same country or a near time zone (on-site and hybrid
  jobs); the distance between time zones (remote jobs).
- seniority: the distance on the seniority scale.
- history: the furthest stage reached in another job, as a share of that
  job's pipeline; silver: the silver-medallist tag.
- engagement: the engagement score, over 100.
- semantic (only with the optional extra, see `semantic`): how close the
  candidate's profile is to the job's text, from sentence embeddings.

Whether a candidate can be contacted at all (suppressed address, consent
withdrawn, asked to hear nothing more or unsubscribed, no address) is not a
signal: it is shown beside the score, and those who cannot be contacted are
left out of the "enrol in a sequence" action.

How the best are found without scoring a million rows in Python (the
numbers and their proof are in docs/decisions/0011-rediscovery.md):
everything but the text and semantic signals is computed by the database,
for the candidates whose skills could still put them in the top; the text
is then scored for the best of those by the database's part, and a bound
(what the text and semantic signals could add at most) proves that nobody
left out could have ranked higher. When the proof does not hold yet, the
next round widens the set; the last resort scores everyone. The ranking
without the semantic signal is therefore exact; the semantic signal's
candidates come from an approximate index and are exact only as far as
that index's recall goes.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import threading
import time
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any, overload

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count

from rapport.accounts.models import Capability
from rapport.core.text import fold, words
from rapport.engagement.scoring import band
from rapport.jobs import pool_memory, semantic
from rapport.jobs.models import Application, Job, JobSkill, Stage, StageKind
from rapport.jobs.selectors import jobs_visible
from rapport.jobs.services import SILVER_TAG, application_create
from rapport.outreach import policy
from rapport.outreach.models import MessageKind
from rapport.outreach.sequences import sequence_enroll
from rapport.people.documents import skill_token
from rapport.people.models import (
    Candidate,
    CandidateSkill,
    CandidateTag,
    SearchDocument,
    Seniority,
    SkillAlias,
    Tag,
)
from rapport.people.selectors import candidates_visible
from rapport.people.services import require

if TYPE_CHECKING:
    import numpy as np

    from rapport.accounts.models import User
    from rapport.outreach.models import Sequence as OutreachSequence

# --- signals and weights ----------------------------------------------------------


@dataclass(frozen=True)
class Signal:
    key: str
    label: str
    help: str


SIGNALS: tuple[Signal, ...] = (
    Signal("required", "Required skills", "Share of the job's required skills they have."),
    Signal("nice", "Nice-to-have skills", "Share of the nice-to-have skills they have."),
    Signal("text", "Description", "Share of the job's key words in their profile and résumé."),
    Signal("title", "Title", "Share of the job title's words in their current title."),
    Signal("location", "Location", "Same city or country; for remote jobs, time zones apart."),
    Signal("seniority", "Seniority", "How far their level is from the job's."),
    Signal("history", "Stages reached", "How far they went in the pipeline of another job."),
    Signal("silver", "Silver medallist", "Reached the final stages of a filled job."),
    Signal("engagement", "Engagement", "Their engagement score, over 100."),
    Signal("semantic", "Similar profile", "Meaning of their profile against the job's text."),
)
MAX_WEIGHT = 10.0


@dataclass(frozen=True)
class Weights:
    """How much each signal counts, 0 to 10 (docs/rediscovery.md)."""

    required: float = 4.0
    nice: float = 1.0
    text: float = 2.0
    title: float = 2.0
    location: float = 1.0
    seniority: float = 1.0
    history: float = 1.0
    silver: float = 1.0
    engagement: float = 0.5
    semantic: float = 2.0

    def of(self, key: str) -> float:
        return float(getattr(self, key))

    def changed(self) -> dict[str, str]:
        """The weights that differ from the defaults, as query parameters."""
        default = Weights()
        return {f"w_{f.name}": f"{self.of(f.name):g}" for f in fields(self) if self.of(f.name) != default.of(f.name)}  # fmt: skip


DEFAULT_WEIGHTS = Weights()


def weights_check(weights: Weights) -> None:
    """Refuse weights that rank nothing: not numbers, negative, over the
    maximum, or all zero."""
    errors = []
    for f in fields(weights):
        value = weights.of(f.name)
        if not math.isfinite(value) or value < 0 or value > MAX_WEIGHT:
            errors.append(f"{f.name} must be a number from 0 to {MAX_WEIGHT:g}, not {value!r}.")
    if not errors and not any(weights.of(f.name) > 0 for f in fields(weights)):
        errors.append("At least one weight must be above zero, or nothing would rank.")
    if errors:
        raise ValidationError(errors)


# --- what the job asks for --------------------------------------------------------


@dataclass(frozen=True)
class SkillAsked:
    skill_id: int
    name: str
    required: bool
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class TitleWord:
    word: str
    patterns: tuple[str, ...]  # LIKE patterns on the lower-cased current title


@dataclass(frozen=True)
class Term:
    word: str
    weight: float
    tokens: tuple[str, ...]  # document words that count as this term


@dataclass(frozen=True)
class Band:
    """One answer of a CASE over a candidate's columns: the code the SQL
    returns, the share of the weight it is worth, and what it means."""

    code: int
    value: float
    label: str


@dataclass
class Place:
    """The location rule of a job: SQL conditions in order, first match wins."""

    conditions: list[tuple[str, list[Any], Band]] = field(default_factory=list)
    otherwise: Band = field(default_factory=lambda: Band(0, 0.0, "Far from the job"))

    def band(self, code: int) -> Band:
        for _, _, b in self.conditions:
            if b.code == code:
                return b
        return self.otherwise

    @property
    def top(self) -> float:
        return max([b.value for _, _, b in self.conditions] + [self.otherwise.value])


@dataclass
class Plan:
    """Everything the formula needs to know about the job, read once."""

    job_id: int
    skills: list[SkillAsked]
    title_words: list[TitleWord]
    terms: list[Term]
    place: Place
    seniority: str
    silver_tag_id: int | None
    notes: list[str]

    @property
    def required(self) -> list[SkillAsked]:
        return [s for s in self.skills if s.required]

    @property
    def nice(self) -> list[SkillAsked]:
        return [s for s in self.skills if not s.required]


_STOPWORDS = """a about above after again all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for
    from further had has have having he her here hers him his how i if in into is it its
    itself just me more most my no nor not of off on once only or other our ours out over
    own same she should so some such than that the their theirs them then there these
    they this those through to too under until up very was we were what when where which
    while who whom why will with would you your yours within across per via etc eg ie
    able ability apply applying candidate candidates company day days looking join joining
    role roles job jobs position work working works team teams help helping new great good
    strong excellent year years experience experienced skills skill knowledge including
    include includes well make makes making use using used based like want wants need needs
    must nice plus bonus opportunity opportunities environment responsibilities requirements
    required preferred ideal ideally someone person people us we re ll ve
    """
STOPWORDS = frozenset(_STOPWORDS.split())
TITLE_STOPWORDS = frozenset({"a", "an", "and", "or", "of", "the", "for", "in", "at", "to", "with", "ii", "iii", "iv"})  # fmt: skip
# Words a title may use for one another (the first side is the job's word).
TITLE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "senior": ("sr",),
    "junior": ("jr",),
    "engineer": ("developer",),
    "developer": ("engineer",),
    "manager": ("mgr",),
}
MAX_TERMS = 20
MAX_TITLE_WORDS = 8
TITLE_WEIGHT = 2.0  # a title word counts twice as much as a word of the description

LEVELS = [s.value for s in Seniority]
SENIORITY_BANDS = (
    Band(4, 1.0, "Same level as the job"),
    Band(3, 0.5, "One level from the job"),
    Band(2, 0.3, "Level unknown"),
    Band(1, 0.2, "Two levels from the job"),
    Band(0, 0.0, "Three or more levels from the job"),
)


def plan_for(job: Job) -> Plan:
    """Read the job's skills (with their aliases), key words, title words,
    location and level (a fixed number of queries)."""
    links = list(
        JobSkill.objects.filter(job=job)
        .select_related("skill")
        .order_by("-required", "skill__name")
    )
    aliases: dict[int, list[str]] = {}
    for skill_id, alias in SkillAlias.objects.filter(
        skill_id__in=[link.skill_id for link in links]
    ).values_list("skill_id", "alias"):
        aliases.setdefault(skill_id, []).append(alias)
    skills = [
        SkillAsked(link.skill_id, link.skill.name, link.required, tuple(sorted(aliases.get(link.skill_id, []))))
        for link in links
    ]  # fmt: skip
    notes = []
    if not skills:
        notes.append(
            "This job names no skills, so candidates are ranked by its title, description, "
            "location and level only. Add required skills to the job for a sharper ranking."
        )
    silver = Tag.objects.filter(name=SILVER_TAG).values_list("pk", flat=True).first()
    place = _place(job)
    if not place.conditions and place.otherwise.value == 0:
        notes.append("This job has no location or time zone, so location does not count.")
    if not job.seniority:
        notes.append("This job names no seniority, so level does not count.")
    return Plan(
        job_id=job.pk,
        skills=skills,
        title_words=_title_words(job.title),
        terms=_terms(job.title, job.description),
        place=place,
        seniority=job.seniority,
        silver_tag_id=silver,
        notes=notes,
    )


def _title_words(title: str) -> list[TitleWord]:
    found: list[TitleWord] = []
    raw = re.findall(r"[^\W_]+", title.lower())
    for word in words(title):
        if word in TITLE_STOPWORDS or len(word) < 2 or any(t.word == word for t in found):
            continue
        # Both the folded word and as the job writes it: LOWER() does not
        # remove accents in either database.
        spelled = {word, *(r for r in raw if fold(r) == word), *TITLE_SYNONYMS.get(word, ())}
        found.append(TitleWord(word, tuple(sorted(f"%{w}%" for w in spelled))))
    return found[:MAX_TITLE_WORDS]


def _terms(title: str, description: str) -> list[Term]:
    """The job's key words: the title's, then the description's most
    frequent, without common words; an alias of a skill also finds the
    skill (`k8s` finds a profile that lists Kubernetes)."""

    def keep(word: str) -> bool:
        return len(word) > 1 and word not in STOPWORDS and not word.isdigit()

    chosen: dict[str, float] = {}
    for word in words(title):
        if keep(word):
            chosen.setdefault(word, TITLE_WEIGHT)
    counts: dict[str, int] = {}
    for word in words(description):
        if keep(word) and word not in chosen:
            counts[word] = counts.get(word, 0) + 1
    by_use = sorted(counts, key=lambda w: -counts[w])  # stable: first use breaks ties
    for word in by_use[: max(0, MAX_TERMS - len(chosen))]:
        chosen[word] = 1.0
    skills = _skills_named(list(chosen))
    return [
        Term(word, weight, tuple(dict.fromkeys([word, *(skill_token(s) for s in skills.get(word, []))])))
        for word, weight in chosen.items()
    ]  # fmt: skip


def _skills_named(candidates: list[str]) -> dict[str, list[str]]:
    """For each word that is a skill's alias (or a one-word skill's name),
    the skills it names."""
    from rapport.people.models import Skill

    found: dict[str, list[str]] = {}
    for alias, name in SkillAlias.objects.filter(alias__in=candidates).values_list(
        "alias", "skill__name"
    ):
        found.setdefault(alias, []).append(name)
    lowered = {w: w for w in candidates}
    for name in Skill.objects.filter(slug__in=list(lowered)).values_list("name", flat=True):
        key = name.lower()
        if key in lowered and name not in found.get(key, []):
            found.setdefault(key, []).append(name)
    return found


def _city(job: Job) -> str:
    return job.location.split(",")[0].strip()


def _place(job: Job) -> Place:
    """Location as a list of SQL conditions, first match wins."""
    place = Place()
    country, city = job.country, _city(job)
    if job.remote == "remote":
        if job.timezone:
            near = zones_within(job.timezone)
            for code, (hours, value) in zip((3, 2, 1), ((1, 1.0), (3, 0.7), (6, 0.3)), strict=True):
                label = "Same time zone as the team" if hours == 1 else f"Within {hours} h of the team's time zone"  # fmt: skip
                place.conditions.append(_in("c.timezone", near[hours], Band(code, value, label)))
            place.otherwise = Band(0, 0.0, "More than 6 h from the team, or time zone unknown")
        elif country:
            place.conditions.append(("c.country = %s", [country], Band(2, 1.0, f"In {country}, as the job")))  # fmt: skip
            place.otherwise = Band(0, 0.0, f"Outside {country}")
        else:
            place.otherwise = Band(0, 0.0, "The job is remote from anywhere")
        return place
    spellings = sorted({city.lower(), fold(city)}) if city else []
    if city:
        holder = ", ".join(["%s"] * len(spellings))
        same_city = f"LOWER(c.city) IN ({holder})"
        if country:
            place.conditions.append((f"c.country = %s AND {same_city}", [country, *spellings], Band(3, 1.0, f"In {city}")))  # fmt: skip
        else:
            place.conditions.append((same_city, spellings, Band(3, 1.0, f"In {city}")))
    if country:
        place.conditions.append(("c.country = %s", [country], Band(2, 0.6, f"In {country}, another city")))  # fmt: skip
    if job.timezone:
        place.conditions.append(_in("c.timezone", zones_within(job.timezone)[2], Band(1, 0.25, "Within 2 h of the job's time zone")))  # fmt: skip
    if place.conditions:
        place.otherwise = Band(0, 0.0, "Elsewhere")
    return place


def _in(column: str, values: Sequence[str], b: Band) -> tuple[str, list[Any], Band]:
    if not values:
        return ("1 = 0", [], b)
    return (f"{column} IN ({', '.join(['%s'] * len(values))})", list(values), b)


@lru_cache(maxsize=64)
def _zones_within(name: str, day: dt.date) -> dict[int, tuple[str, ...]]:
    moment = dt.datetime.combine(day, dt.time(12), dt.UTC)

    def offset(zone: str) -> float:
        delta = moment.astimezone(zoneinfo.ZoneInfo(zone)).utcoffset() or dt.timedelta()
        return delta.total_seconds() / 3600

    try:
        home = offset(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dict.fromkeys((1, 2, 3, 6), ())
    zones = sorted(zoneinfo.available_timezones())
    offsets = {z: offset(z) for z in zones}
    return {
        hours: tuple(z for z in zones if abs(offsets[z] - home) <= hours) for hours in (1, 2, 3, 6)
    }


def zones_within(name: str) -> dict[int, tuple[str, ...]]:
    """Time zones at most 1, 2, 3 and 6 hours from `name`, today."""
    return _zones_within(name, dt.datetime.now(dt.UTC).date())


def _seniority_case(level: str) -> tuple[str, list[Any]]:
    if not level or level not in LEVELS:
        return "0", []
    at = LEVELS.index(level)
    one = [lv for i, lv in enumerate(LEVELS) if abs(i - at) == 1]
    two = [lv for i, lv in enumerate(LEVELS) if abs(i - at) == 2]
    parts, params = ["WHEN c.seniority = %s THEN 4"], [level]
    if one:
        parts.append(f"WHEN c.seniority IN ({', '.join(['%s'] * len(one))}) THEN 3")
        params += one
    parts.append("WHEN c.seniority = '' THEN 2")
    if two:
        parts.append(f"WHEN c.seniority IN ({', '.join(['%s'] * len(two))}) THEN 1")
        params += two
    return "CASE " + " ".join(parts) + " ELSE 0 END", params


def seniority_band(code: int) -> Band:
    return next(b for b in SENIORITY_BANDS if b.code == code)


# --- the formula ----------------------------------------------------------------------


@dataclass(frozen=True)
class Coefficients:
    """What one unit of each feature is worth, for the SQL and for Python
    alike (the same numbers, added in the same order)."""

    required: float
    nice: float
    title: float
    location: dict[int, float]
    seniority: dict[int, float]
    history: float
    silver: float
    engagement: float
    text: float
    semantic: float

    @classmethod
    def of(cls, plan: Plan, w: Weights) -> Coefficients:
        required, nice = len(plan.required), len(plan.nice)
        return cls(
            required=w.required / required if required else 0.0,
            nice=w.nice / nice if nice else 0.0,
            title=w.title / len(plan.title_words) if plan.title_words else 0.0,
            location={b.code: w.location * b.value for _, _, b in plan.place.conditions}
            | {plan.place.otherwise.code: w.location * plan.place.otherwise.value},
            seniority={
                b.code: (w.seniority * b.value if plan.seniority else 0.0) for b in SENIORITY_BANDS
            },
            history=w.history,
            silver=w.silver if plan.silver_tag_id else 0.0,
            engagement=w.engagement / 100,
            text=w.text if plan.terms else 0.0,
            semantic=w.semantic,
        )


@dataclass(frozen=True)
class Features:
    """One candidate as the database scored them (everything but text and
    semantic), with the database's partial score `base_sql` for ordering."""

    id: int
    required: int
    nice: int
    title: int
    location: int
    seniority: int
    engagement: float
    history: float
    silver: int
    base_sql: float


def base_score(k: Coefficients, f: Features) -> float:
    """The database's part of the score, in the order the SQL adds it."""
    return (
        k.required * f.required
        + k.nice * f.nice
        + k.title * f.title
        + k.location.get(f.location, 0.0)
        + k.seniority.get(f.seniority, 0.0)
        + k.history * f.history
        + k.silver * f.silver
        + k.engagement * f.engagement
    )


def text_share(terms: Sequence[Term], found: AbstractSet[str]) -> tuple[float, list[str]]:
    """The weighted share of the terms found in a document's words, and which."""
    total = sum(t.weight for t in terms)
    if not total:
        return 0.0, []
    matched = [t for t in terms if any(token in found for token in t.tokens)]
    return sum(t.weight for t in matched) / total, [t.word for t in matched]


def final_score(base: float, k: Coefficients, text: float, similar: float) -> float:
    return round(base + k.text * text + k.semantic * similar, 6)


# --- the database's part --------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Which candidates and which history the acting user may rank with."""

    visible_sql: str  # "" for users who see the whole pool
    visible_params: tuple[Any, ...]
    job_ids: tuple[int, ...] | None  # history from these jobs only; None: every job
    private: bool  # confidential notes' words count
    hide_in_pipeline: bool


def scope_for(user: User, job: Job, *, hide_in_pipeline: bool) -> Scope:
    if user.can(Capability.SEE_ALL_CANDIDATES):
        visible_sql, params, job_ids = "", (), None
    else:
        query = candidates_visible(user).values("pk").query
        visible_sql, raw = query.sql_with_params()
        params = tuple(raw)
        job_ids = tuple(jobs_visible(user).values_list("pk", flat=True))
    return Scope(
        visible_sql, params, job_ids, user.can(Capability.SEE_CONFIDENTIAL), hide_in_pipeline
    )


Fragment = tuple[str, list[Any]]
# A weight as a parameter: a float in both databases (PostgreSQL would read
# a bare decimal as NUMERIC, slower and not what Python adds).
FLOAT = "CAST(%s AS DOUBLE PRECISION)"
# What the features read of a candidate's row.
CANDIDATE_COLUMNS = "c0.id, c0.current_title, c0.city, c0.country, c0.timezone, c0.seniority, c0.engagement_score"  # fmt: skip


def _holders(values: Sequence[Any]) -> str:
    return ", ".join(["%s"] * len(values))


def _count(ids: Sequence[int]) -> Fragment:
    if not ids:
        return "0", []
    return f"SUM(CASE WHEN cs.skill_id IN ({_holders(ids)}) THEN 1 ELSE 0 END)", list(ids)


@dataclass(frozen=True)
class Floor:
    """The skill score a candidate needs to be read at all: `plain` for one
    with no stages reached elsewhere and no silver medal, `extra` (lower:
    those two signals could still lift them) for one with either. Each
    may come with skills of which every candidate above it must have one,
    whose rows the database reads first (fewer than all the job's skills')."""

    plain: float
    extra: float
    plain_driver: tuple[int, ...] = ()
    extra_driver: tuple[int, ...] = ()


def _extras(plan: Plan, k: Coefficients, scope: Scope) -> Fragment:
    """The candidates the history or silver signals may lift."""
    parts, params = [], []
    if k.silver and plan.silver_tag_id:
        parts.append("SELECT ct.candidate_id FROM people_candidatetag ct WHERE ct.tag_id = %s")
        params.append(plan.silver_tag_id)
    if k.history:
        sql = "SELECT a.candidate_id FROM jobs_application a WHERE a.job_id <> %s"
        params.append(plan.job_id)
        if scope.job_ids is not None:
            sql += (
                f" AND a.job_id IN ({_holders(scope.job_ids)})" if scope.job_ids else " AND 1 = 0"
            )
            params += list(scope.job_ids)
        parts.append(sql)
    return " UNION ".join(parts), params


def _skill_rows(
    plan: Plan,
    k: Coefficients,
    scope: Scope,
    *,
    floor: Floor | None,
    ids: Sequence[int] | None,
    read: Floor | None = None,
) -> Fragment:
    """Per candidate with any of the job's skills: how many required and
    nice-to-have ones, read from the skill index; with `floor`, only those
    whose skill score reaches it (those the history or silver signals may
    lift, from the lower floor); with `read` as well, only those below it
    too, a ring under what an earlier round read."""
    if floor is None:
        return _skill_count(plan, k, ids=ids)
    extras, extras_params = _extras(plan, k, scope)
    parts: list[Fragment] = []
    if read is None or floor.plain < read.plain:
        below = None if read is None else read.plain
        parts.append(
            _skill_count(plan, k, least=floor.plain, below=below, driver=floor.plain_driver)
        )
    # Those the history or silver signals may lift, from their lower floor
    # (and, in a ring, from where the last round stopped for them).
    above = floor.plain if read is None else read.extra
    if extras and floor.extra < above:
        parts.append(
            _skill_count(
                plan, k, least=floor.extra, below=above, driver=floor.extra_driver,
                among=(extras, extras_params),
            )
        )  # fmt: skip
    if not parts:  # nothing left between the floors: an empty set
        return _skill_count(plan, k, least=floor.plain, below=floor.plain)
    return " UNION ".join(p[0] for p in parts), [x for p in parts for x in p[1]]


def _skill_count(
    plan: Plan,
    k: Coefficients,
    *,
    ids: Sequence[int] | None = None,
    least: float | None = None,
    below: float | None = None,
    driver: tuple[int, ...] = (),
    among: Fragment | None = None,
) -> Fragment:
    required, required_params = _count([s.skill_id for s in plan.required])
    nice, nice_params = _count([s.skill_id for s in plan.nice])
    every = [s.skill_id for s in plan.skills]
    # Placeholders only, in every SQL built here: each value is a parameter.
    sql = (
        f"SELECT cs.candidate_id AS id, {required} AS req, {nice} AS nice "  # noqa: S608
        f"FROM people_candidateskill cs WHERE cs.skill_id IN ({_holders(every)})"
    )
    params = [*required_params, *nice_params, *every]
    if ids is not None:
        sql += f" AND cs.candidate_id IN ({_holders(ids)})"
        params += list(ids)
    if driver:
        held = _holders(driver)
        sql += f" AND cs.candidate_id IN (SELECT d.candidate_id FROM people_candidateskill d WHERE d.skill_id IN ({held}))"  # noqa: S608
        params += list(driver)
    if among is not None:
        sql += f" AND cs.candidate_id IN ({among[0]})"
        params += among[1]
    sql += " GROUP BY cs.candidate_id"
    if least is not None:
        sql += f" HAVING {FLOAT} * {required} + {FLOAT} * {nice} >= {FLOAT}"
        params += [k.required, *required_params, k.nice, *nice_params, least]
    if below is not None:
        # The same expression as the floor's, so that a candidate exactly on
        # an earlier floor is in that round's set and not in this one.
        sql += " AND " if least is not None else " HAVING "
        sql += f"{FLOAT} * {required} + {FLOAT} * {nice} < {FLOAT}"
        params += [k.required, *required_params, k.nice, *nice_params, below]
    return sql, params


def _title(plan: Plan) -> Fragment:
    parts, params = [], []
    for word in plan.title_words:
        alternatives = " OR ".join(["LOWER(c.current_title) LIKE %s"] * len(word.patterns))
        parts.append(f"CASE WHEN {alternatives} THEN 1 ELSE 0 END")
        params += list(word.patterns)
    return (" + ".join(parts) or "0"), params


def _location(plan: Plan) -> Fragment:
    if not plan.place.conditions:
        return str(plan.place.otherwise.code), []
    whens = " ".join(f"WHEN {cond} THEN {b.code}" for cond, _, b in plan.place.conditions)
    params = [x for _, p, _ in plan.place.conditions for x in p]
    return f"CASE {whens} ELSE {plan.place.otherwise.code} END", params


def _history(plan: Plan, scope: Scope) -> Fragment:
    """The furthest stage reached in another job, as a share of that job's
    pipeline: read from the candidate's applications (an index probe; most
    candidates have none). At most the whole of it: a pipeline may lose its
    last stages after someone went through them, and the ranking's bound
    counts on a share of at most 1."""
    top = (
        "(SELECT MAX(st.position) FROM jobs_stage st WHERE st.job_id = a.job_id "
        "AND st.kind = 'active')"
    )
    sql = (
        f"COALESCE((SELECT MAX(CASE WHEN a.furthest_position >= {top} THEN 1.0 "  # noqa: S608
        f"ELSE CAST(a.furthest_position AS DOUBLE PRECISION) / {top} END) "
        "FROM jobs_application a WHERE a.candidate_id = c.id AND a.job_id <> %s"
    )
    params: list[Any] = [plan.job_id]
    if scope.job_ids is not None:
        sql += f" AND a.job_id IN ({_holders(scope.job_ids)})" if scope.job_ids else " AND 1 = 0"
        params += list(scope.job_ids)
    return sql + "), 0)", params


def _silver(plan: Plan) -> Fragment:
    if not plan.silver_tag_id:
        return "0", []
    sql = (
        "CASE WHEN EXISTS (SELECT 1 FROM people_candidatetag ct WHERE ct.candidate_id = c.id "
        "AND ct.tag_id = %s) THEN 1 ELSE 0 END"
    )
    return sql, [plan.silver_tag_id]


def features_sql(
    plan: Plan,
    k: Coefficients,
    scope: Scope,
    *,
    skill_floor: Floor | None,
    skill_read: Floor | None = None,
    ids: Sequence[int] | None = None,
    limit: int | None = None,
) -> Fragment:
    """One statement: each candidate's features and the database's part of
    the score (`base`), best first, ties by id.

    `skill_floor` a number: only candidates whose skill score reaches it,
    found from the skill index; None: every candidate the user may see.
    `skill_read`: the floor an earlier round read down to; only those below
    it (for their class) are read again. `ids`: only these candidates (the
    semantic neighbours)."""
    title, title_params = _title(plan)
    place, place_params = _location(plan)
    level, level_params = _seniority_case(plan.seniority)
    history, history_params = _history(plan, scope)
    silver, silver_params = _silver(plan)
    columns = (
        f"{title} AS title, {place} AS place, {level} AS level, "
        f"c.engagement_score AS engagement, {history} AS history, {silver} AS silver"
    )
    params = title_params + place_params + level_params + history_params + silver_params
    source_params: list[Any] = []
    if not plan.skills:
        source, counts = "people_candidate c", "0 AS req, 0 AS nice"
    else:
        floor = skill_floor if ids is None else None
        rows, source_params = _skill_rows(plan, k, scope, floor=floor, ids=ids, read=skill_read)
        counts = "COALESCE(s.req, 0) AS req, COALESCE(s.nice, 0) AS nice"
        if floor is None:
            source = f"people_candidate c LEFT JOIN ({rows}) s ON s.id = c.id"
        elif connection.vendor == "postgresql":
            # Each candidate above the floor by its key: PostgreSQL would
            # rather read the whole table and hash it, for a few thousand.
            source = (
                f"({rows}) s CROSS JOIN LATERAL (SELECT {CANDIDATE_COLUMNS} "  # noqa: S608
                "FROM people_candidate c0 WHERE c0.id = s.id OFFSET 0) c"
            )
        else:
            source = f"({rows}) s JOIN people_candidate c ON c.id = s.id"
    inner = f"SELECT c.id AS id, {counts}, {columns} FROM {source}"  # noqa: S608
    params += source_params
    where: list[str] = []
    if ids is not None:
        where.append(f"c.id IN ({_holders(ids)})")
        params += list(ids)
    if scope.visible_sql:
        where.append(f"c.id IN ({scope.visible_sql})")
        params += list(scope.visible_params)
    if scope.hide_in_pipeline:
        where.append(
            "NOT EXISTS (SELECT 1 FROM jobs_application x WHERE x.candidate_id = c.id "
            "AND x.job_id = %s)"
        )
        params.append(plan.job_id)
    if where:
        inner += " WHERE " + " AND ".join(where)
    location = " ".join(f"WHEN {code} THEN {FLOAT}" for code in k.location)
    seniority = " ".join(f"WHEN {code} THEN {FLOAT}" for code in k.seniority)
    base = (
        f"{FLOAT} * f.req + {FLOAT} * f.nice + {FLOAT} * f.title + CASE f.place {location} "
        f"ELSE 0 END + CASE f.level {seniority} ELSE 0 END + {FLOAT} * f.history "
        f"+ {FLOAT} * f.silver + {FLOAT} * f.engagement"
    )
    base_params = [
        k.required, k.nice, k.title, *k.location.values(), *k.seniority.values(),
        k.history, k.silver, k.engagement,
    ]  # fmt: skip
    sql = (
        "SELECT f.id, f.req, f.nice, f.title, f.place, f.level, f.engagement, f.history, "  # noqa: S608
        f"f.silver, {base} AS base FROM ({inner}) f ORDER BY base DESC, f.id ASC"
    )
    params = base_params + params
    if limit is not None:
        sql += " LIMIT %s"
        params.append(limit)
    return sql, params


def _fetch_features(sql: str, params: list[Any]) -> list[Features]:
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The plan's cost looks high (a subquery per row), so PostgreSQL
            # would compile it first, which takes longer than running it; and
            # a million candidates' skills are counted faster in memory.
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(sql, params)
        return [
            Features(
                id=row[0], required=int(row[1]), nice=int(row[2]), title=int(row[3]),
                location=int(row[4]), seniority=int(row[5]), engagement=float(row[6]),
                history=float(row[7]), silver=int(row[8]), base_sql=float(row[9]),
            )
            for row in cursor.fetchall()
        ]  # fmt: skip


def documents(
    ids: Sequence[int], *, private: bool, tokens: Iterable[str] | None = None
) -> dict[int, set[str]]:
    """The words search reads of each candidate (confidential notes' words
    only with `private`), as sets; with `tokens`, only which of those words
    each holds (quicker than splitting a whole résumé)."""
    found: dict[int, set[str]] = {}
    columns = (
        ("candidate_id", "tokens", "private_tokens") if private else ("candidate_id", "tokens")
    )
    looked_for = [(t, f" {t} ") for t in dict.fromkeys(tokens)] if tokens is not None else None
    for start in range(0, len(ids), 2000):
        chunk = list(ids[start : start + 2000])
        for row in SearchDocument.objects.filter(candidate_id__in=chunk).values_list(*columns):
            if looked_for is None:
                found[row[0]] = set(" ".join(row[1:]).split())
            else:
                text = f" {' '.join(row[1:])} "
                found[row[0]] = {t for t, spaced in looked_for if spaced in text}
    return found


# --- the database's part, from the pool in memory -------------------------------------


class MemoryRows:
    """Everyone the user may see with the database's part of their score,
    computed from the pool in memory (`pool_memory`), and, for those changed
    since it was read, from their tables: best first, ties by id, as many
    as asked. The same features and the same sums as `features_sql`."""

    def __init__(self, pool: pool_memory.Pool, columns: dict[str, Any], extra: list[Features]):
        import numpy as np

        self.pool = pool
        self.columns = columns
        self.order_key = -columns["base"]  # masked ones are -inf: last
        self.valid = int(np.isfinite(columns["base"]).sum())
        self.extra = sorted(extra, key=lambda f: (-f.base_sql, f.id))

    def best(self, cap: int) -> Sequence[Features]:
        import numpy as np

        m = min(cap, self.valid)
        if m <= 0:
            return self.extra[:cap]
        at = np.argpartition(self.order_key, m - 1)[:m] if m < self.pool.size else np.arange(m)
        at = at[np.isfinite(self.order_key[at])]
        at = at[np.lexsort((self.pool.ids[at], self.order_key[at]))]
        if not self.extra:
            return _LazyRows(self.columns, at)
        # Those changed since the pool was read, among the rest in order.
        columns = {name: _gather(self.columns[name], at) for name in _LazyRows.NAMES}
        for name, attribute in zip(_LazyRows.NAMES, _LazyRows.FEATURES, strict=True):
            given = np.asarray([getattr(f, attribute) for f in self.extra])
            columns[name] = np.concatenate([columns[name], given])
        order = np.lexsort((columns["ids"], -columns["base"]))[:cap]
        return _LazyRows(columns, order)


def _gather(column: Any, at: np.ndarray) -> np.ndarray:
    """A column's values at these positions; a column kept as (value per
    distinct text, code per candidate) is looked up through its codes."""
    if isinstance(column, tuple):
        values, codes = column
        return values[codes[at]]
    return column[at]


class _LazyRows(Sequence[Features]):
    """Rows best first, each made when it is read: a ranking asks for many
    and reads few."""

    NAMES = ("ids", "req", "nice", "title", "place", "level", "engagement", "history", "silver", "base")  # fmt: skip
    FEATURES = ("id", "required", "nice", "title", "location", "seniority", "engagement", "history", "silver", "base_sql")  # fmt: skip

    def __init__(self, columns: dict[str, Any], at: np.ndarray) -> None:
        self.columns, self.at = columns, at

    def __len__(self) -> int:
        return len(self.at)

    @overload
    def __getitem__(self, index: int) -> Features: ...
    @overload
    def __getitem__(self, index: slice) -> list[Features]: ...
    def __getitem__(self, index: int | slice) -> Features | list[Features]:
        if isinstance(index, int):
            return self[index : index + 1 if index != -1 else None][0]
        at = self.at[index]
        values = zip(
            *(_gather(self.columns[name], at).tolist() for name in self.NAMES), strict=True
        )
        return [
            Features(id=i, required=r, nice=n, title=t, location=p, seniority=lv, engagement=e,
                     history=h, silver=s, base_sql=b)
            for i, r, n, t, p, lv, e, h, s, b in values
        ]  # fmt: skip


def _from_memory(plan: Plan, k: Coefficients, scope: Scope) -> MemoryRows | None:
    """The database's part for everyone, from the pool in memory; None where
    it is not kept (SQLite, no numpy), for a user who sees only part of the
    pool, or when too much changed since it was read."""
    if scope.visible_sql or not pool_memory.usable():
        return None
    found = pool_memory.pool_for_ranking()
    if found is None:
        return None
    import numpy as np

    pool, ranges = found
    n = pool.size
    # Counts as wide as the database's: a job may name more than 127 skills.
    req, nice = np.zeros(n, dtype=np.int32), np.zeros(n, dtype=np.int32)
    for skill in plan.skills:
        at = pool.holders.get(skill.skill_id)
        if at is not None:
            (req if skill.required else nice)[at] += 1
    # Per distinct title, place and level: its feature, and what it is worth.
    title = _per_value(pool, "titles", _title(plan))
    place = _per_value(pool, "places", _location(plan))
    level = _per_value(pool, "levels", _seniority_case(plan.seniority))
    history_ids, shares = _histories(plan, scope)
    history_at, known = pool.positions(history_ids)
    history = np.asarray(shares, dtype=np.float64)[known]
    silver_at = pool.positions(_holding(plan.silver_tag_id))[0] if plan.silver_tag_id else None
    # The same sum, in the same order, as base_score, so the same floats;
    # history and silver are added only where they are not 0 (adding 0.0
    # changes nothing).
    base = k.required * req + k.nice * nice
    base += (k.title * title)[pool.title]
    base += np.asarray([k.location.get(code, 0.0) for code in place.tolist()])[pool.place]
    base += np.asarray([k.seniority.get(code, 0.0) for code in level.tolist()])[pool.level]
    base[history_at] += k.history * history
    if silver_at is not None:
        base[silver_at] += k.silver * 1
    base += k.engagement * pool.engagement
    if scope.hide_in_pipeline:
        base[pool.positions(_in_pipeline(plan.job_id))[0]] = -np.inf
    extra: list[Features] = []
    if ranges:
        base[pool.within(ranges)] = -np.inf
        changed = _ids_within(ranges)
        if changed:
            sql, params = features_sql(plan, k, scope, skill_floor=None, ids=changed)
            extra = [replace(f, base_sql=base_score(k, f)) for f in _fetch_features(sql, params)]
    # The features of the few rows read, found when they are read.
    history_all = np.zeros(n)
    history_all[history_at] = history
    silver_all = np.zeros(n, dtype=np.int8)
    if silver_at is not None:
        silver_all[silver_at] = 1
    columns = {
        "ids": pool.ids, "req": req, "nice": nice, "title": (title, pool.title),
        "place": (place, pool.place), "level": (level, pool.level),
        "engagement": pool.engagement, "history": history_all, "silver": silver_all, "base": base,
    }  # fmt: skip
    return MemoryRows(pool, columns, extra)


# What each kind of kept text is, as a table the SQL fragments can read.
_VALUES = {
    "titles": "unnest(CAST(%s AS text[])) WITH ORDINALITY AS c(current_title, n)",
    "places": (
        "unnest(CAST(%s AS text[]), CAST(%s AS text[]), CAST(%s AS text[])) "
        "WITH ORDINALITY AS c(city, country, timezone, n)"
    ),
    "levels": "unnest(CAST(%s AS text[])) WITH ORDINALITY AS c(seniority, n)",
}


def _per_value(pool: pool_memory.Pool, kind: str, fragment: Fragment) -> np.ndarray:
    """A fragment of the features' SQL (title words, place, level) for each
    distinct value the pool keeps of its kind, computed by the database so
    that it means exactly what it means in `features_sql`."""
    import numpy as np

    sql, params = fragment
    key = (kind, sql, tuple(params))
    # Read once: another thread may clear the memo between a write and a read.
    found = pool.memo.get(key)
    if found is None:
        values: Sequence[Any] = getattr(pool, kind)
        arrays = [list(column) for column in zip(*values, strict=True)] if kind == "places" else [list(values)]  # fmt: skip
        if not values:
            arrays = [[] for _ in range(3 if kind == "places" else 1)]
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {sql} FROM {_VALUES[kind]} ORDER BY c.n", [*params, *arrays])  # noqa: S608
            codes = [int(row[0]) for row in cursor.fetchall()]
        found = np.asarray(codes, dtype=np.int64)
        if len(pool.memo) > 256:
            pool.memo.clear()
        pool.memo[key] = found
    return found


def _histories(plan: Plan, scope: Scope) -> tuple[list[int], list[float]]:
    """The history feature (`_history`, the same expression) of everyone who
    applied to another job; the rest have 0. Each job's last active stage is
    found once, not once per application."""
    sql = (
        "SELECT a.candidate_id, MAX(CASE WHEN a.furthest_position >= t.top THEN 1.0 "
        "ELSE CAST(a.furthest_position AS DOUBLE PRECISION) / t.top END) "
        "FROM jobs_application a JOIN (SELECT st.job_id, MAX(st.position) AS top "
        "FROM jobs_stage st WHERE st.kind = 'active' GROUP BY st.job_id) t ON t.job_id = a.job_id "
        "WHERE a.job_id <> %s"
    )
    params: list[Any] = [plan.job_id]
    if scope.job_ids is not None:
        sql += f" AND a.job_id IN ({_holders(scope.job_ids)})" if scope.job_ids else " AND 1 = 0"
        params += list(scope.job_ids)
    with connection.cursor() as cursor:
        cursor.execute(sql + " GROUP BY a.candidate_id", params)
        rows = cursor.fetchall()
    return [r[0] for r in rows], [float(r[1]) for r in rows]


def _holding(tag_id: int) -> list[int]:
    return list(CandidateTag.objects.filter(tag_id=tag_id).values_list("candidate_id", flat=True))


def _in_pipeline(job_id: int) -> list[int]:
    return list(Application.objects.filter(job_id=job_id).values_list("candidate_id", flat=True))


def _ids_within(ranges: Sequence[tuple[int, int]]) -> list[int]:
    where = " OR ".join(["id BETWEEN %s AND %s"] * len(ranges))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM people_candidate WHERE {where}",  # noqa: S608
            [x for r in ranges for x in r],
        )
        return [row[0] for row in cursor.fetchall()]


# --- the ranking ----------------------------------------------------------------------

# Scores are rounded to 6 decimals and the database adds floats in its own
# way: a bound must clear the bar by more than both to prove anything.
MARGIN = 1e-5
MAX_ROUNDS = 12
ROWS_PER_ROUND = 8_000  # rows of the database's part read at once, best first
ROWS_PER_LIMIT = 40  # at least this many rows per candidate asked for
ROWS_FOR_EVERYONE = 50_000  # the same, when everyone is read (a job with no skills)
BATCH = 1_000  # candidates whose text is scored at a time


@dataclass
class Scored:
    features: Features
    base: float
    text: float
    terms: list[str]
    similar: float
    score: float


@dataclass
class Search:
    """How the ranking was found, for the page and the benchmark."""

    rounds: int = 0
    rings: int = 0  # rounds that read only below what an earlier one read
    scored: int = 0  # candidates whose whole score was computed
    path: str = ""  # what the last round read: skills above a floor, or everyone
    exact: bool = True


def rank(
    plan: Plan,
    weights: Weights,
    scope: Scope,
    *,
    limit: int,
    neighbours: semantic.Neighbours | None = None,
) -> tuple[list[Scored], Search]:
    """The best `limit` candidates by the whole score, ties by id, and how
    they were found. See the module's docstring for the proof of exactness."""
    k = Coefficients.of(plan, weights)
    semantic_top = neighbours.bound if neighbours else 0.0
    # What a candidate could get beyond what the database computes.
    late = k.text + k.semantic * semantic_top
    # What a candidate could get beyond their skills, without and with the
    # signals only some have (stages reached elsewhere, a silver medal).
    plain_rest = (
        k.title * len(plan.title_words)
        + weights.location * plan.place.top
        + (weights.seniority if plan.seniority else 0.0)
        + weights.engagement
        + late
    )
    rest = plain_rest + k.history + k.silver
    worth = {s.skill_id: (k.required if s.required else k.nice) for s in plan.skills}
    skill_top = sum(worth.values())
    smallest = min([c for c in worth.values() if c > 0], default=0.0)
    scored: dict[int, Scored] = {}
    search = Search()
    term_tokens = [token for term in plan.terms for token in term.tokens]
    shares: dict[frozenset[str], tuple[float, list[str]]] = {}

    def evaluate(rows: Sequence[Features]) -> None:
        fresh = [f for f in rows if f.id not in scored]
        if not fresh:
            return
        words_of = (
            documents([f.id for f in fresh], private=scope.private, tokens=term_tokens)
            if plan.terms
            else {}
        )
        similar = neighbours.similarities([f.id for f in fresh]) if neighbours else {}
        for f in fresh:
            # Most candidates share one of a few sets of the job's words.
            found = frozenset(words_of.get(f.id, ()))
            if found not in shares:
                shares[found] = text_share(plan.terms, found)
            share, matched = shares[found]
            base = base_score(k, f)
            sim = max(0.0, similar.get(f.id, 0.0))
            scored[f.id] = Scored(f, base, share, matched, sim, final_score(base, k, share, sim))

    def threshold() -> float:
        if len(scored) < limit:
            return -math.inf
        return sorted((s.score for s in scored.values()), reverse=True)[limit - 1]

    if neighbours and neighbours.ids and k.semantic > 0:
        sql, params = features_sql(plan, k, scope, skill_floor=None, ids=neighbours.ids)
        evaluate(_fetch_features(sql, params))
        search.rounds += 1
    key = (plan.job_id, weights, limit, scope, semantic_top > 0)
    floor: Floor | None = None
    # Everyone's database part at once from the pool in memory, where it is
    # kept: no floor, no rings, only the rows best first.
    memory = _from_memory(plan, k, scope)
    if skill_top > 0 and memory is None:
        hint = _bars.get(key)
        if hint is not None:
            # The bar this ranking reached last time: usually still right,
            # and then one round proves it.
            floor = _lower(Floor(skill_top + 1, skill_top + 1), hint, plain_rest, rest, smallest)
        else:
            # Those with every required skill (every skill when none is
            # required): usually enough to set a high bar.
            first = (k.required * len(plan.required) if k.required > 0 else skill_top) - MARGIN
            floor = Floor(first, first)
    if memory is not None:
        cap = ROWS_FOR_EVERYONE  # rows are made only as they are read
    else:
        cap = max(
            limit * ROWS_PER_LIMIT, ROWS_PER_ROUND if floor is not None else ROWS_FOR_EVERYONE
        )
    # The floor down to which every candidate was read and either scored or
    # proven out of reach: the next round reads only the ring below it.
    read: Floor | None = None
    while True:
        if floor is not None:
            floor = _driven(floor, worth, skill_top)
        rows: Sequence[Features]
        if memory is not None:
            rows = memory.best(cap)
        else:
            sql, params = features_sql(
                plan, k, scope, skill_floor=floor, skill_read=read, limit=cap
            )
            rows = _fetch_features(sql, params)
        search.rounds += 1
        search.rings += read is not None
        # Best first by the database's part: score the text of a batch at a
        # time, until what is left cannot reach the bar even with all of it.
        done = 0
        while True:
            evaluate(rows[done : done + BATCH])
            done = min(done + BATCH, len(rows))
            bar = threshold()
            if done == len(rows) or rows[done].base_sql + late + MARGIN <= bar:
                break
        # Nobody outside the set read can reach the bar...
        outside_ok = floor is None or (
            floor.plain + plain_rest + MARGIN <= bar and floor.extra + rest + MARGIN <= bar
        )
        # ...nor anyone in it beyond the rows read.
        below_ok = done < len(rows) or len(rows) < cap
        if outside_ok and below_ok:
            break
        if search.rounds >= MAX_ROUNDS:
            search.exact = False
            break
        if not outside_ok:
            if below_ok:
                # This round's set is done with: read only what lies under it.
                read = floor
            floor = _lower(floor, bar, plain_rest, rest, smallest)
            if floor is None:
                read = None
        if not below_ok:
            # Reading everyone again costs the same however many rows come
            # back: ask for many more at once.
            cap *= 4 if floor is not None else 8
    if not math.isinf(bar):
        with _bars_lock:  # web servers rank in threads
            _bars[key] = bar
            while len(_bars) > 512:
                _bars.pop(next(iter(_bars)))
    search.path = (
        "everyone, from the pool in memory" if memory is not None
        else "everyone" if floor is None
        else f"skill score from {max(floor.extra, 0):.3g}"
    )  # fmt: skip
    search.scored = len(scored)
    best = sorted(scored.values(), key=lambda s: (-s.score, s.features.id))[:limit]
    return best, search


# The bar (the score of the last of the list) each recent ranking reached,
# by job, weights and scope: a hint for where to start next time, never a
# result (a stale hint only costs another round).
_bars: dict[tuple[Any, ...], float] = {}
_bars_lock = threading.Lock()


def _lower(
    floor: Floor | None, bar: float, plain_rest: float, rest: float, smallest: float
) -> Floor | None:
    """The next set to read when the bar does not yet prove that everyone
    below the floor is out of the top: those whose skills could still reach
    the bar; anyone with one of the skills when fewer than `limit` were
    found; everyone when the other signals alone could reach the bar."""
    assert floor is not None
    if math.isinf(bar):
        any_skill = smallest - MARGIN
        return Floor(any_skill, any_skill) if floor.extra > smallest else None
    # A floor the bar already proves stays where it is (nobody new to read
    # in that class); the other goes down to what the bar proves.
    extra = floor.extra
    if floor.extra + rest + MARGIN > bar:
        extra = min(floor.extra - MARGIN, bar - rest - MARGIN)
    if extra <= 0:
        return None
    plain = floor.plain
    if floor.plain + plain_rest + MARGIN > bar:
        plain = min(floor.plain - MARGIN, bar - plain_rest - MARGIN)
    return Floor(plain, min(extra, plain))


_sizes: dict[int, tuple[float, int]] = {}
SIZES_FOR = 600.0  # seconds: how often the size of a skill is counted again


def skill_sizes(skill_ids: Iterable[int]) -> dict[int, int]:
    """How many candidates have each skill (counted from the skill index,
    remembered for a while: it only chooses which skill to read first)."""
    now = time.monotonic()
    wanted = list(skill_ids)
    stale = [i for i in wanted if i not in _sizes or now - _sizes[i][0] > SIZES_FOR]
    if stale:
        counted = dict(
            CandidateSkill.objects.filter(skill_id__in=stale)
            .values("skill_id")
            .annotate(n=Count("pk"))
            .values_list("skill_id", "n")
        )
        for skill_id in stale:
            _sizes[skill_id] = (now, counted.get(skill_id, 0))
    return {i: _sizes[i][1] for i in wanted}


def _driven(floor: Floor, worth: Mapping[int, float], skill_top: float) -> Floor:
    """The floor with, for each of its two levels, the fewest candidates'
    skills of which anyone above it must have one: lacking them all, the
    rest of the skills could not reach the level. Rarest first, as long as
    they are fewer than half of all the job's skill rows."""
    sizes = skill_sizes([i for i, c in worth.items() if c > 0])
    everyone = sum(sizes.values())

    def cover(level: float) -> tuple[int, ...]:
        gap = skill_top - level  # what a candidate may lack and still reach the level
        chosen: list[int] = []
        lacking = 0.0
        for skill_id in sorted(sizes, key=lambda i: (sizes[i] / worth[i], i)):
            if lacking > gap + MARGIN:
                break
            chosen.append(skill_id)
            lacking += worth[skill_id]
        if lacking <= gap + MARGIN or 2 * sum(sizes[i] for i in chosen) > everyone:
            return ()
        return tuple(sorted(chosen))

    return Floor(floor.plain, floor.extra, cover(floor.plain), cover(floor.extra))


# --- explaining the ranks -------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """What one signal gave a candidate: its share (0 to 1), the points it
    is worth at the search's weights, and why, in words."""

    key: str
    label: str
    share: float
    points: float
    detail: str


@dataclass(frozen=True)
class Reach:
    """Whether the candidate can be emailed at all, and if not, why."""

    ok: bool
    reason: str = ""


@dataclass
class Ranked:
    rank: int
    candidate: Candidate
    score: float
    parts: list[Part]
    reach: Reach
    in_pipeline: str = ""  # the stage they are in, for this job

    @property
    def strongest(self) -> list[Part]:
        return sorted([p for p in self.parts if p.points > 0], key=lambda p: -p.points)[:3]


@dataclass
class Ranking:
    job: Job
    plan: Plan
    weights: Weights
    rows: list[Ranked]
    search: Search
    semantic: semantic.Status
    limit: int
    hide_in_pipeline: bool

    @property
    def top_score(self) -> float:
        return max([r.score for r in self.rows], default=0.0)

    @property
    def contactable(self) -> list[Ranked]:
        return [r for r in self.rows if r.reach.ok]


def rediscover(
    user: User,
    job: Job,
    *,
    weights: Weights = DEFAULT_WEIGHTS,
    limit: int = 50,
    hide_in_pipeline: bool = False,
    use_semantic: bool = True,
) -> Ranking:
    """The `limit` candidates `user` may see who fit `job` best, explained.
    The caller fetched `job` through `jobs.selectors.job_get`."""
    weights_check(weights)
    if not 1 <= limit <= 500:
        raise ValidationError({"limit": ["Show from 1 to 500 candidates."]})
    plan = plan_for(job)
    scope = scope_for(user, job, hide_in_pipeline=hide_in_pipeline)
    status = semantic.status()
    neighbours = None
    if use_semantic and status.ready and weights.semantic > 0:
        neighbours = semantic.neighbours_for_job(job)
    best, search = rank(plan, weights, scope, limit=limit, neighbours=neighbours)
    rows = _explain(user, job, plan, weights, best)
    return Ranking(job, plan, weights, rows, search, status, limit, hide_in_pipeline)


def _explain(
    user: User, job: Job, plan: Plan, weights: Weights, best: list[Scored]
) -> list[Ranked]:
    """Each row's candidate and the words for each signal, in a fixed number
    of queries whatever the number of rows."""
    ids = [s.features.id for s in best]
    if not ids:
        return []
    k = Coefficients.of(plan, weights)
    candidates = {c.pk: c for c in Candidate.objects.filter(pk__in=ids).select_related("owner")}
    job_skill_ids = [s.skill_id for s in plan.skills]
    has: dict[int, set[int]] = {}
    for candidate_id, skill_id in CandidateSkill.objects.filter(
        candidate_id__in=ids, skill_id__in=job_skill_ids
    ).values_list("candidate_id", "skill_id"):
        has.setdefault(candidate_id, set()).add(skill_id)
    pipeline = dict(
        Application.objects.filter(job=job, candidate_id__in=ids).values_list(
            "candidate_id", "stage__name"
        )
    )
    reached = _reached(user, job, ids)
    silver = _silver_reasons(user, plan, ids)
    reach = reachability(candidates.values())
    rows = []
    for n, scored in enumerate(best, 1):
        candidate = candidates[scored.features.id]
        parts = _parts(plan, weights, k, scored, candidate, has.get(candidate.pk, set()))
        parts = _with_history(parts, scored, k, reached.get(candidate.pk, ""), silver.get(candidate.pk))  # fmt: skip
        rows.append(
            Ranked(
                rank=n,
                candidate=candidate,
                score=scored.score,
                parts=parts,
                reach=reach.get(candidate.pk, Reach(False, "Unknown")),
                in_pipeline=pipeline.get(candidate.pk, ""),
            )
        )
    return rows


def _names(skills: Iterable[SkillAsked]) -> str:
    return ", ".join(s.name for s in skills)


def _parts(
    plan: Plan,
    weights: Weights,
    k: Coefficients,
    scored: Scored,
    candidate: Candidate,
    has: set[int],
) -> list[Part]:
    f = scored.features
    parts = []
    required, nice = plan.required, plan.nice
    if required:
        got = [s for s in required if s.skill_id in has]
        missing = [s for s in required if s.skill_id not in has]
        detail = f"{len(got)} of {len(required)}" + (f": {_names(got)}" if got else "")
        if missing:
            detail += f"; missing {_names(missing)}"
        parts.append(Part("required", "Required skills", len(got) / len(required), k.required * f.required, detail))  # fmt: skip
    if nice:
        got = [s for s in nice if s.skill_id in has]
        detail = f"{len(got)} of {len(nice)}" + (f": {_names(got)}" if got else "")
        parts.append(Part("nice", "Nice-to-have skills", len(got) / len(nice), k.nice * f.nice, detail))  # fmt: skip
    if plan.terms:
        detail = (
            f"{len(scored.terms)} of {len(plan.terms)} key words: {', '.join(scored.terms)}"
            if scored.terms
            else "None of the job's key words"
        )
        parts.append(Part("text", "Description", scored.text, k.text * scored.text, detail))
    if plan.title_words:
        share = f.title / len(plan.title_words)
        title = candidate.current_title or "no current title"
        parts.append(Part("title", "Title", share, k.title * f.title, f"“{title}”: {f.title} of {len(plan.title_words)} words of the job's title"))  # fmt: skip
    if plan.place.conditions or plan.place.otherwise.value:
        b = plan.place.band(f.location)
        where = ", ".join(x for x in (candidate.city, candidate.country) if x) or "location unknown"
        parts.append(Part("location", "Location", b.value, k.location.get(f.location, 0.0), f"{b.label} ({where})"))  # fmt: skip
    if plan.seniority:
        b = seniority_band(f.seniority)
        level = candidate.get_seniority_display() if candidate.seniority else "not given"
        parts.append(Part("seniority", "Seniority", b.value, k.seniority.get(f.seniority, 0.0), f"{b.label} ({level})"))  # fmt: skip
    parts.append(
        Part(
            "engagement",
            "Engagement",
            f.engagement / 100,
            k.engagement * f.engagement,
            f"{f.engagement:g} of 100 ({band(f.engagement)})",
        )
    )
    if k.semantic and scored.similar:
        parts.append(Part("semantic", "Similar profile", scored.similar, k.semantic * scored.similar, f"Similarity {scored.similar:.2f} between their profile and the job"))  # fmt: skip
    del weights
    return parts


def _with_history(
    parts: list[Part], scored: Scored, k: Coefficients, reached: str, silver: str | None
) -> list[Part]:
    f = scored.features
    if f.history:
        parts.append(Part("history", "Stages reached", f.history, k.history * f.history, reached or "Went through another job's pipeline"))  # fmt: skip
    if f.silver:
        parts.append(Part("silver", "Silver medallist", 1.0, k.silver, silver or "Silver medallist"))  # fmt: skip
    return parts


def _reached(user: User, job: Job, ids: list[int]) -> dict[int, str]:
    """For each candidate, the furthest stage they reached in another job
    the user may see, in words."""
    applications = (
        Application.objects.filter(candidate_id__in=ids, job__in=jobs_visible(user))
        .exclude(job=job)
        .values_list("candidate_id", "job_id", "job__title", "furthest_position")
    )
    rows = list(applications)
    names = {
        (job_id, position): name
        for job_id, position, name in Stage.objects.filter(
            job_id__in={r[1] for r in rows}, kind=StageKind.ACTIVE
        ).values_list("job_id", "position", "name")
    }
    tops: dict[int, int] = {}
    for job_id, position in names:
        tops[job_id] = max(tops.get(job_id, 0), position)
    best: dict[int, tuple[float, str]] = {}
    for candidate_id, job_id, title, position in rows:
        share = position / tops[job_id] if tops.get(job_id) else 0.0
        stage = names.get((job_id, position), f"stage {position}")
        if share > best.get(candidate_id, (-1.0, ""))[0]:
            best[candidate_id] = (share, f"Reached {stage} for {title}")
    return {c: text for c, (_, text) in best.items()}


def _silver_reasons(user: User, plan: Plan, ids: list[int]) -> dict[int, str]:
    if not plan.silver_tag_id:
        return {}
    rows = CandidateTag.objects.filter(candidate_id__in=ids, tag_id=plan.silver_tag_id)
    if not user.can(Capability.SEE_ALL_CANDIDATES):
        # The reason names a job, which a hiring manager may not be hiring for.
        return dict.fromkeys(rows.values_list("candidate_id", flat=True), "Silver medallist")
    return {c: (reason or "Silver medallist") for c, reason in rows.values_list("candidate_id", "reason")}  # fmt: skip


def reachability(candidates: Iterable[Candidate]) -> dict[int, Reach]:
    """Whether each candidate can be emailed at all, by the sending policy's
    rules that hold a message back for good (outreach.policy): the address
    suppressed, asked to hear nothing more, unsubscribed, consent withdrawn
    (or not given when the organisation requires it), no address."""
    listed = list(candidates)
    facts = policy.facts_for([c.pk for c in listed], [c.primary_email for c in listed])
    found = {}
    for candidate in listed:
        verdict = policy.decide(
            facts,
            candidate_id=candidate.pk,
            address=candidate.primary_email,
            kind=MessageKind.NURTURE,
        )
        if verdict.held:
            found[candidate.pk] = Reach(False, policy.REASONS.get(verdict.reason, verdict.reason))
        else:
            found[candidate.pk] = Reach(True)
    return found


# --- acting on the ranking ----------------------------------------------------------------


@dataclass(frozen=True)
class Added:
    added: int
    already: int
    stage: str


def rediscovery_add(*, actor: User, job: Job, candidate_ids: Sequence[int]) -> Added:
    """Put the chosen candidates (those `actor` may see) in the job's first
    stage, in one transaction; those already in its pipeline are counted,
    never added twice."""
    require(actor, Capability.ADD_TO_JOBS)
    wanted = list(dict.fromkeys(candidate_ids))
    if not wanted:
        raise ValidationError({"ids": ["Tick at least one candidate to add."]})
    chosen = list(candidates_visible(actor).filter(pk__in=wanted).order_by("pk"))
    if len(chosen) != len(wanted):
        raise ValidationError({"ids": ["Some of these candidates are not yours to see."]})
    in_pipeline = set(
        Application.objects.filter(job=job, candidate_id__in=wanted).values_list(
            "candidate_id", flat=True
        )
    )
    added, stage = 0, ""
    with transaction.atomic():
        for candidate in chosen:
            if candidate.pk in in_pipeline:
                continue
            application = application_create(
                actor=actor, job=job, candidate=candidate, source="rediscovery"
            )
            stage = application.stage.name
            added += 1
    if not stage:
        first = Stage.objects.filter(job=job, kind=StageKind.ACTIVE).order_by("position").first()
        stage = first.name if first else ""
    return Added(added=added, already=len(chosen) - added, stage=stage)


@dataclass(frozen=True)
class Enrolled:
    enrolled: int
    already: int
    skipped: list[tuple[str, str]]  # (name, why)


def rediscovery_enrol(
    *, actor: User, sequence: OutreachSequence, rows: Sequence[Ranked], top: int
) -> Enrolled:
    """Enrol the first `top` rows of a ranking in a sequence, in one action.
    Those who cannot be contacted are left out and named with the reason;
    those enrolled before are counted by the sequence, not enrolled again."""
    if not 1 <= top <= len(rows):
        raise ValidationError({"top": [f"Choose how many to enrol, from 1 to {len(rows)}."]})
    chosen = list(rows[:top])
    reach = reachability([r.candidate for r in chosen])  # again: it may have changed
    skipped = [
        (r.candidate.full_name, reach[r.candidate.pk].reason)
        for r in chosen
        if not reach[r.candidate.pk].ok
    ]
    ids = [r.candidate.pk for r in chosen if reach[r.candidate.pk].ok]
    if not ids:
        return Enrolled(0, 0, skipped)
    done = sequence_enroll(actor=actor, sequence=sequence, candidate_ids=ids)
    return Enrolled(done.enrolled, done.already, skipped)


def weights_from(values: Mapping[str, float]) -> Weights:
    """Weights from a mapping of signal keys (missing keys: the defaults)."""
    return Weights(**{key: float(values[key]) for key in values if key in _KEYS})


_KEYS = frozenset(s.key for s in SIGNALS)
