"""Full-text conditions, written for the database in use.

A condition is a tree of phrases (a phrase is one or more words in a row,
the last one possibly a prefix) joined by AND, OR and AND NOT. It becomes
`pk IN (…)` over the full-text index that search's migrations created: FTS5
on SQLite, a GIN index over a table of tsvectors on PostgreSQL. Words are `core.text.words`
on both sides, so both databases match the same candidates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.db import connection
from django.db.models import FloatField, Q
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


# The tsvector of each document, in a table of its own on PostgreSQL (see
# search's migration 0006): public words weighted A, confidential D.
VECTORS = "search_vector"
TSVECTOR = "d.vector"
TSQUERY = "to_tsquery('simple'::regconfig, %s)"


def matching(condition: Condition, *, private: bool) -> Q:
    """The candidates whose search document meets the condition; `private`
    includes the words of confidential notes.

    The SQL is constant and the expression goes in as a parameter; its words
    are letters and digits only (`core.text.words`), so they cannot break
    out of their quotes in the FTS5 or tsquery syntax either."""
    return Q(pk__in=ids(condition, private=private))


def ids(condition: Condition, *, private: bool) -> RawSQL:
    """The ids of the candidates that meet the condition, as a subquery."""
    if connection.vendor == "postgresql":
        where = f"{TSVECTOR} @@ {TSQUERY}"  # constants only; the query is a parameter
        sql = f"SELECT d.candidate_id FROM {VECTORS} d WHERE " + where  # noqa: S608
        return RawSQL(sql, [tsquery(condition, private=private)])  # noqa: S611
    sql = "SELECT rowid FROM search_fts WHERE search_fts MATCH %s"
    return RawSQL(sql, [fts5_match(condition, private=private)])  # noqa: S611


def has_prefix(condition: Condition) -> bool:
    """Whether any phrase ends in a prefix (`dev*`): testing one document for
    a prefix reads every word that begins so, which is slow one by one."""
    if isinstance(condition, Phrase):
        return condition.prefix
    if isinstance(condition, Join):
        return any(has_prefix(p) for p in condition.parts)
    return has_prefix(condition.keep) or any(has_prefix(d) for d in condition.drop)


def matching_each(
    condition: Condition, *, private: bool, correlated: bool = False
) -> tuple[str, list[str]]:
    """The same test for one candidate at a time, as SQL with `{pk}` where
    the candidate's id goes, and its parameters (see `plans`). On
    PostgreSQL, `correlated` keeps it a test of each row (OFFSET 0: the
    planner may not turn it into a join), so that it walks the sort index."""
    if connection.vendor == "postgresql":
        sql = (
            f"EXISTS (SELECT 1 FROM {VECTORS} d "  # noqa: S608
            f"WHERE d.candidate_id = {{pk}} AND {TSVECTOR} @@ {TSQUERY}"
            + (" OFFSET 0)" if correlated else ")")
        )
        return sql, [tsquery(condition, private=private)]
    sql = "EXISTS (SELECT 1 FROM search_fts WHERE search_fts MATCH %s AND rowid = {pk})"
    return sql, [fts5_match(condition, private=private)]


def counting(
    condition: Condition, *, private: bool, above: int | RawSQL | None = None
) -> tuple[str, list[object]]:
    """The SQL and parameters that count the documents that meet the
    condition (of candidates whose id is above `above`, a number or SQL,
    when given). Each document is one candidate's, so this is also how many
    candidates match, read from the full-text index alone."""
    if connection.vendor == "postgresql":
        sql = f"SELECT count(*) FROM {VECTORS} d WHERE {TSVECTOR} @@ {TSQUERY}"  # noqa: S608
        params: list[object] = [tsquery(condition, private=private)]
        column = "d.candidate_id"
    else:
        sql = "SELECT count(*) FROM search_fts WHERE search_fts MATCH %s"
        params = [fts5_match(condition, private=private)]
        column = "rowid"
    if above is None:
        return sql, params
    if isinstance(above, RawSQL):
        sql += f" AND {column} > {above.sql}"
        params += above.params
    else:
        sql += f" AND {column} > %s"
        params.append(above)
    if connection.vendor == "postgresql":
        # A few thousand documents: test them one by one rather than read
        # the GIN index's whole list for a common word.
        sql = sql.replace(f"{TSVECTOR} @@ {TSQUERY}", f"({TSVECTOR} @@ {TSQUERY}) IS TRUE")
    return sql, params


def relevance(condition: Condition, *, private: bool) -> RawSQL:
    """How well each candidate's document meets the condition, higher is
    better: BM25 on SQLite (negated: FTS5 ranks the best lowest), ts_rank on
    PostgreSQL. Only meaningful for candidates that match it."""
    if connection.vendor == "postgresql":
        sql = (
            f"(SELECT ts_rank({TSVECTOR}, {TSQUERY}) FROM {VECTORS} d "  # noqa: S608
            "WHERE d.candidate_id = people_candidate.id)"
        )
        query = tsquery(condition, private=private)
        return RawSQL(sql, [query], output_field=FloatField())  # noqa: S611
    sql = (
        "(SELECT -bm25(search_fts) FROM search_fts "
        "WHERE search_fts MATCH %s AND rowid = people_candidate.id)"
    )
    expression = fts5_match(condition, private=private)
    return RawSQL(sql, [expression], output_field=FloatField())  # noqa: S611


def fts5_match(condition: Condition, *, private: bool) -> str:
    """The FTS5 expression: in both columns, or only in the public one."""
    expression = fts5(condition)
    return expression if private else f"tokens : ({expression})"


def fts5(condition: Condition) -> str:
    if isinstance(condition, Phrase):
        return f'"{" ".join(condition.words)}"' + ("*" if condition.prefix else "")
    if isinstance(condition, Join):
        glue = " AND " if condition.op == "and" else " OR "
        return "(" + glue.join(fts5(p) for p in condition.parts) + ")"
    return "(" + " NOT ".join([fts5(condition.keep), *(fts5(d) for d in condition.drop)]) + ")"


def tsquery(condition: Condition, *, private: bool) -> str:
    """The tsquery; without `private`, every word must be a public one (A)."""
    weight = "" if private else "A"
    if isinstance(condition, Phrase):
        lexemes = [f"'{w}'" for w in condition.words]
        if condition.prefix or weight:
            lexemes[-1] += ":" + ("*" if condition.prefix else "") + weight
        if weight:
            lexemes[:-1] = [f"{lexeme}:{weight}" for lexeme in lexemes[:-1]]
        return "(" + " <-> ".join(lexemes) + ")" if len(lexemes) > 1 else lexemes[0]
    if isinstance(condition, Join):
        glue = " & " if condition.op == "and" else " | "
        return "(" + glue.join(tsquery(p, private=private) for p in condition.parts) + ")"
    keep = tsquery(condition.keep, private=private)
    drops = " & ".join(f"!{tsquery(d, private=private)}" for d in condition.drop)
    return f"({keep} & {drops})"
