from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from rapport.accounts.models import Capability


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_section": request.resolver_match.url_name if request.resolver_match else "",
        "can_edit": user.can(Capability.EDIT_CANDIDATES),
        "can_pools": user.can(Capability.MANAGE_POOLS),
        "can_confidential": user.can(Capability.SEE_CONFIDENTIAL),
        "can_see_all": user.can(Capability.SEE_ALL_CANDIDATES),
        "can_admin": user.can(Capability.MANAGE_USERS),
        "can_send": user.can(Capability.SEND_EMAIL),
        "can_settings": user.can(Capability.MANAGE_SETTINGS),
        "can_add_to_jobs": user.can(Capability.ADD_TO_JOBS),
        "inbox_unread": SimpleLazyObject(lambda: _inbox_unread(user)),
        "notifications_unread": SimpleLazyObject(lambda: _notifications_unread(user)),
        "duplicates_open": SimpleLazyObject(lambda: _duplicates_open(user)),
        "tasks_due": SimpleLazyObject(lambda: _tasks_due(user)),
    }


def organisation(request: HttpRequest) -> dict[str, Any]:
    """The company's name for public pages (empty when not configured)."""
    return {"organisation_name": settings.ORGANISATION_NAME}


def _inbox_unread(user: Any) -> int:
    from rapport.inbox.models import ConversationStatus
    from rapport.inbox.selectors import conversations_visible

    return conversations_visible(user).filter(status=ConversationStatus.OPEN, unread=True).count()


def _notifications_unread(user: Any) -> int:
    from rapport.inbox.selectors import unread_notifications

    return unread_notifications(user).count()


def _duplicates_open(user: Any) -> int:
    from rapport.sourcing.review_selectors import review_open_count

    return review_open_count(user)


def _tasks_due(user: Any) -> int:
    from rapport.engagement.task_selectors import task_due_count

    return task_due_count(user)
