"""The skill vocabulary, for autocomplete."""

from __future__ import annotations

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from rapport.api.errors import ERRORS
from rapport.people.models import Skill, SkillAlias

router = Router(tags=["skills"])


class SkillSearch(Schema):
    q: str = Field("", max_length=80, description="What the user typed: a name or an alias.")
    limit: int = Field(20, ge=1, le=100)


class SkillMatch(Schema):
    name: str
    category: str
    aliases: list[str]

    @staticmethod
    def resolve_aliases(obj: Skill) -> list[str]:
        return [a.alias for a in obj.aliases.all()]


@router.get("/skills", response={200: list[SkillMatch], **ERRORS}, summary="Look up skills")
def search_skills(request: HttpRequest, params: Query[SkillSearch]) -> list[Skill]:
    """Skills whose name or an alias contains `q`: exact matches first, then
    those that start with it, then the rest, by name."""
    key = " ".join(params.q.split()).lower()
    if not key:
        return []
    return list(_skill_matches(key)[: params.limit])


def _skill_matches(key: str) -> QuerySet[Skill]:
    # Stands in for a skill lookup that people.selectors does not have yet.
    # The vocabulary is the whole team's, so it is not scoped to the user.
    aliases = SkillAlias.objects.filter(skill=OuterRef("pk"))
    rank = Case(
        When(Q(name__iexact=key) | Exists(aliases.filter(alias=key)), then=Value(0)),
        When(Q(name__istartswith=key) | Exists(aliases.filter(alias__startswith=key)), then=1),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        Skill.objects.filter(Q(name__icontains=key) | Exists(aliases.filter(alias__contains=key)))
        .annotate(rank=rank)
        .order_by("rank", "name")
        .prefetch_related("aliases")
    )
