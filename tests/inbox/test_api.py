"""The inbox in the REST API: list, read, answer, assign, close; scoped like the pages."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from rapport.accounts.models import User
from rapport.inbox.models import Conversation
from rapport.inbox.services import inbound_receive
from rapport.outreach.models import Message
from tests.api.client import ApiClient
from tests.inbox.test_receive import REPLY
from tests.inbox.world import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(world: World) -> Conversation:
    message = inbound_receive(raw=world.fill(REPLY), source="pipe").message
    assert message.conversation is not None
    return message.conversation


def test_a_recruiter_lists_reads_and_answers_a_conversation(
    conversation: Conversation, owner: User, world: World, token_for: Callable[[User], str]
) -> None:
    api = ApiClient(token_for(owner))
    listing = api.get("/conversations", view="needs_reply").json()
    assert listing["count"] == 1
    assert listing["results"][0]["candidate_id"] == world.candidates["ana"].pk
    detail = api.get(f"/conversations/{conversation.pk}").json()
    directions = [(m["direction"], m["subject"]) for m in detail["messages"]]
    assert directions == [("out", "Backend roles at Lumen"), ("in", "Re: Backend roles at Lumen")]
    assert detail["messages"][1]["text"].startswith("Oi Riley, yes")
    response = api.post(f"/conversations/{conversation.pk}/reply", {"body": "Thursday it is."})
    assert response.status_code == 201, response.content
    assert response.json()["channel"] == "email"
    sent = Message.objects.get(pk=response.json()["id"])
    assert sent.in_reply_to == "<ana-reply-1@mail.example.com.br>"
    assert api.get("/conversations", view="needs_reply").json()["count"] == 0


def test_assigning_and_closing_change_the_conversation(
    conversation: Conversation, owner: User, teammate: User, token_for: Callable[[User], str]
) -> None:
    api = ApiClient(token_for(owner))
    assigned = api.post(f"/conversations/{conversation.pk}/assign", {"assignee_id": teammate.pk})
    assert assigned.json()["assignee"]["id"] == teammate.pk
    closed = api.post(f"/conversations/{conversation.pk}/done", {"done": True})
    assert closed.json()["status"] == "done"
    conversation.refresh_from_db()
    assert conversation.assignee == teammate and conversation.status == "done"


def test_a_hiring_manager_finds_no_inbox_and_an_empty_answer_is_refused(
    conversation: Conversation, owner: User, manager: User, token_for: Callable[[User], str]
) -> None:
    assert ApiClient(token_for(manager)).get("/conversations").status_code == 404
    assert ApiClient(token_for(manager)).get(f"/conversations/{conversation.pk}").status_code == 404
    refused = ApiClient(token_for(owner)).post(
        f"/conversations/{conversation.pk}/reply", {"body": ""}
    )
    assert refused.status_code == 422
    assert not Message.objects.filter(in_reply_to="<ana-reply-1@mail.example.com.br>").exists()
