"""Templates written by the team, rendered for one candidate.

A template is a subject and a Markdown body with merge fields in Jinja2's
syntax: `Hi {{ candidate.first_name or "there" }}`. It renders through
Jinja2's sandbox, and only after a static check that refuses anything a mail
merge does not need, so that a template can neither reach outside what it
is given nor run for long:

- names: only the fields in FIELDS (plus loop variables), and only their
  listed attributes; an unknown one is reported with the nearest known name;
- no calls, no `{% set %}`, macros, includes, imports or blocks;
- filters from an allowlist; loops nested at most two deep over the lists
  of the context (each at most MAX_ITEMS long); `*` and `**` refuse to build
  anything large; the output is capped at MAX_OUTPUT characters.

Markdown is turned into HTML once per template, not once per candidate: merge
fields are swapped for placeholders, the Markdown converted, and the
placeholders put back, which leaves one Jinja2 template for the HTML part
(values escaped) and one for the text part. Values are never read as
Markdown, so a candidate called `*Bob*` stays `*Bob*`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import markdown
import nh3
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment

MAX_OUTPUT = 100_000
MAX_ITEMS = 50
MAX_LOOP_DEPTH = 2
MAX_PRODUCT = 10_000

# What a template may use: each root name and its attributes.
FIELDS: dict[str, tuple[str, ...]] = {
    "candidate": (
        "first_name",
        "last_name",
        "full_name",
        "headline",
        "current_title",
        "current_company",
        "city",
        "country",
        "skills",
        "top_skill",
    ),
    "last_conversation": ("kind", "date", "summary"),
    "sender": ("name", "first_name", "email", "signature"),
    "job": ("title", "department", "location", "url"),
    "unsubscribe_url": (),
    "preferences_url": (),
}
FILTERS = (
    "default",
    "d",
    "lower",
    "upper",
    "title",
    "capitalize",
    "trim",
    "truncate",
    "join",
    "first",
    "last",
    "length",
    "count",
    "replace",
    "striptags",
    "string",
    "int",
    "round",
    "wordcount",
    "date",
)
ALLOWED_NODES = (
    nodes.Template,
    nodes.Output,
    nodes.TemplateData,
    nodes.If,
    nodes.For,
    nodes.Name,
    nodes.Getattr,
    nodes.Getitem,
    nodes.Const,
    nodes.Filter,
    nodes.Test,
    nodes.Compare,
    nodes.Operand,
    nodes.And,
    nodes.Or,
    nodes.Not,
    nodes.CondExpr,
    nodes.Concat,
    nodes.Add,
    nodes.Sub,
    nodes.Mul,
    nodes.Div,
    nodes.FloorDiv,
    nodes.Mod,
    nodes.Pow,
    nodes.Neg,
    nodes.Pos,
    nodes.List,
    nodes.Tuple,
    nodes.Slice,
    nodes.Keyword,
)


class TemplateProblem(ValueError):
    """A template that cannot be sent, and why, in words for its author."""

    def __init__(self, message: str, *, part: str = "body", line: int | None = None) -> None:
        self.part = part
        self.line = line
        where = f" ({part}, line {line})" if line else f" ({part})"
        super().__init__(message + where)
        self.message = message


def _format_date(value: Any, fmt: str = "%-d %B %Y") -> str:
    return value.strftime(fmt) if hasattr(value, "strftime") else str(value or "")


class _Environment(SandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
        for side in (left, right):
            if (
                isinstance(side, str | list | tuple)
                and len(side) * _number(left, right) > MAX_PRODUCT
            ):
                raise TemplateError("That multiplication would build something far too long.")
        if operator_ == "**" and (abs(_number(left, 0)) > 1000 or abs(_number(right, 0)) > 10):
            raise TemplateError("That power is too large.")
        return super().call_binop(context, operator_, left, right)


def _number(*values: Any) -> float:
    for value in values:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    return 1.0


def _environment(*, autoescape: bool) -> _Environment:
    env = _Environment(
        autoescape=autoescape,
        undefined=StrictUndefined,
        finalize=lambda value: "" if value is None else value,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters = {name: env.filters[name] for name in FILTERS if name in env.filters}
    env.filters["date"] = _format_date
    env.globals = {}
    env.tests = {name: env.tests[name] for name in ("defined", "undefined", "none", "number")}
    return env


HTML_ENV = _environment(autoescape=True)
TEXT_ENV = _environment(autoescape=False)


# --- checking a template before anything is sent


def check(source: str, *, part: str) -> nodes.Template:
    """Parse and check one part (subject or body); raise TemplateProblem."""
    try:
        tree = TEXT_ENV.parse(source)
    except TemplateSyntaxError as exc:
        raise TemplateProblem(_syntax_message(exc), part=part, line=exc.lineno) from None
    _check_node(tree, part=part, loop_names=frozenset(), depth=0)
    return tree


def _syntax_message(exc: TemplateSyntaxError) -> str:
    message = exc.message or "Syntax error"
    if "unknown tag" in message.lower():
        return f"{message}. Only {{% if %}} and {{% for %}} blocks are available."
    return f"Syntax error: {message}"


def _check_node(node: nodes.Node, *, part: str, loop_names: frozenset[str], depth: int) -> None:
    line = getattr(node, "lineno", None)
    if not isinstance(node, ALLOWED_NODES):
        raise TemplateProblem(_refusal(node), part=part, line=line)
    if isinstance(node, nodes.For):
        if depth >= MAX_LOOP_DEPTH:
            raise TemplateProblem("Loops may be nested two deep at most.", part=part, line=line)
        _check_node(node.iter, part=part, loop_names=loop_names, depth=depth)
        inner = loop_names | _target_names(node.target) | {"loop"}
        for child in [*node.body, *node.else_]:
            _check_node(child, part=part, loop_names=inner, depth=depth + 1)
        if node.test is not None:
            _check_node(node.test, part=part, loop_names=inner, depth=depth + 1)
        return
    if isinstance(node, nodes.Name) and node.name not in FIELDS and node.name not in loop_names:
        raise TemplateProblem(_unknown(node.name, list(FIELDS)), part=part, line=line)
    hidden = _hidden_name(node)
    if hidden:
        raise TemplateProblem(f"Templates cannot reach {hidden}.", part=part, line=line)
    if isinstance(node, nodes.Getattr) and isinstance(node.node, nodes.Name):
        allowed = FIELDS.get(node.node.name)
        if allowed is not None and node.attr not in allowed:
            raise TemplateProblem(
                _unknown(
                    f"{node.node.name}.{node.attr}", [f"{node.node.name}.{a}" for a in allowed]
                ),
                part=part,
                line=line,
            )
    if isinstance(node, nodes.Filter | nodes.Test):
        known = HTML_ENV.filters if isinstance(node, nodes.Filter) else HTML_ENV.tests
        if node.name not in known:
            kind = "filter" if isinstance(node, nodes.Filter) else "test"
            raise TemplateProblem(_unknown(node.name, list(known), kind=kind), part=part, line=line)
    for child in node.iter_child_nodes():
        _check_node(child, part=part, loop_names=loop_names, depth=depth)


def _hidden_name(node: nodes.Node) -> str:
    """An attribute or key that starts with an underscore: never a field."""
    if isinstance(node, nodes.Getattr) and node.attr.startswith("_"):
        return node.attr
    if (
        isinstance(node, nodes.Getitem)
        and isinstance(node.arg, nodes.Const)
        and str(node.arg.value).startswith("_")
    ):
        return str(node.arg.value)
    return ""


def _target_names(target: nodes.Node) -> set[str]:
    if isinstance(target, nodes.Name):
        return {target.name}
    return {name for child in target.iter_child_nodes() for name in _target_names(child)}


def _refusal(node: nodes.Node) -> str:
    if isinstance(node, nodes.Call):
        return "Templates cannot call functions or methods; use a filter such as |join(', ')."
    if isinstance(node, nodes.Assign | nodes.AssignBlock):
        return "Templates cannot set variables."
    if isinstance(
        node,
        nodes.Macro | nodes.CallBlock | nodes.Include | nodes.Import | nodes.Extends | nodes.Block,
    ):
        return "Templates cannot define macros or blocks, or include other templates."
    return f"{type(node).__name__} is not available in templates."


def _unknown(name: str, known: Iterable[str], *, kind: str = "field") -> str:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    hint = f" Did you mean {close[0]}?" if close else ""
    return f"Unknown {kind} {name}.{hint}"


# --- compiling and rendering


PLACEHOLDER = "zqjinja{}qz"
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_PLACED = re.compile(r"zqjinja(\d+)qz")
_BLOCK_LINE = re.compile(r"^[ \t]*\{%.*?%\}[ \t]*$", re.MULTILINE)
_TAG_WORDS = re.compile(r"\{%-?\s*(.*?)\s*-?%\}")
_ALONE = re.compile(r"<p>(zqjinja\d+qz)</p>")
_LINK = re.compile(r"\[([^\]\n]+)\]\(([^)\s]+)\)")
SAFE_TAGS = {
    "p", "br", "strong", "em", "b", "i", "u", "a", "ul", "ol", "li", "blockquote",
    "h1", "h2", "h3", "h4", "code", "pre", "hr", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip


@dataclass(frozen=True)
class Compiled:
    subject: Any  # jinja2.Template, text
    text: Any  # the Markdown, text
    html: Any  # the Markdown made HTML, values escaped
    # Whether a part loops, and so is rendered piece by piece against
    # MAX_OUTPUT; without a loop a part's length is bounded by its source.
    subject_loops: bool = False
    body_loops: bool = False


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def compile_template(subject: str, body: str) -> Compiled:
    """Check both parts and build their Jinja2 templates (raises TemplateProblem)."""
    return _compile(subject, body)


@lru_cache(maxsize=64)
def _compile(subject: str, body: str) -> Compiled:
    subject_tree = check(subject, part="subject")
    body_tree = check(body, part="body")
    if "\n" in subject.strip():
        raise TemplateProblem("A subject is one line.", part="subject")
    return Compiled(
        subject=TEXT_ENV.from_string(subject),
        text=TEXT_ENV.from_string(_markdown_to_text(body)),
        html=HTML_ENV.from_string(markdown_to_html(body)),
        subject_loops=subject_tree.find(nodes.For) is not None,
        body_loops=body_tree.find(nodes.For) is not None,
    )


def markdown_to_html(source: str) -> str:
    """Markdown (with merge fields left as they are) to sanitised HTML.

    A line holding only a block tag (`{% if … %}`, `{% for … %}`) stands as
    a block of its own, unwrapped after conversion, so the Markdown between
    two such lines (a paragraph, a list item) is converted whole. That is
    only safe when no block opened inside a line closes on another line;
    otherwise every tag stays inline and the HTML stays well formed."""
    fields: list[str] = []

    def park(match: re.Match[str]) -> str:
        fields.append(match.group(0))
        return PLACEHOLDER.format(len(fields) - 1)

    def park_block(match: re.Match[str]) -> str:
        return f"\n\n{park(match)}\n\n"

    if _inline_blocks_balanced(source):
        source = _BLOCK_LINE.sub(park_block, source)
    parked = _JINJA.sub(park, source)
    # A line break stays a line break, as in the plain-text part and in any
    # mail client: "Best,\nSam" is a sign-off on two lines, not one.
    html = markdown.markdown(parked, extensions=["sane_lists", "nl2br"], output_format="html")
    html = nh3.clean(html, tags=SAFE_TAGS, attributes={"a": {"href", "title"}}, link_rel=None)
    html = _ALONE.sub(r"\1", html)
    return _PLACED.sub(lambda m: fields[int(m.group(1))], html)


def _inline_blocks_balanced(source: str) -> bool:
    for line in source.splitlines():
        if _BLOCK_LINE.fullmatch(line):
            continue
        tags = [t.split()[0] for t in _TAG_WORDS.findall(line) if t.split()]
        opened = sum(t in ("if", "for") for t in tags)
        closed = sum(t in ("endif", "endfor") for t in tags)
        if opened != closed:
            return False
    return True


def _markdown_to_text(source: str) -> str:
    """The plain-text part: the Markdown as written, links spelled out."""
    fields: list[str] = []

    def park(match: re.Match[str]) -> str:
        fields.append(match.group(0))
        return PLACEHOLDER.format(len(fields) - 1)

    text = _LINK.sub(r"\1 (\2)", _JINJA.sub(park, source))
    return _PLACED.sub(lambda m: fields[int(m.group(1))], text)


def render(compiled: Compiled, context: Mapping[str, Any]) -> Rendered:
    """One candidate's message (raises TemplateProblem on a render error)."""
    loops = compiled.body_loops
    return Rendered(
        subject=one_line(
            _render(compiled.subject, context, part="subject", loops=compiled.subject_loops)
        ),
        text=_render(compiled.text, context, part="body", loops=loops).strip() + "\n",
        html=_render(compiled.html, context, part="body", loops=loops),
    )


def _render(template: Any, context: Mapping[str, Any], *, part: str, loops: bool) -> str:
    size = 0
    chunks = []
    try:
        if not loops:
            return str(template.render(context))
        for chunk in template.generate(context):
            size += len(chunk)
            if size > MAX_OUTPUT:
                raise TemplateProblem(
                    f"The {part} would be longer than {MAX_OUTPUT:,} characters.", part=part
                )
            chunks.append(chunk)
    except TemplateProblem:
        raise
    except TemplateError as exc:
        raise TemplateProblem(str(exc.message or exc), part=part) from None
    except (TypeError, ValueError, ArithmeticError, AttributeError, KeyError, IndexError) as exc:
        raise TemplateProblem(f"Cannot render: {exc}", part=part) from None
    return "".join(chunks)


def literal(text: str) -> str:
    """`text` as a template that renders to exactly itself: for text that came
    from outside (the subject of a candidate's mail), never to be read as
    merge fields or tags."""
    return text.replace("{", '{{ "{" }}')


def one_line(value: str) -> str:
    """A header value: no CR, LF or other control characters (no injection)."""
    return " ".join(re.sub(r"[\x00-\x1f\x7f]", " ", value).split())
