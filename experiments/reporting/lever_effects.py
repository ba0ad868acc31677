"""Lever by lever, which way each measure of a study moved across its complete trials: what a study's summary.md shows
under its time line, so that "which settings moved the loops, the frame, the content share" is read from the trials
themselves rather than from one best trial (tune_table.py). Pure Python: the report needs neither Optuna nor scipy."""

from __future__ import annotations

from typing import Any

from tabulate import tabulate

# Each measure as its worse seed reads it: the lower for what should rise, the higher for what should fall.
WORSE_SEED = {"share": min, "content_share": min, "clean": min, "loops": max, "frame": max, "ref_ppl_ratio": max}
MEASURE_NAMES = {"ref_ppl_ratio": "ref ppl ×"}
MIN_FOR_EFFECTS = 4  # fewer complete trials give a rank correlation of ±1 by chance too often to print


def lever_effects(trials: list[dict[str, Any]], levers: list[str], seeds: list[int]) -> str:
    """Lever by lever, which way each measure moved across the complete trials: Spearman's rank correlation between the
    lever's value and the measure on the worse seed (the lower share, the higher loops). A model-free reading beside
    Optuna's importances: its sign says which way, and with a handful of trials only a strong one says anything.
    Levers with choices rather than numbers are left out; so are levers that every trial set alike.

    >>> trials = [{"state": "COMPLETE", "params": {"beta": b, "loss": "dapo"},
    ...            "user_attrs": {"seed1": {"share": s, "loops": 0.1}, "seed2": {"share": s + 0.1, "loops": l}}}
    ...           for b, s, l in [(0.0, 0.6, 0.3), (0.1, 0.5, 0.2), (0.2, 0.3, 0.0), (0.15, 0.4, 0.1)]]
    >>> print(lever_effects(trials, ["beta", "loss"], [1, 2]).splitlines()[-1].replace(" ", ""))
    |beta|-1|||-0.95|||
    """
    complete = [trial for trial in trials if trial.get("state") == "COMPLETE"]
    numeric = [
        lever
        for lever in levers
        if all(isinstance(trial.get("params", {}).get(lever), (int, float)) for trial in complete)
        and len({trial["params"][lever] for trial in complete}) > 1
    ]
    if len(complete) < MIN_FOR_EFFECTS or not numeric:
        return ""
    worse = [{measure: _worse(trial, measure, seeds) for measure in WORSE_SEED} for trial in complete]
    rows = []
    for lever in numeric:
        cells = []
        for measure in WORSE_SEED:
            pairs = [
                (float(trial["params"][lever]), value)
                for trial, read in zip(complete, worse)
                if (value := read[measure]) is not None
            ]
            rho = spearman([x for x, _ in pairs], [y for _, y in pairs]) if len(pairs) >= MIN_FOR_EFFECTS else None
            cells.append("" if rho is None else f"{rho:+.2g}")
        rows.append([lever, *cells])
    headers = ["lever", *(f"{MEASURE_NAMES.get(measure, measure)} (worse seed)" for measure in WORSE_SEED)]
    return (
        f"Lever by lever over the {len(complete)} complete trials: Spearman's rank correlation between the lever and "
        "each measure on the worse seed (+1: the measure rose with the lever in every pair of trials; empty: too few "
        "readings or no spread).\n\n" + tabulate(rows, headers=headers, tablefmt="github", disable_numparse=True)
    )


def _worse(trial: dict[str, Any], measure: str, seeds: list[int]) -> float | None:
    """A measure on the worse seed of a trial; None unless every seed read it."""
    readings = [(trial.get("user_attrs", {}).get(f"seed{seed}") or {}).get(measure) for seed in seeds]
    values = [float(value) for value in readings if isinstance(value, (int, float))]
    return WORSE_SEED[measure](values) if len(values) == len(seeds) else None


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
