"""``tandem goal check`` (a SMART check of a draft, offline) and ``tandem goals list|add|update`` (a participant's
own saved goals, identified by their token)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from assistant.commands.common import console, fail, load_settings, participant_database, print_json
from assistant.knowledge.sections import MissingGuidelineError

TokenOption = Annotated[str, typer.Option("--token", envvar="TANDEM_TOKEN", help="Your personal token.")]
STATUSES = ("draft", "active", "done")


def register(app: typer.Typer) -> None:
    goal_app = typer.Typer(help="Check development goals.", no_args_is_help=True)
    goal_app.command("check")(check)
    app.add_typer(goal_app, name="goal")
    goals_app = typer.Typer(help="Your saved development goals.", no_args_is_help=True)
    goals_app.command("list")(list_goals)
    goals_app.command("add")(add_goal)
    goals_app.command("update")(update_goal)
    app.add_typer(goals_app, name="goals")


def _smart_met(goal) -> list[str]:  # type: ignore[no-untyped-def]
    return [name for name, c in goal.criteria.items() if c.get("met")]


def _as_dict(goal) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {
        "id": goal.id,
        "text": goal.text,
        "status": goal.status,
        "smart_met": _smart_met(goal),
        "target_date": goal.target_date.isoformat() if goal.target_date else None,
        "milestones": goal.milestones,
    }


def list_goals(
    token: TokenOption,
    status: Annotated[str | None, typer.Option(help="draft, active or done.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """List your goals (only yours: the token says who you are)."""
    from assistant.db import crud

    if status is not None and status not in STATUSES:
        fail(f"unknown status {status!r}; choose draft, active or done")
    with participant_database(token) as (db, user):
        goals = [_as_dict(g) for g in crud.list_goals(db, user=user, status=status)]
    if as_json:
        print_json({"goals": goals})
        return
    for goal in goals:
        console.print(
            f"{goal['id']:>4}  {goal['status']:<6}  {len(goal['smart_met'])}/5 SMART  {goal['text']}",  # type: ignore[arg-type]
            markup=False,
            highlight=False,
        )


def update_goal(
    goal_id: Annotated[int, typer.Argument(help="The goal's id (see tandem goals list).")],
    token: TokenOption,
    status: Annotated[str | None, typer.Option(help="draft, active or done.")] = None,
    text: Annotated[str | None, typer.Option(help="New wording (re-checked against SMART).")] = None,
    target_date: Annotated[str | None, typer.Option(help="YYYY-MM-DD.")] = None,
) -> None:
    """Change one of your goals' status, wording or target date."""
    from assistant.db import crud

    if status is not None and status not in STATUSES:
        fail(f"unknown status {status!r}; choose draft, active or done")
    changes: dict[str, object] = {}
    if status is not None:
        changes["status"] = status
    date = _target_date(target_date)
    if date is not None:
        changes["target_date"] = date
    if text is None and not changes:
        fail("nothing to change: give --status, --text or --target-date")
    with participant_database(token) as (db, user):
        goal = crud.get_own_goal(db, user=user, goal_id=goal_id)
        if goal is None:
            fail(f"goal {goal_id} not found")
        if text is not None:
            changes.update(_fields(text, target_date=date, current=goal.target_date))
        crud.update_goal(db, goal=goal, changes=changes)
    console.print(f"goal {goal_id} updated", highlight=False)


def add_goal(
    text: Annotated[str, typer.Argument(help="The goal in your words; checked against SMART as it is saved.")],
    token: TokenOption,
    status: Annotated[str, typer.Option(help="draft, active or done.")] = "draft",
    target_date: Annotated[
        str | None, typer.Option(help="YYYY-MM-DD or words: '31 March', 'end of June', 'in 6 weeks'.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the saved goal as one JSON object.")] = False,
) -> None:
    """Save a goal of yours (the same rules as the web app: no [placeholder] left, a date not in the past)."""
    from assistant.coaching.goals import CRITERIA
    from assistant.db import crud

    if status not in STATUSES:
        fail(f"unknown status {status!r}; choose draft, active or done")
    fields = _fields(text, target_date=_target_date(target_date))
    with participant_database(token) as (db, user):
        goal = crud.create_goal(db, user=user, status=status, milestones=[], **fields)  # type: ignore[arg-type]
        saved = _as_dict(goal)
        goal_met = _smart_met(goal)
    if as_json:
        print_json(saved)
        return
    missing = [c.replace("_", "-") for c in CRITERIA if c not in goal_met]
    still = f"; still missing: {', '.join(missing)}" if missing else "; all five SMART criteria met"
    console.print(f"goal {saved['id']} saved{still}", markup=False, highlight=False)


def _target_date(value: str | None) -> dt.date | None:
    from assistant.coaching.dates import parse_target_date

    if value is None:
        return None
    try:
        return parse_target_date(value, dt.datetime.now(dt.UTC).date())
    except ValueError as exc:
        fail(f"--target-date: {exc}")


def _fields(text: str, *, target_date: dt.date | None, current: dt.date | None = None) -> dict[str, object]:
    from assistant.coaching.goals import saved_goal_fields

    try:
        return saved_goal_fields(
            text,
            load_settings().knowledge_dir,
            today=dt.datetime.now(dt.UTC).date(),
            target_date=target_date,
            current=current,
        )
    except ValueError as exc:
        fail(str(exc))


def check(
    draft: Annotated[str, typer.Argument(help="The goal draft, in English, up to 2,000 characters.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Check a goal draft against SMART, ask what is missing and suggest an improved draft."""
    from assistant.coaching.goals import LABELS, check_goal

    settings = load_settings()
    try:
        result = check_goal(draft, settings.knowledge_dir)
    except (ValueError, MissingGuidelineError) as exc:
        fail(str(exc))
    if as_json:
        print_json(result.as_contract())
        return
    for name, criterion in result.criteria.items():
        mark = "[green]met[/green]    " if criterion.met else "[red]missing[/red]"
        console.print(f"{mark} [bold]{LABELS[name]}[/bold]")
        console.print(f"        {criterion.why}", markup=False, highlight=False)
    if result.questions:
        console.print("\n[bold]Questions[/bold]")
        for question in result.questions:
            console.print(f"- {question}", markup=False, highlight=False)
    console.print("\n[bold]Suggestion[/bold]")
    console.print(result.suggestion, markup=False, highlight=False)
    for number, citation in enumerate(result.citations, 1):
        console.print(f"[{number}] {citation['source']} - {citation['section']}", markup=False, highlight=False)
