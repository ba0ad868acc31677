"""The studies of python -m experiments.tune as summary.md shows them: one row per study in results/summary.md, and
each study's best trials in its own folder's summary.md (results/tune/STUDY/summary.md).

Read from each study's trials.json, which the tuner rewrites after every trial whatever its storage, so the report
needs neither Optuna nor the database. Best first: complete trials that meet every constraint, by value; then the
other complete ones, by value; then the pruned, by their last reading; then those that failed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tabulate import tabulate

from experiments.reporting.lever_effects import MEASURE_NAMES, lever_effects
from experiments.reporting.tune_snapshot import read_snapshot

SHOWN_TRIALS = 10
SEED_COLUMNS = ("share", "content_share", "clean", "loops", "frame", "ref_ppl_ratio", "steps")
STATE_ORDER = {"COMPLETE": 1, "PRUNED": 2, "RUNNING": 3, "WAITING": 3, "FAIL": 4}


def study_sections(results_dir: Path) -> list[str]:
    """A study's own folder (it holds trials.json): its heading, its best trials in a table and its figures. The root
    results folder: one row per study found under tune/, each linking to its folder's summary.md; none: []."""
    own = results_dir / "trials.json"
    if own.exists():
        snapshot = read_snapshot(own)
        if snapshot is None:
            return [f"{own}: unreadable; the next call of its study rewrites it"]
        figures = [name for name in figure_names(snapshot) if (results_dir.parent.parent / "figures" / name).is_file()]
        return [render_study(snapshot)] + [f"![{name.removesuffix('.png')}](../../figures/{name})" for name in figures]
    rows = [index_row(path) for path in sorted(results_dir.glob("tune/*/trials.json"))]
    if not rows:
        return []
    headers = [
        "study",
        "base",
        "seeds",
        "trials",
        "best",
        "value",
        "feasible",
        "dev clean, each seed",
        "steps",
        "levers",
    ]
    return ["## Searches (python -m experiments.tune)", tabulate(rows, headers=headers, tablefmt="github")]


def figure_names(snapshot: dict[str, Any]) -> list[str]:
    """The names of a study's own figures (tune/figures.py draws them), exactly: a glob on ``tune-vocab-*`` would show
    study vocab-keep's figures on study vocab's page.

    >>> figure_names({"study": "vocab", "levers": ["beta"]})
    ['tune-vocab-history.png', 'tune-vocab-importances.png', 'tune-vocab-slice-beta.png']
    """
    stem = f"tune-{snapshot.get('study')}"
    searched = [
        *(snapshot.get("levers") or []),
        *(n for t in snapshot.get("trials") or [] for n in t.get("params") or {}),
    ]
    levers = [f"slice-{lever}" for lever in dict.fromkeys(searched)]  # an earlier call's levers may have slices too
    return [f"{stem}-{kind}.png" for kind in ("history", "importances", *levers)]


def index_row(path: Path) -> list[str]:
    """A study in one row: its trials by state and its best trial, linked to the study's own summary.md."""
    name = path.parent.name
    link = f"[`{name}`](tune/{name}/summary.md)"
    snapshot = read_snapshot(path)
    if snapshot is None:
        return [link, "unreadable trials.json", "", "", "", "", "", "", "", ""]
    trials = snapshot.get("trials", [])
    counts = _counts(trials)
    best = min(trials, key=best_first, default=None)
    if best is None or best.get("state") != "COMPLETE":
        return [link, f"`{snapshot.get('base')}`", _seeds(snapshot), counts, "–", "–", "–", "–", "–", "–"]
    attrs = best.get("user_attrs", {})
    per_seed = [attrs.get(f"seed{seed}") or {} for seed in snapshot.get("seeds") or []]
    feasible = best_first(best)[0] == 0
    return [
        link,
        f"`{snapshot.get('base')}`",
        _seeds(snapshot),
        counts,
        f"#{best['number']}",
        _shown(best.get("value")),
        "yes" if feasible else "no",
        " / ".join(_shown(seed.get("clean")) for seed in per_seed),
        " / ".join(_shown(seed.get("steps")) for seed in per_seed),
        ", ".join(f"{name} {_shown(value)}" for name, value in best.get("params", {}).items()),
    ]


def _seeds(snapshot: dict[str, Any]) -> str:
    return ", ".join(map(str, snapshot.get("seeds") or []))


def _counts(trials: list[dict[str, Any]]) -> str:
    """The trials by state, in the order the states first appear."""
    states = [trial["state"] for trial in trials]
    return ", ".join(f"{states.count(state)} {state.lower()}" for state in dict.fromkeys(states)) or "no trials yet"


def render_study(snapshot: dict[str, Any]) -> str:
    """One study: what it searched, how many trials ended how, and its best trials in a table."""
    trials = snapshot.get("trials", [])
    seeds = snapshot.get("seeds") or []
    heading = (
        f"### Study `{snapshot.get('study')}` on `{snapshot.get('base')}`, seeds {_seeds(snapshot)}: {_counts(trials)}\n\n"
        "Value: the worse seed's clean share of greedy answers to the development prompts ("
        + snapshot.get("dev_prompts", "every 4th training prompt")
        + ", never the held-out ones); feasible: development share ≥ 0.55, loops ≤ 5%, frame ≤ 30%, reference "
        "perplexity ≤ 1.5× on both seeds. Per-seed cells: seed " + " / ".join(map(str, seeds)) + "."
    )
    levers = snapshot.get("levers") or []
    rows = [_row(trial, levers, seeds) for trial in sorted(trials, key=best_first)[:SHOWN_TRIALS]]
    headers = [
        "trial",
        "state",
        "value",
        *levers,
        *(MEASURE_NAMES.get(column, f"dev {column}") for column in SEED_COLUMNS),
    ]
    table = tabulate(rows, headers=headers, tablefmt="github")
    parts = [heading, table, time_line(trials, int(snapshot.get("steps") or 0)), lever_effects(trials, levers, seeds)]
    return "\n\n".join(part for part in parts if part)


def time_line(trials: list[dict[str, Any]], steps: int) -> str:
    """What the trials cost and what pruning saved, in lane-seconds (one torch thread busy for a second).

    A pruned trial's saving is its unrun steps at its own pace: lane-seconds × (steps − pruned step) / pruned step.
    Its unrun evaluation is left out, so the saving is a floor. The share is of what the same trials would have cost
    without pruning.

    >>> trials = [{"state": "COMPLETE", "user_attrs": {"wall_s": 900.0, "lane_s": 1800.0}},
    ...           {"state": "PRUNED", "user_attrs": {"wall_s": 300.0, "lane_s": 600.0, "pruned_at": 20}}]
    >>> time_line(trials, 60)
    'Time: 2 trials took 1200 s of wall time and 2400 lane-seconds; the 1 pruned trial (stopped at step 20) saved at least 1200 lane-seconds, 33% of the 3600 the same trials would have cost unpruned.'
    """
    timed = [trial for trial in trials if "lane_s" in trial.get("user_attrs", {})]
    wall = sum(trial["user_attrs"].get("wall_s", 0.0) for trial in timed)
    spent = sum(trial["user_attrs"]["lane_s"] for trial in timed)
    pruned = [trial["user_attrs"] for trial in timed if trial["user_attrs"].get("pruned_at")]
    saved = sum(attrs["lane_s"] * max(steps - attrs["pruned_at"], 0) / attrs["pruned_at"] for attrs in pruned)
    line = f"Time: {len(timed)} trials took {wall:.0f} s of wall time and {spent:.0f} lane-seconds"
    if not pruned:
        return line + "; none was pruned."
    at = ", ".join(str(attrs["pruned_at"]) for attrs in pruned)
    plural = "s" if len(pruned) > 1 else ""
    return (
        line + f"; the {len(pruned)} pruned trial{plural} (stopped at step{plural} {at}) saved at least "
        f"{saved:.0f} lane-seconds, {saved / (spent + saved):.0%} of the {spent + saved:.0f} the same trials would have "
        "cost unpruned."
    )


def best_first(trial: dict[str, Any]) -> tuple[int, float]:
    """Feasible complete trials first, then by state; within one, the higher value first.

    >>> done = {"state": "COMPLETE", "value": 0.5, "constraints": {"share": 0.1}}
    >>> best_first(done), best_first({**done, "constraints": {"share": -0.1}}), best_first({"state": "FAIL"})
    ((1, -0.5), (0, -0.5), (4, 0.0))
    """
    rank = STATE_ORDER.get(trial.get("state", ""), 4)
    constraints = trial.get("constraints") or {}
    if rank == 1 and constraints and all(value <= 0 for value in constraints.values()):
        rank = 0
    return rank, -float(trial.get("value") or 0.0) or 0.0


def _row(trial: dict[str, Any], levers: list[str], seeds: list[int]) -> list[str]:
    attrs = trial.get("user_attrs", {})
    state = trial["state"].lower() + (f" at step {attrs['pruned_at']}" if "pruned_at" in attrs else "")
    state += f" (settled by {attrs['settled_by']})" if "settled_by" in attrs else ""
    per_seed = [attrs.get(f"seed{seed}") or {} for seed in seeds]
    cells = [" / ".join(_shown(seed.get(column)) for seed in per_seed) for column in SEED_COLUMNS]
    params = trial.get("params", {})
    values = [str(params[name]) if params.get(name, "") is None else _shown(params.get(name, "")) for name in levers]
    return [f"#{trial['number']}", state, _shown(trial.get("value")), *values, *cells]


def _shown(value: Any) -> str:
    """A cell: floats to three figures, nothing as a dash.

    >>> _shown(0.123456), _shown(None), _shown("dapo"), _shown(8)
    ('0.123', '–', 'dapo', '8')
    """
    if value is None:
        return "–"
    return f"{value:.3g}" if isinstance(value, float) else str(value)
