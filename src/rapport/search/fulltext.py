"""Full-text conditions, written for the database in use.

A condition is a tree of phrases (a phrase is one or more words in a row,
the last one possibly a prefix) joined by AND, OR and AND NOT. It becomes
`pk IN (…)` over the full-text index that search's migration created: FTS5
on SQLite, a tsvector GIN index on PostgreSQL. Words are `core.text.words`
on both sides, so both databases match the same candidates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL


@dataclass(frozen=True, slots=True)
class Phrase:
    words: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class Join:
    op: Literal["and", "or"]
    parts: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Without:
    """`keep` AND NOT any of `drop` (FTS5 has only a binary NOT)."""

    keep: Condition
    drop: tuple[Condition, ...]


Condition = Phrase | Join | Without


def any_of(parts: list[Condition]) -> Condition:
    return parts[0] if len(parts) == 1 else Join("or", tuple(parts))


def all_of(parts: list[Condition]) -> Condition:
    return parts[0] if len(parts) == 1 else Join("and", tuple(parts))


def matching(condition: Condition) -> Q:
    """The candidates whose search document meets the condition.

    The SQL is constant and the expression goes in as a parameter; its words
    are letters and digits only (`core.text.words`), so they cannot break
    out of their quotes in the FTS5 or tsquery syntax either."""
    if connection.vendor == "postgresql":
        sql = (
            "SELECT candidate_id FROM people_searchdocument "
            "WHERE to_tsvector('simple'::regconfig, tokens) @@ to_tsquery('simple'::regconfig, %s)"
        )
        return Q(pk__in=RawSQL(sql, [tsquery(condition)]))  # noqa: S611
    sql = "SELECT rowid FROM search_fts WHERE search_fts MATCH %s"
    return Q(pk__in=RawSQL(sql, [fts5(condition)]))  # noqa: S611


def fts5(condition: Condition) -> str:
    if isinstance(condition, Phrase):
        return f'"{" ".join(condition.words)}"' + ("*" if condition.prefix else "")
    if isinstance(condition, Join):
        glue = " AND " if condition.op == "and" else " OR "
        return "(" + glue.join(fts5(p) for p in condition.parts) + ")"
    return "(" + " NOT ".join([fts5(condition.keep), *(fts5(d) for d in condition.drop)]) + ")"


def tsquery(condition: Condition) -> str:
    if isinstance(condition, Phrase):
        lexemes = [f"'{w}'" for w in condition.words]
        if condition.prefix:
            lexemes[-1] += ":*"
        return "(" + " <-> ".join(lexemes) + ")" if len(lexemes) > 1 else lexemes[0]
    if isinstance(condition, Join):
        glue = " & " if condition.op == "and" else " | "
        return "(" + glue.join(tsquery(p) for p in condition.parts) + ")"
    drops = " & ".join(f"!{tsquery(d)}" for d in condition.drop)
    return f"({tsquery(condition.keep)} & {drops})"
