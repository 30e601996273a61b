"""The corpus of real-looking inbound mail, and how to check a classification
against what `expected.json` says (used by the tests and by the accuracy
report in bench/)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from rapport.inbox.models import InboundMessage

CORPUS = Path(__file__).resolve().parent / "corpus"


def expected() -> dict[str, dict[str, object]]:
    loaded: dict[str, dict[str, object]] = json.loads((CORPUS / "expected.json").read_text())
    return loaded


@dataclass
class Check:
    name: str
    kind: str
    problems: list[str]


RESULTS: list[Check] = []  # filled by test_corpus, summed up at the end of the run


def accuracy_lines() -> list[str]:
    """The corpus accuracy, overall and per expected kind."""
    if not RESULTS:
        return []
    right = sum(1 for r in RESULTS if not r.problems)
    lines = [f"Inbound mail corpus: {right}/{len(RESULTS)} classified as expected "
             f"({100 * right / len(RESULTS):.1f}%)"]  # fmt: skip
    for kind in sorted({r.kind for r in RESULTS}):
        of_kind = [r for r in RESULTS if r.kind == kind]
        good = sum(1 for r in of_kind if not r.problems)
        lines.append(f"  {kind:<11} {good:>3}/{len(of_kind):<3}")
    lines += [f"  wrong: {r.name}: {'; '.join(r.problems)}" for r in RESULTS if r.problems]
    return lines


def check(
    name: str, message: InboundMessage, want: dict[str, object], names: dict[int, str]
) -> Check:
    """What differs between `message` and the expectation `want`. `names`
    maps candidate and outbox message ids to the corpus names (ana, m1)."""
    problems = []
    if message.kind != want["kind"]:
        problems.append(f"kind {message.kind}, expected {want['kind']}")
    for field, got in [
        ("candidate", names.get(message.candidate_id or 0)),
        ("answers", names.get(-(message.answers_id or 0))),
    ]:
        if field in want and got != want[field]:
            problems.append(f"{field} {got}, expected {want[field]}")
    if want.get("matched_by") and message.matched_by != want["matched_by"]:
        problems.append(
            f"matched by {message.matched_by or 'nothing'}, expected {want['matched_by']}"
        )
    if "hard" in want and message.bounce_hard != want["hard"]:
        problems.append(f"hard {message.bounce_hard}, expected {want['hard']}")
    contains = str(want.get("text_contains") or "")
    if contains and contains not in " ".join(message.text.split()):
        problems.append(f"text lacks {contains!r}: {message.text[:200]!r}")
    excludes = str(want.get("text_excludes") or "")
    if excludes and excludes in " ".join(message.text.split()):
        problems.append(f"text still has {excludes!r}")
    return Check(name, str(want["kind"]), problems)
