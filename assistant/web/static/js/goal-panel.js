// Goal mode: the five SMART criteria of the latest draft, and saving the improved draft to My goals.
import { ApiError, sendJson } from "./api.js";
import { announce, el } from "./dom.js";

const CRITERIA = [
  ["specific", "Specific"],
  ["measurable", "Measurable"],
  ["achievable", "Achievable"],
  ["relevant", "Relevant"],
  ["time_bound", "Time-bound"],
];

function checklist(criteria) {
  return el(
    "ul",
    { class: "smart", "aria-label": "SMART criteria" },
    CRITERIA.map(([key, label]) => {
      const criterion = criteria[key] || { met: false, why: "" };
      return el(
        "li",
        { "data-criterion": key, "data-met": String(criterion.met) },
        el("span", { class: criterion.met ? "mark-met" : "mark-missing", "aria-hidden": "true" }, criterion.met ? "✓" : "✗"),
        el("span", {}, el("strong", {}, label), el("span", { class: "visually-hidden" }, criterion.met ? ": met" : ": missing")),
        el("span", { class: "why" }, criterion.why),
      );
    }),
  );
}

export function renderGoalPanel(panel, message) {
  const check = message && message.data && message.data.goal_check;
  panel.replaceChildren(el("h2", {}, "SMART check"));
  if (!check) {
    panel.append(el("p", { class: "hint" }, "Write a draft goal: the checklist updates with each draft."));
    return;
  }
  const draft = el("textarea", { id: "goal-draft", rows: "5", maxlength: "2000" });
  draft.value = check.suggestion;
  const status = el("p", { id: "goal-saved", class: "hint", role: "status", "aria-live": "polite" });
  const save = el("button", { type: "submit" }, "Save to My goals");
  const form = el(
    "form",
    { class: "stack" },
    el("label", { for: "goal-draft" }, "Improved draft"),
    el("p", { class: "hint" }, "Replace the parts in [brackets] with your own details before saving."),
    draft,
    save,
    status,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    save.disabled = true;
    try {
      const goal = await sendJson("POST", "/goals", { text: draft.value, status: "draft" });
      status.replaceChildren("Saved to ", el("a", { href: "/goals" }, "My goals"), ` (goal ${goal.id}).`);
    } catch (error) {
      announce(status, error instanceof ApiError ? `Not saved: ${error.message}` : "Not saved: the connection failed.");
    } finally {
      save.disabled = false;
    }
  });
  const questions = (check.questions || []).length
    ? [el("h3", {}, "To fill the gaps"), el("ol", {}, check.questions.map((q) => el("li", {}, q)))]
    : [];
  panel.append(checklist(check.criteria || {}), ...questions, form);
}
