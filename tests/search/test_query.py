"""The query language's parser on its own: what tree a query becomes, and
where a QueryError points when it cannot become one. No database."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rapport.search.query import (
    MAX_DEPTH,
    MAX_LENGTH,
    MAX_TERMS,
    And,
    Field,
    Node,
    Not,
    Or,
    QueryError,
    Text,
    parse,
)


def shape(node: Node | None) -> object:
    """The tree without positions, to compare structure at a glance."""
    if node is None:
        return None
    if isinstance(node, Text):
        return node.value + ("*" if node.prefix else "") if not node.phrase else f'"{node.value}"'
    if isinstance(node, Field):
        return f"{node.name}:{node.value}"
    if isinstance(node, Not):
        return ("NOT", shape(node.child))
    if isinstance(node, And):
        return ("AND", *(shape(c) for c in node.children))
    return ("OR", *(shape(c) for c in node.children))


def error(text: str) -> QueryError:
    with pytest.raises(QueryError) as caught:
        parse(text)
    return caught.value


def attempt(text: str) -> Node | QueryError | None:
    """The tree, or the QueryError; anything else propagates and fails the test."""
    try:
        return parse(text)
    except QueryError as found:
        return found


def pointed(text: str) -> tuple[str, int, int]:
    found = error(text)
    return found.message, found.position, found.length


# --- precedence ----------------------------------------------------------------------


def test_an_empty_or_blank_query_means_everyone() -> None:
    assert parse("") is None
    assert parse("   \t\n ") is None


def test_words_side_by_side_must_all_match() -> None:
    assert shape(parse("python django")) == ("AND", "python", "django")
    assert shape(parse("python AND django")) == ("AND", "python", "django")


def test_and_binds_tighter_than_or() -> None:
    assert shape(parse("python AND django OR flask")) == (
        "OR",
        ("AND", "python", "django"),
        "flask",
    )
    assert shape(parse("go OR python django")) == ("OR", "go", ("AND", "python", "django"))
    assert shape(parse("a b OR c d")) == ("OR", ("AND", "a", "b"), ("AND", "c", "d"))


def test_not_binds_tighter_than_and() -> None:
    assert shape(parse("NOT java python")) == ("AND", ("NOT", "java"), "python")
    assert shape(parse("python OR NOT java")) == ("OR", "python", ("NOT", "java"))
    assert shape(parse("NOT NOT java")) == ("NOT", ("NOT", "java"))


def test_parentheses_override_precedence_and_span_the_group() -> None:
    tree = parse("(python OR go) senior")
    assert shape(tree) == ("AND", ("OR", "python", "go"), "senior")
    assert isinstance(tree, And)
    group = tree.children[0]
    assert (group.start, group.end) == (0, 14)
    assert (tree.start, tree.end) == (0, 21)


def test_a_dash_before_a_term_negates_it() -> None:
    tree = parse("python -contractor")
    assert shape(tree) == ("AND", "python", ("NOT", "contractor"))
    assert isinstance(tree, And)
    negation = tree.children[1]
    assert (negation.start, negation.end) == (7, 18)
    assert shape(parse("-(java OR php)")) == ("NOT", ("OR", "java", "php"))
    assert shape(parse("-skill:java")) == ("NOT", "skill:java")


def test_a_dash_on_its_own_or_inside_a_word_is_text() -> None:
    assert shape(parse("full - time")) == ("AND", "full", "-", "time")
    assert shape(parse("full-time")) == "full-time"


def test_lower_case_and_or_not_are_words() -> None:
    assert shape(parse("rock and roll or not")) == ("AND", "rock", "and", "roll", "or", "not")
    assert shape(parse("And Or Not")) == ("AND", "And", "Or", "Not")


# --- terms ---------------------------------------------------------------------------


def test_a_quoted_phrase_is_one_term_with_its_span() -> None:
    assert parse('"site reliability"') == Text("site reliability", True, False, 0, 18)
    assert shape(parse('python "machine learning" AND go')) == (
        "AND",
        "python",
        '"machine learning"',
        "go",
    )


def test_operators_inside_quotes_are_words() -> None:
    assert parse('"rock AND roll"') == Text("rock AND roll", True, False, 0, 15)


def test_a_star_at_the_end_of_a_word_makes_a_prefix() -> None:
    assert parse("dev*") == Text("dev", False, True, 0, 4)
    assert parse("dev**") == Text("dev", False, True, 0, 5)
    assert parse("Ab*") == Text("Ab", False, True, 0, 3)


def test_a_field_is_a_name_a_colon_and_a_value() -> None:
    assert parse("country:BR") == Field("country", "BR", False, 0, 10, 8)
    assert parse("python title:engineer") == And(
        (Text("python", False, False, 0, 6), Field("title", "engineer", False, 7, 21, 13)), 0, 21
    )


def test_a_field_value_may_be_quoted() -> None:
    assert parse('city:"São Paulo"') == Field("city", "São Paulo", True, 0, 16, 5)
    assert parse('years:>="5"') == Field("years", ">=5", True, 0, 11, 6)


def test_a_field_value_keeps_its_symbols() -> None:
    assert parse("tag:silver-medallist") == Field("tag", "silver-medallist", False, 0, 20, 4)
    assert parse("skill:c++") == Field("skill", "c++", False, 0, 9, 6)
    assert parse("years:3..8") == Field("years", "3..8", False, 0, 10, 6)


def test_a_field_group_applies_the_field_to_every_value_in_it() -> None:
    tree = parse("skill:(go OR rust)")
    assert tree == Or(
        (Field("skill", "go", False, 7, 9, 7), Field("skill", "rust", False, 13, 17, 13)), 0, 18
    )
    assert shape(parse('title:(senior -"backend engineer")')) == (
        "AND",
        "title:senior",
        ("NOT", "title:backend engineer"),
    )


def test_aliases_and_capitals_name_the_canonical_field() -> None:
    assert shape(parse("skills:python")) == "skill:python"
    assert shape(parse("Skill:python")) == "skill:python"
    assert shape(parse("level:senior experience:>5")) == (
        "AND",
        "seniority:senior",
        "years:>5",
    )
    assert shape(parse("lang:pt timezone:Europe contacted:>90d")) == (
        "AND",
        "language:pt",
        "tz:Europe",
        "last_contacted:>90d",
    )


def test_a_colon_after_something_that_is_not_a_name_is_part_of_a_word() -> None:
    assert shape(parse("12:30")) == "12:30"
    assert shape(parse(":python")) == ":python"


# --- errors, with what they point at -----------------------------------------------------


def test_an_unclosed_quote_points_at_the_quote() -> None:
    assert pointed('python "site reliability') == (
        'This quote is never closed; add a closing ".',
        7,
        1,
    )
    assert pointed('city:"São Paulo') == ('This quote is never closed; add a closing ".', 5, 1)


def test_an_unclosed_parenthesis_points_at_it() -> None:
    assert pointed("python (go OR rust") == ("This parenthesis is never closed; add a ).", 7, 1)
    assert pointed("(") == ("This parenthesis is never closed; add a ).", 0, 1)
    assert pointed("skill:(go OR rust") == ("This parenthesis is never closed; add a ).", 6, 1)


def test_a_parenthesis_that_closes_nothing_points_at_it() -> None:
    assert pointed("python) go") == ("This parenthesis closes nothing; remove it.", 6, 1)
    assert pointed("(a) b)") == ("This parenthesis closes nothing; remove it.", 5, 1)
    assert pointed(")") == ("This parenthesis closes nothing; remove it.", 0, 1)


def test_empty_parentheses_and_empty_quotes_point_at_both_marks() -> None:
    assert pointed("python ()") == ("These parentheses are empty.", 7, 2)
    assert pointed("skill:()") == ("These parentheses are empty.", 6, 2)
    assert pointed('python ""') == ("These quotes are empty.", 7, 2)


def test_an_operator_without_a_term_after_it_points_at_the_operator() -> None:
    assert pointed("python OR") == ("OR needs a term after it, e.g. python OR go.", 7, 2)
    assert pointed("python AND") == (
        "AND needs a term after it, e.g. python AND django.",
        7,
        3,
    )
    assert pointed("python NOT") == ("NOT needs a term after it, e.g. NOT java.", 7, 3)
    assert pointed("(python AND) go") == (
        "AND needs a term after it, e.g. python AND django.",
        8,
        3,
    )
    assert pointed("python AND OR go") == (
        "AND needs a term after it, e.g. python AND django.",
        7,
        3,
    )
    assert pointed("(python -)") == ("- needs a term after it, e.g. NOT java.", 8, 1)


def test_an_operator_without_a_term_before_it_points_at_the_operator() -> None:
    assert pointed("AND python") == ("AND needs a term before it, e.g. python AND go.", 0, 3)
    assert pointed("go (AND python)") == (
        "AND needs a term before it, e.g. python AND go.",
        4,
        3,
    )
    message, position, _ = pointed("OR python")
    assert (message, position) == ("OR needs a term before it, e.g. python OR go.", 0)


def test_an_or_without_a_term_before_it_underlines_just_the_or() -> None:
    assert error("OR python").length == 2


def test_an_unknown_field_suggests_the_nearest_one() -> None:
    found = error("python skil:go")
    assert found.message.startswith("There is no field called skil:. Did you mean skill:? Fields: ")
    assert "skill, title, company, city, country" in found.message
    assert (found.position, found.length) == (7, 5)


def test_an_unknown_field_near_an_alias_suggests_the_canonical_name() -> None:
    found = error("lnag:pt")
    assert found.message.startswith("There is no field called lnag:. Did you mean language:? ")
    assert (found.position, found.length) == (0, 5)


def test_an_unknown_field_far_from_every_name_gets_no_suggestion() -> None:
    found = error("xyzzy:1")
    assert found.message.startswith("There is no field called xyzzy:. Fields: skill, ")
    assert "Did you mean" not in found.message
    assert (found.position, found.length) == (0, 6)


def test_an_unknown_field_inside_a_group_points_at_its_name() -> None:
    found = error("(go OR colour:red)")
    assert found.message.startswith("There is no field called colour:.")
    assert (found.position, found.length) == (7, 7)


def test_a_field_without_a_value_points_at_its_name_and_colon() -> None:
    assert pointed("skill:") == (
        "skill: needs a value right after the colon, e.g. skill:python.",
        0,
        6,
    )
    assert pointed("python skills: go") == (
        "skill: needs a value right after the colon, e.g. skill:python.",
        7,
        7,
    )
    assert pointed("last_contacted: >90d") == (
        "last_contacted: needs a value right after the colon, e.g. last_contacted:>90d.",
        0,
        15,
    )


def test_a_field_cannot_sit_inside_another_fields_group() -> None:
    assert pointed("skill:(go title:lead)") == (
        "title: cannot sit inside skill:( … ).",
        10,
        6,
    )


def test_a_star_needs_two_letters_before_it() -> None:
    message = "A * needs at least two letters before it, e.g. dev*."
    assert pointed("python d*") == (message, 7, 2)
    assert pointed("*") == (message, 0, 1)
    assert pointed("a-*") == (message, 0, 3)


def test_a_query_over_the_length_limit_points_past_the_limit() -> None:
    text = "python " * 286  # 2,002 characters
    assert len(text) == MAX_LENGTH + 2
    message, position, length = pointed(text)
    assert message.startswith("This query is 2,002 characters long; the limit is 2,000.")
    assert "segment:" in message
    assert (position, length) == (MAX_LENGTH, 2)
    assert parse("x" * MAX_LENGTH) == Text("x" * MAX_LENGTH, False, False, 0, MAX_LENGTH)


def test_a_query_with_too_many_terms_points_at_all_of_it() -> None:
    text = " OR ".join(f"w{i}" for i in range(MAX_TERMS + 1))
    message, position, length = pointed(text)
    assert message.startswith("This query has 101 terms; the limit is 100.")
    assert (position, length) == (0, len(text))
    assert isinstance(parse(" ".join(["w"] * MAX_TERMS)), And)


def test_parentheses_nested_too_deep_point_at_the_first_one_too_many() -> None:
    deep = "(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1)
    assert pointed(deep) == (
        "Parentheses nest more than 12 deep here; simplify the query.",
        MAX_DEPTH,
        1,
    )
    allowed = "(" * MAX_DEPTH + "x" + ")" * MAX_DEPTH
    assert parse(allowed) == Text("x", False, False, 0, len(allowed))


def test_a_long_run_of_negations_is_refused_not_crashed_on() -> None:
    text = "-" * (MAX_LENGTH - 1) + "x"
    result = attempt(text)
    assert not isinstance(result, QueryError) or 0 <= result.position <= len(text)


def test_the_pointer_underlines_the_mistake() -> None:
    text = "python skil:go"
    assert error(text).pointer(text) == "python skil:go\n       ^^^^^"
    text = 'a\n"b'
    assert error(text).pointer(text) == 'a "b\n  ^'


# --- anything typed: a tree, None, or a QueryError that points into the query ----------

PIECES = st.sampled_from(
    [
        "python",
        "go",
        "dev*",
        "d*",
        "*",
        "c++",
        "São",
        '"',
        '"site reliability"',
        "(",
        ")",
        "AND",
        "OR",
        "NOT",
        "and",
        "-",
        "--",
        ":",
        "skill:",
        "skills:",
        "title:",
        "city:",
        "years:",
        "nosuch:",
        "Level:",
        ">=",
        "..",
        "5",
        " ",
        "  ",
        "\n",
        "\t",
    ]
)
QUERY_LIKE = st.lists(PIECES, max_size=25).map("".join)
SPACED = st.lists(PIECES, max_size=25).map(" ".join)


def spans_within(node: Node, length: int) -> bool:
    if not 0 <= node.start <= node.end <= length:
        return False
    if isinstance(node, Not):
        return spans_within(node.child, length)
    if isinstance(node, And | Or):
        return all(spans_within(c, length) for c in node.children)
    return True


def parses_or_points_inside(text: str) -> None:
    result = attempt(text)
    if isinstance(result, QueryError):
        assert 0 <= result.position <= len(text), (result.message, result.position)
        assert result.length >= 1
        assert result.message
    else:
        assert result is None or spans_within(result, len(text))


@settings(max_examples=400, deadline=None)
@given(text=st.text(max_size=80))
def test_any_text_parses_or_raises_a_query_error_pointing_into_it(text: str) -> None:
    parses_or_points_inside(text)


@settings(max_examples=400, deadline=None)
@given(text=st.one_of(QUERY_LIKE, SPACED))
def test_any_query_like_text_parses_or_raises_a_query_error_pointing_into_it(text: str) -> None:
    parses_or_points_inside(text)
