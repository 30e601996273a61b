"""Demo data: a small team and as many realistic candidates as asked for.

`demo_load(candidates=100_000)` fills an instance with people from the cities
in core/data/cities.json, each with a role from data/demo.json (title,
seniority, skills), contact points, tags, pools, notes and two years of
history, in well under a minute on SQLite.

This is seed data, not user actions, so it bypasses the services on purpose:
no permission checks, no per-candidate `activity_record` or `candidate_reindex`
calls. Rows are generated in memory and written with one `executemany`
(SQLite) or `COPY` (PostgreSQL) per table and chunk, one transaction per
chunk of 10,000 candidates. What the services would have derived is derived
here the same way: the search document and `primary_email` as
`candidate_reindex` computes them, note HTML with `render_note` (once per template text), and the
Activity rows the matching service calls would have written
(candidate.created, note.added, tag.added, pool.added, candidate.shared),
plus an outreach history (email.sent, email.replied, call.logged,
meeting.logged, consent.given, consent.withdrawn).

Candidate and note ids are reserved before their rows are written (from the
sequence on PostgreSQL, above the highest id inside the write transaction on
SQLite), so child rows can point at them without reading anything back.
Names are in Latin script: locales whose names are written in another script
use Faker's romanised names, a transliteration, or a Latin-script locale of
the same region. Every email address is at an example.* domain and carries
the candidate id, so it is unique; every phone number is valid for its
country. With a seed, the same people come out every time, placed relative
to midnight UTC of the day of the run.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import random
import re
import time
import unicodedata
import zoneinfo
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import nh3
import phonenumbers
from django.db import connection, transaction
from django.db.models import Model
from faker import Faker
from faker.decode import unidecode

from rapport.accounts.models import Role, User
from rapport.accounts.services import user_create
from rapport.core.models import Activity, ActivityKind
from rapport.core.text import fold, words
from rapport.people.documents import DocumentParts, document
from rapport.people.models import (
    Candidate,
    CandidateShare,
    CandidateSkill,
    CandidateTag,
    ConsentState,
    ContactKind,
    ContactPoint,
    Note,
    Pool,
    PoolMembership,
    SearchDocument,
    Skill,
    SkillAlias,
)
from rapport.people.services import render_note, skill_resolve, tag_get_or_create

DEMO_DATA = Path(__file__).parent / "data" / "demo.json"
CITIES = Path(__file__).resolve().parent.parent / "core" / "data" / "cities.json"

CHUNK = 10_000
DAY = 86_400
HOUR = 3_600
HISTORY_DAYS = 730

Row = tuple[Any, ...]

# --- the team ---------------------------------------------------------------------

TEAM = (
    ("Priya Raman", "priya.raman@example.com", Role.RECRUITER),
    ("Jonas Becker", "jonas.becker@example.com", Role.RECRUITER),
    ("Camille Laurent", "camille.laurent@example.com", Role.RECRUITER),
    ("Diego Alvarez", "diego.alvarez@example.com", Role.SOURCER),
    ("Hannah Okafor", "hannah.okafor@example.com", Role.HIRING_MANAGER),
)


def demo_team() -> list[User]:
    """The demo team, made when absent. Passwords are unusable: an admin sets
    one when someone should sign in as them."""
    emails = [email for _, email, _ in TEAM]
    existing = {u.email: u for u in User.objects.filter(email__in=emails)}
    return [
        existing.get(email) or user_create(email=email, role=role, name=name)
        for name, email, role in TEAM
    ]


# --- what the generator draws from -----------------------------------------------

SOURCE_WEIGHTS = {
    "sourced": 34,
    "application": 25,
    "referral": 14,
    "import": 10,
    "event": 7,
    "talent-community": 6,
    "agency": 4,
}
CONSENT_WEIGHTS = {
    ConsentState.UNKNOWN: 30,
    ConsentState.LEGITIMATE_INTEREST: 38,
    ConsentState.GIVEN: 27,
    ConsentState.WITHDRAWN: 5,
}
YEARS = {
    "intern": (0, 1),
    "junior": (0, 3),
    "mid": (3, 7),
    "senior": (6, 12),
    "lead": (8, 15),
    "principal": (10, 20),
    "executive": (15, 30),
}
LEVELS = {
    "intern": (1, 2),
    "junior": (1, 3),
    "mid": (2, 4),
    "senior": (3, 5),
    "lead": (3, 5),
    "principal": (4, 5),
    "executive": (3, 5),
}
EMAIL_DOMAINS = (
    "example.com",
    "example.org",
    "example.net",
    "mail.example.net",
    "mail.example.com",
    "inbox.example.org",
)
# Pools a role may be added to, by words of its category and title. A pool
# missing here suits anyone.
POOL_HINTS = {
    "Senior Backend": ("Backend", "Full-Stack", "Staff Software", "Java", ".NET", "Ruby", "PHP"),
    "Frontend & Design Engineering": ("Frontend", "Full-Stack", "Design Engineer", "Mobile"),
    "Data & ML": ("Data", "Machine Learning", "ML ", "Analytics", "AI "),
    "Cloud & SRE": ("DevOps", "Reliability", "Platform", "Cloud", "Infrastructure", "Security"),
    "Product Design": ("design",),
    "ICU & Critical Care Nurses": ("Nurse",),
    "Allied Health": ("healthcare",),
    "Finance Leadership": ("Finance", "Controller", "CFO", "FP&A", "Treasury"),
    "Audit & Compliance": ("Audit", "Compliance", "Risk", "Tax", "Accountant"),
    "Enterprise Sales": ("sales",),
    "Supply Chain & Ops": ("operations",),
}
# Note templates that only make sense for one kind of role, by words they contain.
NOTE_HINTS = {
    "healthcare": ("ICU", "nurse", "ACLS", "shift", "Licence", "rota"),
    "finance": ("ACCA", "FP&A", "audit"),
    "sales": ("quota", "OTE", "territory"),
    "operations": ("procurement", "Six Sigma"),
    "design": ("Portfolio",),
    "engineering": ("take-home", "Systems round", "platform team", "migration"),
}
SUBJECTS = (
    "Quick question about your next move",
    "An opening you might like",
    "Coffee chat next week?",
    "Following up on our conversation",
    "Your profile caught our eye",
    "Checking in",
    "A role with more ownership",
    "Are you open to new opportunities?",
    "Interview availability",
    "Thanks for your time today",
    "Next steps",
    "Hiring for a new team",
)
SEQUENCES = (
    "Silver medallist check-in",
    "Quarterly talent newsletter",
    "Event follow-up",
    "Passive candidate nurture",
    "Open roles digest",
)
CALL_TOPICS = (
    "intro call",
    "catch-up on their search",
    "talked through the role",
    "salary expectations",
    "notice period and start date",
    "feedback after the panel",
    "reference check",
    "relocation questions",
)
MEETINGS = (
    ("Video call", 30),
    ("Coffee", 45),
    ("Screening interview", 45),
    ("Onsite interview", 180),
    ("Panel interview", 90),
    ("Lunch with the hiring manager", 60),
)
# Languages of a country when its Faker locale does not say (en_IN → Hindi).
COUNTRY_LANGUAGE = {
    "IN": "hi",
    "PK": "ur",
    "KE": "sw",
    "RW": "rw",
    "NG": "yo",
    "PH": "tl",
    "IL": "he",
    "MA": "ar",
    "LU": "lb",
    "KZ": "kk",
    "MY": "ms",
    "RS": "sr",
    "SG": "ms",
}
EXTRA_LANGUAGES = ("es", "fr", "de", "pt", "it", "nl", "zh", "ar", "ja", "ru")


# --- names in Latin script -------------------------------------------------------

ROMANIZED = {"ja_JP", "zh_CN", "zh_TW"}
# A Latin-script locale of the same region, where no transliteration works.
LATIN_LOCALE = {
    "ar_AA": "en_PK",
    "ar_SA": "en_PK",
    "ar_PS": "en_PK",
    "ar_DZ": "fr_DZ",
    "fa_IR": "en_PK",
    "th_TH": "en_TH",
    "bn_BD": "en_IN",
    "ne_NP": "en_IN",
    "si_LK": "en_IN",
    "hi_IN": "en_IN",
    "ta_IN": "en_IN",
    "gu_IN": "en_IN",
    "mr_IN": "en_IN",
    "or_IN": "en_IN",
}
HEBREW_MALE = (
    "Noam", "Itai", "Yonatan", "Omer", "Eitan", "Ariel", "Daniel", "Yosef", "Amit", "Tomer",
    "Guy", "Ido", "Lior", "Nadav", "Uri", "Roi", "Oren", "Avi", "Eyal", "Gilad", "Yuval", "Asaf",
)  # fmt: skip
HEBREW_FEMALE = (
    "Noa", "Tamar", "Yael", "Maya", "Shira", "Michal", "Adi", "Roni", "Talia", "Hila", "Efrat",
    "Liat", "Noga", "Dana", "Keren", "Orly", "Shani", "Inbar", "Ayelet", "Galit", "Merav", "Sivan",
)  # fmt: skip
HEBREW_LAST = (
    "Cohen", "Levi", "Mizrahi", "Peretz", "Biton", "Dahan", "Avraham", "Friedman", "Azoulay",
    "Katz", "Malka", "Amar", "Ohana", "Hadad", "Gabay", "Ben-David", "Shapiro", "Klein",
    "Rosenberg", "Goldberg", "Ashkenazi", "Segal", "Weiss", "Carmi", "Barak", "Golan", "Shalev",
    "Tal", "Navon", "Harel",
)  # fmt: skip

GREEK_PAIRS = {
    "ου": "ou", "αι": "ai", "ει": "ei", "οι": "oi", "αυ": "av", "ευ": "ev",
    "μπ": "mp", "ντ": "nt", "γκ": "gk", "γγ": "ng", "τσ": "ts", "τζ": "tz",
}  # fmt: skip
GREEK_INITIAL = {"μπ": "b", "ντ": "d", "γκ": "g"}
GREEK = {
    "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th", "ι": "i",
    "κ": "k", "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p", "ρ": "r", "σ": "s",
    "ς": "s", "τ": "t", "υ": "y", "φ": "f", "χ": "ch", "ψ": "ps", "ω": "o",
}  # fmt: skip
GEORGIAN = {
    "ა": "a", "ბ": "b", "გ": "g", "დ": "d", "ე": "e", "ვ": "v", "ზ": "z", "თ": "t", "ი": "i",
    "კ": "k", "ლ": "l", "მ": "m", "ნ": "n", "ო": "o", "პ": "p", "ჟ": "zh", "რ": "r", "ს": "s",
    "ტ": "t", "უ": "u", "ფ": "p", "ქ": "k", "ღ": "gh", "ყ": "q", "შ": "sh", "ჩ": "ch", "ც": "ts",
    "ძ": "dz", "წ": "ts", "ჭ": "ch", "ხ": "kh", "ჯ": "j", "ჰ": "h",
}  # fmt: skip
HANGUL_INITIAL = (
    "g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p",
    "h",
)  # fmt: skip
HANGUL_VOWEL = (
    "a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo",
    "we", "wi", "yu", "eu", "ui", "i",
)  # fmt: skip
HANGUL_FINAL = (
    "", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p",
    "t", "t", "ng", "t", "t", "k", "t", "p", "t",
)  # fmt: skip
# Korean surnames as their bearers spell them in English, not as Revised Romanisation would.
KOREAN_SURNAMES = {
    "김": "Kim", "이": "Lee", "박": "Park", "최": "Choi", "정": "Jung", "강": "Kang", "조": "Cho",
    "윤": "Yoon", "장": "Jang", "임": "Lim", "한": "Han", "오": "Oh", "서": "Seo", "신": "Shin",
    "권": "Kwon", "황": "Hwang", "안": "Ahn", "송": "Song", "류": "Ryu", "유": "Yoo", "전": "Jeon",
    "홍": "Hong", "고": "Ko", "문": "Moon", "양": "Yang", "손": "Son", "배": "Bae", "백": "Baek",
    "허": "Heo", "남": "Nam", "노": "Noh", "심": "Shim", "하": "Ha", "곽": "Kwak", "성": "Sung",
    "차": "Cha", "주": "Joo", "우": "Woo", "구": "Koo", "민": "Min", "나": "Na", "진": "Jin",
    "지": "Ji", "엄": "Um", "채": "Chae", "원": "Won", "천": "Cheon", "방": "Bang", "공": "Kong",
    "현": "Hyun", "변": "Byun", "염": "Yeom", "여": "Yeo", "추": "Choo", "도": "Do", "석": "Seok",
    "선": "Sun", "설": "Seol", "마": "Ma", "길": "Gil", "연": "Yeon", "표": "Pyo", "명": "Myung",
    "기": "Ki", "반": "Ban", "왕": "Wang", "금": "Geum", "옥": "Ok", "육": "Yook", "인": "In",
    "제": "Je", "모": "Mo", "탁": "Tak", "국": "Kook", "어": "Eo", "은": "Eun", "편": "Pyun",
}  # fmt: skip
ASCII_EXTRA = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d", "ł": "l", "þ": "th", "ð": "d", "ı": "i"}
)


def is_latin(text: str) -> bool:
    return all(not c.isalpha() or "LATIN" in unicodedata.name(c, "") for c in text)


def _greek(word: str) -> str:
    plain = "".join(
        c for c in unicodedata.normalize("NFD", word.lower()) if not unicodedata.combining(c)
    )
    out, i = [], 0
    while i < len(plain):
        pair = plain[i : i + 2]
        if i == 0 and pair in GREEK_INITIAL:
            out.append(GREEK_INITIAL[pair])
            i += 2
        elif pair in GREEK_PAIRS:
            out.append(GREEK_PAIRS[pair])
            i += 2
        else:
            out.append(GREEK.get(plain[i], plain[i]))
            i += 1
    return "".join(out)


def _hangul(word: str) -> str:
    out = []
    for c in word:
        code = ord(c) - 0xAC00
        if not 0 <= code < 11172:
            out.append(c)
            continue
        initial, rest = divmod(code, 588)
        vowel, final = divmod(rest, 28)
        out.append(HANGUL_INITIAL[initial] + HANGUL_VOWEL[vowel] + HANGUL_FINAL[final])
    return "".join(out)


def latinize(name: str, locale: str, *, surname: bool = False) -> str:
    """A name as it would be written in an English-language CV."""
    if locale == "ko_KR":
        latin = KOREAN_SURNAMES.get(name) if surname else None
        latin = latin or _hangul(name)
    elif locale == "el_GR":
        latin = " ".join(_greek(w) for w in name.split())
    elif locale == "ka_GE":
        latin = "".join(GEORGIAN.get(c, c) for c in name)
    elif is_latin(name):
        return name.title() if name.isupper() else name
    else:
        latin = unidecode(name).replace("`", "").replace("'", "").replace("@", "a")
    latin = " ".join(latin.split())
    return "-".join(part[:1].upper() + part[1:] for part in latin.split("-"))


@dataclass
class Names:
    """First and last names of one locale, by gender, drawn from Faker once."""

    male: tuple[list[str], list[str]]
    female: tuple[list[str], list[str]]

    def pick(self, rng: random.Random) -> tuple[str, str]:
        firsts, lasts = self.female if rng.random() < 0.5 else self.male
        return rng.choice(firsts), rng.choice(lasts)


def names_for(locale: str, *, seed: object, size: int) -> Names:
    if locale == "he_IL":
        return Names(
            (list(HEBREW_MALE), list(HEBREW_LAST)), (list(HEBREW_FEMALE), list(HEBREW_LAST))
        )
    source = LATIN_LOCALE.get(locale, locale)
    try:
        fake = Faker(source, providers=["faker.providers.person"])
    except AttributeError:  # a locale Faker does not know
        source, fake = "en_US", Faker("en_US", providers=["faker.providers.person"])
    fake.seed_instance(f"{seed}:{locale}")

    def draw(gender: str) -> tuple[list[str], list[str]]:
        if source in ROMANIZED:
            first = getattr(fake, f"first_romanized_name_{gender}", fake.first_romanized_name)
            last = fake.last_romanized_name
        else:
            first = getattr(fake, f"first_name_{gender}")
            last = getattr(fake, f"last_name_{gender}")
        firsts = {latinize(first(), source) for _ in range(size)}
        lasts = {latinize(last(), source, surname=True) for _ in range(size)}
        return sorted(n for n in firsts if n), sorted(n for n in lasts if n)

    return Names(draw("male"), draw("female"))


def ascii_word(text: str) -> str:
    """Lower-case ASCII letters and digits only, for email addresses and URLs."""
    folded = fold(text).translate(ASCII_EXTRA)
    return re.sub(r"[^a-z0-9]", "", folded.encode("ascii", "ignore").decode())


# --- phones -------------------------------------------------------------------------


@dataclass(frozen=True)
class PhonePlan:
    """A country's example mobile number with how many trailing digits may vary."""

    prefix: str
    digits: int

    def make(self, rng: random.Random) -> str:
        return f"{self.prefix}{rng.randrange(10**self.digits):0{self.digits}d}"


@cache
def phone_plan(country: str) -> PhonePlan | None:
    """Checked once per country: numbers made by the plan are valid there."""
    example = phonenumbers.example_number_for_type(country, phonenumbers.PhoneNumberType.MOBILE)
    if example is None:
        return None
    e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
    checker = random.Random(country)
    for digits in (6, 5, 4, 3, 2):
        plan = PhonePlan(e164[:-digits], digits)
        samples = [plan.make(checker) for _ in range(40)]
        if all(_valid_phone(s, country) for s in samples):
            return plan
    return None


def _valid_phone(e164: str, country: str) -> bool:
    number = phonenumbers.parse(e164, None)
    return phonenumbers.is_valid_number_for_region(number, country)


# --- templates ----------------------------------------------------------------------

_placeholder = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Fill:
    """A text with {placeholders}, split once so that filling it is a join."""

    parts: tuple[str, ...]

    @classmethod
    def of(cls, text: str) -> Fill:
        return cls(tuple(_placeholder.split(text)))

    def __call__(self, values: dict[str, str]) -> str:
        parts = self.parts
        return "".join(p if i % 2 == 0 else values.get(p, "") for i, p in enumerate(parts))


@dataclass(frozen=True)
class NoteTemplate:
    body: Fill
    body_html: Fill
    summary: Fill
    confidential: bool

    @classmethod
    def of(cls, text: str, confidential: bool) -> NoteTemplate:
        rendered = render_note(text)
        return cls(
            Fill.of(text), Fill.of(rendered), Fill.of(nh3.clean(rendered, tags=set())), confidential
        )


def note_templates_for(
    category: str, templates: Sequence[NoteTemplate], texts: Sequence[str]
) -> list[NoteTemplate]:
    def fits(text: str) -> bool:
        lowered = text.lower()
        matches = {c for c, words in NOTE_HINTS.items() if any(w.lower() in lowered for w in words)}
        return not matches or category in matches

    return [t for t, text in zip(templates, texts, strict=True) if fits(text)]


# --- the generator ------------------------------------------------------------------


@dataclass
class City:
    name: str
    country: str
    timezone: str
    locale: str
    offset: int
    languages: list[str]
    phones: PhonePlan | None
    names: Names | None = None


@dataclass
class RoleSpec:
    title: str
    category: str
    seniority: str
    skills: list[tuple[int, str]]
    extra_skills: list[tuple[int, str]]
    pools: list[int]
    notes: list[NoteTemplate]


@dataclass
class Chunk:
    """The rows of one batch of candidates, in the order they are written."""

    candidates: list[Row] = field(default_factory=list)
    contacts: list[Row] = field(default_factory=list)
    skills: list[Row] = field(default_factory=list)
    tags: list[Row] = field(default_factory=list)
    memberships: list[Row] = field(default_factory=list)
    shares: list[Row] = field(default_factory=list)
    notes: list[Row] = field(default_factory=list)
    documents: list[Row] = field(default_factory=list)
    # note.added events wait for the notes' ids:
    # (occurred_at, candidate, actor, summary, confidential)
    note_events: list[Row] = field(default_factory=list)
    activities: list[Row] = field(default_factory=list)


@dataclass(frozen=True)
class DemoResult:
    candidates: int
    contacts: int
    skills: int
    tags: int
    memberships: int
    notes: int
    activities: int
    seconds: float


def _weighted(weights: dict[Any, int], allowed: Sequence[str]) -> tuple[list[str], list[int]]:
    names = list(allowed)
    return names, [weights.get(n, 3) for n in names]


class Generator:
    """Draws candidates from the demo data; `chunk()` returns their rows."""

    def __init__(self, *, seed: int | None, team: list[User], total: int, anchor: int) -> None:
        self.rng = random.Random(seed)
        self.seed = seed if seed is not None else self.rng.randrange(2**32)
        self.now = anchor
        self.start = anchor - HISTORY_DAYS * DAY
        self.recruiters = [u for u in team if u.role == Role.RECRUITER] or team[:1]
        self.sourcers = [u for u in team if u.role == Role.SOURCER] or self.recruiters
        self.managers = [u for u in team if u.role == Role.HIRING_MANAGER]
        self.adders = self.recruiters + self.sourcers
        data = demo_data()
        self.companies: list[str] = data["companies"]
        self.headlines = [Fill.of(h) for h in data["headlines"]]
        self.sources, self.source_weights = _weighted(SOURCE_WEIGHTS, data["sources"])
        self.consents, self.consent_weights = _weighted(CONSENT_WEIGHTS, ConsentState.values)
        tags = [tag_get_or_create(name=name) for name in data["tags"]]
        self.tag_ids = {tag.name: tag.pk for tag in tags}
        self.free_tags = [n for n in self.tag_ids if n != "do-not-contact"]
        self.pools = self._pools(data["pools"])
        self.pool_names = {pool.pk: pool.name for pool in self.pools.values()}
        self.cities = self._cities(total)
        self.roles = self._roles(data)
        self.json_cache: dict[str, str] = {}
        self.words_cache: dict[str, list[str]] = {}
        self.latest = anchor  # the current candidate's latest event
        self.stamp = _stamper()

    # -- setup

    def _pools(self, specs: list[dict[str, str]]) -> dict[str, Pool]:
        pools = {}
        for i, spec in enumerate(specs):
            defaults = {
                "description": spec.get("description", ""),
                "owner": self.recruiters[i % len(self.recruiters)],
            }
            pool, _ = Pool.objects.get_or_create(name=spec["name"], defaults=defaults)
            pools[pool.name] = pool
        return pools

    def _cities(self, total: int) -> list[City]:
        rows = cities()
        moment = dt.datetime.fromtimestamp(self.now, dt.UTC)
        per_locale: dict[str, int] = {}
        made = []
        for row in rows:
            locale = row["faker_locale"]
            per_locale[locale] = per_locale.get(locale, 0) + 1
            offset = moment.astimezone(zoneinfo.ZoneInfo(row["tz"])).utcoffset() or dt.timedelta()
            language = COUNTRY_LANGUAGE.get(row["country"], locale.split("_")[0].lower())
            made.append(
                City(
                    name=row["city"],
                    country=row["country"],
                    timezone=row["tz"],
                    locale=locale,
                    offset=int(offset.total_seconds()),
                    languages=sorted({"en", language}),
                    phones=phone_plan(row["country"]),
                )
            )
        # A few hundred names of each gender give enough combinations; fewer for a small run.
        books: dict[str, Names] = {}
        for city in made:
            if city.locale not in books:
                size = max(30, min(250, total * per_locale[city.locale] // len(rows)))
                books[city.locale] = names_for(city.locale, seed=self.seed, size=size)
            city.names = books[city.locale]
        return made

    def _roles(self, data: dict[str, Any]) -> list[RoleSpec]:
        skills = _skill_index({name for role in data["roles"] for name in role["skills"]})
        texts = [t["text"] for t in data["note_templates"]]
        templates = [
            NoteTemplate.of(t["text"], bool(t.get("confidential"))) for t in data["note_templates"]
        ]
        by_category: dict[str, set[tuple[int, str]]] = {}
        for role in data["roles"]:
            by_category.setdefault(role["category"], set()).update(
                skills[s] for s in role["skills"]
            )
        specs = []
        for role in data["roles"]:
            own = list(dict.fromkeys(skills[s] for s in role["skills"]))
            specs.append(
                RoleSpec(
                    title=role["title"],
                    category=role["category"],
                    seniority=role["seniority"],
                    skills=own,
                    extra_skills=sorted(by_category[role["category"]] - set(own)),
                    pools=self._pools_for(f"{role['category']} {role['title']} "),
                    notes=note_templates_for(role["category"], templates, texts),
                )
            )
        return specs

    def _pools_for(self, words: str) -> list[int]:
        return [
            pool.pk
            for name, pool in self.pools.items()
            if name not in POOL_HINTS or any(w in words for w in POOL_HINTS[name])
        ]

    def split(self, part: str) -> list[str]:
        """`words(part)`, remembered: titles, companies, cities, skills and
        note texts repeat across candidates. Emails are unique and ASCII,
        which `words` splits cheaply, so they are not kept."""
        cached = self.words_cache.get(part)
        if cached is None:
            cached = words(part)
            if "@" not in part:
                self.words_cache[part] = cached
        return cached

    def as_json(self, value: dict[str, Any] | list[str]) -> str:
        key = repr(value)
        if key not in self.json_cache:
            self.json_cache[key] = json.dumps(value, ensure_ascii=False)
        return self.json_cache[key]

    # -- one chunk

    def chunk(self, ids: Sequence[int], on_step: Callable[[int], None] | None = None) -> Chunk:
        """The rows of one candidate per id; `on_step(n)` every thousand."""
        out = Chunk()
        for n, pk in enumerate(ids, 1):
            self._candidate(pk, out)
            if on_step and n % 1000 == 0:
                on_step(n)
        return out

    def _event(
        self,
        out: Chunk,
        at: int,
        kind: str,
        candidate: int,
        actor: User | None,
        summary: str,
        *,
        target: tuple[str, int | None] = ("", None),
        data: str = "{}",
        confidential: bool = False,
        automated: bool = False,
    ) -> None:
        """One Activity row; the candidate's updated_at follows its latest event."""
        self.latest = max(self.latest, at)
        out.activities.append(
            (
                self.stamp(at),
                kind,
                candidate,
                actor.pk if actor else None,
                target[0],
                target[1],
                summary[:300],
                data,
                confidential,
                automated,
            )
        )

    def _candidate(self, pk: int, out: Chunk) -> None:
        """One person, with everything that hangs off them."""
        rng, stamp = self.rng, self.stamp
        city = rng.choice(self.cities)
        role = rng.choice(self.roles)
        assert city.names is not None
        first, last = city.names.pick(rng)
        years = rng.randint(*YEARS.get(role.seniority, (1, 10)))
        company = rng.choice(self.companies) if rng.random() < 0.93 else ""
        skills = self._skills(role)
        values = {
            "title": role.title,
            "company": company or rng.choice(self.companies),
            "skill": rng.choice(skills)[1] if skills else "",
            "first_name": first,
            "city": city.name,
        }
        headline = rng.choice(self.headlines)(values)[:200] if rng.random() < 0.9 else ""
        languages = city.languages
        if rng.random() < 0.15:
            languages = sorted({*languages, rng.choice(EXTRA_LANGUAGES)})
        slug_first, slug_last = ascii_word(first) or "candidate", ascii_word(last)
        source = rng.choices(self.sources, self.source_weights)[0]
        roll = rng.random()
        owner = (
            rng.choice(self.recruiters)
            if roll < 0.88
            else rng.choice(self.sourcers)
            if roll < 0.95
            else None
        )
        creator = owner or rng.choice(self.recruiters)
        if source in ("sourced", "event") and rng.random() < 0.5:
            creator = rng.choice(self.sourcers)
        consent = rng.choices(self.consents, self.consent_weights)[0]
        created = self.start + int(rng.random() ** 0.8 * (HISTORY_DAYS - 1) * DAY)
        created = min(self._working(created, city.offset), self.now - HOUR)
        self.latest = created

        emails, phone = self._contacts(out, pk, slug_first, slug_last, company, city, created)
        level = LEVELS.get(role.seniority, (1, 5))
        for skill_id, _ in skills:
            out.skills.append(
                (pk, skill_id, rng.randint(*level), rng.randint(min(1, years), years))
            )
        self._event(
            out, created, ActivityKind.CANDIDATE_CREATED, pk, creator,
            f"{creator.display_name} added {first} {last}",
            data=self.as_json({"source": source}),
        )  # fmt: skip
        self._tags(out, pk, created, owner or creator)
        self._pools_add(out, pk, role, created)
        notes = self._notes(out, pk, role, city, created, values, owner or creator)
        self._share(out, pk, created, owner)
        contacted = None
        if rng.random() < 0.6 and (emails or phone):
            sender = owner or rng.choice(self.recruiters)
            contacted = self._outreach(out, pk, first, city, created, sender, emails)
        self._consent(out, pk, consent, created, contacted, owner or creator)

        parts = DocumentParts(
            first_name=first,
            last_name=last,
            headline=headline,
            title=role.title,
            company=company,
            city=city.name,
            skills=[name for _, name in skills],
            emails=emails,
            notes=[body for body, confidential in notes if not confidential],
            confidential_notes=[body for body, confidential in notes if confidential],
        )
        built = document(parts, self.split)
        out.documents.append((pk, built.tokens, built.private_tokens))
        linkedin_id = f"{pk * 2654435761 % 2**32:x}"
        coder = role.category == "engineering"
        out.candidates.append(
            (
                pk, first, last, headline, role.title, company, city.name, city.country,
                city.timezone, self.as_json(languages), role.seniority, years,
                f"https://www.linkedin.com/in/{slug_first}-{slug_last}-{linkedin_id}"
                if rng.random() < 0.65 else "",
                f"https://github.com/{slug_first[0]}{slug_last}{pk % 97}"
                if rng.random() < (0.45 if coder else 0.04) else "",
                f"https://{slug_first}{slug_last}.example.com"
                if role.category == "design" and rng.random() < 0.5 else "",
                source, owner.pk if owner else None, "{}", consent,
                stamp(contacted) if contacted else None, 0.0,
                emails[0] if emails else "",
                creator.pk, stamp(created), stamp(self.latest),
            )
        )  # fmt: skip

    def _skills(self, role: RoleSpec) -> list[tuple[int, str]]:
        """The role's skills, give or take: sorted by id, the order the
        database hands them back in."""
        rng = self.rng
        skills = list(role.skills)
        if len(skills) > 3 and rng.random() < 0.35:
            skills.pop(rng.randrange(len(skills)))
        if role.extra_skills and rng.random() < 0.5:
            extra = rng.sample(role.extra_skills, min(len(role.extra_skills), rng.randint(1, 2)))
            skills += [s for s in extra if s not in skills]
        return sorted(skills)

    def _contacts(
        self, out: Chunk, pk: int, first: str, last: str, company: str, city: City, created: int
    ) -> tuple[list[str], str]:
        """A primary email for most, a valid mobile for many, a work email for a few."""
        rng, at = self.rng, self.stamp(created)
        emails: list[str] = []
        if rng.random() < 0.95:
            local = rng.choice(
                (f"{first}.{last}", f"{first}{last}", f"{first[0]}{last}", f"{last}.{first}")
            ).strip(".")
            emails.append(f"{local}{pk}@{rng.choice(EMAIL_DOMAINS)}")
            out.contacts.append((pk, ContactKind.EMAIL, emails[0], "personal", True, at))
        phone = city.phones.make(rng) if city.phones and rng.random() < 0.7 else ""
        if phone:
            out.contacts.append((pk, ContactKind.PHONE, phone, "mobile", True, at))
        if emails and company and rng.random() < 0.1:
            emails.append(f"{first}{pk}@{ascii_word(company) or 'work'}.example.com")
            out.contacts.append((pk, ContactKind.EMAIL, emails[1], "work", False, at))
        return emails, phone

    def _tags(self, out: Chunk, pk: int, created: int, by: User) -> None:
        if self.rng.random() < 0.4:
            for name in self.rng.sample(self.free_tags, self.rng.choice((1, 1, 1, 2, 2, 3))):
                self._tag(out, pk, name, self._between(created), by)

    def _tag(self, out: Chunk, pk: int, name: str, at: int, by: User) -> None:
        tag_id = self.tag_ids[name]
        out.tags.append((pk, tag_id, by.pk, self.stamp(at)))
        self._event(out, at, ActivityKind.TAG_ADDED, pk, by, name, target=("tag", tag_id))

    def _pools_add(self, out: Chunk, pk: int, role: RoleSpec, created: int) -> None:
        if not role.pools or self.rng.random() >= 0.3:
            return
        count = min(len(role.pools), self.rng.choice((1, 1, 1, 2)))
        for pool_id in self.rng.sample(role.pools, count):
            at, by = self._between(created), self.rng.choice(self.adders)
            out.memberships.append((pool_id, pk, by.pk, self.stamp(at)))
            self._event(
                out, at, ActivityKind.POOL_ADDED, pk, by, self.pool_names[pool_id],
                target=("pool", pool_id),
            )  # fmt: skip

    def _notes(
        self,
        out: Chunk,
        pk: int,
        role: RoleSpec,
        city: City,
        created: int,
        values: dict[str, str],
        writer: User,
    ) -> list[tuple[str, bool]]:
        """Notes from the templates, as (body, confidential); their note.added
        events are written once the notes have ids."""
        rng = self.rng
        written: list[tuple[str, bool]] = []
        if not role.notes or rng.random() >= 0.3:
            return written
        escaped = {k: html.escape(v, quote=False) for k, v in values.items()}
        for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
            template = rng.choice(role.notes)
            author = rng.choice(self.recruiters) if template.confidential else writer
            at = min(max(self._working(self._between(created), city.offset), created), self.now)
            body, body_html = template.body(values), template.body_html(escaped)
            out.notes.append(
                (pk, author.pk, body, body_html, template.confidential, self.stamp(at))
            )
            written.append((body, template.confidential))
            summary = template.summary(escaped)[:200]
            out.note_events.append((self.stamp(at), pk, author.pk, summary, template.confidential))
            self.latest = max(self.latest, at)
        return written

    def _share(self, out: Chunk, pk: int, created: int, owner: User | None) -> None:
        """About one in a hundred candidates is shared with the hiring manager."""
        if not self.managers or owner not in self.recruiters or self.rng.random() >= 0.01:
            return
        assert owner is not None
        manager, at = self.managers[0], self._between(created)
        out.shares.append((pk, manager.pk, owner.pk, self.stamp(at)))
        self._event(
            out, at, ActivityKind.SHARED, pk, owner, f"Shared with {manager.display_name}",
            data=self.as_json({"user": manager.pk}),
        )  # fmt: skip

    def _consent(
        self, out: Chunk, pk: int, consent: str, created: int, contacted: int | None, by: User
    ) -> None:
        rng = self.rng
        if consent == ConsentState.GIVEN and rng.random() < 0.5:
            summary = "Consent given through the preference centre"
            self._event(
                out, self._between(created), ActivityKind.CONSENT_GIVEN, pk, None, summary,
                automated=True,
            )  # fmt: skip
        elif consent == ConsentState.WITHDRAWN:
            at = min(self.now, (contacted or created) + rng.randint(1, 10) * DAY)
            summary = "Asked not to be contacted again"
            self._event(out, at, ActivityKind.CONSENT_WITHDRAWN, pk, None, summary)
            if "do-not-contact" in self.tag_ids and rng.random() < 0.6:
                self._tag(out, pk, "do-not-contact", at, by)

    def _outreach(
        self,
        out: Chunk,
        pk: int,
        first: str,
        city: City,
        created: int,
        sender: User,
        emails: list[str],
    ) -> int | None:
        """Threads of email, replies, calls and meetings; returns when the team
        last reached out."""
        rng, now = self.rng, self.now
        contacted: int | None = None
        for _ in range(rng.choice((1, 1, 2, 2, 2, 3, 3, 4, 5, 6))):
            at = self._working(self._between(created), city.offset)
            if not created <= at <= now:
                continue
            replied = False
            if emails:
                at, replied = self._email_thread(out, pk, first, city, at, sender)
                contacted = max(contacted or 0, at)
            if not emails or (replied and rng.random() < 0.45):
                at = self._working(at + rng.randint(1, 5) * DAY, city.offset)
                if at > now:
                    continue
                minutes, topic = rng.choice((5, 10, 15, 20, 30, 45)), rng.choice(CALL_TOPICS)
                self._event(
                    out, at, ActivityKind.CALL_LOGGED, pk, sender,
                    f"Call with {first}, {minutes} min: {topic}",
                    data=self.as_json({"minutes": minutes}),
                )  # fmt: skip
                contacted = max(contacted or 0, at)
            if replied and rng.random() < 0.25:
                at = self._working(at + rng.randint(3, 14) * DAY, city.offset)
                if at > now:
                    continue
                kind, minutes = rng.choice(MEETINGS)
                self._event(
                    out, at, ActivityKind.MEETING_LOGGED, pk, sender, f"{kind} with {first}",
                    data=self.as_json({"minutes": minutes}),
                )  # fmt: skip
                contacted = max(contacted or 0, at)
        return contacted

    def _email_thread(
        self, out: Chunk, pk: int, first: str, city: City, at: int, sender: User
    ) -> tuple[int, bool]:
        """An email (by hand or from a sequence), then a reply or a follow-up.
        Returns when the team last wrote and whether the candidate replied."""
        rng = self.rng
        subject = rng.choice(SUBJECTS)
        automated = rng.random() < 0.45
        if automated:
            sequence = rng.choice(SEQUENCES)
            summary = f"Sequence “{sequence}”: “{subject}”"
            data = self.as_json({"subject": subject, "sequence": sequence})
        else:
            summary = f"{sender.display_name} sent “{subject}”"
            data = self.as_json({"subject": subject})
        self._event(
            out, at, ActivityKind.EMAIL_SENT, pk, sender, summary, data=data, automated=automated
        )
        if rng.random() < (0.25 if automated else 0.4):
            reply = min(self.now, at + rng.randint(HOUR, 3 * DAY))
            self._event(
                out, reply, ActivityKind.EMAIL_REPLIED, pk, None,
                f"{first} replied to “{subject}”", data=self.as_json({"subject": subject}),
            )  # fmt: skip
            return at, True
        follow_up = self._working(at + rng.randint(3, 7) * DAY, city.offset)
        if rng.random() < 0.5 and follow_up <= self.now:
            self._event(
                out, follow_up, ActivityKind.EMAIL_SENT, pk, sender,
                f"Automatic follow-up: “Re: {subject}”",
                data=self.as_json({"subject": f"Re: {subject}"}), automated=True,
            )  # fmt: skip
            return follow_up, False
        return at, False

    def _between(self, start: int) -> int:
        """A moment between `start` and now, nearer to `start` more often than not."""
        return start + int((self.now - start) * self.rng.random() ** 1.5)

    def _working(self, moment: int, offset: int) -> int:
        """The moment moved into working hours (8:00-18:00, Monday to Friday)
        of a time zone `offset` seconds from UTC."""
        day, seconds = divmod(moment + offset, DAY)
        weekday = (day + 3) % 7  # 1970-01-01 was a Thursday
        if weekday >= 5:
            day += 7 - weekday
        return day * DAY + 8 * HOUR + seconds % (10 * HOUR) - offset


def _skill_index(names: set[str]) -> dict[str, tuple[int, str]]:
    """Each demo skill name → (id, the vocabulary's name for it)."""
    by_name = {name.lower(): (pk, name) for pk, name in Skill.objects.values_list("pk", "name")}
    aliases = dict(SkillAlias.objects.values_list("alias", "skill_id"))
    names_by_id = dict(by_name.values())
    index = {}
    for name in names:
        found = by_name.get(name.lower())
        if found is None and name.lower() in aliases:
            pk = aliases[name.lower()]
            found = (pk, names_by_id[pk])
        if found is None:
            skill = skill_resolve(name)
            found = (skill.pk, skill.name)
        index[name] = found
    return index


def _stamper() -> Callable[[int], Any]:
    """Seconds since the epoch → what the database driver takes for a DateTimeField."""
    if connection.vendor == "sqlite":
        # Django keeps aware datetimes in SQLite as naive UTC text.
        return lambda seconds: time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(seconds))
    return lambda seconds: dt.datetime.fromtimestamp(seconds, dt.UTC)


# --- writing --------------------------------------------------------------------------


def _columns(model: type[Model], names: Sequence[str]) -> str:
    fields = {f.name: f.column for f in model._meta.concrete_fields}
    return ", ".join(connection.ops.quote_name(fields[n]) for n in names)


def write_rows(model: type[Model], names: Sequence[str], rows: list[Row]) -> None:
    """INSERT many rows: COPY on PostgreSQL, executemany on SQLite."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    columns = _columns(model, names)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(names))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # noqa: S608


def reserve_ids(model: type[Model], count: int) -> list[int]:
    """Ids nobody else will use for `model`. Call inside the write transaction."""
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT MAX(id) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        top = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        seq = cursor.fetchone()
        top = max(top, seq[0] if seq else 0)
    return list(range(top + 1, top + 1 + count))


CANDIDATE_FIELDS = (
    "id", "first_name", "last_name", "headline", "current_title", "current_company", "city",
    "country", "timezone", "languages", "seniority", "years_experience", "linkedin_url",
    "github_url", "portfolio_url", "source", "owner", "custom_fields", "consent",
    "last_contacted_at", "engagement_score", "primary_email", "created_by",
    "created_at", "updated_at",
)  # fmt: skip
ACTIVITY_FIELDS = (
    "occurred_at", "kind", "candidate", "actor", "target_type", "target_id", "summary", "data",
    "confidential", "automated",
)  # fmt: skip


WRITTEN = (
    Candidate, ContactPoint, CandidateSkill, CandidateTag, PoolMembership, CandidateShare, Note,
    Activity, SearchDocument,
)  # fmt: skip


def write_chunk(chunk: Chunk) -> None:
    note_ids = reserve_ids(Note, len(chunk.notes))
    write_rows(Candidate, CANDIDATE_FIELDS, chunk.candidates)
    write_rows(
        ContactPoint,
        ("candidate", "kind", "value", "label", "is_primary", "created_at"),
        chunk.contacts,
    )
    write_rows(CandidateSkill, ("candidate", "skill", "level", "years"), chunk.skills)
    write_rows(CandidateTag, ("candidate", "tag", "added_by", "added_at"), chunk.tags)
    write_rows(PoolMembership, ("pool", "candidate", "added_by", "added_at"), chunk.memberships)
    write_rows(CandidateShare, ("candidate", "user", "shared_by", "shared_at"), chunk.shares)
    write_rows(SearchDocument, ("candidate", "tokens", "private_tokens"), chunk.documents)
    notes = [(pk, *row) for pk, row in zip(note_ids, chunk.notes, strict=True)]
    write_rows(
        Note,
        ("id", "candidate", "author", "body", "body_html", "confidential", "created_at"),
        notes,
    )
    chunk.activities += [
        (
            at,
            ActivityKind.NOTE_ADDED,
            candidate,
            author,
            "note",
            pk,
            summary,
            "{}",
            confidential,
            False,
        )
        for pk, (at, candidate, author, summary, confidential) in zip(
            note_ids, chunk.note_events, strict=True
        )
    ]
    write_rows(Activity, ACTIVITY_FIELDS, chunk.activities)


# --- the entry point --------------------------------------------------------------


@cache
def demo_data() -> dict[str, Any]:
    return dict(json.loads(DEMO_DATA.read_text(encoding="utf-8")))


@cache
def cities() -> list[dict[str, str]]:
    return list(json.loads(CITIES.read_text(encoding="utf-8")))


def demo_load(
    *,
    candidates: int,
    seed: int | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> DemoResult:
    """Add the demo team (when absent) and `candidates` new candidates."""
    began = time.perf_counter()
    # With a seed, times are placed from midnight so that a rerun the same day is identical.
    anchor = int(time.time()) if seed is None else int(time.time()) // DAY * DAY
    with transaction.atomic():
        team = demo_team()
        generator = Generator(seed=seed, team=team, total=candidates, anchor=anchor)
    counts = dict.fromkeys(("contacts", "skills", "tags", "memberships", "notes", "activities"), 0)
    with _fast_sqlite():
        done = 0
        while done < candidates:
            size = min(CHUNK, candidates - done)
            with transaction.atomic():
                ids = reserve_ids(Candidate, size)
                chunk = generator.chunk(ids, on_step=_halfway(on_progress, done))
                write_chunk(chunk)
            for name in counts:
                counts[name] += len(getattr(chunk, name))
            done += size
            if on_progress:
                on_progress(done)
        _analyze()
    return DemoResult(candidates=done, seconds=time.perf_counter() - began, **counts)


def _halfway(on_progress: Callable[[int], None] | None, done: int) -> Callable[[int], None] | None:
    """Making a chunk's rows takes about as long as writing them, so having
    made n of them counts as n/2 done."""
    if on_progress is None:
        return None
    return lambda n: on_progress(done + n // 2)


@contextmanager
def _fast_sqlite() -> Iterator[None]:
    """PRAGMA synchronous=OFF for the load only: a crash midway loses demo data,
    nothing else. Left alone inside an outer transaction (tests)."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        previous = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA synchronous=OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA synchronous={previous}")


def _analyze() -> None:
    """Fresh planner statistics, so the first pages after a big load are fast.
    On PostgreSQL, VACUUM also sets the visibility map of the candidates and
    of their skills, tags and pools, without which a COUNT(*) of them or a
    `skill:` search cannot use an index-only scan, and moves the search
    documents' new entries into their full-text index (autovacuum would do
    the same a while later, when it is on); the other tables only need
    ANALYZE (a VACUUM of the activity log costs seconds). The documents'
    vectors (`search_vector`, search's migration 0006, written by trigger)
    are vacuumed too: until then the planner has no statistics for them and
    the GIN index's newest entries wait in its pending list, which every
    full-text search reads whole (at a million,
    the benchmark's count p95 went from 356 to 209 ms, and the first page's
    p50 from 13 to 6 ms)."""
    if connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            vacuumed = (Candidate, SearchDocument, CandidateSkill, CandidateTag, PoolMembership)
            names = [connection.ops.quote_name(m._meta.db_table) for m in vacuumed]
            names.append("search_vector")
            others = [
                connection.ops.quote_name(m._meta.db_table) for m in WRITTEN if m not in vacuumed
            ]
            cursor.execute(f"VACUUM (ANALYZE) {', '.join(names)}")
            cursor.execute(f"ANALYZE {', '.join(others)}")
        else:
            cursor.execute("PRAGMA analysis_limit=1000")
            cursor.execute("PRAGMA optimize=0x10002")
