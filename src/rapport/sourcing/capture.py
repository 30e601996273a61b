"""Reading a person from a profile page.

The page arrives as HTML from the user's own browser (the bookmarklet or the
extension sends what the tab shows); nothing here fetches anything, ever.
`read_page` reads, in order of trust:

1. JSON-LD `Person` data (schema.org), as personal sites and LinkedIn's
   public profiles publish it;
2. GitHub profile pages: name, login, bio, location, company, blog link,
   social links, the public email and the languages of pinned repositories;
3. LinkedIn-style public profiles: the name, headline and location of the
   top card, and their meta tags;
4. microdata `Person` items and hCard microformats (`h-card`, `vcard`);
5. OpenGraph and the page title, as a fallback for profile pages.

For each field the most trusted reader that found something wins; emails,
links and skills are gathered from all of them.

Every page is hostile until proven otherwise: only the first
`MAX_HTML_CHARS` are read, long attributes and oversized JSON-LD are
skipped, collected text is capped, no script is run, and only http(s) links
and valid email addresses come out. What comes out is plain text: it is
escaped wherever it is shown.

What a page says about itself (its canonical address, the profiles it links
to) is a claim, not a fact: the capture page shows what matched so the user
can judge before saving.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields
from html.parser import HTMLParser
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from django.core.exceptions import ValidationError

from rapport.core.contacts import canonical_profile_url, normalize_email
from rapport.core.geo import clean_country

MAX_HTML_CHARS = 2_000_000  # what is read of a page; the rest is ignored
MAX_SECONDS = 1.5  # reading stops here, keeping what was read
CHUNK = 65_536  # the page is fed to the parser in pieces of this size
MAX_URL = 300  # the length of the candidate's link columns
MAX_ATTRIBUTE = 4_000  # a longer attribute value is ignored
MAX_TEXT = 2_000  # text collected for one property
MAX_JSON_LD = 200_000  # one JSON-LD block; a larger one is skipped
MAX_JSON_LD_BLOCKS = 20
MAX_JSON_NODES = 2_000  # objects visited looking for a Person
MAX_OPEN = 512  # open elements tracked; deeper nesting is ignored
MAX_VALUES = 20  # values kept per property
MAX_EMAILS = 5
MAX_LINKS = 20
MAX_SKILLS = 20
LENGTHS = {
    "name": 200,
    "first_name": 100,
    "last_name": 100,
    "headline": 200,
    "current_title": 150,
    "current_company": 150,
    "location": 200,
    "city": 100,
    "login": 100,
}

# Elements whose content is not the page's visible text (an SVG's <title> is
# an icon's name): read as raw, and skipped.
RAW = {"script", "style", "template", "svg", "math", "noscript", "textarea"}
VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
    "param", "source", "track", "wbr",
}  # fmt: skip

# hCard properties, microformats 2 and their classic (mf1) names.
HCARD_TEXT = {
    "p-name": "name", "fn": "name",
    "p-given-name": "given", "given-name": "given",
    "p-family-name": "family", "family-name": "family",
    "p-nickname": "nickname", "nickname": "nickname",
    "p-note": "note", "note": "note",
    "p-job-title": "title", "title": "title", "p-role": "role", "role": "role",
    "p-org": "org", "org": "org",
    "p-locality": "locality", "locality": "locality",
    "p-country-name": "country", "country-name": "country",
    "p-label": "label", "label": "label", "p-adr": "adr", "adr": "adr",
    "p-category": "category", "category": "category",
}  # fmt: skip
HCARD_URL = {"u-url": "url", "url": "url", "u-email": "email", "email": "email"}

# Classes whose text the site readers want.
MARKED = {
    "vcard-fullname", "vcard-username", "user-profile-bio",
    "top-card-layout__title", "top-card-layout__headline", "top-card__subline-item",
}  # fmt: skip
URL_PROPS = {"url", "sameAs", "social", "email", "image"}
_space = re.compile(r"\s+")
_control = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass
class Profile:
    """What was read of one page. Every value is plain text or an http(s) URL."""

    url: str = ""  # the address the page was read from
    name: str = ""
    first_name: str = ""
    last_name: str = ""
    headline: str = ""
    current_title: str = ""
    current_company: str = ""
    location: str = ""  # as the page writes it
    city: str = ""
    country: str = ""  # ISO code, when the location names a country
    emails: list[str] = field(default_factory=list)
    linkedin_url: str = ""
    github_url: str = ""
    portfolio_url: str = ""
    links: list[str] = field(default_factory=list)  # other links the person lists
    skills: list[str] = field(default_factory=list)
    login: str = ""  # the GitHub login
    sources: list[str] = field(default_factory=list)  # readers that found something

    @property
    def found(self) -> bool:
        return bool(self.name or self.first_name or self.login)


# --- text and links -----------------------------------------------------------------


def clean_text(value: Any, limit: int = MAX_TEXT) -> str:
    """One line of plain text: no control or direction-changing characters,
    spaces collapsed, at most `limit` characters."""
    if not isinstance(value, str):
        return ""
    return _space.sub(" ", _control.sub("", value)).strip()[:limit].strip()


def clean_url(value: Any, base: str = "") -> str:
    """An absolute http(s) URL, or "" for anything else (javascript:, data:…)."""
    raw = clean_text(value, 2 * MAX_URL)
    if not raw or " " in raw:
        return ""
    absolute = urljoin(base, raw) if base else raw
    try:
        parts = urlsplit(absolute)
    except ValueError:
        return ""
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        return ""
    return absolute if len(absolute) <= MAX_URL else ""


def clean_email(value: Any) -> str:
    raw = clean_text(value, 320)
    if raw.lower().startswith("mailto:"):
        raw = unquote(raw[7:].split("?", 1)[0])
    try:
        return normalize_email(raw) if "@" in raw else ""
    except ValidationError:
        return ""


def canonical(url: str) -> str:
    """The one spelling of a GitHub or LinkedIn profile; anything else, and
    anything that is not a URL at all, as given."""
    try:
        return canonical_profile_url(url) if url else ""
    except ValueError:  # "http://[": not even a URL
        return url


def profile_kind(url: str) -> str:
    """ "linkedin" or "github" when the URL is a person's profile there, else ""."""
    spelled = canonical(url)
    if spelled.startswith("https://www.linkedin.com/in/"):
        return "linkedin"
    try:
        path = urlsplit(url if "://" in url else f"https://{url}").path
    except ValueError:
        return ""
    if spelled.startswith("https://github.com/") and len([s for s in path.split("/") if s]) == 1:
        return "github" if _github_login(spelled) else ""
    return ""


# Top-level GitHub paths that are not people.
GITHUB_RESERVED = {
    "about", "apps", "collections", "contact", "customer-stories", "enterprise", "explore",
    "features", "issues", "login", "marketplace", "new", "notifications", "orgs", "pricing",
    "pulls", "search", "settings", "signup", "sponsors", "topics", "trending",
}  # fmt: skip


def _github_login(canonical: str) -> str:
    login = canonical.removeprefix("https://github.com/")
    ok = re.fullmatch(r"[a-z0-9](?:[a-z0-9-]{0,38})", login) and login not in GITHUB_RESERVED
    return login if ok else ""


# --- the HTML pass --------------------------------------------------------------------


@dataclass
class _Capture:
    """Text collected inside one element, delivered when it closes."""

    target: list[str]
    level: int
    parts: list[str] = field(default_factory=list)
    size: int = 0
    href: str = ""  # the first link inside, for properties whose value is a link
    want_href: bool = False


@dataclass
class _Scope:
    """An open hCard or microdata item: its properties as they are read."""

    level: int
    props: dict[str, list[str]]
    prefix: str = ""


class _OutOfTime(Exception):
    pass


class _PageReader(HTMLParser):
    """One pass over the page, collecting what the readers need. Keeps no
    more than bounded amounts of anything, whatever the page holds, and
    stops at a deadline: the standard library's parser is slow (quadratic)
    on some malformed input, such as a long run of "</"."""

    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.deadline = time.monotonic() + MAX_SECONDS
        self.calls = 0
        self.out_of_time = False
        self.meta: dict[str, str] = {}
        self.title: list[str] = []
        self.canonical = ""
        self.rel_me: list[str] = []
        self.json_ld: list[str] = []
        self.cards: list[dict[str, list[str]]] = []
        self.people: list[dict[str, list[str]]] = []
        self.marked: dict[str, list[str]] = {}
        self.languages: list[str] = []
        self._open: list[str] = []  # tag names of the open elements
        self._too_deep = 0
        self._captures: list[_Capture] = []
        self._card: _Scope | None = None
        self._items: list[_Scope] = []  # the Person item and the items nested in it
        self._script: list[str] | None = None  # a JSON-LD block being read
        self._script_size = 0
        self._raw = ""  # inside <script> or <style> that is not JSON-LD

    def read(self, html: str) -> None:
        try:
            for start in range(0, len(html), CHUNK):
                self.feed(html[start : start + CHUNK])
                self._tick(every=1)
            self.close()
        except _OutOfTime:
            self.out_of_time = True
        except (AssertionError, ValueError):  # input the parser cannot make sense of
            pass
        while self._open:  # what was still open ends with the page
            self._close(len(self._open))
            self._open.pop()

    def _tick(self, every: int = 64) -> None:
        self.calls += 1
        if self.calls % every == 0 and time.monotonic() > self.deadline:
            raise _OutOfTime

    # The parser's callbacks.

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tick()
        if self._raw:
            return
        # An attribute without a value (itemscope) is present and empty.
        values = {k: v or "" for k, v in attrs if v is None or len(v) <= MAX_ATTRIBUTE}
        if tag in RAW:
            self._start_raw(tag, values)
            return
        if tag in VOID:
            self._void(tag, values)
            return
        if len(self._open) >= MAX_OPEN:
            self._too_deep += 1
            return
        self._open.append(tag)
        self._element(tag, values, len(self._open))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in RAW:  # <svg/>: empty
            return
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        self._tick()
        if self._raw:
            if tag == self._raw:
                self._end_raw()
            return
        if self._too_deep:
            self._too_deep -= 1
            return
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index] == tag:
                while len(self._open) > index:
                    self._close(len(self._open))
                    self._open.pop()
                return

    def handle_data(self, data: str) -> None:
        self._tick()
        if self._script is not None:
            self._script_size += len(data)
            if self._script_size <= MAX_JSON_LD:
                self._script.append(data)
            return
        if self._raw or not self._captures:
            return
        for capture in self._captures:
            if capture.size < MAX_TEXT:
                capture.parts.append(data[: MAX_TEXT - capture.size])
                capture.size += len(data)

    def handle_comment(self, data: str) -> None:
        self._tick()

    def handle_decl(self, decl: str) -> None:
        self._tick()

    def handle_pi(self, data: str) -> None:
        self._tick()

    def unknown_decl(self, data: str) -> None:
        self._tick()

    # What each element contributes.

    def _start_raw(self, tag: str, values: dict[str, str]) -> None:
        self._raw = tag
        kind = values.get("type", "").split(";")[0].strip().lower()
        if tag == "script" and kind == "application/ld+json":
            self._script, self._script_size = [], 0

    def _end_raw(self) -> None:
        whole = self._script is not None and self._script_size <= MAX_JSON_LD
        if whole and self._script is not None and len(self.json_ld) < MAX_JSON_LD_BLOCKS:
            self.json_ld.append("".join(self._script))
        self._script, self._raw = None, ""

    def _void(self, tag: str, values: dict[str, str]) -> None:
        if tag == "meta":
            key = (values.get("property") or values.get("name") or "").strip().lower()
            if key and "content" in values and key not in self.meta and len(self.meta) < 200:
                self.meta[key] = values["content"]
        elif tag == "link":
            rels = values.get("rel", "").lower().split()
            href = clean_url(values.get("href"), self.base)
            if "canonical" in rels and href and not self.canonical:
                self.canonical = href
            if "me" in rels and href and len(self.rel_me) < MAX_LINKS:
                self.rel_me.append(href)
        self._properties(tag, values, level=None)

    def _element(self, tag: str, values: dict[str, str], level: int) -> None:
        classes = set(values.get("class", "").split())
        if tag == "title" and not self.title:
            self._capture(self.title, level)
        if tag == "a":
            href = clean_url(values.get("href"), self.base) or _mailto(values.get("href"))
            for capture in self._captures:
                if capture.want_href and not capture.href:
                    capture.href = href
            me = "me" in values.get("rel", "").lower().split()
            if me and href.startswith("http") and len(self.rel_me) < MAX_LINKS:
                self.rel_me.append(href)
        for name in classes & MARKED:
            self._capture(self.marked.setdefault(name, []), level)
        language = "programmingLanguage" in values.get("itemprop", "").split()
        if language and len(self.languages) < 200:
            self._capture(self.languages, level)
        if self._card is None and classes & {"h-card", "vcard"} and len(self.cards) < 5:
            self._card = _Scope(level=level, props={})
            self.cards.append(self._card.props)
        person = "itemscope" in values and _is_person(values.get("itemtype", ""))
        if person and not self._items and len(self.people) < 5:
            self._items.append(_Scope(level=level, props={}))
            self.people.append(self._items[0].props)
            return
        self._properties(tag, values, level)
        if self._items and "itemscope" in values and "itemprop" not in values:
            # An item inside the person that is not one of their properties
            # (a repository card): its properties are not the person's.
            self._items.append(_Scope(level=level, props={}, prefix="~"))

    def _properties(self, tag: str, values: dict[str, str], level: int | None) -> None:
        """hCard and microdata properties of an element (level None: a void one)."""
        if self._card is not None:
            for cls in values.get("class", "").split():
                if cls in HCARD_TEXT:
                    self._property(self._card.props, HCARD_TEXT[cls], tag, values, level, False)
                elif cls in HCARD_URL:
                    self._property(self._card.props, HCARD_URL[cls], tag, values, level, True)
        if self._items and "itemprop" in values:
            scope = self._items[-1]
            for name in values["itemprop"].split()[:5]:
                key = scope.prefix + name
                self._property(scope.props, key, tag, values, level, name in URL_PROPS)
            if "itemscope" in values and level is not None and len(self._items) < 8:
                prefix = scope.prefix + values["itemprop"].split()[0] + "."
                self._items.append(_Scope(level=level, props=scope.props, prefix=prefix))

    def _property(
        self,
        props: dict[str, list[str]],
        key: str,
        tag: str,
        values: dict[str, str],
        level: int | None,
        link: bool,
    ) -> None:
        target = props.setdefault(key, [])
        if len(target) >= MAX_VALUES:
            return
        direct = _attribute_value(tag, values, link)
        if direct is not None:
            target.append(direct)
        elif level is not None:
            self._capture(target, level, want_href=link)

    def _capture(self, target: list[str], level: int, *, want_href: bool = False) -> None:
        self._captures.append(_Capture(target=target, level=level, want_href=want_href))

    def _close(self, level: int) -> None:
        """The element at `level` ends: deliver its captures, close its scopes."""
        while self._captures and self._captures[-1].level >= level:
            capture = self._captures.pop()
            text = clean_text("".join(capture.parts))
            value = capture.href if capture.want_href and capture.href else text
            if value:
                capture.target.append(value)
        # Captures opened by the same element are delivered above; those of
        # enclosing elements stay open.
        if self._card is not None and self._card.level >= level:
            self._card = None
        while self._items and self._items[-1].level >= level:
            self._items.pop()


def _attribute_value(tag: str, values: dict[str, str], link: bool) -> str | None:
    """A property's value when an attribute holds it; None when it is the text."""
    if "content" in values and tag in {"meta", "span", "div", "time", "data"}:
        return values["content"]
    if link and tag in {"a", "link", "area"} and "href" in values:
        return values["href"]
    if link and tag in {"img", "audio", "video", "source"} and "src" in values:
        return values["src"]
    if tag in {"data", "input", "meter"} and "value" in values:
        return values["value"]
    if tag == "abbr" and "title" in values:
        return values["title"]
    if tag == "img":
        return values.get("alt", "")
    if tag == "time" and "datetime" in values:
        return values["datetime"]
    if tag in VOID:
        return ""
    return None


def _mailto(value: str | None) -> str:
    return value.strip() if value and value.strip().lower().startswith("mailto:") else ""


def _is_person(itemtype: str) -> bool:
    return any(t.rstrip("/").lower().endswith("schema.org/person") for t in itemtype.split())


# --- readers ------------------------------------------------------------------------

# What one reader found: field name → value (str, or list for the list fields).
Found = dict[str, Any]
LIST_FIELDS = {"emails", "links", "skills"}


def _first(values: list[str] | None) -> str:
    for value in values or []:
        if text := clean_text(value):
            return text
    return ""


def _people_in(data: Any) -> Iterator[dict[str, Any]]:
    """Person objects anywhere in a JSON-LD document (@graph, mainEntity…),
    breadth first, visiting a bounded number of objects."""
    queue: deque[Any] = deque([data])
    seen = 0
    while queue and seen < MAX_JSON_NODES:
        node = queue.popleft()
        seen += 1
        if isinstance(node, list):
            queue.extend(node[:100])
        elif isinstance(node, dict):
            kinds = node.get("@type", [])
            kinds = kinds if isinstance(kinds, list) else [kinds]
            if any(isinstance(k, str) and k.rsplit("/", 1)[-1] == "Person" for k in kinds):
                yield node
            for key in ("@graph", "mainEntity", "about", "author", "itemListElement", "item"):
                if key in node:
                    queue.append(node[key])


def _ld_text(value: Any, depth: int = 0) -> str:
    """A JSON-LD value as text: a string, an object's name or @value, the
    first of a list; nothing from deeper than a few levels."""
    if depth > 4:
        return ""
    if isinstance(value, list):
        return next((text for v in value[:10] if (text := _ld_text(v, depth + 1))), "")
    if isinstance(value, dict):
        return _ld_text(value.get("name") or value.get("@value") or "", depth + 1)
    return clean_text(value) if isinstance(value, str) else ""


def _ld_texts(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [text for item in items[:MAX_VALUES] if (text := _ld_text(item))]


def _ld_location(person: dict[str, Any]) -> tuple[str, str]:
    """(city, country) from `address` or `homeLocation`."""
    for key in ("address", "homeLocation", "workLocation"):
        place = person.get(key)
        place = place[0] if isinstance(place, list) and place else place
        if isinstance(place, dict) and isinstance(place.get("address"), dict):
            place = place["address"]
        if isinstance(place, dict):
            city = _ld_text(place.get("addressLocality"))
            country = _ld_text(place.get("addressCountry"))
            if city or country:
                return city, country
            if name := _ld_text(place.get("name")):
                return name, ""
        elif isinstance(place, str) and (text := clean_text(place)):
            return text, ""
    return "", ""


def read_json_ld(blocks: list[str], base: str) -> Found:
    for block in blocks:
        try:
            data = json.loads(block)
        except (ValueError, RecursionError):
            continue
        for person in _people_in(data):
            city, country = _ld_location(person)
            links = [clean_url(u, base) for u in _ld_texts(person.get("sameAs"))]
            found: Found = {
                "name": _ld_text(person.get("name")),
                "first_name": _ld_text(person.get("givenName")),
                "last_name": _ld_text(person.get("familyName")),
                "current_title": _ld_text(person.get("jobTitle")),
                "current_company": _ld_text(person.get("worksFor") or person.get("affiliation")),
                "location": ", ".join(p for p in (city, country) if p),
                "emails": [clean_email(e) for e in _ld_texts(person.get("email"))],
                "links": [clean_url(_ld_text(person.get("url")), base), *links],
                "skills": _ld_texts(person.get("knowsAbout")),
            }
            if country and len(country) == 2:
                found["country_code"] = country
                found["location"] = city or ""
            if found["name"] or found["first_name"]:
                return found
    return {}


def read_hcard(cards: list[dict[str, list[str]]]) -> Found:
    for card in cards:
        name = _first(card.get("name"))
        given, family = _first(card.get("given")), _first(card.get("family"))
        if not (name or given):
            continue
        place = [_first(card.get("locality")), _first(card.get("country"))]
        location = ", ".join(p for p in place if p) or _first(card.get("label") or card.get("adr"))
        return {
            "name": name or f"{given} {family}".strip(),
            "first_name": given,
            "last_name": family,
            "headline": _first(card.get("note")),
            "current_title": _first(card.get("title") or card.get("role")),
            "current_company": _first(card.get("org")).lstrip("@"),
            "location": location,
            "emails": [clean_email(e) for e in card.get("email", [])],
            "links": card.get("url", []),
            "skills": card.get("category", []),
            "login": _first(card.get("nickname")),
        }
    return {}


def read_microdata(people: list[dict[str, list[str]]]) -> Found:
    for props in people:
        name = _first(props.get("name"))
        given = _first(props.get("givenName"))
        if not (name or given):
            continue
        company = _first(props.get("worksFor.name") or props.get("worksFor"))
        city = _first(
            props.get("address.addressLocality") or props.get("homeLocation.name")
            or props.get("homeLocation")
        )  # fmt: skip
        country = _first(props.get("address.addressCountry"))
        return {
            "name": name,
            "first_name": given,
            "last_name": _first(props.get("familyName")),
            "headline": _first(props.get("description")),
            "current_title": _first(props.get("jobTitle")),
            "current_company": company.lstrip("@"),
            "location": ", ".join(p for p in (city, country) if p),
            "emails": [clean_email(e) for e in props.get("email", [])],
            "links": props.get("url", []) + props.get("sameAs", []) + props.get("social", []),
            "skills": props.get("knowsAbout", []),
            "login": _first(props.get("additionalName")),
        }
    return {}


def read_github(page: _PageReader, address: str) -> Found:
    """GitHub profile pages: the sidebar's name, login and bio, and the
    languages of the pinned repositories, most used first."""
    og_title = clean_text(page.meta.get("og:title", ""))
    match = re.match(r"^([A-Za-z0-9-]{1,39}) \((.{1,200})\)", og_title)
    login = (
        _first(page.marked.get("vcard-username"))
        or clean_text(page.meta.get("profile:username", ""))
        or (match.group(1) if match else "")
        or (_github_login(canonical(address)) if profile_kind(address) else "")
    )
    counted = Counter(clean_text(lang, 60) for lang in page.languages)
    return {
        "name": _first(page.marked.get("vcard-fullname")) or (match.group(2) if match else ""),
        "login": login,
        "headline": _first(page.marked.get("user-profile-bio")),
        "github_url": f"https://github.com/{login.lower()}" if _valid_login(login) else "",
        "skills": [lang for lang, _ in counted.most_common(MAX_SKILLS) if lang],
    }


def _valid_login(login: str) -> bool:
    return bool(_github_login(login.lower()))


def read_linkedin(page: _PageReader) -> Found:
    """LinkedIn-style public profiles: the top card, then the title tags
    ("Name - Title - Company | LinkedIn")."""
    title = clean_text(page.meta.get("og:title", "")) or _first(page.title)
    title = re.sub(r"\s*\|\s*LinkedIn\s*$", "", title)
    parts = [p.strip() for p in title.split(" - ") if p.strip()]
    sublines = [
        s for s in page.marked.get("top-card__subline-item", [])
        if not re.search(r"\b(connections?|followers?)\b", s, re.IGNORECASE)
    ]  # fmt: skip
    return {
        "name": _first(page.marked.get("top-card-layout__title")) or (parts[0] if parts else ""),
        "headline": _first(page.marked.get("top-card-layout__headline")),
        # Two parts ("Name - Company") are too ambiguous to read.
        "current_title": parts[1] if len(parts) > 2 else "",
        "current_company": parts[2] if len(parts) > 2 else "",
        "location": _first(sublines),
    }


def read_opengraph(page: _PageReader, *, github: bool, linkedin: bool) -> Found:
    """OpenGraph and the title, only for pages that say they are a profile
    (og:type profile) or come from a profile site: a title on any other page
    names an article, not a person. GitHub's description is boilerplate
    ("… has 8 repositories available"), not a headline."""
    meta = page.meta
    if meta.get("og:type", "").strip().lower() != "profile" and not (github or linkedin):
        return {}
    title = clean_text(meta.get("og:title") or meta.get("twitter:title") or _first(page.title))
    name = re.split(r"\s+[|·–—-]\s+", title)[0] if title else ""
    return {
        "name": name,
        "first_name": clean_text(meta.get("profile:first_name", "")),
        "last_name": clean_text(meta.get("profile:last_name", "")),
        "login": clean_text(meta.get("profile:username", "")),
        "headline": "" if github else clean_text(meta.get("og:description", ""), 200),
    }


# --- putting it together ------------------------------------------------------------


def read_page(url: str, html: str) -> Profile:
    """Everything `html`, the page at `url`, says about the person it shows."""
    address = clean_url(url)
    if not address:
        raise ValidationError({"url": ["Send the page's address: an http or https URL."]})
    page = _PageReader(address)
    page.read(html[:MAX_HTML_CHARS])
    declared = page.canonical or clean_url(page.meta.get("og:url", ""), address)
    site = clean_text(page.meta.get("og:site_name", "")).lower()
    hosts = {(urlsplit(u).hostname or "").lower() for u in (address, declared) if u}
    github = site == "github" or bool(hosts & {"github.com", "www.github.com"})
    linkedin = site == "linkedin" or any(h.endswith("linkedin.com") for h in hosts)
    readers = [
        ("json-ld", read_json_ld(page.json_ld, address)),
        ("github", read_github(page, declared or address) if github else {}),
        ("linkedin", read_linkedin(page) if linkedin else {}),
        ("microdata", read_microdata(page.people)),
        ("h-card", read_hcard(page.cards)),
        ("opengraph", read_opengraph(page, github=github, linkedin=linkedin)),
    ]
    return _profile(address, declared, readers, page.rel_me)


def _profile(
    address: str, declared: str, readers: list[tuple[str, Found]], rel_me: list[str]
) -> Profile:
    profile = Profile(url=address)
    for source, found in readers:
        if any(found.values()):
            profile.sources.append(source)
        for key, value in found.items():
            if key in LIST_FIELDS:
                getattr(profile, key).extend(v for v in value if isinstance(v, str))
            elif key == "country_code":
                profile.country = profile.country or _country(value)
            elif isinstance(value, str) and not getattr(profile, key):
                setattr(profile, key, clean_text(value, LENGTHS.get(key, MAX_URL)))
    _links(profile, address, declared, rel_me)
    _names(profile)
    _place(profile)
    profile.emails = _unique(e for e in profile.emails if e)[:MAX_EMAILS]
    profile.skills = _unique(clean_text(s, 80) for s in profile.skills if clean_text(s, 80))
    profile.skills = profile.skills[:MAX_SKILLS]
    if not profile.headline and profile.current_title:
        at = f" at {profile.current_company}" if profile.current_company else ""
        profile.headline = (profile.current_title + at)[: LENGTHS["headline"]]
    return profile


def _links(profile: Profile, address: str, declared: str, rel_me: list[str]) -> None:
    """Sort every link into the LinkedIn, GitHub and portfolio fields."""
    candidates = [address, declared, profile.github_url, *profile.links, *rel_me]
    others: list[str] = []
    for raw in candidates:
        link = clean_url(raw, address)
        kind = profile_kind(link) if link else ""
        if kind == "linkedin" and not profile.linkedin_url:
            profile.linkedin_url = canonical(link)
        elif kind == "github" and not profile.github_url:
            profile.github_url = canonical(link)
        elif link and not kind and link not in (address, declared):
            others.append(link)
    if profile.github_url:
        profile.github_url = canonical(profile.github_url)
        profile.login = profile.login or profile.github_url.rsplit("/", 1)[-1]
    personal = not profile_kind(address) and not profile_kind(declared) and profile.found
    profile.portfolio_url = others[0] if others else (address if personal else "")
    profile.links = _unique([u for u in (profile.linkedin_url, profile.github_url, *others) if u])[
        :MAX_LINKS
    ]


def _names(profile: Profile) -> None:
    if not profile.name:
        profile.name = f"{profile.first_name} {profile.last_name}".strip()
    if not profile.first_name and profile.name:
        first, _, last = profile.name.partition(" ")
        profile.first_name, profile.last_name = first, profile.last_name or last.strip()
    if not profile.first_name and profile.login:
        profile.first_name = profile.login  # a GitHub user with no display name
    profile.first_name = profile.first_name[: LENGTHS["first_name"]]
    profile.last_name = profile.last_name[: LENGTHS["last_name"]]


def _place(profile: Profile) -> None:
    """City and country from a location as people write it: "Lisbon,
    Portugal", "São Paulo, SP, Brazil". A country must be written as a name
    or a three-letter code: "San Francisco, CA" is California, not Canada."""
    parts = [p.strip() for p in profile.location.split(",") if p.strip()]
    if not profile.country and parts and len(parts[-1]) >= 3:
        profile.country = _country(parts[-1])
        if profile.country:
            parts = parts[:-1]
    if not profile.city and parts:
        profile.city = parts[0][: LENGTHS["city"]]
    if not profile.location:
        profile.location = ", ".join(p for p in (profile.city, profile.country) if p)


def _country(value: str) -> str:
    try:
        return clean_country(value)
    except ValidationError:
        return ""


def _unique(values: Any) -> list[str]:
    return list(dict.fromkeys(values))


def merge(profile: Profile, given: dict[str, Any]) -> Profile:
    """`profile` with the non-empty values of `given` (fields a caller read
    itself) put over what the page said, cleaned as the page's own are."""
    clean: dict[str, Callable[[Any], str]] = {
        "emails": clean_email,
        "links": clean_url,
        "skills": lambda value: clean_text(value, 80),
    }
    for f in fields(Profile):
        value = given.get(f.name)
        if f.name in {"url", "sources"} or value in (None, "", []):
            continue
        if f.name in LIST_FIELDS:
            cleaned = (clean[f.name](v) for v in value or [])
            setattr(profile, f.name, _unique(v for v in cleaned if v))
        elif f.name.endswith("_url"):
            setattr(profile, f.name, canonical(clean_url(value)))
        else:
            setattr(profile, f.name, clean_text(value, LENGTHS.get(f.name, MAX_URL)))
    return profile
