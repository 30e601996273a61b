"""Each way a search can read its matches gives the same candidates in the
same order: as a set, as a set tested while walking the sort index, and one
by one. Every query here is run in each form, on whichever database the
suite runs on, and checked against the oracle of the equivalence test and
against the other forms, page and count. Then the choice between the forms,
from the estimated share of matches, and when a search may choose at all."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rapport.accounts.models import User
from rapport.people.models import Candidate, Skill
from rapport.search import plans
from rapport.search.compiler import compile_query
from rapport.search.plans import Form, Members
from rapport.search.query import parse
from rapport.search.selectors import candidate_search
from tests.search.test_equivalence import PEOPLE, MakeCandidate, Oracle, build

SOLE = [
    "python",
    "engineer",
    "-engineer",
    "-python",
    '"data engineer"',
    "eng*",
    "-dev*",
    "k8s",
    "c++",
    "python -go",
    "(rust OR go) -lead",
    "title:engineer",
    "-title:dev*",
    "skill:python",
    "-skill:go",
    "skill:java*",
    "has:email",
    "-has:email",
    "salary",
    "nobody",
]
SORTS = ["-created", "name", "-contacted", "contacted", "-updated"]


@pytest.fixture
def people(make_candidate: MakeCandidate, owner: User) -> dict[str, int]:
    return build(make_candidate, owner)


def forced(monkeypatch: pytest.MonkeyPatch, form: Form) -> None:
    monkeypatch.setattr(plans, "choose", lambda rows, members, share, lone=True: form)


@pytest.mark.parametrize("form", list(Form))
@pytest.mark.parametrize("query", SOLE)
def test_every_form_finds_what_the_oracle_finds(
    monkeypatch: pytest.MonkeyPatch, people: dict[str, int], owner: User, query: str, form: Form
) -> None:
    compiled = compile_query(owner, query)
    assert compiled.sole is not None, "each query here is one set of candidates"
    members, _ = compiled.sole
    if form is Form.EACH and members.each is None:
        pytest.skip("a prefix is never tested one by one")
    oracle = Oracle(PEOPLE, dict(Skill.objects.values_list("name", "pk")))
    tree = parse(query)
    assert tree is not None
    if query.lstrip("-").startswith("has:"):
        expected = set(people) if not query.startswith("-") else set()  # everyone has an email
    else:
        expected = {p.first_name for p in PEOPLE if oracle.matches(tree, p, private=True)}
    forced(monkeypatch, form)
    rows = candidate_search(owner, query=query, sort="-created").rows
    page = list(rows[:50].values_list("first_name", flat=True))
    assert set(page) == expected
    assert len(page) == len(expected)
    assert rows.count() == len(expected)


@pytest.mark.parametrize("form", [Form.SET, Form.WALK])
@pytest.mark.parametrize(
    "query",
    [
        "python country:BR",
        "engineer years:>=8",
        "-python seniority:senior",
        "skill:go -title:lead",
        "python OR skill:rust",
        "(eng* OR data) years:<10",
    ],
)
def test_sets_beside_other_conditions_find_what_the_oracle_finds(
    monkeypatch: pytest.MonkeyPatch, people: dict[str, int], owner: User, query: str, form: Form
) -> None:
    oracle = Oracle(PEOPLE, dict(Skill.objects.values_list("name", "pk")))
    tree = parse(query)
    assert tree is not None
    expected = {p.first_name for p in PEOPLE if oracle.matches(tree, p, private=True)}
    forced(monkeypatch, form)
    rows = candidate_search(owner, query=query, sort="-created").rows
    page = list(rows[:50].values_list("first_name", flat=True))
    assert sorted(page) == sorted(expected)
    assert rows.count() == len(expected)


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("query", ["engineer", "-engineer", "dev*", "skill:go", "-skill:go"])
def test_every_form_keeps_the_order_and_the_pages(
    monkeypatch: pytest.MonkeyPatch, people: dict[str, int], owner: User, query: str, sort: str
) -> None:
    pages: dict[Form, list[list[int]]] = {}
    for form in Form:
        forced(monkeypatch, form)
        rows = candidate_search(owner, query=query, sort=sort).rows
        pages[form] = [list(rows[at : at + 2].values_list("pk", flat=True)) for at in (0, 2, 4)]
    assert pages[Form.WALK] == pages[Form.SET]
    assert pages[Form.EACH] == pages[Form.SET]
    assert any(pages[Form.SET]), "the query finds someone"


def test_a_count_reads_the_set_whatever_a_page_would_do(
    monkeypatch: pytest.MonkeyPatch, people: dict[str, int], owner: User
) -> None:
    chosen: list[int | None] = []

    def choose(rows: int | None, members: Members, share: plans.Share, lone: bool = True) -> Form:
        chosen.append(rows)
        return Form.SET if rows is None else Form.EACH

    monkeypatch.setattr(plans, "choose", choose)
    rows = candidate_search(owner, query="engineer", sort="-created").rows
    assert rows.filter(country="BR").count() == 1  # Ana
    assert len(rows[:3]) == 3
    assert chosen == [None, 3]


@pytest.mark.parametrize("query", SOLE)
def test_a_lone_set_is_counted_from_its_index_exactly(
    people: dict[str, int],
    owner: User,
    query: str,
    django_assert_num_queries: Callable[..., AbstractContextManager[object]],
) -> None:
    rows = candidate_search(owner, query=query, sort="-created").rows
    expected = Candidate.objects.filter(compile_query(owner, query).condition).count()
    with django_assert_num_queries(1):
        assert rows.count() == expected
    assert rows.filter(country="PT").count() == len([p for p in rows if p.country == "PT"]), (
        "a queryset made from it counts its own rows"
    )


@pytest.mark.parametrize(
    ("fraction", "rows", "probe", "expected"),
    [
        (0.95, 50, plans.TEXT_PROBE, Form.EACH),  # `example`: nearly everyone
        (0.8, 50, plans.TEXT_PROBE, Form.EACH),  # a broad negation
        (0.26, 50, None, Form.WALK),  # `eng*`: a prefix, never one by one
        (0.06, 50, plans.TEXT_PROBE, Form.WALK),  # `nurse`
        (0.7, 50, plans.ROW_PROBE, Form.EACH),  # `has:phone`
        (0.1, 50, plans.ROW_PROBE, Form.EACH),  # `skill:python`
        (0.001, 50, plans.TEXT_PROBE, Form.SET),  # a rare word
        (0.001, 50, plans.ROW_PROBE, Form.SET),  # a small tag
        (0.95, 50_000, plans.TEXT_PROBE, Form.WALK),  # a deep page
        (0.0, 50, plans.TEXT_PROBE, Form.SET),  # nobody
    ],
)
def test_the_cheapest_form_follows_the_share_of_matches(
    fraction: float, rows: int, probe: float | None, expected: Form
) -> None:
    assert plans.cheapest(rows, fraction, 1_000_000, probe=probe) is expected


def test_a_count_reads_the_set_and_postgresql_plans_exists_itself(
    people: dict[str, int], owner: User
) -> None:
    sole = compile_query(owner, "engineer").sole
    assert sole is not None
    share = plans.Share(sole[0], negated=False)
    postgres = connection.vendor == "postgresql"
    assert plans.choose(None, sole[0], share) is (Form.EACH if postgres else Form.SET)
    assert plans.choose(50, sole[0], share) is (Form.EACH if postgres else Form.SET)  # 10 people


def test_the_share_is_sampled_from_the_newest_candidates(
    people: dict[str, int], owner: User
) -> None:
    sole = compile_query(owner, "engineer").sole
    assert sole is not None
    share = plans.Share(sole[0], negated=False)
    fraction, pool = share()
    assert fraction == pytest.approx(5 / 10)
    assert pool >= 10  # from the ids' density among the newest: ids may start high
    assert plans.Share(sole[0], negated=True)()[0] == pytest.approx(5 / 10)


@pytest.mark.parametrize(
    ("query", "sole"),
    [
        ("python", True),
        ("-python", True),
        ("python -go", True),
        ("skill:python", True),
        ("-has:phone", True),
        ("NOT NOT python", True),
        ("python country:BR", False),
        ("python OR skill:go", False),
        ("has:linkedin", False),
        ("country:BR", False),
        ("", False),
    ],
)
def test_only_a_lone_set_of_candidates_may_be_read_another_way(
    db: None, owner: User, query: str, sole: bool
) -> None:
    assert (compile_query(owner, query).sole is not None) is sole


def test_the_search_chooses_only_over_the_whole_pool_in_an_indexed_order(
    monkeypatch: pytest.MonkeyPatch, people: dict[str, int], owner: User, manager: User
) -> None:
    def lone(**search: object) -> bool:
        """Whether a first page may read the matches one by one."""
        chosen: list[bool] = []

        def choose(
            rows: int | None, members: Members, share: plans.Share, lone: bool = True
        ) -> Form:
            chosen.append(lone)
            return Form.SET

        monkeypatch.setattr(plans, "choose", choose)
        list(candidate_search(query="engineer", **search).rows[:50])  # type: ignore[arg-type]
        return any(chosen)

    assert lone(user=owner, sort="-created")
    assert not lone(user=owner)  # ranked: every match is scored anyway
    assert not lone(user=owner, sort="name", tag="x")
    assert not lone(user=manager, sort="name")


@pytest.mark.parametrize("form", [Form.SET, Form.WALK])
@pytest.mark.parametrize(
    "query", ["country:BR", "country:PT python", "-country:PT", "country:BR OR country:CZ"]
)
def test_a_common_country_walked_past_finds_the_same_people(
    monkeypatch: pytest.MonkeyPatch, people: dict[str, int], owner: User, query: str, form: Form
) -> None:
    oracle = Oracle(PEOPLE, dict(Skill.objects.values_list("name", "pk")))
    tree = parse(query)
    assert tree is not None
    expected = {p.first_name for p in PEOPLE if oracle.matches(tree, p, private=True)}
    monkeypatch.setattr(plans, "walk_past", lambda rows, fraction, pool: form)
    for sort in SORTS:
        rows = candidate_search(owner, query=query, sort=sort).rows
        page = list(rows[:50].values_list("first_name", flat=True))
        assert sorted(page) == sorted(expected)
        assert rows.count() == len(expected)


@pytest.mark.parametrize(
    ("rows", "fraction", "expected"),
    [(50, 0.16, Form.WALK), (50, 0.0001, Form.SET), (50, 0.0, Form.SET), (50_000, 0.01, Form.SET)],
)
def test_a_country_is_walked_past_when_common(rows: int, fraction: float, expected: Form) -> None:
    assert plans.walk_past(rows, fraction, 1_000_000) is expected


@pytest.mark.parametrize(
    ("fraction", "text", "expected"),
    [
        (0.02, True, Form.WALK),  # `"machine learning"`: PostgreSQL expects 765
        (0.011, True, Form.WALK),  # `"site reliability"`
        (0.2, True, Form.EACH),  # `engineer`: it walks on its own, more cheaply
        (0.105, False, Form.WALK),  # `skill:python`: a cheap probe of an index
        (0.004, True, Form.EACH),  # `"sao paulo"`: few enough to look up
        (0.0, False, Form.EACH),
    ],
)
def test_postgresql_is_made_to_walk_only_between_few_and_dense(
    fraction: float, text: bool, expected: Form
) -> None:
    assert plans.walk_or_not(50, fraction, 1_000_000, text=text) is expected


@pytest.mark.parametrize(
    "query", ["python", "skill:python", "dev*", '"data engineer"', "has:email"]
)
def test_a_first_page_of_a_lone_set_costs_one_sample_and_one_read_with_the_owners(
    people: dict[str, int],
    owner: User,
    query: str,
    django_assert_num_queries: Callable[..., AbstractContextManager[object]],
) -> None:
    rows = candidate_search(owner, query=query, sort="-created").rows
    with django_assert_num_queries(2):  # the share of the pool, then the page
        page = list(rows[:50])
        owners = {c.owner.email for c in page if c.owner is not None}
    assert page, "the query finds someone"
    assert owners == {owner.email}


def test_a_negated_first_page_on_postgresql_is_one_statement(
    people: dict[str, int],
    owner: User,
    django_assert_num_queries: Callable[..., AbstractContextManager[object]],
) -> None:
    rows = candidate_search(owner, query="-python", sort="-created").rows
    postgres = connection.vendor == "postgresql"
    with django_assert_num_queries(1 if postgres else 2):  # PostgreSQL plans NOT EXISTS itself
        assert list(rows[:50])


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("query", ["engineer", "-engineer", "dev*", "skill:go", "-has:phone"])
def test_a_page_read_by_its_ids_first_is_the_same_page(
    people: dict[str, int], owner: User, query: str, sort: str
) -> None:
    rows = candidate_search(owner, query=query, sort=sort).rows
    assert isinstance(rows, plans.CountedRows)
    for at in (0, 2, 4, 9):
        page = rows[at : at + 3]
        expected = list(page.values_list("pk", flat=True))  # read as usual
        late = list(page.late())
        assert [c.pk for c in late] == expected
        assert [c.pk for c in page] == expected  # however this database reads it
    first = rows.first()  # a slice of one, then a get: read the same way
    assert first is not None
    assert rows.get(pk=first.pk) == first


def test_pages_of_different_searches_in_one_order_share_one_kept_statement(
    people: dict[str, int], owner: User
) -> None:
    plans._around.clear()
    for query in ("engineer", "skill:go", "-has:phone", "dev*"):
        page = candidate_search(owner, query=query, sort="name").rows[:3]
        expected = list(page.values_list("pk", flat=True))
        assert [c.pk for c in page.late()] == expected, query
    assert len(plans._around) == 1  # only the ids differ


def test_on_postgresql_a_page_of_a_lone_set_reads_its_ids_before_its_rows(
    people: dict[str, int], owner: User
) -> None:
    rows = candidate_search(owner, query="engineer", sort="name").rows
    with CaptureQueriesContext(connection) as captured:
        names = [c.last_name for c in rows[:3]]
    page = captured.captured_queries[-1]["sql"]
    late = connection.vendor == "postgresql"
    assert "LIMIT 3" in page
    assert page.endswith("LIMIT 3") is not late  # the limit is the inner query's
    assert names == sorted(names)
    assert [c.last_name for c in rows.filter(country="BR")[:3]], "a queryset made from it too"


def test_a_sample_prices_the_first_pages_of_the_same_condition_for_a_while(
    monkeypatch: pytest.MonkeyPatch,
    people: dict[str, int],
    owner: User,
    django_assert_num_queries: Callable[..., AbstractContextManager[object]],
) -> None:
    def first_page(query: str, sort: str = "-created", *, statements: int) -> list[int]:
        rows = candidate_search(owner, query=query, sort=sort).rows
        with django_assert_num_queries(statements):
            return [c.pk for c in rows[:50]]

    first = first_page("python", statements=2)
    # The same condition, sampled a moment ago: the page alone.
    assert first_page("python", statements=1) == first
    assert first_page("python", sort="name", statements=1)
    assert first_page("skill:python", statements=2)  # a sample of its own
    monkeypatch.setattr(plans, "SHARE_FOR", 0.0)
    assert first_page("python", statements=2) == first  # an old sample is taken again
