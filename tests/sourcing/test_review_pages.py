"""The duplicate queue, the side-by-side page, "Merge with…" and the merge
history, as the browser gets them."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from rapport.accounts.models import User
from rapport.core.models import Activity, ActivityKind
from rapport.people.models import Candidate, ContactPoint, Note
from rapport.people.services import note_add, pool_add, pool_create
from rapport.sourcing.merge import candidate_merge
from rapport.sourcing.models import DuplicateReview, ImportJob, Merge, ReviewStatus
from tests.conftest import login

pytestmark = pytest.mark.django_db

Make = Callable[..., Candidate]


def text(response: Any) -> str:
    """The page's words, tags removed and spaces folded."""
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.fixture
def pair(make_candidate: Make, owner: User, teammate: User) -> tuple[Candidate, Candidate]:
    older = make_candidate(
        first_name="Maria",
        last_name="Souza",
        current_title="Backend Engineer",
        current_company="Bluefin",
        city="São Paulo",
        emails=["maria@example.org"],
        phones=["+55 11 91234-5678"],
        skills=["Python"],
        tags=["silver-medallist"],
    )
    newer = make_candidate(
        actor=teammate,
        first_name="Maria",
        last_name="Sousa",
        current_title="Staff Engineer",
        current_company="Bluefin",
        city="São Paulo",
        source="import",
        emails=["m.sousa@example.net"],
        skills=["Go"],
        tags=["referral"],
    )
    pool_add(actor=owner, pool=pool_create(actor=owner, name="Platform"), candidates=[newer])
    note_add(actor=teammate, candidate=newer, body="Prefers remote.")
    return older, newer


@pytest.fixture
def review(pair: tuple[Candidate, Candidate]) -> DuplicateReview:
    older, newer = pair
    job = ImportJob.objects.create(original_name="ats-export.csv", digest="0" * 64, format="csv")
    return DuplicateReview.objects.create(
        candidate=newer, other=older, score=93, reasons=["similar name", "same company"], job=job
    )


# --- the queue ------------------------------------------------------------------


def test_the_queue_lists_open_pairs_likeliest_first_with_counts(
    client: Client, owner: User, make_candidate: Make, review: DuplicateReview
) -> None:
    a, b = (
        make_candidate(first_name="Jon", last_name="Smith"),
        make_candidate(first_name="John", last_name="Smith"),
    )
    DuplicateReview.objects.create(candidate=b, other=a, score=86, reasons=["similar name"])
    c, d = (
        make_candidate(first_name="Ana", last_name="Lima"),
        make_candidate(first_name="Anna", last_name="Lima"),
    )
    DuplicateReview.objects.create(candidate=d, other=c, score=88, status=ReviewStatus.DISMISSED)

    page = text(login(client, owner).get(reverse("duplicate_reviews")))

    assert "To review 2 Not the same person 1 Merged 0" in page
    assert page.index("Maria Souza") < page.index("Jon Smith")  # 93 before 86
    assert "93 similar name; same company ats-export.csv" in page
    assert "Anna Lima" not in page


def test_the_queue_filters_by_import(
    client: Client, owner: User, make_candidate: Make, review: DuplicateReview
) -> None:
    a, b = (
        make_candidate(first_name="Jon", last_name="Smith"),
        make_candidate(first_name="John", last_name="Smith"),
    )
    DuplicateReview.objects.create(candidate=b, other=a, score=86)

    page = text(login(client, owner).get(reverse("duplicate_reviews"), {"job": review.job_id}))

    assert "Maria Souza" in page and "Jon Smith" not in page
    assert "To review 1" in page


def test_the_queue_costs_the_same_queries_for_two_pairs_or_twenty(
    client: Client, owner: User, make_candidate: Make, django_assert_max_num_queries: Any
) -> None:
    def add(n: int) -> None:
        for _ in range(n):
            a, b = make_candidate(), make_candidate()
            DuplicateReview.objects.create(candidate=b, other=a, score=85)

    login(client, owner)
    add(2)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("duplicate_reviews"))
    add(18)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("duplicate_reviews"))


def test_the_candidate_list_links_to_the_queue_with_the_open_count(
    client: Client, owner: User, review: DuplicateReview
) -> None:
    page = login(client, owner).get(reverse("candidate_list")).content.decode()

    assert f'href="{reverse("duplicate_reviews")}"' in page
    assert 'aria-label="1 to review"' in page


# --- one pair side by side ------------------------------------------------------


def test_the_review_page_shows_both_records_side_by_side(
    client: Client, owner: User, review: DuplicateReview, pair: tuple[Candidate, Candidate]
) -> None:
    older, newer = pair
    response = login(client, owner).get(reverse("duplicate_review", args=[review.pk]))
    page = text(response)
    html = response.content.decode()

    assert f"Maria Souza #{older.pk} · added" in page
    assert f"Maria Sousa #{newer.pk} · added" in page and "· import" in page
    assert "Kept this record’s page and id stay" in page
    assert (
        "93 out of 100 alike: similar name; same company. Found by the import of ats-export.csv"
        in page
    )
    # Fields that differ get a choice, the older record's value proposed…
    assert 'name="pick-last_name" value="kept" aria-describedby="f-2" checked' in html
    assert 'name="pick-current_title" value="merged"' in html
    assert "Title Backend Engineer Staff Engineer" in page
    # …those that agree are shown once.
    assert 'name="pick-current_company"' not in html
    assert "Company Bluefin · the same on both" in page
    assert "Emails maria@example.org m.sousa@example.net" in page
    assert "Phones +55 11 91234-5678 —" in page
    assert "Skills Python Go" in page
    assert "Tags silver-medallist referral" in page
    assert "Pools — Platform" in page
    assert "Notes 0 1" in page
    assert "Merge into Maria Souza" in page and "Not the same person" in page


def test_merging_from_the_review_applies_the_picks_and_leads_to_the_kept_record(
    client: Client, owner: User, review: DuplicateReview, pair: tuple[Candidate, Candidate]
) -> None:
    older, newer = pair
    login(client, owner)

    response = client.post(
        reverse("duplicate_review", args=[review.pk]),
        {"keep": older.pk, "pick-current_title": "merged", "pick-last_name": "kept"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("candidate_detail", args=[older.pk])
    assert messages_of(response) == [
        f'Maria Sousa (#{newer.pk}) is now part of this record. <a href="{reverse("merge_history")}">Undo</a> from the merge history.'
    ]
    older.refresh_from_db()
    assert (older.last_name, older.current_title) == ("Souza", "Staff Engineer")
    assert not Candidate.objects.filter(pk=newer.pk).exists()
    assert set(ContactPoint.objects.filter(candidate=older).values_list("value", flat=True)) == {
        "maria@example.org",
        "m.sousa@example.net",
        "+5511912345678",
    }
    assert Note.objects.get(body="Prefers remote.").candidate_id == older.pk
    merge = Merge.objects.get()
    assert merge.snapshot["review"]["id"] == review.pk
    assert "Merged with a duplicate" in text(response)  # on the timeline


def test_the_newer_record_can_be_the_one_kept(
    client: Client, owner: User, review: DuplicateReview, pair: tuple[Candidate, Candidate]
) -> None:
    older, newer = pair
    login(client, owner)
    page = client.get(reverse("duplicate_review", args=[review.pk]), {"keep": newer.pk})
    assert "Merge into Maria Sousa" in text(page)

    client.post(reverse("duplicate_review", args=[review.pk]), {"keep": newer.pk})

    assert Candidate.objects.filter(pk=newer.pk).exists()
    assert not Candidate.objects.filter(pk=older.pk).exists()


def test_a_bad_pick_merges_nothing_and_says_why(
    client: Client, owner: User, review: DuplicateReview, pair: tuple[Candidate, Candidate]
) -> None:
    login(client, owner)

    response = client.post(
        reverse("duplicate_review", args=[review.pk]), {"pick-city": "both"}, follow=True
    )

    assert messages_of(response) == ["Nothing was merged: city: choose kept or merged, not 'both'."]
    assert Candidate.objects.filter(pk__in=[c.pk for c in pair]).count() == 2


def test_not_the_same_person_closes_the_pair_and_it_can_be_reopened(
    client: Client, owner: User, review: DuplicateReview
) -> None:
    login(client, owner)

    response = client.post(reverse("duplicate_dismiss", args=[review.pk]), follow=True)

    review.refresh_from_db()
    assert (review.status, review.resolved_by) == (ReviewStatus.DISMISSED, owner)
    assert messages_of(response) == [
        "Maria Sousa and Maria Souza stay two people; this pair will not be proposed again."
    ]
    assert "Nothing to review." in text(response)
    dismissed = text(client.get(reverse("duplicate_reviews"), {"status": "dismissed"}))
    assert "Maria Sousa" in dismissed and "by Rita Recruiter" in dismissed

    client.post(reverse("duplicate_reopen", args=[review.pk]))
    review.refresh_from_db()
    assert review.status == ReviewStatus.OPEN


# --- any two people -----------------------------------------------------------------


def test_the_candidate_page_offers_merge_with(
    client: Client, cast: dict[str, User], pair: tuple[Candidate, Candidate], manager: User
) -> None:
    older, _ = pair
    link = f'href="{reverse("merge_pick", args=[older.pk])}"'

    assert (
        link
        in login(client, cast["sourcer"])
        .get(reverse("candidate_detail", args=[older.pk]))
        .content.decode()
    )
    from rapport.people.services import candidate_share

    candidate_share(actor=cast["owner"], candidate=older, user=manager)
    assert (
        link
        not in login(client, manager)
        .get(reverse("candidate_detail", args=[older.pk]))
        .content.decode()
    )


def test_merge_with_finds_people_by_name_or_email_and_compares_them(
    client: Client, owner: User, pair: tuple[Candidate, Candidate], make_candidate: Make
) -> None:
    older, newer = pair
    make_candidate(first_name="Other", last_name="Person")
    login(client, owner)

    by_name = text(client.get(reverse("merge_pick", args=[older.pk]), {"q": "sousa"}))
    by_email = text(client.get(reverse("merge_pick", args=[older.pk]), {"q": "m.sousa@"}))

    assert "Maria Sousa" in by_name and "Other Person" not in by_name
    assert "Maria Sousa" in by_email
    compare = client.get(reverse("merge_compare", args=[older.pk, newer.pk]))
    assert "Merge into Maria Souza" in text(compare)
    assert "Not the same person" not in text(compare)  # no review to dismiss

    client.post(
        reverse("merge_compare", args=[older.pk, newer.pk]), {"pick-current_title": "merged"}
    )
    older.refresh_from_db()
    assert older.current_title == "Staff Engineer"
    assert not Candidate.objects.filter(pk=newer.pk).exists()


def test_merge_with_suggests_people_who_look_alike(
    client: Client, owner: User, pair: tuple[Candidate, Candidate], make_candidate: Make
) -> None:
    older, _ = pair
    make_candidate(first_name="Someone", last_name="Else", current_company="Bluefin")

    page = text(login(client, owner).get(reverse("merge_pick", args=[older.pk])))

    assert "People who look like Maria Souza" in page
    assert "Maria Sousa" in page and "Someone Else" not in page


# --- the history ---------------------------------------------------------------------


def test_the_history_lists_merges_and_undo_brings_both_back(
    client: Client, owner: User, review: DuplicateReview, pair: tuple[Candidate, Candidate]
) -> None:
    older, newer = pair
    merge = candidate_merge(actor=owner, kept=older, merged=newer, choices={}, review=review)
    login(client, owner)

    page = text(client.get(reverse("merge_history")))
    assert f"Maria Sousa #{newer.pk} Maria Souza #{older.pk}" in page
    assert "A possible duplicate (93 alike), from ats-export.csv" in page
    assert "To review 0 Not the same person 0 Merged 1" in page

    response = client.post(reverse("merge_undo", args=[merge.pk]), follow=True)

    assert messages_of(response) == [
        f'<a href="/candidates/{older.pk}/">Maria Souza</a> and <a href="/candidates/{newer.pk}/">Maria Sousa</a> are two records again.'
    ]
    assert "Undone" in text(response) and "by Rita Recruiter" in text(response)
    assert Candidate.objects.filter(pk=newer.pk).exists()
    assert DuplicateReview.objects.get(pk=review.pk).status == ReviewStatus.OPEN


def test_a_refused_undo_says_why(
    client: Client, owner: User, pair: tuple[Candidate, Candidate], make_candidate: Make
) -> None:
    older, newer = pair
    first = candidate_merge(actor=owner, kept=older, merged=newer, choices={})
    candidate_merge(
        actor=owner,
        kept=older,
        merged=make_candidate(first_name="Mia", last_name="Souza"),
        choices={},
    )
    login(client, owner)

    response = client.post(reverse("merge_undo", args=[first.pk]), follow=True)

    assert messages_of(response) == [
        "Not undone: Mia Souza was merged into this record afterwards: undo the later merges first, newest first."
    ]
    assert not Candidate.objects.filter(pk=newer.pk).exists()


# --- who may ---------------------------------------------------------------------------

EDITORS = ("admin", "owner", "teammate", "sourcer")


@pytest.mark.parametrize("role", ["admin", "owner", "teammate", "sourcer", "manager", "outsider"])
def test_who_sees_the_queue(
    role: str, client: Client, cast: dict[str, User], review: DuplicateReview
) -> None:
    response = login(client, cast[role]).get(reverse("duplicate_reviews"), follow=True)

    if role in EDITORS:
        assert "Maria Souza" in text(response)
    else:
        assert response.redirect_chain[-1][0] == reverse("candidate_list")
        assert messages_of(response) == ["Your role may not merge candidates."]


@pytest.mark.parametrize("role", ["admin", "owner", "teammate", "sourcer", "manager", "outsider"])
def test_who_may_merge_from_the_review_page(
    role: str,
    client: Client,
    cast: dict[str, User],
    review: DuplicateReview,
    pair: tuple[Candidate, Candidate],
) -> None:
    older, newer = pair
    login(client, cast[role])
    page = client.get(reverse("duplicate_review", args=[review.pk]))

    response = client.post(reverse("duplicate_review", args=[review.pk]), {"keep": older.pk})

    if role in EDITORS:
        assert page.status_code == 200
        assert response.status_code == 302
        assert not Candidate.objects.filter(pk=newer.pk).exists()
        assert Activity.objects.filter(
            kind=ActivityKind.CANDIDATE_MERGED, actor=cast[role]
        ).exists()
    else:
        assert (page.status_code, response.status_code) == (404, 404)
        assert Candidate.objects.filter(pk=newer.pk).exists()
        assert not Merge.objects.exists()


@pytest.mark.parametrize("role", ["admin", "owner", "teammate", "sourcer", "manager", "outsider"])
def test_who_may_undo_from_the_history(
    role: str, client: Client, cast: dict[str, User], owner: User, pair: tuple[Candidate, Candidate]
) -> None:
    older, newer = pair
    merge = candidate_merge(actor=owner, kept=older, merged=newer, choices={})
    login(client, cast[role])

    response = client.post(reverse("merge_undo", args=[merge.pk]))

    merge.refresh_from_db()
    if role in EDITORS:
        assert response.status_code == 302
        assert merge.undone_by == cast[role]
    else:
        assert response.status_code == 404
        assert merge.undone_at is None and not Candidate.objects.filter(pk=newer.pk).exists()


@pytest.mark.parametrize("role", ["admin", "owner", "teammate", "sourcer", "manager", "outsider"])
def test_who_may_dismiss_from_the_review_page(
    role: str, client: Client, cast: dict[str, User], review: DuplicateReview
) -> None:
    response = login(client, cast[role]).post(reverse("duplicate_dismiss", args=[review.pk]))

    review.refresh_from_db()
    if role in EDITORS:
        assert (response.status_code, review.status) == (302, ReviewStatus.DISMISSED)
    else:
        assert (response.status_code, review.status) == (404, ReviewStatus.OPEN)


def test_a_hiring_manager_cannot_compare_even_people_shared_with_them(
    client: Client, owner: User, manager: User, pair: tuple[Candidate, Candidate]
) -> None:
    from rapport.people.services import candidate_share

    older, newer = pair
    for c in pair:
        candidate_share(actor=owner, candidate=c, user=manager)
    login(client, manager)

    page = client.get(reverse("merge_compare", args=[older.pk, newer.pk]), follow=True)
    client.post(reverse("merge_compare", args=[older.pk, newer.pk]))

    assert messages_of(page) == ["Your role may not merge candidates."]
    assert Candidate.objects.filter(pk=newer.pk).exists()


def test_anonymous_visitors_are_sent_to_log_in(client: Client, review: DuplicateReview) -> None:
    for url in (
        reverse("duplicate_reviews"),
        reverse("duplicate_review", args=[review.pk]),
        reverse("merge_history"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]
    response = client.post(reverse("duplicate_dismiss", args=[review.pk]))
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.OPEN
