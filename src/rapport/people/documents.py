"""What full-text search reads of a candidate, as one string of words.

The same function builds it for the services, the demo data and the
migration that fills it for existing candidates, from plain values, so all
three agree word for word. Words are `core.text.words`: folded, letters and
digits only. A field's words appear twice: plain, so free text finds them,
and behind the field's marker, so `title:engineer` finds only titles.
Confidential notes go to a document of their own, searched only for users
who may read them.

Other apps add text of their own (a résumé's, for one) through
`text_source_register`: a source is a function that takes candidate ids and
returns, for the ones it knows, the texts to index after the notes, readable
by anyone who may see the candidate. `candidate_reindex` asks every source
once per batch, so a source costs a query per batch, not per candidate.
People registers none and imports nothing of the apps that do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from rapport.core.text import words

# Two characters no word starts with in practice: a digit, then a letter.
MARKERS = {
    "name": "0n",
    "headline": "0h",
    "title": "0t",
    "company": "0c",
    "city": "0y",
    "skill": "0s",
}


@lru_cache(maxsize=4096)
def skill_token(name: str) -> str:
    """One word per skill, symbols spelled out: C++ → 0scplusplus, C# → 0scsharp,
    日本語 → 0s日本語, so that `c++` finds C++ and not every C programmer."""
    spelled = name.replace("+", " plus ").replace("#", " sharp ")
    return MARKERS["skill"] + "".join(words(spelled))


# PostgreSQL counts word positions up to 16,383; beyond, phrases stop
# matching there but not in SQLite. The profile and field words come first,
# then skills, emails and notes, and no document holds more than this many
# words, so both databases see the same words in the same places.
MAX_WORDS = 16_000
MAX_REPEATS = 250  # PostgreSQL keeps 256 positions of a word
GAP = "0g"


@dataclass(slots=True)
class DocumentParts:
    first_name: str = ""
    last_name: str = ""
    headline: str = ""
    title: str = ""
    company: str = ""
    city: str = ""
    skills: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    confidential_notes: list[str] = field(default_factory=list)
    attached: list[str] = field(default_factory=list)  # from the registered text sources


@dataclass(frozen=True, slots=True)
class Document:
    tokens: str
    private_tokens: str


def document(parts: DocumentParts, split: Callable[[str], list[str]] = words) -> Document:
    """The document; `split` may be a cached `words` (the demo's)."""
    fielded = {
        "name": split(parts.first_name) + split(parts.last_name),
        "headline": split(parts.headline),
        "title": split(parts.title),
        "company": split(parts.company),
        "city": split(parts.city),
    }

    def every(texts: Iterable[str]) -> list[str]:
        return [w for text in texts for w in split(text)]

    profile = [w for ws in fielded.values() for w in ws]
    marked = [MARKERS[name] + w for name, ws in fielded.items() for w in ws]
    marked += [skill_token(name) for name in parts.skills]
    tokens = profile + marked + every(parts.skills) + every(parts.emails) + every(parts.notes)
    tokens += every(parts.attached)
    private = every(parts.confidential_notes)
    if private:
        # A word no query asks for first: on PostgreSQL the two parts are
        # one tsvector, and a phrase must not run from one into the other.
        private = [GAP, *private]
    return Document(_bounded(tokens), _bounded(private))


def _bounded(tokens: list[str]) -> str:
    """At most MAX_WORDS words, and no word more than MAX_REPEATS times: past
    that, PostgreSQL forgets where a word stands (SQLite does not), so the
    extra ones become gaps, which no phrase can run across, in both."""
    if len(tokens) <= MAX_REPEATS:  # nearly always: nothing to bound
        return " ".join(tokens)
    seen: dict[str, int] = {}
    kept = []
    for token in tokens[:MAX_WORDS]:
        seen[token] = seen.get(token, 0) + 1
        kept.append(token if seen[token] <= MAX_REPEATS else GAP)
    return " ".join(kept)


# --- text other apps attach to a candidate

TextSource = Callable[[Sequence[int]], Mapping[int, Sequence[str]]]
_sources: dict[str, TextSource] = {}


def text_source_register(name: str, source: TextSource) -> None:
    """Index the texts `source` returns for a candidate with the candidate's
    other words. Call it from an AppConfig.ready(); registering a name again
    replaces its source."""
    _sources[name] = source


def attached_texts(candidate_ids: Sequence[int]) -> dict[int, list[str]]:
    """Every registered source's texts for these candidates, in the order
    the sources were registered."""
    texts: dict[int, list[str]] = {}
    for source in _sources.values():
        for candidate_id, found in source(candidate_ids).items():
            texts.setdefault(candidate_id, []).extend(found)
    return texts
