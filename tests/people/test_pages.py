"""The talent-pool pages, for every member of the cast."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from rapport.accounts.models import User
from rapport.core.models import Activity
from rapport.people import selectors
from rapport.people.models import Candidate, Note, Pool
from rapport.people.services import note_add, pool_add, pool_create
from tests.conftest import login

MakeCandidate = Callable[..., Candidate]
SEES_MARIA = ["admin", "owner", "teammate", "sourcer", "manager"]
SEES_CONFIDENTIAL = ["admin", "owner", "teammate"]
EDITS = ["admin", "owner", "teammate", "sourcer"]


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return response.content.decode()


@pytest.mark.parametrize("role", [*SEES_MARIA, "outsider"])
def test_the_list_shows_maria_only_to_those_who_may_see_her(
    client: Client, cast: dict[str, User], candidate: Candidate, role: str
) -> None:
    html = page(login(client, cast[role]), "/candidates/")
    assert ("Maria Souza" in html) == (role in SEES_MARIA)


@pytest.mark.parametrize("role", [*SEES_MARIA, "outsider"])
def test_the_profile_is_a_404_for_anyone_outside_its_scope(
    client: Client, cast: dict[str, User], candidate: Candidate, role: str
) -> None:
    response = login(client, cast[role]).get(f"/candidates/{candidate.pk}/")
    if role in SEES_MARIA:
        html = response.content.decode()
        assert response.status_code == 200
        assert (
            "Maria Souza" in html
            and "maria.souza@example.org" in html
            and "Bluefin Analytics" in html
        )
    else:
        assert response.status_code == 404
        assert "Maria" not in response.content.decode()


@pytest.mark.parametrize("role", SEES_MARIA)
def test_a_confidential_note_shows_only_to_recruiters_and_admins(
    client: Client, cast: dict[str, User], candidate: Candidate, owner: User, role: str
) -> None:
    note_add(actor=owner, candidate=candidate, body="Expects **95k** base", confidential=True)
    note_add(actor=owner, candidate=candidate, body="Loves distributed systems")
    html = page(login(client, cast[role]), f"/candidates/{candidate.pk}/")
    assert "Loves distributed systems" in html
    assert ("95k" in html) == (role in SEES_CONFIDENTIAL)


def test_anonymous_visitors_are_sent_to_the_login_page(
    client: Client, candidate: Candidate
) -> None:
    for url in ["/candidates/", f"/candidates/{candidate.pk}/", "/pools/", "/tags/", "/account/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url


def test_the_quick_search_finds_by_skill_alias_title_city_and_email(
    client: Client, owner: User, candidate: Candidate, make_candidate: MakeCandidate
) -> None:
    make_candidate(first_name="Kenji", last_name="Watanabe", skills=["Kubernetes"], city="Tokyo")
    login(client, owner)
    assert "Kenji" in page(client, "/candidates/?q=k8s") and "Maria" not in page(
        client, "/candidates/?q=k8s"
    )
    assert "Maria" in page(client, "/candidates/?q=sao+paulo")
    assert "Maria" in page(client, "/candidates/?q=backend+bluefin")
    assert "Maria" in page(client, "/candidates/?q=maria.souza%40example")
    assert "Kenji" not in page(client, "/candidates/?q=postgres")


def test_the_list_sorts_by_name(client: Client, owner: User, make_candidate: MakeCandidate) -> None:
    for last in ["Zhou", "Abara", "Moreau"]:
        make_candidate(first_name="Pat", last_name=last)
    html = page(login(client, owner), "/candidates/?sort=name")
    assert html.index("Pat Abara") < html.index("Pat Moreau") < html.index("Pat Zhou")


def test_the_list_page_makes_the_same_number_of_queries_for_5_or_50_rows(
    client: Client, owner: User, make_candidate: MakeCandidate
) -> None:
    pool = pool_create(actor=owner, name="Backend")
    people = [make_candidate(skills=["Python", "Go"], tags=["remote"]) for _ in range(55)]
    pool_add(actor=owner, pool=pool, candidates=people)
    login(client, owner)

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            page(client, url)
        return len(queries)

    few = count("/candidates/?page=2")  # the last 5
    many = count("/candidates/")  # the first 50
    assert few == many, f"{few} queries for a few rows, {many} for 50"


def freed_by_the_cycle_collector(action: Callable[[], None]) -> list[object]:
    """The objects that `action` left for the cyclic garbage collector to free."""
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        action()
        gc.collect()
        return list(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


@pytest.mark.parametrize("full", [False, True], ids=["list row", "profile"])
def test_shown_rows_are_freed_without_the_cycle_collector(
    full: bool, owner: User, make_candidate: MakeCandidate
) -> None:
    """What a page shows of its rows holds no reference back to them, so a
    page's candidates go when the response does, not in a full collection
    (whose pauses were the slow tail of the list pages on a big pool)."""
    pool = pool_create(actor=owner, name="Backend")
    people = [make_candidate(skills=["Python", "Go"], tags=["remote"]) for _ in range(5)]
    pool_add(actor=owner, pool=pool, candidates=people)
    rows = list(selectors.candidate_list(owner))
    selectors.attach_shown(owner, rows, contacts=full, pools=full, skills_by_level=not full)
    assert [s.name for s in rows[0].shown.skills] == ["Go", "Python"]
    assert rows[0].shown.tags == ["remote"]
    assert [p.name for p in rows[0].shown.pools] == (["Backend"] if full else [])
    alive = [weakref.ref(row) for row in rows]
    gc.disable()
    try:
        del rows
        assert [ref() for ref in alive if ref() is not None] == []
    finally:
        gc.enable()


def test_the_list_endpoint_leaves_no_candidate_to_the_cycle_collector(
    client: Client, owner: User, make_candidate: MakeCandidate, token_for: Callable[[User], str]
) -> None:
    people = [make_candidate(skills=["Python", "Go"], tags=["remote"]) for _ in range(20)]
    pool_add(actor=owner, pool=pool_create(actor=owner, name="Backend"), candidates=people)
    headers = {"Authorization": f"Bearer {token_for(owner)}"}
    assert client.get("/api/v1/candidates", headers=headers).json()["count"] == 20

    def request() -> None:
        response = client.get("/api/v1/candidates", headers=headers)
        # The test client links a response to itself (response.json and the
        # contexts it keeps); a server does not. Unlink first.
        response.__dict__.clear()

    garbage = freed_by_the_cycle_collector(request)
    rows = [o for o in garbage if type(o).__module__.startswith("rapport.people.")]
    assert rows == [], f"{len(rows)} rows were freed only by the cycle collector"


def test_creating_a_candidate_from_the_form(client: Client, owner: User) -> None:
    response = login(client, owner).post(
        "/candidates/new/",
        {
            "first_name": "Ana",
            "last_name": "Lima",
            "emails": "ana@example.org\nana.work@example.com",
            "phones": "+55 21 98765-4321",
            "country": "BR",
            "skills": "python, k8s",
            "tags": "referral",
            "owner": owner.pk,
        },
    )
    ana = Candidate.objects.get(first_name="Ana")
    assert response.status_code == 302 and response["Location"] == f"/candidates/{ana.pk}/"
    assert ana.primary_email == "ana@example.org"
    assert sorted(s.name for s in ana.skills.all()) == ["Kubernetes", "Python"]
    html = page(client, response["Location"])
    assert "ana.work@example.com" in html and "+55 21 98765-4321" in html and "referral" in html


def test_the_form_names_a_bad_email_and_keeps_what_was_typed(client: Client, owner: User) -> None:
    response = login(client, owner).post(
        "/candidates/new/",
        {"first_name": "Ana", "emails": "ana(at)example", "current_title": "Nurse"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "ana(at)example" in html and "is not a valid email address" in html
    assert 'value="Nurse"' in html
    assert not Candidate.objects.filter(first_name="Ana").exists()


def test_the_form_links_to_the_candidate_who_has_the_email(
    client: Client, owner: User, candidate: Candidate
) -> None:
    response = login(client, owner).post(
        "/candidates/new/", {"first_name": "Mary", "emails": "maria.souza@example.org"}
    )
    html = response.content.decode()
    assert f'href="/candidates/{candidate.pk}/"' in html and "already belongs to" in html
    assert not Candidate.objects.filter(first_name="Mary").exists()


@pytest.mark.parametrize("role", [*SEES_MARIA])
def test_only_editors_may_edit_a_profile(
    client: Client, cast: dict[str, User], candidate: Candidate, role: str
) -> None:
    login(client, cast[role]).post(
        f"/candidates/{candidate.pk}/edit/",
        {
            "first_name": "Maria",
            "last_name": "Souza",
            "current_title": "Principal Engineer",
            "skills": "Python",
        },
    )
    candidate.refresh_from_db()
    assert (candidate.current_title == "Principal Engineer") == (role in EDITS)


def test_the_outsider_cannot_post_to_a_candidate_they_cannot_see(
    client: Client, outsider: User, candidate: Candidate
) -> None:
    login(client, outsider)
    for url in ["notes/", "tags/", "edit/", "delete/", "contacts/"]:
        assert (
            client.post(f"/candidates/{candidate.pk}/{url}", {"body": "x", "tag": "x"}).status_code
            == 404
        )
    assert not Note.objects.exists() and Candidate.objects.filter(pk=candidate.pk).exists()


def test_a_note_tag_and_pool_from_the_profile_show_on_the_timeline(
    client: Client, owner: User, candidate: Candidate
) -> None:
    pool = pool_create(actor=owner, name="Senior Backend")
    login(client, owner)
    client.post(
        f"/candidates/{candidate.pk}/notes/", {"body": "Call went well <script>x()</script>"}
    )
    client.post(f"/candidates/{candidate.pk}/tags/", {"tag": "Silver Medallist"})
    client.post(f"/candidates/{candidate.pk}/pools/", {"pool": pool.pk})
    html = page(client, f"/candidates/{candidate.pk}/")
    timeline = html[html.index('id="timeline"') :]
    assert (
        timeline.index("Added to pool")
        < timeline.index("Tagged")
        < timeline.index("Call went well")
    )
    assert "<script>x()" not in html
    assert "silver-medallist" in html
    only_notes = page(client, f"/candidates/{candidate.pk}/?kind=note.added")
    only_notes = only_notes[only_notes.index('class="timeline"') : only_notes.index("</ol>")]
    assert "Call went well" in only_notes and "Senior Backend" not in only_notes


def test_removing_a_tag_and_leaving_a_pool(
    client: Client, owner: User, candidate: Candidate
) -> None:
    pool = pool_create(actor=owner, name="Backend")
    pool_add(actor=owner, pool=pool, candidates=[candidate])
    login(client, owner)
    client.post(f"/candidates/{candidate.pk}/tags/", {"tag": "remote"})
    client.post(f"/candidates/{candidate.pk}/tags/remote/remove/")
    client.post(f"/candidates/{candidate.pk}/pools/{pool.pk}/remove/")
    assert not candidate.tags.exists() and not candidate.pools.exists()
    assert set(Activity.objects.values_list("kind", flat=True)) >= {"tag.removed", "pool.removed"}


def test_bulk_tagging_and_pooling_from_the_list(
    client: Client, owner: User, make_candidate: MakeCandidate, outsider: User
) -> None:
    people = [make_candidate() for _ in range(3)]
    pool = pool_create(actor=owner, name="Nurses")
    login(client, owner)
    ids = [p.pk for p in people[:2]]
    client.post("/candidates/bulk/", {"ids": ids, "action": "tag", "tag": "ICU"})
    client.post("/candidates/bulk/", {"ids": ids, "action": "pool", "pool": pool.pk})
    assert sorted(Candidate.objects.filter(tags__name="icu").values_list("pk", flat=True)) == ids
    assert sorted(pool.candidates.values_list("pk", flat=True)) == ids
    assert Activity.objects.filter(kind="tag.added").count() == 2


def test_bulk_actions_ignore_candidates_outside_the_users_scope(
    client: Client, manager: User, candidate: Candidate, make_candidate: MakeCandidate
) -> None:
    hidden = make_candidate()
    login(client, manager).post(
        "/candidates/bulk/", {"ids": [candidate.pk, hidden.pk], "action": "tag", "tag": "x"}
    )
    assert not Candidate.objects.filter(tags__name="x").exists()


@pytest.mark.parametrize("role", ["admin", "owner", "teammate", "sourcer", "manager", "outsider"])
def test_pools_are_for_those_who_see_the_whole_pool(
    client: Client, cast: dict[str, User], owner: User, candidate: Candidate, role: str
) -> None:
    pool = pool_create(actor=owner, name="Senior Backend")
    pool_add(actor=owner, pool=pool, candidates=[candidate])
    login(client, cast[role])
    response = client.get(f"/pools/{pool.pk}/")
    if role in ["manager", "outsider"]:
        assert response.status_code == 404
        assert client.get("/pools/").status_code == 404
    else:
        html = response.content.decode()
        assert "Senior Backend" in html and "Maria Souza" in html


def test_creating_and_renaming_a_pool(client: Client, owner: User) -> None:
    login(client, owner)
    response = client.post("/pools/", {"name": "Data Engineers", "description": "Warm leads"})
    pool = Pool.objects.get()
    assert response["Location"] == f"/pools/{pool.pk}/"
    client.post(f"/pools/{pool.pk}/", {"name": "Data Platform", "description": "Warm leads"})
    pool.refresh_from_db()
    assert pool.name == "Data Platform"
    assert "Data Platform" in page(client, "/pools/")


def test_the_tags_page_counts_people(
    client: Client, owner: User, make_candidate: MakeCandidate
) -> None:
    make_candidate(tags=["remote"])
    make_candidate(tags=["remote", "referral"])
    html = page(login(client, owner), "/tags/")
    assert html.index("remote") < html.index("referral")
