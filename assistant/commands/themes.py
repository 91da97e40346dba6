"""``tandem themes ...``: the theme taxonomy applied to messages."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from assistant.commands.anonymize import check_text
from assistant.commands.common import console, fail, load_settings, print_json


def register(app: typer.Typer) -> None:
    """Add the ``themes`` group to app; further subcommands (``report``) go into the same group."""
    themes_app = typer.Typer(help="Themes participants talk about (anonymised, for HR insights).", no_args_is_help=True)
    themes_app.command("classify")(classify)
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
        classifier = ThemeClassifier(taxonomy, get_embedder(settings.embedding_threads))
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
