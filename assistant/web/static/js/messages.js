// One chat message: the speaker, the text (streamed into place for replies) and its citation chips.
import { citationChips } from "./citations.js";
import { el } from "./dom.js";

function providerNote(message) {
  if (!message.provider) return null;
  const text = message.fallback ? `${message.provider} (fallback)` : message.provider;
  return el("p", { class: "provider" }, `Answered by: ${text}`);
}

export function messageNode(message) {
  const mine = message.role === "user";
  return el(
    "article",
    { class: `message ${mine ? "user" : "assistant"}`, "data-message-id": message.id },
    el("h3", { class: "speaker" }, mine ? "You" : "Tandem"),
    el("p", { class: "content" }, message.content),
    mine ? null : citationChips(message.citations),
    mine ? null : providerNote(message),
  );
}

// A reply being streamed: tokens are appended as they come, then the stored reply replaces them.
export class StreamingReply {
  constructor() {
    this.content = el("p", { class: "content" });
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

  finish(message) {
    const done = messageNode(message);
    done.classList.add("streamed");
    this.node.replaceWith(done);
    this.node = done;
  }

  fail(detail) {
    this.node.setAttribute("aria-busy", "false");
    this.content.textContent = detail;
    this.node.classList.add("failed");
  }
}
