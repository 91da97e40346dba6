"""``tandem chat``: a conversation in the terminal, a thin adapter over the same turn pipeline as the API."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Annotated, Any

import typer
from sqlalchemy.orm import Session, sessionmaker

from assistant.coaching.modes import END_REHEARSAL, Mode, mode_of
from assistant.commands.common import console, errors, fail, indexed_services
from assistant.db import crud
from assistant.db.engine import transaction
from assistant.db.models import User

if TYPE_CHECKING:
    from assistant.turns import TurnEvent, TurnPipeline

RESUMED_LINES = 6
QUIT_WORDS = frozenset({"/exit", "/quit", "exit", "quit", "/bye", ":q"})
"""A line that is only one of these ends the chat, like an empty line or Ctrl-D; it is never sent."""


def ends_chat(text: str) -> bool:
    return not text.strip() or text.strip().lower() in QUIT_WORDS


def terminal_user(
    db_factory: sessionmaker[Session], *, token: str | None, role: str | None, resume: str | None = None
) -> User:
    """The participant holding ``token``; without one, the local terminal participant of ``role``, or
    (resuming with no role named) the local participant who owns that conversation."""
    with transaction(db_factory) as db:
        if token:
            user = crud.user_by_token(db, token=token)
            if user is None:
                raise ValueError("invalid or inactive token")
            return user
        if role is None and resume:
            owner = crud.local_owner_of(db, conversation_id=resume)
            if owner is not None:
                return owner
        return crud.local_participant(db, role=role or "mentee")


class TerminalChat:
    """Reads lines, runs each through the turn pipeline, prints the reply, its critique and citations."""

    def __init__(self, turns: TurnPipeline, user: User) -> None:
        self.turns = turns
        self.user = user
        self.conversation_id = ""
        self.mode = Mode.ASK
        self.critiques = 0

    def begin(self, mode: Mode, options: dict[str, Any]) -> None:
        conversation = self.turns.start(self.user, mode=mode, title=f"Terminal {mode}", options=options)
        self._enter(conversation.id, mode)
        with self.turns.db_factory() as db:
            for message in crud.list_messages(db, conversation=conversation):
                self._say(message.content)

    def open(self, conversation_id: str) -> None:
        with self.turns.db_factory() as db:
            conversation = crud.get_own_conversation(db, user=self.user, conversation_id=conversation_id)
            if conversation is None:
                raise LookupError(f"no conversation {conversation_id} of yours")
            self._enter(conversation.id, mode_of(conversation.mode))
            self.critiques = len(conversation.state.get("critiques", []))
            for message in crud.recent_messages(db, conversation=conversation, limit=RESUMED_LINES):
                if message.role == "user":
                    console.print(f"you> {message.content}", markup=False, highlight=False)
                else:
                    self._say(message.content)

    def loop(self) -> None:
        asyncio.run(self._loop())

    def _enter(self, conversation_id: str, mode: Mode) -> None:
        self.conversation_id, self.mode = conversation_id, mode
        console.print(
            f"Tandem ({mode} mode, conversation {conversation_id}). /exit, an empty line or Ctrl-D to quit.",
            highlight=False,
        )

    async def _loop(self) -> None:
        while True:
            text = await asyncio.to_thread(_read_line)
            if ends_chat(text):
                if self.mode != Mode.REHEARSE or not self.critiques:
                    return
                text = "end rehearsal"
            try:
                turn = await asyncio.to_thread(
                    self.turns.accept, self.user, conversation_id=self.conversation_id, content=text
                )
            except ValueError as exc:
                errors.print(f"error: {exc}", markup=False, highlight=False)
                continue
            async for event in self.turns.answer(self.user, turn):
                self._show(event, ending=bool(END_REHEARSAL.match(text)))
            if self.mode == Mode.REHEARSE and END_REHEARSAL.match(text):
                return

    def _show(self, event: TurnEvent, *, ending: bool) -> None:
        if event.kind == "error":
            errors.print(f"error: {event.text}", markup=False, highlight=False)
        if event.kind != "done" or event.reply is None:
            return
        reply = event.reply
        self._say(reply.text, speaker="tandem" if ending else None)
        critique = reply.data.get("critique")
        if critique:
            self.critiques += 1
            flags = ", ".join(f"{f['kind']}: {f['span']!r}" for f in critique["flags"]) or "no flags"
            parts = " ".join(
                f"{p[0].upper()}{'+' if critique[p]['met'] else '-'}" for p in ("situation", "behavior", "impact")
            )
            console.print(f"  critique: {parts}; {flags}", markup=False, highlight=False)
        for number, citation in enumerate(reply.citations, 1):
            console.print(f"  [{number}] {citation['source']} - {citation['section']}", markup=False, highlight=False)

    def _say(self, text: str, speaker: str | None = None) -> None:
        speaker = speaker or ("mentee" if self.mode == Mode.REHEARSE else "tandem")
        console.print(f"{speaker}> {text}", markup=False, highlight=False)


def _read_line() -> str:
    try:
        return console.input("[bold]you>[/bold] ")
    except (EOFError, KeyboardInterrupt):
        return ""


def register(app: typer.Typer) -> None:
    @app.command()
    def chat(
        token: Annotated[
            str | None, typer.Option("--token", envvar="TANDEM_TOKEN", help="Chat as this participant.")
        ] = None,
        role: Annotated[
            str | None,
            typer.Option(help="Without a token: chat as the local mentee (the default) or mentor."),
        ] = None,
        mode: Annotated[str, typer.Option(help="ask, goal, plan or rehearse.")] = "ask",
        attitude: Annotated[str, typer.Option(help="Rehearse: skeptical, busy, curious or defensive.")] = "skeptical",
        resume: Annotated[str | None, typer.Option(help="Continue one of your conversations (its id).")] = None,
    ) -> None:
        """A conversation in the terminal, stored like one in the web app; /exit, /quit, an empty line or
        Ctrl-D ends it (in rehearse mode, after a summary)."""
        try:
            requested = mode_of(mode)
        except ValueError as exc:
            fail(str(exc))
        services = indexed_services()
        try:
            user = terminal_user(services.db_factory, token=token, role=role, resume=resume)
            db = TerminalChat(services.turns, user)
            if resume:
                db.open(resume)
            else:
                db.begin(requested, {"persona": {"attitude": attitude}})
            db.loop()
        except ValueError as exc:
            fail(str(exc))
        except LookupError as exc:
            fail(str(exc.args[0]))
        finally:
            services.close()
