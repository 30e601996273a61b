"""The skill vocabulary shipped with Rapport (data/skills.json): several
hundred skills across engineering, design, healthcare, finance, sales,
operations and people work, each with the aliases recruiters type."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.text import slugify

VOCABULARY = Path(__file__).parent / "data" / "skills.json"


@cache
def vocabulary() -> list[dict[str, Any]]:
    return list(json.loads(VOCABULARY.read_text(encoding="utf-8")))


def skill_slug(name: str) -> str:
    return slugify(name.replace("+", " plus ").replace("#", " sharp ")) or "skill"


def load_vocabulary(skill_model: Any, alias_model: Any) -> int:
    """Add the shipped skills and aliases that the database lacks; never
    removes or renames what a team changed. Takes the models as arguments so
    a migration can pass its historical ones. Returns how many skills it added."""
    existing = {name.lower(): pk for pk, name in skill_model.objects.values_list("pk", "name")}
    slugs = set(skill_model.objects.values_list("slug", flat=True))
    fresh = []
    for entry in vocabulary():
        if entry["name"].lower() in existing:
            continue
        slug = skill_slug(entry["name"])
        while slug in slugs:
            slug += "-x"
        slugs.add(slug)
        fresh.append(skill_model(name=entry["name"], slug=slug, category=entry["category"]))
    skill_model.objects.bulk_create(fresh)
    ids = {name.lower(): pk for pk, name in skill_model.objects.values_list("pk", "name")}
    taken = set(alias_model.objects.values_list("alias", flat=True))
    aliases = [
        alias_model(skill_id=ids[entry["name"].lower()], alias=alias)
        for entry in vocabulary()
        for alias in entry["aliases"]
        if alias not in taken and alias not in ids
    ]
    alias_model.objects.bulk_create(aliases)
    return len(fresh)
