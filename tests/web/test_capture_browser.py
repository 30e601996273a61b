"""Capture in a real Chromium. The saved profile pages of tests/sourcing/
profiles are served on loopback by a small http.server, on another site
than Rapport (127.0.0.1 against localhost), as a profile site would be. The
bookmarklet is taken from Rapport's help page and run in a profile page as a
click on the bookmark runs it; the extension is loaded unpacked from the
repository and its button pressed through the DevTools protocol, which
grants `activeTab` as a click on the toolbar does. Either way the capture is
finished in Rapport's own window and checked in the database."""

from __future__ import annotations

import functools
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from django.db import connections
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from rapport.accounts.models import User
from rapport.people.models import Candidate, Note, PoolMembership
from rapport.people.services import pool_create
from tests.conftest import PASSWORD, chromium_path, need_peer
from tests.web.conftest import SHOTS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PROFILES = Path(__file__).resolve().parent.parent / "sourcing" / "profiles"
EXTENSION = Path(__file__).resolve().parent.parent.parent / "extension"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def profile_site() -> Iterator[str]:
    """The saved profile pages, served on loopback."""
    handler = functools.partial(_Quiet, directory=str(PROFILES))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def sign_in(page: Any, base: str, user: User) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/candidates/")


def test_the_bookmarklet_captures_a_new_person_from_a_github_profile(
    browser_page: Any, live_server: Any, settings: Any, profile_site: str, owner: User
) -> None:
    settings.BASE_URL = live_server.url
    pool = pool_create(actor=owner, name="Compilers")
    page = browser_page
    sign_in(page, live_server.url, owner)

    # The help page offers the bookmarklet, made for this installation.
    page.goto(f"{live_server.url}/capture/help/")
    bookmarklet = page.locator("#bookmarklet")
    href = bookmarklet.get_attribute("href") or ""
    assert href.startswith("javascript:") and live_server.url in unquote(href)
    bookmarklet.click()  # clicking it here only says to drag it
    expect(page.locator("#bookmarklet-hint")).to_be_visible()
    assert page.url.endswith("/capture/help/")
    page.screenshot(path=str(SHOTS / "capture-help.png"), full_page=True)

    # On the profile page, the bookmark runs: Rapport's window opens and
    # receives the page.
    page.goto(f"{profile_site}/github.html")
    expect(page.locator(".vcard-fullname")).to_contain_text("Ada Lindqvist")
    with page.expect_popup() as opened:
        page.evaluate(unquote(href.removeprefix("javascript:")))
    popup = opened.value
    popup.wait_for_url("**/capture/review/")
    expect(popup.locator("#capture-match")).to_contain_text("New to Rapport.")
    expect(popup.get_by_label("First name")).to_have_value("Ada")
    expect(popup.get_by_label("Last name")).to_have_value("Lindqvist")
    expect(popup.get_by_label("GitHub")).to_have_value("https://github.com/octo-ada")
    expect(popup.get_by_label("Skills")).to_have_value("Rust, TypeScript, Haskell")
    expect(popup.get_by_label("Emails")).to_have_value("ada@lindqvist.example")
    assert popup.evaluate("window.opener") is None  # the review page is cut off from the site

    popup.get_by_label("Tags").fill("open-source, compilers")
    popup.get_by_label("Add to pool").select_option(label="Compilers")
    popup.get_by_label("Note").fill("Wrote **tinywasm**; found through the WebAssembly meetup.")
    popup.screenshot(path=str(SHOTS / "capture-review-new.png"), full_page=True)
    popup.get_by_role("button", name="Add to Rapport").click()
    expect(popup.get_by_role("status")).to_contain_text("Ada Lindqvist is now in Rapport.")
    popup.screenshot(path=str(SHOTS / "capture-saved.png"), full_page=True)

    ada = Candidate.objects.get(github_url="https://github.com/octo-ada")
    assert (ada.full_name, ada.source, ada.owner) == ("Ada Lindqvist", "capture", owner)
    assert (ada.city, ada.country, ada.current_company) == ("Stockholm", "SE", "northwind-labs")
    assert ada.linkedin_url == "https://www.linkedin.com/in/ada-lindqvist"
    assert set(ada.tag_links.values_list("tag__name", flat=True)) == {"open-source", "compilers"}
    assert PoolMembership.objects.filter(pool=pool, candidate=ada).exists()
    assert "<strong>tinywasm</strong>" in Note.objects.get(candidate=ada).body_html
    assert list(ada.contacts.values_list("value", flat=True)) == ["ada@lindqvist.example"]


def test_a_hostile_page_reaches_the_capture_window_only_as_text(
    browser_page: Any, live_server: Any, settings: Any, profile_site: str, owner: User
) -> None:
    settings.BASE_URL = live_server.url
    page = browser_page
    sign_in(page, live_server.url, owner)
    page.goto(f"{live_server.url}/capture/help/")
    href = page.locator("#bookmarklet").get_attribute("href") or ""

    page.goto(f"{profile_site}/hostile.html")
    assert page.evaluate("window.pwned") is not None  # the site's own scripts ran, there
    with page.expect_popup() as opened:
        page.evaluate(unquote(href.removeprefix("javascript:")))
    popup = opened.value
    popup.wait_for_url("**/capture/review/")

    expect(popup.get_by_label("Last name")).to_have_value(
        "<img src=x onerror=\"window.pwned='name'\">evil"
    )
    assert popup.evaluate("window.pwned") is None  # nothing of the page ran in Rapport
    assert popup.locator("img").count() == 0
    popup.screenshot(path=str(SHOTS / "capture-review-hostile.png"), full_page=True)


def test_the_window_takes_a_page_only_from_the_site_it_was_opened_for(
    browser_page: Any, live_server: Any, settings: Any, profile_site: str, owner: User
) -> None:
    """A site that opens the capture window for another site's address
    cannot feed it: the window expects that other site's origin."""
    settings.BASE_URL = live_server.url
    page = browser_page
    sign_in(page, live_server.url, owner)
    page.goto(f"{profile_site}/hcard.html")
    claimed = "https://github.com/octo-ada"
    opening = """([rapport, claimed]) => {
        window.captureWindow = window.open(
            rapport + "/capture/?url=" + encodeURIComponent(claimed), "_blank", "popup");
        window.readySeen = false;
        window.addEventListener("message", () => { window.readySeen = true; });
    }"""
    forging = """([rapport, claimed]) => window.captureWindow.postMessage({
        type: "rapport:capture-page", url: claimed,
        html: "<h1 class='h-card'><span class='p-name'>Forged</span></h1>"}, rapport)"""

    with page.expect_popup() as opened:
        page.evaluate(opening, [live_server.url, claimed])
    popup = opened.value
    popup.wait_for_load_state()
    page.evaluate(forging, [live_server.url, claimed])
    # "ready" is addressed to github.com's origin, so this site never hears it.
    assert page.evaluate("window.readySeen") is False
    expect(popup.get_by_role("button", name="Continue with the address only")).to_be_visible(
        timeout=15_000
    )
    assert popup.url.startswith(f"{live_server.url}/capture/?url=")  # nothing was posted
    popup.get_by_role("button", name="Continue with the address only").click()
    popup.wait_for_url("**/capture/review/")
    expect(popup.get_by_label("GitHub")).to_have_value("https://github.com/octo-ada")
    expect(popup.get_by_label("First name")).to_have_value("octo-ada")  # not "Forged"


@pytest.fixture
def extension_browser() -> Iterator[Any]:
    """Chromium with the repository's extension loaded unpacked, in a
    profile of its own, as a user who installed it would have it."""
    path = chromium_path()
    need_peer(path is not None, "Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # As in browser_page: Playwright's sync API runs an event loop in this
    # thread, and the test's own ORM calls are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    SHOTS.mkdir(exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="rapport-chromium-") as profile,
        sync_playwright() as pw,
    ):
        context = pw.chromium.launch_persistent_context(
            profile,
            executable_path=path,
            headless=True,
            viewport={"width": 1280, "height": 860},
            args=[
                "--no-sandbox",
                "--disable-gpu",
                f"--disable-extensions-except={EXTENSION}",
                f"--load-extension={EXTENSION}",
                "--enable-unsafe-extension-debugging",  # Extensions.triggerAction
            ],
        )
        context.set_default_timeout(10_000)
        yield context
        context.close()
        connections.close_all()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def press_the_button(context: Any, extension_id: str, url: str) -> None:
    """Click the extension's toolbar button on the tab showing `url`."""
    cdp = context.browser.new_browser_cdp_session()
    targets = cdp.send("Target.getTargets", {"filter": [{"type": "tab"}]})["targetInfos"]
    tab = next(t for t in targets if t["url"] == url)
    try:
        cdp.send("Extensions.triggerAction", {"id": extension_id, "targetId": tab["targetId"]})
    except PlaywrightError as exc:
        unknown = "wasn't found" in str(exc) or "not found" in str(exc).lower()
        need_peer(
            not unknown,
            "this Chromium cannot press an extension's button through the DevTools "
            f"protocol (Extensions.triggerAction, Chromium 133 or later): {exc}",
        )
        raise


def extension_id_of(context: Any) -> str:
    try:
        worker = context.service_workers[0] if context.service_workers else None
        worker = worker or context.wait_for_event("serviceworker")
    except PlaywrightTimeout:
        need_peer(False, "this Chromium did not start the extension in headless mode")
    return str(worker.url.split("/")[2])


def test_the_extension_updates_someone_already_in_rapport_from_a_linkedin_profile(
    extension_browser: Any,
    live_server: Any,
    settings: Any,
    profile_site: str,
    owner: User,
    make_candidate: Callable[..., Candidate],
) -> None:
    settings.BASE_URL = live_server.url
    joana = make_candidate(first_name="Joana", last_name="Carvalho", city="Porto",
                           linkedin_url="https://www.linkedin.com/in/joana-carvalho-5a1b2c")  # fmt: skip
    context = extension_browser
    extension_id = extension_id_of(context)
    page = context.new_page()
    sign_in(page, live_server.url, owner)

    # The button before any address is set opens the options page.
    page.goto(f"{profile_site}/linkedin.html")
    with context.expect_page() as opened:
        press_the_button(context, extension_id, page.url)
    options = opened.value
    options.wait_for_load_state()
    assert options.url == f"chrome-extension://{extension_id}/options.html"
    options.get_by_label("Your Rapport's address").fill("not an address")
    options.get_by_role("button", name="Save").click()
    expect(options.get_by_role("status")).to_contain_text("That is not an address")
    options.get_by_label("Your Rapport's address").fill(live_server.url + "/candidates/")
    options.get_by_role("button", name="Save").click()
    expect(options.get_by_role("status")).to_contain_text("Saved.")
    expect(options.get_by_label("Your Rapport's address")).to_have_value(live_server.url)
    options.screenshot(path=str(SHOTS / "capture-extension-options.png"))
    options.close()

    # Now the button sends the page to Rapport's window.
    page.bring_to_front()
    with context.expect_page() as opened:
        press_the_button(context, extension_id, page.url)
    popup = opened.value
    popup.wait_for_url("**/capture/review/")
    match = popup.locator("#capture-match")
    expect(match).to_contain_text("Already in Rapport: Joana Carvalho")
    expect(match).to_contain_text("same LinkedIn profile")
    city = popup.locator(".capture-kept-field", has_text="City")
    expect(city.locator(".capture-kept-value")).to_have_text("Porto")
    expect(city).to_contain_text("The page says: Lisbon")
    expect(popup.get_by_label("Headline")).to_have_value(
        "Staff Platform Engineer at Lumen Freight · Kubernetes, Go, SRE"
    )
    popup.get_by_label("Tags").fill("platform")
    popup.get_by_label("Note").fill("Spoke at the Lisbon SRE meetup.")
    popup.screenshot(path=str(SHOTS / "capture-review-existing.png"), full_page=True)
    popup.get_by_role("button", name="Update Joana Carvalho").click()
    expect(popup.get_by_role("status")).to_contain_text("Joana Carvalho is updated: filled in")

    joana.refresh_from_db()
    assert joana.city == "Porto"  # kept: capture never replaces
    assert joana.headline == "Staff Platform Engineer at Lumen Freight · Kubernetes, Go, SRE"
    assert (joana.current_title, joana.current_company, joana.country) == (
        "Staff Platform Engineer",
        "Lumen Freight",
        "PT",
    )
    assert list(joana.tag_links.values_list("tag__name", flat=True)) == ["platform"]
    assert Note.objects.get(candidate=joana).body == "Spoke at the Lisbon SRE meetup."
    assert Candidate.objects.count() == 1
