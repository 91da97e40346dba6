// Admin: programs and cohorts, matching a cohort (propose, confirm, swap, set by hand), confirmed
// pairs and the stalled-pairs list. The chosen cohort is kept in the address (?cohort=ID).
import { ApiError, getJson, sendJson } from "./api.js";
import { $, announce, el, showMessage } from "./dom.js";

const ui = {
  programs: $("#program-table tbody"),
  programsEmpty: $("#program-empty"),
  programForm: $("#program-form"),
  cohortForm: $("#cohort-form"),
  cohortProgram: $("#cohort-program"),
  programError: $("#program-error"),
  programStatus: $("#program-status"),
  picker: $("#cohort-picker"),
  detail: $("#cohort-detail"),
  summary: $("#cohort-summary"),
  cohortError: $("#cohort-error"),
  membersSummary: $("#members-summary"),
  members: $("#member-table tbody"),
  memberForm: $("#member-form"),
  memberUser: $("#member-user"),
  matching: $("#matching"),
  propose: $("#propose-button"),
  matchingStatus: $("#matching-status"),
  matchingError: $("#matching-error"),
  proposalSummary: $("#proposal-summary"),
  meanScore: $("#mean-score"),
  unmatched: $("#unmatched-list"),
  proposals: $("#proposal-table tbody"),
  proposalEmpty: $("#proposal-empty"),
  confirmAll: $("#confirm-all"),
  swap: $("#swap-button"),
  setPairForm: $("#set-pair-form"),
  setMentor: $("#set-mentor"),
  setMentee: $("#set-mentee"),
  confirmed: $("#confirmed"),
  confirmedRows: $("#confirmed-table tbody"),
  confirmedEmpty: $("#confirmed-empty"),
  stalled: $("#stalled-table tbody"),
  stalledEmpty: $("#stalled-empty"),
  stalledError: $("#stalled-error"),
};

const state = { programs: [], cohortId: null, members: [], pairs: [], proposal: null };

function failure(error) {
  return error instanceof ApiError ? error.message : "The connection failed.";
}

function plural(count, one, many) {
  return `${count} ${count === 1 ? one : many}`;
}

function score(value) {
  return Number(value).toFixed(2);
}

function day(iso) {
  return iso ? iso.slice(0, 10) : "—";
}

// --- programs and cohorts --------------------------------------------------------------------------

async function loadPrograms() {
  const { data } = await getJson("/programs");
  const cohorts = await Promise.all(data.map((program) => getJson(`/programs/${program.id}/cohorts`)));
  state.programs = data.map((program, index) => ({ ...program, cohorts: cohorts[index] }));
  renderPrograms();
}

function cohortLink(cohort) {
  return el("a", { href: `/admin/program?cohort=${cohort.id}`, "data-cohort-id": cohort.id }, `${cohort.name} (${cohort.starts_on} to ${cohort.ends_on})`);
}

function renderPrograms() {
  ui.programs.replaceChildren(
    ...state.programs.map((program) =>
      el(
        "tr",
        { "data-program-id": program.id },
        el("th", { scope: "row" }, program.name),
        el("td", {}, program.format),
        el("td", { class: "num" }, `${program.cadence_days} days`),
        el("td", { class: "num" }, String(program.duration_weeks)),
        el("td", {}, program.cohorts.length ? el("ul", { class: "plain-list" }, program.cohorts.map((c) => el("li", {}, cohortLink(c)))) : "none yet"),
      ),
    ),
  );
  ui.programsEmpty.hidden = state.programs.length > 0;
  const chosenProgram = ui.cohortProgram.value;
  ui.cohortProgram.replaceChildren(...state.programs.map((p) => el("option", { value: p.id, selected: String(p.id) === chosenProgram }, p.name)));
  ui.picker.replaceChildren(
    el("option", { value: "" }, "Choose a cohort…"),
    ...state.programs
      .filter((program) => program.cohorts.length)
      .map((program) =>
        el(
          "optgroup",
          { label: program.name },
          program.cohorts.map((c) => el("option", { value: c.id, selected: c.id === state.cohortId }, `${c.name} (from ${c.starts_on})`)),
        ),
      ),
  );
}

function findCohort(id) {
  for (const program of state.programs) {
    const cohort = program.cohorts.find((c) => c.id === id);
    if (cohort) return { program, cohort };
  }
  return null;
}

ui.programForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(ui.programForm);
  const body = {
    name: form.get("name").trim(),
    format: form.get("format"),
    duration_weeks: Number(form.get("duration_weeks")),
    cadence_days: Number(form.get("cadence_days")),
    stalled_after_days: Number(form.get("stalled_after_days")),
  };
  showMessage(ui.programError, "");
  try {
    const created = await sendJson("POST", "/programs", body);
    ui.programForm.reset();
    await loadPrograms();
    ui.cohortProgram.value = String(created.id);
    announce(ui.programStatus, `Program ${created.name} created.`);
  } catch (error) {
    showMessage(ui.programError, failure(error));
  }
});

ui.cohortForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(ui.cohortForm);
  showMessage(ui.programError, "");
  try {
    const created = await sendJson("POST", `/programs/${form.get("program")}/cohorts`, {
      name: form.get("name").trim(),
      starts_on: form.get("starts_on"),
    });
    ui.cohortForm.reset();
    await loadPrograms();
    await chooseCohort(created.id);
    announce(ui.programStatus, `Cohort ${created.name} created and chosen below.`);
  } catch (error) {
    showMessage(ui.programError, failure(error));
  }
});

// --- one cohort: members ---------------------------------------------------------------------------

function memberName(externalId) {
  const member = state.members.find((m) => m.external_id === externalId);
  return member ? member.name : externalId;
}

function renderMembers() {
  const filled = state.members.filter((m) => m.profile_filled).length;
  ui.membersSummary.textContent = `Members (${state.members.length}, ${filled} with a matching profile)`;
  ui.members.replaceChildren(
    ...state.members.map((m) =>
      el("tr", {}, el("th", { scope: "row" }, m.name), el("td", {}, m.role), el("td", {}, m.external_id), el("td", {}, m.profile_filled ? "filled" : "not yet")),
    ),
  );
  const options = (role) => state.members.filter((m) => m.role === role && m.profile_filled).map((m) => el("option", { value: m.user_id }, m.name));
  ui.setMentor.replaceChildren(...options("mentor"));
  ui.setMentee.replaceChildren(...options("mentee"));
}

async function loadCandidates() {
  const { data } = await getJson("/users");
  const free = data.filter((u) => u.active && (u.role === "mentor" || u.role === "mentee") && !u.cohort);
  ui.memberUser.replaceChildren(...free.map((u) => el("option", { value: u.id, "data-role": u.role }, `${u.name} (${u.role})`)));
  syncMemberRole();
}

function syncMemberRole() {
  const chosen = ui.memberUser.selectedOptions[0];
  if (chosen) $("#member-role").value = chosen.dataset.role;
}

ui.memberUser.addEventListener("change", syncMemberRole);
ui.memberForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(ui.memberForm);
  await act(async () => {
    const added = await sendJson("POST", `/cohorts/${state.cohortId}/members`, { user_id: Number(form.get("user_id")), role: form.get("role") });
    announce(ui.matchingStatus, `${added.name} added to the cohort.`);
    await loadCandidates();
  }, ui.cohortError);
});

// --- one cohort: matching and pairs ----------------------------------------------------------------

function pairLabel(pair) {
  return `${pair.mentor_name} → ${pair.mentee_name}`;
}

function proposalRow(pair) {
  const label = pairLabel(pair);
  const select = el("input", { type: "checkbox", class: "swap-choice", value: pair.id, "aria-label": `Select ${label} for a swap` });
  select.addEventListener("change", syncSwap);
  const confirm = el("button", { type: "button", class: "secondary", "aria-label": `Confirm ${label}` }, "Confirm");
  confirm.addEventListener("click", () =>
    act(async () => {
      await sendJson("POST", `/pairs/${pair.id}/confirm`);
      announce(ui.matchingStatus, `Confirmed ${label}.`);
    }),
  );
  return el(
    "tr",
    { "data-pair-id": pair.id },
    el("td", {}, select),
    el("th", { scope: "row" }, el("span", { class: "mentor" }, pair.mentor_name), " → ", el("span", { class: "mentee" }, pair.mentee_name)),
    el("td", { class: "num" }, score(pair.score)),
    el("td", { class: "explanation" }, pair.explanation),
    el("td", {}, confirm),
  );
}

function confirmedRow(pair) {
  const label = pairLabel(pair);
  const end = el("button", { type: "button", class: "danger", "aria-label": `End ${label}` }, "End");
  end.addEventListener("click", () => {
    if (!window.confirm(`End the pairing ${label}? They can no longer log sessions.`)) return;
    act(async () => {
      await sendJson("POST", `/pairs/${pair.id}/end`);
      announce(ui.matchingStatus, `Ended ${label}.`);
    });
  });
  return el(
    "tr",
    { "data-pair-id": pair.id },
    el("th", { scope: "row" }, label),
    el("td", { class: "num" }, score(pair.score)),
    el("td", {}, pair.status),
    el("td", {}, day(pair.confirmed_at)),
    el("td", {}, pair.status === "confirmed" ? end : ""),
  );
}

function renderProposalSummary() {
  const proposal = state.proposal;
  ui.proposalSummary.hidden = !proposal;
  if (!proposal) return;
  ui.meanScore.textContent = `Proposed ${plural(proposal.pairs.length, "pair", "pairs")} with a mean score of ${score(proposal.mean_score)} (0 to 1).`;
  ui.unmatched.replaceChildren(
    ...(proposal.unmatched.length
      ? proposal.unmatched.map((u) => el("li", {}, el("strong", {}, memberName(u.id)), u.role ? ` (${u.role})` : "", `: ${u.reason}`))
      : [el("li", {}, "Everyone was matched.")]),
  );
}

function renderPairs() {
  const proposed = state.pairs.filter((p) => p.status === "proposed");
  const settled = state.pairs.filter((p) => p.status !== "proposed");
  ui.proposals.replaceChildren(...proposed.map(proposalRow));
  ui.proposalEmpty.hidden = proposed.length > 0;
  ui.confirmAll.disabled = proposed.length === 0;
  ui.confirmedRows.replaceChildren(...settled.map(confirmedRow));
  ui.confirmedEmpty.hidden = settled.length > 0;
  renderProposalSummary();
  syncSwap();
}

function chosenForSwap() {
  return [...ui.proposals.querySelectorAll(".swap-choice:checked")].map((box) => Number(box.value));
}

function syncSwap() {
  ui.swap.disabled = chosenForSwap().length !== 2;
}

async function loadCohort() {
  const [members, pairs] = await Promise.all([getJson(`/cohorts/${state.cohortId}/members`), getJson(`/cohorts/${state.cohortId}/pairs`)]);
  state.members = members.data;
  state.pairs = pairs.data;
  renderMembers();
  renderPairs();
}

async function act(change, errorNode = ui.matchingError) {
  showMessage(errorNode, "");
  try {
    await change();
  } catch (error) {
    showMessage(errorNode, failure(error));
  }
  if (state.cohortId) await loadCohort().catch((error) => showMessage(errorNode, failure(error)));
  await loadStalled();
}

async function chooseCohort(id) {
  state.cohortId = id;
  state.proposal = null;
  const found = id ? findCohort(id) : null;
  ui.picker.value = found ? String(id) : "";
  for (const node of [ui.detail, ui.matching, ui.confirmed]) node.hidden = !found;
  const url = new URL(window.location.href);
  if (found) url.searchParams.set("cohort", String(id));
  else url.searchParams.delete("cohort");
  window.history.replaceState(null, "", url);
  if (!found) {
    state.cohortId = null;
    return;
  }
  const { program, cohort } = found;
  ui.summary.textContent = `${cohort.name} · ${program.name} · ${cohort.starts_on} to ${cohort.ends_on} · meets every ${program.cadence_days} days`;
  showMessage(ui.matchingError, "");
  await loadCohort();
}

ui.picker.addEventListener("change", () => chooseCohort(Number(ui.picker.value) || null).catch((error) => showMessage(ui.matchingError, failure(error))));

ui.propose.addEventListener("click", async () => {
  ui.propose.disabled = true;
  announce(ui.matchingStatus, "Matching…");
  await act(async () => {
    state.proposal = await sendJson("POST", `/cohorts/${state.cohortId}/matching`);
    const { pairs, unmatched } = state.proposal;
    announce(ui.matchingStatus, `${plural(pairs.length, "pair", "pairs")} proposed, ${plural(unmatched.length, "person", "people")} unmatched.`);
  });
  ui.propose.disabled = false;
});

ui.confirmAll.addEventListener("click", async () => {
  const proposed = state.pairs.filter((p) => p.status === "proposed");
  ui.confirmAll.disabled = true;
  await act(async () => {
    const refused = [];
    for (const pair of proposed) {
      try {
        await sendJson("POST", `/pairs/${pair.id}/confirm`);
      } catch (error) {
        refused.push(`${pairLabel(pair)}: ${failure(error)}`);
      }
    }
    announce(ui.matchingStatus, `Confirmed ${proposed.length - refused.length} of ${proposed.length} pairs.`);
    if (refused.length) throw new ApiError(409, `Not confirmed: ${refused.join("; ")}`);
  });
});

ui.swap.addEventListener("click", async () => {
  const [first, second] = chosenForSwap();
  await act(async () => {
    await sendJson("POST", "/pairs/swap", { first_pair_id: first, second_pair_id: second });
    announce(ui.matchingStatus, "Mentees swapped; both pairs were scored again.");
  });
});

ui.setPairForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(ui.setPairForm);
  await act(async () => {
    const pair = await sendJson("POST", `/cohorts/${state.cohortId}/pairs`, {
      mentor_id: Number(form.get("mentor_id")),
      mentee_id: Number(form.get("mentee_id")),
      allow_weak: form.get("allow_weak") === "on",
    });
    announce(ui.matchingStatus, `Proposed ${pairLabel(pair)}; confirm it in the table.`);
  });
});

// --- stalled pairs ---------------------------------------------------------------------------------

async function loadStalled() {
  try {
    const { data } = await getJson("/stalled-pairs");
    ui.stalled.replaceChildren(
      ...data.map((s) =>
        el(
          "tr",
          { "data-pair-id": s.pair_id },
          el("th", { scope: "row" }, `${s.mentor} → ${s.mentee}`),
          el("td", {}, s.cohort),
          el("td", {}, s.last_session_on || "never met"),
          el("td", { class: "num" }, String(s.days_without_session)),
        ),
      ),
    );
    ui.stalledEmpty.hidden = data.length > 0;
    showMessage(ui.stalledError, "");
  } catch (error) {
    showMessage(ui.stalledError, failure(error));
  }
}

async function start() {
  await loadPrograms();
  await loadCandidates().catch(() => {});
  const wanted = Number(new URL(window.location.href).searchParams.get("cohort")) || null;
  await chooseCohort(wanted);
}

start().catch((error) => showMessage(ui.programError, `The program could not be loaded: ${failure(error)}`));
loadStalled();
