// A pulse (after a session) or survey (mid-point, end): each question a 1-5 scale of radio buttons,
// then one optional open question; sent with POST /pulses.
import { ApiError, sendJson } from "./api.js";
import { el, showMessage } from "./dom.js";

const SCALE = [1, 2, 3, 4, 5];

function scale(prefix, name, text) {
  const legendId = `${prefix}-${name}-legend`;
  return el(
    "fieldset",
    { class: "scale", "data-question": name },
    el("legend", { id: legendId }, text, " ", el("span", { class: "hint" }, "(1 not at all, 5 very)")),
    SCALE.map((value) =>
      el("label", {}, el("input", { type: "radio", name: `${prefix}-${name}`, value, required: true }), ` ${value}`),
    ),
  );
}

/** The form for one pulse; ``onDone(pulse)`` runs after it was saved. */
export function pulseForm({ kind, sessionId = null, questions, openQuestion, prefix, onDone }) {
  const names = Object.keys(questions[kind]);
  const commentId = `${prefix}-comment`;
  const error = el("p", { class: "error", role: "alert", hidden: true });
  const submit = el("button", { type: "submit" }, "Send my answers");
  const form = el(
    "form",
    { class: "stack pulse-form", "data-kind": kind },
    names.map((name) => scale(prefix, name, questions[kind][name])),
    el("div", { class: "field" }, el("label", { for: commentId }, openQuestion, " ", el("span", { class: "hint" }, "(optional; names are removed before it is kept)")), el("textarea", { id: commentId, name: "comment", rows: 3, maxlength: 2000 })),
    el("div", { class: "toolbar" }, submit),
    error,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const scores = Object.fromEntries(names.map((name) => [name, Number(data.get(`${prefix}-${name}`))]));
    showMessage(error, "");
    submit.disabled = true;
    try {
      const body = { kind, scores, comment: data.get("comment").trim() };
      if (sessionId !== null) body.session_id = sessionId;
      const pulse = await sendJson("POST", "/pulses", body);
      onDone(pulse);
    } catch (failed) {
      showMessage(error, failed instanceof ApiError ? failed.message : "Not sent: the connection failed.");
      submit.disabled = false;
    }
  });
  return form;
}
