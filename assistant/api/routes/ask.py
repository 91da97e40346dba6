from __future__ import annotations

from fastapi import APIRouter, Request

from assistant.api.deps import CurrentUser, ServicesDep
from assistant.api.limits import enforce_rate_limit
from assistant.api.schemas import AnswerOut, AskIn, Citation
from assistant.coaching.qa import collect
from assistant.privacy.log_filter import withhold_from_logs

router = APIRouter(tags=["ask"])


@router.post("/ask", response_model=AnswerOut)
async def ask(body: AskIn, request: Request, user: CurrentUser, services: ServicesDep) -> AnswerOut:
    """A one-off program question; nothing is stored (HR and admins ask here)."""
    enforce_rate_limit(request, user.id)
    withhold_from_logs(body.content)
    role = body.role or (user.role if user.role != "admin" else None)
    reply = await collect(services.qa.stream(body.content, role))
    return AnswerOut(
        answer=reply.text,
        citations=[Citation(**c) for c in reply.citations],
        provider=reply.provider,
        in_scope=reply.in_scope,
        fallback=reply.fallback,
    )
