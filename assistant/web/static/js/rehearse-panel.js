// Rehearse mode: the persona, and the critique of each of your lines with the flagged words marked.
import { el } from "./dom.js";

const SBI = [
  ["situation", "Situation"],
  ["behavior", "Behaviour"],
  ["impact", "Impact"],
];

// The line as text and <mark> nodes: each flagged span (found case-insensitively) is highlighted.
export function highlightFlags(line, flags) {
  const lower = line.toLowerCase();
  const ranges = [];
  for (const flag of flags) {
    const span = (flag.span || "").toLowerCase();
    const at = span ? lower.indexOf(span) : -1;
    if (at >= 0) ranges.push({ start: at, end: at + span.length, flag });
  }
  ranges.sort((a, b) => a.start - b.start);
  const nodes = [];
  let position = 0;
  for (const range of ranges) {
    if (range.start < position) continue;
    nodes.push(line.slice(position, range.start));
    nodes.push(el("mark", { title: `${range.flag.kind}: ${range.flag.why}` }, line.slice(range.start, range.end)));
    position = range.end;
  }
  nodes.push(line.slice(position));
  return nodes;
}

function critiqueNode(line, critique) {
  const flags = critique.flags || [];
  return el(
    "li",
    { class: "critique" },
    el("blockquote", {}, highlightFlags(line, flags)),
    el(
      "ul",
      { class: "sbi", "aria-label": "Situation, behaviour, impact" },
      SBI.map(([key, label]) => {
        const met = critique[key] && critique[key].met;
        return el("li", { title: critique[key] ? critique[key].why : "" }, `${met ? "✓" : "✗"} ${label}`, el("span", { class: "visually-hidden" }, met ? " present" : " missing"));
      }),
    ),
    flags.length
      ? el("ul", { class: "flags", "aria-label": "Flagged words" }, flags.map((f) => el("li", {}, el("strong", {}, `“${f.span}”`), ` (${f.kind}): ${f.why}`)))
      : el("p", { class: "hint" }, "No flagged words."),
    (critique.rephrasings || []).length ? el("p", {}, el("strong", {}, "Try: "), critique.rephrasings[0]) : null,
  );
}

const PART_NAMES = { situation: "Situation", behavior: "Behaviour", impact: "Impact" };

function summaryNode(summary) {
  return el(
    "section",
    { class: "rehearsal-summary", "aria-labelledby": "summary-heading" },
    el("h3", { id: "summary-heading" }, "Rehearsal summary"),
    el("h4", {}, "What went well"),
    el("ul", { class: "went-well" }, summary.went_well.map((item) => el("li", {}, item))),
    el("h4", {}, "SBI parts missed"),
    summary.missed.length
      ? el("ul", { class: "missed" }, summary.missed.map((m) => el("li", {}, `${PART_NAMES[m.part]}: missing in ${m.lines} of ${summary.lines} lines`)))
      : el("p", {}, "None: every line had all three parts."),
    summary.rephrasings.length ? el("h4", {}, "Try saying it this way") : null,
    summary.rephrasings.length ? el("ol", { class: "rephrasings" }, summary.rephrasings.map((text) => el("li", {}, text))) : null,
  );
}

// messages: the whole conversation; each assistant reply with a critique follows the line it judges.
// onEnd: ends the rehearsal (sends "end rehearsal"); offered once there is a line to summarise.
export function renderRehearsePanel(panel, messages, conversation, { onEnd } = {}) {
  const persona = (conversation.state && conversation.state.persona) || {};
  const items = [];
  messages.forEach((message, index) => {
    const critique = message.role === "assistant" && message.data && message.data.critique;
    const line = index > 0 ? messages[index - 1] : null;
    if (critique && line && line.role === "user") items.push(critiqueNode(line.content, critique));
  });
  const summary = [...messages].reverse().find((m) => m.data && m.data.summary)?.data.summary;
  const who = `${persona.name || "Your colleague"}: ${persona.attitude || "skeptical"} ${persona.role || ""}, ${persona.tenure_years ?? ""} years at the company.`;
  const children = [
    el("h2", {}, summary ? "How it went" : "Feedback on your lines"),
    el("p", { class: "hint" }, summary ? who : `${who} End the rehearsal for a summary.`),
    summary ? summaryNode(summary) : null,
    !summary && items.length && onEnd ? el("button", { type: "button", class: "secondary", onclick: onEnd }, "End rehearsal") : null,
    items.length ? el("ol", { class: "critiques", "aria-label": "Your lines" }, items.reverse()) : el("p", { class: "hint" }, "Say a feedback line to the persona: its critique appears here."),
  ];
  panel.replaceChildren(...children.filter(Boolean));
}
