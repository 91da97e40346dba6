"""``tandem themes ...``: the theme taxonomy applied to messages, and the anonymous report for HR."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer

from assistant.commands.anonymize import check_text
from assistant.commands.common import console, errors, fail, load_settings, print_json

if TYPE_CHECKING:
    from assistant.themes.report import By, Period, ThemeReport


def register(app: typer.Typer) -> None:
    """Add the ``themes`` group to app: ``classify`` and ``report``."""
    themes_app = typer.Typer(help="Themes participants talk about (anonymised, for HR insights).", no_args_is_help=True)
    themes_app.command("classify")(classify)
    themes_app.command("report")(report)
    app.add_typer(themes_app, name="themes")


def classify(
    text: Annotated[str, typer.Argument(help="A participant message.")],
    taxonomy: Annotated[Path | None, typer.Option(help="A taxonomy YAML file (default: the packaged one).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Show the 0-3 themes a message is about, with confidences."""
    check_text(text)
    from assistant.retrieval.embeddings import get_embedder
    from assistant.themes.classify import TaxonomyError, ThemeClassifier

    settings = load_settings()
    try:
        classifier = ThemeClassifier(taxonomy or settings.theme_taxonomy_path, get_embedder(settings.embedding_threads))
    except TaxonomyError as exc:
        fail(str(exc))
    scores = classifier.classify(text)
    if as_json:
        print_json({"themes": [score.as_dict() for score in scores]})
        return
    if not scores:
        console.print("no theme", highlight=False)
    for score in scores:
        console.print(f"{score.theme}  {score.confidence:.2f}", highlight=False)


def _parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{option} must be a date like 2026-01-31, not {value!r}")


def report(
    since: Annotated[
        str | None, typer.Option(help="First day, YYYY-MM-DD (default: 12 weeks or 6 months ago).")
    ] = None,
    until: Annotated[str | None, typer.Option(help="Last day, YYYY-MM-DD (default: today).")] = None,
    period: Annotated[str, typer.Option(help="week or month.")] = "week",
    by: Annotated[str | None, typer.Option(help="Split by role or cohort.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV.")] = False,
    chart: Annotated[Path | None, typer.Option(help="Also write a PNG chart to this path.")] = None,
) -> None:
    """Distinct participants and mentions per theme, k-anonymous: small cells are suppressed."""
    from assistant.db.engine import make_db_factory, make_engine, prepare_schema
    from assistant.themes.classify import TaxonomyError, load_taxonomy
    from assistant.themes.report import BYS, PERIODS, theme_report

    if period not in PERIODS:
        fail(f"unknown period {period!r}; choose week or month")
    if by is not None and by not in BYS:
        fail(f"unknown --by {by!r}; choose role or cohort")
    if as_json and as_csv:
        fail("choose one of --json and --csv")
    first, last = _parse_date(since, "--since"), _parse_date(until, "--until")
    settings = load_settings()
    try:
        themes = load_taxonomy(settings.theme_taxonomy_path).ids
    except TaxonomyError:
        themes = []
    engine = make_engine(settings.sqlalchemy_url)
    try:
        prepare_schema(engine)
        with make_db_factory(engine)() as db:
            result = theme_report(
                db,
                since=first,
                until=last,
                period=cast("Period", period),
                by=cast("By | None", by),
                k=settings.k_anonymity,
                themes=themes,
            )
    except ValueError as exc:
        fail(str(exc))
    finally:
        engine.dispose()

    if chart is not None:
        from assistant.themes.chart import render_chart

        try:
            chart.write_bytes(render_chart(result))
        except OSError as exc:
            fail(f"cannot write {chart}: {exc.strerror or exc}")
        errors.print(f"chart written to {chart}", markup=False, highlight=False)
    if as_json:
        print_json(result.as_contract())
    elif as_csv:
        print(result.to_csv(), end="")
    else:
        _print_table(result)


def _print_table(result: ThemeReport) -> None:
    """Themes down, periods across: as many of the latest periods as the terminal fits."""
    from rich import box
    from rich.table import Table

    hidden = f"<{result.k}*"
    label = "%m-%d" if result.period == "week" else "%Y-%m"
    theme_width = max((len(theme) for theme in result.themes), default=5)
    column_width = max(len(hidden), len(result.periods[0].strftime(label))) + 3
    fits = max(1, (console.width - theme_width - 4) // column_width)
    shown = result.periods[-fits:]
    for group in [None, *result.groups] if result.by else [None]:
        heading = "all participants" if group is None else f"{result.by}: {group}"
        table = Table(
            title=f"{heading} - distinct participants per {result.period}", title_justify="left", box=box.SIMPLE
        )
        table.add_column("theme", no_wrap=True)
        for start in shown:
            table.add_column(start.strftime(label), justify="right", no_wrap=True)
        cells = {(c.period, c.theme): c for c in result.cells if c.group == group}
        for theme in result.themes:
            values = [cells.get((start, theme)) for start in shown]
            table.add_row(
                theme, *(hidden if c is None or c.participants is None else str(c.participants) for c in values)
            )
        console.print(table)
    if len(shown) < len(result.periods):
        console.print(
            f"showing the latest {len(shown)} of {len(result.periods)} {result.period}s; --csv or --json has them all",
            highlight=False,
        )
    console.print(
        f"* suppressed: fewer than {result.k} distinct participants, or withheld so that such a cell "
        f"cannot be worked out from a total ({result.suppressed_count} of {len(result.cells)} cells).",
        highlight=False,
    )
