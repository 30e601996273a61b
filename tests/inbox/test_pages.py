"""The team inbox pages: who sees which conversation, and what each action
changes in the database."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rapport.accounts.models import User
from rapport.core.models import Notification
from rapport.inbox.models import Conversation, InboundMessage
from rapport.inbox.services import inbound_receive
from rapport.outreach.models import Message
from tests.conftest import login
from tests.inbox.test_receive import REPLY
from tests.inbox.world import World

pytestmark = pytest.mark.django_db

STRANGER = (
    b"From: Pat Stranger <stranger@example.net>\nTo: {{sender}}\nSubject: Any openings?\n"
    b"Message-ID: <pat-1@example.net>\n\nHi, do you have roles for a designer?\n"
)
SEES_REPLY = {"admin": True, "owner": True, "teammate": True, "sourcer": True, "manager": False, "outsider": False}  # fmt: skip


@pytest.fixture
def conversations(world: World) -> tuple[Conversation, Conversation]:
    reply = inbound_receive(raw=world.fill(REPLY), source="pipe").message
    stranger = inbound_receive(raw=world.fill(STRANGER), source="pipe").message
    assert reply.conversation is not None and stranger.conversation is not None
    return reply.conversation, stranger.conversation


@pytest.mark.parametrize("who", SEES_REPLY)
def test_the_inbox_shows_each_member_of_the_team_only_what_they_may_see(
    who: str,
    cast: dict[str, User],
    conversations: tuple[Conversation, Conversation],
    client: Client,
) -> None:
    reply, _ = conversations
    login(client, cast[who])
    listing = client.get(reverse("inbox"))
    detail = client.get(reverse("conversation_detail", args=[reply.pk]))
    if not SEES_REPLY[who]:
        assert listing.status_code == 404 and detail.status_code == 404
        return
    page = listing.content.decode()
    assert "Ana Souza" in page and "Re: Backend roles at Lumen" in page
    assert "stranger@example.net" in page  # unmatched mail: recruiters and admins place it
    text = detail.content.decode()
    assert "Thursday works for me." in text
    assert "Backend roles at Lumen" in text  # the message it answers, in the thread


def test_opening_a_conversation_marks_it_read(
    owner: User, conversations: tuple[Conversation, Conversation], client: Client
) -> None:
    reply, _ = conversations
    login(client, owner)
    assert "unread" in client.get(reverse("inbox")).content.decode()
    client.get(reverse("conversation_detail", args=[reply.pk]))
    reply.refresh_from_db()
    assert not reply.unread


def test_a_reply_from_the_inbox_goes_into_the_outbox_in_the_thread(
    owner: User, world: World, conversations: tuple[Conversation, Conversation], client: Client
) -> None:
    reply, _ = conversations
    login(client, owner)
    response = client.post(
        reverse("conversation_reply", args=[reply.pk]), {"body": "See you **Thursday**."}
    )
    assert response.status_code == 302
    answer = Message.objects.exclude(pk__in=[m.pk for m in world.messages.values()]).get()
    assert answer.in_reply_to == "<ana-reply-1@mail.example.com.br>"
    assert "<strong>Thursday</strong>" in answer.body_html
    reply.refresh_from_db()
    assert not reply.needs_reply
    assert InboundMessage.objects.get(conversation=reply).answered_by == owner


def test_assigning_notifies_the_teammate_and_the_mine_view_shows_it_to_them(
    owner: User, teammate: User, conversations: tuple[Conversation, Conversation], client: Client
) -> None:
    reply, _ = conversations
    login(client, owner)
    client.post(reverse("conversation_assign", args=[reply.pk]), {"assignee": teammate.pk})
    reply.refresh_from_db()
    assert reply.assignee == teammate
    assert Notification.objects.filter(user=teammate, kind="conversation.assigned").exists()
    login(client, teammate)
    mine = client.get(reverse("inbox") + "?view=mine").content.decode()
    assert "Re: Backend roles at Lumen" in mine and "Any openings?" not in mine


def test_done_conversations_leave_the_open_view(
    owner: User, conversations: tuple[Conversation, Conversation], client: Client
) -> None:
    reply, _ = conversations
    login(client, owner)
    client.post(reverse("conversation_done", args=[reply.pk]), {"done": "1"})
    assert "Re: Backend roles at Lumen" not in client.get(reverse("inbox")).content.decode()
    done = client.get(reverse("inbox") + "?view=done").content.decode()
    assert "Re: Backend roles at Lumen" in done


def test_a_new_candidate_can_be_made_from_unmatched_mail(
    owner: User, conversations: tuple[Conversation, Conversation], client: Client
) -> None:
    _, stranger = conversations
    login(client, owner)
    client.post(reverse("conversation_place", args=[stranger.pk]), {"new": "1"})
    stranger.refresh_from_db()
    assert stranger.candidate is not None
    assert stranger.candidate.full_name == "Pat Stranger"
    assert stranger.candidate.contacts.get().value == "stranger@example.net"


def test_attachments_download_as_opaque_files_never_inline(
    owner: User, world: World, client: Client
) -> None:
    raw = world.fill(
        b"From: Ana Souza <{{ana.email}}>\nTo: {{sender}}\nSubject: Re: {{m1.subject}}\n"
        b"In-Reply-To: {{m1.message_id}}\nMessage-ID: <att-1@example.com.br>\n"
        b'Content-Type: multipart/mixed; boundary="x"\n\n--x\nContent-Type: text/plain\n\nMy CV.\n'
        b'--x\nContent-Type: text/html; name="cv.html"\nContent-Disposition: attachment; filename="cv.html"\n\n'
        b"<script>alert(1)</script>\n--x--\n"
    )
    message = inbound_receive(raw=raw, source="pipe").message
    assert message.attachments[0]["name"] == "cv.html"
    login(client, owner)
    response = client.get(
        reverse("inbound_attachment", args=[message.pk, message.attachments[0]["index"]])
    )
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == 'attachment; filename="cv.html"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"<script>alert(1)</script>" in response.content
