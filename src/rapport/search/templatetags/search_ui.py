"""The rows of the candidate list, written in Python.

Fifty rows through the template language cost more than the database does
for the whole page (about forty variable lookups and filters per row), so
the list renders its rows here, every value escaped by format_html."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from rapport.core.geo import country_name
from rapport.web.templatetags.ui import ago, avatar_class, highlight

register = template.Library()
SHOWN = 2  # skills and tags shown in a row before "+n"


@register.simple_tag(takes_context=True)
def candidate_rows(context: dict[str, Any], rows: Iterable[Any]) -> SafeString:
    """The <tr> of each candidate (`attach_shown` done)."""
    options = {
        "editable": bool(context.get("can_edit")),
        "marks": context.get("highlights") or [],
        "base": context.get("detail_base", "/candidates/"),
    }
    return mark_safe("".join(_row(c, **options) for c in rows))  # noqa: S308 (parts escaped)


def _row(c: Any, *, editable: bool, marks: list[str], base: str) -> str:
    name = c.full_name
    meta = " · ".join(
        str(highlight(part, marks)) for part in (c.current_title, c.current_company) if part
    )
    cells = [
        format_html(
            '<td class="col-check"><input type="checkbox" name="ids" value="{}" '
            'aria-label="Select {}"></td>',
            c.pk,
            name,
        )
        if editable
        else "",
        format_html(
            '<td><div class="person"><span class="avatar {}" aria-hidden="true">{}</span>'
            '<div style="min-width:0"><a class="name" href="{}{}/">{}</a>'
            '<div class="meta">{}</div></div></div></td>',
            avatar_class(c.pk),
            c.initials,
            base,
            c.pk,
            highlight(name, marks),
            mark_safe(meta) if meta else c.primary_email,  # noqa: S308 (escaped above)
        ),
        format_html(
            '<td class="hide-sm"><div class="chips" title="{}">{}</div></td>',
            c.shown.skill_names,
            _chips([(highlight(s.name, marks), None) for s in c.shown.skills], "chip chip-skill"),
        ),
        format_html(
            '<td class="hide-sm small"><div class="clip">{}</div>{}</td>',
            highlight(c.city, marks) if c.city else "—",
            format_html('<div class="clip muted">{}</div>', country_name(c.country))
            if c.country
            else "",
        ),
        format_html(
            '<td class="hide-md"><div class="chips" title="{}">{}</div></td>',
            ", ".join(c.shown.tags),
            _chips([(t, f"?tag={quote(t)}") for t in c.shown.tags], "chip chip-tag"),
        ),
        format_html(
            '<td class="hide-sm small"><div class="clip">{}</div></td>',
            c.owner.display_name if c.owner else "—",
        ),
        format_html(
            '<td class="small nowrap muted">{}</td>',
            format_html(
                '<time datetime="{}" title="{}">{}</time>',
                c.last_contacted_at.isoformat(),
                c.last_contacted_at.strftime("%-d %b %Y, %H:%M"),
                ago(c.last_contacted_at),
            )
            if c.last_contacted_at
            else "never",
        ),
    ]
    return "<tr>" + "".join(cells) + "</tr>"


def _chips(items: list[tuple[Any, str | None]], css: str) -> SafeString:
    shown = format_html_join(
        "",
        "{}",
        (
            (
                format_html('<a class="{}" href="{}">{}</a>', css, href, label)
                if href
                else format_html('<span class="{}">{}</span>', css, label),
            )
            for label, href in items[:SHOWN]
        ),
    )
    extra = len(items) - SHOWN
    return format_html('{}<span class="chip">+{}</span>', shown, extra) if extra > 0 else shown
