"""Lever by lever, which way each measure of a study moved across its complete trials: what a study's summary.md shows
under its time line, so that "which settings moved the loops, the frame, the content share" is read from the trials
themselves rather than from one best trial (tune_table.py). Pure Python: the report needs neither Optuna nor scipy."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tabulate import tabulate

# Each measure and whether it should rise: its worse seed is the lower where it should, the higher where it should fall
# (``worse`` below: the tuner's own rule, by which tune/objective.py scores a trial).
HIGHER_IS_BETTER = {
    "share": True,
    "content_share": True,
    "clean": True,
    "loops": False,
    "frame": False,
    "ref_ppl_ratio": False,
}
MEASURE_NAMES = {"ref_ppl_ratio": "ref ppl ×"}
MIN_FOR_EFFECTS = 4  # fewer complete trials give a rank correlation of ±1 by chance too often to print


def lever_effects(trials: list[dict[str, Any]], levers: list[str], seeds: list[int]) -> str:
    """Lever by lever, which way each measure moved across the complete trials, on the worse seed (the lower share, the
    higher loops). A numeric lever: Spearman's rank correlation between its value and the measure, whose sign says
    which way. A lever with choices: each choice's mean. Model-free, beside Optuna's importances; with a handful of
    trials only a strong reading says anything. Levers that every trial set alike are left out.

    >>> trials = [{"state": "COMPLETE", "params": {"beta": b, "loss": loss},
    ...            "user_attrs": {"seed1": {"share": s, "loops": 0.1}, "seed2": {"share": s + 0.1, "loops": l}}}
    ...           for b, s, l, loss in [(0.0, 0.6, 0.3, "dapo"), (0.1, 0.5, 0.2, "grpo"), (0.2, 0.3, 0.0, "dapo"),
    ...                                 (0.15, 0.4, 0.1, "dapo")]]
    >>> rows = [line.replace(" ", "") for line in lever_effects(trials, ["beta", "loss"], [1, 2]).splitlines()]
    >>> [row for row in rows if row.startswith(("|beta", "|loss"))]
    ['|beta|-1|||-0.95|||', '|loss=dapo|3|0.43|||0.17|||', '|loss=grpo|1|0.5|||0.2|||']
    """
    complete = [trial for trial in trials if trial.get("state") == "COMPLETE"]
    if len(complete) < MIN_FOR_EFFECTS:
        return ""
    worse = [_worse_seed_reading(trial, seeds) for trial in complete]
    values = {lever: [trial.get("params", {}).get(lever) for trial in complete] for lever in levers}
    varied = [lever for lever in levers if len({repr(value) for value in values[lever]}) > 1]
    numeric = [lever for lever in varied if all(isinstance(value, (int, float)) for value in values[lever])]
    parts = []
    if numeric:
        rows = [
            [lever, *(_rank_correlation(values[lever], worse, measure) for measure in HIGHER_IS_BETTER)]
            for lever in numeric
        ]
        parts.append(
            f"Lever by lever over the {len(complete)} complete trials: Spearman's rank correlation between the lever and "
            "each measure on the worse seed (+1: the measure rose with the lever in every pair of trials; empty: too "
            "few readings or no spread).\n\n" + _table(["lever"], rows)
        )
    choice_rows = [
        [f"{lever} = {choice}", str(len(chosen)), *(_mean(chosen, measure) for measure in HIGHER_IS_BETTER)]
        for lever in varied
        if lever not in numeric
        for choice in dict.fromkeys(map(str, values[lever]))
        if (chosen := [read for value, read in zip(values[lever], worse) if str(value) == choice])
    ]
    if choice_rows:
        parts.append(
            "Levers with choices: each choice's mean on the worse seed.\n\n"
            + _table(["lever = choice", "trials"], choice_rows)
        )
    return "\n\n".join(parts)


def _rank_correlation(lever_values: list[Any], worse: list[dict[str, float | None]], measure: str) -> str:
    pairs = [(float(x), y) for x, read in zip(lever_values, worse) if (y := read[measure]) is not None]
    rho = spearman([x for x, _ in pairs], [y for _, y in pairs]) if len(pairs) >= MIN_FOR_EFFECTS else None
    return "" if rho is None else f"{rho:+.2g}"


def _mean(reads: list[dict[str, float | None]], measure: str) -> str:
    values = [value for read in reads if (value := read[measure]) is not None]
    return f"{sum(values) / len(values):.2g}" if values else ""


def _table(first: list[str], rows: list[list[str]]) -> str:
    headers = [*first, *(f"{MEASURE_NAMES.get(measure, measure)} (worse seed)" for measure in HIGHER_IS_BETTER)]
    return tabulate(rows, headers=headers, tablefmt="github", disable_numparse=True)


def _worse_seed_reading(trial: dict[str, Any], seeds: list[int]) -> dict[str, float | None]:
    """Each measure of a trial on its worse seed."""
    readings = [trial.get("user_attrs", {}).get(f"seed{seed}") or {} for seed in seeds]
    return {measure: worse(readings, measure, higher) for measure, higher in HIGHER_IS_BETTER.items()}


def worse(seeds: Sequence[dict[str, Any]], key: str, higher_is_better: bool = True) -> float | None:
    """The worse seed's figure (the lower where higher is better), None where no seed has it.

    >>> worse([{"clean": 0.5}, {"clean": 0.25}], "clean"), worse([{"loops": 0.0}, {"loops": 0.1}], "loops", False)
    (0.25, 0.1)
    """
    values = [float(seed[key]) for seed in seeds if seed.get(key) is not None]
    if not values:
        return None
    return min(values) if higher_is_better else max(values)


def spearman(xs: list[float], ys: list[float]) -> float | None:
    """Spearman's rank correlation (ties share their mean rank); None when either side has no spread.

    >>> spearman([1, 2, 3, 4], [10, 20, 30, 25]), spearman([1, 2, 3], [3, 2, 1]), spearman([1, 1, 1], [1, 2, 3])
    (0.8, -1.0, None)
    """
    rx, ry = _ranks(xs), _ranks(ys)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    sxy = sum((a - mx) * (b - my) for a, b in zip(rx, ry))
    sxx, syy = sum((a - mx) ** 2 for a in rx), sum((b - my) ** 2 for b in ry)
    return None if sxx == 0 or syy == 0 else round(sxy / (sxx * syy) ** 0.5, 6)


def _ranks(values: list[float]) -> list[float]:
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for position in range(start, end + 1):
            ranks[order[position]] = (start + end) / 2 + 1
        start = end + 1
    return ranks
