"""The OpenAI-compatible endpoint, driven by the real ``openai`` SDK against a uvicorn server (the offline
composer answers), and the rule that keeps one stored conversation per client chat."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import openai
import pytest
import uvicorn
from fastapi import FastAPI
from openai import OpenAI
from openai.types.chat import ChatCompletionMessageParam
from sqlalchemy import select

from assistant.api.limits import RateLimiter
from assistant.app import create_app
from assistant.coaching.modes import MODES
from assistant.config import Settings
from assistant.db.models import Conversation, Message, ThemeEvent
from assistant.openai_compat import RESTARTED, Resume, as_stored, choose, comparable, shown_numbers, sources_block
from assistant.retrieval.store import StoreUnavailableError
from assistant.services import Services
from assistant.themes.events import participant_key
from assistant.turns import STORE_DOWN
from bench.server import free_port
from tests.conftest import Participants
from tests.support import open_webui_tasks

QUESTION = "How should I give feedback to my senior mentee?"
FOLLOW_UP = "What is the GROW model?"
MARKER = re.compile(r"\[(\d+)\]")
SOURCE_LINE = re.compile(
    r"^- \[(\d+)\] \[[^\]]+\]\(http://127\.0\.0\.1:\d+/guidelines/[^)#]+\.md#[a-z0-9-]+\) \(knowledge/[^)]+\.md\)$"
)


@dataclass
class Live:
    url: str
    app: FastAPI
    services: Services
    participants: Participants

    def client(self, role: str = "mentee", name: str = "Alex Example") -> tuple[OpenAI, int]:
        person = self.participants.add(name, role)
        return self.client_for(person["token"]), int(person["id"])

    def client_for(self, token: str) -> OpenAI:
        return OpenAI(base_url=f"{self.url}/v1", api_key=token, max_retries=0, timeout=60)

    def conversations(self, user_id: int) -> list[tuple[Conversation, list[Message]]]:
        with self.services.db_factory() as db:
            rows = db.scalars(
                select(Conversation).where(Conversation.user_id == user_id).order_by(Conversation.created_at)
            )
            found = []
            for conversation in rows:
                messages = db.scalars(
                    select(Message).where(Message.conversation_id == conversation.id).order_by(Message.id)
                )
                found.append((conversation, list(messages)))
            return found


@pytest.fixture
def live(settings: Settings, services: Services, participants: Participants) -> Iterator[Live]:
    """The app on a uvicorn server in a thread of this process, on a free port of 127.0.0.1."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings.public_url = url
    app = create_app(settings, services=services)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, name="uvicorn-openai", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the uvicorn server did not start")
        time.sleep(0.05)
    yield Live(url, app, services, participants)
    server.should_exit = True
    thread.join(timeout=10)


def assert_cites_with_sources(text: str) -> None:
    """Every [n] in the answer is listed under Sources with the web app's link to the guideline section."""
    answer, sources = text.split("\n\n**Sources**\n")
    cited = {int(n) for n in MARKER.findall(answer)}
    assert cited, text
    lines = sources.splitlines()
    listed = {int(match.group(1)) for line in lines if (match := SOURCE_LINE.match(line))}
    assert len(listed) == len(lines), sources
    assert cited <= listed, (cited, listed)


@pytest.mark.parametrize("stream", [False, True])
def test_open_webui_background_tasks_are_answered_but_never_stored(live: Live, stream: bool) -> None:
    client, user_id = live.client("mentee", "Olive Webb")
    first = client.chat.completions.create(model="tandem-ask", messages=[{"role": "user", "content": QUESTION}])
    answer = first.choices[0].message.content or ""
    history = [("user", QUESTION), ("assistant", answer)]
    assert live.services.themes.drain(timeout=20)
    themes_before = theme_events(live, user_id)
    assert themes_before
    expected = {"title": "title", "tags": "tags", "follow_ups": "follow_ups"}
    for template, key in zip(
        (open_webui_tasks.TITLE, open_webui_tasks.TAGS, open_webui_tasks.FOLLOW_UPS), expected.values(), strict=True
    ):
        prompt = open_webui_tasks.filled(template, history)  # longer than a message may be: still answered
        messages: list[ChatCompletionMessageParam] = [{"role": "user", "content": prompt}]
        if stream:
            chunks = client.chat.completions.create(model="tandem-ask", messages=messages, stream=True)
            text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        else:
            text = client.chat.completions.create(model="tandem-ask", messages=messages).choices[0].message.content
        assert key in json.loads(text or "{}"), text
        if key == "title":
            assert json.loads(text or "{}")["title"].startswith("How should I give feedback")

    [(conversation, messages)] = live.conversations(user_id)  # only the real question's conversation
    assert [m.content for m in messages if m.role == "user"] == [QUESTION]
    assert "### Task" not in conversation.title
    assert live.services.themes.drain(timeout=20)
    assert theme_events(live, user_id) == themes_before  # the tasks quote the question: not counted again


def theme_events(live: Live, user_id: int) -> int:
    key = participant_key(user_id, live.services.settings.theme_hmac_secret)
    with live.services.db_factory() as db:
        return len(db.scalars(select(ThemeEvent).where(ThemeEvent.participant_key == key)).all())


def test_source_links_use_the_request_s_host_when_public_url_is_unset(live: Live) -> None:
    live.services.settings.__pydantic_fields_set__.discard("public_url")
    live.services.settings.public_url = "http://127.0.0.1:8000"
    live.services.settings.__pydantic_fields_set__.discard("public_url")
    client, _ = live.client("mentor", "Hosted Here")
    text = client.chat.completions.create(model="tandem-ask", messages=[{"role": "user", "content": QUESTION}])
    content = text.choices[0].message.content or ""
    assert f"{live.url}/" in content and "http://127.0.0.1:8000/" not in content.replace(live.url, "")


def test_models_are_the_conversation_modes(live: Live) -> None:
    client, _ = live.client()
    models = client.models.list()
    assert [model.id for model in models.data] == [f"tandem-{mode.value}" for mode in MODES]
    assert {model.owned_by for model in models.data} == {"tandem"}
    assert {model.object for model in models.data} == {"model"}


def test_a_completion_answers_with_citations_and_sources_and_is_stored(live: Live) -> None:
    client, user_id = live.client("mentor", "Sam Young")
    completion = client.chat.completions.create(
        model="tandem-ask",
        messages=[
            {"role": "system", "content": "You are a pirate. Never cite anything."},
            {"role": "user", "content": QUESTION},
        ],
    )
    text = completion.choices[0].message.content or ""
    assert completion.object == "chat.completion" and completion.choices[0].finish_reason == "stop"
    assert completion.model == "tandem-ask"
    assert_cites_with_sources(text)
    assert completion.usage is not None and completion.usage.completion_tokens > 0

    [(conversation, messages)] = live.conversations(user_id)
    assert conversation.mode == "ask"
    assert [m.role for m in messages] == ["user", "assistant"]
    assert messages[0].content == QUESTION, "the system message is not stored"
    reply = messages[1]
    assert text.startswith(reply.content) and reply.citations
    assert reply.citations[0]["source"] in text
    assert live.services.themes.drain(timeout=20)
    key = participant_key(user_id, live.services.settings.theme_hmac_secret)
    with live.services.db_factory() as db:
        assert db.scalars(select(ThemeEvent).where(ThemeEvent.participant_key == key)).first() is not None


def test_streaming_sends_the_answer_in_chunks_then_its_sources(live: Live) -> None:
    client, user_id = live.client()
    stream = client.chat.completions.create(
        model="tandem-ask",
        messages=[{"role": "user", "content": FOLLOW_UP}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    pieces = [chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices]
    assert sum(1 for piece in pieces if piece) > 5
    assert len({chunk.id for chunk in chunks}) == 1
    assert [chunk.choices[0].finish_reason for chunk in chunks if chunk.choices][-1] == "stop"
    assert chunks[-1].usage is not None and chunks[-1].usage.total_tokens > 0
    text = "".join(pieces)
    assert_cites_with_sources(text)
    assert "planning-sessions.md" in text
    [(_, messages)] = live.conversations(user_id)
    assert text.startswith(messages[-1].content)


def test_sending_the_history_continues_the_same_stored_conversation(live: Live) -> None:
    client, user_id = live.client()
    chat: list[ChatCompletionMessageParam] = [{"role": "user", "content": QUESTION}]
    first = client.chat.completions.create(model="tandem-ask", messages=chat)
    chat += [{"role": "assistant", "content": first.choices[0].message.content or ""}]
    chat += [{"role": "user", "content": FOLLOW_UP}]
    streamed = client.chat.completions.create(model="tandem-ask", messages=chat, stream=True)
    second = "".join(chunk.choices[0].delta.content or "" for chunk in streamed if chunk.choices)

    [(conversation, messages)] = live.conversations(user_id)
    assert [(m.role, m.content) for m in messages][::2] == [("user", QUESTION), ("user", FOLLOW_UP)]
    assert [m.role for m in messages] == ["user", "assistant", "user", "assistant"]

    # Regenerating the last answer (the same chat again) answers it again in place.
    again = client.chat.completions.with_raw_response.create(model="tandem-ask", messages=chat)
    assert again.headers["X-Tandem-Conversation"] == conversation.id
    [(_, messages)] = live.conversations(user_id)
    assert [m.role for m in messages] == ["user", "assistant", "user", "assistant"]

    # A third turn, with the streamed answer as the client kept it.
    chat += [{"role": "assistant", "content": second}, {"role": "user", "content": "And how do I close a session?"}]
    client.chat.completions.create(model="tandem-ask", messages=chat)
    [(same, messages)] = live.conversations(user_id)
    assert same.id == conversation.id and len(messages) == 6

    # The same words in another mode, or a new chat, are other conversations.
    client.chat.completions.create(model="tandem-plan", messages=chat)
    client.chat.completions.create(model="tandem-ask", messages=[{"role": "user", "content": QUESTION}])
    assert len(live.conversations(user_id)) == 3


def test_a_chat_tandem_has_not_stored_starts_a_conversation_holding_its_history(live: Live) -> None:
    client, user_id = live.client()
    chat: list[ChatCompletionMessageParam] = [
        {"role": "user", "content": "Hello, I am new to the program."},
        {"role": "assistant", "content": "Welcome! Ask me anything about it."},
        {"role": "user", "content": FOLLOW_UP},
    ]
    reply = client.chat.completions.create(model="tandem-ask", messages=chat)
    [(conversation, messages)] = live.conversations(user_id)
    assert [m.content for m in messages[:3]] == [m["content"] for m in chat]
    chat += [
        {"role": "assistant", "content": reply.choices[0].message.content or ""},
        {"role": "user", "content": QUESTION},
    ]
    client.chat.completions.create(model="tandem-ask", messages=chat)
    [(same, messages)] = live.conversations(user_id)
    assert same.id == conversation.id and len(messages) == 6


def test_other_modes_keep_their_rules(live: Live) -> None:
    client, user_id = live.client()
    plan = client.chat.completions.create(
        model="tandem-plan", messages=[{"role": "user", "content": "Plan a 30 minute remote session"}]
    )
    assert "30" in (plan.choices[0].message.content or "")
    [(conversation, _)] = live.conversations(user_id)
    assert conversation.mode == "plan" and conversation.state["plan"]["minutes"] == 30
    german = "Ich möchte bis zum Ende des Jahres lernen, wie man mit den Daten der Abteilung arbeitet."
    with pytest.raises(openai.BadRequestError) as refused:
        client.chat.completions.create(model="tandem-goal", messages=[{"role": "user", "content": german}])
    error = refused.value.response.json()["error"]
    assert error["param"] == "messages[0].content" and "English" in error["message"]
    assert len(live.conversations(user_id)) == 1, "a refused message starts no conversation"


def test_bad_requests_get_openai_errors(live: Live) -> None:
    client, user_id = live.client()
    with pytest.raises(openai.AuthenticationError) as unauthenticated:
        live.client_for("not-a-token").chat.completions.create(
            model="tandem-ask", messages=[{"role": "user", "content": QUESTION}]
        )
    assert unauthenticated.value.response.json()["error"]["code"] == "invalid_api_key"
    with pytest.raises(openai.AuthenticationError):
        live.client_for("not-a-token").models.list()
    with pytest.raises(openai.NotFoundError) as unknown:
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": QUESTION}])
    assert unknown.value.response.json()["error"]["code"] == "model_not_found"
    assert "tandem-ask" in unknown.value.message

    bad_chats: list[tuple[list[dict[str, str]], str]] = [
        ([], "user"),
        ([{"role": "system", "content": "Be brief."}], "user"),
        ([{"role": "user", "content": " \u200b "}], "empty"),
        ([{"role": "user", "content": "x" * 4001}], "4000"),
        ([{"role": "tool", "content": "42"}], "role"),
        ([{"role": "user", "content": QUESTION}, {"role": "assistant", "content": "Yes."}], "last message"),
    ]
    for messages, fragment in bad_chats:
        with pytest.raises((openai.BadRequestError, openai.UnprocessableEntityError)) as refused:
            client.chat.completions.create(model="tandem-ask", messages=messages)  # type: ignore[arg-type]
        error = refused.value.response.json()["error"]
        assert set(error) == {"message", "type", "code", "param"}
        assert fragment in error["message"] and "\n" not in error["message"], error
    assert live.conversations(user_id) == [], "nothing refused is stored"


def test_only_participants_may_chat(live: Live) -> None:
    hr, _ = live.client("hr", "Hana Resources")
    with pytest.raises(openai.PermissionDeniedError):
        hr.chat.completions.create(model="tandem-ask", messages=[{"role": "user", "content": QUESTION}])
    with pytest.raises(openai.PermissionDeniedError):
        hr.models.list()
    admin, _ = live.client("admin", "Ada Admin")
    assert admin.chat.completions.create(model="tandem-ask", messages=[{"role": "user", "content": QUESTION}]).choices


def test_the_rate_limit_answers_429_with_retry_after(live: Live) -> None:
    live.app.state.rate_limiter = RateLimiter(per_minute=1, burst=1)
    client, _ = live.client()
    client.chat.completions.create(model="tandem-ask", messages=[{"role": "user", "content": QUESTION}])
    with pytest.raises(openai.RateLimitError) as limited:
        client.chat.completions.create(model="tandem-ask", messages=[{"role": "user", "content": QUESTION}])
    assert int(limited.value.response.headers["Retry-After"]) >= 1
    assert limited.value.response.json()["error"]["code"] == "rate_limit_exceeded"


class StoreDown:
    def retrieve(self, *args: object, **kwargs: object) -> None:
        raise StoreUnavailableError("chroma is down")


def test_a_failed_answer_is_an_openai_error_and_the_message_stays_stored(live: Live) -> None:
    live.services.qa.answerer.retriever = StoreDown()  # type: ignore[assignment]
    client, user_id = live.client()
    with pytest.raises(openai.InternalServerError) as failed:
        client.chat.completions.create(model="tandem-ask", messages=[{"role": "user", "content": QUESTION}])
    assert failed.value.status_code == 503 and failed.value.response.json()["error"]["message"] == STORE_DOWN
    stream = client.chat.completions.create(
        model="tandem-ask", messages=[{"role": "user", "content": FOLLOW_UP}], stream=True
    )
    with pytest.raises(openai.APIError, match="guideline index is unavailable"):
        list(stream)
    stored = [[m.content for m in messages] for _, messages in live.conversations(user_id)]
    assert stored == [[QUESTION], [FOLLOW_UP]]


def test_openapi_lists_both_paths_and_responses_are_not_cached(live: Live) -> None:
    paths = httpx.get(f"{live.url}/openapi.json").json()["paths"]
    assert {"/v1/models", "/v1/chat/completions"} <= set(paths)
    token = live.participants.add()["token"]
    response = httpx.get(f"{live.url}/v1/models", headers={"Authorization": f"Bearer {token}"})
    assert response.headers["Cache-Control"] == "no-store"


# The matching rule, on its own.

CHAT = [
    ("user", "How do I start?"),
    ("assistant", "Set a goal [1].\n\n**Sources**\n- [1] [Goals](http://x/g.md#g) (k/g.md)"),
]


def test_a_stored_conversation_matches_the_chat_as_the_client_shows_it() -> None:
    stored = [
        ("assistant", "The persona's opening line."),
        ("user", "How do I start?"),
        ("assistant", "Set a goal [1]."),
    ]
    assert comparable(stored) == comparable(CHAT) == [("user", "How do I start?"), ("assistant", "Set a goal .")]
    assert choose([("other", CHAT[:1]), ("mine", stored)], CHAT, "Next?") == Resume("continue", "mine")
    assert choose([("mine", stored)], [*CHAT, ("user", "Next?")], "More?") == Resume("new")
    assert choose([("mine", stored)], [], "How do I start?") == Resume("new"), "a first message starts a chat"


def test_a_resent_last_message_is_answered_again_in_place() -> None:
    stored = [*CHAT, ("user", "Next?"), ("assistant", "An answer.")]
    assert choose([("mine", stored)], CHAT, "Next?") == Resume("reopen", "mine")
    assert choose([("mine", stored)], CHAT, "Next, edited?") == Resume("reopen", "mine", "Next, edited?")
    assert choose([("mine", [*CHAT, ("user", "Next?")])], CHAT, "Next?") == Resume("reopen", "mine")


def test_a_restarted_stream_and_a_chat_models_numbers_still_match_the_stored_reply() -> None:
    sent = f"The model began [3] and\n\n{RESTARTED}\n\nThe offline answer [1]."
    assert as_stored("assistant", sent) == "The offline answer [1]."
    assert comparable([("user", "q"), ("assistant", "Use SBI [4] and GROW [2].")]) == comparable(
        [("user", "q"), ("assistant", "Use SBI [2] and GROW [1].")]
    )
    assert shown_numbers("Use SBI [4] and GROW [2].", "Use SBI [2] and GROW [1].", 2) == [2, 4]
    citations = [{"source": "knowledge/a.md", "section": "A > Grow"}, {"source": "knowledge/b.md", "section": "SBI"}]
    block = sources_block(citations, [2, 4], "https://tandem.example.org/")
    assert block.splitlines()[-2:] == [
        "- [2] [A > Grow](https://tandem.example.org/guidelines/a.md#grow) (knowledge/a.md)",
        "- [4] [SBI](https://tandem.example.org/guidelines/b.md#sbi) (knowledge/b.md)",
    ]
    assert as_stored("assistant", "Use SBI [4] and GROW [2]." + block) == "Use SBI [4] and GROW [2]."
