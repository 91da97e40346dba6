"""``tandem match``: propose mentor-mentee pairs from participants' profiles, each pair explained."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from assistant.commands.common import console, fail, load_settings, open_database, print_json

if TYPE_CHECKING:
    from assistant.program.matching import Profile, Proposal
    from assistant.program.skills import SkillCatalog


def register(app: typer.Typer) -> None:
    app.command("match")(match)


def match(
    profiles: Annotated[
        Path | None, typer.Option("--profiles", help="Profiles as CSV or YAML (see assistant/program/profiles.py).")
    ] = None,
    cohort: Annotated[
        str | None,
        typer.Option("--cohort", help="Match a cohort's members and store the proposal for an admin to confirm."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    skills: Annotated[Path | None, typer.Option("--skills", help="Your own skills list (YAML).")] = None,
    min_score: Annotated[
        float | None, typer.Option("--min-score", help="Leave pairs below this score unmatched (default 0.30).")
    ] = None,
) -> None:
    """Propose pairs: best total fit, never within a reporting line, always with a shared time slot."""
    from assistant.program.profiles import load_profiles
    from assistant.program.skills import load_skills

    if (profiles is None) == (cohort is None):
        fail("give either --profiles FILE or --cohort NAME")
    try:
        catalog = load_skills(skills or load_settings().skills_path)
    except ValueError as exc:
        fail(str(exc))
    if cohort is not None:
        match_cohort(cohort, catalog, min_score=min_score, as_json=as_json)
        return
    assert profiles is not None
    try:
        people = load_profiles(profiles, catalog)
    except ValueError as exc:
        fail(str(exc))
    show_proposal(propose_for(people, skills=catalog, min_score=min_score), as_json=as_json)


def match_cohort(name: str, catalog: SkillCatalog, *, min_score: float | None, as_json: bool) -> None:
    """Propose pairs for a cohort in the database and store them (open proposals are replaced)."""
    from assistant.program.cohorts import NotFound, ProgramError, cohort_by_name
    from assistant.program.matching import MIN_SCORE
    from assistant.program.pairing import propose_for_cohort

    threshold = MIN_SCORE if min_score is None else min_score
    if not 0 < threshold <= 1:
        fail("--min-score must be above 0 and at most 1")
    try:
        with open_database() as db:
            stored = propose_for_cohort(db, cohort_by_name(db, name), catalog, min_score=threshold)
            contract = stored.as_dict()
    except (ProgramError, NotFound) as exc:
        fail(str(exc.args[0]))
    if as_json:
        print_json(contract)
        return
    show_proposal(stored.proposal, as_json=False)
    console.print(
        f"stored as proposed pairs {', '.join(str(p['pair_id']) for p in contract['pairs']) or '(none)'}; "
        "confirm with: tandem program confirm --cohort " + name,
        markup=False,
        highlight=False,
    )


def propose_for(
    profiles: Sequence[Profile], *, skills: SkillCatalog | None = None, min_score: float | None = None
) -> Proposal:
    """The command's core, whatever the profiles came from (a file now, a cohort in the database later)."""
    from assistant.program.matching import MIN_SCORE, propose_pairs, split_roles

    threshold = MIN_SCORE if min_score is None else min_score
    if not 0 < threshold <= 1:
        fail("--min-score must be above 0 and at most 1")
    mentors, mentees = split_roles(profiles)
    if not mentors and not mentees:
        fail("no profiles to match")
    try:
        return propose_pairs(mentors, mentees, skills=skills, min_score=threshold)
    except ValueError as exc:
        fail(str(exc))


def show_proposal(proposal: Proposal, *, as_json: bool) -> None:
    if as_json:
        print_json(proposal.as_contract())
        return
    names = {p.id: p.name for p in (*proposal.mentors, *proposal.mentees)}
    console.print(
        f"{len(proposal.pairs)} pairs, mean score {proposal.mean_score:.2f}; {len(proposal.unmatched)} unmatched",
        markup=False,
        highlight=False,
    )
    for pair in proposal.pairs:
        console.print(
            f"{pair.score:.2f}  {names[pair.mentor]} ({pair.mentor}) → {names[pair.mentee]} ({pair.mentee})\n"
            f"      {pair.explanation}",
            markup=False,
            highlight=False,
        )
    if proposal.unmatched:
        console.print("unmatched:", markup=False, highlight=False)
    for person in proposal.unmatched:
        console.print(
            f"  {names[person.id]} ({person.id}, {person.role}): {person.reason}", markup=False, highlight=False
        )
