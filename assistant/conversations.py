"""One chat turn: store the question first, answer, store the reply; nothing accepted is ever lost."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from assistant.coaching.qa import QAService, Reply, ReplyEvent
from assistant.db import crud
from assistant.db.engine import session_scope
from assistant.db.models import Message, User


class ConversationNotFoundError(LookupError):
    pass


@dataclass
class AcceptedTurn:
    conversation_id: str
    message: Message
    history: list[tuple[str, str]]


def accept_message(sessions: sessionmaker[Session], *, user: User, conversation_id: str, content: str) -> AcceptedTurn:
    with session_scope(sessions) as session:
        conversation = crud.get_own_conversation(session, user=user, conversation_id=conversation_id)
        if conversation is None:
            raise ConversationNotFoundError(conversation_id)
        history = [(m.role, m.content) for m in crud.list_messages(session, conversation=conversation)]
        message = crud.add_message(session, conversation=conversation, role="user", content=content)
    return AcceptedTurn(conversation_id, message, history)


def store_reply(sessions: sessionmaker[Session], *, user: User, turn: AcceptedTurn, reply: Reply) -> Message:
    with session_scope(sessions) as session:
        conversation = crud.get_own_conversation(session, user=user, conversation_id=turn.conversation_id)
        if conversation is None:
            raise ConversationNotFoundError(turn.conversation_id)
        return crud.add_message(
            session,
            conversation=conversation,
            role="assistant",
            content=reply.text,
            citations=reply.citations,
            provider=reply.provider,
            fallback=reply.fallback,
        )


async def reply_events(qa: QAService, *, turn: AcceptedTurn, role: str, content: str) -> AsyncIterator[ReplyEvent]:
    async for event in qa.stream(content, role, history=turn.history):
        yield event
