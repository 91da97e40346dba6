// Plan mode: the agenda as a table with minutes, and downloads of the .ics event and the Markdown.
import { ApiError, getJson, request } from "./api.js";
import { announce, downloadBlob, el } from "./dom.js";

function nextFullHour() {
  const start = new Date(Date.now() + 60 * 60 * 1000);
  start.setMinutes(0, 0, 0);
  const pad = (n) => String(n).padStart(2, "0");
  return `${start.getFullYear()}-${pad(start.getMonth() + 1)}-${pad(start.getDate())}T${pad(start.getHours())}:00`;
}

export function agendaTable(agenda) {
  return el(
    "table",
    { class: "data agenda" },
    el("caption", {}, `Agenda (${agenda.total_minutes} minutes)`),
    el(
      "thead",
      {},
      el("tr", {}, el("th", { scope: "col" }, "Item"), el("th", { scope: "col", class: "num" }, "Minutes"), el("th", { scope: "col" }, "Purpose")),
    ),
    el(
      "tbody",
      {},
      agenda.items.map((item) =>
        el("tr", {}, el("th", { scope: "row" }, item.title), el("td", { class: "num" }, String(item.minutes)), el("td", {}, item.purpose)),
      ),
    ),
    el("tfoot", {}, el("tr", {}, el("th", { scope: "row" }, "Total"), el("td", { class: "num" }, String(agenda.total_minutes)), el("td", {}))),
  );
}

async function calendarRequest(conversation, plan, start) {
  const [detail, goals] = await Promise.all([
    getJson(`/conversations/${encodeURIComponent(conversation.id)}`),
    getJson("/goals?status=active"),
  ]);
  const state = detail.state || {};
  return {
    ...plan,
    goal_ids: goals.data.map((goal) => goal.id).slice(0, 10),
    open_actions: (state.actions || []).slice(0, 20),
    notes: (state.notes || []).slice(-3).join("\n").slice(0, 2000),
    start: new Date(start).toISOString(),
    title: (conversation.title || "Reverse-mentoring session").slice(0, 200),
  };
}

export function renderPlanPanel(panel, message, conversation) {
  const agenda = message && message.data && message.data.agenda;
  panel.replaceChildren(el("h2", {}, "Session plan"));
  if (!agenda) {
    panel.append(el("p", { class: "hint" }, "Describe the session, for example “Plan a 30 minute remote session”."));
    return;
  }
  const status = el("p", { class: "hint", role: "status", "aria-live": "polite" });
  const start = el("input", { id: "plan-start", type: "datetime-local", value: nextFullHour(), min: nextFullHour().slice(0, 10) + "T00:00", required: true });
  const ics = el("button", { type: "button", id: "download-ics" }, "Download .ics");
  const markdown = el("button", { type: "button", class: "secondary", id: "download-markdown" }, "Download Markdown");
  ics.addEventListener("click", async () => {
    if (!start.value) return announce(status, "Choose when the session starts.");
    ics.disabled = true;
    try {
      const body = await calendarRequest(conversation, message.data.plan, start.value);
      const response = await request("/plans/ics", { method: "POST", json: body });
      downloadBlob("tandem-session.ics", await response.blob());
      announce(status, "Calendar file downloaded.");
    } catch (error) {
      announce(status, error instanceof ApiError ? error.message : "The download failed.");
    } finally {
      ics.disabled = false;
    }
  });
  markdown.addEventListener("click", () => {
    downloadBlob("tandem-session.md", new Blob([message.content], { type: "text/markdown" }));
    announce(status, "Markdown downloaded.");
  });
  const plan = message.data.plan || {};
  const kinds = { first: "first session", regular: "regular session", closing: "closing session" };
  panel.append(
    el("p", { class: "plan-summary" }, `${plan.minutes} minutes · ${plan.format} · ${kinds[plan.session] || plan.session}`),
    el("div", { class: "table-wrap" }, agendaTable(agenda)),
    el("div", { class: "stack" }, el("label", { for: "plan-start" }, "Session starts"), start),
    el("div", { class: "toolbar" }, ics, markdown),
    status,
  );
}
