"""summary.json: read strictly, one row per run merged in, written as strict JSON."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

# Figures of `pytest -m benchmark`, by summary.json key: CPU steps, and GPU steps where a GPU ran them.
BENCHMARK_FILES = {"benchmark": "benchmark.json", "benchmark_gpu": "benchmark-gpu.json", "step_breakdown": "step-breakdown.json"}


def benchmark_figures(results_dir: Path) -> dict[str, Any]:
    """The benchmark files present in results_dir, keyed as summary.json holds them."""
    return {key: json.loads((results_dir / name).read_text()) for key, name in BENCHMARK_FILES.items() if (results_dir / name).exists()}


class SummaryError(ValueError):
    """A summary.json that cannot be read as this project wrote it; the message names the file and what is wrong."""


REQUIRED_ROW_FIELDS = ("name", "hypothesis", "expected", "verdict", "hypothesis_held", "guards", "model", "seed", "steps")


def load_summary(results_dir: Path) -> dict[str, Any]:
    """summary.json, or an empty one where there is none; a SummaryError where it is not what this project writes."""
    path = results_dir / "summary.json"
    if not path.exists():
        return {"runs": []}
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError) as error:
        raise SummaryError(f"{path}: not readable JSON ({error})") from None
    if not isinstance(summary, dict) or not isinstance(summary.get("runs"), list):
        raise SummaryError(f"{path}: holds no list of runs (expected {{\"runs\": [...]}})")
    for position, row in enumerate(summary["runs"]):
        missing = [key for key in REQUIRED_ROW_FIELDS if not isinstance(row, dict) or key not in row]
        if missing:
            label = row.get("name", "?") if isinstance(row, dict) else repr(row)
            raise SummaryError(f"{path}: run {position} ({label}) lacks {', '.join(missing)}")
    return summary


def strict_json(value: Any) -> str:
    """JSON that every parser reads: a non-finite number (NaN, ±Infinity) is written as null.

    >>> json.loads(strict_json({"kl": float("nan"), "steps": [1, float("inf")]}))
    {'kl': None, 'steps': [1, None]}
    """
    return json.dumps(_finite(value), indent=1, allow_nan=False)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value


def merge_run(summary: dict[str, Any], record: dict[str, Any], order: list[str] | None) -> list[dict[str, Any]]:
    """The runs with this record replacing any earlier row of the same name.

    With the registry's ``order`` (results/), rows of entries no longer in the registry are
    dropped, so a removed experiment cannot linger beside runs of a different baseline. With
    None (an exploration folder), every row stays, in the order the runs were first published.
    """
    if order is None:
        names = [run["name"] for run in summary.get("runs", [])]
        replaced = [record if run["name"] == record["name"] else run for run in summary.get("runs", [])]
        return replaced if record["name"] in names else replaced + [record]
    rank = {name: position for position, name in enumerate(order)}
    kept = [run for run in summary.get("runs", []) if run["name"] != record["name"] and run["name"] in rank]
    return sorted(kept + [record], key=lambda run: (rank.get(run["name"], len(rank)), run["name"]))


