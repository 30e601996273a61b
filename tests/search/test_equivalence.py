"""The database against an oracle: random queries over a small vocabulary,
answered by the compiled query on the database and by a plain-Python
evaluator of the parsed tree over the same candidates held in memory. The
suite runs on SQLite and again on PostgreSQL, so agreeing with the oracle
on both means both databases answer alike."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from rapport.accounts.models import User
from rapport.core.text import fold, words
from rapport.people.models import Candidate, Skill, SkillAlias
from rapport.people.services import note_add
from rapport.search.compiler import compile_query
from rapport.search.query import And, Field, Node, Not, Or, QueryError, Text, parse

MakeCandidate = Callable[..., Candidate]


@dataclass
class Person:
    """A candidate as the oracle sees it: the values the test gave."""

    first_name: str
    last_name: str
    headline: str = ""
    title: str = ""
    company: str = ""
    city: str = ""
    country: str = ""
    seniority: str = ""
    years: int | None = None
    skills: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)  # confidential notes

    @property
    def email(self) -> str:
        return f"{fold(self.first_name)}@example.org"


PEOPLE = [
    Person(
        "Ana",
        "Lima",
        headline="Cloud data platform",
        title="Senior Data Engineer",
        company="Acme Cloud",
        city="São Paulo",
        country="BR",
        seniority="senior",
        years=8,
        skills=["Python", "Go", "Kubernetes"],
        notes=["python go backend"],
        secrets=["lead engineer rust"],
    ),
    Person(
        "Bruno",
        "Costa",
        headline="Backend go lead",
        title="Lead Backend Engineer",
        company="Bluefin",
        city="Lisboa",
        country="PT",
        seniority="lead",
        years=12,
        skills=["Go", "Rust"],
        secrets=["salary python"],
    ),
    Person(
        "Carla",
        "Dias",
        headline="Frontend and node",
        title="Frontend Developer",
        company="Acme",
        city="Porto",
        country="PT",
        seniority="mid",
        years=4,
        skills=["JavaScript", "Node.js"],
        notes=["data python platform"],
    ),
    Person(
        "Diego",
        "Ruiz",
        headline="Data engineer",
        title="Data Platform Engineer",
        company="Nimbus Data",
        city="Bogotá",
        country="CO",
        seniority="senior",
        skills=["Python", "SQL", "Apache Spark"],
    ),
    Person(
        "Eva",
        "Novak",
        title="Embedded C Developer",
        company="Robotics Lab",
        city="Praha",
        country="CZ",
        seniority="junior",
        years=2,
        skills=["C"],
        notes=["c++ soon"],
        secrets=["cloud"],
    ),
    Person(
        "Femi",
        "Ade",
        title="Systems Engineer",
        company="Lagos Cloud",
        city="Lagos",
        country="NG",
        seniority="principal",
        years=15,
        skills=["C++", "C", "Rust"],
    ),
    Person(
        "Gao",
        "Wei",
        title="Senior Go Engineer",
        company="Dragon Data",
        city="Shanghai",
        country="CN",
        seniority="senior",
        years=9,
        skills=["Go", "Kubernetes"],
        notes=["backend platform lead"],
    ),
    Person(
        "Hana",
        "Sato",
        title="Engineering Lead",
        company="Acme",
        city="Tokyo",
        country="JP",
        seniority="lead",
        years=11,
        skills=["Python", "Django"],
        secrets=["go rust", "data platform"],
    ),
    Person(
        "Ivo",
        "Paulo",
        title="Junior Backend Developer",
        company="Paulo Systems",
        city="Recife",
        country="BR",
        seniority="junior",
        years=1,
        skills=["JavaScript"],
    ),
    Person("Jia", "Lin"),
]

TEXT = [
    "python",
    "go",
    "golang",
    "data",
    "engineer",
    "senior",
    "backend",
    "platform",
    "rust",
    "lead",
    "cloud",
    "sao",
    "São",
    "paulo",
    "acme",
    "node",
    "js",
    "node.js",
    "c",
    "c++",
    "cpp",
    "developer",
    "k8s",
    "salary",
    "spark",
    "eng*",
    "dev*",
    "plat*",
    "back*",
    "py*",
    "da*",
    '"data engineer"',
    '"sao paulo"',
    '"senior data"',
    '"lead backend"',
    '"backend engineer"',
    '"python go"',
    '"go backend"',
    '"go rust"',
    '"paulo junior"',
]
FIELDS = [
    "skill:python",
    "skill:go",
    "skill:k8s",
    "skill:c",
    'skill:"c++"',
    "skill:rust",
    "skill:java*",
    "skills:(go OR rust)",
    "skill:(python go)",
    "country:BR",
    "country:pt",
    "country:Brazil",
    "seniority:senior",
    "level:lead",
    "seniority:junior",
    "years:>=8",
    "years:<5",
    "years:5..12",
    "years:12",
    "title:engineer",
    'title:"data engineer"',
    "title:dev*",
    'city:"sao paulo"',
    "company:acme",
]
COUNTRIES = {"br": "BR", "brazil": "BR", "pt": "PT"}


# --- the oracle ------------------------------------------------------------------------


def has_phrase(sequence: list[str], phrase: list[str], prefix: bool) -> bool:
    """Whether the words appear in a row; with `prefix`, the last one only starts a word."""
    size = len(phrase)
    for at in range(len(sequence) - size + 1):
        window = sequence[at : at + size]
        if window[:-1] != phrase[:-1]:
            continue
        last = window[-1]
        if last == phrase[-1] or (prefix and last.startswith(phrase[-1])):
            return True
    return False


class Oracle:
    """Evaluates a parsed query over the people, as the query language documents it."""

    def __init__(self, people: list[Person], skill_order: dict[str, int]) -> None:
        self.people = people
        self.skill_order = skill_order
        self.skill_names = {
            fold(name): name for name in Skill.objects.values_list("name", flat=True)
        }
        self.aliases = dict(SkillAlias.objects.values_list("alias", "skill__name"))

    def skill(self, value: str) -> str | None:
        folded = fold(value)
        return self.skill_names.get(folded) or self.aliases.get(folded)

    def plain(self, person: Person) -> list[str]:
        """The words free text reads, in the document's order."""
        texts = [
            person.first_name,
            person.last_name,
            person.headline,
            person.title,
            person.company,
            person.city,
            *sorted(person.skills, key=self.skill_order.__getitem__),
            person.email,
            *person.notes,
        ]
        return [w for text in texts for w in words(text)]

    def matches(self, node: Node, person: Person, private: bool) -> bool:
        if isinstance(node, And):
            return all(self.matches(c, person, private) for c in node.children)
        if isinstance(node, Or):
            return any(self.matches(c, person, private) for c in node.children)
        if isinstance(node, Not):
            return not self.matches(node.child, person, private)
        if isinstance(node, Text):
            return self.text(node, person, private)
        return self.field(node, person)

    def text(self, node: Text, person: Person, private: bool) -> bool:
        phrase = words(node.value)
        assert phrase, "the vocabulary has only terms with letters"
        skill = None if node.prefix else self.skill(node.value)
        if skill in person.skills:
            return True
        symbols = any(not (c.isalnum() or c.isspace()) for c in node.value)
        if skill is not None and symbols:
            return False  # c++ is the skill, never the letter c
        secret = [w for text in person.secrets for w in words(text)]
        return has_phrase(self.plain(person), phrase, node.prefix) or (
            private and has_phrase(secret, phrase, node.prefix)
        )

    def field(self, node: Field, person: Person) -> bool:
        value = node.value
        if node.name == "skill":
            if value.endswith("*"):
                stem = fold(value.rstrip("*"))
                return any(fold(s).startswith(stem) for s in person.skills)
            return self.skill(value) in person.skills
        if node.name == "country":
            return person.country == COUNTRIES.get(value.lower(), value.upper())
        if node.name == "seniority":
            return person.seniority == value
        if node.name == "years":
            return self.years(value, person.years)
        if node.name in ("title", "city", "company"):
            text = {"title": person.title, "city": person.city, "company": person.company}
            prefix = value.endswith("*") and not node.quoted
            return has_phrase(words(text[node.name]), words(value.rstrip("*")), prefix)
        raise AssertionError(f"the oracle does not know {node.name}:")

    def years(self, value: str, years: int | None) -> bool:
        if years is None:
            return False
        if ".." in value:
            low, _, high = value.partition("..")
            return int(low) <= years <= int(high)
        found = re.fullmatch(r"(>=|<=|>|<)?(\d+)", value)
        assert found is not None
        op, number = found.group(1) or "=", int(found.group(2))
        return {
            "=": years == number,
            ">": years > number,
            ">=": years >= number,
            "<": years < number,
            "<=": years <= number,
        }[op]


# --- random queries --------------------------------------------------------------------------

TERMS = st.sampled_from(TEXT + FIELDS)


def combined(parts: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    pairs = st.tuples(parts, parts)
    return st.one_of(
        pairs.map(lambda p: f"{p[0]} {p[1]}"),
        pairs.map(lambda p: f"{p[0]} AND {p[1]}"),
        pairs.map(lambda p: f"{p[0]} OR {p[1]}"),
        parts.map(lambda q: f"NOT {q}"),
        parts.map(lambda q: f"({q})"),
        parts.map(lambda q: f"-({q})"),
    )


QUERIES = st.recursive(TERMS | TERMS.map(lambda t: f"-{t}"), combined, max_leaves=6)


# --- the test -----------------------------------------------------------------------------------


def build(make_candidate: MakeCandidate, owner: User) -> dict[str, int]:
    ids = {}
    for person in PEOPLE:
        made = make_candidate(
            first_name=person.first_name,
            last_name=person.last_name,
            headline=person.headline,
            current_title=person.title,
            current_company=person.company,
            city=person.city,
            country=person.country,
            seniority=person.seniority,
            years_experience=person.years,
            emails=[person.email],
            skills=person.skills,
        )
        for body in person.notes:
            note_add(actor=owner, candidate=made, body=body)
        for body in person.secrets:
            note_add(actor=owner, candidate=made, body=body, confidential=True)
        ids[person.first_name] = made.pk
    return ids


def test_the_database_answers_every_query_as_the_oracle_does(
    make_candidate: MakeCandidate, owner: User, sourcer: User
) -> None:
    ids = build(make_candidate, owner)
    skill_order = dict(Skill.objects.values_list("name", "pk"))
    oracle = Oracle(PEOPLE, skill_order)
    users = {"recruiter": (owner, True), "sourcer": (sourcer, False)}

    @settings(
        max_examples=100,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(query=QUERIES, role=st.sampled_from(sorted(users)))
    @example(query="python -go", role="recruiter")
    @example(query="c++ OR c", role="recruiter")
    @example(query="c -c++", role="sourcer")
    @example(query='"sao paulo" OR k8s', role="sourcer")
    @example(query="NOT (python OR skill:rust) seniority:senior", role="recruiter")
    @example(query="salary", role="recruiter")
    @example(query="salary", role="sourcer")
    @example(query="-salary python", role="sourcer")
    @example(query='rust -"go rust"', role="recruiter")
    @example(query="dev* -c -years:<5", role="recruiter")
    @example(query="-years:5..12 OR data", role="sourcer")
    @example(query="go OR python seniority:senior", role="recruiter")
    def check(query: str, role: str) -> None:
        try:
            tree = parse(query)
        except QueryError as error:
            assume(not error.message.startswith("Parentheses nest"))
            raise
        user, private = users[role]
        assert tree is not None
        expected = {p.first_name for p in PEOPLE if oracle.matches(tree, p, private)}
        condition = compile_query(user, query).condition
        got_ids = set(Candidate.objects.filter(condition).values_list("pk", flat=True))
        got = {name for name, pk in ids.items() if pk in got_ids}
        assert got == expected, query

    check()


@pytest.mark.parametrize(
    ("query", "private", "expected"),
    [
        ("python", False, {"Ana", "Carla", "Diego", "Hana"}),
        ("python", True, {"Ana", "Bruno", "Carla", "Diego", "Hana"}),
        ('"go rust"', True, {"Bruno", "Hana"}),
        ('"go rust"', False, {"Bruno"}),
        ("c++", False, {"Femi"}),
        ("c++ OR c", False, {"Eva", "Femi"}),
        ("years:>=8 -skill:go", False, {"Femi", "Hana"}),
        ("-years:<5", False, {"Ana", "Bruno", "Diego", "Femi", "Gao", "Hana", "Jia"}),
    ],
)
def test_the_oracle_itself_answers_by_hand_worked_examples(
    db: None, query: str, private: bool, expected: set[str]
) -> None:
    skill_order = dict(Skill.objects.values_list("name", "pk"))
    for person in PEOPLE:
        for name in person.skills:
            skill_order.setdefault(name, 0)
    oracle = Oracle(PEOPLE, skill_order)
    tree = parse(query)
    assert tree is not None
    assert {p.first_name for p in PEOPLE if oracle.matches(tree, p, private)} == expected
