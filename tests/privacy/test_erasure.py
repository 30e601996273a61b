"""Erasing a candidate leaves nothing of them in any table or file, leaves
everyone else as they were, and keeps a record that names nobody."""

from __future__ import annotations

import json
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client

from rapport.accounts.models import User
from rapport.core.errors import PermissionDenied
from rapport.inbox.models import (
    BounceScore,
    InboundMessage,
    SmsDirection,
    SmsMessage,
    SmsOptOut,
    number_digest,
)
from rapport.inbox.services import inbound_receive
from rapport.outreach.models import Suppression
from rapport.outreach.policy import address_digest
from rapport.people.models import Candidate
from rapport.privacy.erasure import candidate_erase
from rapport.privacy.models import Erasure, ErasureReason, PrivacyNotice
from rapport.search.selectors import candidate_search
from rapport.sourcing.models import CommunitySignup, ImportJob, ImportRow, Resume, RowOutcome
from tests.sourcing.test_merge import dump, pair  # noqa: F401 - the rich two-record fixture

pytestmark = pytest.mark.django_db

# What only Mary's record holds (see the `pair` fixture): her addresses, her
# second number, her company and her words.
MARY = ("mary.s@example.net", "mary.second@example.net", "+5521998765432", "Bluefin", "remote")
MARIA = ("maria.souza@example.org", "Met at PyCon")


def _text(state: dict[str, list[dict[str, Any]]]) -> str:
    return json.dumps(state, default=str, ensure_ascii=False).lower()


def _unrelated(make_candidate: Callable[..., Candidate]) -> Candidate:
    return make_candidate(first_name="Zoe", last_name="Quist", emails=["zoe@example.com"])


def _files(mary: Candidate, owner: User) -> tuple[str, str, str]:
    """A résumé of Mary's, a kept import file with her address in it, and
    one without."""
    resume = Resume.objects.create(candidate=mary, original_name="cv.pdf", uploaded_by=owner)
    resume.file.save("cv.pdf", ContentFile(b"%PDF-1.4 Mary Souza"), save=True)
    held = ImportJob.objects.create(original_name="old.csv", created_by=owner)
    held.file.save("old.csv", ContentFile(b"name,email\nMary,MARY.S@example.net\n"), save=True)
    other = ImportJob.objects.create(original_name="other.csv", created_by=owner)
    other.file.save("other.csv", ContentFile(b"name,email\nZoe,zoe@example.com\n"), save=True)
    ImportRow.objects.create(
        job=held, number=2, outcome=RowOutcome.REJECTED, reason="bad phone",
        values={"email": "mary.s@example.net", "phone": "not a number"},
    )  # fmt: skip
    return resume.file.name, held.file.name, other.file.name


def test_nothing_of_the_erased_person_is_left_and_nobody_else_changes(
    pair: tuple[Candidate, Candidate],  # noqa: F811
    owner: User,
    make_candidate: Callable[..., Candidate],
    django_capture_on_commit_callbacks: Any,
) -> None:
    maria, mary = pair
    zoe = _unrelated(make_candidate)
    resume, held, kept = _files(mary, owner)
    inbound_receive(  # mail from her second address, matched to nobody else
        raw=b"From: Someone <mary.second@example.net>\r\nTo: jobs@example.com\r\n"
        b"Subject: Hello\r\nMessage-ID: <m2@example.net>\r\n\r\nHi!\r\n",
        source="pipe",
    )
    CommunitySignup.objects.create(
        email="Mary.S@example.net", first_name="Mary", last_name="Souza",
        notice=PrivacyNotice.objects.first(), token_digest="x" * 64,
    )  # fmt: skip
    before = dump()
    text = _text(before)
    assert all(word.lower() in text for word in MARY), "the fixture holds what we look for"

    with django_capture_on_commit_callbacks(execute=True):
        erasure = candidate_erase(actor=owner, candidate=mary, reason=ErasureReason.REQUEST)

    after = dump()
    left = _text(after)
    for word in MARY:
        assert word.lower() not in left, f"{word} is still in the database"
    assert not default_storage.exists(resume) and not default_storage.exists(held)
    assert default_storage.exists(kept), "an import file without her stays"
    assert ImportJob.objects.filter(original_name="old.csv").get().file.name == ""
    # Everyone else is as they were: Maria (her shared number too), Zoe.
    for word in MARIA:
        assert word.lower() in left
    for other in (maria, zoe):
        assert Candidate.objects.filter(pk=other.pk).exists()
    assert {c.pk for c in candidate_search(owner, query="souza").rows} == {maria.pk}
    # The record names nobody, and her addresses and numbers are kept only
    # as digests, so she is never contacted again.
    record = Erasure.objects.get()
    assert record == erasure and record.record == mary.pk and record.suppressed
    assert "mary" not in _text({"e": list(Erasure.objects.values())})
    assert record.removed["people.Candidate"] == 1 and record.removed["files"] == 2
    assert Suppression.objects.filter(digest=address_digest("mary.s@example.net")).exists()
    assert SmsOptOut.objects.filter(digest=number_digest("+5521998765432")).exists()


def test_an_erasure_for_a_mistake_suppresses_nothing(
    make_candidate: Callable[..., Candidate], owner: User
) -> None:
    made = make_candidate(
        first_name="Ann", emails=["ann@example.com"], phones=["+55 11 98765-4321"]
    )
    erasure = candidate_erase(
        actor=owner, candidate=made, reason=ErasureReason.MISTAKE, note="typo"
    )
    assert not erasure.suppressed and erasure.note == "typo"
    assert not Suppression.objects.exists() and not SmsOptOut.objects.exists()


@pytest.mark.parametrize("role", ["admin", "owner", "teammate", "sourcer", "manager", "outsider"])
def test_who_may_erase(
    role: str, cast: dict[str, User], make_candidate: Callable[..., Candidate]
) -> None:
    made = make_candidate(first_name="Bea")
    allowed = role in {"admin", "owner", "teammate"}
    if allowed:
        candidate_erase(actor=cast[role], candidate=made, reason=ErasureReason.REQUEST)
        assert not Candidate.objects.filter(pk=made.pk).exists()
    else:
        with pytest.raises(PermissionDenied):
            candidate_erase(actor=cast[role], candidate=made, reason=ErasureReason.REQUEST)
        assert Candidate.objects.filter(pk=made.pk).exists()


def test_the_erase_page_asks_for_the_name_then_erases(
    client: Client, owner: User, make_candidate: Callable[..., Candidate]
) -> None:
    made = make_candidate(first_name="Cleo", last_name="Park", emails=["cleo@example.com"])
    client.force_login(owner)
    page = client.get(f"/candidates/{made.pk}/erase/").content.decode()
    assert "Erase Cleo Park" in page and "cannot be undone" in page
    wrong = client.post(
        f"/candidates/{made.pk}/erase/", {"reason": "request", "confirm": "Cleo"}
    ).content.decode()
    assert "Type their full name, Cleo Park, to confirm." in wrong
    assert Candidate.objects.filter(pk=made.pk).exists()
    done = client.post(
        f"/candidates/{made.pk}/erase/",
        {"reason": "request", "confirm": "  cleo park ", "note": "Email of 3 March"},
        follow=True,
    ).content.decode()
    assert not Candidate.objects.filter(pk=made.pk).exists()
    assert "Erased. Nothing of them is left" in done
    assert "Email of 3 March" in done and "They asked to be erased" in done


def test_the_erasures_page_is_for_those_who_may_erase(
    client: Client, cast: dict[str, User], make_candidate: Callable[..., Candidate]
) -> None:
    candidate_erase(
        actor=cast["owner"], candidate=make_candidate(first_name="Dan"), reason="retention"
    )
    for role, expected in (("admin", 200), ("owner", 200), ("sourcer", 404), ("manager", 404)):
        client.force_login(cast[role])
        response = client.get("/settings/erasures/")
        assert response.status_code == expected, role
        if expected == 200:
            assert "Kept longer than we should" in response.content.decode()


def test_the_command_erases_by_id(owner: User, make_candidate: Callable[..., Candidate]) -> None:
    made = make_candidate(first_name="Eli", emails=["eli@example.com"])
    out = StringIO()
    call_command("erase", str(made.pk), "--as", owner.email, "--reason", "request", stdout=out)
    assert not Candidate.objects.filter(pk=made.pk).exists()
    assert f"Erased candidate {made.pk}" in out.getvalue()
    assert Suppression.objects.filter(digest=address_digest("eli@example.com")).exists()


def test_rows_of_someone_else_who_shares_a_number_stay(
    pair: tuple[Candidate, Candidate],  # noqa: F811
    owner: User,
    make_candidate: Callable[..., Candidate],
) -> None:
    """Maria and Mary share +55 11 91234-5678: Maria's texts on it stay, and
    a candidate with no address at all takes no unmatched mail with them."""
    maria, mary = pair
    shared = "+5511912345678"
    SmsMessage.objects.create(
        direction=SmsDirection.IN, candidate=maria, number=shared, body="Maria's text"
    )
    SmsMessage.objects.create(direction=SmsDirection.IN, number="+5511900000000", body="Unknown")
    inbound_receive(
        raw=b"From: Stranger <stranger@example.com>\r\nTo: jobs@example.com\r\n"
        b"Subject: Hello\r\nMessage-ID: <s1@example.com>\r\n\r\nHi!\r\n",
        source="pipe",
    )
    nameless = make_candidate(first_name="Nameless", emails=[], phones=[])

    candidate_erase(actor=owner, candidate=mary, reason=ErasureReason.MISTAKE)
    candidate_erase(actor=owner, candidate=nameless, reason=ErasureReason.MISTAKE)

    assert SmsMessage.objects.filter(candidate=maria, number=shared).exists()
    assert SmsMessage.objects.filter(number="+5511900000000").exists()
    assert InboundMessage.objects.filter(from_email="stranger@example.com").exists()


def test_a_number_someone_else_still_has_is_not_refused_for_them(
    pair: tuple[Candidate, Candidate],  # noqa: F811
    owner: User,
) -> None:
    """Maria and Mary share a family number: Mary's erasure at her request
    opts out her own number, not the one Maria still uses."""
    _maria, mary = pair
    candidate_erase(actor=owner, candidate=mary, reason=ErasureReason.REQUEST)
    assert SmsOptOut.objects.filter(digest=number_digest("+5521998765432")).exists()
    assert not SmsOptOut.objects.filter(digest=number_digest("+5511912345678")).exists()


def test_their_soft_bounce_count_goes_and_someone_elses_stays(
    make_candidate: Callable[..., Candidate], owner: User
) -> None:
    made = make_candidate(first_name="Bo", emails=["bo@example.com"])
    make_candidate(first_name="Cy", emails=["cy@example.com"])
    for address in ("bo@example.com", "cy@example.com"):
        BounceScore.objects.create(digest=address_digest(address), soft_count=2)
    candidate_erase(actor=owner, candidate=made, reason=ErasureReason.MISTAKE)
    assert list(BounceScore.objects.values_list("digest", flat=True)) == [
        address_digest("cy@example.com")
    ]
