"""``tandem feedback check``: a Situation-Behavior-Impact critique of one feedback line, offline."""

from __future__ import annotations

from typing import Annotated

import typer

from assistant.commands.common import console, fail, load_settings, print_json
from assistant.knowledge.sections import MissingGuidelineError


def register(app: typer.Typer) -> None:
    feedback_app = typer.Typer(help="Rehearse feedback.", no_args_is_help=True)
    feedback_app.command("check")(check)
    app.add_typer(feedback_app, name="feedback")


def check(
    line: Annotated[str, typer.Argument(help="One line of feedback, up to 2,000 characters.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Check one feedback line for situation, behaviour and impact, and flag risky phrasing."""
    from assistant.coaching.feedback import check_feedback

    settings = load_settings()
    try:
        result = check_feedback(line, settings.knowledge_dir)
    except (ValueError, MissingGuidelineError) as exc:
        fail(str(exc))
    if as_json:
        print_json(result.as_contract())
        return
    for label, part in (("Situation", result.situation), ("Behavior", result.behavior), ("Impact", result.impact)):
        mark = "[green]met[/green]    " if part.met else "[red]missing[/red]"
        console.print(f"{mark} [bold]{label}[/bold]")
        console.print(f"        {part.why}", markup=False, highlight=False)
    if result.flags:
        console.print("\n[bold]Flags[/bold]")
        for flag in result.flags:
            console.print(f"- {flag.kind}: {flag.why}", markup=False, highlight=False)
    if result.rephrasings:
        console.print("\n[bold]Try instead[/bold]")
        for rephrasing in result.rephrasings:
            console.print(rephrasing, markup=False, highlight=False)
    for number, citation in enumerate(result.citations, 1):
        console.print(f"[{number}] {citation['source']} - {citation['section']}", markup=False, highlight=False)
