"""A second look at erasure, export and retention: what belongs to someone
else stays, what belongs to the person goes, and the hold tag holds."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client
from django_tasks_db.models import DBTaskResult

from rapport.accounts.models import User
from rapport.core.activity import activity_record
from rapport.core.models import Activity, ActivityKind
from rapport.inbox.models import Conversation, InboundMessage
from rapport.inbox.services import conversation_place, inbound_receive
from rapport.inbox.sms_services import sms_receive
from rapport.people.models import Candidate
from rapport.people.services import tag_add
from rapport.privacy import retention
from rapport.privacy.erasure import candidate_erase
from rapport.privacy.exports import candidate_export
from rapport.privacy.models import Erasure, ErasureReason, PrivacyNotice
from rapport.privacy.retention import policy_get, policy_update, retention_apply
from rapport.privacy.services import notice_create, notice_publish
from rapport.privacy.tasks import search_index_compact
from rapport.sourcing.merge import candidate_merge, merge_undo
from rapport.sourcing.models import (
    CommunitySignup,
    ImportJob,
    ImportRow,
    Merge,
    Resume,
    RowOutcome,
)
from tests.privacy.test_export import _opened
from tests.privacy.test_retention import NOW, _aged
from tests.sourcing.test_merge import pair  # noqa: F401 - the rich two-record fixture

pytestmark = pytest.mark.django_db

# What only Mary's record holds (see the `pair` fixture).
MARY = ("mary.s@example.net", "mary.second@example.net", "+5521998765432", "bluefin")


def _text(rows: Any) -> str:
    return json.dumps(rows, default=str, ensure_ascii=False).lower()


def _import(owner: User, name: str, body: bytes, values: dict[str, str]) -> ImportJob:
    job = ImportJob.objects.create(original_name=name, created_by=owner)
    job.file.save(name, ContentFile(body), save=True)
    ImportRow.objects.create(
        job=job, number=2, outcome=RowOutcome.REJECTED, reason="bad phone", values=values
    )
    return job


def test_an_address_or_number_inside_a_longer_one_is_someone_else(
    owner: User, make_candidate: Callable[..., Candidate]
) -> None:
    ann = make_candidate(first_name="Ann", emails=["ann@example.com"], phones=["+55 11 91234-5678"])
    joann = _import(  # Joann's address ends with Ann's
        owner, "joann.csv", b"name,email\nJoann,joann@example.com\n",
        {"email": "joann@example.com", "phone": ""},
    )  # fmt: skip
    longer = _import(  # a domain that starts with Ann's
        owner, "community.csv", b"name,email\nAnnie,ann@example.community\n",
        {"email": "ann@example.community", "phone": ""},
    )  # fmt: skip
    digits = _import(  # a longer number that starts with Ann's digits
        owner, "digits.csv", b"name,phone\nBo,+55 11 91234-56789\n",
        {"email": "", "phone": "+55119123456789"},
    )  # fmt: skip
    hers = _import(
        owner, "hers.csv", b"name,email\nAnn,Ann@Example.com\n",
        {"email": "ANN@example.com", "phone": ""},
    )  # fmt: skip

    candidate_erase(actor=owner, candidate=ann, reason=ErasureReason.REQUEST)

    for job in (joann, longer, digits):
        job.refresh_from_db()
        assert job.file.name and default_storage.exists(job.file.name), job.original_name
        assert ImportRow.objects.filter(job=job).exists(), job.original_name
    hers.refresh_from_db()
    assert hers.file.name == "" and not ImportRow.objects.filter(job=hers).exists()


def test_the_export_holds_no_one_else_whose_address_contains_theirs(
    owner: User, make_candidate: Callable[..., Candidate]
) -> None:
    ann = make_candidate(first_name="Ann", emails=["ann@example.com"])
    _import(owner, "joann.csv", b"", {"email": "joann@example.com", "phone": ""})

    records, _note, _files = _opened(candidate_export(actor=owner, candidate=ann))

    assert "joann" not in _text(records)


def _merged_and_undone(maria: Candidate, mary: Candidate, owner: User) -> Merge:
    merge = candidate_merge(actor=owner, kept=maria, merged=mary, choices={})
    merge_undo(actor=owner, merge=merge)
    return merge


def test_an_undone_merge_keeps_nothing_of_the_erased_one(
    pair: tuple[Candidate, Candidate],  # noqa: F811
    owner: User,
) -> None:
    """Mary was merged into Maria by mistake and the merge undone: erasing
    Mary leaves nothing of her in the merge's snapshot nor in the events on
    Maria's timeline, and Maria keeps her timeline."""
    maria, mary = pair
    _merged_and_undone(maria, mary, owner)
    events = Activity.objects.filter(candidate=maria).count()

    candidate_erase(actor=owner, candidate=mary, reason=ErasureReason.REQUEST)

    left = _text([list(Merge.objects.values()), list(Activity.objects.values())])
    for word in (*MARY, "mary souza", f"#{mary.pk}"):
        assert word not in left, word
    assert Candidate.objects.filter(pk=maria.pk).exists()
    assert Activity.objects.filter(candidate=maria).count() == events


def test_an_undone_merge_keeps_nothing_when_the_kept_one_is_erased(
    pair: tuple[Candidate, Candidate],  # noqa: F811
    owner: User,
) -> None:
    maria, mary = pair
    _merged_and_undone(mary, maria, owner)  # Maria went into Mary, and came back

    candidate_erase(actor=owner, candidate=mary, reason=ErasureReason.REQUEST)

    left = _text(list(Activity.objects.filter(candidate=maria).values()))
    for word in ("mary souza", f"#{mary.pk}"):
        assert word not in left, word


def test_the_export_holds_nothing_of_the_other_side_of_an_undone_merge(
    pair: tuple[Candidate, Candidate],  # noqa: F811
    owner: User,
) -> None:
    maria, mary = pair
    _merged_and_undone(maria, mary, owner)

    records, _note, _files = _opened(candidate_export(actor=owner, candidate=maria))

    text = _text(records)
    for word in MARY:
        assert word not in text, word


def test_the_hold_tag_holds_when_the_admin_writes_it_as_a_tag_is_shown(
    make_candidate: Callable[..., Candidate], owner: User, admin: User
) -> None:
    """Tags are kept as `do-not-erase`; an admin may well type "Do not erase"."""
    held = make_candidate(first_name="Held")
    tag_add(actor=owner, candidates=[held], name="Do not erase")
    _aged(held)
    policy_update(actor=admin, enabled=True, months=24, hold_tag="Do not erase")

    retention_apply(now=NOW)

    assert Candidate.objects.filter(pk=held.pk).exists()


def test_their_unmatched_conversations_go_and_others_stay(
    owner: User, make_candidate: Callable[..., Candidate]
) -> None:
    """Mail and texts that came before they were added stay unmatched; their
    conversations (which hold the address, the number and the subject) go
    with the messages, and someone else's stays."""
    for sender, key in (("ann@example.com", "a1"), ("zoe@example.com", "z1")):
        inbound_receive(
            raw=f"From: X <{sender}>\r\nTo: jobs@example.com\r\nSubject: Hello from {key}\r\n"
            f"Message-ID: <{key}@example.com>\r\n\r\nHi!\r\n".encode(),
            source="pipe",
        )
    sms_receive(sender="+5511912345678", recipient="+15550000000", body="hi", provider_id="p1")
    ann = make_candidate(first_name="Ann", emails=["ann@example.com"], phones=["+5511912345678"])
    assert Conversation.objects.filter(candidate__isnull=True).count() == 3

    candidate_erase(actor=owner, candidate=ann, reason=ErasureReason.REQUEST)

    left = _text(list(Conversation.objects.values()))
    for word in ("ann@example.com", "hello from a1", "+5511912345678"):
        assert word not in left, word
    assert Conversation.objects.filter(from_email="zoe@example.com").exists()


def test_mail_placed_with_someone_else_stays_though_it_once_suggested_them(
    pair: tuple[Candidate, Candidate],  # noqa: F811
    owner: User,
) -> None:
    """Unmatched mail that suggested Mary, placed by hand with Maria, is
    Maria's now: erasing Mary leaves it."""
    maria, mary = pair
    inbound_receive(
        raw=b"From: Someone <someone@example.com>\r\nTo: jobs@example.com\r\n"
        b"Subject: About the role\r\nMessage-ID: <p1@example.com>\r\n\r\nHi!\r\n",
        source="pipe",
    )
    message = InboundMessage.objects.get(header_message_id="<p1@example.com>")
    InboundMessage.objects.filter(pk=message.pk).update(suggested_candidate=mary)
    assert message.conversation is not None
    conversation_place(actor=owner, conversation=message.conversation, candidate=maria)
    message.refresh_from_db()
    assert message.candidate == maria and message.suggested_candidate == mary

    candidate_erase(actor=owner, candidate=mary, reason=ErasureReason.MISTAKE)

    assert InboundMessage.objects.filter(pk=message.pk, candidate=maria).exists()


def test_the_pages_refuse_bad_input_without_crashing(
    client: Client, admin: User, make_candidate: Callable[..., Candidate]
) -> None:
    made = make_candidate(first_name="José", last_name="Núñez")
    client.force_login(admin)
    assert client.get("/candidates/999999/erase/").status_code == 404
    assert client.post("/candidates/999999/export/").status_code == 404
    assert client.get(f"/candidates/{made.pk}/export/").status_code == 405
    bad = client.post(
        f"/candidates/{made.pk}/erase/", {"reason": "whim", "confirm": "x" * 500, "note": "\x00"}
    )
    assert bad.status_code == 200 and Candidate.objects.filter(pk=made.pk).exists()
    for values in (
        {"enabled": "on", "months": "many", "hold_tag": "keep"},
        {"enabled": "on", "months": "24", "hold_tag": "!!!"},
        {"enabled": "on", "months": "-1", "hold_tag": "keep"},
    ):
        refused = client.post("/settings/retention/", values)
        assert refused.status_code == 200 and "Saved" not in refused.content.decode()
    assert not policy_get().enabled


def test_a_name_typed_with_its_accents_decomposed_still_confirms(
    client: Client, owner: User, make_candidate: Callable[..., Candidate]
) -> None:
    """ "Núñez" pasted from a PDF often arrives as u + a combining accent."""
    made = make_candidate(first_name="José", last_name="Núñez")
    client.force_login(owner)
    typed = unicodedata.normalize("NFD", "José Núñez")
    client.post(f"/candidates/{made.pk}/erase/", {"reason": "mistake", "confirm": typed})
    assert not Candidate.objects.filter(pk=made.pk).exists()


def test_a_candidate_touched_during_a_run_is_not_erased_by_it(
    make_candidate: Callable[..., Candidate],
    admin: User,
    owner: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A run erases one person after another; a reply that arrives for the
    second while the first is erased makes the second no longer due."""
    first, second = (_aged(make_candidate(first_name=n)) for n in ("First", "Second"))
    policy_update(actor=admin, enabled=True, months=24, hold_tag="keep")
    real_erase = retention.erase

    def erase_then_reply(**kwargs: Any) -> Any:
        made = real_erase(**kwargs)
        if kwargs["candidate"].pk == first.pk:
            activity_record(kind=ActivityKind.EMAIL_REPLIED, candidate=second, actor=None)
        return made

    monkeypatch.setattr(retention, "erase", erase_then_reply)

    assert retention_apply() == 1
    assert not Candidate.objects.filter(pk=first.pk).exists()
    assert Candidate.objects.filter(pk=second.pk).exists()


def test_the_cv_of_a_sign_up_they_never_confirmed_goes_with_them(
    owner: User,
    make_candidate: Callable[..., Candidate],
    django_capture_on_commit_callbacks: Any,
) -> None:
    """A sign-up waiting for its confirmation holds a résumé that is nobody's
    yet: it is theirs, in the export and gone with them; Zoe's stays."""
    ann = make_candidate(first_name="Ann", emails=["ann@example.com"])
    files = {}
    for email in ("ann@example.com", "zoe@example.com"):
        resume = Resume.objects.create(candidate=None, original_name=f"{email}.pdf")
        resume.file.save(f"{email}.pdf", ContentFile(b"%PDF-1.4 " + email.encode()), save=True)
        CommunitySignup.objects.create(
            email=email, first_name="X", last_name="Y", resume=resume,
            notice=_notice(owner), token_digest=email[:3] * 20,
        )  # fmt: skip
        files[email] = resume.file.name

    records, _note, sent = _opened(candidate_export(actor=owner, candidate=ann))
    assert files["ann@example.com"] in _text(records)
    assert list(sent.values()) == [b"%PDF-1.4 ann@example.com"]
    assert "zoe@example.com" not in _text(records)
    with django_capture_on_commit_callbacks(execute=True):
        candidate_erase(actor=owner, candidate=ann, reason=ErasureReason.REQUEST)

    assert not Resume.objects.filter(original_name="ann@example.com.pdf").exists()
    assert not default_storage.exists(files["ann@example.com"])
    assert Resume.objects.filter(original_name="zoe@example.com.pdf").exists()
    assert default_storage.exists(files["zoe@example.com"])


def _notice(owner: User) -> PrivacyNotice:
    notice = PrivacyNotice.objects.filter(published_at__isnull=False).first()
    if notice is None:
        notice = notice_publish(
            actor=owner, notice=notice_create(actor=owner, version="1", text="x")
        )
    return notice


def _index_bytes() -> bytes:
    """What the SQLite full-text index keeps on disk (FTS5 keeps a deleted
    document's words in its segments until they are merged)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT block FROM search_fts_data")
        return b"".join(bytes(row[0]) for row in cursor.fetchall() if row[0])


@pytest.mark.skipif(connection.vendor != "sqlite", reason="FTS5 is SQLite's index")
def test_the_search_index_keeps_none_of_their_words(
    make_candidate: Callable[..., Candidate],
    owner: User,
    admin: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    ann = make_candidate(first_name="Annwyl", last_name="Qqplonk", current_company="Bluefinzz")
    old = _aged(make_candidate(first_name="Oldname", last_name="Zzretained"))
    make_candidate(first_name="Zoe", last_name="Quist")
    assert b"qqplonk" in _index_bytes() and b"zzretained" in _index_bytes()

    with django_capture_on_commit_callbacks(execute=True):
        candidate_erase(actor=owner, candidate=ann, reason=ErasureReason.REQUEST)
    # The index is rewritten by the worker, not in the recruiter's request.
    queued = DBTaskResult.objects.filter(task_path="rapport.privacy.tasks.search_index_compact")
    assert queued.count() == 1
    search_index_compact.call()
    assert b"qqplonk" not in _index_bytes()
    policy_update(actor=admin, enabled=True, months=24, hold_tag="keep")
    with django_capture_on_commit_callbacks(execute=True):
        retention_apply()

    left = _index_bytes()
    for word in (b"qqplonk", b"bluefinzz", b"annwyl", b"zzretained", b"oldname"):
        assert word not in left, word
    assert b"quist" in left
    assert not Candidate.objects.filter(pk=old.pk).exists()


def test_erasing_someone_already_erased_says_so(
    owner: User, make_candidate: Callable[..., Candidate]
) -> None:
    """Two recruiters erase the same person at once: the second is told, it
    does not crash (the page and the command show the message)."""
    made = make_candidate(first_name="Twice")
    stale = Candidate.objects.get(pk=made.pk)
    candidate_erase(actor=owner, candidate=made, reason=ErasureReason.REQUEST)
    with pytest.raises(ValidationError) as refused:
        candidate_erase(actor=owner, candidate=stale, reason=ErasureReason.REQUEST)
    assert "already erased" in str(refused.value)
    assert Erasure.objects.count() == 1
