"""Looking many values up by an indexed column, one probe of the index each.

A batch asks "which rows have one of these 2,000 addresses?". Asked as
`value IN (...)`, PostgreSQL's planner weighs the list against its
statistics, and during a bulk write those lag behind the table (a table
filled a minute ago may never have been analysed): it then reads the whole
table for every batch, a cost that grows with the table. Here each value is
a probe of the index (`CROSS JOIN LATERAL ... OFFSET 0`, which the planner
cannot flatten into a join it might hash), so a batch costs the same at a
thousand rows as at ten million. SQLite always reads an `IN` list through
the index.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection

CHUNK = 5000


def rows_for_each(
    values: Iterable[Any],
    *,
    table: str,
    column: str,
    select: Sequence[str],
    where: str = "",
    params: Sequence[Any] = (),
    order: str = "",
    kind: str = "text",
) -> list[tuple[Any, ...]]:
    """(value, *select) for each row of `table` whose `column` equals one of
    the values, ordered by `order` among the rows of one value. `where` is
    an extra condition with `params` for its placeholders; `kind` is the
    column's type on PostgreSQL (text or bigint). Names are the caller's
    own, never input."""
    wanted = list(dict.fromkeys(values))
    found: list[tuple[Any, ...]] = []
    if not wanted:
        return found
    quote = connection.ops.quote_name
    chosen = ", ".join(f"t.{quote(name)}" for name in select)
    extra = f" AND {where}" if where else ""
    ordered = f" ORDER BY {order}" if order else ""
    with connection.cursor() as cursor:
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            if connection.vendor == "postgresql":
                sql = (
                    f"SELECT v.value, {', '.join(f'x.{quote(n)}' for n in select)} "  # noqa: S608
                    f"FROM unnest(%s::{kind}[]) AS v (value) CROSS JOIN LATERAL ("
                    f"SELECT {chosen} FROM {quote(table)} AS t "
                    f"WHERE t.{quote(column)} = v.value{extra}{ordered} OFFSET 0) AS x"
                )
                cursor.execute(sql, [chunk, *params])
            else:
                marks = ", ".join(["%s"] * len(chunk))
                sql = (
                    f"SELECT t.{quote(column)}, {chosen} FROM {quote(table)} AS t "  # noqa: S608
                    f"WHERE t.{quote(column)} IN ({marks}){extra}{ordered}"
                )
                cursor.execute(sql, [*chunk, *params])
            found.extend(cursor.fetchall())
    return found
