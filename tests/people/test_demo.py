"""`rapport demo`: realistic, valid, consistent demo data."""

from __future__ import annotations

import datetime as dt
import json
import random
import zoneinfo
from collections import Counter
from collections.abc import Iterator
from io import StringIO
from typing import Any

import phonenumbers
import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from email_validator import validate_email

from rapport.accounts.models import Role, User
from rapport.core.models import Activity, ActivityKind
from rapport.people.demo import TEAM, cities, demo_load, is_latin, latinize, phone_plan
from rapport.people.documents import document
from rapport.people.models import (
    Candidate,
    CandidateSkill,
    CandidateTag,
    ContactKind,
    ContactPoint,
    Note,
    PoolMembership,
)
from rapport.people.services import document_parts, render_note

COUNT = 200
EXAMPLE_DOMAINS = ("example.com", "example.org", "example.net")


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """One demo load of 200 candidates for the whole module, rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("demo", candidates=COUNT, seed=20251123, stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def candidates(demo: str, db: Any) -> list[Candidate]:
    return list(
        Candidate.objects.select_related("owner", "search_document").prefetch_related(
            "contacts",
            "notes",
            Prefetch("skill_links", queryset=CandidateSkill.objects.select_related("skill")),
        )
    )


def test_it_reports_what_it_added(demo: str, db: Any) -> None:
    assert f"Added {COUNT:,} candidates with" in demo
    assert Candidate.objects.count() == COUNT


def test_it_adds_a_team_of_recruiters_a_sourcer_and_a_hiring_manager(demo: str, db: Any) -> None:
    team = User.objects.filter(email__in=[email for _, email, _ in TEAM])
    assert Counter(u.role for u in team) == {
        Role.RECRUITER: 3,
        Role.SOURCER: 1,
        Role.HIRING_MANAGER: 1,
    }
    for user in team:
        assert user.email.endswith("@example.com")
        assert " " in user.name
        assert not user.has_usable_password()


def test_candidates_are_owned_mostly_by_recruiters(candidates: list[Candidate]) -> None:
    roles = Counter(c.owner.role if c.owner else None for c in candidates)
    assert roles[Role.RECRUITER] >= 0.75 * COUNT
    assert roles[Role.HIRING_MANAGER] == 0


def test_candidates_live_in_many_countries_with_valid_time_zones(
    candidates: list[Candidate],
) -> None:
    places = {(c["city"], c["country"]): c["tz"] for c in cities()}
    assert len({c.country for c in candidates}) >= 30
    for candidate in candidates:
        assert places[(candidate.city, candidate.country)] == candidate.timezone
        assert zoneinfo.ZoneInfo(candidate.timezone)


def test_names_are_written_in_latin_script(candidates: list[Candidate]) -> None:
    for candidate in candidates:
        assert candidate.first_name
        assert candidate.last_name
        assert is_latin(candidate.full_name), candidate.full_name


def test_every_email_is_unique_valid_and_at_an_example_domain(
    candidates: list[Candidate],
) -> None:
    emails = list(
        ContactPoint.objects.filter(kind=ContactKind.EMAIL).values_list("value", flat=True)
    )
    assert len(emails) == len(set(emails))
    for email in emails:
        assert validate_email(email, check_deliverability=False).normalized.lower() == email
        domain = email.split("@")[1]
        assert any(domain == d or domain.endswith(f".{d}") for d in EXAMPLE_DOMAINS), email
    with_email = [c for c in candidates if c.primary_email]
    assert 0.88 * COUNT <= len(with_email) < COUNT
    for candidate in candidates:
        primary = [
            c.value
            for c in candidate.contacts.all()
            if c.kind == ContactKind.EMAIL and c.is_primary
        ]
        assert primary == ([candidate.primary_email] if candidate.primary_email else [])


def test_every_phone_is_valid_e164_for_the_candidates_country(
    candidates: list[Candidate],
) -> None:
    phones = [
        (contact.value, candidate.country)
        for candidate in candidates
        for contact in candidate.contacts.all()
        if contact.kind == ContactKind.PHONE
    ]
    assert 0.55 * COUNT <= len(phones) <= 0.85 * COUNT
    for value, country in phones:
        number = phonenumbers.parse(value, None)
        assert phonenumbers.is_valid_number_for_region(number, country), (value, country)
        assert phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == value


def test_the_search_document_is_what_the_services_would_write(
    candidates: list[Candidate],
) -> None:
    for candidate in candidates:
        built = document(document_parts(candidate))
        assert candidate.search_document.tokens == built.tokens
        assert candidate.search_document.private_tokens == built.private_tokens


def test_years_of_experience_fit_the_seniority(candidates: list[Candidate]) -> None:
    for candidate in candidates:
        assert candidate.years_experience is not None
        if candidate.seniority in ("intern", "junior"):
            assert candidate.years_experience <= 3
        if candidate.seniority in ("senior", "lead", "principal", "executive"):
            assert candidate.years_experience >= 6
        for link in candidate.skill_links.all():
            assert link.level is not None
            assert 1 <= link.level <= 5
            assert link.years is not None
            assert link.years <= max(candidate.years_experience, 1)
        assert len(candidate.skill_links.all()) >= 3


def test_profiles_are_filled_like_real_ones(candidates: list[Candidate]) -> None:
    assert sum(bool(c.headline) for c in candidates) >= 0.8 * COUNT
    assert sum(bool(c.linkedin_url) for c in candidates) >= 0.5 * COUNT
    assert any(c.github_url for c in candidates)
    assert len({c.source for c in candidates}) >= 5
    assert len({c.consent for c in candidates}) >= 3
    for candidate in candidates:
        assert "en" in candidate.languages
        assert candidate.languages == sorted(set(candidate.languages))
        assert candidate.current_title


def test_every_candidate_has_a_created_activity_when_it_was_created(
    candidates: list[Candidate],
) -> None:
    created = {
        a.candidate_id: a.occurred_at
        for a in Activity.objects.filter(kind=ActivityKind.CANDIDATE_CREATED)
    }
    assert created == {c.pk: c.created_at for c in candidates}


def test_history_spans_about_two_years_and_never_runs_backwards(
    candidates: list[Candidate],
) -> None:
    now = timezone.now()
    events = list(Activity.objects.values("candidate_id", "occurred_at", "kind"))
    times = [e["occurred_at"] for e in events]
    assert min(times) <= now - dt.timedelta(days=600)
    assert max(times) >= now - dt.timedelta(days=30)
    assert max(times) <= now
    assert 4 <= len(events) / COUNT <= 8
    assert {e["kind"] for e in events} >= {
        ActivityKind.EMAIL_SENT,
        ActivityKind.EMAIL_REPLIED,
        ActivityKind.CALL_LOGGED,
        ActivityKind.MEETING_LOGGED,
        ActivityKind.NOTE_ADDED,
        ActivityKind.TAG_ADDED,
        ActivityKind.POOL_ADDED,
    }
    by_id = {c.pk: c for c in candidates}
    for event in events:
        candidate = by_id[event["candidate_id"]]
        assert candidate.created_at <= event["occurred_at"] <= candidate.updated_at


def test_last_contacted_is_set_for_most_and_matches_the_outreach(
    candidates: list[Candidate],
) -> None:
    outbound = (ActivityKind.EMAIL_SENT, ActivityKind.CALL_LOGGED, ActivityKind.MEETING_LOGGED)
    latest: dict[int, dt.datetime] = {}
    for event in Activity.objects.filter(kind__in=outbound):
        latest[event.candidate_id] = max(
            event.occurred_at, latest.get(event.candidate_id, event.occurred_at)
        )
    contacted = {c.pk: c.last_contacted_at for c in candidates if c.last_contacted_at}
    assert 0.45 * COUNT <= len(contacted) <= 0.75 * COUNT
    assert contacted == latest


def test_automated_events_are_the_machine_made_ones(demo: str, db: Any) -> None:
    automated = Activity.objects.filter(automated=True)
    assert automated.exists()
    assert set(automated.values_list("kind", flat=True)) <= {
        ActivityKind.EMAIL_SENT,
        ActivityKind.CONSENT_GIVEN,
    }
    assert Activity.objects.filter(kind=ActivityKind.EMAIL_SENT, automated=False).exists()


def test_notes_tags_and_pools_match_their_activities(demo: str, db: Any) -> None:
    notes = {n.pk: n for n in Note.objects.all()}
    assert 0.2 * COUNT <= len({n.candidate_id for n in notes.values()}) <= 0.4 * COUNT
    note_events = Activity.objects.filter(kind=ActivityKind.NOTE_ADDED)
    assert sorted(e.target_id for e in note_events) == sorted(notes)
    for event in note_events:
        note = notes[event.target_id]
        assert (event.candidate_id, event.actor_id, event.occurred_at) == (
            note.candidate_id,
            note.author_id,
            note.created_at,
        )
        assert event.confidential == note.confidential
        assert note.body_html == render_note(note.body)
    tagged = Counter(CandidateTag.objects.values_list("candidate_id", "tag_id", "added_at"))
    tag_events = Counter(
        Activity.objects.filter(kind=ActivityKind.TAG_ADDED).values_list(
            "candidate_id", "target_id", "occurred_at"
        )
    )
    assert tagged == tag_events
    pooled = Counter(PoolMembership.objects.values_list("candidate_id", "pool_id", "added_at"))
    pool_events = Counter(
        Activity.objects.filter(kind=ActivityKind.POOL_ADDED).values_list(
            "candidate_id", "target_id", "occurred_at"
        )
    )
    assert pooled == pool_events
    for membership in PoolMembership.objects.select_related("pool"):
        assert membership.added_by_id is not None
        assert membership.pool.owner_id is not None


def test_if_empty_does_nothing_the_second_time(db: Any) -> None:
    Candidate.objects.all().delete()
    first, second = StringIO(), StringIO()
    call_command("demo", candidates=5, if_empty=True, stdout=first)
    call_command("demo", candidates=5, if_empty=True, stdout=second)
    assert "Added 5 candidates" in first.getvalue()
    assert second.getvalue().strip() == "Demo data skipped: there are candidates already."
    assert Candidate.objects.count() == 5


def test_the_same_seed_makes_the_same_people(db: Any) -> None:
    def people() -> list[tuple[Any, ...]]:
        rows = Candidate.objects.order_by("id").values_list(
            "first_name", "last_name", "city", "current_title", "headline", "created_at"
        )
        return list(rows)

    Candidate.objects.all().delete()
    demo_load(candidates=30, seed=5)
    first = people()
    Candidate.objects.all().delete()
    demo_load(candidates=30, seed=5)
    assert people() == first


def test_data_fields_hold_json_the_models_read(candidates: list[Candidate]) -> None:
    event = Activity.objects.filter(kind=ActivityKind.EMAIL_SENT).first()
    assert event is not None
    assert isinstance(event.data["subject"], str)
    assert json.dumps(candidates[0].languages)
    assert candidates[0].custom_fields == {}


@pytest.mark.parametrize(
    ("name", "locale", "surname", "expected"),
    [
        ("김", "ko_KR", True, "Kim"),
        ("민수", "ko_KR", False, "Minsu"),
        ("Παπαδόπουλος", "el_GR", True, "Papadopoulos"),
        ("Μπάμπης", "el_GR", False, "Bampis"),
        ("ბურჯანაძე", "ka_GE", True, "Burjanadze"),
        ("Всеволод", "ru_RU", False, "Vsevolod"),
        ("SU-LAN", "zh_TW", False, "Su-Lan"),
        ("Zoë", "en_US", False, "Zoë"),
    ],
)
def test_names_in_other_scripts_are_written_in_latin(
    name: str, locale: str, surname: bool, expected: str
) -> None:
    assert latinize(name, locale, surname=surname) == expected


def test_a_phone_plan_exists_and_holds_for_every_country_of_the_cities() -> None:
    rng = random.Random(1)
    for country in {c["country"] for c in cities()}:
        plan = phone_plan(country)
        assert plan is not None, country
        for _ in range(20):
            number = phonenumbers.parse(plan.make(rng), None)
            assert phonenumbers.is_valid_number_for_region(number, country)
