"""A recruiter writes a template with a live preview, builds a sequence on it
for a segment, and reads the personalised mail it sent, in a real Chromium.

No mail server is configured, so what is sent is captured and shown under
"Sent mail"; the worker's two steps (writing the due step, delivering it)
run in the test process."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from rapport.accounts.models import User
from rapport.outreach.models import CapturedMail, Enrollment, Message, MessageStatus
from rapport.outreach.sequences import sequences_advance
from rapport.people.models import Candidate
from tests.conftest import PASSWORD
from tests.outreach.conftest import always_open, deliver
from tests.web.conftest import SHOTS

__all__ = ["always_open", "deliver"]  # the outreach fixtures, used here too

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SUBJECT = "{{ candidate.first_name }}, a {{ candidate.top_skill }} role in {{ candidate.city }}"
BODY = """Hi {{ candidate.first_name or "there" }},

Your work as {{ candidate.current_title }} at {{ candidate.current_company }} caught my eye:
we are building a **payments platform** and the team would love to meet you.

- Remote-friendly, two days a month in the office
- {{ candidate.skills|join(", ") }} every day

Best,
{{ sender.name }}
"""


def test_a_recruiter_writes_a_template_sequences_a_segment_and_reads_what_was_sent(
    browser_page: Any, live_server: Any, settings: Any, owner: User, candidate: Candidate,
    make_candidate: Callable[..., Candidate], deliver: Callable[..., Any], always_open: Any,
) -> None:  # fmt: skip
    settings.EMAIL_URL = ""  # no mail server: mail is captured and readable in the app
    settings.BASE_URL = live_server.url
    make_candidate(
        first_name="Kenji", last_name="Watanabe", current_title="Data Engineer",
        current_company="Kumo Labs", city="Osaka", country="JP", timezone="Asia/Tokyo",
        emails=["kenji@example.org"], skills=["Scala"],
    )  # fmt: skip
    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/candidates/")

    # The template, and its preview for a chosen candidate as it is typed.
    page.goto(f"{live_server.url}/outreach/templates/new/")
    page.get_by_label("Name").fill("Payments platform: first note")
    page.get_by_label("Preview for").select_option(label="Kenji Watanabe")
    page.get_by_label("Subject").fill(SUBJECT)
    page.get_by_label("Body").fill(BODY)
    preview = page.locator("#preview")
    expect(preview.locator(".mail-subject")).to_have_text("Kenji, a Scala role in Osaka")
    page.get_by_label("Preview for").select_option(label="Maria Souza")
    expect(preview.locator(".mail-subject")).to_have_text("Maria, a Django role in São Paulo")
    expect(preview).to_contain_text("Maria Souza")
    frame = preview.locator("iframe.mail-frame")
    srcdoc = frame.get_attribute("srcdoc") or ""
    assert "<strong>payments platform</strong>" in srcdoc
    assert "Senior Backend Engineer at Bluefin Analytics" in srcdoc
    assert "Best,<br>" in srcdoc  # the sign-off keeps its two lines
    assert "{{" not in srcdoc and "Kenji" not in srcdoc
    body = page.frame_locator("#preview iframe.mail-frame").locator("body")
    expect(body).to_contain_text("Hi Maria,")
    expect(body).to_contain_text("Django, PostgreSQL, Python every day")
    expect(body).to_contain_text("Rita Recruiter")
    page.screenshot(path=str(SHOTS / "template-editor.png"), full_page=True)
    page.get_by_role("button", name="Save template").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Template “Payments platform: first note” saved."
    )

    # A segment of who should hear about it.
    page.goto(f"{live_server.url}/segments/new/")
    page.get_by_label("Name").fill("Backend in São Paulo")
    page.get_by_role("textbox", name="Query").fill('skill:python city:"São Paulo"')
    page.get_by_role("button", name="Save segment").click()
    page.wait_for_url("**/segments/*/")

    # A sequence whose first step uses the template, and the segment enrolled.
    page.goto(f"{live_server.url}/outreach/sequences/new/")
    page.get_by_label("Name").fill("Payments platform")
    page.get_by_role("button", name="Create, then add steps").click()
    page.wait_for_url("**/outreach/sequences/*/")
    page.get_by_label("Template").select_option(label="Payments platform: first note")
    page.get_by_label("Wait (days)").fill("0")
    page.get_by_role("button", name="Add step").click()
    steps = page.locator("ol.steps")
    expect(steps).to_contain_text("Payments platform: first note")
    expect(steps).to_contain_text("As soon as they are enrolled")
    page.get_by_label("Everyone who matches").fill('segment:"Backend in São Paulo"')
    page.get_by_role("button", name="Enrol them").click()
    expect(page.get_by_role("status")).to_contain_text("Enrolled 1 in Payments platform.")
    expect(page.get_by_role("region", name="People")).to_contain_text("Maria Souza")
    page.screenshot(path=str(SHOTS / "sequence.png"), full_page=True)
    assert [e.candidate_id for e in Enrollment.objects.all()] == [candidate.pk]

    # The worker: the due step is written, then delivered (captured).
    assert sequences_advance() == 1
    assert deliver().sent == 1
    message = Message.objects.get()
    assert (message.status, message.candidate_id) == (MessageStatus.SENT, candidate.pk)
    assert CapturedMail.objects.count() == 1

    # The recruiter reads it under "Sent mail": HTML and text, personalised.
    page.goto(f"{live_server.url}/outreach/templates/")
    page.get_by_role("navigation", name="Outreach").get_by_role("link", name="Sent mail").click()
    page.wait_for_url("**/outreach/mailbox/")
    row = page.locator("table.list tbody tr").filter(has_text="Maria Souza")
    expect(row).to_contain_text("maria.souza@example.org")
    row.get_by_role("link", name="Maria, a Django role in São Paulo").click()
    page.wait_for_url("**/outreach/mailbox/*/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Maria, a Django role in São Paulo")
    html = page.frame_locator("iframe.mail-frame").locator("body")
    expect(html).to_contain_text("Hi Maria,")
    expect(html).to_contain_text("Senior Backend Engineer at Bluefin Analytics")
    expect(html.locator("strong")).to_have_text("payments platform")
    expect(html.locator("li").first).to_contain_text("Remote-friendly")
    text = page.locator("pre.mail-text").inner_text()
    assert text.startswith("Hi Maria,")
    assert "payments platform" in text and "<strong>" not in text
    assert "Django, PostgreSQL, Python every day" in text
    assert "Rita Recruiter" in text
    headers = page.locator("dl.mail-headers").inner_text()
    assert "maria.souza@example.org" in headers
    page.screenshot(path=str(SHOTS / "mailbox-detail.png"), full_page=True)
