from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from functools import partial
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from assistant.api.deps import ConversationOwner, DbDep, ServicesDep
from assistant.api.limits import enforce_rate_limit
from assistant.api.schemas import (
    ConversationDetail,
    ConversationIn,
    ConversationOut,
    ConversationPatch,
    ConversationsOut,
    ExchangeOut,
    MessageIn,
    MessageOut,
    RetryIn,
)
from assistant.db import crud
from assistant.db.models import User
from assistant.privacy.log_filter import withhold_from_logs
from assistant.services import Services
from assistant.turns import (
    AcceptedTurn,
    ConversationNotFoundError,
    NothingToRetryError,
    TurnEvent,
    final_event,
)

router = APIRouter(prefix="/conversations", tags=["conversations"])
NOT_FOUND = "conversation not found"


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ConversationOut)
def create_conversation(body: ConversationIn, user: ConversationOwner, services: ServicesDep) -> ConversationOut:
    """Start a conversation in a mode: ``ask``, ``goal``, ``plan`` (with ``plan`` options) or ``rehearse``
    (with a ``persona``; the persona's opening line is the first message)."""
    options = body.model_dump(include={"plan", "persona"}, exclude_none=True)
    conversation = services.turns.start(user, mode=body.mode, title=body.title, options=options)
    return ConversationOut.model_validate(conversation)


@router.get("", response_model=ConversationsOut)
def list_conversations(
    user: ConversationOwner,
    db: DbDep,
    limit: Annotated[int, Query(ge=1, le=200, description="Conversations per page.")] = 50,
    offset: Annotated[int, Query(ge=0, le=2**63 - 1, description="Conversations to skip.")] = 0,
) -> ConversationsOut:
    rows = crud.list_conversations(db, user=user, limit=limit, offset=offset)
    return ConversationsOut(
        data=[ConversationOut.model_validate(c) for c in rows], count=crud.count_conversations(db, user=user)
    )


@router.get("/{conversation_id}", response_model=ConversationDetail)
def read_conversation(conversation_id: str, user: ConversationOwner, db: DbDep) -> ConversationDetail:
    conversation = crud.get_own_conversation(db, user=user, conversation_id=conversation_id)
    if conversation is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    messages = [MessageOut.model_validate(m) for m in crud.list_messages(db, conversation=conversation)]
    return ConversationDetail(
        **ConversationOut.model_validate(conversation).model_dump(), state=conversation.state, messages=messages
    )


@router.patch("/{conversation_id}", response_model=ConversationOut)
def rename_conversation(
    conversation_id: str, body: ConversationPatch, user: ConversationOwner, db: DbDep
) -> ConversationOut:
    conversation = crud.get_own_conversation(db, user=user, conversation_id=conversation_id)
    if conversation is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    return ConversationOut.model_validate(crud.rename_conversation(db, conversation=conversation, title=body.title))


@router.delete("/{conversation_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_conversation(conversation_id: str, user: ConversationOwner, db: DbDep) -> None:
    """Delete the conversation and its messages (its anonymous theme events stay)."""
    conversation = crud.get_own_conversation(db, user=user, conversation_id=conversation_id)
    if conversation is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    crud.delete_conversation(db, conversation=conversation)


@router.post(
    "/{conversation_id}/messages",
    response_model=ExchangeOut,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def post_message(
    conversation_id: str, body: MessageIn, request: Request, user: ConversationOwner, services: ServicesDep
) -> ExchangeOut | StreamingResponse:
    """Store the message, then answer as JSON or, with ``Accept: text/event-stream``, as Server-Sent Events."""
    enforce_rate_limit(request, user.id)
    withhold_from_logs(body.content)
    accept = partial(services.turns.accept, user, conversation_id=conversation_id, content=body.content)
    return await _answer(request, user, services, accept)


@router.post(
    "/{conversation_id}/retry",
    response_model=ExchangeOut,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def retry_last_message(
    conversation_id: str, body: RetryIn, request: Request, user: ConversationOwner, services: ServicesDep
) -> ExchangeOut | StreamingResponse:
    """Answer your last message again (regenerate), or with ``content`` edit it and resend; the replies
    after it are replaced. JSON or Server-Sent Events, as for a new message."""
    enforce_rate_limit(request, user.id)
    if body.content is not None:
        withhold_from_logs(body.content)
    reopen = partial(services.turns.reopen, user, conversation_id=conversation_id, content=body.content)
    return await _answer(request, user, services, reopen)


async def _answer(
    request: Request, user: User, services: Services, accept: Callable[[], AcceptedTurn]
) -> ExchangeOut | StreamingResponse:
    try:
        turn = await run_in_threadpool(accept)
    except ConversationNotFoundError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND) from None
    except NothingToRetryError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    except ValueError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    events = services.turns.answer(user, turn)
    if "text/event-stream" in request.headers.get("accept", ""):
        return StreamingResponse(
            _sse(turn, events),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )
    final = await final_event(events)
    if final.reply is None or final.stored is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, final.text, headers={"Retry-After": "5"})
    return ExchangeOut(
        message=MessageOut.model_validate(turn.message),
        reply=MessageOut.model_validate(final.stored),
        in_scope=final.reply.in_scope,
    )


def _event(name: str, data: object) -> str:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n"


async def _sse(turn: AcceptedTurn, events: AsyncIterator[TurnEvent]) -> AsyncIterator[str]:
    yield _event("accepted", {"message_id": turn.message.id})
    async for event in events:
        if event.kind == "token":
            yield _event("token", {"text": event.text})
        elif event.kind == "reset":
            yield _event("reset", {})
        elif event.kind == "error":
            yield _event("error", {"detail": event.text})
        elif event.reply is not None:
            payload = MessageOut.model_validate(event.stored).model_dump(mode="json")
            payload["in_scope"] = event.reply.in_scope
            yield _event("done", payload)
