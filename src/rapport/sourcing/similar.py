"""Possible duplicates: people who look alike without sharing an email
address, a phone number or a profile URL.

Two people are compared only when they share a context (the same company,
the same city or the same school, compared as folded words), one word of
their names and the first two letters of the other (`Maria Souza` and
`Maria Sousa`, `John Smith` and `Jon Smith`, `Smith John`): that is a
blocking key (`blocking_keys`), stored per candidate in `SimilarityKey`, so
finding the few people worth comparing among a million is one indexed lookup
per batch, and a block holds a handful of people even at a company of
thousands. The names are
then compared with rapidfuzz (`token_sort_ratio` on the folded full names,
so `SMITH, John`, `john  smith` and `Jon Smith` are close); pairs at or above
THRESHOLD are possible duplicates, with a score (0-100) and the reasons a
person can check. Nothing here merges anyone or writes a review: callers
decide (imports open a DuplicateReview; the review page shows them).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from rapidfuzz import fuzz

from rapport.core.lookup import rows_for_each
from rapport.core.text import fold, words
from rapport.people.models import Candidate
from rapport.search.fulltext import Join, Phrase, all_of, any_of, ids
from rapport.sourcing.models import SimilarityKey

THRESHOLD = 85.0
# Custom fields (people.CustomField keys) read as the school, when an admin has one.
SCHOOL_FIELDS = ("school", "education", "university")
CONTEXTS = (("company", "company"), ("city", "city"), ("school", "school"))
KEY_BATCH = 5000


@dataclass(frozen=True, slots=True)
class Profile:
    """What similarity reads of a person."""

    first_name: str = ""
    last_name: str = ""
    company: str = ""
    city: str = ""
    school: str = ""

    @classmethod
    def of(cls, candidate: Candidate) -> Profile:
        return cls(
            first_name=candidate.first_name,
            last_name=candidate.last_name,
            company=candidate.current_company,
            city=candidate.city,
            school=school_of(candidate.custom_fields),
        )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def contexts(self) -> dict[str, str]:
        """Each context the person has, as folded words: {"company": "acme corp"}."""
        found = {}
        for kind, attr in CONTEXTS:
            text = getattr(self, attr)
            if text:
                value = _joined(text)
                if value:
                    found[kind] = value
        return found

    def name_words(self) -> set[str]:
        return {w for w in words(self.first_name) + words(self.last_name) if len(w) >= 2}

    def name_pairs(self) -> set[tuple[str, str]]:
        """(a word of the name, two letters of the other): the first word of
        the first name and the last word of the last name, both ways round."""
        first, last = words(self.first_name), words(self.last_name)
        ends = [w for w in (first[:1] + last[-1:] or first[-1:]) if w]
        if len(ends) == 1:
            return {(ends[0], "")}
        if len(ends) == 2 and ends[0] != ends[1]:
            return {(ends[0], ends[1][:2]), (ends[1], ends[0][:2])}
        return {(ends[0], ends[0][:2])} if ends else set()


_JOINED: dict[str, str] = {}


def _joined(text: str) -> str:
    """`words(text)` joined by spaces, remembered: companies and cities repeat."""
    value = _JOINED.get(text)
    if value is None:
        value = " ".join(words(text))
        if len(_JOINED) < 100_000:
            _JOINED[text] = value
    return value


def school_of(custom_fields: dict[str, Any]) -> str:
    for key in SCHOOL_FIELDS:
        value = custom_fields.get(key)
        if isinstance(value, str) and value:
            return value
    return ""


def _hash(text: str) -> int:
    """A signed 64-bit hash, the same in every process (Python's is salted)."""
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def blocking_keys(profile: Profile) -> set[int]:
    """One key per context and name pair: `John Smith` at Acme in London has
    four. Two people share a key when they share a context, one word of the
    name and two letters of the other, so a typo in one half of a name, or
    the halves swapped, still finds the twin."""
    pairs = profile.name_pairs()
    return {
        _hash(f"{kind}\x1f{value}\x1f{word}\x1f{start}")
        for kind, value in profile.contexts().items()
        for word, start in pairs
    }


def _name(profile: Profile) -> str:
    return fold(profile.full_name)


def score(a: Profile, b: Profile) -> tuple[float, list[str]] | None:
    """How alike two people are (0-100) and why, or None when they are not
    worth a person's time: no shared context, or names too far apart."""
    shared = [kind for kind, value in a.contexts().items() if b.contexts().get(kind) == value]
    if not shared:
        return None
    name_a, name_b = _name(a), _name(b)
    ratio = float(fuzz.token_sort_ratio(name_a, name_b))
    if ratio < THRESHOLD:
        return None
    reasons = [
        "same name"
        if ratio == 100
        else f"names alike ({ratio:.0f}%): {a.full_name} / {b.full_name}"
    ]
    for kind in shared:
        reasons.append(f"same {kind}: {getattr(b, kind) or getattr(a, kind)}")
    # Each further shared context makes it likelier: up to +5 for three.
    bonus = 2.5 * (len(shared) - 1)
    return min(100.0, round(ratio + bonus, 1)), reasons


# --- the stored keys ----------------------------------------------------------------


def keys_write(pairs: Iterable[tuple[int, Profile]]) -> int:
    """(Re)write the keys of these candidates. Returns how many keys were written."""
    rows: list[tuple[int, int]] = []
    candidate_ids: list[int] = []
    for candidate_id, profile in pairs:
        candidate_ids.append(candidate_id)
        rows += [(key, candidate_id) for key in blocking_keys(profile)]
    for start in range(0, len(candidate_ids), 1000):
        SimilarityKey.objects.filter(candidate_id__in=candidate_ids[start : start + 1000]).delete()
    keys_insert(rows)
    return len(rows)


def keys_insert(rows: Sequence[tuple[int, int]]) -> None:
    """(key, candidate id) rows for candidates that have none yet."""
    if not rows:
        return
    table = connection.ops.quote_name(SimilarityKey._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} (key, candidate_id) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(
                f"INSERT INTO {table} (key, candidate_id) VALUES (%s, %s)",  # noqa: S608
                list(rows),
            )


def keys_refresh(*, after_id: int = 0, since: Any = None) -> tuple[int, int]:
    """Key the candidates added after `after_id` or changed since `since`
    (elsewhere than in an import, which keys its own). Returns the highest
    candidate id seen and how many candidates were keyed."""
    query = Q(pk__gt=after_id)
    if since is not None:
        query |= Q(updated_at__gte=since)
    rows = Candidate.objects.filter(query).order_by("pk")
    fields = ("pk", "first_name", "last_name", "current_company", "city", "custom_fields")
    top, done, last = after_id, 0, 0
    while True:
        batch = list(rows.filter(pk__gt=last).values_list(*fields)[:KEY_BATCH])
        if not batch:
            return top, done
        with transaction.atomic():
            keys_write(
                (pk, Profile(first, last_name, company, city, school_of(custom or {})))
                for pk, first, last_name, company, city, custom in batch
            )
        last = batch[-1][0]
        top, done = max(top, last), done + len(batch)


def keys_lookup(keys: Iterable[int]) -> dict[int, set[int]]:
    """Key → the ids of the candidates who have it."""
    found: dict[int, set[int]] = {}
    rows = rows_for_each(
        keys,
        table=SimilarityKey._meta.db_table,
        column="key",
        select=["candidate_id"],
        kind="bigint",
    )
    for key, candidate_id in rows:
        found.setdefault(key, set()).add(candidate_id)
    return found


# --- one candidate ------------------------------------------------------------------


def similar_to(candidate: Candidate, *, limit: int = 5) -> list[tuple[Candidate, float, list[str]]]:
    """The candidates most like this one, best first: (candidate, score, reasons).

    Reads the stored keys, and also the search index (which every change
    keeps current), so someone added a minute ago by hand is found too."""
    profile = Profile.of(candidate)
    found: set[int] = set()
    for ids_ in keys_lookup(blocking_keys(profile)).values():
        found |= ids_
    condition = _search_condition(profile)
    if condition is not None:
        found |= set(
            Candidate.objects.filter(pk__in=ids(condition, private=False))
            .exclude(pk=candidate.pk)
            .values_list("pk", flat=True)[:500]
        )
    found.discard(candidate.pk)
    scored = []
    for other in Candidate.objects.filter(pk__in=found):
        result = score(profile, Profile.of(other))
        if result is not None:
            scored.append((other, result[0], result[1]))
    scored.sort(key=lambda item: (-item[1], item[0].pk))
    return scored[:limit]


def _search_condition(profile: Profile) -> Join | Phrase | None:
    """Shares the company's or the city's words, and a word of the name."""
    markers = {"company": "0c", "city": "0y"}
    contexts = [
        all_of([Phrase((markers[kind] + w,)) for w in value.split()])
        for kind, value in profile.contexts().items()
        if kind in markers
    ]
    names = [Phrase(("0n" + w,)) for w in sorted(profile.name_words())]
    if not contexts or not names:
        return None
    return Join("and", (any_of(contexts), any_of(names)))  # type: ignore[arg-type]
