// One chat message: the speaker, the text (Markdown rendered by the server for replies, streamed into
// place as plain text first), its citation chips and its actions (copy; regenerate or edit on the last turn).
import { citationChips } from "./citations.js";
import { el, sanitisedHtml } from "./dom.js";

function providerNote(message) {
  if (!message.provider) return null;
  const text = message.fallback ? `${message.provider} (fallback)` : message.provider;
  return el("p", { class: "provider" }, `Answered by: ${text}`);
}

function contentNode(message) {
  if (message.role === "user" || !message.html) return el("div", { class: "content plain" }, message.content);
  const node = el("div", { class: "content rendered" });
  node.append(sanitisedHtml(message.html));
  return node;
}

// Hovering or focusing a [n] marker lights the n-th source chip.
function linkMarkersToChips(node) {
  for (const marker of node.querySelectorAll("a.cite")) {
    marker.setAttribute("rel", "noopener");
    const chip = () => node.querySelectorAll(".citations .chip")[Number(marker.dataset.cite) - 1];
    for (const [on, lit] of [["mouseenter", true], ["focus", true], ["mouseleave", false], ["blur", false]]) {
      marker.addEventListener(on, () => chip()?.classList.toggle("lit", lit));
    }
  }
}

async function copy(button, text) {
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = "Copied";
  } catch {
    button.textContent = "Copy failed";
  }
  window.setTimeout(() => { button.textContent = "Copy"; }, 2_000);
}

export function actionBar(message, actions = {}) {
  const buttons = [];
  if (message.role !== "user") {
    const button = el("button", { type: "button", class: "link-button action-copy" }, "Copy");
    button.addEventListener("click", () => copy(button, message.content));
    buttons.push(button);
  }
  if (actions.regenerate) buttons.push(el("button", { type: "button", class: "link-button", onclick: actions.regenerate }, "Regenerate"));
  if (actions.edit) buttons.push(el("button", { type: "button", class: "link-button", onclick: actions.edit }, "Edit"));
  return buttons.length ? el("div", { class: "message-actions", role: "group", "aria-label": "Message actions" }, buttons) : null;
}

// speaker: who said an assistant message (a rehearsal persona's name), Tandem by default.
export function messageNode(message, actions = {}, speaker = "Tandem") {
  const mine = message.role === "user";
  const persona = !mine && speaker !== "Tandem";
  const node = el(
    "article",
    { class: `message ${mine ? "user" : "assistant"}${persona ? " persona" : ""}`, "data-message-id": message.id },
    el("h3", { class: "speaker" }, mine ? "You" : speaker),
    contentNode(message),
    mine ? null : citationChips(message.citations),
    mine ? null : providerNote(message),
    actionBar(message, actions),
  );
  linkMarkersToChips(node);
  return node;
}

// A reply being streamed: tokens are appended as they come, then the stored reply replaces them.
export class StreamingReply {
  constructor() {
    this.content = el("div", { class: "content plain" });
    this.node = el(
      "article",
      { class: "message assistant streaming", "aria-busy": "true" },
      el("h3", { class: "speaker" }, "Tandem"),
      this.content,
    );
  }

  append(text) {
    this.content.textContent += text;
  }

  reset() {
    this.content.textContent = "";
  }

  finish(message, actions, speaker) {
    const done = messageNode(message, actions, speaker);
    done.classList.add("streamed");
    this.node.replaceWith(done);
    this.node = done;
  }

  // The answer did not arrive (an error, a stop, a timeout); ``retry`` offers to answer again.
  fail(detail, retry) {
    this.node.setAttribute("aria-busy", "false");
    this.node.classList.remove("streaming");
    this.node.classList.add("failed");
    const note = el("p", { class: "error" }, detail);
    this.node.append(note);
    if (retry) this.node.append(el("div", { class: "message-actions" }, el("button", { type: "button", class: "secondary", onclick: retry }, "Retry")));
  }
}
