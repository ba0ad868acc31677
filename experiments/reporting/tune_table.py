"""The best trials of each study found under results/tune/*/ (python -m experiments.tune), as summary.md shows them.

Read from each study's trials.json, which the tuner rewrites after every trial whatever its storage, so the report
needs neither Optuna nor the database. Best first: complete trials that meet every constraint, by value; then the
other complete ones, by value; then the pruned, by their last reading; then those that failed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tabulate import tabulate

SHOWN_TRIALS = 10
SEED_COLUMNS = ("share", "content_share", "clean", "loops", "frame", "ref_ppl_ratio", "steps")
COLUMN_NAMES = {"ref_ppl_ratio": "ref ppl ×"}
STATE_ORDER = {"COMPLETE": 1, "PRUNED": 2, "RUNNING": 3, "WAITING": 3, "FAIL": 4}


def study_sections(results_dir: Path) -> list[str]:
    """A heading and a table per study: the folder's own study (a study's folder), else each under tune/; none: []."""
    own = results_dir / "trials.json"
    paths = [own] if own.exists() else sorted(results_dir.glob("tune/*/trials.json"))
    parts: list[str] = []
    for path in paths:
        try:
            snapshot = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            parts.append(f"{path}: unreadable; the next call of its study rewrites it")
            continue
        figures = sorted((results_dir / "figures").glob(f"tune-{snapshot.get('study')}-*.png"))
        parts += [render_study(snapshot)] + [f"![{figure.stem}](figures/{figure.name})" for figure in figures]
    return (["## Searches (python -m experiments.tune)"] + parts) if parts else []


def render_study(snapshot: dict[str, Any]) -> str:
    """One study: what it searched, how many trials ended how, and its best trials in a table."""
    trials = snapshot.get("trials", [])
    states = [trial["state"] for trial in trials]
    counts = ", ".join(f"{states.count(state)} {state.lower()}" for state in dict.fromkeys(states)) or "no trials yet"
    seeds = snapshot.get("seeds") or []
    heading = (
        f"### Study `{snapshot.get('study')}` on `{snapshot.get('base')}`, seeds {', '.join(map(str, seeds))}: {counts}\n\n"
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
        *(COLUMN_NAMES.get(column, f"dev {column}") for column in SEED_COLUMNS),
    ]
    return heading + "\n\n" + tabulate(rows, headers=headers, tablefmt="github")


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
