"""The editable skills list: the competencies participants can offer to teach or ask to learn."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

DEFAULT_SKILLS_PATH = Path(__file__).with_name("skills.yaml")
SKILL_GROUPS = ("digital", "leadership")


@dataclass(frozen=True)
class Skill:
    id: str
    label: str
    group: str


class SkillCatalog:
    """Skills by id, resolving a profile's entries written either as ids or as labels (any case)."""

    def __init__(self, skills: Iterable[Skill]) -> None:
        self.skills: tuple[Skill, ...] = tuple(skills)
        if not self.skills:
            raise ValueError("the skills list is empty")
        self._by_id = {skill.id: skill for skill in self.skills}
        if len(self._by_id) != len(self.skills):
            raise ValueError("the skills list repeats an id")
        self._by_name: dict[str, str] = {}
        for skill in self.skills:
            for name in (skill.id, skill.label):
                known = self._by_name.setdefault(name.casefold(), skill.id)
                if known != skill.id:
                    raise ValueError(f"the skills list uses {name!r} for both {known!r} and {skill.id!r}")

    def resolve(self, name: str) -> str:
        """The id for an id or label; ValueError (one line) for anything not on the list."""
        found = self._by_name.get(name.strip().casefold())
        if found is None:
            raise ValueError(f"unknown skill {name.strip()!r} (not on the skills list)")
        return found

    def label(self, skill_id: str) -> str:
        skill = self._by_id.get(skill_id)
        return skill.label if skill is not None else skill_id

    def labels(self, skill_ids: Iterable[str]) -> list[str]:
        """Labels in the list's own order, so explanations read the same on every run."""
        wanted = set(skill_ids)
        ordered = [skill.label for skill in self.skills if skill.id in wanted]
        return ordered + sorted(self.label(skill_id) for skill_id in wanted - self._by_id.keys())

    def ids(self, group: str | None = None) -> list[str]:
        return [skill.id for skill in self.skills if group is None or skill.group == group]


def load_skills(path: Path | None = None) -> SkillCatalog:
    """Read a skills list (``skills: [{id, label, group}]``); the shipped default when ``path`` is None."""
    if path is None:
        return default_skills()
    return _read_skills(path)


@lru_cache(maxsize=1)
def default_skills() -> SkillCatalog:
    return _read_skills(DEFAULT_SKILLS_PATH)


def _read_skills(path: Path) -> SkillCatalog:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"cannot read the skills list {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise ValueError(f"the skills list {path} is not valid YAML: {str(exc).splitlines()[0]}") from None
    entries = data.get("skills") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise ValueError(f"the skills list {path} needs a 'skills:' list of {{id, label, group}}")
    skills = []
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or not str(entry.get("id") or "").strip():
            raise ValueError(f"skill {number} in {path} needs at least an id")
        skill_id = str(entry["id"]).strip().lower()
        group = str(entry.get("group") or "digital").strip().lower()
        if group not in SKILL_GROUPS:
            raise ValueError(f"skill {skill_id!r} in {path}: group must be one of {', '.join(SKILL_GROUPS)}")
        skills.append(Skill(id=skill_id, label=str(entry.get("label") or skill_id).strip(), group=group))
    return SkillCatalog(skills)
