"""Every message of the corpus is classified as `expected.json` says: its
kind, its candidate and the message it answers, how it was matched, hard or
soft, and the new words of a reply."""

from __future__ import annotations

import pytest

from rapport.inbox.services import inbound_receive
from tests.inbox.corpus_check import CORPUS, RESULTS, check, expected
from tests.inbox.world import World

pytestmark = pytest.mark.django_db

EXPECTED = expected()


def test_the_corpus_is_large_and_varied_enough() -> None:
    kinds = [str(want["kind"]) for want in EXPECTED.values()]
    assert len(kinds) >= 40
    assert {
        k: kinds.count(k) >= 3 for k in ("reply", "bounce", "auto_reply", "unmatched", "ignored")
    }
    assert sorted(EXPECTED) == sorted(p.name for p in CORPUS.glob("*.eml"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_message_is_classified_as_expected(name: str, world: World) -> None:
    names: dict[int, str] = {c.pk: key for key, c in world.candidates.items()}
    names.update({-m.pk: key for key, m in world.messages.items()})
    raw = world.fill((CORPUS / name).read_bytes())
    message = inbound_receive(raw=raw, source="pipe").message
    result = check(name, message, EXPECTED[name], names)
    RESULTS.append(result)
    assert not result.problems, f"{name}: " + "; ".join(result.problems)
