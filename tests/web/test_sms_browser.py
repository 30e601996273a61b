"""A recruiter texts a candidate from their page, reads the reply in the
thread, and logs the call that followed, in a real Chromium.

No SMS provider is configured, so the text is captured (kept in the app)
and the inbound webhook takes unsigned posts; the worker's delivery task
runs in the test process."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from rapport.accounts.models import User
from rapport.inbox.models import Interaction, SmsMessage, SmsStatus
from rapport.inbox.tasks import sms_deliver
from rapport.people.models import Candidate
from tests.conftest import PASSWORD
from tests.inbox.sms_peer import SID, TOKEN
from tests.inbox.test_sms import twilio_signature
from tests.web.conftest import SHOTS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TEXT = "Hi Maria, it's Rita from Rapport. Free for a quick call about the Lisbon platform role on Thursday?"


def test_a_recruiter_texts_a_candidate_reads_the_reply_and_logs_the_call(
    browser_page: Any, live_server: Any, settings: Any, owner: User, candidate: Candidate
) -> None:
    settings.SMS_URL = ""
    settings.BASE_URL = live_server.url
    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/candidates/")
    page.goto(f"{live_server.url}/candidates/{candidate.pk}/")

    # The Texts card: write, watch the counter, send.
    texts = page.locator("#texts")
    box = texts.get_by_label("Text Maria on the number ending 5678")
    # The card arrives by htmx; typing before htmx has wired its box up
    # would not ask for the count (no person types that fast).
    page.wait_for_function(
        "el => (el['htmx-internal-data'] || {}).initHash !== undefined", arg=box.element_handle()
    )
    box.fill(TEXT)
    expect(texts.locator("#sms-count")).to_have_text(f"{len(TEXT)} characters · 1 text")
    box.fill(TEXT + " 🙂")
    expect(texts.locator("#sms-count")).to_contain_text("2 texts (special characters: 67 per text)")
    box.fill(TEXT)
    texts.get_by_role("button", name="Send text").click()
    thread = texts.locator(".sms-thread")
    expect(thread.locator(".sms-out")).to_contain_text(TEXT)
    expect(thread.locator(".sms-out .status")).to_have_text("Queued")
    expect(box).to_have_value("")
    sent = SmsMessage.objects.get()
    assert (sent.author, sent.status, sent.number) == (owner, SmsStatus.QUEUED, "+5511912345678")

    # The worker delivers it; the thread, still waiting, notices by itself.
    assert sms_deliver.call(sms_id=sent.pk) == SmsStatus.SENT
    expect(thread.locator(".sms-out .status")).to_have_text("Captured", timeout=15_000)

    # Maria answers; her reply arrives through the provider's signed webhook
    # (with a provider configured from here on: without one, the webhook takes nothing).
    settings.SMS_URL = f"https://{SID}:{TOKEN}@api.twilio.com"
    form = {"From": "+5511912345678", "To": "+15005550006", "Body": "Sim! Thursday 3pm works.", "MessageSid": "SMb1"}  # fmt: skip
    answer = page.request.post(
        f"{live_server.url}/sms/inbound/", form=form,
        headers={"X-Twilio-Signature": twilio_signature(f"{live_server.url}/sms/inbound/", form, TOKEN)},
    )  # fmt: skip
    assert answer.status == 200 and answer.text().endswith("<Response/>")
    page.reload()
    expect(thread.locator(".sms-in")).to_contain_text("Sim! Thursday 3pm works.")
    assert thread.locator(".sms").all_inner_texts()[0].startswith(TEXT[:20])  # newest at the bottom

    # The call that followed, logged from the Calls & meetings card.
    calls = page.locator("#interactions")
    calls.get_by_text("+ Log a call or meeting").click()
    calls.get_by_label("Meeting", exact=True).check()
    expect(calls.get_by_label("Outcome")).to_have_value("held")  # only a meeting's outcomes
    calls.get_by_label("Call", exact=True).check()
    expect(calls.get_by_label("Outcome")).to_have_value("connected")
    calls.get_by_label("Minutes").fill("25")
    calls.get_by_label("Outcome").select_option(label="Connected")
    calls.get_by_label("Notes").fill(
        "Walked through the platform team. Second call with the CTO next week."
    )
    calls.screenshot(path=str(SHOTS / "interaction_form.png"))
    calls.get_by_role("button", name="Log it").click()
    expect(calls).to_contain_text("Logged; it is on the timeline.")

    timeline = page.locator("#timeline")
    logged = timeline.locator("ol.timeline > li", has_text="Second call with the CTO next week.")
    expect(logged.locator(".tl-head")).to_contain_text("Call · Rita Recruiter")
    expect(logged.locator(".tl-meta")).to_have_text("Connected · 25 min")
    expect(timeline).to_contain_text("Text received")
    expect(timeline).to_contain_text("Sim! Thursday 3pm works.")
    expect(timeline).to_contain_text("Text sent")
    expect(timeline).to_contain_text("To +55 11 91234-5678 · captured: kept here, never sent")
    call = Interaction.objects.get()
    assert (call.author, call.outcome, call.duration_minutes) == (owner, "connected", 25)

    page.screenshot(path=str(SHOTS / "sms_and_calls.png"), full_page=True)
    texts.screenshot(path=str(SHOTS / "sms_thread.png"))
