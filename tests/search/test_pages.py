"""The search page, its facets and chips, and the segment pages."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from rapport.accounts.models import User
from rapport.people.models import Candidate
from rapport.people.services import pool_add, pool_create
from rapport.search.facets import chips, narrowed
from rapport.search.models import Segment
from rapport.search.services import segment_create
from tests.conftest import login

MakeCandidate = Callable[..., Candidate]


@pytest.fixture
def people(make_candidate: MakeCandidate, owner: User, candidate: Candidate) -> None:
    lucia = make_candidate(
        first_name="Lucía", skills=["Kubernetes", "Go"], country="ES", tags=["remote"]
    )
    make_candidate(first_name="Tom", skills=["Java", "Go"], country="GB")
    pool_add(actor=owner, pool=pool_create(actor=owner, name="Cloud People"), candidates=[lucia])


def body(client: Client, url: str, **params: str) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_search_page_runs_the_query_and_marks_what_matched(
    client: Client, owner: User, people: None
) -> None:
    login(client, owner)
    page = body(client, "/candidates/", q="k8s")
    assert "1 matching" in page
    assert "Lucía" in page and "Tom" not in page
    assert '<mark class="hit">Kubernetes</mark>' in page


def test_a_broken_query_shows_where_and_runs_nothing(client: Client, owner: User) -> None:
    login(client, owner)
    response = client.get("/candidates/", {"q": "python (go"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "This search cannot run." in page
    assert "This parenthesis is never closed; add a )." in page
    assert "python <mark>(</mark>go" in page


def test_facets_count_the_matches_and_narrow_the_query(
    client: Client, owner: User, people: None
) -> None:
    login(client, owner)
    page = body(client, "/candidates/facets/", q="skill:go")
    assert "Spain" in page and "United Kingdom" in page and "Brazil" not in page
    assert '<a href="?q=skill%3Ago%20country%3AES">Spain</a><span class="facet-count">1</span>' in (
        page
    )
    assert "Cloud People" in page and "remote" in page


def test_hiring_managers_see_no_team_facets(client: Client, manager: User, people: None) -> None:
    login(client, manager)
    page = body(client, "/candidates/facets/")
    assert "Brazil" in page  # Maria, shared with them
    assert "Cloud People" not in page and "Tags" not in page


def test_chips_are_the_top_level_terms_each_removable() -> None:
    found = chips('skill:go country:ES "site reliability" -java')
    assert [c.text for c in found] == ["skill:go", "country:ES", '"site reliability"', "-java"]
    assert found[1].without == 'skill:go "site reliability" -java'
    assert chips("python OR go")[0].text == "python OR go"
    assert chips("python (") == []
    assert narrowed("skill:go", "country:ES") == "skill:go country:ES"
    assert narrowed("skill:go country:ES", "country:ES") == "skill:go country:ES"


def test_saving_a_search_as_a_segment(client: Client, owner: User, people: None) -> None:
    login(client, owner)
    form = body(client, "/segments/new/", q="skill:go -country:GB")
    assert "skill:go -country:GB" in form
    response = client.post(
        "/segments/new/",
        {"name": "Gophers", "query": "skill:go -country:GB", "shared": "on"},
        follow=True,
    )
    segment = Segment.objects.get()
    assert response.redirect_chain[-1][0] == f"/segments/{segment.pk}/"
    page = response.content.decode()
    assert "Segment “Gophers” saved." in page
    assert "1 in this segment right now" in page and "Lucía" in page
    listing = body(client, "/segments/")
    assert "Gophers" in listing and "shared" in listing
    assert body(client, f"/segments/{segment.pk}/count/").strip() == "1"


def test_the_builder_writes_the_query(client: Client, owner: User, people: None) -> None:
    login(client, owner)
    page = body(
        client,
        "/segments/new/",
        build="1",
        skills="go, kubernetes",
        countries="ES",
        min_years="3",
        not_contacted_days="90",
    )
    expected = "skill:(go OR kubernetes) country:ES years:&gt;=3 last_contacted:&gt;90d"
    assert expected in page


def test_a_segment_form_names_what_is_wrong(client: Client, owner: User) -> None:
    login(client, owner)
    segment_create(actor=owner, name="Gophers", query="go")
    response = client.post("/segments/new/", {"name": "GOPHERS", "query": "skil:go"})
    page = response.content.decode()
    assert "There is already a segment called “GOPHERS”." in page
    assert Segment.objects.count() == 1
    response = client.post("/segments/new/", {"name": "Other", "query": "skil:go"})
    assert "There is no field called skil:. Did you mean skill:?" in response.content.decode()


@pytest.mark.parametrize("role", ["sourcer", "manager", "outsider"])
def test_others_may_not_change_a_shared_segment(
    client: Client, owner: User, cast: dict[str, User], role: str
) -> None:
    segment = segment_create(actor=owner, name="Gophers", query="go", shared=True)
    login(client, cast[role])
    client.post(f"/segments/{segment.pk}/delete/", follow=True)
    assert Segment.objects.filter(pk=segment.pk).exists()
    expected = 200 if role == "sourcer" else 404
    assert client.get(f"/segments/{segment.pk}/").status_code == expected
