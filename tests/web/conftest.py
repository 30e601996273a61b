"""The browser every page test drives: Debian's Chromium through Playwright."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

from tests.conftest import chromium_path, need_peer

SHOTS = Path(__file__).resolve().parent.parent / "screenshots"


@pytest.fixture
def browser_page() -> Iterator[Any]:
    path = chromium_path()
    need_peer(path is not None, "Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own
    # ORM calls are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1360, "height": 900})
        page.set_default_timeout(10_000)
        yield page
        browser.close()
        # Under Playwright's sync API the test's ORM calls ran on a connection
        # of their own context; close it, or PostgreSQL refuses to drop the
        # test database at the end of the session.
        connections.close_all()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
