from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session, sessionmaker

from assistant.api.deps import ConversationOwner, ServicesDep, SessionDep, SessionFactoryDep
from assistant.api.limits import enforce_rate_limit
from assistant.api.schemas import (
    ConversationDetail,
    ConversationIn,
    ConversationOut,
    ConversationsOut,
    ExchangeOut,
    MessageIn,
    MessageOut,
)
from assistant.coaching.qa import ReplyEvent, collect
from assistant.conversations import (
    AcceptedTurn,
    ConversationNotFoundError,
    accept_message,
    start_conversation,
    store_reply,
)
from assistant.db import crud
from assistant.db.models import User
from assistant.logs import log_failure
from assistant.privacy.log_filter import withhold_from_logs
from assistant.retrieval.store import StoreUnavailableError
from assistant.services import Services
from assistant.themes.events import Author

log = logging.getLogger(__name__)
router = APIRouter(prefix="/conversations", tags=["conversations"])
NOT_FOUND = "conversation not found"
ANSWER_FAILED = "your message is saved, but Tandem could not answer it; please try again"
STORE_DOWN = "the guideline index is unavailable; your message is saved, please try again shortly"


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ConversationOut)
def create_conversation(
    body: ConversationIn, user: ConversationOwner, sessions: SessionFactoryDep, services: ServicesDep
) -> ConversationOut:
    """Start a conversation in a mode: ``ask``, ``goal``, ``plan`` (with ``plan`` options) or ``rehearse``
    (with a ``persona``; the persona's opening line is the first message)."""
    options = body.model_dump(include={"plan", "persona"}, exclude_none=True)
    conversation = start_conversation(
        sessions,
        user=user,
        title=body.title,
        mode=body.mode,
        options=options,
        knowledge_dir=services.settings.knowledge_dir,
    )
    return ConversationOut.model_validate(conversation)


@router.get("", response_model=ConversationsOut)
def list_conversations(
    user: ConversationOwner, session: SessionDep, limit: int = 50, offset: int = 0
) -> ConversationsOut:
    limit = max(1, min(limit, 200))
    rows = crud.list_conversations(session, user=user, limit=limit, offset=max(0, offset))
    return ConversationsOut(
        data=[ConversationOut.model_validate(c) for c in rows], count=crud.count_conversations(session, user=user)
    )


@router.get("/{conversation_id}", response_model=ConversationDetail)
def read_conversation(conversation_id: str, user: ConversationOwner, session: SessionDep) -> ConversationDetail:
    conversation = crud.get_own_conversation(session, user=user, conversation_id=conversation_id)
    if conversation is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    messages = [MessageOut.model_validate(m) for m in crud.list_messages(session, conversation=conversation)]
    return ConversationDetail(
        **ConversationOut.model_validate(conversation).model_dump(), state=conversation.state, messages=messages
    )


@router.post(
    "/{conversation_id}/messages",
    response_model=ExchangeOut,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def post_message(
    conversation_id: str,
    body: MessageIn,
    request: Request,
    user: ConversationOwner,
    services: ServicesDep,
    sessions: SessionFactoryDep,
) -> ExchangeOut | StreamingResponse:
    """Store the message, then answer as JSON or, with ``Accept: text/event-stream``, as Server-Sent Events."""
    enforce_rate_limit(request, user.id)
    withhold_from_logs(body.content)
    try:
        turn = await run_in_threadpool(
            accept_message, sessions, user=user, conversation_id=conversation_id, content=body.content
        )
    except ConversationNotFoundError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND) from None
    except ValueError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    services.themes.submit(body.content, author=Author.of(user), when=turn.message.created_at)

    if "text/event-stream" in request.headers.get("accept", ""):
        return StreamingResponse(
            _sse(services, sessions, user, turn, body.content),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
    try:
        reply = await collect(_reply_events(services, user, turn, body.content))
    except StoreUnavailableError:
        raise
    except Exception as exc:
        log_failure("answering failed; the message %s is stored", turn.message.id, exc=exc)
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, ANSWER_FAILED) from None
    stored = await run_in_threadpool(store_reply, sessions, user=user, turn=turn, reply=reply)
    return ExchangeOut(
        message=MessageOut.model_validate(turn.message),
        reply=MessageOut.model_validate(stored),
        in_scope=reply.in_scope,
    )


def _reply_events(services: Services, user: User, turn: AcceptedTurn, content: str) -> AsyncIterator[ReplyEvent]:
    return services.skills.stream(
        mode=turn.mode, state=turn.state, content=content, role=user.role, history=turn.history, goals=turn.goals
    )


def _event(name: str, data: object) -> str:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n"


async def _sse(
    services: Services, sessions: sessionmaker[Session], user: User, turn: AcceptedTurn, content: str
) -> AsyncIterator[str]:
    yield _event("accepted", {"message_id": turn.message.id})
    try:
        async for event in _reply_events(services, user, turn, content):
            if event.kind == "token":
                yield _event("token", {"text": event.text})
            elif event.kind == "reset":
                yield _event("reset", {})
            elif event.kind == "done" and event.reply is not None:
                stored = await run_in_threadpool(store_reply, sessions, user=user, turn=turn, reply=event.reply)
                payload = MessageOut.model_validate(stored).model_dump(mode="json")
                payload["in_scope"] = event.reply.in_scope
                yield _event("done", payload)
    except Exception as exc:
        log_failure("answering failed; the message %s is stored", turn.message.id, exc=exc)
        detail = STORE_DOWN if isinstance(exc, StoreUnavailableError) else ANSWER_FAILED
        yield _event("error", {"detail": detail})
