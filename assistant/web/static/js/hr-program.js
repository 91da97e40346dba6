// HR's cohort figures from GET /insights/cohorts/{id}: participation, sessions against the cadence,
// sessions and ratings by month, goal progress, pulses. A withheld figure reads "fewer than k".
import { ApiError, getJson } from "./api.js";
import { drawBarChart, monthName } from "./bar-chart.js";
import { $, el, showMessage } from "./dom.js";

const ui = {
  picker: $("#cohort-picker"),
  none: $("#no-cohorts"),
  error: $("#hr-program-error"),
  facts: $("#cohort-facts"),
  report: $("#cohort-report"),
  k: $("#k-value"),
  participation: $("#participation"),
  frequency: $("#frequency"),
  chart: $("#month-chart"),
  monthTable: $("#month-table"),
  goals: $("#goals"),
  pulses: $("#pulses"),
};
const KINDS = { session: "After sessions", midpoint: "Mid-point survey", end: "End survey" };
const STATUSES = { draft: "Draft goals", active: "Active goals", done: "Goals done" };

const whole = (value) => String(value);
const decimal = (value) => Number(value).toFixed(1);
const percent = (value) => `${Math.round(Number(value) * 100)} %`;

function valueNode(figure, k, format) {
  if (!figure) return el("span", {}, "—");
  if (figure.suppressed) return el("span", { class: "suppressed" }, `fewer than ${k}`);
  if (figure.value === null || figure.value === undefined) return el("span", { class: "empty" }, "none yet");
  return el("span", {}, format(figure.value));
}

function peopleText(figure, k) {
  if (!figure) return "";
  if (figure.suppressed) return `withheld: it describes fewer than ${k} people`;
  if (!figure.people) return "";
  return figure.people === 1 ? "based on 1 person" : `based on ${figure.people} people`;
}

function figureItem(label, figure, k, format = whole, key = "") {
  return el(
    "div",
    { class: `figure${figure && figure.suppressed ? " is-suppressed" : ""}`, "data-figure": key || label },
    el("dt", {}, label),
    el("dd", { class: "figure-value" }, valueNode(figure, k, format)),
    el("dd", { class: "figure-people hint" }, peopleText(figure, k)),
  );
}

function drawParticipation(report) {
  const { participation: p, k } = report;
  ui.participation.replaceChildren(
    figureItem("Mentors", p.mentors, k, whole, "mentors"),
    figureItem("Mentees", p.mentees, k, whole, "mentees"),
    figureItem("Confirmed pairs", p.confirmed_pairs, k, whole, "confirmed_pairs"),
    figureItem("Pairs whose agreement both accepted", p.pairs_with_agreement_accepted, k, whole, "agreements"),
  );
}

function drawFrequency(report) {
  const { session_frequency: f, stalled_pairs: stalled, k } = report;
  const cadence = report.cohort.cadence_days;
  ui.frequency.replaceChildren(
    figureItem("Sessions per pair (mean)", f.mean_sessions_per_pair, k, decimal, "mean_sessions"),
    figureItem(`Sessions held against one every ${cadence} days`, f.mean_share_of_cadence, k, percent, "share_of_cadence"),
    figureItem("Pairs meeting at 80 % of the cadence or more", f.pairs_on_cadence, k, whole, "on_cadence"),
    figureItem(`Stalled pairs (no session for over ${stalled.after_days} days)`, stalled, k, whole, "stalled"),
  );
}

function cellText(figure, k, format) {
  if (figure.suppressed) return `fewer than ${k}`;
  return figure.value === null ? "—" : format(figure.value);
}

function drawMonths(report) {
  const { sessions_by_month: months, k } = report;
  const bars = months.map((row) => {
    const sessions = cellText(row.sessions, k, whole);
    const rating = cellText(row.mean_rating, k, decimal);
    return {
      label: row.month,
      value: row.sessions.value,
      suppressed: row.sessions.suppressed,
      note: row.mean_rating.suppressed ? "★ withheld" : row.mean_rating.value === null ? "" : `★ ${decimal(row.mean_rating.value)}`,
      title: `${monthName(row.month)}: ${sessions} sessions, mean rating ${rating}`,
    };
  });
  drawBarChart(ui.chart, { bars, k, titleId: "months-caption", emptyText: "No sessions logged yet." });
  const cell = (figure, format) => el("td", { class: figure.suppressed ? "num suppressed" : "num" }, cellText(figure, k, format));
  ui.monthTable.replaceChildren(
    months.length
      ? el(
          "table",
          { class: "data", id: "months" },
          el("caption", {}, `Sessions and mean rating (1 to 5) by month; fewer than ${k} people: withheld`),
          el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Month"), el("th", { scope: "col", class: "num" }, "Sessions"), el("th", { scope: "col", class: "num" }, "Mean rating"))),
          el(
            "tbody",
            {},
            months.map((row) => el("tr", { "data-month": row.month }, el("th", { scope: "row" }, monthName(row.month)), cell(row.sessions, whole), cell(row.mean_rating, decimal))),
          ),
        )
      : "",
  );
}

function drawGoals(report) {
  const { goal_progress: g, k } = report;
  ui.goals.replaceChildren(
    figureItem("Participants with goals", g.people_with_goals, k, whole, "people_with_goals"),
    ...Object.entries(STATUSES).map(([status, label]) => figureItem(label, g.goals_by_status[status], k, whole, `goals_${status}`)),
  );
}

function drawPulses(report) {
  const { pulses, k } = report;
  ui.pulses.replaceChildren(
    ...Object.entries(KINDS)
      .filter(([kind]) => pulses[kind])
      .map(([kind, title]) => {
        const group = pulses[kind];
        const themes = Object.entries(group.themes);
        const headingId = `pulse-${kind}-heading`;
        return el(
          "section",
          { class: "pulse-group", "data-kind": kind, "aria-labelledby": headingId },
          el("h3", { id: headingId }, title),
          el("dl", { class: "figures" }, figureItem("Respondents", group.respondents, k, whole, "respondents")),
          el(
            "table",
            { class: "data" },
            el("caption", { class: "visually-hidden" }, `${title}: average answers`),
            el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Question"), el("th", { scope: "col", class: "num" }, "Average (1 to 5)"))),
            el(
              "tbody",
              {},
              Object.entries(group.questions).map(([name, q]) =>
                el("tr", { "data-question": name }, el("th", { scope: "row" }, q.text), el("td", { class: q.suppressed ? "num suppressed" : "num" }, cellText(q, k, decimal))),
              ),
            ),
          ),
          el("h4", {}, "Themes in the comments"),
          themes.length
            ? el("ul", { class: "plain-list themes" }, themes.map(([theme, people]) => el("li", { "data-theme": theme }, `${(report.theme_labels || {})[theme] || theme}: ${people} people`)))
            : el("p", { class: "hint" }, `No theme raised by at least ${k} people.`),
        );
      }),
  );
}

async function load(cohortId) {
  showMessage(ui.error, "");
  const report = await getJson(`/insights/cohorts/${cohortId}`);
  const c = report.cohort;
  ui.k.textContent = String(report.k);
  ui.facts.textContent = `${c.program} · ${c.starts_on} to ${c.ends_on} · pairs meet every ${c.cadence_days} days · figures about fewer than ${report.k} people are withheld`;
  ui.report.hidden = false;
  drawParticipation(report);
  drawFrequency(report);
  drawMonths(report);
  drawGoals(report);
  drawPulses(report);
}

function failed(error) {
  ui.report.hidden = true;
  showMessage(ui.error, error instanceof ApiError ? error.message : "The figures could not be loaded.");
}

function choose(cohortId) {
  const url = new URL(window.location.href);
  url.searchParams.set("cohort", cohortId);
  window.history.replaceState(null, "", url);
  load(cohortId).catch(failed);
}

const options = [...ui.picker.options];
if (!options.length) {
  ui.none.hidden = false;
  ui.picker.disabled = true;
} else {
  const wanted = new URL(window.location.href).searchParams.get("cohort");
  if (wanted && options.some((o) => o.value === wanted)) ui.picker.value = wanted;
  ui.picker.addEventListener("change", () => choose(ui.picker.value));
  choose(ui.picker.value);
}
