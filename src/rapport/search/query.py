"""The query language: text in, a tree of nodes out, or a QueryError that
points at the mistake.

    python AND (django OR flask) NOT java
    "site reliability" dev*  -contractor
    skill:python country:BR city:"São Paulo" tag:silver-medallist
    skill:(go OR rust) years:>=5 last_contacted:>90d engagement:high

Words next to each other must all match (an implicit AND). NOT binds
tighter than AND, and AND tighter than OR. AND, OR and NOT are operators
only in capitals; in lower case they are words. `-term` is NOT term.
A field is a name, a colon and a value with no space between them; the
value may be quoted or a parenthesised group of values.

This module knows the field names (to point at unknown ones) but not what
they mean: `search.compiler` turns the tree into a database query.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace
from typing import Literal

MAX_LENGTH = 2000
MAX_TERMS = 100
MAX_DEPTH = 12

# Every field, and the other spellings people type for it.
FIELDS = (
    "skill",
    "title",
    "company",
    "city",
    "country",
    "tz",
    "language",
    "tag",
    "pool",
    "segment",
    "source",
    "owner",
    "seniority",
    "years",
    "created",
    "last_contacted",
    "engagement",
    "consent",
    "has",
    "name",
    "headline",
    "email",
    "phone",
)
ALIASES = {
    "skills": "skill",
    "countries": "country",
    "timezone": "tz",
    "lang": "language",
    "languages": "language",
    "tags": "tag",
    "pools": "pool",
    "segments": "segment",
    "contacted": "last_contacted",
    "lastcontacted": "last_contacted",
    "last_contact": "last_contacted",
    "experience": "years",
    "level": "seniority",
}


class QueryError(ValueError):
    """A query that cannot be run, with where the mistake is."""

    def __init__(self, message: str, position: int, length: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.position = position
        self.length = max(1, length)

    def pointer(self, text: str) -> str:
        """The query and a caret line under the mistake, for terminals."""
        line = text.replace("\n", " ")
        return f"{line}\n{' ' * self.position}{'^' * self.length}"


# --- the tree ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Text:
    """Free text: a word, a "quoted phrase", or a prefix (dev*)."""

    value: str
    phrase: bool
    prefix: bool
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Field:
    """`name:value`; the value is raw text, checked when compiled."""

    name: str
    value: str
    quoted: bool
    start: int
    end: int
    value_start: int


@dataclass(frozen=True, slots=True)
class Not:
    child: Node
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]
    start: int
    end: int


Node = Text | Field | Not | And | Or


# --- tokens --------------------------------------------------------------------------

Kind = Literal["(", ")", "AND", "OR", "NOT", "-", "word", "quoted", "field"]
OPERATORS = {"AND", "OR", "NOT"}


@dataclass(frozen=True, slots=True)
class Token:
    kind: Kind
    text: str  # the word, the phrase without quotes, or the field's value
    start: int
    end: int
    name: str = ""  # a field's name, canonical
    value_start: int = 0
    quoted: bool = False
    group: bool = False  # a field followed by "(": `skill:(go OR rust)`


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char.isspace():
            i += 1
        elif char in "()":
            tokens.append(Token("(" if char == "(" else ")", char, i, i + 1))
            i += 1
        elif char == '"':
            phrase, end = _quoted(text, i)
            tokens.append(Token("quoted", phrase, i, end, quoted=True))
            i = end
        elif char == "-" and i + 1 < n and not text[i + 1].isspace():
            tokens.append(Token("-", "-", i, i + 1))
            i += 1
        else:
            token = _word(text, i)
            tokens.append(token)
            i = token.end
    return tokens


def _quoted(text: str, start: int) -> tuple[str, int]:
    end = text.find('"', start + 1)
    if end < 0:
        raise QueryError('This quote is never closed; add a closing ".', start)
    return text[start + 1 : end], end + 1


def _word(text: str, start: int) -> Token:
    end = start
    while end < len(text) and not text[end].isspace() and text[end] not in '()"':
        end += 1
    word = text[start:end]
    colon = word.find(":")
    is_url = word[colon + 1 : colon + 3] == "//"
    if colon > 0 and word[:colon].replace("_", "").isalpha() and not is_url:
        return _field(text, start, end, colon)
    if word in OPERATORS:
        return Token(word, word, start, end)  # type: ignore[arg-type]
    return Token("word", word, start, end)


def _field(text: str, start: int, end: int, colon: int) -> Token:
    """`name:value`, `name:"a value"`, `name:>="5"` or `name:(` (a group)."""
    name = field_name(text[start : start + colon], start)
    value_start = start + colon + 1
    value = text[value_start:end]
    follows = text[end] if end < len(text) else ""
    if follows == "(" and not value:
        return Token("field", "", start, end, name, value_start, group=True)
    if follows == '"' and (not value or value[-1] in "<>="):
        phrase, end = _quoted(text, end)
        if not phrase.strip():
            raise QueryError(
                f"{name}: needs a value inside the quotes, e.g. {example(name)}.",
                start,
                end - start,
            )
        return Token("field", value + phrase, start, end, name, value_start, quoted=True)
    if not value:
        raise QueryError(
            f"{name}: needs a value right after the colon, e.g. {example(name)}.",
            start,
            colon + 1,
        )
    return Token("field", value, start, end, name, value_start)


def field_name(raw: str, position: int) -> str:
    """The canonical name of a field, or a QueryError suggesting the nearest."""
    name = raw.lower()
    name = ALIASES.get(name, name)
    if name in FIELDS:
        return name
    known = [*FIELDS, *ALIASES]
    nearest = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    hint = f" Did you mean {ALIASES.get(nearest[0], nearest[0])}:?" if nearest else ""
    raise QueryError(
        f"There is no field called {raw}:.{hint} Fields: {', '.join(FIELDS)}.",
        position,
        len(raw) + 1,
    )


EXAMPLES = {
    "skill": "skill:python",
    "title": 'title:"data engineer"',
    "company": "company:acme",
    "city": 'city:"São Paulo"',
    "country": "country:BR",
    "tz": "tz:Europe/Berlin",
    "language": "language:pt",
    "tag": "tag:silver-medallist",
    "pool": 'pool:"Senior Backend"',
    "segment": 'segment:"Warm designers"',
    "source": "source:referral",
    "owner": "owner:me",
    "seniority": "seniority:senior",
    "years": "years:>=5",
    "created": "created:<30d",
    "last_contacted": "last_contacted:>90d",
    "engagement": "engagement:high",
    "consent": "consent:given",
    "has": "has:email",
    "name": "name:maria",
    "headline": "headline:fintech",
    "email": "email:maria@example.org",
    "phone": "phone:+5511912345678",
}


def example(name: str) -> str:
    return EXAMPLES.get(name, f"{name}:value")


# --- the parser ------------------------------------------------------------------------


def parse(text: str) -> Node | None:
    """The tree of a query; None for an empty query (everyone)."""
    if len(text) > MAX_LENGTH:
        raise QueryError(
            f"This query is {len(text):,} characters long; the limit is {MAX_LENGTH:,}. "
            "Save parts of it as segments and use segment: to combine them.",
            MAX_LENGTH,
            len(text) - MAX_LENGTH,
        )
    tokens = tokenize(text)
    if not tokens:
        return None
    terms = sum(1 for t in tokens if t.kind in ("word", "quoted", "field"))
    if terms > MAX_TERMS:
        raise QueryError(
            f"This query has {terms} terms; the limit is {MAX_TERMS}. "
            "Save parts of it as segments and use segment: to combine them.",
            0,
            len(text),
        )
    return _Parser(tokens).query()


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.at = 0
        self.depth = 0
        self.field = ""  # inside `name:( … )`, bare terms are values of that field

    def peek(self) -> Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def query(self) -> Node:
        node = self.either()
        extra = self.peek()
        if extra is not None:  # only a ")" stops `either` early
            raise QueryError("This parenthesis closes nothing; remove it.", extra.start)
        return node

    def either(self) -> Node:
        children = [self.all_of()]
        while (token := self.peek()) is not None and token.kind == "OR":
            self.take()
            self.expect_term(token, "OR needs a term after it, e.g. python OR go.")
            children.append(self.all_of())
        return children[0] if len(children) == 1 else Or(tuple(children), *_span(children))

    def all_of(self) -> Node:
        token = self.peek()
        if token is not None and token.kind in ("AND", "OR"):
            raise QueryError(
                f"{token.kind} needs a term before it, e.g. python {token.kind} go.",
                token.start,
                len(token.text),
            )
        children = [self.unary()]
        while (token := self.peek()) is not None and token.kind not in (")", "OR"):
            if token.kind == "AND":
                self.take()
                self.expect_term(token, "AND needs a term after it, e.g. python AND django.")
            children.append(self.unary())
        return children[0] if len(children) == 1 else And(tuple(children), *_span(children))

    def unary(self) -> Node:
        """A term, after any number of NOTs (a loop, not recursion: a query
        of a thousand minus signs must not exhaust the stack)."""
        negations: list[Token] = []
        while (token := self.take()).kind in ("NOT", "-"):
            self.expect_term(token, f"{token.text} needs a term after it, e.g. NOT java.")
            negations.append(token)
        child = self.primary(token)
        for negation in reversed(negations):
            child = Not(child, negation.start, child.end)
        return child

    def primary(self, token: Token) -> Node:
        if token.kind in ("AND", "OR"):
            raise QueryError(
                f"{token.kind} cannot follow another operator.", token.start, len(token.text)
            )
        if token.kind == "(":
            return self.group(token)
        if token.kind == ")":
            raise QueryError("This parenthesis closes nothing; remove it.", token.start)
        if token.kind == "field":
            return self.field_term(token)
        if self.field:
            return Field(self.field, token.text, token.quoted, token.start, token.end, token.start)
        return self.text(token)

    def group(self, opening: Token) -> Node:
        if self.depth >= MAX_DEPTH:
            raise QueryError(
                f"Parentheses nest more than {MAX_DEPTH} deep here; simplify the query.",
                opening.start,
            )
        token = self.peek()
        if token is None:
            raise QueryError("This parenthesis is never closed; add a ).", opening.start)
        if token.kind == ")":
            raise QueryError("These parentheses are empty.", opening.start, 2)
        self.depth += 1
        node = self.either()
        self.depth -= 1
        closing = self.peek()
        if closing is None or closing.kind != ")":
            raise QueryError("This parenthesis is never closed; add a ).", opening.start)
        self.take()
        return replace(node, start=opening.start, end=closing.end)

    def field_term(self, token: Token) -> Node:
        if self.field:
            raise QueryError(
                f"{token.name}: cannot sit inside {self.field}:( … ).",
                token.start,
                len(token.name) + 1,
            )
        if not token.group:
            return Field(
                token.name, token.text, token.quoted, token.start, token.end, token.value_start
            )
        opening = self.take()
        self.field = token.name
        try:
            return replace(self.group(opening), start=token.start)
        finally:
            self.field = ""

    def text(self, token: Token) -> Text:
        if token.kind == "quoted":
            if not token.text.strip():
                raise QueryError("These quotes are empty.", token.start, 2)
            return Text(token.text, True, False, token.start, token.end)
        word = token.text
        prefix = word.endswith("*")
        if prefix:
            word = word.rstrip("*")
            if sum(c.isalnum() for c in word) < 2:
                raise QueryError(
                    "A * needs at least two letters before it, e.g. dev*.",
                    token.start,
                    len(token.text),
                )
        return Text(word, False, prefix, token.start, token.end)

    def expect_term(self, operator: Token, message: str) -> None:
        token = self.peek()
        if token is None or token.kind in (")", "AND", "OR"):
            raise QueryError(message, operator.start, len(operator.text))


def _span(children: list[Node]) -> tuple[int, int]:
    return children[0].start, children[-1].end
