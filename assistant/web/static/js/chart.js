// A line chart of themes over time, drawn as inline SVG from the insights JSON.
// Suppressed cells (fewer than k people) are drawn as hollow markers inside a shaded "fewer than k"
// band: the reader sees that something was there without learning how many.
import { el, svg } from "./dom.js";

const WIDTH = 720;
const HEIGHT = 320;
const MARGIN = { top: 16, right: 16, bottom: 48, left: 44 };

export function niceMax(value) {
  const step = value <= 10 ? 2 : value <= 50 ? 10 : 10 ** Math.floor(Math.log10(value));
  return Math.max(step, Math.ceil(value / step) * step);
}

// The parts every Tandem chart shares: the shaded "fewer than k" band, the grid with its tick labels,
// and the two axes. ``y`` maps a value to its vertical position.
export function chartFrame({ width, margin, ticks, y, k }) {
  const band = svg(
    "g",
    { class: "suppressed-band" },
    svg("rect", { x: margin.left, y: y(k), width: width - margin.left - margin.right, height: y(0) - y(k), fill: "#eef0f3" }),
    svg("text", { x: width - margin.right - 4, y: y(k) + 14, "text-anchor": "end" }, `fewer than ${k}`),
  );
  const grid = ticks.map((tick) =>
    svg(
      "g",
      {},
      svg("line", { class: "grid", x1: margin.left, x2: width - margin.right, y1: y(tick), y2: y(tick) }),
      svg("text", { x: margin.left - 6, y: y(tick) + 4, "text-anchor": "end" }, String(Math.round(tick))),
    ),
  );
  return [
    band,
    grid,
    svg("line", { class: "axis", x1: margin.left, x2: margin.left, y1: margin.top, y2: y(0) }),
    svg("line", { class: "axis", x1: margin.left, x2: width - margin.right, y1: y(0), y2: y(0) }),
  ];
}

// series: [{ theme, label, style, cells: Map(period -> { value, suppressed }) }]; style: the theme's place in the taxonomy
const SERIES_STYLES = 12;

export function drawThemeChart(container, { periods, series, k, titleId, emptyText }) {
  if (!periods.length || !series.length) {
    container.replaceChildren(el("p", { class: "hint empty-chart" }, emptyText));
    return;
  }
  const values = series.flatMap((s) => [...s.cells.values()].filter((c) => !c.suppressed).map((c) => c.value));
  const top = niceMax(Math.max(k, ...values));
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (index) => MARGIN.left + (periods.length === 1 ? plotWidth / 2 : (index * plotWidth) / (periods.length - 1));
  const y = (value) => MARGIN.top + plotHeight - (value / top) * plotHeight;
  const ticks = Array.from({ length: 5 }, (_, i) => (top * i) / 4);

  const labels = periods.map((period, index) =>
    svg("text", { x: x(index), y: HEIGHT - MARGIN.bottom + 18, "text-anchor": "middle" }, period.slice(5)),
  );
  const lines = series.map((s) => {
    const segments = [];
    let path = [];
    periods.forEach((period, index) => {
      const cell = s.cells.get(period);
      if (cell && !cell.suppressed) {
        path.push(`${path.length ? "L" : "M"}${x(index).toFixed(1)},${y(cell.value).toFixed(1)}`);
      } else {
        if (path.length) segments.push(path.join(" "));
        path = [];
      }
    });
    if (path.length) segments.push(path.join(" "));
    const points = periods.flatMap((period, index) => {
      const cell = s.cells.get(period);
      if (!cell) return [];
      const label = cell.suppressed ? `fewer than ${k}` : String(cell.value);
      return [
        svg(
          "circle",
          { class: `point${cell.suppressed ? " hidden-count" : ""}`, cx: x(index), cy: cell.suppressed ? y(k / 2) : y(cell.value), r: 4.5 },
          svg("title", {}, `${s.label}, week of ${period}: ${label}`),
        ),
      ];
    });
    return svg("g", { class: `series-${s.style % SERIES_STYLES}`, "data-theme": s.theme }, segments.map((d) => svg("path", { class: "line", d })), points);
  });

  const chart = svg(
    "svg",
    { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img", "aria-labelledby": titleId, preserveAspectRatio: "xMidYMid meet" },
    chartFrame({ width: WIDTH, margin: MARGIN, ticks, y, k }),
    labels,
    svg("text", { x: MARGIN.left + plotWidth / 2, y: HEIGHT - 8, "text-anchor": "middle" }, "week starting"),
    lines,
  );
  const legend = el(
    "ul",
    { class: "legend", "aria-label": "Themes" },
    series.map((s) => el("li", { class: `series-${s.style % SERIES_STYLES}`, "data-theme": s.theme }, el("span", { class: "swatch", "aria-hidden": "true" }), s.label)),
  );
  const scroller = el("div", { class: "chart-scroll" }, chart);
  container.replaceChildren(scroller, legend);
  scroller.scrollLeft = scroller.scrollWidth; // on a phone, start at the latest weeks
}
