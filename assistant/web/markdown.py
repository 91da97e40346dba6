"""A small, safe Markdown renderer for the guideline pages.

Everything in the source is HTML-escaped first, so a guideline can never inject markup or script;
then the subset the guidelines use is rendered: headings (with ids for citation links), bullet and
numbered lists (with indented continuation lines), bold, italic, inline code, code blocks, block
quotes, rules and paragraphs.
"""

from __future__ import annotations

import re
from html import escape

HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
BULLET = re.compile(r"^[-*+]\s+(.*)$")
NUMBERED = re.compile(r"^\d{1,3}[.)]\s+(.*)$")
RULE = re.compile(r"^(?:-{3,}|\*{3,}|_{3,})\s*$")
FENCE = re.compile(r"^(```|~~~)")
STRONG = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
EMPHASIS = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])|(?<!\w)_(?!\s)(.+?)(?<!\s)_(?!\w)")
CODE = re.compile(r"`([^`]+)`")


def slugify(text: str) -> str:
    """The id of a heading; ``assistant/web/static/js/guidelines.js`` computes the same for citations."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


def render_inline(text: str) -> str:
    """Escape ``text``, then render code, bold and italic spans."""
    parts = CODE.split(text)
    html = []
    for index, part in enumerate(parts):
        if index % 2:
            html.append(f"<code>{escape(part)}</code>")
            continue
        span = escape(part, quote=False)
        span = STRONG.sub(lambda m: f"<strong>{m.group(1) or m.group(2)}</strong>", span)
        span = EMPHASIS.sub(lambda m: f"<em>{m.group(1) or m.group(2)}</em>", span)
        html.append(span)
    return "".join(html)


class _Renderer:
    def __init__(self) -> None:
        self.html: list[str] = []
        self.paragraph: list[str] = []
        self.quote: list[str] = []
        self.list_tag: str | None = None
        self.items: list[list[str]] = []
        self.ids: dict[str, int] = {}

    def heading_id(self, text: str) -> str:
        slug = slugify(text)
        self.ids[slug] = self.ids.get(slug, 0) + 1
        return slug if self.ids[slug] == 1 else f"{slug}-{self.ids[slug]}"

    def flush(self) -> None:
        if self.paragraph:
            self.html.append(f"<p>{'<br>'.join(render_inline(line) for line in self.paragraph)}</p>")
            self.paragraph = []
        if self.quote:
            lines = "<br>".join(render_inline(line) for line in self.quote)
            self.html.append(f"<blockquote><p>{lines}</p></blockquote>")
            self.quote = []
        if self.list_tag:
            items = "".join(f"<li>{'<br>'.join(render_inline(line) for line in item)}</li>" for item in self.items)
            self.html.append(f"<{self.list_tag}>{items}</{self.list_tag}>")
            self.list_tag, self.items = None, []

    def list_item(self, tag: str, text: str) -> None:
        if self.list_tag != tag:
            self.flush()
            self.list_tag = tag
        self.items.append([text])

    def render(self, text: str) -> str:
        lines = iter(text.replace("\r\n", "\n").split("\n"))
        for line in lines:
            stripped = line.strip()
            if fence := FENCE.match(stripped):
                self.flush()
                code = []
                for inner in lines:
                    if inner.strip().startswith(fence.group(1)):
                        break
                    code.append(inner)
                self.html.append(f"<pre><code>{escape(chr(10).join(code))}</code></pre>")
            elif not stripped:
                self.flush()
            elif heading := HEADING.match(stripped):
                self.flush()
                level, title = len(heading.group(1)), heading.group(2)
                self.html.append(f'<h{level} id="{self.heading_id(title)}">{render_inline(title)}</h{level}>')
            elif RULE.match(stripped):
                self.flush()
                self.html.append("<hr>")
            elif bullet := BULLET.match(stripped):
                self.list_item("ul", bullet.group(1))
            elif numbered := NUMBERED.match(stripped):
                self.list_item("ol", numbered.group(1))
            elif self.list_tag and line[:1].isspace():
                self.items[-1].append(stripped)
            elif stripped.startswith(">"):
                if not self.quote:
                    self.flush()
                self.quote.append(stripped.lstrip(">").strip())
            else:
                if self.list_tag or self.quote:
                    self.flush()
                self.paragraph.append(stripped)
        self.flush()
        return "\n".join(self.html)


def render_markdown(text: str) -> str:
    """Safe HTML for a Markdown document (see the module docstring for the supported subset)."""
    return _Renderer().render(text)


def render_plain(text: str) -> str:
    """Safe HTML for plain text: one paragraph per blank-line-separated block."""
    blocks = [block.strip() for block in re.split(r"\n\s*\n", text) if block.strip()]
    return "\n".join(f"<p>{escape(block).replace(chr(10), '<br>')}</p>" for block in blocks)
