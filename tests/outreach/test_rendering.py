"""Templates: personal, safe, and refused before anything is sent when wrong."""

from __future__ import annotations

import pytest

from rapport.outreach import merge
from rapport.outreach.rendering import (
    TemplateProblem,
    compile_template,
    markdown_to_html,
    render,
)


def _render(subject: str, body: str, **overrides: object) -> tuple[str, str, str]:
    context = merge.sample_context()
    for key, value in overrides.items():
        context["candidate"][key] = value
    rendered = render(compile_template(subject, body), context)
    return rendered.subject, rendered.text, rendered.html


def test_it_fills_in_the_candidates_fields_in_every_part() -> None:
    subject, text, html = _render(
        "{{ candidate.first_name }}, a {{ candidate.top_skill }} role",
        "Hi **{{ candidate.first_name }}** from {{ candidate.city }}.\n\n"
        "You know {{ candidate.skills|join(', ') }}.\n\n{{ sender.name }}",
    )
    assert subject == "Ada, a Python role"
    assert text == "Hi **Ada** from London.\n\nYou know Python, Mathematics.\n\nSam Recruiter\n"
    assert "<p>Hi <strong>Ada</strong> from London.</p>" in html
    assert "<p>You know Python, Mathematics.</p>" in html


def test_a_missing_first_name_takes_the_fallback() -> None:
    subject, _, _ = _render("Hi {{ candidate.first_name or 'there' }}", "x", first_name="")
    assert subject == "Hi there"


def test_values_are_escaped_in_html_and_never_read_as_markdown() -> None:
    _, text, html = _render("x", "Dear {{ candidate.first_name }}", first_name="<b>*Bob*</b>")
    assert "&lt;b&gt;*Bob*&lt;/b&gt;" in html
    assert "<em>" not in html and "<b>" not in html
    assert "Dear <b>*Bob*</b>" in text


def test_links_become_anchors_in_html_and_spelled_out_in_text() -> None:
    _, text, html = _render("x", "[See the role]({{ job.url }}) today")
    assert '<a href="https://example.com/jobs/1">See the role</a>' in html
    assert "See the role (https://example.com/jobs/1) today" in text


def test_blocks_on_their_own_lines_keep_the_markdown_between_them() -> None:
    html = markdown_to_html(
        "{% if last_conversation %}\nWe spoke about *{{ last_conversation.summary }}*\n{% endif %}\n\n"
        "{% for skill in candidate.skills %}\n- {{ skill }}\n{% endfor %}"
    )
    assert "<p>We spoke about <em>{{ last_conversation.summary }}</em></p>" in html
    assert "<li>{{ skill }}</li>" in html
    assert "<p>{% if" not in html


def test_a_line_break_in_the_body_is_a_line_break_in_html_too() -> None:
    _, text, html = _render("x", "Would Tuesday suit you?\n\nBest,\n{{ sender.name }}")
    assert "<p>Best,<br>\nSam Recruiter</p>" in html
    assert text.endswith("Best,\nSam Recruiter\n")


def test_an_inline_block_that_spans_lines_still_makes_well_formed_html() -> None:
    _, _, html = _render("x", "{% for s in candidate.skills %}- {{ s }}\n{% endfor %}Bye")
    assert html.count("<p>") == html.count("</p>") == 1


def test_a_subject_cannot_inject_headers() -> None:
    subject, _, _ = _render(
        "Hello {{ candidate.first_name }}", "x", first_name="Eve\r\nBcc: all@example.com"
    )
    assert "\r" not in subject and "\n" not in subject
    assert subject == "Hello Eve Bcc: all@example.com"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "{{ candidate.frist_name }}",
            "Unknown field candidate.frist_name. Did you mean candidate.first_name?",
        ),
        ("{{ candidat.first_name }}", "Unknown field candidat. Did you mean candidate?"),
        ("{{ salary }}", "Unknown field salary."),
        ("{% if x %}y{% endif %}", "Unknown field x."),
        ("{{ candidate.city|shout }}", "Unknown filter shout."),
        ("{% if candidate.city %}", "Syntax error"),
        ("{{ candidate.first_name }", "Syntax error"),
    ],
)
def test_mistakes_are_reported_with_what_was_wrong(body: str, message: str) -> None:
    with pytest.raises(TemplateProblem) as caught:
        compile_template("Subject", body)
    assert message in str(caught.value)
    assert "(body" in str(caught.value)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{{ candidate.__class__ }}", "cannot reach __class__"),
        ("{{ candidate.first_name.__class__.__mro__ }}", "cannot reach"),
        ("{{ candidate['__class__'] }}", "cannot reach __class__"),
        ("{{ candidate.first_name.upper() }}", "cannot call functions"),
        ("{{ range(10) }}", "cannot call functions"),
        ("{{ cycler }}", "Unknown field cycler"),
        ("{% set x = 1 %}", "cannot set variables"),
        ("{% macro m() %}{% endmacro %}", "cannot define macros"),
        ("{% include 'x.html' %}", "cannot define macros or blocks, or include"),
        ("{{ candidate.first_name|attr('__class__') }}", "Unknown filter attr"),
        ("{{ candidate.city|center(100000000) }}", "Unknown filter center"),
        (
            "{% for a in candidate.skills %}{% for b in candidate.skills %}{% for c in candidate.skills %}"
            "{% endfor %}{% endfor %}{% endfor %}",
            "nested two deep",
        ),
    ],
)
def test_sandbox_escapes_are_refused_before_rendering(body: str, message: str) -> None:
    with pytest.raises(TemplateProblem, match=message):
        compile_template("Subject", body)


@pytest.mark.parametrize(
    "body", ["{{ 'x' * 100000000 }}", "{{ candidate.skills * 1000000 }}", "{{ 9 ** 999999 }}"]
)
def test_expressions_that_would_blow_up_are_stopped_while_rendering(body: str) -> None:
    with pytest.raises(TemplateProblem, match="too"):
        _render("x", body)


def test_output_is_capped() -> None:
    long = "{{ candidate.headline }}" * 20
    with pytest.raises(TemplateProblem, match="longer than"):
        _render(
            "x",
            "{% for a in candidate.skills %}{% for b in candidate.skills %}"
            + long
            + "{% endfor %}{% endfor %}",
            headline="y" * 10_000,
            skills=["a"] * 50,
        )


def test_a_subject_is_one_line() -> None:
    with pytest.raises(TemplateProblem, match="one line"):
        compile_template("Hello\nthere", "x")
