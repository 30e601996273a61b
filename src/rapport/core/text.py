"""Small text helpers shared by the apps."""

from __future__ import annotations

import re
import unicodedata

_space = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower-case, strip accents and collapse spaces: `São  Paulo` → `sao paulo`."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _space.sub(" ", stripped.casefold()).strip()


def slugify_tag(text: str) -> str:
    """Tags are lower-case words joined by hyphens: `Silver Medallist` → `silver-medallist`."""
    folded = fold(text)
    slug = re.sub(r"[^a-z0-9+#.]+", "-", folded).strip("-.")[:60].strip("-.")
    return slug if re.search(r"[a-z0-9]", slug) else ""


_word = re.compile(r"[^\W_]+")
_ascii_word = re.compile(r"[a-z0-9]+")


def words(text: str) -> list[str]:
    """The words full-text search sees: folded, split at anything that is not
    a letter or a digit. `Node.js / São Paulo` → node, js, sao, paulo. Both
    databases index exactly these words, so they answer alike."""
    if text.isascii():
        return _ascii_word.findall(text.lower())
    return _word.findall(fold(text))
