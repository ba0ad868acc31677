"""A study's trials.json read back as strictly as any input: the tuner writes it, but a file on disk is no promise. A
snapshot that parses but has another shape (``"trials": null``, a trial that is a number, a value that is text, null
``user_attrs``) is unreadable, as one that does not parse is: the report says so in one line and draws the rest.

Keys the tuner always writes may be missing (older snapshots, hand-made ones in tests); a key that is there must have
the type the report reads.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

STATES = ("COMPLETE", "PRUNED", "RUNNING", "WAITING", "FAIL")
NUMBER_ATTRS = ("wall_s", "lane_s", "last_reading")  # a trial's user_attrs the report computes with
MEASURES = ("share", "content_share", "clean", "loops", "frame", "ref_ppl_ratio")  # a seed's, read as numbers


def read_snapshot(path: Path) -> dict[str, Any] | None:
    """trials.json as the report reads it, or None where it cannot be read or has another shape (snapshot_problem)."""
    try:
        snapshot = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return snapshot if snapshot_problem(snapshot) is None else None


def snapshot_problem(snapshot: Any) -> str | None:
    """What in a parsed trials.json the report could not read, or None.

    >>> ok = {"study": "s", "seeds": [1], "levers": ["beta"], "trials": [{"number": 0, "state": "COMPLETE"}]}
    >>> snapshot_problem(ok), snapshot_problem({"trials": None}), snapshot_problem({"trials": [{"number": 0}]})
    (None, 'trials is not a list', 'trial 0: state is None, not one of COMPLETE, PRUNED, RUNNING, WAITING, FAIL')
    """
    if not isinstance(snapshot, dict):
        return "not an object"
    for key, kind in (("study", str), ("base", str), ("dev_prompts", str)):
        if key in snapshot and not isinstance(snapshot[key], kind):
            return f"{key} is {snapshot[key]!r}, not text"
    if "steps" in snapshot and snapshot["steps"] is not None and not _whole(snapshot["steps"]):
        return f"steps is {snapshot['steps']!r}, not a whole number"
    if not isinstance(snapshot.get("seeds", []), list) or not all(_whole(seed) for seed in snapshot.get("seeds", [])):
        return "seeds is not a list of whole numbers"
    if not isinstance(snapshot.get("levers", []), list) or not all(
        isinstance(x, str) for x in snapshot.get("levers", [])
    ):
        return "levers is not a list of names"
    trials = snapshot.get("trials", [])
    if not isinstance(trials, list):
        return "trials is not a list"
    for index, trial in enumerate(trials):
        if (problem := trial_problem(trial)) is not None:
            return f"trial {index}: {problem}"
    return None


def trial_problem(trial: Any) -> str | None:
    """What in one trial of a snapshot the report could not read, or None."""
    if not isinstance(trial, dict):
        return f"{trial!r} is not an object"
    if not _whole(trial.get("number")):
        return f"number is {trial.get('number')!r}, not a whole number"
    if trial.get("state") not in STATES:
        return f"state is {trial.get('state')!r}, not one of {', '.join(STATES)}"
    if not _number_or_none(trial.get("value")):
        return f"value is {trial.get('value')!r}, not a number"
    params = trial.get("params", {})
    if not isinstance(params, dict) or not all(_scalar(value) for value in params.values()):
        return f"params is {params!r}, not an object of values"
    constraints = trial.get("constraints") or {}
    if not isinstance(constraints, dict) or not all(_number(value) for value in constraints.values()):
        return f"constraints is {constraints!r}, not an object of numbers"
    attrs = trial.get("user_attrs", {})
    if not isinstance(attrs, dict):
        return f"user_attrs is {attrs!r}, not an object"
    for key in NUMBER_ATTRS:
        if not _number_or_none(attrs.get(key)):
            return f"{key} is {attrs[key]!r}, not a number"
    if "pruned_at" in attrs and not (_whole(attrs["pruned_at"]) and attrs["pruned_at"] >= 0):
        return f"pruned_at is {attrs['pruned_at']!r}, not a step"
    for key, seed in attrs.items():
        if key.startswith("seed") and key[4:].isdigit():
            if seed is not None and not isinstance(seed, dict):
                return f"{key} is {seed!r}, not an object"
            if not all(_number_or_none((seed or {}).get(measure)) for measure in MEASURES):
                return f"{key} holds a measure that is not a number"
    return None


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _number_or_none(value: Any) -> bool:
    return value is None or _number(value)


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | bool) or _number(value)
