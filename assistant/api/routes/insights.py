"""Anonymous theme insights for HR: aggregated, k-anonymous, never a transcript."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Response, status
from fastapi.concurrency import run_in_threadpool

from assistant.api.deps import DbDep, ServicesDep, require_roles
from assistant.db.models import User
from assistant.services import Services
from assistant.themes.report import By, Period, ThemeReport, theme_report

router = APIRouter(prefix="/insights", tags=["insights"])
InsightsReader = Annotated[User, Depends(require_roles("hr", "admin"))]


def build_report(
    db: DbDep,
    services: ServicesDep,
    since: Annotated[date | None, Query(description="First day (default: 12 weeks or 6 months ago).")] = None,
    until: Annotated[date | None, Query(description="Last day (default: today).")] = None,
    period: Period = "week",
    by: By | None = None,
) -> ThemeReport:
    try:
        return theme_report(
            db,
            since=since,
            until=until,
            period=period,
            by=by,
            k=services.settings.k_anonymity,
            themes=taxonomy_ids(services),
        )
    except ValueError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None


ReportDep = Annotated[ThemeReport, Depends(build_report)]


def taxonomy_labels(services: Services) -> dict[str, str]:
    """The taxonomy's themes with their names, so a theme nobody raised is listed (suppressed) like any other."""
    from assistant.themes.classify import TaxonomyError, load_taxonomy

    try:
        return load_taxonomy(services.settings.theme_taxonomy_path).labels
    except TaxonomyError:
        return {}


def taxonomy_ids(services: Services) -> list[str]:
    return list(taxonomy_labels(services))


@router.get("/themes")
def themes(_: InsightsReader, report: ReportDep, services: ServicesDep) -> dict[str, Any]:
    """Distinct participants and mentions per theme and period (optionally by role or cohort), with the
    change against the previous period. Suppressed cells come back with ``"suppressed": true`` and no numbers.
    ``labels`` names each theme for people (the taxonomy's labels)."""
    labels = taxonomy_labels(services)
    contract = report.as_contract()
    return {**contract, "labels": {theme: labels.get(theme, theme) for theme in contract["themes"]}}


@router.get("/themes.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
def themes_csv(_: InsightsReader, report: ReportDep) -> Response:
    """The same cells as CSV; suppressed cells have empty numbers and ``suppressed=true``."""
    return Response(
        report.to_csv(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="tandem-themes.csv"'},
    )


@router.get("/themes.png", response_class=Response, responses={200: {"content": {"image/png": {}}}})
async def themes_png(_: InsightsReader, report: ReportDep) -> Response:
    """A chart of themes over time; suppressed cells are not plotted and are counted in the caption."""
    from assistant.themes.chart import render_chart

    png = await run_in_threadpool(render_chart, report)
    return Response(png, media_type="image/png")
