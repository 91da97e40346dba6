"""Which themes of the taxonomy a message is about.

For the packaged taxonomy, a learned head per theme (:mod:`assistant.judgments`, trained on
``evals/datasets/judgments/themes.jsonl``) reads the message's embedding and the themes' keywords;
themes whose probability passes their threshold are returned, most probable first. An
organisation's own taxonomy, which no head was trained for, uses the similarity rule below.

Similarity rule: each theme is represented by the embeddings of its description and examples (computed once). A
message is embedded once; its semantic score for a theme blends the similarity to the closest
example with the similarity to the theme's centroid, and a keyword found in the message adds a
bonus. Themes above a threshold and close enough to the best one are returned, at most three.
Messages closer to the taxonomy's ``no_theme`` examples (thanks, scheduling) than to any theme, and
without a keyword, get no theme.

Its parameters were tuned on an earlier theme set (since replaced by ``evals/datasets/judgments/``);
they serve only taxonomies the learned heads were not trained for.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import yaml

from assistant.retrieval.embeddings import Embedder

if TYPE_CHECKING:
    from assistant.judgments.model import Judge

DEFAULT_TAXONOMY = Path(__file__).with_name("taxonomy.yaml")
MAX_THEMES = 3


@dataclass(frozen=True)
class ThemeScore:
    theme: str
    confidence: float

    def as_dict(self) -> dict[str, Any]:
        return {"theme": self.theme, "confidence": self.confidence}


@dataclass(frozen=True)
class Theme:
    id: str
    description: str
    examples: tuple[str, ...]
    keywords: tuple[str, ...]
    label: str = ""

    @property
    def name(self) -> str:
        """What people read: the label, or the id in words ("career-growth" -> "Career growth")."""
        return self.label or self.id.replace("-", " ").capitalize()


@dataclass(frozen=True)
class Taxonomy:
    themes: tuple[Theme, ...]
    no_theme_examples: tuple[str, ...] = ()

    @property
    def ids(self) -> list[str]:
        return [theme.id for theme in self.themes]

    @property
    def labels(self) -> dict[str, str]:
        return {theme.id: theme.name for theme in self.themes}


class TaxonomyError(ValueError):
    """The taxonomy file is missing or malformed."""


def load_taxonomy(path: Path | str | None = None) -> Taxonomy:
    """Read a taxonomy file (the packaged one by default)."""
    path = Path(path) if path is not None else DEFAULT_TAXONOMY
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise TaxonomyError(f"cannot read taxonomy {path}: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("themes"), list) or not data["themes"]:
        raise TaxonomyError(f"{path}: expected a mapping with a non-empty 'themes' list")
    themes = []
    for entry in data["themes"]:
        if not isinstance(entry, dict) or not entry.get("id") or not entry.get("description"):
            raise TaxonomyError(f"{path}: every theme needs an 'id' and a 'description'")
        themes.append(
            Theme(
                id=str(entry["id"]),
                description=str(entry["description"]).strip(),
                examples=tuple(str(example) for example in entry.get("examples") or ()),
                keywords=tuple(str(keyword) for keyword in entry.get("keywords") or ()),
                label=str(entry.get("label") or "").strip(),
            )
        )
    ids = [theme.id for theme in themes]
    if len(set(ids)) != len(ids):
        raise TaxonomyError(f"{path}: theme ids must be unique")
    no_theme = data.get("no_theme") or {}
    return Taxonomy(tuple(themes), tuple(str(example) for example in no_theme.get("examples") or ()))


@dataclass(frozen=True)
class ClassifierParams:
    """The similarity rule's parameters (an organisation's own taxonomy only)."""

    max_weight: float = 0.5  # semantic = max_weight * closest example + (1 - max_weight) * centroid
    keyword_bonus: float = 0.25
    threshold: float = 0.46  # minimum score for a theme
    margin: float = 0.26  # themes within this of the best score are kept
    no_theme_margin: float = 0.0  # no theme when small talk beats the best theme by this much
    temperature: float = 0.05  # logistic scale turning scores into confidences


def _keyword_pattern(keywords: tuple[str, ...]) -> re.Pattern[str] | None:
    parts = []
    for keyword in keywords:
        words = keyword.strip().lower()
        if not words:
            continue
        wildcard = words.endswith("*")
        body = r"\s+".join(re.escape(word) for word in words.rstrip("*").split())
        parts.append(rf"(?<!\w){body}" + (r"[\w'-]*" if wildcard else r"(?!\w)"))
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


@dataclass
class _ThemeVectors:
    theme: Theme
    examples: np.ndarray  # description and examples, one normalised row each
    centroid: np.ndarray
    keywords: re.Pattern[str] | None = field(default=None)


class ThemeClassifier:
    """Assigns 0-3 themes to a message; build once (it embeds the taxonomy)."""

    def __init__(
        self, taxonomy_path: Path | str | None, embedder: Embedder, params: ClassifierParams | None = None
    ) -> None:
        self.taxonomy = load_taxonomy(taxonomy_path)
        self.embedder = embedder
        self.params = params or ClassifierParams()
        self._learned = _learned_judge(self.taxonomy, embedder)
        self._themes: list[_ThemeVectors] = []
        self._no_theme = np.zeros((0, 1), dtype=np.float32)
        if self._learned is None:
            self._embed_taxonomy()

    def _embed_taxonomy(self) -> None:
        embedder = self.embedder
        texts: list[str] = []
        for theme in self.taxonomy.themes:
            texts += [theme.description, *theme.examples]
        texts += list(self.taxonomy.no_theme_examples)
        vectors = np.asarray(embedder.embed(texts), dtype=np.float32)
        row = 0
        for theme in self.taxonomy.themes:
            count = 1 + len(theme.examples)
            block = vectors[row : row + count]
            row += count
            centroid = block.mean(axis=0)
            centroid /= max(float(np.linalg.norm(centroid)), 1e-12)
            self._themes.append(_ThemeVectors(theme, block, centroid, _keyword_pattern(theme.keywords)))
        self._no_theme = vectors[row:]

    @property
    def theme_ids(self) -> list[str]:
        return self.taxonomy.ids

    def scores(self, text: str) -> tuple[dict[str, float], float]:
        """Each theme's score, and the similarity to the closest small-talk example."""
        (query,) = np.asarray(self.embedder.embed([text]), dtype=np.float32)
        params = self.params
        scores = {}
        for vectors in self._themes:
            closest = float(np.max(vectors.examples @ query))
            centroid = float(vectors.centroid @ query)
            score = params.max_weight * closest + (1 - params.max_weight) * centroid
            if vectors.keywords is not None and vectors.keywords.search(text):
                score += params.keyword_bonus
            scores[vectors.theme.id] = score
        small_talk = float(np.max(self._no_theme @ query)) if len(self._no_theme) else -1.0
        return scores, small_talk

    def classify(self, text: str) -> list[ThemeScore]:
        """0-3 themes, most confident first."""
        if not text.strip():
            return []
        if self._learned is not None:
            verdicts = self._learned.judge(text).verdicts
            chosen = sorted((v for v in verdicts.values() if v.met), key=lambda v: -v.probability)[:MAX_THEMES]
            return [ThemeScore(v.label, v.probability) for v in chosen]
        scores, small_talk = self.scores(text)
        return self.select(scores, small_talk)

    def select(self, scores: dict[str, float], small_talk: float) -> list[ThemeScore]:
        """The decision rule on precomputed scores (the evals tune it without re-embedding)."""
        params = self.params
        ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
        best = ranked[0][1] if ranked else 0.0
        if small_talk > best + params.no_theme_margin:
            return []
        chosen = [
            (theme, score) for theme, score in ranked if score >= params.threshold and score >= best - params.margin
        ][:MAX_THEMES]
        return [ThemeScore(theme, round(self._confidence(score), 3)) for theme, score in chosen]

    @property
    def learned(self) -> bool:
        return self._learned is not None

    def _confidence(self, score: float) -> float:
        return 1.0 / (1.0 + math.exp(-(score - self.params.threshold) / self.params.temperature))


def _learned_judge(taxonomy: Taxonomy, embedder: Embedder) -> Judge | None:
    """The trained theme heads, when they were trained for exactly this taxonomy's themes."""
    from assistant.judgments.model import shared_judge
    from assistant.judgments.tasks import theme_features, theme_ids

    if tuple(taxonomy.ids) != theme_ids():
        return None
    return shared_judge("themes", theme_features(), embedder)
