// Numbered citation chips that open the cited section of a guideline page.
import { el } from "./dom.js";

// The same rule as assistant/web/markdown.py's slugify, which gives the headings their ids.
export function slugify(text) {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "") || "section";
}

export function sectionName(citation) {
  return (citation.section || "").split(" > ").pop();
}

// "knowledge/feedback.md" -> /guidelines/feedback.md#<heading id>
export function guidelineHref(citation) {
  const parts = citation.source.split("/");
  const file = parts.length > 1 ? parts.slice(1) : parts;
  return `/guidelines/${file.map(encodeURIComponent).join("/")}#${slugify(sectionName(citation))}`;
}

export function citationChips(citations) {
  if (!citations || !citations.length) return null;
  return el(
    "ol",
    { class: "citations", "aria-label": "Sources" },
    citations.map((citation, index) =>
      el(
        "li",
        {},
        el(
          "a",
          { class: "chip", href: guidelineHref(citation), target: "_blank", rel: "noopener", title: citation.source },
          el("span", { class: "chip-number", "aria-hidden": "true" }, String(index + 1)),
          el("span", { class: "visually-hidden" }, `Source ${index + 1}: `),
          sectionName(citation),
          el("span", { class: "visually-hidden" }, " (opens in a new tab)"),
        ),
      ),
    ),
  );
}
