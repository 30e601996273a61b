"""The query compiler keeps the skill vocabulary per process: a skill or an
alias added, removed or renamed is seen by the very next search."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from rapport.accounts.models import User
from rapport.people.models import Candidate, Skill, SkillAlias
from rapport.people.services import skill_resolve
from rapport.search import vocabulary
from rapport.search.compiler import compile_query
from rapport.search.selectors import candidate_search

pytestmark = pytest.mark.django_db


def _found(user: User, query: str) -> set[str]:
    return {c.first_name for c in candidate_search(user, query=query).rows}


def test_a_new_skill_or_alias_is_known_to_the_next_search(
    owner: User, make_candidate: Callable[..., Candidate]
) -> None:
    compile_query(owner, "skill:python")  # the vocabulary is now kept
    assert compile_query(owner, "skill:qzlang").warnings == ["No skill is called “qzlang”."]
    make_candidate(first_name="Quinn", skills=["Qzlang"])
    assert compile_query(owner, "skill:qzlang").warnings == []
    assert _found(owner, "skill:qzlang") == {"Quinn"}

    make_candidate(first_name="Kube", skills=["Kubernetes"])
    assert _found(owner, "kubes") == set()
    SkillAlias.objects.create(alias="kubes", skill=Skill.objects.get(name="Kubernetes"))
    assert _found(owner, "kubes") == {"Kube"}, "an alias added finds the skill's token"


def test_a_renamed_or_removed_skill_is_seen_at_once(owner: User) -> None:
    skill = skill_resolve("Elmish")
    assert compile_query(owner, "skill:elmish").warnings == []
    Skill.objects.filter(pk=skill.pk).update(name="Elm Architecture")
    assert compile_query(owner, "skill:elmish").warnings == ["No skill is called “elmish”."]
    assert compile_query(owner, 'skill:"elm architecture"').warnings == []
    Skill.objects.filter(pk=skill.pk).delete()
    assert compile_query(owner, 'skill:"elm architecture"').warnings != []


def test_a_rename_to_a_name_of_the_same_length_is_seen_within_a_minute(
    owner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    skill = skill_resolve("Abcde")
    clock = [1000.0]
    monkeypatch.setattr(vocabulary.time, "monotonic", lambda: clock[0])
    assert compile_query(owner, "skill:abcde").warnings == []
    Skill.objects.filter(pk=skill.pk).update(name="Vwxyz")  # same length, same ids
    clock[0] += vocabulary.KEEP_FOR + 1
    assert compile_query(owner, "skill:vwxyz").warnings == []
    assert compile_query(owner, "skill:abcde").warnings != []
