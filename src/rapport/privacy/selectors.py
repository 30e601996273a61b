"""Every read of the privacy app. The published notices are public (anyone
may read what they would agree to); drafts and the list of versions are for
admins, and anyone else gets a 404."""

from __future__ import annotations

from typing import TYPE_CHECKING

import markdown
import nh3
from django.db.models import Count, F, QuerySet
from django.http import Http404
from django.utils.safestring import SafeString, mark_safe

from rapport.accounts.models import Capability
from rapport.privacy.models import Erasure, PrivacyNotice

if TYPE_CHECKING:
    from rapport.accounts.models import User

NOTICE_TAGS = {"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "h2", "h3", "h4"}
NOTICE_TAGS |= {"blockquote", "code", "hr", "table", "thead", "tbody", "tr", "th", "td"}


def notice_current() -> PrivacyNotice | None:
    """The notice public forms show: the newest published version."""
    return (
        PrivacyNotice.objects.filter(published_at__isnull=False)
        .order_by("-published_at", "-id")
        .first()
    )


def notice_published(version: str) -> PrivacyNotice | None:
    """A published version by its name (a consent may point at an old one)."""
    return PrivacyNotice.objects.filter(version=version, published_at__isnull=False).first()


def _admin(user: User) -> None:
    if not user.can(Capability.MANAGE_SETTINGS):
        raise Http404("No such page.")


def notices_for(user: User) -> QuerySet[PrivacyNotice]:
    """Every version, drafts first, each with how many consents it holds."""
    _admin(user)
    return (
        PrivacyNotice.objects.select_related("created_by")
        .annotate(consent_count=Count("consents"))
        .order_by(F("published_at").desc(nulls_first=True), "-id")
    )


def notice_get(user: User, pk: int | str) -> PrivacyNotice:
    _admin(user)
    try:
        return PrivacyNotice.objects.select_related("created_by").get(pk=int(pk))
    except (PrivacyNotice.DoesNotExist, ValueError, TypeError):
        raise Http404("No such notice.") from None


def notice_html(text: str) -> SafeString:
    """The notice's Markdown as HTML, sanitised. A top-level heading becomes
    a second-level one: the page's own title is the only first-level one."""
    rendered = markdown.markdown(text, extensions=["sane_lists", "tables"])
    rendered = rendered.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    cleaned = nh3.clean(
        rendered,
        tags=NOTICE_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)  # noqa: S308 - sanitised by nh3 just above


def may_erase(user: User) -> bool:
    """Recruiters and admins erase candidates (privacy.erasure)."""
    return user.can(Capability.EDIT_CANDIDATES) and user.can(Capability.SEE_CONFIDENTIAL)


def erasures_for(user: User) -> QuerySet[Erasure]:
    """The record of every erasure, newest first, for those who may erase."""
    if not may_erase(user):
        raise Http404("No such page.")
    return Erasure.objects.select_related("erased_by").order_by("-erased_at", "-id")
