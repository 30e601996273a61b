"""The skill vocabulary as the query compiler reads it, kept per process.

Every free-text word is looked up as a skill or an alias (`k8s` finds
Kubernetes), and `skill:` names one: reading the six hundred skills and
their aliases for each search cost about a millisecond of a first page that
otherwise takes a few. The vocabulary is kept instead, with its names
folded once, and checked at each use against a stamp of both tables (how
many rows, the highest id, the total length of the names), read in one
small query: a skill or an alias added, removed or renamed to a name of
another length is seen at once. A rename to a name of the same length, made
outside Rapport (the application never renames a skill), is seen within
`KEEP_FOR` seconds, when the vocabulary is read again anyway.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from django.db import connection

from rapport.core.text import fold
from rapport.people.models import Skill, SkillAlias

KEEP_FOR = 60.0

_SKILLS = Skill._meta.db_table
_ALIASES = SkillAlias._meta.db_table
STAMP = (
    "SELECT count(*), coalesce(max(id), 0), coalesce(sum(length(name)), 0) "  # noqa: S608
    f"FROM {_SKILLS} UNION ALL "
    "SELECT count(*), coalesce(max(id), 0), coalesce(sum(length(alias) + skill_id), 0) "
    f"FROM {_ALIASES}"
)


@dataclass(frozen=True)
class Vocabulary:
    skills: list[tuple[int, str]]  # (id, name), by name
    names: dict[int, str] = field(default_factory=dict)
    by_folded: dict[str, int] = field(default_factory=dict)  # the first skill by name wins
    aliases: dict[str, int] = field(default_factory=dict)  # alias (lower case) → skill id

    def skill_id(self, value: str) -> int | None:
        """The skill a name or an alias stands for (`k8s` → Kubernetes)."""
        folded = fold(value)
        return self.by_folded.get(folded, self.aliases.get(folded))


_kept: dict[tuple[str, str], tuple[tuple[int, ...], float, Vocabulary]] = {}
_lock = threading.Lock()


def vocabulary() -> Vocabulary:
    """The vocabulary as it stands in this connection's database."""
    key = (connection.alias, str(connection.settings_dict["NAME"]))
    with connection.cursor() as cursor:
        cursor.execute(STAMP)
        stamp = tuple(int(v) for row in cursor.fetchall() for v in row)
    with _lock:
        kept = _kept.get(key)
    if kept is not None and kept[0] == stamp and time.monotonic() - kept[1] < KEEP_FOR:
        return kept[2]
    read = _read()
    with _lock:
        _kept[key] = (stamp, time.monotonic(), read)
    return read


def _read() -> Vocabulary:
    skills = list(Skill.objects.order_by("name").values_list("pk", "name"))
    by_folded: dict[str, int] = {}
    for pk, name in skills:
        by_folded.setdefault(fold(name), pk)
    aliases = dict(SkillAlias.objects.values_list("alias", "skill_id"))
    return Vocabulary(skills, dict(skills), by_folded, aliases)
