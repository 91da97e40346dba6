// My goals: each saved goal with its SMART score, a status to change, and deletion.
import { ApiError, getJson, request, sendJson } from "./api.js";
import { $, announce, el, showMessage } from "./dom.js";

const STATUSES = [
  ["draft", "Draft"],
  ["active", "Active"],
  ["done", "Done"],
];
const list = $("#goal-list");
const status = $("#goals-status");
const empty = $("#goals-empty");

function metCount(criteria) {
  return Object.values(criteria || {}).filter((criterion) => criterion.met).length;
}

const LABELS = { specific: "Specific", measurable: "Measurable", achievable: "Achievable", relevant: "Relevant", time_bound: "Time-bound" };

// "4 of 5 SMART criteria met, missing: Time-bound": the count alone does not say what to fix.
function metSummary(criteria) {
  const names = Object.keys(criteria || {});
  const missing = names.filter((name) => !criteria[name].met).map((name) => LABELS[name] || name);
  const count = `${metCount(criteria)} of ${names.length || 5} SMART criteria met`;
  return missing.length ? `${count}, missing: ${missing.join(", ")}` : count;
}

function goalNode(goal) {
  const selectId = `goal-status-${goal.id}`;
  const select = el(
    "select",
    { id: selectId },
    STATUSES.map(([value, label]) => el("option", { value, selected: value === goal.status }, label)),
  );
  select.addEventListener("change", async () => {
    try {
      const updated = await sendJson("PATCH", `/goals/${goal.id}`, { status: select.value });
      announce(status, `Goal status changed to ${updated.status}.`);
    } catch (error) {
      select.value = goal.status;
      announce(status, error instanceof ApiError ? error.message : "The change was not saved.");
      return;
    }
    goal.status = select.value;
  });
  const remove = el("button", { type: "button", class: "danger" }, "Delete");
  remove.addEventListener("click", async () => {
    if (!window.confirm("Delete this goal?")) return;
    try {
      await request(`/goals/${goal.id}`, { method: "DELETE" });
      announce(status, "Goal deleted.");
      await load();
    } catch (error) {
      announce(status, error instanceof ApiError ? error.message : "The goal was not deleted.");
    }
  });
  const edit = el("button", { type: "button", class: "secondary" }, "Edit");
  const done = (goal.milestones || []).filter((m) => m.done).length;
  const node = el(
    "li",
    { class: "goal", "data-goal-id": goal.id },
    el("p", { class: "goal-text" }, goal.text),
    el(
      "div",
      { class: "goal-meta" },
      el("span", {}, metSummary(goal.criteria)),
      goal.target_date ? el("span", { class: "goal-target" }, `Target: ${goal.target_date}`) : el("span", { class: "goal-target" }, "No target date"),
      goal.milestones?.length ? el("span", {}, `${done} of ${goal.milestones.length} milestones done`) : null,
      el("label", { for: selectId }, "Status"),
      select,
      edit,
      remove,
    ),
    goal.milestones?.length
      ? el("ul", { class: "milestones", "aria-label": "Milestones" }, goal.milestones.map((m) => el("li", { class: m.done ? "done" : "" }, `${m.done ? "✓ " : ""}${m.text}`)))
      : null,
  );
  edit.addEventListener("click", () => node.replaceWith(goalEditor(goal)));
  return node;
}

function milestoneRow(milestone = { text: "", done: false }) {
  const text = el("input", { class: "milestone-text", value: milestone.text, maxlength: 300, "aria-label": "Milestone" });
  const check = el("input", { type: "checkbox", class: "milestone-done", checked: milestone.done, "aria-label": "Done" });
  const row = el("li", { class: "milestone-row" }, check, text);
  row.append(el("button", { type: "button", class: "link-button", onclick: () => row.remove() }, "Remove"));
  return row;
}

// Edit a goal: its words (checked against SMART again), a target date in words, milestones, status.
function goalEditor(goal) {
  const id = `goal-edit-${goal.id}`;
  const text = el("textarea", { id: `${id}-text`, rows: 3, maxlength: 2000, required: true }, goal.text);
  const target = el("input", { id: `${id}-date`, value: goal.target_date || "", placeholder: "e.g. 31 March, end of June, in 6 weeks", "aria-describedby": `${id}-date-hint` });
  const rows = el("ul", { class: "milestone-rows" }, (goal.milestones || []).map(milestoneRow));
  const error = el("p", { class: "error", role: "alert", hidden: true });
  const form = el(
    "form",
    { class: "stack" },
    el("label", { for: text.id }, "Goal"),
    text,
    el("label", { for: target.id }, "Target date"),
    target,
    el("p", { class: "hint", id: `${id}-date-hint` }, "A date or words: 31 March, end of June, in 6 weeks."),
    el("fieldset", {}, el("legend", {}, "Milestones"), rows, el("button", { type: "button", class: "secondary", onclick: () => rows.append(milestoneRow()) }, "Add milestone")),
    el("div", { class: "toolbar" }, el("button", { type: "submit" }, "Save goal"), el("button", { type: "button", class: "secondary", onclick: () => item.replaceWith(goalNode(goal)) }, "Cancel")),
    error,
  );
  const item = el("li", { class: "goal goal-editor", "data-goal-id": goal.id }, form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const milestones = [...rows.querySelectorAll(".milestone-row")]
      .map((row) => ({ text: row.querySelector(".milestone-text").value.trim(), done: row.querySelector(".milestone-done").checked }))
      .filter((m) => m.text);
    const changes = { text: text.value, milestones };
    if (target.value.trim() && target.value.trim() !== goal.target_date) changes.target_date = target.value.trim();
    try {
      const updated = await sendJson("PATCH", `/goals/${goal.id}`, changes);
      item.replaceWith(goalNode(updated));
      announce(status, `Goal saved: ${metCount(updated.criteria)} of 5 SMART criteria met${updated.target_date ? `, target ${updated.target_date}` : ""}.`);
    } catch (err) {
      showMessage(error, err instanceof ApiError ? err.message : "The goal was not saved: the connection failed.");
    }
  });
  return item;
}

async function load() {
  const { data } = await getJson("/goals");
  list.replaceChildren(...data.map(goalNode));
  empty.hidden = data.length > 0;
}

await load();
