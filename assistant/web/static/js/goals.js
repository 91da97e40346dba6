// My goals: each saved goal with its SMART score, a status to change, and deletion.
import { ApiError, getJson, request, sendJson } from "./api.js";
import { $, announce, el } from "./dom.js";

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
  const criteria = Object.keys(goal.criteria || {}).length;
  return el(
    "li",
    { class: "goal", "data-goal-id": goal.id },
    el("p", { class: "goal-text" }, goal.text),
    el(
      "div",
      { class: "goal-meta" },
      el("span", {}, `${metCount(goal.criteria)} of ${criteria || 5} SMART criteria met`),
      goal.target_date ? el("span", {}, `Target: ${goal.target_date}`) : null,
      el("label", { for: selectId }, "Status"),
      select,
      remove,
    ),
  );
}

async function load() {
  const { data } = await getJson("/goals");
  list.replaceChildren(...data.map(goalNode));
  empty.hidden = data.length > 0;
}

await load();
