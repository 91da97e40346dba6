from __future__ import annotations

import pytest

from assistant.web.markdown import render_markdown, render_plain, slugify
from tests.conftest import KNOWLEDGE


def test_html_in_a_guideline_is_escaped_never_rendered() -> None:
    html = render_markdown("# Title <script>alert(1)</script>\n\n<img src=x onerror=alert(1)> and `<b>`\n")
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<code>&lt;b&gt;</code>" in html


def test_headings_get_ids_and_lists_bold_and_paragraphs_render() -> None:
    html = render_markdown(
        "# Feedback\n\nIntro **bold** and *soft*.\n\n## Situation-Behavior-Impact\n\n- one\n- **two**: x\n  more\n\n"
        "1. first\n2. second\n\n## Situation-Behavior-Impact\n"
    )
    assert '<h1 id="feedback">Feedback</h1>' in html
    assert "<p>Intro <strong>bold</strong> and <em>soft</em>.</p>" in html
    assert '<h2 id="situation-behavior-impact">' in html and '<h2 id="situation-behavior-impact-2">' in html
    assert "<ul><li>one</li><li><strong>two</strong>: x<br>more</li></ul>" in html
    assert "<ol><li>first</li><li>second</li></ol>" in html


@pytest.mark.parametrize(
    ("heading", "slug"),
    [
        ("Situation-Behavior-Impact", "situation-behavior-impact"),
        ("What stays in the pair?", "what-stays-in-the-pair"),
        ("  ", "section"),
        ("Ünïcode & co", "n-code-co"),
    ],
)
def test_slugify_matches_the_rule_the_citation_chips_use(heading: str, slug: str) -> None:
    assert slugify(heading) == slug


def test_every_shipped_guideline_renders_with_an_id_for_each_heading() -> None:
    for path in KNOWLEDGE.glob("*.md"):
        headings = [line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("## ")]
        html = render_markdown(path.read_text(encoding="utf-8"))
        for heading in headings:
            assert f'id="{slugify(heading[3:])}"' in html, (path.name, heading)


def test_plain_text_becomes_escaped_paragraphs() -> None:
    assert render_plain("a <b>\nline\n\nnext") == "<p>a &lt;b&gt;<br>line</p>\n<p>next</p>"
