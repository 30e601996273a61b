"""Capture from profile pages: reading saved pages written for the project
(tests/sourcing/profiles/), looking people up and saving them through the
API with a real token, and the capture window's pages."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from rapport.accounts.models import ROLE_CAPABILITIES, Capability, Role, User
from rapport.api.capture import MAX_HTML
from rapport.core.models import Activity, ActivityKind
from rapport.people.models import Candidate, CandidateTag, Note, Pool, PoolMembership
from rapport.people.services import pool_create
from rapport.sourcing.capture import MAX_HTML_CHARS, Profile, read_page
from tests.api.client import ApiClient, error_at
from tests.conftest import login

PROFILES = Path(__file__).resolve().parent / "profiles"
PAGE = "http://127.0.0.1:8123/{}.html"  # where the browser test serves them


def page(name: str) -> str:
    return (PROFILES / f"{name}.html").read_text(encoding="utf-8")


def read(name: str) -> Profile:
    return read_page(PAGE.format(name), page(name))


# --- reading pages ------------------------------------------------------------------


def test_it_reads_a_github_profile() -> None:
    ada = read("github")

    assert (ada.first_name, ada.last_name, ada.login) == ("Ada", "Lindqvist", "octo-ada")
    assert ada.headline == "Compiler engineer. Rust, WebAssembly and the occasional Haskell."
    assert ada.current_company == "northwind-labs"  # "@northwind-labs", and no icon's title
    assert (ada.location, ada.city, ada.country) == ("Stockholm, Sweden", "Stockholm", "SE")
    assert ada.emails == ["ada@lindqvist.example"]
    assert ada.github_url == "https://github.com/octo-ada"  # from og:url: served elsewhere here
    assert ada.linkedin_url == "https://www.linkedin.com/in/ada-lindqvist"
    assert ada.portfolio_url == "https://ada.example.org"  # the blog link, not the page
    assert "https://fosstodon.example/@ada" in ada.links
    assert ada.skills == ["Rust", "TypeScript", "Haskell"]  # pinned languages, most used first
    assert ada.sources[0] == "github"


def test_it_reads_a_linkedin_style_public_profile() -> None:
    joana = read("linkedin")

    assert (joana.first_name, joana.last_name) == ("Joana", "Carvalho")
    assert joana.headline == "Staff Platform Engineer at Lumen Freight · Kubernetes, Go, SRE"
    assert (joana.current_title, joana.current_company) == (
        "Staff Platform Engineer",
        "Lumen Freight",
    )
    assert (joana.city, joana.country) == ("Lisbon", "PT")  # not "500+ connections"
    assert joana.linkedin_url == "https://www.linkedin.com/in/joana-carvalho-5a1b2c"
    assert joana.emails == [] and joana.github_url == "" and joana.portfolio_url == ""
    assert "Rui Someone" not in repr(joana)  # "people also viewed" is someone else


def test_it_reads_json_ld_person_data_on_a_personal_page() -> None:
    priya = read("jsonld")

    assert (priya.first_name, priya.last_name) == ("Priya", "Raman")
    assert (priya.current_title, priya.current_company) == ("Senior Data Scientist", "Helio Health")
    assert priya.headline == "Senior Data Scientist at Helio Health"
    assert (priya.city, priya.country) == ("Bengaluru", "IN")
    assert priya.emails == ["priya@raman.example"]
    assert priya.github_url == "https://github.com/priyaraman"
    assert priya.linkedin_url == "https://www.linkedin.com/in/priya-raman"
    assert priya.portfolio_url == "https://priya.example/"
    assert priya.skills == ["Python", "Causal inference", "Machine Learning"]
    assert priya.sources == ["json-ld"]  # the broken third block is skipped, not fatal


def test_it_reads_the_first_hcard_and_drops_links_that_are_not_links() -> None:
    tomas = read("hcard")

    assert (tomas.first_name, tomas.last_name) == ("Tomás", "Ruiz")
    assert (tomas.current_title, tomas.current_company) == ("Frontend developer", "Cielo Studio")
    assert (tomas.city, tomas.country) == ("Valencia", "ES")
    assert tomas.headline.startswith("I make interfaces that work with a keyboard")
    assert tomas.emails == ["hola@tomas.example"]
    assert tomas.github_url == "https://github.com/tomasruiz"
    assert tomas.portfolio_url == "https://tomas.example/"
    assert "https://social.example/@tomas" in tomas.links  # <link rel="me">
    assert not any("javascript" in link for link in tomas.links)
    assert tomas.skills == ["Accessibility", "Svelte", "CSS"]
    assert "Somebody" not in repr(tomas)  # a commenter's h-card is not the page's person


def test_a_hostile_page_gives_only_plain_text_valid_addresses_and_web_links() -> None:
    started = time.monotonic()
    eve = read("hostile")
    assert time.monotonic() - started < 2

    assert eve.first_name == "Eve" and eve.sources[0] == "json-ld"
    assert "<img" in eve.last_name  # kept as text: it is escaped wherever it is shown
    for value in (eve.name, eve.first_name, eve.last_name, eve.headline, eve.current_title):
        assert not re.search(r"[\x00-\x1f\u202e]", value)
    assert len(eve.name) <= 200 and len(eve.headline) <= 200
    assert eve.emails == ["eve@bad.example"]
    for link in [*eve.links, eve.portfolio_url, eve.github_url, eve.linkedin_url]:
        assert link == "" or link.startswith(("http://", "https://")), link
    assert eve.github_url == ""  # github.com/eve-hacks/../../settings is no profile
    assert eve.skills == ["Social engineering"]  # nothing from nine lists deep


@pytest.mark.parametrize(
    "html",
    [
        "</" * 1_000_000,  # quadratic for the standard library's parser
        "<a " + 'b="' * 700_000,
        '<div class="h-card" title="' + "x" * 3_000_000 + '"><span class="p-name">Big</span>',
        "<div>" * 200_000 + '<span class="vcard"><b class="fn">Deep Down</b></span>',
        '<script type="application/ld+json">' + "[" * 60_000 + "]" * 60_000 + "</script>",
    ],
    ids=["end-tags", "open-attributes", "huge-attribute", "deep-nesting", "deep-json"],
)
def test_a_pathological_page_is_read_in_bounded_time(html: str) -> None:
    started = time.monotonic()
    profile = read_page("https://example.org/", html)
    assert time.monotonic() - started < 3
    assert len(profile.name) <= 200


def test_only_the_start_of_a_huge_page_is_read() -> None:
    html = page("jsonld") + "<p>" + "x" * (MAX_HTML_CHARS + 10) + "</p>"
    html += '<div class="h-card"><span class="p-name">Too Far</span></div>'

    assert read_page("https://priya.example/", html).name == "Priya Raman"
    assert read_page("https://example.org/", "<p>" + html[len(page("jsonld")) :]).name == ""


def test_opengraph_names_someone_only_on_a_profile_page() -> None:
    article = (
        '<meta property="og:type" content="article"><meta property="og:title" content="Why Rust">'
    )
    profile = '<meta property="og:type" content="profile"><meta property="og:title" content="Kim Lee | Blog">'

    assert read_page("https://blog.example/why-rust", article).name == ""
    kim = read_page("https://kim.example/", profile)
    assert (kim.first_name, kim.last_name, kim.sources) == ("Kim", "Lee", ["opengraph"])


def test_json_ld_people_are_found_in_a_graph_and_microdata_people_in_the_page() -> None:
    graph = """<script type="application/ld+json">{"@graph": [
        {"@type": "WebPage", "name": "Profile"},
        {"@type": ["Person"], "name": "Lin Chen", "jobTitle": ["CTO", "Founder"],
         "worksFor": [{"@type": "Organization", "name": "Quill"}],
         "address": {"@type": "PostalAddress", "addressLocality": "Taipei", "addressCountry": "Taiwan"}}
    ]}</script>"""
    microdata = """<div itemscope itemtype="https://schema.org/Person">
        <h1 itemprop="name">Sam Okoye</h1><p itemprop="jobTitle">Nurse practitioner</p>
        <div itemprop="worksFor" itemscope itemtype="https://schema.org/Organization">
          <span itemprop="name">St Mary's</span></div>
        <div itemscope itemtype="https://schema.org/Event"><span itemprop="name">Not Sam</span></div>
        <a itemprop="email" href="mailto:sam@okoye.example">write</a>
        <meta itemprop="sameAs" content="https://www.linkedin.com/in/sam-okoye">
    </div>"""

    lin = read_page("https://quill.example/team/lin", graph)
    assert (lin.name, lin.current_title, lin.current_company) == ("Lin Chen", "CTO", "Quill")
    assert (lin.city, lin.country) == ("Taipei", "TW")
    sam = read_page("https://clinic.example/sam", microdata)
    assert (sam.name, sam.current_title, sam.current_company) == (
        "Sam Okoye",
        "Nurse practitioner",
        "St Mary's",
    )
    assert sam.emails == ["sam@okoye.example"]
    assert sam.linkedin_url == "https://www.linkedin.com/in/sam-okoye"


@pytest.mark.parametrize(
    ("written", "city", "country"),
    [
        ("Lisbon, Portugal", "Lisbon", "PT"),
        ("São Paulo, SP, Brazil", "São Paulo", "BR"),
        ("San Francisco, CA", "San Francisco", ""),  # California, not Canada
        ("Austin, TX, USA", "Austin", "US"),
        ("Germany", "", "DE"),
        ("Remote", "Remote", ""),
    ],
)
def test_a_location_is_split_into_city_and_country(written: str, city: str, country: str) -> None:
    html = f'<div class="h-card"><span class="p-name">A Person</span><span class="p-label">{written}</span></div>'
    profile = read_page("https://person.example/", html)
    assert (profile.city, profile.country) == (city, country)


def test_a_profile_address_alone_names_the_profile() -> None:
    github = read_page("https://github.com/Octo-Ada?tab=repositories", "")
    linkedin = read_page("https://pt.linkedin.com/in/joana-carvalho-5a1b2c/", "")
    repository = read_page("https://github.com/octo-ada/tinywasm", "")

    assert (github.github_url, github.login) == ("https://github.com/octo-ada", "octo-ada")
    assert linkedin.linkedin_url == "https://www.linkedin.com/in/joana-carvalho-5a1b2c"
    assert repository.github_url == ""  # a repository is not a person's profile


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:text/html,hi", "file:///etc/passwd", ""]
)
def test_only_web_pages_are_read(url: str) -> None:
    with pytest.raises(ValidationError):
        read_page(url, "<p>hi</p>")


# --- the API --------------------------------------------------------------------------

ALLOWED = ["admin", "owner", "teammate", "sourcer"]
REFUSED = ["manager", "outsider"]


@pytest.fixture
def api_of(cast: dict[str, User], token_for: Callable[[User], str]) -> Callable[[str], ApiClient]:
    """A client with a real token, for each member of the cast by name."""
    return lambda name: ApiClient(token_for(cast[name]))


@pytest.fixture
def api(api_of: Callable[[str], ApiClient]) -> ApiClient:
    return api_of("owner")


def lookup(client: ApiClient, name: str, **extra: Any) -> Any:
    return client.post("/capture/lookup", {"url": PAGE.format(name), "html": page(name), **extra})


def ada_save(**extra: Any) -> dict[str, Any]:
    return {
        "url": "https://github.com/octo-ada",
        "first_name": "Ada",
        "last_name": "Lindqvist",
        "headline": "Compiler engineer.",
        "city": "Stockholm",
        "country": "SE",
        "emails": ["ada@lindqvist.example"],
        "skills": ["Rust", "TypeScript"],
        **extra,
    }


@pytest.mark.parametrize("who", ALLOWED)
def test_lookup_reads_the_page_and_says_a_new_person_is_new(
    api_of: Callable[[str], ApiClient], who: str
) -> None:
    response = lookup(api_of(who), "github")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["read"]["name"] == "Ada Lindqvist"
    assert body["read"]["github_url"] == "https://github.com/octo-ada"
    assert body["read"]["skills"] == ["Rust", "TypeScript", "Haskell"]
    assert body["existing"] == {
        "exists": False, "candidate_id": None, "name": "", "matched_by": "", "url": ""
    }  # fmt: skip


@pytest.mark.parametrize("who", ALLOWED)
def test_lookup_names_the_candidate_a_profile_or_email_matches(
    api_of: Callable[[str], ApiClient],
    make_candidate: Callable[..., Candidate],
    who: str,
    settings: Any,
) -> None:
    settings.BASE_URL = "https://rapport.example.org"
    ada = make_candidate(first_name="Ada", last_name="L.", github_url="https://github.com/Octo-Ada")
    priya = make_candidate(first_name="Priya", emails=["Priya@Raman.example"])

    by_github = lookup(api_of(who), "github").json()["existing"]
    by_email = lookup(api_of(who), "jsonld").json()["existing"]

    assert by_github == {
        "exists": True,
        "candidate_id": ada.pk,
        "name": "Ada L.",
        "matched_by": "github",
        "url": f"https://rapport.example.org/candidates/{ada.pk}/",
    }
    assert (by_email["candidate_id"], by_email["matched_by"]) == (priya.pk, "email")


@pytest.mark.parametrize("who", REFUSED)
def test_roles_that_may_not_add_candidates_may_not_capture(
    api_of: Callable[[str], ApiClient], candidate: Candidate, who: str
) -> None:
    before = Candidate.objects.count()
    found = lookup(api_of(who), "github", fields={"emails": ["maria.souza@example.org"]})
    saved = api_of(who).post("/capture/save", ada_save())

    assert (found.status_code, saved.status_code) == (403, 403)
    assert "may not" in found.json()["detail"]
    # The hiring manager Maria is shared with learns nothing of her here either.
    assert "Maria" not in found.content.decode()
    assert Candidate.objects.count() == before


def test_without_a_token_capture_answers_401() -> None:
    response = Client().post(
        "/api/v1/capture/lookup", {"url": PAGE.format("github")}, content_type="application/json"
    )
    assert response.status_code == 401


def test_a_user_who_may_not_see_the_match_learns_only_that_it_exists(
    api_of: Callable[[str], ApiClient],
    candidate: Candidate,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No role today may add candidates without seeing them all; should one
    ever, capture tells it that the person exists and nothing more."""
    narrow = ROLE_CAPABILITIES[Role.SOURCER] - {Capability.SEE_ALL_CANDIDATES}
    monkeypatch.setitem(ROLE_CAPABILITIES, Role.SOURCER, narrow)
    fields = {"emails": ["maria.souza@example.org"]}

    found = lookup(api_of("sourcer"), "github", fields=fields)
    saved = api_of("sourcer").post("/capture/save", ada_save(emails=["maria.souza@example.org"]))

    assert found.json()["existing"] == {
        "exists": True, "candidate_id": None, "name": "", "matched_by": "", "url": ""
    }  # fmt: skip
    assert saved.status_code == 403 and "may not see" in saved.json()["detail"]
    candidate.refresh_from_db()
    assert (candidate.headline, candidate.github_url) == ("", "")


def test_lookup_takes_fields_the_caller_read_itself(api: ApiClient) -> None:
    response = api.post(
        "/capture/lookup",
        {
            "url": "https://github.com/octo-ada",
            "fields": {"first_name": "Ada", "last_name": "Lindqvist", "skills": ["Rust"]},
        },
    )

    read = response.json()["read"]
    assert (read["first_name"], read["login"], read["skills"]) == ("Ada", "octo-ada", ["Rust"])


def test_fields_a_caller_sends_are_cleaned_like_the_page_s_own(api: ApiClient) -> None:
    fields = {
        "first_name": "Ada\u202e",
        "linkedin_url": "javascript:alert(1)",
        "github_url": "http://GitHub.com/Octo-Ada/",
        "emails": ["not an address", "Ada@Lindqvist.example"],
        "links": ["data:text/html,hi", "https://ada.example.org"],
    }
    read = api.post("/capture/lookup", {"url": "https://ada.example.org/", "fields": fields})

    body = read.json()["read"]
    assert (body["first_name"], body["linkedin_url"]) == ("Ada", "")
    assert body["github_url"] == "https://github.com/octo-ada"
    assert body["emails"] == ["ada@lindqvist.example"]
    assert body["links"] == ["https://ada.example.org"]


def test_save_names_a_profile_link_that_is_no_address(api: ApiClient) -> None:
    response = api.post(
        "/capture/save", ada_save(url="https://ada.example.org/", linkedin_url="http://[")
    )

    assert error_at(response, "body", "linkedin_url")
    assert Candidate.objects.count() == 0


def test_lookup_refuses_a_page_that_is_not_a_web_page(api: ApiClient) -> None:
    response = api.post("/capture/lookup", {"url": "javascript:alert(1)", "html": "<p>hi</p>"})
    assert "http or https" in error_at(response, "body", "url")["msg"]


def test_lookup_refuses_html_over_the_limit(api: ApiClient) -> None:
    response = api.post(
        "/capture/lookup", {"url": PAGE.format("github"), "html": "x" * (MAX_HTML + 1)}
    )
    assert error_at(response, "body", "html")["type"] == "string_too_long"


@pytest.mark.parametrize("who", ALLOWED)
def test_save_adds_a_new_person_with_tags_a_pool_and_a_note(
    api_of: Callable[[str], ApiClient], cast: dict[str, User], owner: User, who: str
) -> None:
    pool = pool_create(actor=owner, name="Compilers")

    response = api_of(who).post(
        "/capture/save",
        ada_save(tags=["Open Source", "rust"], pool_id=pool.pk, note="Found via **tinywasm**."),
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["created"], body["filled"], body["skipped"]) == (True, [], [])
    ada = Candidate.objects.get(pk=body["candidate"]["id"])
    assert (ada.full_name, ada.source, ada.github_url) == (
        "Ada Lindqvist", "capture", "https://github.com/octo-ada"
    )  # fmt: skip
    assert (ada.owner, ada.created_by) == (cast[who], cast[who])
    assert sorted(body["candidate"]["tags"]) == ["open-source", "rust"]
    assert [s["name"] for s in body["candidate"]["skills"]] == ["Rust", "TypeScript"]
    assert [c["value"] for c in body["candidate"]["emails"]] == ["ada@lindqvist.example"]
    assert PoolMembership.objects.filter(pool=pool, candidate=ada, added_by=cast[who]).exists()
    note = Note.objects.get(candidate=ada)
    assert (note.author, note.body_html) == (
        cast[who],
        "<p>Found via <strong>tinywasm</strong>.</p>",
    )
    created = Activity.objects.get(candidate=ada, kind=ActivityKind.CANDIDATE_CREATED)
    assert created.data == {"source": "capture"}


def test_save_takes_the_profile_link_from_the_page_address(api: ApiClient) -> None:
    response = api.post(
        "/capture/save",
        {"url": "https://pt.linkedin.com/in/Joana-Carvalho-5a1b2c/", "first_name": "Joana"},
    )

    assert response.json()["candidate"]["linkedin_url"] == (
        "https://www.linkedin.com/in/joana-carvalho-5a1b2c"
    )


def test_save_fills_in_only_what_an_existing_record_lacks(
    api: ApiClient, candidate: Candidate, owner: User
) -> None:
    response = api.post(
        "/capture/save",
        ada_save(
            first_name="Mariana",
            headline="Backend engineer, Python and Postgres",
            city="Lisbon",
            emails=["maria.souza@example.org", "maria@souza.example"],
            github_url="https://github.com/MariaS",
            skills=["Python", "Go"],
            tags=["captured"],
        ),
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["candidate"]["id"]) == (False, candidate.pk)
    assert set(body["filled"]) == {"headline", "github_url", "email", "skills"}
    candidate.refresh_from_db()
    assert (candidate.first_name, candidate.city) == ("Maria", "São Paulo")  # never replaced
    assert candidate.headline == "Backend engineer, Python and Postgres"
    assert candidate.github_url == "https://github.com/marias"
    assert candidate.source == ""  # where they came from stays what it was
    assert [c["value"] for c in body["candidate"]["emails"]] == [
        "maria.souza@example.org",
        "maria@souza.example",
    ]
    assert {s["name"] for s in body["candidate"]["skills"]} == {
        "Python", "Django", "PostgreSQL", "Go"
    }  # fmt: skip
    assert body["candidate"]["tags"] == ["captured"]
    assert Candidate.objects.count() == 1


def test_save_leaves_out_what_belongs_to_another_candidate(
    api: ApiClient, candidate: Candidate, make_candidate: Callable[..., Candidate]
) -> None:
    other = make_candidate(first_name="Other", github_url="https://github.com/octo-ada",
                           emails=["other@example.org"])  # fmt: skip

    body = api.post(
        "/capture/save",
        ada_save(emails=["maria.souza@example.org", "other@example.org"]),
    ).json()

    assert body["candidate"]["id"] == candidate.pk  # the email wins over the profile
    assert body["skipped"] == [
        "The GitHub profile https://github.com/octo-ada is on another candidate's record.",
        "other@example.org belongs to another candidate.",
    ]
    candidate.refresh_from_db()
    other.refresh_from_db()
    assert (candidate.github_url, other.github_url) == ("", "https://github.com/octo-ada")


def test_save_is_all_or_nothing(api: ApiClient) -> None:
    response = api.post("/capture/save", ada_save(tags=["fine", "!!!"], note="A note"))

    assert "no letters or digits" in error_at(response, "body", "tags")["msg"]
    assert (Candidate.objects.count(), Note.objects.count(), CandidateTag.objects.count()) == (
        0,
        0,
        0,
    )


def test_save_refuses_a_pool_that_does_not_exist(api: ApiClient) -> None:
    response = api.post("/capture/save", ada_save(pool_id=987654))

    assert response.status_code == 404
    assert Candidate.objects.count() == 0


def test_save_checks_what_it_is_given(api: ApiClient) -> None:
    bad_email = api.post("/capture/save", ada_save(emails=["not an address"]))
    bad_link = api.post("/capture/save", ada_save(portfolio_url="javascript:alert(1)"))
    no_name = api.post("/capture/save", ada_save(first_name=""))

    assert "not a valid email" in error_at(bad_email, "body", "emails")["msg"]
    assert error_at(bad_link, "body", "portfolio_url")
    assert error_at(no_name, "body", "first_name")
    assert Candidate.objects.count() == 0


# --- the capture window ----------------------------------------------------------------


@pytest.fixture
def browser(owner: User) -> Client:
    return login(Client(), owner)


def review(client: Client, name: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("page.html", page(name).encode(), content_type="text/html")
    return client.post("/capture/review/", {"url": PAGE.format(name), "page": upload})


def test_the_window_waits_for_the_page_and_only_it_stays_reachable_from_the_page(
    browser: Client,
) -> None:
    start = browser.get("/capture/", {"url": PAGE.format("github")})
    after = review(browser, "github")

    assert start.status_code == 200
    assert start["Cross-Origin-Opener-Policy"] == "unsafe-none"
    assert b'data-origin="http://127.0.0.1:8123"' in start.content
    assert start["X-Frame-Options"] == "DENY"
    assert after["Cross-Origin-Opener-Policy"] == "same-origin"


def test_the_window_asks_to_sign_in_first() -> None:
    response = Client().get("/capture/", {"url": PAGE.format("github")})
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("who", REFUSED)
def test_the_window_tells_roles_that_may_not_add_candidates(
    cast: dict[str, User], who: str
) -> None:
    client = login(Client(), cast[who])

    start = client.get("/capture/", {"url": PAGE.format("github")})
    after = review(client, "github")

    assert b"may not add candidates" in start.content
    assert b"may not add candidates" in after.content and b"Ada" not in after.content


def test_the_review_shows_what_was_read_of_a_new_person(browser: Client) -> None:
    response = review(browser, "github")

    text = response.content.decode()
    assert "New to Rapport." in text
    assert 'value="Ada"' in text and 'value="Lindqvist"' in text
    assert "Rust, TypeScript, Haskell" in text
    assert "Read from the GitHub profile" in text
    assert "Add to Rapport" in text


def test_the_review_names_someone_already_in_rapport_and_what_their_record_keeps(
    browser: Client, make_candidate: Callable[..., Candidate]
) -> None:
    joana = make_candidate(first_name="Joana", last_name="C.", city="Porto",
                           linkedin_url="https://www.linkedin.com/in/joana-carvalho-5a1b2c")  # fmt: skip

    text = review(browser, "linkedin").content.decode()

    assert "Already in Rapport:" in text
    assert f'href="/candidates/{joana.pk}/"' in text and "(same LinkedIn profile)" in text
    assert '<div class="capture-kept-value">Porto</div>' in text
    assert "The page says: Lisbon" in text
    assert 'name="city" value="Porto"' in text  # what is posted back is what is kept
    assert 'id="id_headline"' in text  # her record has no headline: the page's is offered
    assert "Update Joana C." in text


def test_the_review_shows_a_hostile_page_as_text(browser: Client) -> None:
    text = review(browser, "hostile").content.decode()

    assert "&lt;img src=x onerror=" in text
    assert "<img src=x" not in text and "<script>window.pwned" not in text
    assert "javascript:" not in text.split("<main", 1)[1].split("<script>", 1)[0]


def test_saving_from_the_window_adds_the_person(browser: Client, owner: User) -> None:
    pool = pool_create(actor=owner, name="Compilers")

    response = browser.post(
        "/capture/save/",
        {
            "url": PAGE.format("github"),
            "first_name": "Ada",
            "last_name": "Lindqvist",
            "emails": "ada@lindqvist.example",
            "github_url": "https://github.com/octo-ada",
            "skills": "Rust, Haskell",
            "tags": "open-source, compilers",
            "pool": str(pool.pk),
            "note": "Met at a meetup.",
        },
    )

    assert "Ada Lindqvist</strong> is now in Rapport." in response.content.decode()
    ada = Candidate.objects.get(github_url="https://github.com/octo-ada")
    assert ada.source == "capture"
    assert PoolMembership.objects.filter(pool=pool, candidate=ada).exists()
    assert set(ada.tag_links.values_list("tag__name", flat=True)) == {"open-source", "compilers"}


def test_a_refused_save_comes_back_to_the_form_with_the_reason(browser: Client) -> None:
    response = browser.post(
        "/capture/save/",
        {"url": PAGE.format("github"), "first_name": "Ada", "emails": "not an address"},
    )

    text = response.content.decode()
    assert "not a valid email address" in text and 'value="Ada"' in text
    assert Candidate.objects.count() == 0


def test_the_help_page_offers_a_bookmarklet_for_this_installation(
    browser: Client, settings: Any
) -> None:
    settings.BASE_URL = "https://rapport.example.org"

    text = browser.get("/capture/help/").content.decode()

    href = re.search(r'id="bookmarklet" href="([^"]+)"', text)
    assert href is not None
    code = href.group(1).replace("&quot;", '"').replace("&#x27;", "'").replace("&amp;", "&")
    assert code.startswith("javascript:(function () {")
    assert 'var rapport = "https://rapport.example.org";' in code
    assert '"https://rapport.example.org/capture/" + "?url="' in code
    assert "\n" not in code and "%" not in code.replace("%25", "")
    assert "https://rapport.example.org" in text  # for the extension's options


def test_pools_are_offered_only_to_roles_that_manage_them(browser: Client, owner: User) -> None:
    pool_create(actor=owner, name="Compilers")
    assert "Compilers" in review(browser, "github").content.decode()
    assert Pool.objects.count() == 1
