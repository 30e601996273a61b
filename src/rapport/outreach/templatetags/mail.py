"""`{% load mail %}`: show a rendered body inside the page every email is sent in."""

from __future__ import annotations

from django import template
from django.utils.html import escape

from rapport.outreach import mime

register = template.Library()


@register.filter
def mail_page(body_html: str, subject: str = "") -> str:
    """The whole HTML document a candidate gets, without the footer links,
    so a preview has the sent mail's type, width and spacing (for srcdoc)."""
    return mime.HTML_PAGE.format(subject=escape(subject), body=body_html, footer="")
