"""Rediscovery's pool in memory, on PostgreSQL: the columns of every
candidate that the ranking's formula reads, as numpy arrays, so that a
ranking scores the whole pool at once instead of reading thousands of
candidates' rows from the database.

What is kept, per candidate in the order of their ids: the current title,
the place (city, country, time zone) and the level, each as a code into a
list of the distinct values, and the engagement score; per skill, who holds
it. What is not kept: the words search reads (the ranking reads them for the
few it needs), stages reached and silver medals (read each time: few
candidates have either).

How it stays exact, never trusted blindly:

- The shared copy is read on a connection of its own, so it holds committed
  data only, all from one snapshot, and it remembers which transactions
  that snapshot could not see (`Pool.watermark` and `Pool.running`).
- The database logs every write to what is kept (`jobs.PoolChange`, written
  by its own triggers: the range of candidates a statement added or
  removed, or the candidate whose kept column an update changed, with the
  writing transaction). What a transaction the snapshot could not see
  wrote may be missing from the copy; everything else is in it.
- A ranking asks, on its own connection, which candidates such transactions
  touched (`Pool.changed`: committed since, or its own) and reads those from
  their tables like any other query; the copy scores only the others.
- When those are many, the copy reads them itself (`pool_for_ranking` advances
  it); when they are a large part of the pool, when a table was emptied, or
  when the log may have been pruned past the copy (it is kept a day), the
  copy is read again whole. So it is when the database is not the one the
  copy was read from (replaced under the same name: re-created, restored with its tables),
  whose log would not say so.

docs/decisions/0013-rediscovery-pool-in-memory.md says why, and what it costs.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils import timezone

if TYPE_CHECKING:
    import numpy as np

logger = logging.getLogger(__name__)

# Candidates changed since the copy's snapshot that a ranking reads from
# their tables; beyond this the copy reads them in first (`_advance`).
ADVANCE_AT = 2_000
# A ranking never reads more than this many from their tables: with more
# changed and not yet committed (a long import in the same transaction), it
# ranks without the copy.
CHANGED_AT_MOST = 50_000
# Beyond this share of the pool changed, the copy is read again whole.
REBUILD_SHARE = 0.2
# The log is pruned after a day (`pool_changes_prune`); a copy whose
# snapshot is older than this is read again whole rather than advanced.
ADVANCE_FOR = dt.timedelta(hours=12)
# A copy advanced again and again is read whole after this long anyway: its
# lists of distinct titles and places only grow while it is advanced.
READ_WHOLE_EVERY = dt.timedelta(days=1)
# More separate ranges of changed candidates than this: read everything
# rather than one condition per range.
RANGES_AT_MOST = 1_000
LOG_KEPT = dt.timedelta(days=1)
# The copy is advanced at least this often, so that the log a ranking reads stays short.
REFRESH_EVERY = 600.0  # seconds

CANDIDATE_COLUMNS = "id, current_title, city, country, timezone, seniority, engagement_score"
# The database and the tables the copy is read from, as PostgreSQL knows them.
ORIGIN = (
    "(SELECT oid::bigint FROM pg_database WHERE datname = current_database()), "
    "'people_candidate'::regclass::oid::bigint, 'people_candidateskill'::regclass::oid::bigint"
)


@dataclass(frozen=True)
class Pool:
    """Every candidate's kept columns, as of one snapshot. Never changed in
    place: advancing makes a new one, so a ranking reading this one is never
    disturbed."""

    ids: np.ndarray  # int64, ascending
    title: np.ndarray  # int32, into titles
    place: np.ndarray  # int32, into places
    level: np.ndarray  # int32, into levels
    engagement: np.ndarray  # float64
    holders: dict[int, np.ndarray]  # skill id: positions (int32, ascending) of its holders
    titles: tuple[str, ...]
    places: tuple[tuple[str, str, str], ...]
    levels: tuple[str, ...]
    # The snapshot, as PostgreSQL describes it: every transaction before
    # `watermark` had ended when it was taken, except those `running`.
    watermark: int
    running: tuple[int, ...]
    taken: float  # time.monotonic() of the snapshot
    taken_at: dt.datetime
    read_whole_at: dt.datetime  # the last time it was read whole, not advanced
    # Which database it was read from (`ORIGIN`): one replaced under the
    # same name (restored, re-created) has other ids and no log of them.
    origin: tuple[int, ...]
    # What a ranking computed once per distinct value (a job's title words
    # against every distinct title...), by what it computed.
    memo: dict[Any, np.ndarray] = field(default_factory=dict, compare=False)

    @property
    def size(self) -> int:
        return int(self.ids.shape[0])

    def positions(self, ids: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """The positions of those of `ids` in the copy, and which of `ids` they are."""
        import numpy as np

        wanted = np.asarray(ids, dtype=np.int64)
        at = np.searchsorted(self.ids, wanted)
        at[at >= self.size] = 0
        found = self.ids[at] == wanted if self.size else np.zeros(len(wanted), dtype=bool)
        return at[found], found

    def within(self, ranges: Iterable[tuple[int, int]]) -> np.ndarray:
        """A mask of the copy's candidates whose ids fall in any of the ranges."""
        import numpy as np

        mask = np.zeros(self.size, dtype=bool)
        for low, high in ranges:
            start = np.searchsorted(self.ids, low, side="left")
            end = np.searchsorted(self.ids, high, side="right")
            mask[start:end] = True
        return mask

    def changed(self) -> list[tuple[int, int]] | None:
        """The ranges of candidates written since the snapshot by a
        transaction this connection can see (its own included), merged; None
        when a table was emptied since (everything changed), or when this is
        not the database the copy was read from."""
        with connection.cursor() as cursor:
            cursor.execute(*self._since())
            rows = cursor.fetchall()
        if any(low is None for low, _ in rows):
            return None
        return merged((int(low), int(high)) for low, high in rows)

    def _since(self) -> tuple[str, list[Any]]:
        """The log written by transactions the snapshot could not see, and a
        row of "everything" when the database is another one (another
        origin, or transaction ids behind the snapshot's: another server)."""
        return (
            "SELECT low, high FROM jobs_poolchange WHERE xid >= %s OR xid = ANY(%s) "  # noqa: S608
            f"UNION ALL SELECT NULL, NULL WHERE ({ORIGIN}) IS DISTINCT FROM (%s, %s, %s) "
            "OR pg_snapshot_xmax(pg_current_snapshot())::text::bigint < %s",
            [self.watermark, list(self.running), *self.origin, self.watermark],
        )


def merged(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or touching ranges as one."""
    out: list[tuple[int, int]] = []
    for low, high in sorted(ranges):
        if out and low <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], high))
        else:
            out.append((low, high))
    return out


def span(ranges: Iterable[tuple[int, int]]) -> int:
    return sum(high - low + 1 for low, high in ranges)


def usable() -> bool:
    """The copy is kept on PostgreSQL only (SQLite has no log of changes, and
    its pools are small), and only with numpy."""
    from rapport.jobs import semantic

    return connection.vendor == "postgresql" and semantic.numpy_available()


_lock = threading.Lock()
_pools: dict[str, Pool] = {}  # by database, as settings name it


def pool_for_ranking() -> tuple[Pool, list[tuple[int, int]]] | None:
    """The shared copy, and the ranges of candidates a ranking must read
    from their tables instead (changed since the copy's snapshot); None when
    those are too many to be worth it, or when the copy cannot be read now.
    The copy is read whole the first time, and advanced when more than
    ADVANCE_AT changed or every REFRESH_EVERY."""
    key = _database_key()
    pool = _pools.get(key)
    if pool is not None and time.monotonic() - pool.taken < REFRESH_EVERY:
        ranges = pool.changed()
        if ranges is not None and span(ranges) <= ADVANCE_AT:
            return pool, ranges
    if _locked_here():
        return None
    with _lock:
        latest = _pools.get(key)
        if latest is pool or latest is None:
            latest = _pools[key] = _read(pool)
    ranges = latest.changed()
    if ranges is None or span(ranges) > CHANGED_AT_MOST:
        return None
    return latest, ranges


def pool_forget() -> None:
    """Drop every copy (tests, and a database that was replaced)."""
    with _lock:
        _pools.clear()


def _locked_here() -> bool:
    """Whether this connection's transaction keeps every other connection
    from reading what the pool reads (TRUNCATE, ALTER TABLE or LOCK TABLE
    took an ACCESS EXCLUSIVE lock): the pool's own connection would wait for
    the very transaction the ranking runs in, for ever."""
    if connection.get_autocommit():
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = pg_backend_pid() "
            "AND mode = 'AccessExclusiveLock' AND relation IN ('people_candidate'::regclass, "
            "'people_candidateskill'::regclass, 'jobs_poolchange'::regclass))"
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def _database_key() -> str:
    s = connection.settings_dict
    return f"{s.get('HOST')}:{s.get('PORT')}/{s.get('NAME')}"


def _read(previous: Pool | None) -> Pool:
    """A new copy, on a connection of its own, from one snapshot: the
    previous one advanced by what changed since it, or everything."""
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        other.ensure_connection()
        raw = other.connection
        raw.autocommit = True
        started = time.monotonic()
        with raw.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try:
                cursor.execute(
                    "SELECT pg_snapshot_xmax(s)::text::bigint, "  # noqa: S608
                    f"ARRAY(SELECT x::text::bigint FROM pg_snapshot_xip(s) x), {ORIGIN} "
                    "FROM pg_current_snapshot() s"
                )
                row = cursor.fetchone()
                assert row is not None
                snapshot = (int(row[0]), tuple(int(x) for x in row[1]), tuple(row[2:]))
                pool = None
                if previous is not None and _advanceable(previous):
                    pool = _advance(cursor, previous, snapshot)
                if pool is None:
                    pool = _whole(cursor, snapshot)
            finally:
                cursor.execute("COMMIT")
        logger.info(
            "Rediscovery's pool in memory: %s candidates read in %.2f s.",
            pool.size,
            time.monotonic() - started,
        )
        return pool
    finally:
        other.close()


# xmax, the transactions running, the origin (`Pool`).
Snapshot = tuple[int, tuple[int, ...], tuple[int, ...]]


def _advanceable(pool: Pool) -> bool:
    now = timezone.now()
    return now - pool.taken_at < ADVANCE_FOR and now - pool.read_whole_at < READ_WHOLE_EVERY


def _whole(cursor: Any, snapshot: Snapshot) -> Pool:
    """Every candidate: the distinct texts first, then each candidate's codes
    into them, worked out by the database and copied out in binary, so that
    no Python object is made per candidate."""
    import numpy as np

    # The three lists of distinct values, from one reading of the table.
    cursor.execute(
        "SELECT GROUPING(current_title), GROUPING(city), current_title, city, country, "
        "timezone, seniority FROM people_candidate GROUP BY GROUPING SETS "
        "((current_title), (city, country, timezone), (seniority))"
    )
    titles: list[str] = []
    places: list[tuple[str, str, str]] = []
    levels: list[str] = []
    for other_than_title, other_than_place, title, city, country, zone, level in cursor.fetchall():
        if not other_than_title:
            titles.append(title)
        elif not other_than_place:
            places.append((city, country, zone))
        else:
            levels.append(level)
    # One row of five arrays: one message from the server, not one per candidate.
    query = cursor.mogrify(
        "COPY (SELECT array_agg(c.id), array_agg(t.n::int - 1), array_agg(p.n::int - 1), "
        "array_agg(l.n::int - 1), array_agg(c.engagement_score) FROM people_candidate c "
        "JOIN unnest(%s::text[]) WITH ORDINALITY t(v, n) ON t.v = c.current_title "
        "JOIN unnest(%s::text[], %s::text[], %s::text[]) WITH ORDINALITY p(city, country, zone, n) "
        "ON p.city = c.city AND p.country = c.country AND p.zone = c.timezone "
        "JOIN unnest(%s::text[]) WITH ORDINALITY l(v, n) ON l.v = c.seniority) "
        "TO STDOUT (FORMAT BINARY)",
        [titles, *([list(column) for column in zip(*places, strict=True)] or [[], [], []]), levels],
    )
    [row] = _rows(_copied(cursor, query))
    kinds = (">i8", ">i4", ">i4", ">i4", ">f8")
    ids, title, place, level, engagement = (
        _array(field, kind) for field, kind in zip(row, kinds, strict=True)
    )
    order = np.argsort(ids, kind="stable")  # the joins keep no order
    ids, title, place, level, engagement = (
        a[order] for a in (ids, title, place, level, engagement)
    )
    return Pool(
        ids=ids.astype(np.int64),
        title=title.astype(np.int32),
        place=place.astype(np.int32),
        level=level.astype(np.int32),
        engagement=engagement.astype(np.float64),
        holders=_holders_of(cursor, ids, "TRUE"),
        titles=tuple(titles),
        places=tuple(places),
        levels=tuple(levels),
        watermark=snapshot[0],
        running=snapshot[1],
        taken=time.monotonic(),
        taken_at=timezone.now(),
        read_whole_at=timezone.now(),
        origin=snapshot[2],
    )


def _rows(data: bytes) -> Iterator[list[memoryview]]:
    """The fields of each row of a binary COPY (none is null here): a field
    count, then each field's length and bytes."""
    view, at = memoryview(data), 0
    while at < len(view):
        count = int.from_bytes(view[at : at + 2], "big")
        at += 2
        fields = []
        for _ in range(count):
            length = max(0, int.from_bytes(view[at : at + 4], "big", signed=True))  # null: -1
            fields.append(view[at + 4 : at + 4 + length])
            at += 4 + length
        yield fields


def _array(field: memoryview, kind: str) -> np.ndarray:
    """A one-dimensional array without nulls, in PostgreSQL's binary form:
    its dimensions, a null flag and the element type, then per dimension its
    size and lower bound, then each element's length and big-endian value."""
    import numpy as np

    if len(field) < 20 or int.from_bytes(field[0:4], "big") == 0:  # empty: no dimension
        return np.zeros(0, dtype=kind)
    size = int.from_bytes(field[12:16], "big", signed=True)
    element = np.dtype([("length", ">i4"), ("value", kind)])
    return np.frombuffer(field[20:], dtype=element, count=size)["value"]


def _copied(cursor: Any, query: str) -> bytes:
    """The rows of a binary COPY, without its header and end mark."""
    data = bytearray()
    with cursor.copy(query) as copy:
        for block in copy:
            data += block
    assert data[-_TRAILER:] == b"\xff\xff", "unexpected COPY layout"
    return bytes(data[_HEADER:-_TRAILER])


def _advance(cursor: Any, pool: Pool, snapshot: Snapshot) -> Pool | None:
    """The copy with the candidates changed since its snapshot read again;
    None when that is not worth it (or not possible) and the whole pool
    should be read instead."""
    import numpy as np

    cursor.execute(*pool._since())
    rows = cursor.fetchall()
    if any(low is None for low, _ in rows):
        return None
    ranges = merged((int(low), int(high)) for low, high in rows)
    if span(ranges) > max(ADVANCE_AT, REBUILD_SHARE * pool.size) or len(ranges) > RANGES_AT_MOST:
        return None
    where = " OR ".join(f"id BETWEEN {int(lo)} AND {int(hi)}" for lo, hi in ranges) or "FALSE"
    codes = _Codes(pool)
    cursor.execute(f"SELECT {CANDIDATE_COLUMNS} FROM people_candidate WHERE {where} ORDER BY id")  # noqa: S608
    fresh_ids, title, place, level, engagement = codes.columns(cursor.fetchall())
    kept = ~pool.within(ranges)
    ids = np.concatenate([pool.ids[kept], fresh_ids])
    order = np.argsort(ids, kind="stable")
    # Where each kept old position and each fresh row land in the new order.
    new_at = np.empty(len(ids), dtype=np.int64)
    new_at[order] = np.arange(len(ids))
    old_to_new = np.full(pool.size, -1, dtype=np.int64)
    old_to_new[np.flatnonzero(kept)] = new_at[: int(kept.sum())]
    holders: dict[int, np.ndarray] = {}
    for skill_id, at in pool.holders.items():
        moved = old_to_new[at]
        holders[skill_id] = moved[moved >= 0].astype(np.int32)
    skill_where = where.replace("id BETWEEN", "candidate_id BETWEEN")
    fresh = _holders_of(cursor, fresh_ids, skill_where)
    offset = int(kept.sum())
    for skill_id, at in fresh.items():
        placed = new_at[offset + at]
        both = np.concatenate([holders.get(skill_id, placed[:0]), placed])
        holders[skill_id] = np.sort(both).astype(np.int32)
    return Pool(
        ids=ids[order],
        title=np.concatenate([pool.title[kept], title])[order],
        place=np.concatenate([pool.place[kept], place])[order],
        level=np.concatenate([pool.level[kept], level])[order],
        engagement=np.concatenate([pool.engagement[kept], engagement])[order],
        holders={s: h for s, h in holders.items() if len(h)},
        titles=tuple(codes.titles),
        places=tuple(codes.places),
        levels=tuple(codes.levels),
        watermark=snapshot[0],
        running=snapshot[1],
        taken=time.monotonic(),
        taken_at=timezone.now(),
        read_whole_at=pool.read_whole_at,
        origin=snapshot[2],
    )


class _Codes:
    """The texts of an earlier copy as codes, extended with the new values
    that rows bring (so that the earlier codes keep their meaning)."""

    def __init__(self, pool: Pool) -> None:
        self.titles, self.places, self.levels = (
            list(pool.titles),
            list(pool.places),
            list(pool.levels),
        )
        self._title = {t: i for i, t in enumerate(self.titles)}
        self._place = {p: i for i, p in enumerate(self.places)}
        self._level = {lv: i for i, lv in enumerate(self.levels)}

    def columns(self, rows: Sequence[tuple[Any, ...]]) -> tuple[np.ndarray, ...]:
        """Rows of CANDIDATE_COLUMNS as ids, title, place, level, engagement."""
        import numpy as np

        ids, title, place, level, engagement = [], [], [], [], []
        for pk, current_title, city, country, zone, seniority, score in rows:
            ids.append(pk)
            title.append(_code(self._title, self.titles, current_title))
            place.append(_code(self._place, self.places, (city, country, zone)))
            level.append(_code(self._level, self.levels, seniority))
            engagement.append(score)
        return (
            np.asarray(ids, dtype=np.int64),
            np.asarray(title, dtype=np.int32),
            np.asarray(place, dtype=np.int32),
            np.asarray(level, dtype=np.int32),
            np.asarray(engagement, dtype=np.float64),
        )


def _code(codes: dict[Any, int], values: list[Any], value: Any) -> int:
    code = codes.get(value)
    if code is None:
        code = codes[value] = len(values)
        values.append(value)
    return code


# PostgreSQL's binary COPY: a 19-byte header, then per row a field count and,
# per field, its length and its big-endian value; then a 2-byte end mark.
_HEADER, _TRAILER = 19, 2


def _holders_of(cursor: Any, ids: np.ndarray, where: str) -> dict[int, np.ndarray]:
    """Per skill, the positions in `ids` (ascending) of the candidates who
    hold it, among the skill rows matching `where`: one row per skill, its
    holders as an array gathered from the skill index, copied out in binary
    and read by numpy (no Python object per skill row)."""
    import numpy as np

    query = (
        "COPY (SELECT s.skill_id, array_agg(s.candidate_id) FROM (SELECT skill_id, candidate_id "  # noqa: S608
        f"FROM people_candidateskill WHERE {where} ORDER BY skill_id, candidate_id) s "
        "GROUP BY s.skill_id) TO STDOUT (FORMAT BINARY)"
    )
    holders: dict[int, np.ndarray] = {}
    for skill, members in _rows(_copied(cursor, query)):
        held = _array(members, ">i8")
        found = np.searchsorted(ids, held)
        found[found >= len(ids)] = 0
        found = found[ids[found] == held] if len(ids) else found[:0]
        if len(found):
            holders[int.from_bytes(skill, "big", signed=True)] = found.astype(np.int32)
    return holders


def pool_changes_prune(*, older_than: dt.timedelta = LOG_KEPT) -> int:
    """Forget the log of changes older than a day (a periodic task)."""
    from rapport.jobs.models import PoolChange

    deleted, _ = PoolChange.objects.filter(at__lt=timezone.now() - older_than).delete()
    return deleted
