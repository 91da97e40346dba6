"""The theme classifier: known messages, small talk, output shape, an organisation's own taxonomy."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from assistant.judgments import datasets
from assistant.retrieval.embeddings import MiniLMEmbedder
from assistant.themes.classify import DEFAULT_TAXONOMY, MAX_THEMES, TaxonomyError, ThemeClassifier, load_taxonomy


@pytest.fixture(scope="module")
def classifier(embedder: MiniLMEmbedder) -> ThemeClassifier:
    return ThemeClassifier(None, embedder)


def themes_of(classifier: ThemeClassifier, text: str) -> list[str]:
    return [score.theme for score in classifier.classify(text)]


def test_the_packaged_taxonomy_has_the_twelve_themes() -> None:
    taxonomy = load_taxonomy()
    assert len(taxonomy.themes) == 12
    for theme in taxonomy.themes:
        assert 4 <= len(theme.examples) <= 8, theme.id
        assert theme.keywords and theme.description


def test_a_client_contract_in_chatgpt_is_ai_tools_and_privacy(classifier: ThemeClassifier) -> None:
    found = themes_of(classifier, "My mentee pasted a client contract into ChatGPT and I did not know what to say.")
    assert set(found) >= {"ai-tools", "data-privacy-security"}


@pytest.mark.parametrize("text", ["thanks, see you Tuesday", "thanks!", "ok, 3pm works", "great session today"])
def test_small_talk_gets_no_theme(classifier: ThemeClassifier, text: str) -> None:
    assert classifier.classify(text) == []


def test_at_most_three_themes_with_sorted_confidences_in_range(classifier: ThemeClassifier) -> None:
    for case in datasets.load("themes", split="train")[:150]:
        scores = classifier.classify(case["text"])
        assert len(scores) <= MAX_THEMES
        confidences = [score.confidence for score in scores]
        assert all(0.0 <= value <= 1.0 for value in confidences)
        assert confidences == sorted(confidences, reverse=True)
        assert {score.theme for score in scores} <= set(classifier.theme_ids)


def test_one_embedding_call_per_message(classifier: ThemeClassifier, embedder: MiniLMEmbedder) -> None:
    calls: list[int] = []
    original = embedder.embed

    class Counting:
        model_id = embedder.model_id

        def embed(self, texts):  # type: ignore[no-untyped-def]
            calls.append(len(texts))
            return original(texts)

    counted = ThemeClassifier(None, Counting())
    calls.clear()
    counted.classify("Is Copilot reading our Teams chats?")
    assert calls == [1]


def test_an_edited_taxonomy_is_used(tmp_path: Path, embedder: MiniLMEmbedder) -> None:
    data = yaml.safe_load(DEFAULT_TAXONOMY.read_text(encoding="utf-8"))
    data["themes"].append(
        {
            "id": "accessibility",
            "description": "Making tools and content usable for people with disabilities: screen readers, "
            "captions, colour contrast, alt text, dyslexia-friendly formats.",
            "examples": [
                "How do I turn on live captions for a colleague who is hard of hearing?",
                "Our slides are unreadable for people with low vision.",
                "Does Word have a checker for accessibility problems?",
                "My mentee uses a screen reader and our forms don't work with it.",
            ],
            "keywords": ["accessib*", "screen reader*", "captions", "colour contrast", "dyslexi*"],
        }
    )
    path = tmp_path / "taxonomy.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    edited = ThemeClassifier(path, embedder)
    assert "accessibility" in edited.theme_ids
    found = themes_of(edited, "Our intranet doesn't work with my mentee's screen reader, who should I tell?")
    assert found and found[0] == "accessibility"


def test_a_broken_taxonomy_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "taxonomy.yaml"
    path.write_text("themes: []\n", encoding="utf-8")
    with pytest.raises(TaxonomyError):
        load_taxonomy(path)
    with pytest.raises(TaxonomyError):
        load_taxonomy(tmp_path / "missing.yaml")


def test_the_packaged_taxonomy_uses_the_learned_heads(classifier: ThemeClassifier, tmp_path: Path) -> None:
    assert classifier.learned
    edited = yaml.safe_load(DEFAULT_TAXONOMY.read_text(encoding="utf-8"))
    edited["themes"] = edited["themes"][:3]
    path = tmp_path / "three.yaml"
    path.write_text(yaml.safe_dump(edited), encoding="utf-8")
    assert not ThemeClassifier(path, classifier.embedder).learned
