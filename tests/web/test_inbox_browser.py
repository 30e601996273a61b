"""A recruiter hears a candidate's reply: the inbox shows it unread, the
thread shows it under the message it answers, the answer goes out threaded,
and the candidate's timeline shows the reply, in a real Chromium."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from rapport.inbox.services import inbound_receive
from rapport.outreach.models import Message
from tests.conftest import PASSWORD
from tests.inbox.world import World, world
from tests.outreach.conftest import always_open, deliver, smtp_sink
from tests.web.conftest import SHOTS

__all__ = ["always_open", "deliver", "smtp_sink", "world"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

REPLY = """From: Ana Souza <{{ana.email}}>
To: Riley Park <{{sender}}>
Subject: Re: {{m1.subject}}
Message-ID: <ana-browser-1@mail.example.com.br>
In-Reply-To: {{m1.message_id}}
Date: Tue, 24 Nov 2026 10:00:00 -0300
Content-Type: text/plain; charset=utf-8

Oi Riley! Yes, I'd love to hear more about the platform team.
Could we talk on Thursday afternoon, São Paulo time?

Ana

On Mon, 23 Nov 2026 at 09:12, Riley Park <{{sender}}> wrote:
> Hi Ana, are you open to backend roles at lumen?
""".encode()


def test_a_recruiter_reads_a_reply_in_the_inbox_and_answers_it_in_the_thread(
    browser_page: Any, live_server: Any, settings: Any, world: World,
    deliver: Callable[..., Any],
) -> None:  # fmt: skip
    settings.BASE_URL = live_server.url
    inbound_receive(raw=world.fill(REPLY), source="pipe")
    inbound_receive(
        raw=world.fill(
            b"From: Pat Stranger <stranger@example.net>\nTo: {{sender}}\nSubject: Any design roles?\n"
            b"Message-ID: <pat-b@example.net>\n\nHello! A friend said you hire designers.\n"
        ),
        source="pipe",
    )
    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill(world.sender.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/candidates/")

    inbox_link = page.get_by_role("navigation", name="Main").get_by_role("link", name="Inbox")
    expect(inbox_link).to_contain_text("2")
    inbox_link.click()
    unread = page.locator(".conversation.unread")
    expect(unread).to_have_count(2)
    expect(page.locator(".conversations")).to_contain_text("Ana Souza")
    expect(page.locator(".conversations")).to_contain_text("unmatched")
    page.screenshot(path=str(SHOTS / "inbox.png"), full_page=True)

    page.get_by_role("link", name="Ana Souza").click()
    thread = page.locator(".thread")
    expect(thread.locator(".mail-in .mail-body")).to_contain_text("Thursday afternoon")
    expect(thread.locator(".mail-in .mail-body")).not_to_contain_text("are you open to")
    expect(thread.locator(".mail-out")).to_contain_text("Backend roles at Lumen")
    page.get_by_label("Body").fill("Thursday at 15:00 your time works. I'll send an invite.")
    page.screenshot(path=str(SHOTS / "conversation.png"), full_page=True)
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator(".messages")).to_contain_text("in the same thread")
    answer = Message.objects.filter(in_reply_to="<ana-browser-1@mail.example.com.br>").get()
    assert answer.subject == "Re: Backend roles at Lumen"
    deliver()
    page.reload()
    expect(thread.locator(".mail-out")).to_have_count(2)
    expect(page.locator(".page-head")).to_contain_text("Answered")

    page.goto(f"{live_server.url}/candidates/{world.candidates['ana'].pk}/")
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("Thursday afternoon")
    expect(timeline).to_contain_text("In reply to “Backend roles at Lumen”")
    timeline.get_by_role("link", name="Open the thread").first.click()
    page.wait_for_url("**/inbox/*/")
