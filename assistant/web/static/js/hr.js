// The HR dashboard: anonymous themes over time and by role and cohort, from GET /insights/themes.
// Suppressed cells are shown as "fewer than k", never left out silently; nothing links to a conversation.
import { API, ApiError, getJson } from "./api.js";
import { drawThemeChart } from "./chart.js";
import { $, el, showMessage } from "./dom.js";

const ui = {
  period: $("#hr-period"),
  breakdownPeriod: $("#hr-breakdown-period"),
  chart: $("#theme-chart"),
  chartNote: $("#chart-note"),
  overTime: $("#over-time"),
  byRole: $("#by-role"),
  byCohort: $("#by-cohort"),
  error: $("#hr-error"),
};
let reports = null;

function suppressedLabel(cell, k) {
  return (cell && cell.label) || `fewer than ${k}`;
}

// The wide weekly table shows "< k" and keeps the words for screen readers; the others say it in full.
function cellContent(cell, k, compact) {
  if (cell && !cell.suppressed) return String(cell.participants);
  if (!compact) return suppressedLabel(cell, k);
  return [el("span", { "aria-hidden": "true" }, `< ${k}`), el("span", { class: "visually-hidden" }, suppressedLabel(cell, k))];
}

function indexCells(report) {
  const lookup = new Map(report.cells.map((c) => [`${c.period}|${c.theme}|${c.group ?? ""}`, c]));
  return (period, theme, group) => lookup.get(`${period}|${theme}|${group ?? ""}`);
}

function periodName(report, period) {
  return report.period === "month" ? period.slice(0, 7) : period;
}

// A theme as people read it ("Career growth"), from the report's labels; the id if it has none.
function nameOf(report, theme) {
  return (report.labels && report.labels[theme]) || theme;
}

// rows: themes; columns: [{ heading, period, group }]
function cellTable(report, caption, columns, compact = false) {
  const cell = indexCells(report);
  return el(
    "table",
    { class: "data" },
    el("caption", {}, caption),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Theme"), columns.map((c) => el("th", { scope: "col", class: "num" }, c.heading)))),
    el(
      "tbody",
      {},
      report.themes.map((theme) =>
        el(
          "tr",
          { "data-theme": theme },
          el("th", { scope: "row" }, nameOf(report, theme)),
          columns.map((column) => {
            const found = cell(column.period, theme, column.group);
            const hidden = !found || found.suppressed;
            return el("td", { class: hidden ? "num suppressed" : "num" }, cellContent(found, report.k, compact));
          }),
        ),
      ),
    ),
  );
}

function drawOverTime(report) {
  const cell = indexCells(report);
  const shown = report.themes.filter((theme) => report.periods.some((p) => !cell(p, theme, null).suppressed));
  const hiddenThemes = report.themes.filter((theme) => !shown.includes(theme));
  const series = shown.map((theme) => ({
    theme,
    label: nameOf(report, theme),
    style: report.themes.indexOf(theme),
    cells: new Map(report.periods.map((p) => [p, { value: cell(p, theme, null).participants, suppressed: cell(p, theme, null).suppressed }])),
  }));
  const emptyText = `No theme was raised by at least ${report.k} people in any ${report.period} yet, so there is nothing to draw.`;
  drawThemeChart(ui.chart, { periods: report.periods, series, k: report.k, titleId: "chart-caption", emptyText });
  ui.chartNote.textContent =
    `${report.suppressed_cells} of ${report.cells.length} cells are suppressed (fewer than ${report.k} people). ` +
    (hiddenThemes.length ? `Fewer than ${report.k} people in every ${report.period}, so not drawn: ${hiddenThemes.map((t) => nameOf(report, t)).join(", ")}.` : "");
  const columns = report.periods.map((p) => ({ heading: periodName(report, p), period: p, group: null }));
  ui.overTime.replaceChildren(
    cellTable(report, `Distinct participants per theme and ${report.period} (< ${report.k}: ${suppressedLabel(null, report.k)} people, or withheld)`, columns, true),
  );
}

function drawBreakdowns() {
  const period = ui.breakdownPeriod.value;
  for (const [report, target, name] of [[reports.role, ui.byRole, "role"], [reports.cohort, ui.byCohort, "cohort"]]) {
    const columns = [
      { heading: "All", period, group: null },
      ...report.groups.map((group) => ({ heading: group, period, group })),
    ];
    target.replaceChildren(cellTable(report, `Distinct participants by ${name}, ${report.period} of ${periodName(report, period)}`, columns));
  }
}

function setCsvLinks(period) {
  $("#csv-all").href = `${API}/insights/themes.csv?period=${period}`;
  $("#csv-role").href = `${API}/insights/themes.csv?period=${period}&by=role`;
  $("#csv-cohort").href = `${API}/insights/themes.csv?period=${period}&by=cohort`;
}

async function load() {
  const period = ui.period.value;
  showMessage(ui.error, "");
  const [total, role, cohort] = await Promise.all([
    getJson(`/insights/themes?period=${period}`),
    getJson(`/insights/themes?period=${period}&by=role`),
    getJson(`/insights/themes?period=${period}&by=cohort`),
  ]);
  reports = { total, role, cohort };
  $("#k-value").textContent = String(total.k);
  setCsvLinks(period);
  drawOverTime(total);
  ui.breakdownPeriod.replaceChildren(
    ...[...total.periods].reverse().map((p) => el("option", { value: p }, `${period === "month" ? "Month" : "Week"} of ${periodName(total, p)}`)),
  );
  drawBreakdowns();
}

function failed(error) {
  showMessage(ui.error, error instanceof ApiError ? error.message : "The insights could not be loaded.");
}

ui.period.addEventListener("change", () => load().catch(failed));
ui.breakdownPeriod.addEventListener("change", drawBreakdowns);
load().catch(failed);
