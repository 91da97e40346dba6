"""``tandem pair`` and ``tandem pulse``: a participant's side of the program from the terminal, by token."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer

from assistant.commands.common import console, fail, load_settings, parse_day, participant_database, print_json

TokenOption = Annotated[str, typer.Option("--token", envvar="TANDEM_TOKEN", help="Your personal token.")]
PairOption = Annotated[int | None, typer.Option("--pair", help="The pair's id (default: your only pair).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


def register(app: typer.Typer) -> None:
    pair_app = typer.Typer(help="Your mentoring pair: agreement, session log, actions.", no_args_is_help=True)
    pair_app.command("show")(show)
    pair_app.command("agreement")(agreement)
    pair_app.command("log")(log_session)
    pair_app.command("done")(done)
    app.add_typer(pair_app, name="pair")
    app.command("pulse")(pulse)


def _pair(db: Any, user: Any, pair_id: int | None) -> Any:
    from assistant.program.cohorts import NotFound
    from assistant.program.pairing import pair_for_member, pairs_of

    if pair_id is not None:
        try:
            return pair_for_member(db, pair_id, user.id)
        except NotFound as exc:
            fail(str(exc.args[0]))
    current = [p for p in pairs_of(db, user.id) if p.status == "confirmed"]
    if len(current) != 1:
        fail("you have no confirmed pair" if not current else "you have several pairs; choose one with --pair")
    return current[0]


def _agreement_dict(found: Any) -> dict[str, Any]:
    from assistant.program.agreement import is_accepted, unfilled

    return {
        "version": found.version,
        "fields": found.fields,
        "accepted": is_accepted(found),
        "mentor_accepted": found.mentor_accepted_at is not None,
        "mentee_accepted": found.mentee_accepted_at is not None,
        "unfilled": unfilled(found.fields),
    }


def show(token: TokenOption, pair_id: PairOption = None, as_json: JsonOption = False) -> None:
    """Your pair, its agreement's state, the sessions logged and the open actions."""
    from assistant.program.agreement import current_agreement
    from assistant.program.session_log import pair_actions, pair_sessions

    with participant_database(token) as (db, user):
        pair = _pair(db, user, pair_id)
        found = current_agreement(db, pair)
        names = {pair.mentor_id: pair.mentor.name, pair.mentee_id: pair.mentee.name}
        payload = {
            "pair_id": pair.id,
            "mentor": pair.mentor.name,
            "mentee": pair.mentee.name,
            "agreement": _agreement_dict(found) if found else None,
            "sessions": [
                {"id": s.id, "held_on": s.held_on.isoformat(), "rating": s.rating, "notes": s.notes}
                for s in pair_sessions(db, pair)
            ],
            "open_actions": [
                {
                    "id": a.id,
                    "text": a.text,
                    "owner": names.get(a.owner_id),
                    "due_on": a.due_on.isoformat() if a.due_on else None,
                }
                for a in pair_actions(db, pair, open_only=True)
            ],
        }
    if as_json:
        print_json(payload)
        return
    agreement_state = payload["agreement"]
    console.print(f"pair {payload['pair_id']}: {payload['mentor']} (mentor) and {payload['mentee']} (mentee)")
    if agreement_state is None:
        console.print("agreement: none yet (tandem pair agreement --draft)", markup=False)
    else:
        state = "accepted by both" if agreement_state["accepted"] else "not accepted by both"
        console.print(f"agreement: version {agreement_state['version']}, {state}", markup=False)
    console.print(f"sessions logged: {len(payload['sessions'])}", markup=False)
    for action in payload["open_actions"]:
        due = f", due {action['due_on']}" if action["due_on"] else ""
        console.print(f"  open action {action['id']}: {action['text']} ({action['owner']}{due})", markup=False)


def agreement(
    token: TokenOption,
    pair_id: PairOption = None,
    draft: Annotated[bool, typer.Option("--draft", help="Draft a new version from the template.")] = False,
    set_field: Annotated[
        list[str] | None, typer.Option("--set", help="LABEL=TEXT: change a field (a new version).")
    ] = None,
    accept: Annotated[int | None, typer.Option("--accept", help="Accept this version (the latest).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Show, draft, change or accept the pair's mentoring agreement."""
    from assistant.program import agreement as agreements
    from assistant.program.cohorts import NotFound, ProgramError
    from assistant.program.skills import load_skills

    changes = {}
    for item in set_field or []:
        label, sep, text = item.partition("=")
        if not sep or not label.strip():
            fail(f"--set needs LABEL=TEXT, not {item!r}")
        changes[label.strip()] = text
    settings = load_settings()
    try:
        with participant_database(token) as (db, user):
            pair = _pair(db, user, pair_id)
            if draft:
                agreements.draft_agreement(db, pair, settings.knowledge_dir, load_skills(settings.skills_path))
            if changes:
                agreements.revise_agreement(db, pair, user, changes)
            if accept is not None:
                agreements.accept_agreement(db, pair, user, accept)
            found = agreements.current_agreement(db, pair)
            payload = _agreement_dict(found) if found else None
    except (ProgramError, NotFound) as exc:
        fail(str(exc.args[0]))
    if as_json:
        print_json({"agreement": payload})
        return
    if payload is None:
        console.print("no agreement yet; draft one with --draft", markup=False)
        return
    state = "accepted by both" if payload["accepted"] else "not accepted by both"
    console.print(f"version {payload['version']} ({state})", markup=False)
    for field in payload["fields"]:
        console.print(f"- {field['label']}: {field['value']}", markup=False, highlight=False)


def log_session(
    token: TokenOption,
    held_on: Annotated[str, typer.Option(help="The day it took place: YYYY-MM-DD or 'yesterday'.")],
    pair_id: PairOption = None,
    notes: Annotated[str, typer.Option(help="Notes (seen only by the two of you).")] = "",
    rating: Annotated[int | None, typer.Option(help="1-5: how useful it was.")] = None,
    action: Annotated[
        list[str] | None, typer.Option(help="TEXT|mentor or mentee|YYYY-MM-DD (due date optional; repeat).")
    ] = None,
) -> None:
    """Record a session you held, with notes, a rating and actions."""
    from assistant.program.cohorts import NotFound, ProgramError
    from assistant.program.session_log import ActionDraft
    from assistant.program.session_log import log_session as store

    day = parse_day(held_on, "--held-on")
    drafts = []
    for item in action or []:
        parts = [part.strip() for part in item.split("|")]
        if len(parts) not in (2, 3):
            fail(f"--action needs TEXT|OWNER or TEXT|OWNER|DUE, not {item!r}")
        drafts.append(
            ActionDraft(parts[0], parts[1], parse_day(parts[2], "an action's due date") if len(parts) == 3 else None)
        )
    try:
        with participant_database(token) as (db, user):
            pair = _pair(db, user, pair_id)
            logged = store(db, pair=pair, user=user, held_on=day, notes=notes, rating=rating, actions=drafts)
            logged_id = logged.id
    except (ProgramError, NotFound) as exc:
        fail(str(exc.args[0]))
    console.print(f"session {logged_id} logged with {len(drafts)} actions", markup=False)


def done(
    action_id: Annotated[int, typer.Argument(help="The action's id (see tandem pair show).")],
    token: TokenOption,
    reopen: Annotated[bool, typer.Option(help="Mark it open again.")] = False,
) -> None:
    """Mark one of your pair's actions done."""
    from assistant.program.cohorts import NotFound
    from assistant.program.session_log import set_action_done

    try:
        with participant_database(token) as (db, user):
            set_action_done(db, action_id=action_id, user=user, done=not reopen)
    except NotFound as exc:
        fail(str(exc.args[0]))
    console.print(f"action {action_id} {'open again' if reopen else 'done'}", markup=False)


def pulse(
    token: TokenOption,
    kind: Annotated[str, typer.Option(help="session (after a session), midpoint or end.")] = "session",
    session_id: Annotated[int | None, typer.Option("--session", help="The session's id (for kind session).")] = None,
    score: Annotated[list[str] | None, typer.Option(help="QUESTION=1..5 (repeat; see --questions).")] = None,
    comment: Annotated[str, typer.Option(help="Optional: what helped, what gets in the way.")] = "",
    questions: Annotated[bool, typer.Option("--questions", help="Print the questions and stop.")] = False,
) -> None:
    """Answer the pulse after a session, or the mid-point or end survey (the comment is anonymized)."""
    from assistant.program.cohorts import NotFound, ProgramError
    from assistant.program.pulse import OPEN_QUESTION, QUESTIONS, PulseAnswers, submit_pulse

    if kind not in QUESTIONS:
        fail(f"--kind must be one of {', '.join(QUESTIONS)}")
    if questions:
        for name, text in QUESTIONS[kind].items():
            console.print(f"{name}: {text} (1-5)", markup=False)
        console.print(f"comment: {OPEN_QUESTION}", markup=False)
        return
    scores = {}
    for item in score or []:
        name, sep, value = item.partition("=")
        if not sep or not value.strip().isdigit():
            fail(f"--score needs QUESTION=1..5, not {item!r}")
        scores[name.strip()] = int(value)
    from assistant.services import build_services

    services = build_services(load_settings())
    try:
        with participant_database(token) as (db, user):
            stored = submit_pulse(
                db,
                user=user,
                answers=PulseAnswers(kind, scores, comment, session_id),
                anonymizer=services.anonymizer.get(),
                classifier=services.themes.classifier,
                secret=services.settings.theme_hmac_secret,
                when=dt.datetime.now(dt.UTC),
            )
            themes = list(stored.themes)
    except (ProgramError, NotFound) as exc:
        fail(str(exc.args[0]))
    finally:
        services.close()
    console.print(f"thank you; themes noted: {', '.join(themes) or 'none'}", markup=False)
