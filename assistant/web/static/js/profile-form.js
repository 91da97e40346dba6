// The matching profile form on My pair: skills from GET /skills as checkboxes, weekly slots, format,
// work style; saved with PUT /profile (it counts from the next matching proposal).
import { ApiError, getJson, sendJson } from "./api.js";
import { $, announce, el, showMessage } from "./dom.js";

const DAYS = [
  ["mon", "Monday"],
  ["tue", "Tuesday"],
  ["wed", "Wednesday"],
  ["thu", "Thursday"],
  ["fri", "Friday"],
  ["sat", "Saturday"],
  ["sun", "Sunday"],
];
const PARTS = [
  ["am", "morning"],
  ["lunch", "lunch"],
  ["pm", "afternoon"],
];
const GROUPS = { digital: "Digital skills", leadership: "Leadership and business skills" };
const MAX_PRIORITIES = 2;

const ui = {
  form: $("#profile-form"),
  skills: $("#skills-table tbody"),
  slots: $("#slots-table tbody"),
  status: $("#profile-status"),
  error: $("#profile-error"),
};

function box(name, value, label) {
  return el("input", { type: "checkbox", name, value, "aria-label": label });
}

function skillRows(skills) {
  const groups = [...new Set(skills.map((s) => s.group))];
  return groups.flatMap((group) => [
    el("tr", { class: "group-row" }, el("th", { scope: "colgroup", colspan: "4" }, GROUPS[group] || group)),
    ...skills
      .filter((s) => s.group === group)
      .map((s) =>
        el(
          "tr",
          { "data-skill": s.id },
          el("th", { scope: "row" }, s.label),
          el("td", {}, box("teaches", s.id, `Teach ${s.label}`)),
          el("td", {}, box("wants", s.id, `Learn ${s.label}`)),
          el("td", {}, box("priorities", s.id, `Priority: ${s.label}`)),
        ),
      ),
  ]);
}

function slotRows() {
  return DAYS.map(([day, dayName]) =>
    el("tr", {}, el("th", { scope: "row" }, dayName), PARTS.map(([part, partName]) => el("td", {}, box("availability", `${day}-${part}`, `${dayName} ${partName}`)))),
  );
}

// A priority is one of the wanted skills, and there are at most two.
function syncPriorities() {
  const chosen = ui.form.querySelectorAll("input[name=priorities]:checked").length;
  for (const row of ui.skills.querySelectorAll("tr[data-skill]")) {
    const wants = row.querySelector("input[name=wants]");
    const priority = row.querySelector("input[name=priorities]");
    if (!wants.checked) priority.checked = false;
    priority.disabled = !wants.checked || (!priority.checked && chosen >= MAX_PRIORITIES);
  }
}

function normalise(values, skills) {
  const byLabel = new Map(skills.map((s) => [s.label.toLowerCase(), s.id]));
  return new Set((values || []).map((v) => byLabel.get(String(v).toLowerCase()) || String(v).toLowerCase()));
}

function fill(profile, skills) {
  ui.form.elements.department.value = profile.department || "";
  for (const name of ["teaches", "wants", "priorities", "availability"]) {
    const wanted = normalise(profile[name], name === "availability" ? [] : skills);
    for (const input of ui.form.querySelectorAll(`input[name=${name}]`)) input.checked = wanted.has(input.value);
  }
  for (const radio of ui.form.querySelectorAll("input[name=format]")) radio.checked = radio.value === profile.format;
  ui.form.elements.work_style.value = profile.work_style || "mixed";
  ui.form.elements.manager_id.value = profile.manager_id || "";
  ui.form.elements.motivation.value = profile.motivation || "";
}

function answers() {
  const form = new FormData(ui.form);
  return {
    department: form.get("department").trim(),
    teaches: form.getAll("teaches"),
    wants: form.getAll("wants"),
    priorities: form.getAll("priorities"),
    availability: form.getAll("availability"),
    format: form.get("format") || "hybrid",
    work_style: form.get("work_style"),
    manager_id: form.get("manager_id").trim() || null,
    motivation: form.get("motivation").trim(),
  };
}

export async function setUpProfile(profile) {
  const { data: skills } = await getJson("/skills");
  ui.skills.replaceChildren(...skillRows(skills));
  ui.slots.replaceChildren(...slotRows());
  if (profile) fill(profile, skills);
  syncPriorities();
  ui.form.addEventListener("change", syncPriorities);
  ui.form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = answers();
    showMessage(ui.error, "");
    if (!body.availability.length) {
      showMessage(ui.error, "Tick at least one time when you can meet.");
      return;
    }
    try {
      await sendJson("PUT", "/profile", body);
      announce(ui.status, "Saved. It counts from the next matching proposal.");
    } catch (error) {
      showMessage(ui.error, error instanceof ApiError ? error.message : "Not saved: the connection failed.");
    }
  });
}
