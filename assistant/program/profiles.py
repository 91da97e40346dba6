"""What a participant fills in before matching, validated, and read from a CSV or YAML file.

Profile files have one row (CSV) or one mapping (YAML: a list, or a ``profiles:`` list) per person:

==============  ========  ===================================================================
column          required  meaning
==============  ========  ===================================================================
id              yes       a stable identifier (employee number, user id)
role            yes       ``mentor`` (the younger colleague who teaches digital skills) or
                          ``mentee`` (the senior colleague)
department      yes       free text; pairs across departments are preferred
availability    yes       weekly slots ``<day>-<part>``: day ``mon`` .. ``sun``, part ``am``,
                          ``lunch`` or ``pm`` (e.g. ``tue-am; thu-lunch``)
format          yes       ``in-person``, ``remote`` or ``hybrid``
name            no        display name (defaults to the id)
teaches         no        skills the person can teach (ids or labels from the skills list)
wants           no        skills the person wants to learn
priorities      no        the one or two wanted skills that matter most (they weigh double)
work_style      no        ``structured`` (fixed agenda, written actions), ``open`` (free
                          conversation) or ``mixed`` (the default)
manager_id      no        the id of the person's direct manager (participant or not)
motivation      no        free text, shown to the program lead, not scored
==============  ========  ===================================================================

Lists are separated by ``;`` in CSV; in YAML they are lists or ``;``/``,``-separated strings.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from assistant.program.skills import SkillCatalog, default_skills

ROLES = ("mentor", "mentee")
FORMATS = ("in-person", "remote", "hybrid")
WORK_STYLES = ("structured", "mixed", "open")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_PARTS = ("am", "lunch", "pm")
SLOTS = tuple(f"{day}-{part}" for day in DAYS for part in DAY_PARTS)

REQUIRED_COLUMNS = ("id", "role", "department", "availability", "format")
OPTIONAL_COLUMNS = ("name", "teaches", "wants", "priorities", "work_style", "manager_id", "motivation")
LIST_COLUMNS = ("teaches", "wants", "priorities", "availability")


@dataclass(frozen=True)
class Profile:
    """One participant's matching form. Sets are stored as frozensets; strings are normalised.

    Skills are checked against a skills list by :func:`with_skill_ids` (``load_profiles`` and
    ``propose_pairs`` call it), because the list is editable and a bare dataclass cannot know it.
    """

    id: str
    name: str
    role: str
    department: str
    teaches: AbstractSet[str]
    wants: AbstractSet[str]
    work_style: str
    availability: AbstractSet[str]
    format: str
    manager_id: str | None = None
    motivation: str = ""
    priorities: AbstractSet[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        ident = str(self.id).strip()
        if not ident:
            raise ValueError("a profile has an empty id")
        where = f"profile {ident}"
        role = _choice(self.role, ROLES, f"{where}: role")
        format_ = _choice(self.format, FORMATS, f"{where}: format")
        work_style = _choice(self.work_style, WORK_STYLES, f"{where}: work_style")
        manager_id = str(self.manager_id).strip() if self.manager_id is not None else ""
        if manager_id == ident:
            raise ValueError(f"{where}: manager_id is the person's own id")
        values = {
            "id": ident,
            "name": str(self.name).strip() or ident,
            "role": role,
            "department": str(self.department).strip(),
            "teaches": _names(self.teaches, f"{where}: teaches"),
            "wants": _names(self.wants, f"{where}: wants"),
            "priorities": _names(self.priorities, f"{where}: priorities"),
            "work_style": work_style,
            "availability": frozenset(
                _slot(value, where) for value in _names(self.availability, f"{where}: availability")
            ),
            "format": format_,
            "manager_id": manager_id or None,
            "motivation": str(self.motivation).strip(),
        }
        for name, value in values.items():
            object.__setattr__(self, name, value)


def with_skill_ids(profile: Profile, skills: SkillCatalog | None = None) -> Profile:
    """The profile with every skill written as its id; ValueError (one line) for an unknown skill."""
    catalog = skills or default_skills()

    def resolve(names: AbstractSet[str], column: str) -> frozenset[str]:
        try:
            return frozenset(catalog.resolve(name) for name in names)
        except ValueError as exc:
            raise ValueError(f"profile {profile.id}: {column}: {exc}") from None

    wants = resolve(profile.wants, "wants")
    priorities = resolve(profile.priorities, "priorities")
    if not priorities <= wants:
        extra = ", ".join(catalog.labels(priorities - wants))
        raise ValueError(f"profile {profile.id}: priorities must also be in wants ({extra} is not)")
    return replace(profile, teaches=resolve(profile.teaches, "teaches"), wants=wants, priorities=priorities)


def load_profiles(path: Path, skills: SkillCatalog | None = None) -> list[Profile]:
    """Profiles from a ``.csv``, ``.yaml`` or ``.yml`` file (columns in the module docstring).

    Every error is a one-line ValueError naming the file and the row.
    """
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".yaml", ".yml"):
        raise ValueError(f"{path}: profiles must be a .csv, .yaml or .yml file")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ValueError(f"{path} is not UTF-8 text") from None
    rows = _csv_rows(text) if suffix == ".csv" else _yaml_rows(text, path)
    profiles: list[Profile] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, 1):
        try:
            profile = with_skill_ids(profile_from_row(row), skills)
        except ValueError as exc:
            raise ValueError(f"{path} row {number}: {exc}") from None
        if profile.id in seen:
            raise ValueError(f"{path} row {number}: the id {profile.id!r} appears twice")
        seen.add(profile.id)
        profiles.append(profile)
    if not profiles:
        raise ValueError(f"{path} holds no profiles")
    return profiles


def profile_from_row(row: Mapping[str, Any]) -> Profile:
    """A Profile from one row of a profile file (lists as lists or ``;``-separated strings)."""
    columns = {str(key).strip().lower(): value for key, value in row.items() if key is not None}
    unknown = sorted(set(columns) - set(REQUIRED_COLUMNS) - set(OPTIONAL_COLUMNS))
    if unknown:
        raise ValueError(f"unknown column {unknown[0]!r}; columns are {', '.join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)}")
    missing = [name for name in REQUIRED_COLUMNS if _blank(columns.get(name))]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")

    def text(name: str, default: str = "") -> str:
        value = columns.get(name)
        return default if _blank(value) else str(value).strip()

    def items(name: str) -> frozenset[str]:
        value = columns.get(name)
        if _blank(value):
            return frozenset()
        parts = value if isinstance(value, list) else re.split(r"[;,]", str(value))
        return frozenset(str(part).strip() for part in parts if str(part).strip())

    return Profile(
        id=text("id"),
        name=text("name"),
        role=text("role"),
        department=text("department"),
        teaches=items("teaches"),
        wants=items("wants"),
        priorities=items("priorities"),
        work_style=text("work_style", "mixed"),
        availability=items("availability"),
        format=text("format"),
        manager_id=text("manager_id") or None,
        motivation=text("motivation"),
    )


def _csv_rows(text: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(text.splitlines())
    rows: list[dict[str, Any]] = []
    for row in reader:
        if None in row:
            raise ValueError(f"CSV line {reader.line_num} has more fields than the header")
        if any(str(value or "").strip() for value in row.values()):
            rows.append(dict(row))
    return rows


def _yaml_rows(text: str, path: Path) -> list[Mapping[str, Any]]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValueError(f"{path} is not valid YAML: {str(exc).splitlines()[0]}") from None
    entries = data.get("profiles") if isinstance(data, dict) else data
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise ValueError(f"{path} must hold a list of profiles (or a 'profiles:' list)")
    return entries


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str | list) and not (value.strip() if isinstance(value, str) else value))


def _choice(value: str, allowed: tuple[str, ...], what: str) -> str:
    normal = str(value).strip().lower().replace("_", "-").replace(" ", "-")
    if normal == "inperson":
        normal = "in-person"
    if normal not in allowed:
        raise ValueError(f"{what} is {str(value).strip()!r}; choose {', '.join(allowed)}")
    return normal


def _names(values: Iterable[str], what: str) -> frozenset[str]:
    if isinstance(values, str):
        raise ValueError(f"{what} must be a set, not one string")
    names = frozenset(str(value).strip() for value in values)
    if "" in names:
        raise ValueError(f"{what} holds an empty entry")
    return names


def _slot(value: str, where: str) -> str:
    normal = re.sub(r"[\s_]+", "-", str(value).strip().lower())
    if normal not in SLOTS:
        raise ValueError(f"{where}: availability slot {str(value).strip()!r} is not <day>-<part> (e.g. tue-am)")
    return normal
