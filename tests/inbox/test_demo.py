"""The demo inbox: real replies from demo candidates, classified as any mail is."""

from __future__ import annotations

import pytest

from rapport.core.models import Activity, ActivityKind
from rapport.inbox.demo import demo_inbox
from rapport.inbox.models import Conversation, InboundKind, InboundMessage
from rapport.people.demo import demo_load

pytestmark = pytest.mark.django_db


def test_the_demo_inbox_holds_replies_an_out_of_office_and_a_stranger_once() -> None:
    demo_load(candidates=40, seed=3)
    assert demo_inbox() == 9
    kinds = sorted(InboundMessage.objects.values_list("kind", flat=True))
    assert kinds.count(InboundKind.REPLY) == 7
    assert kinds.count(InboundKind.AUTO_REPLY) == 1
    assert kinds.count(InboundKind.UNMATCHED) == 1
    assert Conversation.objects.filter(candidate__isnull=False).count() == 7
    assert (
        Activity.objects.filter(
            kind=ActivityKind.EMAIL_REPLIED, target_type="inboundmessage"
        ).count()
        == 7
    )
    assert demo_inbox() == 0
