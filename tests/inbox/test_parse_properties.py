"""Property tests: whatever bytes arrive, reading them never raises, and a
damaged message is still recorded once, with what could be read."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rapport.inbox import parse, quotes
from rapport.inbox.html import html_to_text, sanitise
from rapport.inbox.models import InboundMessage
from rapport.inbox.services import inbound_receive
from tests.inbox.test_receive import REPLY
from tests.inbox.world import World

SEED = (
    b"From: =?utf-8?q?Ana_Souza?= <ana@example.org>\r\nTo: riley@rapport.example\r\n"
    b"Subject: =?iso-8859-1?q?R=E9ponse?=\r\nMessage-ID: <a@b>\r\nIn-Reply-To: <x@rapport.example>\r\n"
    b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
    b"--b\r\nContent-Type: text/plain; charset=koi8-r\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    b"8NLJ18XU\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; x\r\n\r\n"
    b"Final-Recipient: rfc822; a@b\r\nAction: failed\r\nStatus: 5.1.1\r\n"
    b"--b\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <x@rapport.example>\r\n--b--\r\n"
)


@st.composite
def mutated(draw: st.DrawFn, seed: bytes = SEED) -> bytes:
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 12))):
        action = draw(st.sampled_from(["flip", "cut", "insert", "duplicate"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if action == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif action == "cut":
            del data[at : at + draw(st.integers(1, 40))]
        elif action == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=30))
        else:
            data[at:at] = bytes(data[at : at + draw(st.integers(1, 60))])
    return bytes(data)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=3000))
def test_random_bytes_never_make_the_parser_raise(raw: bytes) -> None:
    parsed = parse.parse(raw)
    assert isinstance(parsed.text, str) and isinstance(parsed.subject, str)
    quotes.strip(parsed.text)


@settings(max_examples=300, deadline=None)
@given(mutated())
def test_mutated_messages_never_make_the_parser_raise(raw: bytes) -> None:
    parsed = parse.parse(raw)
    for attachment in parsed.attachments:
        parse.part_bytes(raw, attachment.index)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=2000))
def test_any_html_becomes_text_and_safe_html(markup: str) -> None:
    html_to_text(markup)
    assert "<script" not in sanitise(markup).lower()


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip
@given(data=st.data())
def test_damaged_replies_are_recorded_once_without_raising(
    world: World, data: st.DataObject
) -> None:
    raw = data.draw(mutated(world.fill(REPLY)))
    first = inbound_receive(raw=raw, source="pipe")
    again = inbound_receive(raw=raw, source="pipe")
    assert again.message.pk == first.message.pk
    assert InboundMessage.objects.filter(pk=first.message.pk).count() == 1
