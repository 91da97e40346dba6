"""A chat front-end's own housekeeping requests, told apart from what a participant wrote.

Open WebUI (and front-ends built like it) send background requests to the same chat model: a title for
the chat, tags, suggested follow-ups, search queries, autocompletion, an emoji. Their prompts start with
``### Task:`` and quote the chat inside ``<chat_history>`` (or, for the emoji, "Your task is to reflect
the speaker's likely facial expression"). Answered as questions they became stored conversations
titled "### Task: …", four per chat, and their text was counted again as themes. Tandem answers them
here, in the JSON shape each template asks for, without storing anything or counting a theme: the
participant's words they quote were already stored (and counted) with the real message.

The rule, documented in docs/integrations.md: a user message is housekeeping when it starts with
``### Task:`` and holds a ``<chat_history>`` block, or is the emoji template. Nothing else is.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

TASK_HEAD = re.compile(r"^\s*###\s*Task:", re.I)
HISTORY = re.compile(r"<chat_history>(.*?)</chat_history>", re.S | re.I)
EMOJI_TEMPLATE = "Your task is to reflect the speaker's likely facial expression"
SPEAKER_LINE = re.compile(r"^\s*(USER|ASSISTANT)\s*:\s*(.*)$", re.I)
TITLE_WORDS = 6


@dataclass(frozen=True)
class ClientTask:
    kind: str  # title, tags, follow_ups, queries, autocomplete, emoji or other
    reply: str


def client_task(text: str) -> ClientTask | None:
    """The housekeeping task ``text`` asks for, with Tandem's reply to it; None for a participant's message."""
    if text.lstrip().startswith(EMOJI_TEMPLATE):
        return ClientTask("emoji", "🙂")
    history = HISTORY.search(text)
    if not TASK_HEAD.match(text) or history is None:
        return None
    lowered = text.lower()
    if '"title"' in lowered:
        return ClientTask("title", json.dumps({"title": title_of(history.group(1))}, ensure_ascii=False))
    if '"tags"' in lowered:
        return ClientTask("tags", json.dumps({"tags": ["Reverse mentoring"]}))
    if '"follow_ups"' in lowered:
        return ClientTask("follow_ups", json.dumps({"follow_ups": []}))
    if '"queries"' in lowered:
        return ClientTask("queries", json.dumps({"queries": []}))
    if '"text"' in lowered:
        return ClientTask("autocomplete", json.dumps({"text": ""}))
    return ClientTask("other", "")


def title_of(history: str) -> str:
    """A short title from the first user line the front-end quoted, cut at a word boundary."""
    for line in history.splitlines():
        found = SPEAKER_LINE.match(line)
        if found and found.group(1).upper() == "USER" and found.group(2).strip():
            words = found.group(2).split()
            title = " ".join(words[:TITLE_WORDS]).rstrip(",;:.?!")
            return f"{title}…" if len(words) > TITLE_WORDS else title
    return "Tandem conversation"
