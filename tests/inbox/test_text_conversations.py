"""Texts in the team inbox: a candidate's text opens a conversation, an
answer from the inbox goes out as a text, and a text from an unknown number
can be placed with a new candidate."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from rapport.accounts.models import User
from rapport.core.models import Activity, ActivityKind, Notification
from rapport.inbox.models import Channel, Conversation, SmsDirection, SmsMessage
from rapport.inbox.services import conversation_create_candidate, conversation_reply
from rapport.inbox.sms_services import sms_receive
from rapport.outreach import sequences, services
from rapport.outreach.models import Enrollment, EnrollmentStatus, Sequence, SequenceStep
from rapport.people.models import Candidate
from tests.conftest import login
from tests.inbox.sms_peer import SID, TOKEN
from tests.inbox.test_sms import twilio_signature

pytestmark = pytest.mark.django_db


def test_a_candidates_text_waits_in_the_inbox_and_the_answer_goes_back_as_a_text(
    candidate: Candidate, owner: User, client: Client
) -> None:
    text = sms_receive(sender="+5511912345678", recipient="+15550001111",
                       body="Can we talk tomorrow at 10?", provider_id="SM1")  # fmt: skip
    conversation = Conversation.objects.get()
    assert conversation.channel == Channel.SMS and conversation.candidate == candidate
    assert text.conversation == conversation and conversation.needs_reply
    notification = Notification.objects.get(user=owner)
    assert notification.url == reverse("conversation_detail", args=[conversation.pk])

    login(client, owner)
    assert "Can we talk tomorrow at 10?" in client.get(reverse("inbox")).content.decode()
    page = client.get(reverse("conversation_detail", args=[conversation.pk])).content.decode()
    assert "Can we talk tomorrow at 10?" in page and "A text, from the team" in page
    client.post(reverse("conversation_reply", args=[conversation.pk]), {"body": "Yes, 10 works."})
    answer = SmsMessage.objects.get(direction=SmsDirection.OUT)
    assert answer.body == "Yes, 10 works." and answer.conversation == conversation
    assert answer.number == "+5511912345678"
    conversation.refresh_from_db()
    assert not conversation.needs_reply


def test_a_text_from_an_unknown_number_can_become_a_new_candidate(
    owner: User, token_for: Callable[[User], str]
) -> None:
    sms_receive(sender="+447911123456", recipient="+15550001111",
                body="Hi, I saw your talk. Hiring?", provider_id="SM2")  # fmt: skip
    conversation = Conversation.objects.get()
    assert conversation.candidate is None and conversation.from_email == "+447911123456"
    candidate = conversation_create_candidate(actor=owner, conversation=conversation)
    assert candidate.contacts.get().value == "+447911123456"
    assert SmsMessage.objects.get().candidate == candidate
    assert Activity.objects.filter(kind=ActivityKind.SMS_RECEIVED, candidate=candidate).exists()
    reply = conversation_reply(actor=owner, conversation=conversation, body="Yes! Let's talk.")
    assert isinstance(reply, SmsMessage) and reply.number == "+447911123456"


def test_a_text_back_stops_the_candidates_sequences(candidate: Candidate, owner: User) -> None:
    template = services.template_create(actor=owner, name="Hello", subject="Hello", body="Hi")
    sequence = Sequence.objects.create(name="Warm", sender=owner, created_by=owner)
    SequenceStep.objects.create(sequence=sequence, position=1, template=template, wait_days=2)
    sequences.sequence_enroll(actor=owner, sequence=sequence, candidate_ids=[candidate.pk])
    sms_receive(sender="+5511912345678", recipient="", body="Call me!", provider_id="SM9")
    enrollment = Enrollment.objects.get()
    assert enrollment.status == EnrollmentStatus.STOPPED and enrollment.stop_reason == "replied"


def test_a_signed_text_with_a_nul_byte_is_kept_without_it(
    candidate: Candidate, client: Client, settings: Any
) -> None:
    settings.SMS_URL = f"https://{SID}:{TOKEN}@api.twilio.com"
    settings.BASE_URL = "https://rapport.example.com"
    params = {
        "From": "+5511912345678",
        "To": "+15550001111",
        "Body": "Oi\x00 Rita",
        "MessageSid": "SM\x001",
    }
    signed = twilio_signature("https://rapport.example.com/sms/inbound/", params, TOKEN)
    response = client.post("/sms/inbound/", params, HTTP_X_TWILIO_SIGNATURE=signed)
    assert response.status_code == 200
    text = SmsMessage.objects.get()
    assert (text.body, text.provider_id, text.candidate) == ("Oi Rita", "SM1", candidate)
