"""Merging two records of one person, and undoing it.

The round trips compare the whole database: every row of every table
(`dump`), before the merge and after the undo, and they must be equal but
for what the merge and the undo record about themselves (two timeline
events and the Merge row)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from rapport.accounts.models import User
from rapport.core.errors import PermissionDenied
from rapport.core.models import Activity, ActivityKind, Notification
from rapport.inbox.models import Conversation, InboundMessage
from rapport.inbox.services import inbound_receive
from rapport.jobs.models import PoolChange
from rapport.outreach import sequences
from rapport.outreach.models import Enrollment, Message, Preference, Topic
from rapport.outreach.services import (
    PreferenceChoice,
    email_send,
    preferences_update,
    template_create,
)
from rapport.people.models import (
    Candidate,
    CandidateShare,
    CandidateSkill,
    CandidateTag,
    ContactPoint,
    Note,
    PoolMembership,
    SearchDocument,
)
from rapport.people.services import (
    candidate_share,
    contact_add,
    contact_remove,
    custom_field_create,
    note_add,
    pool_add,
    pool_create,
    tag_add,
)
from rapport.privacy.models import Consent, PrivacyNotice
from rapport.search import fulltext
from rapport.sourcing.merge import (
    UndoRefused,
    candidate_merge,
    choice_keys,
    links_to,
    merge_undo,
    review_dismiss,
)
from rapport.sourcing.models import DuplicateReview, Merge, Referral, ReviewStatus

pytestmark = pytest.mark.django_db

Make = Callable[..., Candidate]
OWN_EVENTS = (ActivityKind.CANDIDATE_MERGED, ActivityKind.CANDIDATE_UNMERGED)


# --- the whole database as plain values -------------------------------------------


def dump() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table Rapport owns, by table, in key order; but
    the merges themselves, the timeline events merges and undos write, and
    the log of changes the database keeps for rediscovery's pool (a record
    that writes happened, not state)."""
    state = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label in {"contenttypes", "auth", "sessions", "admin"}:
            continue
        if model in (Merge, PoolChange):
            continue
        rows = model._base_manager.all()
        if model is Activity:
            rows = rows.exclude(kind__in=OWN_EVENTS)
        state[model._meta.label] = [_plain(row) for row in rows.order_by("pk").values()]
    return state


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {k: bytes(v) if isinstance(v, memoryview) else v for k, v in row.items()}


def differences(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Table → (rows only before, rows only after), for a readable failure."""
    found = {}
    for table in before:
        gone = [r for r in before[table] if r not in after[table]]
        new = [r for r in after[table] if r not in before[table]]
        if gone or new:
            found[table] = (gone, new)
    return found


def found_by(word: str) -> set[int]:
    condition = fulltext.Phrase((word,))
    return set(
        Candidate.objects.filter(fulltext.matching(condition, private=False)).values_list(
            "pk", flat=True
        )
    )


# --- two records of one person, each with a life of its own -------------------------


@pytest.fixture
def pair(
    make_candidate: Make, owner: User, teammate: User, manager: User, admin: User
) -> tuple[Candidate, Candidate]:
    """Maria (the older record) and Mary (added later by a teammate), the
    same person: a tag, a pool, a skill, a phone number, a share, a
    sequence, a referrer and contact preferences in common, and each with
    notes, emails, a timeline and rows of their own."""
    custom_field_create(actor=admin, label="Notice period", field_type="text")
    maria = make_candidate(
        first_name="Maria",
        last_name="Souza",
        current_title="Backend Engineer",
        city="São Paulo",
        country="BR",
        languages=["pt"],
        emails=["maria.souza@example.org", "maria@work.example"],
        phones=["+55 11 91234-5678"],
        skills=["Python", "Django"],
        tags=["python-dev", "silver-medallist"],
        custom_fields={"notice_period": "30 days"},
    )
    mary = make_candidate(
        actor=teammate,
        first_name="Mary",
        last_name="Souza",
        headline="Staff engineer, distributed systems",
        current_title="Staff Engineer",
        current_company="Bluefin",
        city="Sao Paulo",
        languages=["en", "pt"],
        source="import",
        emails=["mary.s@example.net", "mary.second@example.net"],
        phones=["+55 11 91234-5678", "+55 21 99876-5432"],
        skills=["Python", "Kubernetes"],
        tags=["python-dev", "referral"],
        custom_fields={"notice_period": "60 days"},
    )
    CandidateSkill.objects.filter(candidate=mary, skill__name="Python").update(level=4, years=6)
    shared = pool_create(actor=owner, name="Senior Backend")
    pool_add(actor=owner, pool=shared, candidates=[maria, mary])
    pool_add(actor=owner, pool=pool_create(actor=owner, name="Platform"), candidates=[mary])
    candidate_share(actor=owner, candidate=maria, user=manager)
    candidate_share(actor=owner, candidate=mary, user=manager)
    note_add(actor=owner, candidate=maria, body="Met at PyCon.")
    note_add(actor=teammate, candidate=mary, body="Wants **remote** work.")
    note_add(actor=owner, candidate=mary, body="Asked for 20% more.", confidential=True)
    Referral.objects.create(candidate=maria, referrer=teammate, note="Great engineer")
    Referral.objects.create(candidate=mary, referrer=teammate, note="Same person?")
    Referral.objects.create(candidate=mary, referrer=admin, note="Worked with her")
    notice = PrivacyNotice.objects.create(version="2026-01", text="We keep your details.")
    Consent.objects.create(candidate=mary, notice=notice, source="community")
    _outreach(owner, maria, mary)
    inbound_receive(
        raw=b"From: Mary Souza <mary.s@example.net>\r\nTo: jobs@example.com\r\n"
        b"Subject: Still looking\r\nMessage-ID: <mary-1@example.net>\r\n"
        b"Date: Tue, 24 Nov 2026 10:00:00 -0300\r\n\r\nHi, is the role still open?\r\n",
        source="pipe",
    )
    Notification.objects.create(user=owner, kind="reply", text="Mary wrote", candidate=mary)
    maria.refresh_from_db()
    mary.refresh_from_db()
    return maria, mary


def _outreach(owner: User, maria: Candidate, mary: Candidate) -> None:
    template = template_create(
        actor=owner, name="Hello", subject="Hello {{ candidate.first_name }}", body="Hi there"
    )
    sequence = sequences.sequence_save(
        actor=owner, sequence=None, name="Warm", description="", sender=owner, window=None,
        auto_segment=None, stop_on_auto_reply=True, active=True,
    )  # fmt: skip
    sequences.step_add(actor=owner, sequence=sequence, template=template, wait_days=0)
    sequences.sequence_enroll(actor=owner, sequence=sequence, candidate_ids=[maria.pk, mary.pk])
    sequences.sequences_advance(now=timezone.now() + dt.timedelta(days=1))
    email_send(actor=owner, candidate=mary, subject="Coffee?", body="Shall we talk?")
    topic = Topic.objects.create(name="Events")
    other = Topic.objects.create(name="Newsletter")
    preferences_update(
        candidate=maria,
        choice=PreferenceChoice(subscribed=True, frequency="monthly", topics_declined=(topic.pk,)),
    )
    preferences_update(
        candidate=mary,
        choice=PreferenceChoice(
            subscribed=False,
            frequency="quarterly",
            topics_declined=(topic.pk, other.pk),
            roles="Staff",
        ),
    )


def test_the_pair_has_everything_the_round_trip_must_restore(
    pair: tuple[Candidate, Candidate],
) -> None:
    _, mary = pair
    for model in (
        ContactPoint,
        CandidateTag,
        PoolMembership,
        CandidateSkill,
        CandidateShare,
        Note,
        Enrollment,
        Message,
        Preference,
        Referral,
        Consent,
        Conversation,
        InboundMessage,
        Notification,
    ):
        assert model._base_manager.filter(candidate=mary).exists(), model
    assert Message.objects.filter(candidate=mary, enrollment__isnull=False).exists()


# --- merging ---------------------------------------------------------------------


def test_a_merge_moves_everything_and_collapses_what_both_had(
    pair: tuple[Candidate, Candidate], owner: User
) -> None:
    maria, mary = pair
    mary_notes = set(Note.objects.filter(candidate=mary).values_list("pk", flat=True))
    mary_events = set(Activity.objects.filter(candidate=mary).values_list("pk", flat=True))
    mary_messages = set(Message.objects.filter(candidate=mary).values_list("pk", flat=True))

    merge = candidate_merge(
        actor=owner,
        kept=maria,
        merged=mary,
        choices={"current_title": "merged", "headline": "merged", "primary_email": "merged"},
    )

    assert not Candidate.objects.filter(pk=mary.pk).exists()
    maria.refresh_from_db()
    assert (maria.first_name, maria.current_title, maria.headline) == (
        "Maria",
        "Staff Engineer",
        "Staff engineer, distributed systems",
    )
    assert maria.current_company == "Bluefin"  # empty on the kept record: the other's by default
    assert maria.languages == ["en", "pt"]
    assert maria.custom_fields == {"notice_period": "30 days"}
    assert maria.primary_email == "mary.s@example.net"
    emails = dict(
        ContactPoint.objects.filter(candidate=maria, kind="email").values_list(
            "value", "is_primary"
        )
    )
    assert emails == {
        "maria.souza@example.org": False,
        "maria@work.example": False,
        "mary.s@example.net": True,
        "mary.second@example.net": False,
    }
    phones = list(
        ContactPoint.objects.filter(candidate=maria, kind="phone").values_list("value", flat=True)
    )
    assert sorted(phones) == ["+5511912345678", "+5521998765432"]  # the shared number once
    tags = CandidateTag.objects.filter(candidate=maria).values_list("tag__name", flat=True)
    assert sorted(tags) == ["python-dev", "referral", "silver-medallist"]
    pools = PoolMembership.objects.filter(candidate=maria).values_list("pool__name", flat=True)
    assert sorted(pools) == ["Platform", "Senior Backend"]
    python = CandidateSkill.objects.get(candidate=maria, skill__name="Python")
    assert (python.level, python.years) == (4, 6)
    assert CandidateShare.objects.filter(candidate=maria).count() == 1
    assert mary_notes <= set(Note.objects.filter(candidate=maria).values_list("pk", flat=True))
    assert mary_events <= set(Activity.objects.filter(candidate=maria).values_list("pk", flat=True))
    assert mary_messages <= set(
        Message.objects.filter(candidate=maria).values_list("pk", flat=True)
    )
    assert Enrollment.objects.filter(candidate=maria).count() == 1
    assert Message.objects.filter(candidate=maria, enrollment__isnull=False).count() == 2
    preference = Preference.objects.get(candidate=maria)
    assert preference.unsubscribed_at is not None  # Mary's unsubscribe stands
    assert preference.frequency == "quarterly"
    assert set(preference.topics_declined.values_list("name", flat=True)) == {
        "Events",
        "Newsletter",
    }
    assert sorted(
        Referral.objects.filter(candidate=maria).values_list("referrer__name", flat=True)
    ) == [
        "Ada Admin",
        "Tom Teammate",
    ]
    assert Conversation.objects.filter(candidate=maria).exists()
    assert Consent.objects.filter(candidate=maria).exists()
    assert Notification.objects.filter(candidate=maria).exists()
    event = Activity.objects.get(kind=ActivityKind.CANDIDATE_MERGED)
    assert (event.candidate_id, event.actor, event.target_id) == (maria.pk, owner, merge.pk)
    assert merge.merged_id == mary.pk and merge.merged_name == "Mary Souza"
    assert merge.choices["current_title"] == "merged" and merge.choices["city"] == "kept"
    assert found_by("kubernetes") == {maria.pk}
    assert found_by("remote") == {maria.pk}
    assert not SearchDocument.objects.filter(candidate_id=mary.pk).exists()


def test_a_merge_keeps_the_kept_primaries_unless_told(
    pair: tuple[Candidate, Candidate], owner: User
) -> None:
    maria, mary = pair

    candidate_merge(actor=owner, kept=maria, merged=mary, choices={})

    primaries = ContactPoint.objects.filter(candidate=maria, is_primary=True).values_list(
        "kind", "value"
    )
    assert sorted(primaries) == [("email", "maria.souza@example.org"), ("phone", "+5511912345678")]


def test_the_choices_offered_are_the_fields_that_differ(pair: tuple[Candidate, Candidate]) -> None:
    maria, mary = pair

    keys = choice_keys(maria, mary)

    assert keys == [
        "first_name",
        "headline",
        "current_title",
        "current_company",
        "city",
        "country",
        "languages",
        "source",
        "owner",
        "custom:notice_period",
        "primary_email",
    ]


def test_a_merge_refuses_a_choice_it_does_not_know(
    pair: tuple[Candidate, Candidate], owner: User
) -> None:
    maria, mary = pair
    before = dump()

    with pytest.raises(ValidationError) as caught:
        candidate_merge(
            actor=owner, kept=maria, merged=mary, choices={"salary": "merged", "city": "both"}
        )

    assert caught.value.message_dict == {
        "choices": [
            "'salary' is not something to pick.",
            "city: choose kept or merged, not 'both'.",
        ]
    }
    assert dump() == before


def test_a_person_is_not_merged_with_themselves(
    pair: tuple[Candidate, Candidate], owner: User
) -> None:
    maria, _ = pair

    with pytest.raises(ValidationError, match="two different people"):
        candidate_merge(actor=owner, kept=maria, merged=maria, choices={})


def test_the_merged_persons_preferences_come_along_when_the_kept_record_has_none(
    make_candidate: Make, owner: User
) -> None:
    kept = make_candidate(first_name="Ana", last_name="Lima")
    merged = make_candidate(first_name="Anna", last_name="Lima")
    topic = Topic.objects.create(name="Events")
    preferences_update(
        candidate=merged,
        choice=PreferenceChoice(subscribed=False, frequency="monthly", topics_declined=(topic.pk,)),
    )
    before = dump()

    merge = candidate_merge(actor=owner, kept=kept, merged=merged, choices={})

    preference = Preference.objects.get(candidate=kept)
    assert preference.unsubscribed_at is not None and preference.frequency == "monthly"
    assert list(preference.topics_declined.values_list("name", flat=True)) == ["Events"]
    assert not Preference.objects.filter(candidate_id=merged.pk).exists()
    merge_undo(actor=owner, merge=merge)
    assert differences(before, dump()) == {}


def test_a_review_of_other_people_or_already_closed_is_refused(
    pair: tuple[Candidate, Candidate], owner: User, make_candidate: Make
) -> None:
    maria, mary = pair
    third = make_candidate(first_name="Third")
    elsewhere = DuplicateReview.objects.create(candidate=third, other=maria, score=85)
    closed = DuplicateReview.objects.create(
        candidate=mary, other=maria, score=85, status=ReviewStatus.DISMISSED
    )

    with pytest.raises(ValidationError, match="about two other people"):
        candidate_merge(actor=owner, kept=maria, merged=mary, choices={}, review=elsewhere)
    with pytest.raises(ValidationError, match="already closed: Not the same person"):
        candidate_merge(actor=owner, kept=maria, merged=mary, choices={}, review=closed)


def test_reviews_with_third_people_follow_the_kept_record(
    pair: tuple[Candidate, Candidate], owner: User, make_candidate: Make
) -> None:
    maria, mary = pair
    third, fourth = make_candidate(first_name="Third"), make_candidate(first_name="Fourth")
    moves = DuplicateReview.objects.create(candidate=third, other=mary, score=85)
    twin = DuplicateReview.objects.create(candidate=fourth, other=maria, score=90)
    folded = DuplicateReview.objects.create(candidate=mary, other=fourth, score=80)
    before = dump()

    merge = candidate_merge(actor=owner, kept=maria, merged=mary, choices={})

    assert DuplicateReview.objects.get(pk=moves.pk).other_id == maria.pk
    assert DuplicateReview.objects.filter(pk=twin.pk).exists()
    assert not DuplicateReview.objects.filter(pk=folded.pk).exists()
    merge_undo(actor=owner, merge=merge)
    assert differences(before, dump()) == {}


# --- undoing ---------------------------------------------------------------------


def test_undo_restores_the_whole_database(
    pair: tuple[Candidate, Candidate], owner: User, teammate: User
) -> None:
    maria, mary = pair
    review = DuplicateReview.objects.create(
        candidate=mary, other=maria, score=91, reasons=["name", "phone"]
    )
    before = dump()
    merge = candidate_merge(
        actor=owner,
        kept=maria,
        merged=mary,
        choices={
            "first_name": "merged",
            "current_title": "merged",
            "primary_email": "merged",
            "custom:notice_period": "merged",
            "primary_phone": "kept",
        },
        review=review,
    )
    assert not DuplicateReview.objects.filter(pk=review.pk).exists()
    changed = differences(before, dump())
    assert {
        "people.Candidate",
        "people.ContactPoint",
        "core.Activity",
        "outreach.Preference",
    } <= set(changed)

    kept, merged = merge_undo(actor=teammate, merge=merge)

    assert (kept.pk, merged.pk) == (maria.pk, mary.pk)
    assert differences(before, dump()) == {}
    merge.refresh_from_db()
    assert merge.undone_by == teammate and merge.undone_at is not None
    assert merge.review_id == review.pk
    assert DuplicateReview.objects.get(pk=review.pk).status == ReviewStatus.OPEN
    kinds = Activity.objects.filter(kind__in=OWN_EVENTS).values_list("candidate_id", "kind")
    assert sorted(kinds) == sorted(
        [
            (maria.pk, "candidate.merged"),
            (maria.pk, "candidate.unmerged"),
            (mary.pk, "candidate.unmerged"),
        ]
    )
    assert found_by("kubernetes") == {mary.pk}
    assert found_by("pycon") == {maria.pk}


def test_undo_restores_the_database_when_the_newer_record_is_kept(
    pair: tuple[Candidate, Candidate], owner: User
) -> None:
    maria, mary = pair
    before = dump()

    merge = candidate_merge(actor=owner, kept=mary, merged=maria, choices={"first_name": "merged"})
    merge_undo(actor=owner, merge=merge)

    assert differences(before, dump()) == {}


def test_undo_restores_an_earlier_merge_into_the_merged_record(
    make_candidate: Make, pair: tuple[Candidate, Candidate], owner: User
) -> None:
    maria, mary = pair
    marie = make_candidate(
        first_name="Marie", last_name="Souza", emails=["marie@example.com"], tags=["python-dev"]
    )
    first = candidate_merge(actor=owner, kept=mary, merged=marie, choices={})
    before = dump()

    second = candidate_merge(actor=owner, kept=maria, merged=mary, choices={})
    first.refresh_from_db()
    assert first.kept_id == maria.pk  # the history follows the person
    merge_undo(actor=owner, merge=second)

    assert differences(before, dump()) == {}
    first.refresh_from_db()
    assert first.kept_id == mary.pk
    merge_undo(actor=owner, merge=first)  # and the earlier one can be undone in turn
    assert Candidate.objects.filter(pk=marie.pk).exists()


def test_undo_keeps_what_happened_after_the_merge(
    pair: tuple[Candidate, Candidate], owner: User
) -> None:
    maria, mary = pair
    merge = candidate_merge(
        actor=owner, kept=maria, merged=mary, choices={"current_title": "merged"}
    )
    maria.refresh_from_db()
    note = note_add(actor=owner, candidate=maria, body="Called after the merge.")
    Candidate.objects.filter(pk=maria.pk).update(city="Campinas")
    tag_add(actor=owner, candidates=[maria], name="after-merge")

    merge_undo(actor=owner, merge=merge)

    maria.refresh_from_db()
    assert maria.current_title == "Backend Engineer"  # the merge's pick, undone
    assert maria.city == "Campinas"  # a later change, kept
    assert Note.objects.get(pk=note.pk).candidate_id == maria.pk
    assert CandidateTag.objects.filter(candidate=maria, tag__name="after-merge").exists()


def test_an_address_removed_after_the_merge_comes_back_to_its_owner(
    pair: tuple[Candidate, Candidate], owner: User
) -> None:
    maria, mary = pair
    merge = candidate_merge(actor=owner, kept=maria, merged=mary, choices={})
    contact_remove(actor=owner, contact=ContactPoint.objects.get(value="mary.second@example.net"))

    merge_undo(actor=owner, merge=merge)

    assert ContactPoint.objects.get(value="mary.second@example.net").candidate_id == mary.pk


# --- when undo is refused ---------------------------------------------------------


def test_undo_is_refused_twice(pair: tuple[Candidate, Candidate], owner: User) -> None:
    maria, mary = pair
    merge = candidate_merge(actor=owner, kept=maria, merged=mary, choices={})
    merge_undo(actor=owner, merge=merge)
    before = dump()

    with pytest.raises(UndoRefused, match="already undone"):
        merge_undo(actor=owner, merge=merge)
    assert dump() == before


def test_undo_waits_for_a_later_merge_into_the_same_record(
    make_candidate: Make, pair: tuple[Candidate, Candidate], owner: User
) -> None:
    maria, mary = pair
    first = candidate_merge(actor=owner, kept=maria, merged=mary, choices={})
    other = make_candidate(first_name="Mia", last_name="Souza")
    second = candidate_merge(actor=owner, kept=maria, merged=other, choices={})
    before = dump()

    with pytest.raises(UndoRefused, match="Mia Souza was merged into this record afterwards"):
        merge_undo(actor=owner, merge=first)
    assert dump() == before

    merge_undo(actor=owner, merge=second)
    merge_undo(actor=owner, merge=first)
    assert Candidate.objects.filter(pk__in=[mary.pk, other.pk]).count() == 2


def test_undo_waits_for_a_later_merge_of_the_kept_record(
    make_candidate: Make, pair: tuple[Candidate, Candidate], owner: User
) -> None:
    maria, mary = pair
    first = candidate_merge(actor=owner, kept=maria, merged=mary, choices={})
    newest = make_candidate(first_name="M.", last_name="Souza")
    candidate_merge(actor=owner, kept=newest, merged=Candidate.objects.get(pk=maria.pk), choices={})
    first.refresh_from_db()
    before = dump()

    with pytest.raises(
        UndoRefused,
        match=r"Maria Souza was merged into M\. Souza afterwards: undo that merge first",
    ):
        merge_undo(actor=owner, merge=first)
    assert dump() == before


def test_undo_is_refused_when_the_merged_persons_address_belongs_to_someone_else(
    make_candidate: Make, pair: tuple[Candidate, Candidate], owner: User
) -> None:
    maria, mary = pair
    merge = candidate_merge(actor=owner, kept=maria, merged=mary, choices={})
    contact_remove(actor=owner, contact=ContactPoint.objects.get(value="mary.second@example.net"))
    someone = make_candidate(first_name="Someone", last_name="Else", emails=[])
    contact_add(actor=owner, candidate=someone, kind="email", value="mary.second@example.net")
    before = dump()

    with pytest.raises(UndoRefused) as caught:
        merge_undo(actor=owner, merge=merge)

    assert caught.value.messages == [
        f"mary.second@example.net now belongs to Someone Else (candidate #{someone.pk}): remove it there, then undo."
    ]
    assert dump() == before


# --- who may -----------------------------------------------------------------------

MAY = {
    "admin": True,
    "owner": True,
    "teammate": True,
    "sourcer": True,
    "manager": False,
    "outsider": False,
}


@pytest.mark.parametrize("role", MAY)
def test_who_may_merge(role: str, cast: dict[str, User], pair: tuple[Candidate, Candidate]) -> None:
    maria, mary = pair
    before = dump()

    if MAY[role]:
        merge = candidate_merge(actor=cast[role], kept=maria, merged=mary, choices={})
        assert merge.merged_by == cast[role]
        assert not Candidate.objects.filter(pk=mary.pk).exists()
    else:
        with pytest.raises(PermissionDenied):
            candidate_merge(actor=cast[role], kept=maria, merged=mary, choices={})
        assert dump() == before


@pytest.mark.parametrize("role", MAY)
def test_who_may_undo(
    role: str, cast: dict[str, User], pair: tuple[Candidate, Candidate], owner: User
) -> None:
    maria, mary = pair
    merge = candidate_merge(actor=owner, kept=maria, merged=mary, choices={})
    before = dump()

    if MAY[role]:
        merge_undo(actor=cast[role], merge=merge)
        assert Candidate.objects.filter(pk=mary.pk).exists()
    else:
        with pytest.raises(PermissionDenied):
            merge_undo(actor=cast[role], merge=merge)
        assert dump() == before


@pytest.mark.parametrize("role", MAY)
def test_who_may_dismiss(
    role: str, cast: dict[str, User], pair: tuple[Candidate, Candidate]
) -> None:
    maria, mary = pair
    review = DuplicateReview.objects.create(candidate=mary, other=maria, score=80)

    if MAY[role]:
        review_dismiss(actor=cast[role], review=review)
        review.refresh_from_db()
        assert (review.status, review.resolved_by) == (ReviewStatus.DISMISSED, cast[role])
    else:
        with pytest.raises(PermissionDenied):
            review_dismiss(actor=cast[role], review=review)
        review.refresh_from_db()
        assert review.status == ReviewStatus.OPEN


# --- every table -------------------------------------------------------------------


def test_every_foreign_key_to_a_candidate_is_known_to_the_merge() -> None:
    """Django's own list of what points at a candidate, against the merge's."""
    django_sees = {
        (rel.related_model._meta.label_lower, rel.field.name)
        for rel in Candidate._meta.get_fields(include_hidden=True)
        if rel.auto_created and not rel.concrete and isinstance(rel.field, models.ForeignKey)
    }
    merge_sees = {(link.model._meta.label_lower, link.field.name) for link in links_to(Candidate)}

    assert merge_sees == django_sees
    assert ("outreach.message", "candidate") in merge_sees
    assert ("inbox.conversation", "candidate") in merge_sees


def test_an_old_link_to_the_merged_record_leads_to_the_kept_one_until_undone(
    pair: tuple[Candidate, Candidate], owner: User, outsider: User, client: Any
) -> None:
    maria, mary = pair
    merge = candidate_merge(actor=owner, kept=maria, merged=mary, choices={})
    client.force_login(owner)
    response = client.get(f"/candidates/{mary.pk}/", follow=True)
    assert response.redirect_chain == [(f"/candidates/{maria.pk}/", 302)]
    assert "That record was merged into Maria Souza" in response.content.decode()
    client.force_login(outsider)
    assert client.get(f"/candidates/{mary.pk}/").status_code == 404
    merge_undo(actor=owner, merge=merge)
    client.force_login(owner)
    assert client.get(f"/candidates/{mary.pk}/").status_code == 200
