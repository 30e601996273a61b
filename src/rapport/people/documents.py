"""What full-text search reads of a candidate, as one string of words.

The same function builds it for the services, the demo data and the
migration that fills it for existing candidates, from plain values, so all
three agree word for word. Words are `core.text.words`: folded, letters and
digits only. A field's words appear twice: plain, so free text finds them,
and behind the field's marker, so `title:engineer` finds only titles.
Confidential notes go to a document of their own, searched only for users
who may read them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from rapport.core.text import words
from rapport.people.vocabulary import skill_slug

# Two characters no word starts with in practice: a digit, then a letter.
MARKERS = {
    "name": "0n",
    "headline": "0h",
    "title": "0t",
    "company": "0c",
    "city": "0y",
    "skill": "0s",
}


def skill_token(name: str) -> str:
    """One word per skill, symbols spelled out: C++ → 0scplusplus, C# → 0scsharp,
    so that `c++` finds C++ and not every C programmer."""
    return MARKERS["skill"] + re.sub(r"[^a-z0-9]", "", skill_slug(name))


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

    plain = [w for ws in fielded.values() for w in ws]
    plain += every(parts.skills) + every(parts.emails) + every(parts.notes)
    marked = [MARKERS[name] + w for name, ws in fielded.items() for w in ws]
    marked += [skill_token(name) for name in parts.skills]
    return Document(" ".join(plain + marked), " ".join(every(parts.confidential_notes)))
