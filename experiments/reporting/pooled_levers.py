"""Lever by lever across every search in a results folder: which settings moved the content share, the loops and the
frame, read from all complete trials at once rather than one study's handful (issue 39 asks this of all its trials).

Each trial is read on every lever that any study searched. A lever its own study did not search takes its base
entry's value (``search_space.lever_value``), so study vocab's trials read frozen_fraction 0 and vocab-keep's read
multi_objective_aggregation normalize_then_sum. A setting TRL does not read is shown as such: under
normalize_then_sum, TRL 1.16 scales each reward by its group's spread and the sum by the batch's, whatever
scale_rewards says. The studies differ in more than their levers (their rewards, their bases), so the study itself is
a row too. The page is results/tune/levers.md, redrawn with results/summary.md, which links it.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from statistics import median
from typing import Any

from tabulate import tabulate

from experiments.registry import REGISTRY
from experiments.registry.search_space import lever_value
from experiments.reporting.lever_effects import lever_effects
from experiments.reporting.tune_table import read_snapshot

POOLED_PAGE = Path("tune") / "levers.md"
MIN_STUDIES = 2  # one study's own page already has its lever table


def pooled_trials(
    snapshots: list[dict[str, Any]], states: tuple[str, ...] = ("COMPLETE",)
) -> tuple[list[dict[str, Any]], list[str], list[int]]:
    """The trials of every study in these states (complete ones by default), each with a value for every searched
    lever and its study's name; the levers (the study last) and the seeds any study ran.

    >>> snapshots = [{"study": "a", "base": "smoke", "seeds": [1], "levers": ["beta"],
    ...               "trials": [{"state": "COMPLETE", "params": {"beta": 0.3}}, {"state": "PRUNED", "params": {}}]},
    ...              {"study": "b", "base": "smoke", "seeds": [1], "levers": ["frozen_fraction"],
    ...               "trials": [{"state": "COMPLETE", "params": {"frozen_fraction": 0.5}}]}]
    >>> trials, levers, seeds = pooled_trials(snapshots)  # smoke sets beta 0.1 and freezes nothing
    >>> [trial["params"] for trial in trials], levers, seeds
    ([{'beta': 0.3, 'frozen_fraction': 0.0, 'study': 'a'}, {'beta': 0.1, 'frozen_fraction': 0.5, 'study': 'b'}], ['beta', 'frozen_fraction', 'study'], [1])
    """
    levers = list(dict.fromkeys(lever for snapshot in snapshots for lever in snapshot.get("levers") or []))
    pooled = []
    for snapshot in snapshots:
        base = REGISTRY.get(str(snapshot.get("base")))
        if base is None:  # a base the registry no longer declares: its unsearched levers cannot be read
            continue
        for trial in snapshot.get("trials") or []:
            if trial.get("state") not in states:
                continue
            params = {lever: _base_value(base, lever) for lever in levers}
            params.update(trial.get("params") or {})
            params = as_read(params)
            pooled.append({**trial, "params": {**params, "study": snapshot.get("study")}})
    seeds = sorted({int(seed) for snapshot in snapshots for seed in snapshot.get("seeds") or []})
    return pooled, [*levers, "study"], seeds


UNREAD_SCALE = "not read (normalize_then_sum)"


def as_read(params: dict[str, Any]) -> dict[str, Any]:
    """A trial's levers as TRL read them: scale_rewards is not read under normalize_then_sum.

    >>> as_read({"scale_rewards": "none", "multi_objective_aggregation": "normalize_then_sum"})["scale_rewards"]
    'not read (normalize_then_sum)'
    >>> as_read({"scale_rewards": "none", "multi_objective_aggregation": "sum_then_normalize"})["scale_rewards"]
    'none'
    """
    if "scale_rewards" in params and params.get("multi_objective_aggregation") == "normalize_then_sum":
        return {**params, "scale_rewards": UNREAD_SCALE}
    return params


def _base_value(base: Any, lever: str) -> Any:
    """A lever's value in a base entry; an unset fraction or rank (frozen_fraction, lora_rank: None) is none of it."""
    value = lever_value(base, lever)
    return 0.0 if value is None else value


def render_pooled(results_dir: Path) -> str | None:
    """results/tune/levers.md, or None where fewer than two studies have trials.json."""
    snapshots = [
        snapshot for path in sorted(results_dir.glob("tune/*/trials.json")) if (snapshot := read_snapshot(path))
    ]
    if len(snapshots) < MIN_STUDIES:
        return None
    ended, levers, seeds = pooled_trials(snapshots, ("COMPLETE", "PRUNED"))
    trials = [trial for trial in ended if trial.get("state") == "COMPLETE"]
    counts = Counter(str(trial["params"]["study"]) for trial in trials)
    effects = lever_effects(trials, levers, seeds) or "Too few complete trials for a lever table yet."
    return (
        "# Lever by lever across the searches\n\n"
        "Written by the suite from the trials of every study under results/tune/; regenerate with `python -m "
        "experiments.report`. The suite's results: [summary.md](../summary.md).\n\n"
        f"{len(trials)} complete trials of {len(snapshots)} studies "
        f"({', '.join(f'{study} {count}' for study, count in counts.items())}; pruned and failed trials have no "
        f"reading), seeds {', '.join(map(str, seeds))}. A lever that a study did not search reads its base entry's "
        "value. The studies differ in their rewards and bases too, so read each lever beside the study rows.\n\n"
        f"{effects}\n\n{how_trials_ended(ended, levers)}\n"
    )


def ending(trial: dict[str, Any]) -> str:
    """How a trial that ran to an end ended: at the step cap, or what stopped it early (the stop rule of the seed
    that settled it, or the median pruner).

    >>> [ending(t) for t in ({"state": "COMPLETE"}, {"state": "PRUNED", "user_attrs": {"settled_by": "seed 2: loops at "
    ...     "step 10"}}, {"state": "PRUNED", "user_attrs": {"pruned_at": 35}})]
    ['step cap', 'loops', 'pruner']
    """
    if trial.get("state") == "COMPLETE":
        return "step cap"
    settled = str((trial.get("user_attrs") or {}).get("settled_by") or "")
    return settled.partition(": ")[2].split(" at ")[0] or "pruner"


def how_trials_ended(trials: list[dict[str, Any]], levers: list[str]) -> str:
    """Lever by lever, where the trials that ended early sat: the lever's median over the trials of each ending (a
    numeric lever), or how many trials of each ending took each choice. Complete trials alone cannot say which settings
    loop or collapse early, because those trials never complete."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for trial in sorted(trials, key=lambda trial: ending(trial) != "step cap"):
        groups.setdefault(ending(trial), []).append(trial["params"])
    endings = list(groups)
    if len(endings) < 2:
        return ""
    rows = []
    for lever in levers:
        values = [trial["params"].get(lever) for trial in trials]
        if len({repr(value) for value in values}) < 2:
            continue
        if all(isinstance(value, int | float) for value in values):
            rows.append([lever, *(f"{median([params[lever] for params in groups[name]]):.3g}" for name in endings)])
            continue
        for choice in dict.fromkeys(map(str, values)):
            rows.append(
                [f"{lever} = {choice}", *(str(sum(str(p[lever]) == choice for p in groups[n])) for n in endings)]
            )
    headers = ["lever", *(f"{name} ({len(groups[name])})" for name in endings)]
    return (
        f"How the {len(trials)} trials that ran to an end ended (complete at the step cap, or settled early by a seed's "
        "stop rule, or stopped by the median pruner), lever by lever: a numeric lever's median over the trials of each "
        "ending, a choice's count of trials.\n\n"
        + tabulate(rows, headers=headers, tablefmt="github", disable_numparse=True)
    )
