// My pair: the matching profile, the pair's agreement (draft, fill in, accept, history), the session
// log with actions, the pulse after a session, the mid-point and end surveys, and the next agenda.
import { ApiError, API, getJson, sendJson } from "./api.js";
import { $, announce, downloadBlob, el, showMessage } from "./dom.js";
import { agendaTable } from "./plan-panel.js";
import { setUpProfile } from "./profile-form.js";
import { pulseForm } from "./pulse-form.js";

const me = Number($("#pair-page").dataset.userId);
const ui = {
  intro: $("#pair-intro"),
  error: $("#pair-error"),
  links: $("#pair-links"),
  calendar: $("#calendar-link"),
  profileSection: $("#profile-section"),
  profileDetails: $("#profile-details"),
  agreementSection: $("#agreement-section"),
  agreementEmpty: $("#agreement-empty"),
  agreementCurrent: $("#agreement-current"),
  agreementVersion: $("#agreement-version"),
  acceptance: $("#acceptance"),
  agreementForm: $("#agreement-form"),
  agreementFields: $("#agreement-fields"),
  editAll: $("#edit-all"),
  accept: $("#accept-button"),
  acceptHint: $("#accept-hint"),
  history: $("#agreement-history"),
  draft: $("#draft-button"),
  agreementStatus: $("#agreement-status"),
  agreementError: $("#agreement-error"),
  logSection: $("#log-section"),
  sessionForm: $("#session-form"),
  sessionDate: $("#session-date"),
  actionRows: $("#action-rows"),
  addAction: $("#add-action"),
  sessionStatus: $("#session-status"),
  sessionError: $("#session-error"),
  pulseSection: $("#pulse-section"),
  pulseHeading: $("#pulse-heading"),
  pulseSlot: $("#pulse-slot"),
  actionsSection: $("#actions-section"),
  openActions: $("#open-actions"),
  noOpenActions: $("#no-open-actions"),
  actionsStatus: $("#actions-status"),
  sessions: $("#session-list"),
  noSessions: $("#no-sessions"),
  planSection: $("#plan-section"),
  planForm: $("#next-plan-form"),
  plan: $("#next-plan"),
  planError: $("#plan-error"),
  surveySection: $("#survey-section"),
  surveyDone: $("#survey-done"),
  surveySlot: $("#survey-slot"),
};
const SURVEYS = { midpoint: ["#midpoint-button", "mid-point survey"], end: ["#end-button", "end survey"] };
const state = { pair: null, agreement: null, questions: null, pulses: [], sessions: [] };

function failure(error) {
  return error instanceof ApiError ? error.message : "The connection failed.";
}

function day(iso) {
  return iso ? iso.slice(0, 10) : "";
}

function today() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

function side() {
  return state.pair.mentor_id === me ? "mentor" : "mentee";
}

function nameOf(userId) {
  return userId === state.pair.mentor_id ? state.pair.mentor_name : state.pair.mentee_name;
}

function squash(text) {
  return String(text).split(/\s+/).filter(Boolean).join(" ");
}

// --- agreement -------------------------------------------------------------------------------------

// "every two weeks, [length]" -> text and a highlighted gap to fill in, instead of raw brackets.
function withGaps(text) {
  return text.split(/(\[[^\]]+\])/).map((part) =>
    /^\[[^\]]+\]$/.test(part) ? el("mark", { class: "to-fill", title: "to fill in" }, part.slice(1, -1)) : part,
  );
}

function fieldNode(field, index, editable, unfilled) {
  const id = `agreement-field-${index}`;
  const mark = unfilled ? el("span", { class: "to-fill" }, " (to fill in)") : null;
  if (!editable) {
    return el("div", { class: "agreement-field" }, el("p", { class: "field-label" }, field.label), el("p", { class: "field-value" }, withGaps(field.value)));
  }
  return el(
    "div",
    { class: `agreement-field${unfilled ? " unfilled" : ""}` },
    el("label", { for: id, class: "field-label" }, field.label, mark),
    el("textarea", { id, rows: 2, maxlength: 1000, "data-label": field.label, "data-original": field.value }, field.value),
  );
}

function acceptedLine(role, name, at, version) {
  return el("li", { "data-side": role }, el("strong", {}, `${role === "mentor" ? "Mentor" : "Mentee"} ${name}: `), at ? `accepted on ${day(at)}` : `has not accepted version ${version} yet`);
}

function renderAgreement() {
  const agreement = state.agreement;
  ui.agreementEmpty.hidden = Boolean(agreement);
  ui.agreementCurrent.hidden = !agreement;
  if (!agreement) return;
  const drafter = agreement.drafted_by === "assistant" ? "Tandem" : `the ${agreement.drafted_by}`;
  ui.agreementVersion.replaceChildren(
    el("strong", {}, `Version ${agreement.version}`),
    `, drafted by ${drafter} on ${day(agreement.created_at)}`,
    agreement.accepted ? el("span", { class: "status-ok" }, " · accepted by both") : "",
  );
  ui.acceptance.replaceChildren(
    acceptedLine("mentor", state.pair.mentor_name, agreement.mentor_accepted_at, agreement.version),
    acceptedLine("mentee", state.pair.mentee_name, agreement.mentee_accepted_at, agreement.version),
  );
  const unfilled = new Set(agreement.unfilled);
  ui.agreementFields.replaceChildren(
    ...agreement.fields.map((field, index) => fieldNode(field, index, ui.editAll.checked || unfilled.has(field.label), unfilled.has(field.label))),
  );
  $("#save-agreement").hidden = !ui.agreementFields.querySelector("textarea");
  const mine = side() === "mentor" ? agreement.mentor_accepted_at : agreement.mentee_accepted_at;
  ui.accept.textContent = `Accept version ${agreement.version}`;
  ui.accept.hidden = Boolean(mine);
  ui.accept.disabled = unfilled.size > 0;
  ui.acceptHint.textContent = unfilled.size
    ? `Fill in every [bracketed] part and save before accepting: ${[...unfilled].join(", ")}.`
    : mine
      ? `You accepted version ${agreement.version}.`
      : "Accepting says you both agree to this version; any later change needs both of you again.";
}

async function loadAgreement() {
  try {
    state.agreement = await getJson(`/pairs/${state.pair.id}/agreement`);
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404)) throw error;
    state.agreement = null;
  }
  renderAgreement();
  await loadHistory();
}

async function loadHistory() {
  if (!state.agreement) return;
  const { data } = await getJson(`/pairs/${state.pair.id}/agreement/versions`);
  ui.history.replaceChildren(
    ...[...data].reverse().map((version) =>
      el(
        "details",
        { class: "version", "data-version": version.version },
        el(
          "summary",
          {},
          `Version ${version.version} · ${version.drafted_by === "assistant" ? "Tandem" : version.drafted_by} · ${day(version.created_at)} · `,
          version.accepted ? "accepted by both" : "not accepted by both",
        ),
        el("dl", { class: "version-fields" }, version.fields.map((f) => [el("dt", {}, f.label), el("dd", {}, withGaps(f.value))])),
      ),
    ),
  );
}

async function agreementAction(change, message) {
  showMessage(ui.agreementError, "");
  try {
    state.agreement = await change();
    renderAgreement();
    announce(ui.agreementStatus, message(state.agreement));
    await loadHistory();
  } catch (error) {
    showMessage(ui.agreementError, failure(error));
  }
}

function agreementChanges() {
  const changes = {};
  for (const area of ui.agreementFields.querySelectorAll("textarea")) {
    if (squash(area.value) !== squash(area.dataset.original)) changes[area.dataset.label] = area.value;
  }
  return changes;
}

ui.draft.addEventListener("click", () =>
  agreementAction(() => sendJson("POST", `/pairs/${state.pair.id}/agreement/draft`), (a) => `Version ${a.version} drafted.`),
);
ui.editAll.addEventListener("change", renderAgreement);
ui.agreementForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const changes = agreementChanges();
  if (!Object.keys(changes).length) {
    showMessage(ui.agreementError, "Nothing changed.");
    return;
  }
  agreementAction(
    () => sendJson("PATCH", `/pairs/${state.pair.id}/agreement`, { changes }),
    (a) => `Saved as version ${a.version}; both of you accept it again.`,
  );
});
ui.accept.addEventListener("click", () => {
  if (Object.keys(agreementChanges()).length) {
    showMessage(ui.agreementError, "Save your changes first: you accept the saved version.");
    return;
  }
  agreementAction(
    () => sendJson("POST", `/pairs/${state.pair.id}/agreement/accept`, { version: state.agreement.version }),
    (a) => (a.accepted ? `Version ${a.version} is accepted by both of you.` : `You accepted version ${a.version}.`),
  );
});

// --- session log and actions -----------------------------------------------------------------------

function renumberActions() {
  [...ui.actionRows.children].forEach((row, index) => {
    const number = index + 1;
    for (const [selector, text] of [
      [".action-text-label", `Action ${number}`],
      [".action-owner-label", `Owner of action ${number}`],
      [".action-due-label", `Due date of action ${number}`],
    ]) {
      row.querySelector(selector).textContent = text;
    }
    row.querySelector(".remove-action").setAttribute("aria-label", `Remove action ${number}`);
  });
}

let actionIds = 0;
function addActionRow() {
  const n = ++actionIds;
  const row = el(
    "li",
    { class: "action-row" },
    el("div", { class: "field action-text" }, el("label", { for: `action-text-${n}`, class: "action-text-label" }), el("input", { id: `action-text-${n}`, name: "action_text", maxlength: 300, required: true })),
    el(
      "div",
      { class: "field" },
      el("label", { for: `action-owner-${n}`, class: "action-owner-label" }),
      el(
        "select",
        { id: `action-owner-${n}`, name: "action_owner" },
        el("option", { value: "mentee", selected: side() === "mentee" }, `${state.pair.mentee_name} (mentee)`),
        el("option", { value: "mentor", selected: side() === "mentor" }, `${state.pair.mentor_name} (mentor)`),
      ),
    ),
    el("div", { class: "field" }, el("label", { for: `action-due-${n}`, class: "action-due-label" }), el("input", { id: `action-due-${n}`, name: "action_due", type: "date" })),
    el("button", { type: "button", class: "link-button remove-action" }, "Remove"),
  );
  row.querySelector(".remove-action").addEventListener("click", () => {
    row.remove();
    renumberActions();
    ui.addAction.focus();
  });
  ui.actionRows.append(row);
  renumberActions();
  row.querySelector("input").focus();
}

function resetSessionForm() {
  ui.sessionForm.reset();
  ui.actionRows.replaceChildren();
  ui.sessionDate.value = today();
  ui.sessionDate.max = today();
}

function sessionBody() {
  const form = new FormData(ui.sessionForm);
  const rating = form.get("rating");
  const texts = form.getAll("action_text");
  const owners = form.getAll("action_owner");
  const dues = form.getAll("action_due");
  return {
    held_on: form.get("held_on"),
    notes: form.get("notes").trim(),
    rating: rating ? Number(rating) : null,
    actions: texts.map((text, i) => ({ text: text.trim(), owner: owners[i], due_on: dues[i] || null })).filter((a) => a.text),
  };
}

function actionLine(action) {
  const due = action.due_on ? `, due ${action.due_on}` : "";
  return `${nameOf(action.owner_id)}${due}`;
}

function openActionNode(action) {
  const id = `open-action-${action.id}`;
  const check = el("input", { type: "checkbox", id });
  check.addEventListener("change", async () => {
    check.disabled = true;
    try {
      await sendJson("PATCH", `/actions/${action.id}`, { done: check.checked });
      announce(ui.actionsStatus, `Done: ${action.text}.`);
      await loadSessions();
    } catch (error) {
      check.checked = !check.checked;
      check.disabled = false;
      announce(ui.actionsStatus, failure(error));
    }
  });
  return el(
    "li",
    { class: "action", "data-action-id": action.id },
    check,
    el("label", { for: id }, action.text),
    el("span", { class: "hint" }, ` ${actionLine(action)}`),
  );
}

function answeredSession(sessionId) {
  return state.pulses.some((p) => p.kind === "session" && p.session_id === sessionId);
}

function sessionNode(logged) {
  const pulse = answeredSession(logged.id)
    ? el("p", { class: "hint" }, "You answered the pulse for this session.")
    : el("button", { type: "button", class: "secondary", onclick: () => showPulse(logged) }, `Answer the pulse for ${logged.held_on}`);
  return el(
    "li",
    { class: "session", "data-session-id": logged.id },
    el("h3", {}, `Session on ${logged.held_on}`),
    el("p", { class: "hint" }, logged.rating ? `Rated ${logged.rating} of 5` : "Not rated", logged.logged_by ? ` · logged by ${nameOf(logged.logged_by)}` : ""),
    logged.notes ? el("p", { class: "content" }, logged.notes) : null,
    logged.actions.length
      ? el("ul", { class: "plain-list" }, logged.actions.map((a) => el("li", {}, `${a.done ? "✓ done" : "○ open"}: ${a.text} (${actionLine(a)})`)))
      : null,
    pulse,
  );
}

async function loadSessions() {
  const body = await getJson(`/pairs/${state.pair.id}/sessions`);
  state.sessions = body.data;
  ui.openActions.replaceChildren(...body.open_actions.map(openActionNode));
  ui.noOpenActions.hidden = body.open_actions.length > 0;
  ui.sessions.replaceChildren(...[...body.data].reverse().map(sessionNode));
  ui.noSessions.hidden = body.data.length > 0;
}

ui.addAction.addEventListener("click", addActionRow);
ui.sessionForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  showMessage(ui.sessionError, "");
  try {
    const logged = await sendJson("POST", `/pairs/${state.pair.id}/sessions`, sessionBody());
    resetSessionForm();
    announce(ui.sessionStatus, `Session of ${logged.held_on} logged.`);
    await loadSessions();
    showPulse(logged);
  } catch (error) {
    showMessage(ui.sessionError, failure(error));
  }
});

// --- pulses and surveys ----------------------------------------------------------------------------

async function loadPulses() {
  state.pulses = await getJson("/pulses");
  ui.surveyDone.replaceChildren();
  for (const [kind, [button, name]] of Object.entries(SURVEYS)) {
    const done = state.pulses.find((p) => p.kind === kind);
    $(button).hidden = Boolean(done);
    if (done) ui.surveyDone.append(el("li", {}, `You answered the ${name} on ${day(done.created_at)}.`));
  }
}

function thanks(slot, text) {
  slot.replaceChildren(el("p", { class: "notice", role: "status" }, text));
}

function showPulse(logged) {
  if (answeredSession(logged.id)) return;
  ui.pulseSection.hidden = false;
  ui.pulseSlot.replaceChildren(
    el("p", { class: "hint" }, `About your session on ${logged.held_on}. Only averages over several people ever reach HR.`),
    pulseForm({
      kind: "session",
      sessionId: logged.id,
      questions: state.questions.questions,
      openQuestion: state.questions.open_question,
      prefix: `pulse-${logged.id}`,
      onDone: async () => {
        thanks(ui.pulseSlot, "Thank you: your answers are saved.");
        await loadPulses();
        await loadSessions();
      },
    }),
  );
  ui.pulseHeading.focus();
}

for (const [kind, [button, name]] of Object.entries(SURVEYS)) {
  $(button).addEventListener("click", () => {
    ui.surveySlot.replaceChildren(
      el("h3", { id: `${kind}-heading`, tabindex: "-1" }, `The ${name}`),
      pulseForm({
        kind,
        questions: state.questions.questions,
        openQuestion: state.questions.open_question,
        prefix: `survey-${kind}`,
        onDone: async () => {
          thanks(ui.surveySlot, `Thank you: your answers to the ${name} are saved.`);
          await loadPulses();
        },
      }),
    );
    $(`#${kind}-heading`).focus();
  });
}

// --- next agenda -----------------------------------------------------------------------------------

ui.planForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(ui.planForm);
  showMessage(ui.planError, "");
  try {
    const agenda = await sendJson("POST", "/plans", {
      minutes: Number(form.get("minutes")),
      format: form.get("format"),
      session: form.get("session"),
      pair_id: state.pair.id,
    });
    const download = el("button", { type: "button", class: "secondary" }, "Download Markdown");
    download.addEventListener("click", () => downloadBlob("tandem-next-session.md", new Blob([agenda.markdown], { type: "text/markdown" })));
    ui.plan.replaceChildren(el("div", { class: "table-wrap" }, agendaTable(agenda)), el("div", { class: "toolbar" }, download));
  } catch (error) {
    showMessage(ui.planError, failure(error));
  }
});

// --- start -----------------------------------------------------------------------------------------

async function loadProfile() {
  try {
    return { inCohort: true, profile: await getJson("/profile") };
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return { inCohort: !error.message.includes("not in a cohort"), profile: null };
    throw error;
  }
}

function describePair(pair) {
  const partner = side() === "mentor" ? `You mentor ${pair.mentee_name}.` : `${pair.mentor_name} mentors you.`;
  return pair.status === "ended" ? `${partner} The pairing has ended; its record stays here.` : partner;
}

async function start() {
  const { inCohort, profile } = await loadProfile();
  if (!inCohort) {
    ui.intro.textContent = "You are not in a cohort yet. Once your program lead enrols you, your matching profile and your pair appear here.";
    return;
  }
  ui.profileSection.hidden = false;
  await setUpProfile(profile);
  const { data } = await getJson("/pairs");
  state.pair = data.find((p) => p.status === "confirmed") || data[data.length - 1] || null;
  if (!state.pair) {
    ui.profileDetails.open = true;
    ui.intro.textContent = profile
      ? `You are in cohort ${profile.cohort}. Your program lead confirms pairs after matching; your pair appears here then.`
      : "You are in a cohort: fill in your matching profile below so you can be matched.";
    return;
  }
  ui.intro.textContent = describePair(state.pair);
  ui.calendar.href = `${API}/pairs/${state.pair.id}/calendar.ics`;
  ui.links.hidden = false;
  const active = state.pair.status === "confirmed";
  for (const section of [ui.agreementSection, ui.actionsSection, ui.surveySection]) section.hidden = false;
  ui.logSection.hidden = !active;
  ui.planSection.hidden = !active;
  resetSessionForm();
  state.questions = await getJson("/pulses/questions");
  await loadPulses();
  await Promise.all([loadAgreement(), loadSessions()]);
}

start().catch((error) => {
  ui.intro.textContent = "";
  showMessage(ui.error, `This page could not be loaded: ${failure(error)}`);
});
