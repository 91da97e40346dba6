// A bar chart of sessions per month as inline SVG, with the month's mean rating above each bar.
// A withheld month (fewer than k people) is a hollow dashed bar inside the shaded "fewer than k"
// band, like the theme chart's hollow markers: something was there, but not how much.
import { chartFrame, niceMax } from "./chart.js";
import { el, svg } from "./dom.js";

const WIDTH = 720;
const HEIGHT = 300;
const MARGIN = { top: 28, right: 16, bottom: 44, left: 44 };
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

export function monthName(month) {
  const [year, number] = month.split("-");
  return `${MONTHS[Number(number) - 1]} ${year}`;
}

// bars: [{ label, value, suppressed, note, title }]
export function drawBarChart(container, { bars, k, titleId, emptyText }) {
  if (!bars.length) {
    container.replaceChildren(el("p", { class: "hint empty-chart" }, emptyText));
    return;
  }
  const values = bars.filter((b) => !b.suppressed && b.value !== null).map((b) => b.value);
  const top = niceMax(Math.max(k, ...values));
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const slot = plotWidth / bars.length;
  const barWidth = Math.min(72, slot * 0.6);
  const x = (index) => MARGIN.left + slot * index + (slot - barWidth) / 2;
  const y = (value) => MARGIN.top + plotHeight - (value / top) * plotHeight;
  const step = top <= 6 ? 1 : top <= 12 ? 2 : top / 4;
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, i) => i * step);

  const columns = bars.map((bar, index) => {
    const height = bar.suppressed ? k / 2 : bar.value || 0;
    const centre = x(index) + barWidth / 2;
    return svg(
      "g",
      { class: `bar${bar.suppressed ? " hidden-count" : ""}`, "data-month": bar.label },
      svg("rect", { x: x(index), y: y(height), width: barWidth, height: Math.max(0, y(0) - y(height)) }, svg("title", {}, bar.title)),
      svg("text", { class: "bar-note", x: centre, y: y(height) - 6, "text-anchor": "middle" }, bar.note),
      svg("text", { x: centre, y: HEIGHT - MARGIN.bottom + 18, "text-anchor": "middle" }, monthName(bar.label)),
    );
  });
  const chart = svg(
    "svg",
    { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img", "aria-labelledby": titleId, preserveAspectRatio: "xMidYMid meet" },
    chartFrame({ width: WIDTH, margin: MARGIN, ticks, y, k }),
    columns,
  );
  const scroller = el("div", { class: "chart-scroll" }, chart);
  container.replaceChildren(scroller);
  scroller.scrollLeft = scroller.scrollWidth;
}
