"""How much the optimal assignment adds over random pairing, on a synthetic or loaded cohort.

    python -m tools.compare_matching --mentors 40 --mentees 40 --seed 1 --runs 20
    python -m tools.compare_matching --profiles evals/datasets/profiles-example.yaml --json

Three rows: the optimal proposal; random pairing that keeps only pairs the rules allow (the fair
baseline, averaged over ``--runs`` draws); a naive random draw that keeps every pair (averaged too),
which shows how many rule breaks matching by hand or by lot risks.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path

from assistant.program.matching import (
    Profile,
    load_profiles,
    proposal_quality,
    propose_pairs,
    random_pairing,
    split_roles,
)
from assistant.program.skills import SkillCatalog
from tools.demo.synthetic import synthetic_profiles

COLUMNS = (
    "pairs",
    "mean_score",
    "mean_score_per_mentee",
    "wanted_skills_covered",
    "cross_department_share",
    "return_flow_share",
    "constraint_violations",
)


def compare_with_random(
    mentors: Sequence[Profile],
    mentees: Sequence[Profile],
    *,
    runs: int = 20,
    seed: int = 0,
    skills: SkillCatalog | None = None,
) -> dict[str, dict[str, float]]:
    """Quality figures of the optimal proposal and the means over ``runs`` random pairings."""
    if runs < 1:
        raise ValueError("runs must be at least 1")
    seeds = [seed * 1000 + run for run in range(runs)]
    optimal = proposal_quality(propose_pairs(mentors, mentees, skills=skills))
    fair = [proposal_quality(random_pairing(mentors, mentees, s, skills=skills)) for s in seeds]
    naive = [proposal_quality(random_pairing(mentors, mentees, s, skills=skills, respect_rules=False)) for s in seeds]
    return {
        "optimal": {key: float(optimal[key]) for key in COLUMNS},
        f"random, rules kept (mean of {runs})": _means(fair),
        f"random, naive (mean of {runs})": _means(naive),
    }


def _means(rows: list[dict[str, float | int]]) -> dict[str, float]:
    return {key: round(statistics.fmean(row[key] for row in rows), 4) for key in COLUMNS}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.compare_matching", description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=Path, help="a profile file instead of a synthetic cohort")
    parser.add_argument("--mentors", type=int, default=40)
    parser.add_argument("--mentees", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1, help="synthetic cohort and random draws")
    parser.add_argument("--runs", type=int, default=20, help="random pairings to average")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    try:
        if args.profiles is not None:
            mentors, mentees = split_roles(load_profiles(args.profiles))
        else:
            mentors, mentees = synthetic_profiles(args.mentors, args.mentees, args.seed)
        table = compare_with_random(mentors, mentees, runs=args.runs, seed=args.seed)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(table))
        return 0
    print(f"{len(mentors)} mentors, {len(mentees)} mentees")
    width = max(len(name) for name in table)
    print(" " * width + "  " + "  ".join(f"{column:>{len(column)}}" for column in COLUMNS))
    for name, row in table.items():
        print(f"{name:<{width}}  " + "  ".join(f"{row[column]:>{len(column)}.3f}" for column in COLUMNS))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
