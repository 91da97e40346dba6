from __future__ import annotations

import pytest

from assistant.web.markdown import render_markdown, render_plain, render_reply, slugify
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
    flat = html.replace("\n", "")
    assert "<ul><li>one</li><li><strong>two</strong>: xmore</li></ul>" in flat
    assert "<ol><li>first</li><li>second</li></ol>" in flat


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


CITATIONS = [
    {"source": "knowledge/feedback-across-generations.md", "section": "Feedback > Situation-Behavior-Impact"},
    {"source": "knowledge/program-overview.md", "section": "Cadence"},
]


def test_a_reply_renders_markdown_and_links_its_citation_markers() -> None:
    html = render_reply("**Name the moment** first [1].\n\n- meet every two weeks [2]\n- see [3]", CITATIONS)

    assert "<strong>Name the moment</strong>" in html and "<li>meet every two weeks" in html
    assert '<a class="cite" href="/guidelines/feedback-across-generations.md#situation-behavior-impact"' in html
    assert 'data-cite="2"' in html and "#cadence" in html
    assert "see [3]" in html, "a marker with no citation stays text"
    assert "**" not in html


def test_a_reply_cannot_inject_markup_or_script_links() -> None:
    html = render_reply('<img src=x onerror=alert(1)> [x](javascript:alert(1)) <a href="http://e.x">y</a>', CITATIONS)
    assert "<img" not in html and 'href="javascript' not in html and "<a " not in html
    assert "&lt;img" in html and "&lt;a href" in html


def test_a_reply_keeps_only_links_within_tandem_clickable() -> None:
    html = render_reply(
        "Sign in [here](http://evil.example/login), at <https://evil.example/x> or [//evil.example](//evil.example); "
        "see [the agreement](/guidelines/mentoring-agreement.md#cadence) [1].",
        [{"source": "knowledge/mentoring-agreement.md", "section": "Cadence"}],
    )
    assert "evil.example/login" not in html and 'href="https://evil.example' not in html
    assert 'href="//evil.example' not in html
    assert ">here</a>" in html  # the text stays, without a target
    assert 'href="/guidelines/mentoring-agreement.md#cadence"' in html
    assert 'data-cite="1"' in html
