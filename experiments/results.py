"""Results on disk: atomic writes, one row per configuration, merged into summary.json.

Every file is written to a temporary sibling and renamed into place, so a run killed
at any moment leaves either the old file or the new one, never half of either.
"""

from __future__ import annotations

import json
import os
import platform
import tempfile
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from tabulate import tabulate

PACKAGES = ("torch", "transformers", "trl", "datasets", "accelerate", "wordfreq")


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def environment(device: "torch.device | None" = None) -> dict[str, Any]:
    """Versions, machine and date: what a reader needs to reproduce a figure.

    ``device`` is where the run computed; without it, the best this machine has.
    """
    import torch

    versions = {}
    for package in PACKAGES:
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = None
    on_cuda = device.type == "cuda" if device is not None else torch.cuda.is_available()
    return {
        "python": platform.python_version(),
        "packages": versions,
        "device": "cuda: " + torch.cuda.get_device_name(device) if on_cuda else f"cpu ({os.cpu_count()} cores, {torch.get_num_threads()} torch threads)",
        "platform": platform.platform(),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


# Figures of `pytest -m benchmark`, by summary.json key: CPU steps, and GPU steps where a GPU ran them.
BENCHMARK_FILES = {"benchmark": "benchmark.json", "benchmark_gpu": "benchmark-gpu.json"}


def benchmark_figures(results_dir: Path) -> dict[str, Any]:
    """The benchmark files present in results_dir, keyed as summary.json holds them."""
    return {key: json.loads((results_dir / name).read_text()) for key, name in BENCHMARK_FILES.items() if (results_dir / name).exists()}


def load_summary(results_dir: Path) -> dict[str, Any]:
    path = results_dir / "summary.json"
    if not path.exists():
        return {"runs": []}
    return json.loads(path.read_text())


def merge_run(summary: dict[str, Any], record: dict[str, Any], order: list[str]) -> list[dict[str, Any]]:
    """The runs with this record replacing any earlier row of the same name, in registry order.

    Rows of configurations no longer in the registry are dropped, so a removed
    experiment cannot linger in the summary beside runs of a different baseline.
    """
    rank = {name: position for position, name in enumerate(order)}
    kept = [run for run in summary.get("runs", []) if run["name"] != record["name"] and run["name"] in rank]
    return sorted(kept + [record], key=lambda run: (rank.get(run["name"], len(rank)), run["name"]))


def samples_markdown(record: dict[str, Any], prompts: list[str], before: list[str], after: list[str], shown: int = 8) -> str:
    """Before/after greedy answers side by side, for reading by eye."""
    rows = [
        [prompt, _one_line(old), _one_line(new)] for prompt, old, new in list(zip(prompts, before, after))[:shown]
    ]
    text = (
        f"# Samples: {record['name']}\n\n"
        f"Hypothesis: {record['hypothesis']}\n\n"
        f"Model `{record['model']}`, seed {record['seed']}, {record.get('steps_trained', record['steps'])} of {record['steps']} steps, verdict **{record['verdict']}**. "
        f"Greedy decoding with transformers `pipeline`, same settings before and after, on held-out prompts.\n\n"
        + tabulate(rows, headers=["held-out prompt", "before", "after"], tablefmt="github")
        + "\n"
    )
    return text


def _one_line(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|") or "(empty)"
