from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError

from rapport.accounts.models import User
from rapport.core.errors import DuplicateContact, PermissionDenied
from rapport.core.models import Activity
from rapport.people.models import (
    Candidate,
    ContactPoint,
    CustomField,
    Note,
    PoolMembership,
    SearchDocument,
)
from rapport.people.services import (
    CandidateFields,
    SkillInput,
    candidate_create,
    candidate_update,
    contact_add,
    contact_remove,
    note_add,
    pool_add,
    pool_create,
    skill_resolve,
    tag_add,
)

MakeCandidate = Callable[..., Candidate]


def kinds(candidate: Candidate) -> list[str]:
    return list(
        Activity.objects.filter(candidate=candidate).order_by("id").values_list("kind", flat=True)
    )


def test_creating_a_candidate_records_contacts_skills_tags_and_an_activity(
    candidate: Candidate,
) -> None:
    contacts = {(c.kind, c.value, c.is_primary) for c in candidate.contacts.all()}
    assert contacts == {
        ("email", "maria.souza@example.org", True),
        ("phone", "+5511912345678", True),
    }
    assert sorted(s.name for s in candidate.skills.all()) == ["Django", "PostgreSQL", "Python"]
    assert kinds(candidate)[0] == "candidate.created"
    assert candidate.primary_email == "maria.souza@example.org"
    tokens = SearchDocument.objects.get(candidate=candidate).tokens.split()
    assert {"sao", "paulo", "postgresql", "0ysao", "0tbackend", "0spostgresql"} <= set(tokens)


def test_an_invalid_email_is_refused_naming_the_value(make_candidate: MakeCandidate) -> None:
    with pytest.raises(ValidationError) as caught:
        make_candidate(emails=["maria@@example"])
    assert "maria@@example" in caught.value.message_dict["email"][0]
    assert not Candidate.objects.exists()


def test_an_invalid_phone_is_refused_naming_the_value(make_candidate: MakeCandidate) -> None:
    with pytest.raises(ValidationError) as caught:
        make_candidate(phones=["12"], country="GB")
    assert "'12'" in caught.value.message_dict["phone"][0]
    assert not Candidate.objects.exists()


def test_a_primary_email_another_candidate_has_is_refused_and_nothing_is_created(
    make_candidate: MakeCandidate, candidate: Candidate
) -> None:
    with pytest.raises(DuplicateContact) as caught:
        make_candidate(first_name="Other", emails=["Maria.Souza@Example.org"])
    assert caught.value.candidate_id == candidate.pk
    assert "Maria Souza" in caught.value.message_dict["email"][0]
    assert list(Candidate.objects.values_list("first_name", flat=True)) == ["Maria"]


def test_a_local_phone_is_stored_in_e164_using_the_candidates_country(
    make_candidate: MakeCandidate,
) -> None:
    person = make_candidate(country="GB", phones=["020 7946 0958"])
    assert person.contacts.get(kind="phone").value == "+442079460958"


def test_skill_aliases_resolve_to_the_vocabulary(db: None) -> None:
    assert skill_resolve("k8s").name == "Kubernetes"
    assert skill_resolve("js").name == "JavaScript"
    assert skill_resolve("POSTGRES").name == "PostgreSQL"


def test_an_unknown_skill_joins_the_vocabulary_once(make_candidate: MakeCandidate) -> None:
    first = make_candidate(skills=["Quantum Basket Weaving"])
    second = make_candidate(skills=["quantum basket weaving"])
    assert first.skills.get().pk == second.skills.get().pk


def test_notes_with_script_tags_are_stored_sanitised(candidate: Candidate, owner: User) -> None:
    note = note_add(
        actor=owner, candidate=candidate, body="Great call <script>alert('x')</script> **really**"
    )
    assert "<script" not in note.body_html
    assert "<strong>really</strong>" in note.body_html
    assert "alert" not in note.body_html
    assert Activity.objects.get(kind="note.added").summary == "Great call really"


def test_a_sourcer_cannot_write_a_confidential_note(candidate: Candidate, sourcer: User) -> None:
    with pytest.raises(PermissionDenied):
        note_add(actor=sourcer, candidate=candidate, body="Expects 120k", confidential=True)
    assert not Note.objects.exists()


def test_a_hiring_manager_cannot_edit_a_profile(candidate: Candidate, manager: User) -> None:
    data = CandidateFields.of(candidate)
    data.current_title = "CTO"
    with pytest.raises(PermissionDenied):
        candidate_update(actor=manager, candidate=candidate, data=data)
    candidate.refresh_from_db()
    assert candidate.current_title == "Senior Backend Engineer"


def test_an_update_records_which_fields_changed(candidate: Candidate, teammate: User) -> None:
    data = CandidateFields.of(candidate)
    data.current_title = "Staff Engineer"
    candidate_update(actor=teammate, candidate=candidate, data=data, skills=[SkillInput(name="Go")])
    event = Activity.objects.filter(kind="candidate.updated").get()
    assert event.data == {"fields": ["current_title", "skills"]}
    assert event.actor == teammate
    tokens = SearchDocument.objects.get(candidate=candidate).tokens.split()
    assert {"0tstaff", "0tengineer", "0sgo"} <= set(tokens)
    assert "0tbackend" not in tokens and "0spython" not in tokens


def test_an_update_that_changes_nothing_records_nothing(candidate: Candidate, owner: User) -> None:
    candidate_update(actor=owner, candidate=candidate, data=CandidateFields.of(candidate))
    assert "candidate.updated" not in kinds(candidate)


def test_tagging_twice_tags_once_and_records_one_activity(
    candidate: Candidate, owner: User
) -> None:
    assert tag_add(actor=owner, candidates=[candidate], name="Silver Medallist") == 1
    assert tag_add(actor=owner, candidates=[candidate], name="silver-medallist") == 0
    assert [t.name for t in candidate.tags.all()] == ["silver-medallist"]
    assert kinds(candidate).count("tag.added") == 1


def test_pool_membership_records_who_added_whom(
    candidate: Candidate, owner: User, sourcer: User
) -> None:
    pool = pool_create(actor=owner, name="Senior Backend")
    assert pool_add(actor=sourcer, pool=pool, candidates=[candidate]) == 1
    membership = PoolMembership.objects.get()
    assert (membership.candidate, membership.added_by) == (candidate, sourcer)
    event = Activity.objects.get(kind="pool.added")
    assert (event.summary, event.target_type, event.target_id) == (
        "Senior Backend",
        "pool",
        pool.pk,
    )


def test_a_pool_name_is_unique_whatever_its_case(owner: User) -> None:
    pool_create(actor=owner, name="Senior Backend")
    with pytest.raises(ValidationError) as caught:
        pool_create(actor=owner, name="senior  backend")
    assert "already a pool" in caught.value.message_dict["name"][0]


def test_removing_the_primary_email_promotes_the_next(candidate: Candidate, owner: User) -> None:
    second = contact_add(
        actor=owner, candidate=candidate, kind="email", value="maria@work.example.com"
    )
    assert not second.is_primary
    contact_remove(actor=owner, contact=candidate.contacts.get(value="maria.souza@example.org"))
    second.refresh_from_db()
    assert second.is_primary
    candidate.refresh_from_db()
    assert candidate.primary_email == "maria@work.example.com"


def test_an_email_of_another_candidate_cannot_be_added(
    make_candidate: MakeCandidate, candidate: Candidate, owner: User
) -> None:
    other = make_candidate(first_name="Other")
    with pytest.raises(DuplicateContact):
        contact_add(actor=owner, candidate=other, kind="email", value="maria.souza@example.org")
    assert ContactPoint.objects.filter(value="maria.souza@example.org").count() == 1


def test_custom_fields_are_checked_against_their_type(make_candidate: MakeCandidate) -> None:
    CustomField.objects.create(key="notice", label="Notice period (weeks)", field_type="number")
    CustomField.objects.create(
        key="clearance", label="Clearance", field_type="choice", choices=["SC", "DV"]
    )
    person = make_candidate(custom_fields={"notice": "4", "clearance": "SC"})
    assert person.custom_fields == {"notice": 4, "clearance": "SC"}
    with pytest.raises(ValidationError) as caught:
        make_candidate(custom_fields={"notice": "soon"})
    assert "Notice period (weeks)" in caught.value.message_dict["custom_fields"][0]
    with pytest.raises(ValidationError):
        make_candidate(custom_fields={"shoe_size": 42})


def test_bad_profile_values_are_refused_field_by_field(owner: User) -> None:
    with pytest.raises(ValidationError) as caught:
        candidate_create(
            actor=owner,
            data=CandidateFields(
                first_name=" ", country="Atlantis", timezone="Mars/Olympus", seniority="god"
            ),
        )
    errors = caught.value.message_dict
    assert set(errors) >= {"first_name", "country", "timezone", "seniority"}
    assert "Atlantis" in errors["country"][0]


def test_a_country_name_is_stored_as_its_code(make_candidate: MakeCandidate) -> None:
    assert make_candidate(country="Brazil").country == "BR"
