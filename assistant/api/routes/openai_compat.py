"""The OpenAI-compatible endpoint (``/v1/models``, ``/v1/chat/completions``) for chat front-ends; the logic
is in :mod:`assistant.openai_compat`. Every error here, the token check's included, is OpenAI's shape."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from assistant.api.deps import ConversationOwner, ServicesDep
from assistant.api.limits import enforce_rate_limit
from assistant.api.openai_schemas import ChatCompletionIn, ChatCompletionOut, ErrorOut, ModelOut, ModelsOut
from assistant.openai_compat import ChatCompletions, CompletionError, error_body, list_models
from assistant.privacy.log_filter import withhold_from_logs

CONVERSATION_HEADER = "X-Tandem-Conversation"


def _validation_error(exc: RequestValidationError) -> JSONResponse:
    first = exc.errors()[0] if exc.errors() else {}
    if first.get("type") == "json_invalid":
        return JSONResponse(error_body(400, "request body is not valid JSON"), status_code=400)
    where = [part for part in first.get("loc", ()) if part != "body"]
    param = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in where).lstrip(".") or None
    message = str(first.get("msg", "invalid request")).removeprefix("Value error, ")
    return JSONResponse(error_body(400, f"{param}: {message}" if param else message, param=param), status_code=400)


class OpenAIErrorRoute(APIRoute):
    """Sends validation errors and any ``HTTPException`` (401, 403, 429 from the shared dependencies, 400 for
    a body FastAPI cannot read) as ``{"error": {"message", "type", "code", "param"}}``, which OpenAI
    clients read."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except CompletionError as exc:
                return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)
            except RequestValidationError as exc:
                return _validation_error(exc)
            except HTTPException as exc:
                return JSONResponse(
                    error_body(exc.status_code, str(exc.detail)), status_code=exc.status_code, headers=exc.headers
                )

        return handle


router = APIRouter(prefix="/v1", tags=["openai"], route_class=OpenAIErrorRoute)
ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut} for status in (400, 401, 403, 404, 409, 429, 503)
}


def get_chat_completions(services: ServicesDep, request: Request) -> ChatCompletions:
    """Source links point at ``PUBLIC_URL`` when it is set, else at the host the request came to."""
    settings = services.settings
    public = settings.public_url if "public_url" in settings.model_fields_set else str(request.base_url)
    return ChatCompletions(services.turns, services.db_factory, max_chars=settings.max_message_chars, base_url=public)


CompletionsDep = Annotated[ChatCompletions, Depends(get_chat_completions)]


@router.get("/models", response_model=ModelsOut, responses=ERRORS)
def models(user: ConversationOwner) -> ModelsOut:
    """Tandem's conversation modes, one model each (``tandem-ask``, ``tandem-goal``, ...)."""
    return ModelsOut(data=[ModelOut(**model) for model in list_models()])


@router.post(
    "/chat/completions",
    response_model=ChatCompletionOut,
    responses={**ERRORS, 200: {"content": {"text/event-stream": {}}}},
)
async def chat_completions(
    body: ChatCompletionIn, request: Request, response: Response, user: ConversationOwner, completions: CompletionsDep
) -> dict[str, Any] | StreamingResponse:
    """Answer the chat's last message in the model's mode, as JSON or (``stream``) Server-Sent Events of
    ``chat.completion.chunk``; it is stored in the participant's conversation of that chat (see
    docs/integrations.md for how a chat is matched to its conversation). System messages are ignored."""
    enforce_rate_limit(request, user.id)
    for message in body.messages:
        if message.role == "user":
            withhold_from_logs(message.content)
    chat = [(message.role, message.content) for message in body.messages]
    if (housekeeping := completions.housekeeping(body.model, chat)) is not None:  # never stored, no theme
        if body.stream:
            return StreamingResponse(
                completions.housekeeping_stream(housekeeping),
                media_type="text/event-stream",
                headers={"Cache-Control": "no-store"},
            )
        return housekeeping
    opened = await run_in_threadpool(completions.open, user, body.model, chat)
    headers = {CONVERSATION_HEADER: opened.turn.conversation_id}
    if body.stream:
        include_usage = body.stream_options is not None and body.stream_options.include_usage
        return StreamingResponse(
            completions.stream(user, opened, include_usage=include_usage),
            media_type="text/event-stream",
            headers={**headers, "Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )
    response.headers.update(headers)
    return await completions.complete(user, opened)
