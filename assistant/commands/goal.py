"""``tandem goal check``: a SMART check of a development-goal draft, offline."""

from __future__ import annotations

from typing import Annotated

import typer

from assistant.commands.common import console, fail, load_settings, print_json
from assistant.knowledge.sections import MissingGuidelineError


def register(app: typer.Typer) -> None:
    goal_app = typer.Typer(help="Check development goals.", no_args_is_help=True)
    goal_app.command("check")(check)
    app.add_typer(goal_app, name="goal")


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
