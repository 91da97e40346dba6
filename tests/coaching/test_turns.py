"""The turn pipeline that the JSON route, the SSE route and ``tandem chat`` all adapt."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from assistant.db import crud
from assistant.db.models import ThemeEvent, User
from assistant.services import Services
from assistant.turns import ConversationNotFoundError, TurnEvent, final_event, finish_detached_turns
from tests.conftest import Participants


def _user(services: Services, person: dict[str, str]) -> User:
    with services.db_factory() as db:
        user = db.get(User, int(person["id"]))
        assert user is not None
        return user


async def _all(events: AsyncIterator[TurnEvent]) -> list[TurnEvent]:
    return [event async for event in events]


def test_a_turn_streams_tokens_then_the_stored_reply_and_logs_its_theme(
    services: Services, participants: Participants
) -> None:
    user = _user(services, participants.add("Robin Lane", "mentee"))
    conversation = services.turns.start(user, mode="ask", title="t")
    question = "I keep struggling with video calls and sharing my screen; how should we practise?"

    events = asyncio.run(_all(services.turns.run(user, conversation_id=conversation.id, content=question)))

    assert [e.kind for e in events][-1] == "done"
    assert "".join(e.text for e in events if e.kind == "token").strip() == events[-1].reply.text.strip()
    assert services.themes.drain(timeout=60)
    with services.db_factory() as db:
        stored = crud.list_messages(
            db, conversation=crud.get_own_conversation(db, user=user, conversation_id=conversation.id)
        )
        assert [m.role for m in stored] == ["user", "assistant"]
        assert stored[1].id == events[-1].stored.id and stored[1].citations
        assert db.query(ThemeEvent).count() >= 1


@pytest.mark.parametrize("reader", ["never reads", "hangs up after the first token", "is cancelled"])
def test_a_reply_is_stored_whatever_the_reader_does(
    services: Services, participants: Participants, reader: str
) -> None:
    """A browser that gives up, a closed tab, a request cancelled by the server: the reply still lands."""
    user = _user(services, participants.add("Robin Lane", "mentee"))
    conversation = services.turns.start(user, mode="ask")

    async def scenario() -> int:
        turn = await asyncio.to_thread(
            services.turns.accept, user, conversation_id=conversation.id, content="How often should we meet?"
        )
        events = services.turns.answer(user, turn)
        if reader == "hangs up after the first token":
            await anext(aiter(events))
            await events.aclose()  # type: ignore[attr-defined]
        elif reader == "is cancelled":
            reading = asyncio.ensure_future(final_event(events))
            await asyncio.sleep(0)
            reading.cancel()
        return await finish_detached_turns(timeout=60)

    assert asyncio.run(scenario()) == 0
    with services.db_factory() as db:
        owned = crud.get_own_conversation(db, user=user, conversation_id=conversation.id)
        stored = crud.list_messages(db, conversation=owned)
        assert [m.role for m in stored] == ["user", "assistant"] and stored[1].content.strip()


def test_an_answer_that_fails_ends_in_an_error_event_and_keeps_the_message(
    services: Services, participants: Participants
) -> None:
    user = _user(services, participants.add("Robin Lane", "mentor"))
    conversation = services.turns.start(user, mode="ask")

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("retrieval exploded")

    services.qa.plan = broken  # type: ignore[method-assign]
    final = asyncio.run(final_event(services.turns.run(user, conversation_id=conversation.id, content="What is SBI?")))

    assert final.kind == "error" and "saved" in final.text and final.stored is None
    with services.db_factory() as db:
        owned = crud.get_own_conversation(db, user=user, conversation_id=conversation.id)
        assert [m.content for m in crud.list_messages(db, conversation=owned)] == ["What is SBI?"]


def test_input_a_mode_cannot_take_and_other_peoples_conversations_are_refused_before_storing(
    services: Services, participants: Participants
) -> None:
    owner = _user(services, participants.add("Robin Lane", "mentor"))
    stranger = _user(services, participants.add("Kim Other", "mentor"))
    rehearsal = services.turns.start(owner, mode="rehearse", options={"persona": {"attitude": "busy"}})

    with pytest.raises(ConversationNotFoundError):
        services.turns.accept(stranger, conversation_id=rehearsal.id, content="Hello")
    with pytest.raises(ValueError):
        services.turns.accept(owner, conversation_id=rehearsal.id, content="   ")
    with services.db_factory() as db:
        owned = crud.get_own_conversation(db, user=owner, conversation_id=rehearsal.id)
        assert [m.role for m in crud.list_messages(db, conversation=owned)] == ["assistant"]
