"""Texts: the Twilio-compatible backend against a real HTTP server on
loopback, the webhook signature, delivery through the outbox, STOP and
START, unknown numbers, and who may do what."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import socket
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rapport.accounts.models import User
from rapport.core.errors import PermissionDenied
from rapport.core.models import Activity, ActivityKind, Notification
from rapport.inbox import sms
from rapport.inbox.models import SmsDirection, SmsMessage, SmsOptOut, SmsStatus, number_digest
from rapport.inbox.sms_services import (
    RETRY_DELAYS,
    sms_deliver_now,
    sms_receive,
    sms_send,
    sms_status_update,
    sms_sweep_interrupted,
)
from rapport.inbox.tasks import sms_deliver
from rapport.outreach.services import leave
from rapport.people.models import Candidate
from tests.conftest import login
from tests.inbox.sms_peer import SID, TOKEN, Answer, Provider, sms_provider

__all__ = ["sms_provider"]

pytestmark = pytest.mark.django_db

MARIA = "+5511912345678"  # the candidate fixture's phone, in E.164
TASK = "rapport.inbox.tasks.sms_deliver"


def send(actor: User, candidate: Candidate, body: str, capture: Any) -> SmsMessage:
    with capture(execute=False):
        return sms_send(actor=actor, candidate=candidate, body=body)


def twilio_signature(url: str, params: dict[str, str], token: str) -> str:
    """Written out from the scheme's definition, independently of the app."""
    data = url
    for name in sorted(params):
        data += name + params[name]
    return base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode()


# --- the backend, over real HTTP


def test_the_twilio_backend_posts_the_text_with_basic_auth_and_returns_its_sid(
    sms_provider: Provider, settings: Any
) -> None:
    settings.BASE_URL = "https://rapport.example.com"
    backend = sms.backend()
    assert isinstance(backend, sms.TwilioBackend)
    sid = backend.send(to=MARIA, body="Olá Maria — free for a call?", sender="+15005550006")
    assert sid == "SM" + "1".rjust(32, "0")
    assert sms_provider.accepted == [
        {
            "To": MARIA,
            "From": "+15005550006",
            "Body": "Olá Maria — free for a call?",
            "StatusCallback": "https://rapport.example.com/sms/status/",
        }
    ]


def test_credentials_missing_from_the_url_fail_the_text_with_the_reason(
    owner: User, candidate: Candidate, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SMS_URL = "https://api.twilio.com"
    text = send(owner, candidate, "Hi", django_capture_on_commit_callbacks)
    assert sms_deliver_now(text.pk) == SmsStatus.FAILED
    text.refresh_from_db()
    assert "RAPPORT_SMS_URL must hold the account and its token" in text.detail


def test_a_4xx_answer_is_permanent_and_carries_the_providers_message(
    sms_provider: Provider,
) -> None:
    sms_provider.answers.append(
        Answer(
            400, {"code": 21211, "message": "The 'To' number +1555 is not a valid phone number."}
        )
    )
    with pytest.raises(sms.PermanentSmsError, match=r"error 21211.*not a valid phone number"):
        sms.backend().send(to="+1555", body="Hi", sender="+15005550006")


def test_wrong_credentials_are_a_permanent_failure(sms_provider: Provider, settings: Any) -> None:
    settings.SMS_URL = f"http://{SID}:wrong@{sms_provider.host}:{sms_provider.port}"
    with pytest.raises(sms.PermanentSmsError, match="Authenticate"):
        sms.backend().send(to=MARIA, body="Hi", sender="+15005550006")
    assert sms_provider.received == []


def test_a_5xx_answer_and_too_many_requests_are_temporary(sms_provider: Provider) -> None:
    sms_provider.answers += [Answer(503, "<html>Service Unavailable</html>"), Answer(429, {"code": 20429, "message": "Too Many Requests"})]  # fmt: skip
    with pytest.raises(sms.TemporarySmsError, match="HTTP 503"):
        sms.backend().send(to=MARIA, body="Hi", sender="+15005550006")
    with pytest.raises(sms.TemporarySmsError, match="Too Many Requests"):
        sms.backend().send(to=MARIA, body="Hi", sender="+15005550006")


def test_a_provider_that_cannot_be_reached_is_a_temporary_failure() -> None:
    with socket.socket() as probe:  # a port nobody listens on any more
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    backend = sms.TwilioBackend(
        base=f"http://127.0.0.1:{port}", account_sid=SID, auth_token=TOKEN, timeout=2
    )
    with pytest.raises(sms.TemporarySmsError, match="Could not reach the SMS provider"):
        backend.send(to=MARIA, body="Hi", sender="+15005550006")


def test_the_captured_backend_is_the_default_and_sends_nothing(settings: Any) -> None:
    settings.SMS_URL = ""
    backend = sms.backend()
    assert backend.captured
    assert backend.send(to=MARIA, body="Hi", sender="").startswith(sms.CAPTURED_PREFIX)


def test_the_length_counts_segments_as_carriers_do() -> None:
    assert sms.length("a" * 160).segments == 1
    assert sms.length("a" * 161).segments == 2  # 153 per part once split
    assert sms.length("a" * 306).segments == 2
    assert sms.length("€" * 80).units == 160  # the extension table costs two septets
    emoji = sms.length("Hi 👋")
    assert (emoji.unicode, emoji.units, emoji.segments) == (True, 5, 1)
    assert sms.length("é" * 71).segments == 1  # é is in the GSM alphabet
    assert sms.length("ê" * 71).segments == 2  # ê is not: 70 per text, then 67


# --- the webhook signature


def test_the_signature_matches_the_schemes_definition_for_a_known_request() -> None:
    params = {
        "MessageSid": "SM11",
        "From": "+5511912345678",
        "To": "+15005550006",
        "Body": "Sim, pode ligar às 15h",
    }
    url = "https://rapport.example.com/sms/inbound/"
    expected = twilio_signature(url, params, "12345")
    # The same digest, spelled out: the URL, then Body, From, MessageSid, To.
    spelled = base64.b64encode(
        hmac.new(
            b"12345",
            (
                "https://rapport.example.com/sms/inbound/"
                "BodySim, pode ligar às 15hFrom+5511912345678MessageSidSM11To+15005550006"
            ).encode(),
            hashlib.sha1,
        ).digest()
    ).decode()
    assert expected == spelled
    assert sms.signature(url=url, params=params.items(), token="12345") == expected
    assert sms.signature_valid(url=url, params=params.items(), token="12345", given=expected)
    assert not sms.signature_valid(
        url=url, params=params.items(), token="12345", given=expected[:-2] + "A="
    )
    assert not sms.signature_valid(
        url=url + "?x=1", params=params.items(), token="12345", given=expected
    )


def test_the_inbound_webhook_needs_the_signature_for_the_configured_base_url(
    client: Client, settings: Any, candidate: Candidate
) -> None:
    settings.SMS_URL = f"https://{SID}:{TOKEN}@api.twilio.com"
    settings.SMS_FROM = "+15005550006"
    settings.BASE_URL = "https://rapport.example.com"
    params = {"MessageSid": "SM1", "From": MARIA, "To": "+15005550006", "Body": "Hi!"}

    forged = client.post("/sms/inbound/", params, HTTP_X_TWILIO_SIGNATURE="bm90IGl0")
    assert forged.status_code == 403
    unsigned = client.post("/sms/inbound/", params)
    assert unsigned.status_code == 403
    # Signed for the host the request reached rather than the configured one:
    # refused, since a proxy in front must not change what is verified.
    wrong_host = twilio_signature("http://testserver/sms/inbound/", params, TOKEN)
    assert (
        client.post("/sms/inbound/", params, HTTP_X_TWILIO_SIGNATURE=wrong_host).status_code == 403
    )
    assert not SmsMessage.objects.exists()

    good = twilio_signature("https://rapport.example.com/sms/inbound/", params, TOKEN)
    response = client.post("/sms/inbound/", params, HTTP_X_TWILIO_SIGNATURE=good)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml"
    assert response.content == b'<?xml version="1.0" encoding="UTF-8"?><Response/>'
    text = SmsMessage.objects.get()
    assert (text.candidate, text.body, text.direction) == (candidate, "Hi!", SmsDirection.IN)


def test_the_webhooks_take_only_posts(client: Client) -> None:
    assert client.get("/sms/inbound/").status_code == 405
    assert client.get("/sms/status/").status_code == 405


# --- sending through the outbox


def test_a_text_is_queued_then_delivered_by_the_task_and_lands_on_the_timeline(
    owner: User, candidate: Candidate, sms_provider: Provider,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        text = sms_send(actor=owner, candidate=candidate, body="  Hi Maria, free on Thursday?  ")
    assert (text.status, text.number, text.body) == (
        SmsStatus.QUEUED,
        MARIA,
        "Hi Maria, free on Thursday?",
    )
    task = DBTaskResult.objects.get(task_path=TASK)
    assert task.args_kwargs["kwargs"] == {"sms_id": text.pk}
    assert not Activity.objects.filter(kind=ActivityKind.SMS_SENT).exists()  # not sent yet

    assert sms_deliver.call(sms_id=text.pk) == SmsStatus.SENT
    text.refresh_from_db()
    assert text.status == SmsStatus.SENT and text.provider_id.startswith("SM") and text.sent_at
    assert not text.captured
    assert [(t["To"], t["From"], t["Body"]) for t in sms_provider.accepted] == [
        (MARIA, "+15005550006", text.body)
    ]
    event = Activity.objects.get(kind=ActivityKind.SMS_SENT)
    assert (event.candidate_id, event.actor, event.summary) == (candidate.pk, owner, text.body)
    assert event.data == {"direction": "out", "number": MARIA, "captured": False}
    candidate.refresh_from_db()
    assert candidate.last_contacted_at == text.sent_at


def test_the_delivery_task_run_twice_sends_once(
    owner: User,
    candidate: Candidate,
    sms_provider: Provider,
    django_capture_on_commit_callbacks: Any,
) -> None:
    text = send(owner, candidate, "Once only", django_capture_on_commit_callbacks)
    assert sms_deliver.call(sms_id=text.pk) == SmsStatus.SENT
    assert sms_deliver.call(sms_id=text.pk) == ""
    assert len(sms_provider.received) == 1
    assert Activity.objects.filter(kind=ActivityKind.SMS_SENT).count() == 1
    text.refresh_from_db()
    assert text.attempts == 1


def test_a_temporary_failure_is_retried_later_then_sent(
    owner: User,
    candidate: Candidate,
    sms_provider: Provider,
    django_capture_on_commit_callbacks: Any,
) -> None:
    text = send(owner, candidate, "Retry me", django_capture_on_commit_callbacks)
    sms_provider.answers.append(Answer(503, {"code": 20500, "message": "Internal error"}))
    with django_capture_on_commit_callbacks(execute=True):
        assert sms_deliver.call(sms_id=text.pk) == SmsStatus.QUEUED
    text.refresh_from_db()
    assert (text.status, text.attempts) == (SmsStatus.QUEUED, 1)
    assert "Trying again" in text.detail and "Internal error" in text.detail
    retry = DBTaskResult.objects.filter(task_path=TASK).get()
    assert retry.run_after is not None
    assert abs((retry.run_after - retry.enqueued_at).total_seconds() - RETRY_DELAYS[0]) < 5

    assert sms_deliver.call(sms_id=text.pk) == SmsStatus.SENT
    text.refresh_from_db()
    assert (text.status, text.attempts, text.detail) == (SmsStatus.SENT, 2, "")
    assert len(sms_provider.accepted) == 1


def test_a_provider_down_for_good_fails_the_text_after_a_few_tries(
    owner: User,
    candidate: Candidate,
    sms_provider: Provider,
    django_capture_on_commit_callbacks: Any,
) -> None:
    text = send(owner, candidate, "Doomed", django_capture_on_commit_callbacks)
    sms_provider.answers += [Answer(500, "oops")] * (len(RETRY_DELAYS) + 1)
    for _ in range(len(RETRY_DELAYS)):
        assert sms_deliver_now(text.pk) == SmsStatus.QUEUED
    assert sms_deliver_now(text.pk) == SmsStatus.FAILED
    text.refresh_from_db()
    assert (text.status, text.reason, text.attempts) == ("failed", "unreachable", 4)
    assert not Activity.objects.filter(kind=ActivityKind.SMS_SENT).exists()


def test_a_refused_text_fails_at_once_with_the_providers_words(
    owner: User,
    candidate: Candidate,
    sms_provider: Provider,
    django_capture_on_commit_callbacks: Any,
) -> None:
    text = send(owner, candidate, "Refused", django_capture_on_commit_callbacks)
    sms_provider.answers.append(Answer(400, {"code": 21610, "message": "Attempt to send to unsubscribed recipient"}))  # fmt: skip
    assert sms_deliver_now(text.pk) == SmsStatus.FAILED
    text.refresh_from_db()
    assert text.reason == "rejected" and "unsubscribed recipient" in text.detail
    assert len(sms_provider.received) == 1


def test_without_a_provider_the_text_is_captured_and_readable_in_the_app(
    owner: User, candidate: Candidate, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SMS_URL = ""
    text = send(owner, candidate, "Kept here", django_capture_on_commit_callbacks)
    assert sms_deliver_now(text.pk) == SmsStatus.SENT
    text.refresh_from_db()
    assert text.captured and text.body == "Kept here"
    assert Activity.objects.get(kind=ActivityKind.SMS_SENT).data["captured"] is True


def test_sending_refuses_clearly_what_cannot_go(
    owner: User, candidate: Candidate, make_candidate: Callable[..., Candidate],
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    def refused(who: Candidate, body: str) -> dict[str, list[str]]:
        with pytest.raises(ValidationError) as caught:
            send(owner, who, body, django_capture_on_commit_callbacks)
        return caught.value.message_dict

    assert refused(candidate, "   ") == {"body": ["Write the text first."]}
    assert (
        "at most 1,600 characters; this one has 1,601" in refused(candidate, "x" * 1601)["body"][0]
    )
    nobody = make_candidate(first_name="Noor", phones=[])
    assert "Noor Example has no phone number" in refused(nobody, "Hi")["to"][0]
    SmsOptOut.objects.create(digest=number_digest(MARIA), keyword="STOP")
    assert "texted STOP" in refused(candidate, "Hi")["to"][0]
    SmsOptOut.objects.all().delete()
    leave(candidate=candidate)
    assert "asked to hear nothing more" in refused(candidate, "Hi")["to"][0]
    assert not SmsMessage.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_the_text_goes_to_the_primary_phone(
    owner: User, make_candidate: Callable[..., Candidate], django_capture_on_commit_callbacks: Any
) -> None:
    kim = make_candidate(first_name="Kim", phones=["+44 20 7946 0958", "+44 20 7946 0123"])
    text = send(owner, kim, "Hi Kim", django_capture_on_commit_callbacks)
    assert text.number == "+442079460958"


# --- STOP, START and replies


def test_stop_opts_the_number_out_and_holds_its_queued_texts(
    owner: User,
    candidate: Candidate,
    sms_provider: Provider,
    django_capture_on_commit_callbacks: Any,
) -> None:
    queued = send(owner, candidate, "Queued before the STOP", django_capture_on_commit_callbacks)
    sms_receive(
        sender="+55 11 91234-5678", recipient="+15005550006", body="  stop ", provider_id="SMa"
    )

    opt_out = SmsOptOut.objects.get()
    assert (opt_out.digest, opt_out.keyword) == (number_digest(MARIA), "STOP")
    assert MARIA.lstrip("+") not in str(list(SmsOptOut.objects.values())), "no number kept"
    queued.refresh_from_db()
    assert (queued.status, queued.reason) == (SmsStatus.HELD, "opted_out")
    assert sms_deliver_now(queued.pk) == ""  # held: the task leaves it alone
    assert sms_provider.received == []
    event = Activity.objects.get(kind=ActivityKind.SMS_OPTED_OUT)
    assert event.candidate == candidate and "Texted STOP" in event.summary
    assert not Activity.objects.filter(kind=ActivityKind.SMS_RECEIVED).exists()
    assert not Notification.objects.exists()


def test_an_opt_out_that_arrives_after_queueing_holds_the_text_at_send_time(
    owner: User,
    candidate: Candidate,
    sms_provider: Provider,
    django_capture_on_commit_callbacks: Any,
) -> None:
    text = send(owner, candidate, "Racing the STOP", django_capture_on_commit_callbacks)
    SmsOptOut.objects.create(
        digest=number_digest(MARIA), keyword="QUIT"
    )  # written as the worker picks it up
    assert sms_deliver_now(text.pk) == SmsStatus.HELD
    text.refresh_from_db()
    assert (text.status, text.reason) == (SmsStatus.HELD, "opted_out")
    assert sms_provider.received == []


@pytest.mark.parametrize("word", ["STOP", "stopall", "Unsubscribe", "CANCEL", "end", "QUIT"])
def test_every_stop_word_opts_out(candidate: Candidate, word: str) -> None:
    sms_receive(sender=MARIA, recipient="+15005550006", body=word, provider_id=f"SM-{word}")
    assert SmsOptOut.objects.filter(digest=number_digest(MARIA), keyword=word.upper()).exists()


def test_stop_inside_a_sentence_is_an_ordinary_reply(candidate: Candidate, owner: User) -> None:
    sms_receive(sender=MARIA, recipient="+15005550006", body="Please don't stop", provider_id="SM1")
    assert not SmsOptOut.objects.exists()
    assert Activity.objects.filter(kind=ActivityKind.SMS_RECEIVED, candidate=candidate).exists()


def test_start_opts_back_in_and_texts_can_go_again(
    owner: User, candidate: Candidate, django_capture_on_commit_callbacks: Any
) -> None:
    sms_receive(sender=MARIA, recipient="+15005550006", body="STOP", provider_id="SM1")
    sms_receive(sender=MARIA, recipient="+15005550006", body="unstop", provider_id="SM2")
    assert not SmsOptOut.objects.exists()
    event = Activity.objects.filter(kind=ActivityKind.SMS_RECEIVED).get()
    assert "may start again" in event.summary
    assert (
        send(owner, candidate, "Welcome back", django_capture_on_commit_callbacks).status
        == "queued"
    )


def test_yes_is_an_ordinary_reply_unless_the_number_opted_out(candidate: Candidate) -> None:
    sms_receive(sender=MARIA, recipient="+15005550006", body="Yes", provider_id="SM1")
    assert Activity.objects.get(kind=ActivityKind.SMS_RECEIVED).summary == "Yes"
    assert Notification.objects.count() == 1


def test_a_reply_lands_on_the_timeline_and_under_the_owners_bell(
    candidate: Candidate, owner: User
) -> None:
    text = sms_receive(
        sender="+55 (11) 91234-5678", recipient="+15005550006",
        body="Sim! Thursday at 3pm works. Talk then.", provider_id="SMreply",
    )  # fmt: skip
    assert (text.candidate, text.number, text.status) == (candidate, MARIA, SmsStatus.RECEIVED)
    event = Activity.objects.get(kind=ActivityKind.SMS_RECEIVED)
    assert (event.candidate, event.summary) == (candidate, "Sim! Thursday at 3pm works. Talk then.")
    assert event.data == {"direction": "in", "number": MARIA}
    note = Notification.objects.get()
    assert note.user == owner and note.candidate == candidate
    assert note.text == "Maria Souza texted: Sim! Thursday at 3pm works."
    assert note.url == f"/inbox/{text.conversation_id}/"  # the conversation in the team inbox


def test_a_text_from_an_unknown_number_is_kept_without_a_candidate(candidate: Candidate) -> None:
    text = sms_receive(
        sender="+14155550100", recipient="+15005550006", body="Who is this?", provider_id="SMx"
    )
    assert text.candidate is None and text.number == "+14155550100"
    assert not Activity.objects.filter(kind__startswith="sms.").exists()
    assert not Notification.objects.exists()


def test_a_repeated_webhook_is_recorded_once(candidate: Candidate) -> None:
    first = sms_receive(sender=MARIA, recipient="+15005550006", body="Hello", provider_id="SMdup")
    again = sms_receive(sender=MARIA, recipient="+15005550006", body="Hello", provider_id="SMdup")
    assert first.pk == again.pk
    assert SmsMessage.objects.count() == 1
    assert Activity.objects.filter(kind=ActivityKind.SMS_RECEIVED).count() == 1
    assert Notification.objects.count() == 1


def test_the_status_callback_marks_a_text_delivered_then_ignores_strangers(
    client: Client, owner: User, candidate: Candidate, sms_provider: Provider, settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    settings.BASE_URL = "https://rapport.example.com"
    text = send(owner, candidate, "Track me", django_capture_on_commit_callbacks)
    sms_deliver_now(text.pk)
    text.refresh_from_db()
    params = {"MessageSid": text.provider_id, "MessageStatus": "delivered", "AccountSid": SID}
    signed = twilio_signature("https://rapport.example.com/sms/status/", params, TOKEN)
    assert client.post("/sms/status/", params, HTTP_X_TWILIO_SIGNATURE="x").status_code == 403
    response = client.post("/sms/status/", params, HTTP_X_TWILIO_SIGNATURE=signed)
    assert response.status_code == 200 and response["Content-Type"] == "text/xml"
    text.refresh_from_db()
    assert text.status == SmsStatus.DELIVERED and text.delivered_at
    assert not sms_status_update(provider_id="SMunknown", status="delivered")
    assert sms_status_update(provider_id=text.provider_id, status="undelivered", error="30003")
    text.refresh_from_db()
    assert text.status == SmsStatus.FAILED and "30003" in text.detail


def test_without_a_provider_the_webhooks_take_nothing_from_anyone(
    client: Client, settings: Any, candidate: Candidate
) -> None:
    settings.SMS_URL = ""
    for body in ("STOP", "Hi"):
        response = client.post(
            "/sms/inbound/", {"From": MARIA, "To": "", "Body": body, "MessageSid": f"SM{body}"}
        )
        assert response.status_code == 404
    assert (
        client.post("/sms/status/", {"MessageSid": "SMx", "MessageStatus": "failed"}).status_code
        == 404
    )
    assert not SmsMessage.objects.exists() and not SmsOptOut.objects.exists()


def test_a_signed_post_without_a_sender_is_refused(client: Client, settings: Any) -> None:
    settings.SMS_URL = f"https://{SID}:{TOKEN}@api.twilio.com"
    settings.BASE_URL = "https://rapport.example.com"
    params = {"Body": "no sender"}
    signed = twilio_signature("https://rapport.example.com/sms/inbound/", params, TOKEN)
    assert client.post("/sms/inbound/", params, HTTP_X_TWILIO_SIGNATURE=signed).status_code == 400


# --- who may do what


def test_only_those_who_may_contact_candidates_send_texts(
    cast: dict[str, User], candidate: Candidate, django_capture_on_commit_callbacks: Any
) -> None:
    for name in ("owner", "teammate", "sourcer", "admin"):
        send(cast[name], candidate, f"From {name}", django_capture_on_commit_callbacks)
    for name in ("manager", "outsider"):
        with pytest.raises(PermissionDenied):
            send(cast[name], candidate, f"From {name}", django_capture_on_commit_callbacks)
    assert sorted(SmsMessage.objects.values_list("body", flat=True)) == [
        "From admin", "From owner", "From sourcer", "From teammate",
    ]  # fmt: skip


def test_the_texts_panel_and_sending_from_it_for_the_whole_cast(
    client: Client, cast: dict[str, User], candidate: Candidate,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    panel = f"/candidates/{candidate.pk}/texts/"
    allowed = {"owner", "teammate", "sourcer", "admin"}
    sms_receive(sender=MARIA, recipient="+15005550006", body="An earlier reply", provider_id="SM0")
    for name, user in cast.items():
        login(client, user)
        shown = client.get(panel, HTTP_HX_REQUEST="true")
        with django_capture_on_commit_callbacks(execute=False):
            sent = client.post(panel, {"body": f"Hello from {name}"}, HTTP_HX_REQUEST="true")
        texts = SmsMessage.objects.filter(body=f"Hello from {name}")
        if name in allowed:
            assert shown.status_code == 200, name
            assert "An earlier reply" in shown.content.decode()
            assert "on the number ending 5678" in shown.content.decode()
            assert sent.status_code == 200 and f"Hello from {name}" in sent.content.decode()
            assert texts.get().author == user
        else:  # the manager sees Maria, but may not contact her; the outsider sees nothing
            assert (shown.status_code, sent.status_code) == (404, 404), name
            assert not texts.exists()
    assert SmsMessage.objects.filter(direction=SmsDirection.OUT).count() == len(allowed)


def test_the_panel_says_why_no_text_can_go(
    client: Client, owner: User, candidate: Candidate, make_candidate: Callable[..., Candidate]
) -> None:
    login(client, owner)
    SmsOptOut.objects.create(digest=number_digest(MARIA), keyword="STOP")
    page = client.get(f"/candidates/{candidate.pk}/texts/").content.decode()
    assert "texted STOP" in page and "until the candidate texts START" in page
    assert 'name="body"' not in page
    nobody = make_candidate(first_name="Noor", phones=[])
    page = client.get(f"/candidates/{nobody.pk}/texts/").content.decode()
    assert "has no phone number: add one under Contact first." in page


def test_a_refused_send_shows_the_reason_on_the_form(
    client: Client, owner: User, candidate: Candidate
) -> None:
    login(client, owner)
    url = f"/candidates/{candidate.pk}/texts/"
    response = client.post(url, {"body": "   "}, HTTP_HX_REQUEST="true")
    assert "Write the text first." in response.content.decode()
    assert not SmsMessage.objects.exists()


def test_the_counter_counts_characters_and_texts(client: Client, owner: User) -> None:
    login(client, owner)
    assert (
        client.get("/texts/length/", {"body": "a" * 161})
        .content.decode()
        .strip()
        .startswith("161 characters · 2 texts")
    )
    assert (
        "special characters: 70 per text"
        in client.get("/texts/length/", {"body": "Hi 👋"}).content.decode()
    )
    assert "too long" in client.get("/texts/length/", {"body": "a" * 1601}).content.decode()


def test_a_text_left_sending_by_a_killed_worker_is_marked_interrupted_not_sent_twice(
    owner: User, candidate: Candidate, django_capture_on_commit_callbacks: Any
) -> None:
    text = send(owner, candidate, "Are you free on Friday?", django_capture_on_commit_callbacks)
    SmsMessage.objects.filter(pk=text.pk).update(
        status=SmsStatus.SENDING, claimed_at=timezone.now() - dt.timedelta(minutes=11)
    )  # claimed, then the worker was killed before the provider answered
    assert sms_deliver.call(sms_id=text.pk) == ""  # the task run again sends nothing
    assert sms_sweep_interrupted() == 1
    text.refresh_from_db()
    assert (text.status, text.reason) == (SmsStatus.FAILED, "interrupted")
    assert "may or may not have arrived" in text.detail
