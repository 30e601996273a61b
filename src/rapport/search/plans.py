"""How a search reads its matches: as one set, or candidate by candidate.

The candidates that meet a full-text condition, or that have a skill, a tag
or a phone, come from an index. A search can read them two ways:

- As a set, `id IN (SELECT …)`: the database reads every match, then sorts
  them and keeps a page. That is right when the matches are few, and for a
  count, which needs them all anyway.
- One by one, `EXISTS (SELECT … WHERE … = candidate.id)`: the database walks
  the index of the sort column and tests each candidate until the page is
  full. That is right when the matches are a large share of the pool: when
  95% match, a page of 50 tests about 53 candidates, where reading the set
  means reading 950,000 of them and sorting them.

`Either` holds both forms and picks one when its SQL is written: one by one
for a first page (a LIMIT) of a dense match, as a set for everything else.
The share comes from a sample, the newest candidates, taken only when a page
is read. A wrong estimate costs time, never rows: both forms mean the same.

A search gets `Either` only when its whole condition is one such set,
perhaps negated, and the user sees the whole pool: with other conditions
beside it, SQLite may read another index first and then test each of its
rows one by one, which is slower than either plan (docs/decisions/0004).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db import connection, connections
from django.db.models import BooleanField, Exists, F, Func, OuterRef, Q, QuerySet
from django.db.models.expressions import Expression, RawSQL
from django.db.models.lookups import Exact, In
from django.db.models.query import ModelIterable
from django.db.models.sql import Query
from django.utils.hashable import make_hashable

from rapport.people.models import Candidate
from rapport.search import fulltext

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler

# The newest candidates, by id, that a share is estimated from.
SAMPLE = 2_000

# A lower bound on candidate ids: a number, or SQL (`NEWEST_BOUND`).
Above = int | RawSQL | None


class Form(StrEnum):
    """How a first page reads its members."""

    SET = "set"  # read them all, then sort them: `id IN (…)`
    WALK = "walk"  # read them all into a set, walk the sort index testing it
    EACH = "each"  # walk the sort index, test each candidate on the index


@dataclass(eq=False)
class Members:
    """Candidates read from an index. `ids` is the subquery of their ids;
    `each` tests one candidate (None when that is slow, as for a prefix on
    SQLite); `counting(above)` is the SQL and parameters that count those
    whose id is above `above` (a number, or SQL such as a column of an
    enclosing query; all of them for None); `probe` is what one
    test in `each` costs, in reads of one id (below)."""

    ids: Any
    each: Q | None
    counting: Callable[[Above], tuple[str, list[Any]]]
    probe: float
    walk: Q | None = None  # how to force the walk, when not `+id IN (…)`

    @property
    def within(self) -> Q:
        return Q(In(F("pk"), self.ids))

    @property
    def walked(self) -> Q:
        return self.walk or Q(In(Unindexed(F("pk")), self.ids))

    @property
    def condition(self) -> Q:
        """The form for a condition among others. PostgreSQL turns EXISTS
        into a semi-join, or negated into an anti-join, and picks between
        walking and reading the set from its own statistics; NOT IN it can
        only run by hashing every member (or worse, when they do not fit in
        work_mem). SQLite reads the set, and for a first page, when the
        members are many, tests it while walking the sort index (`Either`):
        `engineer years:>=10` looked up and sorted 194,342 engineers."""
        if connection.vendor == "postgresql" and self.each is not None:
            return self.each
        return Q(Either(self, negated=False, lone=False))

    def count(self, above: Above = None) -> int:
        return _scalar(*self.counting(above))

    def total(self, *, negated: bool) -> int:
        """How many candidates are members (or, negated, are not), exactly,
        from the index alone: every member is a candidate, so those who are
        not are all the candidates but the members. One statement, so both
        counts see the same rows."""
        sql, params = self.counting(None)
        if not negated:
            return _scalar(sql, params)
        return _scalar(f"SELECT (SELECT count(*) FROM people_candidate) - ({sql})", params)  # noqa: S608


# What reading one candidate costs, in reads of one id from an index into a
# set, measured at a million candidates on SQLite: looking the candidate up
# and sorting it (SET); walking past it in the sort index and testing the
# set (WALK); testing it on the full-text index one by one (about 50 µs) or
# on another table's index (EACH).
SORTED = 2.0
WALKED = 1.0
TEXT_PROBE = 300.0
ROW_PROBE = 10.0
# On PostgreSQL: looking a match up by id, and testing one candidate while
# walking (a phrase reads the document's word positions), against each other.
LOOKUP = 1.0
PG_PROBE = 2.0
DENSE_TEXT = 0.05


def text_members(condition: fulltext.Condition, *, private: bool) -> Members:
    """The candidates whose search document meets a full-text condition.
    FTS5 tests a prefix on one document by reading every word that begins
    so; PostgreSQL tests the document's vector, prefix or not."""
    each = walk = None
    if connection.vendor == "postgresql":
        # +id IN (…) would let PostgreSQL read the set through the GIN index
        # and recheck each match's vector in the table (a random read per
        # match); testing the candidates met on the walk reads far fewer.
        walk = Q(ForEach(*fulltext.matching_each(condition, private=private, correlated=True)))
    if connection.vendor == "postgresql" or not fulltext.has_prefix(condition):
        each = Q(ForEach(*fulltext.matching_each(condition, private=private)))
    return Members(
        ids=fulltext.ids(condition, private=private),
        each=each,
        counting=lambda above: fulltext.counting(condition, private=private, above=above),
        probe=TEXT_PROBE,
        walk=walk,
    )


def related_members(rows: QuerySet[Any]) -> Members:
    """The candidates among the `candidate_id`s of `rows` (skills, tags,
    pools, contact points): one index range read as a set, one probe of the
    same index per candidate one by one."""

    def counting(above: Above) -> tuple[str, list[Any]]:
        found = rows if above is None else rows.filter(candidate_id__gt=above)
        ids = found.order_by().values("candidate_id").distinct()
        sql, params = ids.query.sql_with_params()
        return f"SELECT count(*) FROM ({sql}) members", list(params)  # noqa: S608

    return Members(
        ids=rows.order_by().values("candidate_id"),
        each=Q(Exists(rows.filter(candidate_id=OuterRef("pk")))),
        counting=counting,
        probe=ROW_PROBE,
    )


def _scalar(sql: str, params: list[Any]) -> int:
    return _scalars(sql, params)[0]


def _scalars(sql: str, params: list[Any] | None = None) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [int(value or 0) for value in cursor.fetchone()]


def choose(rows: int | None, members: Members, share: Share, *, lone: bool = True) -> Form:
    """The form for the first `rows` rows (None: every row, as a count
    needs), by the estimated share of members in the pool. Members beside
    other conditions (not `lone`) are never tested one by one: SQLite might
    then read another index first and probe each of its rows."""
    if connection.vendor == "postgresql":
        return _choose_postgres(rows, members, share)
    if rows is None:
        return Form.SET
    fraction, pool = share()
    probe = members.probe if members.each is not None and lone else None
    return cheapest(rows, fraction, pool, probe=probe)


def _choose_postgres(rows: int | None, members: Members, share: Share) -> Form:
    """PostgreSQL plans EXISTS itself (see `Members.condition`), and walks
    the sort index on its own when the matches are dense. Between dense and
    few, though, it misjudges (a phrase: 765 rows expected, 20,149 found) and
    looks every match up by id to sort them, one random read each (160 ms
    for `"machine learning"`). When testing the candidates met while walking
    costs less than looking the matches up, the walk is forced (15 to 30
    ms). Full text only below DENSE_TEXT: each test of a document is then a
    subplan of its own, dearer than the join PostgreSQL walks with when it
    sees the density itself. Not negated: NOT IN is no anti-join."""
    if rows is None or share.negated or members.each is None:
        return Form.EACH if members.each is not None else Form.SET
    fraction, pool = share()
    return walk_or_not(rows, fraction, pool, text=members.walk is not None)


def walk_or_not(rows: int, fraction: float, pool: float, *, text: bool) -> Form:
    """On PostgreSQL: WALK (forced) or EACH (the planner's choice)."""
    if not fraction or (text and fraction > DENSE_TEXT):
        return Form.EACH
    return Form.WALK if fraction * pool * LOOKUP >= rows / fraction * PG_PROBE else Form.EACH


def cheapest(rows: int, fraction: float, pool: float, *, probe: float | None) -> Form:
    """The cheapest form for the first `rows` of a pool of `pool` candidates
    of which `fraction` are members; `probe` is the cost of testing one
    candidate one by one (None: never)."""
    matches = fraction * pool
    tested = rows / fraction if fraction else float("inf")
    costs = {Form.SET: matches * (1 + SORTED), Form.WALK: matches + tested * WALKED}
    if probe is not None:
        costs[Form.EACH] = tested * probe
    return min(costs, key=lambda form: costs[form])


class Unindexed(Func):
    """The column as a value no index serves (`+id`), so that the database
    walks the sort index and tests the set, instead of looking up every
    member by its id and sorting them all."""

    template = "+%(expressions)s"


class ForEach(Expression):
    """A condition on each candidate, in SQL with `{pk}` where the
    candidate's id goes; written as a column, so the SQL follows the
    candidate table wherever the ORM puts it (an alias in a subquery)."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, sql: str, params: list[Any]) -> None:
        super().__init__(output_field=BooleanField())
        self.sql, self.params = sql, params
        self.pk: Any = F("pk")

    def get_source_expressions(self) -> list[Any]:
        return [self.pk]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        (self.pk,) = exprs

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, list[Any]]:
        pk_sql, pk_params = compiler.compile(self.pk)
        return self.sql.format(pk=pk_sql), [*self.params, *pk_params]


class Share:
    """The share of the pool that a set of members is, and the size of the
    pool, estimated when first needed from the newest SAMPLE candidates
    (or from a sample of the same condition taken in the last SHARE_FOR
    seconds, see `sampled`)."""

    def __init__(self, members: Members | Column, *, negated: bool) -> None:
        self.members, self.negated = members, negated
        self.value: tuple[float, float] | None = None

    def __call__(self) -> tuple[float, float]:
        if self.value is None:
            counting, params = self.members.counting(NEWEST_BOUND)
            sample, oldest, newest, found = sampled(
                f"SELECT newest.sample, newest.oldest, newest.newest, ({counting}) "  # noqa: S608
                f"FROM ({NEWEST}) newest",
                [*params, SAMPLE],
            )
            if not sample:
                self.value = (1.0 if self.negated else 0.0), 0.0
                return self.value
            share = found / sample
            pool = newest * sample / (newest - oldest + 1)  # ids as dense as among the newest
            self.value = (1.0 - share if self.negated else share), pool
        return self.value


# The sample, in one statement with the count of members among it: how many
# the newest SAMPLE candidates are, and their lowest and highest ids. The
# members are counted above `NEWEST_BOUND`, a column of this query, so one
# round trip prices a first page.
NEWEST = (
    "SELECT count(*) AS sample, min(id) AS oldest, max(id) AS newest "
    "FROM (SELECT id FROM people_candidate ORDER BY id DESC LIMIT %s) ids"
)
NEWEST_BOUND = RawSQL("newest.oldest - 1", [])

# How long a sample prices the first pages of the same condition, in
# seconds, and how many conditions' samples a process keeps. A share only
# chooses between plans that return the same rows, so an old one costs
# time, never rows; and the make-up of a pool of a million moves over
# hours, not seconds (the sizes of skills for rediscovery are kept as long).
SHARE_FOR = 600.0
SHARES_KEPT = 1_000
_samples: dict[tuple[Any, ...], tuple[float, list[int]]] = {}
_samples_lock = threading.Lock()


def sampled(sql: str, params: list[Any]) -> list[int]:
    """The sample's figures: read, or kept from a reading of the same SQL on
    the same database in the last SHARE_FOR seconds. Paging, sorting and
    narrowing a search run the same condition again and again; each run
    would otherwise pay one more round trip before its first page."""
    key = (connection.alias, connection.settings_dict["NAME"], sql, *params)
    now = time.monotonic()
    with _samples_lock:
        kept = _samples.get(key)
    if kept is not None and now - kept[0] < SHARE_FOR:
        return kept[1]
    figures = _scalars(sql, params)
    with _samples_lock:
        _samples.pop(key, None)  # the newest last, so the oldest leaves first
        _samples[key] = (now, figures)
        while len(_samples) > SHARES_KEPT:
            _samples.pop(next(iter(_samples)))
    return figures


def samples_forget() -> None:
    """Forget every kept sample (tests, whose pools change from one to the next)."""
    with _samples_lock:
        _samples.clear()


class Forms(Expression):
    """A condition written in one of several forms (`forms`), the one that
    suits the query being compiled chosen in `as_sql`."""

    conditional = True
    output_field = BooleanField()
    forms: dict[Form, Any]

    def get_source_expressions(self) -> list[Any]:
        return list(self.forms.values())

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        self.forms = dict(zip(self.forms, exprs, strict=True))


class Either(Forms):
    """Members in whichever form suits the query the condition ends up in,
    chosen when its SQL is written: a first page (a LIMIT) by `choose`, a
    count, facets or an export as the set."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, members: Members, *, negated: bool, lone: bool = True) -> None:
        super().__init__(output_field=BooleanField())
        self.members, self.negated, self.lone = members, negated, lone
        self.share = Share(members, negated=negated)
        self.forms: dict[Form, Any] = {
            Form.SET: members.within,
            Form.WALK: members.walked,
            Form.EACH: members.each or members.within,
        }

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, list[Any]]:
        query = compiler.query
        rows = query.high_mark if query.is_sliced else None
        form = choose(rows, self.members, self.share, lone=self.lone)
        sql, params = compiler.compile(self.forms[form])
        return (f"NOT ({sql})" if self.negated else sql), list(params)


def either(members: Members, *, negated: bool) -> Q:
    """The condition that candidates are (or, negated, are not) members."""
    return Q(Either(members, negated=negated))


@dataclass(frozen=True)
class Column:
    """Candidates with a value in an indexed column (`country = 'US'`)."""

    name: str
    value: Any

    def counting(self, above: Above) -> tuple[str, list[Any]]:
        rows = Candidate.objects.filter(**{self.name: self.value})
        found = (rows if above is None else rows.filter(pk__gt=above)).order_by().values("pk")
        sql, params = found.query.sql_with_params()
        return f"SELECT count(*) FROM ({sql}) found", list(params)  # noqa: S608


class Walkable(Forms):
    """An equality on an indexed column that a first page may test while
    walking the sort index instead of reading through the column's index.
    SQLite keeps no histogram of values (its statistics give the average
    number of candidates per country, about 1,000), so for `country:US`,
    16% of the pool, it read 157,000 candidates through the country index
    and sorted them all (260 ms), where walking the index of the sort meets
    50 of them in about 320 rows. When the value is common, `+country = …`
    leaves SQLite only the walk."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, column: Column) -> None:
        super().__init__(output_field=BooleanField())
        self.share = Share(column, negated=False)
        self.forms: dict[Form, Any] = {
            Form.SET: Q(**{column.name: column.value}),
            Form.WALK: Q(Exact(Unindexed(F(column.name)), column.value)),
        }

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, list[Any]]:
        query = compiler.query
        rows = query.high_mark if query.is_sliced else None
        form = Form.SET if rows is None else walk_past(rows, *self.share())
        sql, params = compiler.compile(self.forms[form])
        return sql, list(params)


def walk_past(rows: int, fraction: float, pool: float) -> Form:
    """WALK when meeting `rows` candidates with the value while walking
    costs less than reading and sorting every one of them."""
    if fraction and rows / fraction <= fraction * pool * (1 + SORTED):
        return Form.WALK
    return Form.SET


def column(name: str, value: Any) -> Q:
    """`name = value`, on SQLite free to be walked past for a first page."""
    if connection.vendor == "postgresql":
        return Q(**{name: value})  # its statistics know the common values
    return Q(Walkable(Column(name, value)))


class CountedRows(QuerySet[Candidate]):
    """Candidates whose number is known more cheaply than by counting the
    rows of their query: `counter` answers `count()` for this queryset
    itself. Any queryset made from it (filtered further, say) has no
    counter and counts its own rows.

    A page of them (a slice), on PostgreSQL, is read ids first (`late`)."""

    counter: Callable[[], int] | None = None

    def count(self) -> int:
        if self.counter is not None and self._result_cache is None:
            return self.counter()
        return super().count()

    def _fetch_all(self) -> None:
        if self._result_cache is None and _late_page(self):
            self._result_cache = self.late()
        super()._fetch_all()

    def late(self) -> list[Candidate]:
        """The same page in one statement of two steps: the ids of the page,
        then the rows (and owners) of those ids. Finding the ids walks the
        sort index and tests each candidate met without reading its row
        (an index only scan), so only the rows shown are read from the
        table. Read in one step, a page of a word that one candidate in
        twenty has read twenty rows for each row it showed, scattered across
        the table: when they are not in memory, that is most of its time."""
        query = _PageRows(self.model)
        # The ids' SQL is written here and goes in as it is: given the
        # queryset, Django would copy it and rename its tables first.
        query.ids = self.values("pk").query.get_compiler(self.db).as_sql()
        query.select_related = self.query.select_related
        query.deferred_loading = self.query.deferred_loading
        query.order_by = self.query.order_by
        query.standard_ordering = self.query.standard_ordering
        return list(QuerySet(model=self.model, query=query, using=self.db))


# Where a page's ids go in the statement kept for its shape (`_PageRows`),
# and how many shapes a process keeps (a few per sort order in use).
PAGE_IDS = "SELECT page_ids"
SHAPES_KEPT = 100


class _PageRows(Query):
    """The rows of a page's ids (`ids`: their SQL and its parameters), in
    the page's order, with the columns and owners the page reads. All but
    the ids is the same for every search in the same order, so the SQL
    around them is written once per process for each shape (order,
    columns, related rows) and kept: writing it cost more than writing the
    search's own SQL. Only `CountedRows.late` makes one, and reads it at
    once; nothing filters, counts or slices it."""

    ids: tuple[str, Sequence[Any]] = ("", ())

    def get_compiler(
        self,
        using: str | None = None,
        connection: BaseDatabaseWrapper | None = None,
        elide_empty: bool = True,
    ) -> SQLCompiler:
        connection = connections[using] if using else connection
        assert connection is not None
        base = connection.ops.compiler(self.compiler)
        return _around_compiler(base)(self, connection, using, elide_empty)  # type: ignore[call-arg]


@dataclass(frozen=True)
class _Around:
    """A page's statement with PAGE_IDS where its ids go, and what Django
    learnt while writing it that reading the rows needs (which column is
    which field of which model)."""

    sql: str
    select: Any
    klass_info: Any
    annotation_col_map: Any
    col_count: int | None
    has_extra_select: bool


_around: dict[tuple[Any, ...], _Around] = {}
_around_lock = threading.Lock()
_around_classes: dict[type, type] = {}


def _around_compiler(base: type[SQLCompiler]) -> type[SQLCompiler]:
    """The database's own compiler, writing a _PageRows from the kept
    statement of its shape."""
    kept = _around_classes.get(base)
    if kept is None:
        name = f"Page{base.__name__}"
        kept = _around_classes[base] = type(name, (_AroundCompiler, base), {"writer": base})
    return kept


class _AroundCompiler:
    writer: type[SQLCompiler]  # the database's own compiler
    query: _PageRows
    connection: BaseDatabaseWrapper
    using: str | None
    elide_empty: bool
    select: Any
    klass_info: Any
    annotation_col_map: Any
    col_count: int | None
    has_extra_select: bool

    def as_sql(self, with_limits: bool = True, with_col_aliases: bool = False) -> tuple[str, Any]:
        query = self.query
        shape = (
            self.connection.alias,
            query.model,
            query.order_by,
            query.standard_ordering,
            make_hashable(query.select_related),
            make_hashable(query.deferred_loading),
        )
        with _around_lock:
            around = _around.get(shape)
        if around is None:
            around = self._write(with_limits, with_col_aliases)
            with _around_lock:
                if len(_around) >= SHAPES_KEPT:
                    _around.clear()
                _around[shape] = around
        self.select, self.klass_info = around.select, around.klass_info
        self.annotation_col_map, self.col_count = around.annotation_col_map, around.col_count
        self.has_extra_select = around.has_extra_select
        ids, params = query.ids
        return around.sql.replace(PAGE_IDS, ids, 1), list(params)

    def _write(self, with_limits: bool, with_col_aliases: bool) -> _Around:
        """The statement of this shape, written by Django, with PAGE_IDS for the ids."""
        template = self.query.clone()
        template.add_q(Q(pk__in=RawSQL(PAGE_IDS, [])))  # noqa: S611
        writer = self.writer(template, self.connection, self.using, self.elide_empty)  # type: ignore[call-arg]
        sql, params = writer.as_sql(with_limits, with_col_aliases)
        assert not params and sql.count(PAGE_IDS) == 1, "a page's shape holds no values"
        return _Around(
            sql,
            writer.select,
            writer.klass_info,
            writer.annotation_col_map,
            writer.col_count,
            writer.has_extra_select,
        )


def _late_page(rows: QuerySet[Candidate]) -> bool:
    """Whether `rows` is a page that `CountedRows.late` reads the same: a
    slice of candidates (not values, not locked, nothing prefetched) in an
    order of their own columns. PostgreSQL only: SQLite has no visibility
    map to skip the table with, and might walk the whole sort index for the
    outer query, which has no LIMIT."""
    query = rows.query
    return (
        connections[rows.db].vendor == "postgresql"
        and query.is_sliced
        and rows._iterable_class is ModelIterable
        and bool(query.order_by)
        and not getattr(rows, "_prefetch_related_lookups", ())
        and not (query.annotations or query.distinct or query.select_for_update)
        and not (query.combinator or query.extra or query.extra_order_by)
    )


def counted(rows: QuerySet[Candidate], counter: Callable[[], int]) -> CountedRows:
    found = CountedRows(model=rows.model, query=rows.query.chain(), using=rows.db)
    found.counter = counter
    return found
