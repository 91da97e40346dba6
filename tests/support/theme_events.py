"""Theme events as stored, and as the classifier says they should be, keyed (participant key, week, theme)."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import select

from assistant.db.engine import make_engine
from assistant.db.models import Conversation, Message, ThemeEvent, User
from assistant.retrieval.embeddings import Embedder
from assistant.themes.classify import ThemeClassifier
from assistant.themes.events import PARTICIPANT_ROLES, participant_key, week_start

Key = tuple[str, date, str]


def stored_user_messages(database_url: str) -> list[tuple[int, str, date]]:
    """(author id, text, ISO week) of every stored participant message (mentees and mentors)."""
    engine = make_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(
            select(User.id, Message.content, Message.created_at)
            .join(Conversation, Conversation.user_id == User.id)
            .join(Message, Message.conversation_id == Conversation.id)
            .where(Message.role == "user", User.role.in_(PARTICIPANT_ROLES))
        ).all()
    engine.dispose()
    return [(user_id, content, week_start(created_at)) for user_id, content, created_at in rows]


def expected_events(database_url: str, embedder: Embedder, secret: str) -> Counter[Key]:
    """What the theme log should hold: the classifier's themes of every stored participant message, once."""
    classifier = ThemeClassifier(None, embedder)
    expected: Counter[Key] = Counter()
    for user_id, content, week in stored_user_messages(database_url):
        for score in classifier.classify(content):
            expected[(participant_key(user_id, secret), week, score.theme)] += 1
    return expected


def stored_events(database_url: str) -> Counter[Key]:
    engine = make_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(select(ThemeEvent.participant_key, ThemeEvent.week_start, ThemeEvent.theme)).all()
    engine.dispose()
    return Counter((key, week, theme) for key, week, theme in rows)
