"""Realistic synthetic cohorts for tests and for comparing matching strategies.

Mentors (younger colleagues) teach digital skills and want leadership ones; mentees (senior
colleagues) want digital skills, usually with one priority, and can teach leadership ones. Some
mentors report to a mentee and some mentees to another mentee, so the reporting-line rule bites. A
few people cannot be matched on purpose: shift workers free only on Saturday morning (no mentor works
weekends), and mentees who want only a skill no mentor in the cohort teaches (``UNTAUGHT_SKILL``).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace

from assistant.program.profiles import Profile

DEPARTMENTS = ("Sales", "Finance", "Marketing", "Operations", "HR", "IT", "Legal", "Customer Service", "Procurement")
DEPARTMENT_WEIGHTS = (5, 3, 3, 5, 2, 2, 1, 3, 1)
DIGITAL_POPULARITY = {
    "excel": 5,
    "power-bi": 4,
    "teams": 5,
    "sharepoint": 2,
    "chatgpt": 6,
    "prompting": 3,
    "linkedin": 4,
    "social-media": 3,
    "video-editing": 2,
    "cybersecurity": 3,
    "python": 1,
    "data-visualisation": 3,
    "online-meetings": 3,
    "mobile-apps": 2,
}
UNTAUGHT_SKILL = "automation"
LEADERSHIP_SKILLS = (
    "budgeting",
    "stakeholder-management",
    "career-planning",
    "negotiation",
    "public-speaking",
    "giving-feedback",
    "strategy",
    "people-management",
    "networking",
    "change-management",
)
WEEKDAY_SLOTS = tuple(f"{day}-{part}" for day in ("mon", "tue", "wed", "thu", "fri") for part in ("am", "lunch", "pm"))
SHIFT_SLOT = "sat-am"
FORMATS = ("in-person", "remote", "hybrid")
FIRST_NAMES = (
    "Alex", "Sam", "Noa", "Mia", "Liam", "Emma", "Yusuf", "Ines", "Jonas", "Lea", "Omar", "Sofia", "Lukas",
    "Amira", "Finn", "Hannah", "Mateo", "Zoe", "Karim", "Nina", "Ravi", "Julia", "Tomasz", "Elif",
)  # fmt: skip
LAST_NAMES = (
    "Meyer", "Okafor", "Novak", "Silva", "Jansen", "Kowalski", "Rossi", "Haddad", "Berg", "Dubois", "Yilmaz",
    "Schmidt", "Costa", "Lindqvist", "Ahmed", "Fischer", "Moreau", "Nakamura",
)  # fmt: skip
MENTOR_MOTIVATIONS = (
    "I want to practise explaining things and learn how senior leaders think.",
    "I'd like to grow towards a team lead role.",
    "Helping colleagues with tools is what I already do informally.",
)
MENTEE_MOTIVATIONS = (
    "My team works in tools I barely use; I want to keep up.",
    "My manager suggested it.",
    "I want to understand how younger colleagues work and communicate.",
)


def synthetic_profiles(n_mentors: int, n_mentees: int, seed: int) -> tuple[list[Profile], list[Profile]]:
    """(mentors, mentees) drawn deterministically from ``seed``."""
    if n_mentors < 0 or n_mentees < 0:
        raise ValueError("cohort sizes cannot be negative")
    rng = random.Random(seed)
    mentees = [_mentee(rng, number) for number in range(1, n_mentees + 1)]
    _add_mentee_chains(rng, mentees)
    untaught = rng.sample(range(n_mentees), k=n_mentees // 15) if n_mentees >= 4 else []
    shift = rng.sample(sorted(set(range(n_mentees)) - set(untaught)), k=n_mentees // 15) if n_mentees >= 4 else []
    for index in untaught:
        mentees[index] = replace(mentees[index], wants=frozenset({UNTAUGHT_SKILL}), priorities=frozenset())
    for index in shift:
        mentees[index] = replace(mentees[index], availability=frozenset({SHIFT_SLOT}), department="Operations")
    mentors = [_mentor(rng, number, mentees) for number in range(1, n_mentors + 1)]
    return mentors, mentees


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def _department(rng: random.Random) -> str:
    return rng.choices(DEPARTMENTS, weights=DEPARTMENT_WEIGHTS)[0]


def _digital(rng: random.Random, count: int, *, allow_untaught: bool) -> frozenset[str]:
    skills = list(DIGITAL_POPULARITY) + ([UNTAUGHT_SKILL] if allow_untaught else [])
    weights = [*DIGITAL_POPULARITY.values()] + ([2] if allow_untaught else [])
    chosen: set[str] = set()
    while len(chosen) < count:
        chosen.add(rng.choices(skills, weights=weights)[0])
    return frozenset(chosen)


def _slots(rng: random.Random, low: int, high: int) -> frozenset[str]:
    return frozenset(rng.sample(WEEKDAY_SLOTS, k=rng.randint(low, high)))


def _mentee(rng: random.Random, number: int) -> Profile:
    department = _department(rng)
    wants = _digital(rng, rng.randint(1, 4), allow_untaught=True)
    priorities = frozenset({rng.choice(sorted(wants))}) if rng.random() < 0.7 else frozenset()
    return Profile(
        id=f"me-{number:03d}",
        name=_name(rng),
        role="mentee",
        department=department,
        teaches=frozenset(rng.sample(LEADERSHIP_SKILLS, k=rng.randint(2, 4))),
        wants=wants,
        priorities=priorities,
        work_style=rng.choices(("structured", "mixed", "open"), weights=(5, 4, 2))[0],
        availability=_slots(rng, 2, 5),
        format=rng.choices(FORMATS, weights=(3, 3, 4))[0],
        manager_id=f"director-{department.lower().replace(' ', '-')}",
        motivation=rng.choice(MENTEE_MOTIVATIONS),
    )


def _add_mentee_chains(rng: random.Random, mentees: list[Profile]) -> None:
    """About one mentee in ten reports to another mentee of the same department."""
    for index, mentee in enumerate(mentees):
        bosses = [
            m
            for m in mentees[:index]
            if m.department == mentee.department and (m.manager_id or "").startswith("director-")
        ]
        if bosses and rng.random() < 0.1:
            mentees[index] = replace(mentee, manager_id=rng.choice(bosses).id)


def _mentor(rng: random.Random, number: int, mentees: Sequence[Profile]) -> Profile:
    department = _department(rng)
    same_department = [m for m in mentees if m.department == department]
    if same_department and rng.random() < 0.2:
        manager_id = rng.choice(same_department).id
    else:
        manager_id = f"lead-{department.lower().replace(' ', '-')}-{rng.randint(1, 3)}"
    return Profile(
        id=f"mr-{number:03d}",
        name=_name(rng),
        role="mentor",
        department=department,
        teaches=_digital(rng, rng.randint(2, 5), allow_untaught=False),
        wants=frozenset(rng.sample(LEADERSHIP_SKILLS, k=rng.randint(1, 3))),
        work_style=rng.choices(("structured", "mixed", "open"), weights=(2, 4, 4))[0],
        availability=_slots(rng, 3, 7),
        format=rng.choices(FORMATS, weights=(2, 4, 4))[0],
        manager_id=manager_id,
        motivation=rng.choice(MENTOR_MOTIVATIONS),
    )
