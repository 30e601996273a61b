"""Who may do what, on every browser page, for each member of the cast.

One table of pages (GET) and one of changes (POST) cover every browser
address (people/urls.py, accounts/urls.py and the candidate list) but login
and logout. Each row says what
each member of the cast gets, and each test compares the whole row at once:
every member acts on the same starting point, rolled back after them.

- SHOWS / OMITS: the page answers and has, or has not, the row's text;
- DONE: the change is made (checked on the database), with no error shown;
- Refused(message): the user may see the object but not change it: a redirect
  to a page that shows `message` as an error, and nothing in the database
  changes;
- NOT_FOUND: the object is outside the user's scope: a 404 that names
  nothing, and nothing in the database changes.

Anything else is described in words, so a failure reads as the row the app
gives next to the row the rules ask for. Anonymous visitors are sent to the
login page from every address, and nothing changes either."""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import transaction
from django.test import Client

from rapport.accounts.models import ApiToken, Role, User
from rapport.accounts.services import token_create
from rapport.core.models import Activity
from rapport.people.models import (
    Candidate,
    CandidateShare,
    CandidateTag,
    ContactPoint,
    CustomField,
    Note,
    Pool,
    PoolMembership,
)
from rapport.people.services import (
    contact_add,
    custom_field_create,
    note_add,
    pool_add,
    pool_create,
    tag_add,
)
from tests.conftest import login

ROLES = ("admin", "owner", "teammate", "sourcer", "manager", "outsider")
GROUPS = {
    "everyone": ROLES,
    "team": ("admin", "owner", "teammate", "sourcer"),
    "recruiters": ("admin", "owner", "teammate"),
    "managers": ("manager", "outsider"),
}


class Answer(enum.Enum):
    SHOWS = "shows"
    OMITS = "omits"
    DONE = "done"
    NOT_FOUND = "not found"

    def __repr__(self) -> str:
        return self.name


SHOWS, OMITS, DONE, NOT_FOUND = Answer


@dataclass(frozen=True)
class Refused:
    message: str


Outcome = Answer | Refused | str  # a str describes what the rules do not allow

MANAGER_MAY_NOT = Refused("Your role (Hiring manager) may not do this.")
SOURCER_MAY_NOT = Refused("Your role (Sourcer) may not do this.")
# The list's bulk form skips candidates outside the user's scope, so the
# outsider's tick on Maria is no tick at all: the same answer as for an id
# that does not exist, which says nothing about her.
NOTHING_TICKED = Refused("Tick at least one candidate first.")


def expect(**answers: Outcome) -> dict[str, Outcome]:
    """What each role gets, by role or group; later arguments win."""
    table: dict[str, Outcome] = {}
    for who, answer in answers.items():
        table.update(dict.fromkeys(GROUPS.get(who, (who,)), answer))
    if set(table) != set(ROLES):
        raise ValueError(f"no answer for {set(ROLES) - set(table)}")
    return table


@dataclass(frozen=True)
class World:
    """The cast, and Maria with one of everything a page can act on."""

    cast: dict[str, User]
    maria: Candidate
    work_email: ContactPoint  # Maria's second, non-primary address
    shortlist: Pool  # Maria is in it
    longlist: Pool  # Maria is not
    notice: CustomField
    tokens: dict[str, ApiToken]  # one per member of the cast, by role
    role: str = "owner"  # who is asking

    @property
    def me(self) -> User:
        return self.cast[self.role]


@pytest.fixture
def world(cast: dict[str, User], candidate: Candidate, owner: User) -> World:
    contact_add(actor=owner, candidate=candidate, kind="email", value="maria.work@example.com")
    tag_add(actor=owner, candidates=[candidate], name="remote")
    shortlist = pool_create(actor=owner, name="Shortlist")
    pool_add(actor=owner, pool=shortlist, candidates=[candidate])
    note_add(actor=owner, candidate=candidate, body="Loves distributed systems")
    note_add(actor=owner, candidate=candidate, body="Expects 95k base", confidential=True)
    return World(
        cast=cast,
        maria=candidate,
        work_email=candidate.contacts.get(value="maria.work@example.com"),
        shortlist=shortlist,
        longlist=pool_create(actor=owner, name="Longlist"),
        notice=custom_field_create(actor=cast["admin"], label="Notice period", field_type="text"),
        tokens={
            role: token_create(user=user, name=f"Laptop of {user.name.split()[0]}")[0]
            for role, user in cast.items()
        },
    )


def snapshot() -> dict[str, Any]:
    """Everything a page could change, to show that nothing did."""
    return {
        "candidates": list(
            Candidate.objects.order_by("pk").values_list(
                "pk", "first_name", "current_title", "owner_id"
            )
        ),
        "contacts": list(ContactPoint.objects.order_by("pk").values_list("pk", "is_primary")),
        "tags": list(CandidateTag.objects.order_by("pk").values_list("candidate_id", "tag__name")),
        "pools": list(Pool.objects.order_by("pk").values_list("name", "description")),
        "members": list(PoolMembership.objects.order_by("pk").values_list("pool_id", "candidate")),
        "notes": list(Note.objects.order_by("pk").values_list("body", flat=True)),
        "shares": list(CandidateShare.objects.order_by("pk").values_list("user_id", flat=True)),
        "fields": list(CustomField.objects.order_by("pk").values_list("key", flat=True)),
        "users": list(User.objects.order_by("pk").values_list("email", "role", "is_active")),
        "tokens": list(ApiToken.objects.order_by("pk").values_list("name", "revoked_at")),
        "activity": Activity.objects.count(),
    }


def maria(w: World) -> str:
    return f"/candidates/{w.maria.pk}/"


# --- pages --------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    name: str
    path: Callable[[World], str]
    text: str
    outcomes: dict[str, Outcome]
    headers: dict[str, str] = field(default_factory=dict)


PAGES = [
    Page(
        "the candidate list names Maria",
        lambda w: "/candidates/",
        "Maria Souza",
        expect(everyone=SHOWS, outsider=OMITS),
    ),
    Page(
        "the candidate list offers the team's pools",
        lambda w: "/candidates/",
        "Shortlist",
        expect(team=SHOWS, managers=OMITS),
    ),
    Page(
        "the form for a new candidate",
        lambda w: "/candidates/new/",
        "Add a candidate",
        expect(team=SHOWS, managers=Refused("Your role may not add candidates.")),
    ),
    Page(
        "Maria's profile",
        maria,
        "Maria Souza",
        expect(everyone=SHOWS, outsider=NOT_FOUND),
    ),
    Page(
        "Maria's profile offers to edit her",
        maria,
        "Edit profile",
        expect(team=SHOWS, manager=OMITS, outsider=NOT_FOUND),
    ),
    Page(
        "Maria's profile offers to delete her",
        maria,
        "Delete candidate",
        expect(recruiters=SHOWS, sourcer=OMITS, manager=OMITS, outsider=NOT_FOUND),
    ),
    Page(
        "Maria's profile offers to share her",
        maria,
        "Share with a hiring manager",
        expect(recruiters=SHOWS, sourcer=OMITS, manager=OMITS, outsider=NOT_FOUND),
    ),
    Page(
        "Maria's profile names her pools",
        maria,
        "Shortlist",
        expect(team=SHOWS, manager=OMITS, outsider=NOT_FOUND),
    ),
    Page(
        "Maria's timeline filtered to notes shows her confidential note",
        lambda w: f"{maria(w)}?kind=note.added",
        "Expects 95k",
        expect(recruiters=SHOWS, sourcer=OMITS, manager=OMITS, outsider=NOT_FOUND),
    ),
    Page(
        "Maria's timeline loaded in place shows her plain note",
        lambda w: f"{maria(w)}?partial=timeline",
        "Loves distributed systems",
        expect(everyone=SHOWS, outsider=NOT_FOUND),
        headers={"HX-Request": "true"},
    ),
    Page(
        "Maria's timeline loaded in place shows her confidential note",
        lambda w: f"{maria(w)}?partial=timeline",
        "Expects 95k",
        expect(recruiters=SHOWS, sourcer=OMITS, manager=OMITS, outsider=NOT_FOUND),
        headers={"HX-Request": "true"},
    ),
    Page(
        "the form to edit Maria",
        lambda w: f"{maria(w)}edit/",
        'value="Senior Backend Engineer"',
        expect(
            team=SHOWS,
            manager=Refused("Your role may not edit candidates."),
            outsider=NOT_FOUND,
        ),
    ),
    Page(
        "the pool list",
        lambda w: "/pools/",
        "Shortlist",
        expect(team=SHOWS, managers=NOT_FOUND),
    ),
    Page(
        "a pool's page",
        lambda w: f"/pools/{w.shortlist.pk}/",
        "Maria Souza",
        expect(team=SHOWS, managers=NOT_FOUND),
    ),
    Page(
        "the tags page",
        lambda w: "/tags/",
        "remote",
        expect(team=SHOWS, managers=NOT_FOUND),
    ),
    Page(
        "the custom fields page",
        lambda w: "/settings/fields/",
        "Notice period",
        expect(everyone=NOT_FOUND, admin=SHOWS),
    ),
    Page(
        "the team page",
        lambda w: "/settings/team/",
        "otto@example.com",
        expect(everyone=NOT_FOUND, admin=SHOWS),
    ),
    Page(
        "the account page lists the owner's token",
        lambda w: "/account/",
        "Laptop of Rita",
        expect(everyone=OMITS, owner=SHOWS),
    ),
]


def as_each_role(world: World, act: Callable[[World], Outcome]) -> dict[str, Outcome]:
    """What each member of the cast gets, each from the same starting point."""
    seen: dict[str, Outcome] = {}
    for role in ROLES:
        with transaction.atomic():
            seen[role] = act(replace(world, role=role))
            transaction.set_rollback(True)
    return seen


def errors_shown(html: str) -> list[str]:
    """The error messages on a page."""
    return [unescape(m) for m in re.findall(r'<li class="alert alert-error">(.*?)</li>', html)]


def outcome_of(response: Any, *hidden: str) -> Outcome:
    """How the app answered, in the words of the tables: a 404, a refusal, or
    the page itself (for the caller to judge)."""
    html = response.content.decode()
    if response.status_code == 404:
        named = [text for text in hidden if text in html]
        return f"a 404 that names {named}" if named or "Not found" not in html else NOT_FOUND
    if response.status_code == 403 or (response.redirect_chain and errors_shown(html)):
        return Refused(" ".join(errors_shown(html)) or "a bare 403")
    if response.status_code != 200:
        return f"answered {response.status_code}"
    if errors := errors_shown(html):
        return f"showed the errors {errors}"
    return SHOWS


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_each_page_shows_hides_refuses_or_is_not_found_as_the_rules_say(
    client: Client, world: World, page: Page
) -> None:
    def open_page(w: World) -> Outcome:
        response = login(client, w.me).get(page.path(w), headers=page.headers, follow=True)
        outcome = outcome_of(response, page.text, "Maria")
        if outcome is SHOWS and response.redirect_chain:
            return f"redirected to {response.redirect_chain[-1][0]}"
        if outcome is SHOWS and page.text not in response.content.decode():
            return OMITS
        return outcome

    assert as_each_role(world, open_page) == page.outcomes


# --- changes ------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    name: str
    path: Callable[[World], str]
    data: Callable[[World], dict[str, Any]]
    done: Callable[[World], bool]
    outcomes: dict[str, Outcome]


def is_tagged(w: World, name: str) -> bool:
    return CandidateTag.objects.filter(candidate=w.maria, tag__name=name).exists()


def in_pool(w: World, pool: Pool) -> bool:
    return PoolMembership.objects.filter(candidate=w.maria, pool=pool).exists()


CHANGES = [
    Change(
        "adds a candidate",
        lambda w: "/candidates/new/",
        lambda w: {"first_name": "Nadia", "last_name": "Haddad"},
        lambda w: Candidate.objects.filter(first_name="Nadia").exists(),
        expect(team=DONE, managers=Refused("Your role may not add candidates.")),
    ),
    Change(
        "edits Maria's profile",
        lambda w: f"{maria(w)}edit/",
        lambda w: {
            "first_name": "Maria",
            "last_name": "Souza",
            "current_title": "Principal Engineer",
            "owner": w.cast["owner"].pk,
        },
        lambda w: Candidate.objects.get(pk=w.maria.pk).current_title == "Principal Engineer",
        expect(
            team=DONE,
            manager=Refused("Your role may not edit candidates."),
            outsider=NOT_FOUND,
        ),
    ),
    Change(
        "deletes Maria",
        lambda w: f"{maria(w)}delete/",
        lambda w: {},
        lambda w: not Candidate.objects.filter(pk=w.maria.pk).exists(),
        expect(
            recruiters=DONE,
            sourcer=Refused("Only recruiters and admins may delete candidates."),
            manager=MANAGER_MAY_NOT,
            outsider=NOT_FOUND,
        ),
    ),
    Change(
        "adds a note on Maria",
        lambda w: f"{maria(w)}notes/",
        lambda w: {"body": "Met at PyCon"},
        lambda w: Note.objects.filter(candidate=w.maria, body="Met at PyCon").exists(),
        expect(everyone=DONE, outsider=NOT_FOUND),
    ),
    Change(
        "adds a confidential note on Maria",
        lambda w: f"{maria(w)}notes/",
        lambda w: {"body": "Has a competing offer", "confidential": "on"},
        lambda w: Note.objects.filter(body="Has a competing offer", confidential=True).exists(),
        expect(
            recruiters=DONE,
            sourcer=SOURCER_MAY_NOT,
            manager=MANAGER_MAY_NOT,
            outsider=NOT_FOUND,
        ),
    ),
    Change(
        "tags Maria",
        lambda w: f"{maria(w)}tags/",
        lambda w: {"tag": "relocation-ok"},
        lambda w: is_tagged(w, "relocation-ok"),
        expect(team=DONE, manager=MANAGER_MAY_NOT, outsider=NOT_FOUND),
    ),
    Change(
        "removes a tag from Maria",
        lambda w: f"{maria(w)}tags/remote/remove/",
        lambda w: {},
        lambda w: not is_tagged(w, "remote"),
        # The manager sees Maria's tags on her profile: a refusal, not a 404.
        expect(team=DONE, manager=MANAGER_MAY_NOT, outsider=NOT_FOUND),
    ),
    Change(
        "adds Maria to a pool",
        lambda w: f"{maria(w)}pools/",
        lambda w: {"pool": w.longlist.pk},
        lambda w: in_pool(w, w.longlist),
        expect(team=DONE, managers=NOT_FOUND),
    ),
    Change(
        "removes Maria from a pool",
        lambda w: f"{maria(w)}pools/{w.shortlist.pk}/remove/",
        lambda w: {},
        lambda w: not in_pool(w, w.shortlist),
        expect(team=DONE, managers=NOT_FOUND),
    ),
    Change(
        "adds a phone number to Maria",
        lambda w: f"{maria(w)}contacts/",
        lambda w: {"kind": "phone", "value": "+55 11 98888-7777"},
        lambda w: w.maria.contacts.filter(kind="phone").count() == 2,
        expect(team=DONE, manager=MANAGER_MAY_NOT, outsider=NOT_FOUND),
    ),
    Change(
        "removes Maria's work email",
        lambda w: f"{maria(w)}contacts/{w.work_email.pk}/remove/",
        lambda w: {},
        lambda w: not ContactPoint.objects.filter(pk=w.work_email.pk).exists(),
        expect(team=DONE, manager=MANAGER_MAY_NOT, outsider=NOT_FOUND),
    ),
    Change(
        "makes Maria's work email her primary one",
        lambda w: f"{maria(w)}contacts/{w.work_email.pk}/primary/",
        lambda w: {},
        lambda w: ContactPoint.objects.get(pk=w.work_email.pk).is_primary,
        expect(team=DONE, manager=MANAGER_MAY_NOT, outsider=NOT_FOUND),
    ),
    Change(
        "shares Maria with the outsider",
        lambda w: f"{maria(w)}share/",
        lambda w: {"user": w.cast["outsider"].pk},
        lambda w: CandidateShare.objects.filter(user=w.cast["outsider"]).exists(),
        expect(
            recruiters=DONE,
            sourcer=SOURCER_MAY_NOT,
            manager=MANAGER_MAY_NOT,
            outsider=NOT_FOUND,
        ),
    ),
    Change(
        "tags Maria from the list",
        lambda w: "/candidates/bulk/",
        lambda w: {"ids": [w.maria.pk], "action": "tag", "tag": "icu"},
        lambda w: is_tagged(w, "icu"),
        expect(team=DONE, manager=MANAGER_MAY_NOT, outsider=NOTHING_TICKED),
    ),
    Change(
        "adds Maria to a pool from the list",
        lambda w: "/candidates/bulk/",
        lambda w: {"ids": [w.maria.pk], "action": "pool", "pool": w.longlist.pk},
        lambda w: in_pool(w, w.longlist),
        expect(team=DONE, manager=NOT_FOUND, outsider=NOTHING_TICKED),
    ),
    Change(
        "gives Maria to the teammate from the list",
        lambda w: "/candidates/bulk/",
        lambda w: {"ids": [w.maria.pk], "action": "owner", "owner": w.cast["teammate"].pk},
        lambda w: Candidate.objects.get(pk=w.maria.pk).owner == w.cast["teammate"],
        expect(team=DONE, manager=MANAGER_MAY_NOT, outsider=NOTHING_TICKED),
    ),
    Change(
        "creates a pool",
        lambda w: "/pools/",
        lambda w: {"name": "Data Engineers"},
        lambda w: Pool.objects.filter(name="Data Engineers").exists(),
        expect(team=DONE, managers=NOT_FOUND),
    ),
    Change(
        "renames a pool",
        lambda w: f"/pools/{w.shortlist.pk}/",
        lambda w: {"name": "Final round", "description": ""},
        lambda w: Pool.objects.get(pk=w.shortlist.pk).name == "Final round",
        expect(team=DONE, managers=NOT_FOUND),
    ),
    Change(
        "adds a custom field",
        lambda w: "/settings/fields/",
        lambda w: {"label": "Clearance", "field_type": "text"},
        lambda w: CustomField.objects.filter(key="clearance").exists(),
        expect(everyone=NOT_FOUND, admin=DONE),
    ),
    Change(
        "removes a custom field",
        lambda w: f"/settings/fields/{w.notice.pk}/delete/",
        lambda w: {},
        lambda w: not CustomField.objects.filter(pk=w.notice.pk).exists(),
        expect(everyone=NOT_FOUND, admin=DONE),
    ),
    Change(
        "adds a user",
        lambda w: "/settings/team/",
        lambda w: {"email": "nina@example.com", "name": "Nina", "role": Role.SOURCER},
        lambda w: User.objects.filter(email="nina@example.com").exists(),
        expect(everyone=NOT_FOUND, admin=DONE),
    ),
    Change(
        "makes the sourcer a recruiter",
        lambda w: f"/settings/team/{w.cast['sourcer'].pk}/",
        lambda w: {"role": Role.RECRUITER, "is_active": "on"},
        lambda w: User.objects.get(pk=w.cast["sourcer"].pk).role == Role.RECRUITER,
        expect(everyone=NOT_FOUND, admin=DONE),
    ),
    Change(
        "makes themselves an API token",
        lambda w: "/account/",
        lambda w: {"name": "HR sync"},
        lambda w: ApiToken.objects.filter(user=w.me, name="HR sync").exists(),
        expect(everyone=DONE),
    ),
    Change(
        "revokes their own API token",
        lambda w: f"/account/tokens/{w.tokens[w.role].pk}/revoke/",
        lambda w: {},
        lambda w: ApiToken.objects.get(pk=w.tokens[w.role].pk).revoked_at is not None,
        expect(everyone=DONE),
    ),
    Change(
        "revokes the owner's API token",
        lambda w: f"/account/tokens/{w.tokens['owner'].pk}/revoke/",
        lambda w: {},
        lambda w: ApiToken.objects.get(pk=w.tokens["owner"].pk).revoked_at is not None,
        expect(everyone=NOT_FOUND, owner=DONE),
    ),
]


@pytest.mark.parametrize("change", CHANGES, ids=[change.name for change in CHANGES])
def test_each_change_is_made_refused_or_not_found_as_the_rules_say(
    client: Client, world: World, change: Change
) -> None:
    def post(w: World) -> Outcome:
        before = snapshot()
        response = login(client, w.me).post(change.path(w), change.data(w), follow=True)
        outcome = outcome_of(response, "Maria", "Shortlist")
        if outcome is SHOWS:
            return DONE if change.done(w) else "answered, but nothing was done"
        if snapshot() != before:
            return f"{outcome!r}, yet the database changed"
        return outcome

    assert as_each_role(world, post) == change.outcomes


# --- anonymous visitors ---------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", page.path) for page in PAGES] + [("post", change.path) for change in CHANGES],
    ids=[f"GET {page.name}" for page in PAGES] + [f"POST {c.name}" for c in CHANGES],
)
def test_anonymous_visitors_are_sent_to_the_login_page_and_change_nothing(
    client: Client, world: World, method: str, path: Callable[[World], str]
) -> None:
    before = snapshot()
    url = path(world)
    response = getattr(client, method)(url)
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == "/login/" and parse_qs(location.query)["next"] == [url]
    assert snapshot() == before


# --- confidential notes in search ------------------------------------------------

# The quick search reads notes too; a confidential note's words are indexed
# behind a marker (people/documents.py) that only those who may read the note
# should ever match, whether they type the word, the marked word or the marker.
CONFIDENTIAL_QUERIES = {"the word": "95k", "the marked word": "0p95k", "the marker": "0p*"}


@pytest.mark.parametrize("role", ["sourcer", "manager"])
@pytest.mark.parametrize("query", CONFIDENTIAL_QUERIES.values(), ids=CONFIDENTIAL_QUERIES.keys())
def test_a_search_for_a_confidential_note_finds_nobody_for_those_who_may_not_read_it(
    client: Client, world: World, role: str, query: str
) -> None:
    login(client, world.cast[role])
    maria = f'href="/candidates/{world.maria.pk}/"'
    assert maria in client.get("/candidates/", {"q": "Souza"}).content.decode()
    assert maria not in client.get("/candidates/", {"q": query}).content.decode()
