"""HTML mail as text, and as HTML safe to show.

The text keeps the shape quote stripping needs: a blockquote's lines start
with "> ", and the containers mail clients wrap quoted history in (Gmail's
gmail_quote, Outlook's reply header, Thunderbird's cite prefix) begin with a
marker line that `quotes.strip` cuts at.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import nh3

QUOTE_MARKER = "\u2063--- quoted history ---"
QUOTE_CONTAINERS = re.compile(
    r"gmail_quote|divRplyFwdMsg|moz-cite-prefix|yahoo_quoted|OutlookMessageHeader|"
    r"appendonsend|mail_android_quote|protonmail_quote|zmail_extra",
    re.IGNORECASE,
)
BLOCKS = {
    "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol",
    "blockquote", "hr", "pre", "section", "article", "header", "footer",
}  # fmt: skip
SKIPPED = {"script", "style", "head", "title", "template", "noscript"}
SAFE_TAGS = {
    "a", "b", "blockquote", "br", "code", "div", "em", "h1", "h2", "h3", "h4", "hr", "i",
    "li", "ol", "p", "pre", "span", "strong", "table", "tbody", "td", "th", "thead", "tr",
    "u", "ul",
}  # fmt: skip


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = [""]
        self.depth = 0  # blockquotes
        self.skipping = 0
        self.marked = False

    def newline(self) -> None:
        if self.lines[-1].strip() or (len(self.lines) > 1 and self.lines[-2].strip()):
            self.lines.append("")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED:
            self.skipping += 1
            return
        marks = " ".join(value or "" for name, value in attrs if name in {"class", "id"})
        if not self.marked and marks and QUOTE_CONTAINERS.search(marks):
            self.newline()
            self.lines[-1] = QUOTE_MARKER
            self.lines.append("")
            self.marked = True
        if tag == "blockquote":
            self.newline()
            self.depth += 1
        elif tag in BLOCKS:
            self.newline()

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "blockquote":
            self.depth = max(0, self.depth - 1)
            self.newline()
        elif tag in BLOCKS:
            self.newline()

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        text = re.sub(r"\s+", " ", data)
        if not text.strip() and not self.lines[-1]:
            return
        if not self.lines[-1] and self.depth:
            self.lines[-1] = "> " * self.depth
        self.lines[-1] += text.lstrip() if not self.lines[-1].strip() else text


def html_to_text(markup: str) -> str:
    parser = _Text()
    try:
        parser.feed(markup)
        parser.close()
    except (AssertionError, ValueError):  # a parser that gave up keeps what it read
        pass
    text = "\n".join(line.rstrip() for line in parser.lines)
    return re.sub(r"\n{3,}", "\n\n", html.unescape(text)).strip()


def sanitise(markup: str) -> str:
    """Inbound HTML for display: no scripts, styles, images or forms; links
    open elsewhere and carry no referrer."""
    return nh3.clean(
        markup,
        tags=SAFE_TAGS,
        attributes={"a": {"href", "title"}, "td": {"colspan", "rowspan"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
