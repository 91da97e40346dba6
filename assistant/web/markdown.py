"""Markdown to safe HTML, for the guideline pages and for chat replies.

markdown-it-py renders CommonMark (with tables and strikethrough) with raw HTML switched off, so a
guideline or a reply can never inject markup; nh3 (the Ammonia sanitizer) then keeps only an allow-list
of tags and attributes. Headings get ids (the citation links point at them); in replies, the ``[n]``
markers become links to the cited guideline section.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any
from urllib.parse import quote

import nh3
from markdown_it import MarkdownIt

TAGS = {
    "a", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "ol", "p",
    "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul", "sup",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "class", "title", "data-cite", "target"},
    **{f"h{level}": {"id"} for level in range(1, 7)},
    "ol": {"start"},
    "td": {"style"},
    "th": {"style"},
}
CITATION_MARKER = re.compile(r"\[(\d{1,2})\](?![(\[])")
_parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)


def slugify(text: str) -> str:
    """The id of a heading; ``assistant/web/static/js/citations.js`` computes the same for citations."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


def _with_heading_ids(text: str) -> str:
    tokens = _parser.parse(text)
    seen: dict[str, int] = {}
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            slug = slugify(tokens[index + 1].content)
            seen[slug] = seen.get(slug, 0) + 1
            token.attrSet("id", slug if seen[slug] == 1 else f"{slug}-{seen[slug]}")
    return str(_parser.renderer.render(tokens, _parser.options, {}))


def _clean(html: str, *, own_links_only: bool = False) -> str:
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        attribute_filter=_own_links if own_links_only else None,
    )


def _own_links(tag: str, attribute: str, value: str) -> str | None:
    """In a reply only links within Tandem stay clickable: a model that followed a poisoned guideline could
    otherwise put a phishing link in front of a participant. The link text stays; the href goes."""
    if tag == "a" and attribute == "href" and not (value.startswith("/") and not value.startswith("//")):
        return None
    return value


def render_markdown(text: str) -> str:
    """Safe HTML for a Markdown document, every heading with an id."""
    return _clean(_with_heading_ids(text))


def render_plain(text: str) -> str:
    """Safe HTML for plain text: one paragraph per blank-line-separated block."""
    blocks = [block.strip() for block in re.split(r"\n\s*\n", text) if block.strip()]
    return "\n".join(f"<p>{escape(block).replace(chr(10), '<br>')}</p>" for block in blocks)


def guideline_href(citation: Mapping[str, Any]) -> str:
    """``knowledge/feedback.md`` + section ``A > B`` -> ``/guidelines/feedback.md#b`` (as citations.js does)."""
    parts = str(citation.get("source", "")).split("/")
    path = "/".join(quote(part) for part in (parts[1:] if len(parts) > 1 else parts))
    section = str(citation.get("section") or "").split(" > ")[-1]
    return f"/guidelines/{path}#{slugify(section)}"


def render_reply(text: str, citations: Sequence[Mapping[str, Any]] = ()) -> str:
    """Safe HTML for a chat reply: Markdown rendered, each ``[n]`` a link to the n-th cited section."""
    html = _parser.render(text)

    def link(match: re.Match[str]) -> str:
        number = int(match.group(1))
        if not 1 <= number <= len(citations):
            return match.group(0)
        citation = citations[number - 1]
        title = escape(f"{citation.get('source', '')}: {citation.get('section', '')}", quote=True)
        href = escape(guideline_href(citation), quote=True)
        return f'<a class="cite" href="{href}" data-cite="{number}" title="{title}" target="_blank">[{number}]</a>'

    return _clean(CITATION_MARKER.sub(link, html), own_links_only=True)
