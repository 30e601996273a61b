"""The team inbox: conversations with candidates, their messages, and
answering, assigning and closing them."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from rapport.accounts.models import User
from rapport.api.auth import actor
from rapport.api.errors import ERRORS
from rapport.api.pagination import Page, PageOf, PageParams, paginate
from rapport.api.schemas import UserRef
from rapport.inbox import selectors, services
from rapport.inbox.models import Conversation

router = Router(tags=["inbox"])


class ConversationOut(Schema):
    id: int
    candidate_id: int | None = Field(description="Null while the mail is not placed with anyone.")
    subject: str
    from_email: str
    status: str = Field(description="open or done")
    needs_reply: bool
    unread: bool
    assignee: UserRef | None
    waiting_since: dt.datetime | None = Field(description="The oldest unanswered message.")
    last_message_at: dt.datetime


class MessageOut(Schema):
    id: int
    direction: str = Field(description="in (from the candidate) or out (from the team)")
    kind: str = Field(
        description="reply, auto_reply, unmatched; the outbox status; or text.<status>"
    )
    from_email: str = Field(description="The address, or for a text the phone number.")
    subject: str
    text: str = Field(description="Inbound: the new words only. Outbound: the plain text.")
    at: dt.datetime
    answered_at: dt.datetime | None = None


class ConversationDetail(ConversationOut):
    messages: list[MessageOut]


class ViewParams(PageParams):
    view: str = Field("open", pattern="^(" + "|".join(selectors.VIEWS) + ")$")


class ReplyIn(Schema):
    body: str = Field(min_length=1, max_length=50_000, description="Markdown.")
    subject: str = Field("", max_length=300, description="Defaults to Re: and the thread's.")


class ReplyOut(Schema):
    channel: str = Field(description="email or sms, as the conversation is")
    id: int = Field(description="The outbox row (an email) or the text; the worker sends it.")


class AssignIn(Schema):
    assignee_id: int | None = Field(description="Null to unassign.")


class DoneIn(Schema):
    done: bool = True


def _conversation(request: HttpRequest, conversation_id: int) -> tuple[User, Conversation]:
    user = actor(request)
    if not selectors.may_use_inbox(user):
        raise Http404("Not found.")
    return user, selectors.conversation_get(user, conversation_id)


def _detail(conversation: Conversation) -> dict[str, object]:
    messages = []
    for entry in selectors.conversation_thread(conversation):
        if entry.inbound is not None:
            m = entry.inbound
            messages.append({"id": m.pk, "direction": "in", "kind": m.kind,
                             "from_email": m.from_email, "subject": m.subject, "text": m.text,
                             "at": m.received_at, "answered_at": m.answered_at})  # fmt: skip
        elif entry.text is not None:
            t = entry.text
            messages.append({"id": t.pk, "direction": t.direction, "kind": f"text.{t.status}",
                             "from_email": t.number if t.direction == "in" else t.our_number,
                             "subject": "", "text": t.body, "at": t.created_at})  # fmt: skip
        elif entry.outbound is not None:
            o = entry.outbound
            messages.append({"id": o.pk, "direction": "out", "kind": o.status,
                             "from_email": o.from_email, "subject": o.subject,
                             "text": o.body_text, "at": entry.at})  # fmt: skip
    fields = ConversationOut.model_validate(conversation, from_attributes=True).model_dump()
    return {**fields, "messages": messages}


@router.get(
    "/conversations", response={200: Page[ConversationOut], **ERRORS}, summary="List conversations"
)
def list_conversations(request: HttpRequest, params: Query[ViewParams]) -> PageOf[Conversation]:
    user = actor(request)
    if not selectors.may_use_inbox(user):
        raise Http404("Not found.")
    return paginate(selectors.conversation_list(user, view=params.view), params)


@router.get(
    "/conversations/{conversation_id}",
    response={200: ConversationDetail, **ERRORS},
    summary="Get a conversation with its messages",
)
def get_conversation(request: HttpRequest, conversation_id: int) -> dict[str, object]:
    _, conversation = _conversation(request, conversation_id)
    return _detail(conversation)


@router.post(
    "/conversations/{conversation_id}/reply",
    response={201: ReplyOut, **ERRORS},
    summary="Answer in the thread, through the outbox",
)
def reply(
    request: HttpRequest, conversation_id: int, payload: ReplyIn
) -> Status[dict[str, object]]:
    user, conversation = _conversation(request, conversation_id)
    sent = services.conversation_reply(
        actor=user, conversation=conversation, body=payload.body, subject=payload.subject
    )
    return Status(201, {"channel": conversation.channel, "id": sent.pk})


@router.post(
    "/conversations/{conversation_id}/assign",
    response={200: ConversationOut, **ERRORS},
    summary="Assign to a teammate, or unassign",
)
def assign(request: HttpRequest, conversation_id: int, payload: AssignIn) -> Conversation:
    user, conversation = _conversation(request, conversation_id)
    assignee = None
    if payload.assignee_id is not None:
        assignee = User.objects.filter(pk=payload.assignee_id, is_active=True).first()
        if assignee is None:
            raise Http404("No such user.")
    services.conversation_assign(actor=user, conversation=conversation, assignee=assignee)
    return conversation


@router.post(
    "/conversations/{conversation_id}/done",
    response={200: ConversationOut, **ERRORS},
    summary="Mark done, or reopen",
)
def done(request: HttpRequest, conversation_id: int, payload: DoneIn) -> Conversation:
    user, conversation = _conversation(request, conversation_id)
    services.conversation_done(actor=user, conversation=conversation, done=payload.done)
    return conversation
