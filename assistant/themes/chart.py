"""A PNG chart of a theme report: distinct participants per theme over time.

Drawn with matplotlib's object API on the Agg canvas (no pyplot, no display, no global state), so it
is safe in a server thread. Suppressed cells are not plotted (the line has a gap) and the caption
says how many there are and why.
"""

from __future__ import annotations

import io
import math

from assistant.themes.report import ThemeReport


def render_chart(report: ThemeReport, *, title: str = "Themes raised by participants") -> bytes:
    """One panel for everyone, or one per role or cohort when the report is split ``by``."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    panels: list[str | None] = [None, *report.groups] if report.by else [None]
    columns = 1 if len(panels) == 1 else 2
    rows = math.ceil(len(panels) / columns)
    figure = Figure(figsize=(7.5 * columns, 3.8 * rows + 1.1), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.subplots(rows, columns, squeeze=False, sharex=True)
    values = {(c.period, c.theme, c.group): c.participants for c in report.cells}
    colours = _palette(len(report.themes))

    for index, group in enumerate(panels):
        ax = axes[index // columns][index % columns]
        for theme, colour in zip(report.themes, colours, strict=True):
            series = [values.get((period, theme, group)) for period in report.periods]
            points = [math.nan if value is None else value for value in series]
            if all(math.isnan(point) for point in points):
                continue
            ax.plot(report.periods, points, marker="o", markersize=3, linewidth=1.4, color=colour, label=theme)
        ax.set_title("all participants" if group is None else f"{report.by}: {group}", fontsize=10)
        ax.set_ylabel("distinct participants")
        ax.grid(alpha=0.3)
        ax.tick_params(axis="x", labelrotation=45, labelsize=8)
        ax.set_ylim(bottom=0)
    for index in range(len(panels), rows * columns):
        axes[index // columns][index % columns].set_visible(False)
        axes[index // columns - 1][index % columns].xaxis.set_tick_params(labelbottom=True)

    handles, labels = axes[0][0].get_legend_handles_labels()
    if handles:
        figure.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.0, 0.95), fontsize=8, frameon=False)
    figure.suptitle(f"{title}, per {report.period}", fontsize=12)
    figure.text(0.01, 0.01, chart_caption(report), fontsize=8, ha="left", va="bottom", wrap=True)
    figure.tight_layout(rect=(0, 0.06, 1, 0.95))
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()


def chart_caption(report: ThemeReport) -> str:
    suppressed = report.suppressed_count
    if not suppressed:
        return f"All {len(report.cells)} cells have at least {report.k} distinct participants."
    return (
        f"{suppressed} of {len(report.cells)} cells are suppressed and not plotted: fewer than {report.k} "
        "distinct participants, or withheld so that such a cell cannot be worked out from a total."
    )


def _palette(count: int) -> list[tuple[float, float, float, float]]:
    from matplotlib import colormaps

    cmap = colormaps["tab20"] if count > 10 else colormaps["tab10"]
    return [cmap(i % cmap.N) for i in range(count)]
