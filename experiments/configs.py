"""The registry: every run of every lesson group, by name (``-k NAME`` in pytest, ``NAME`` for the runner)."""

from __future__ import annotations

from experiments.experiment import BASELINE, BASELINE_GRPO_CHANGES, RUNTIME_SETTINGS, VERDICTS, Experiment, runs, variant
from experiments.lessons import GROUPS, gpu, speed_levers
from experiments.lessons.first_lesson import REWORDED

CONFIGS: list[Experiment] = [run for group in GROUPS for entry in group.ENTRIES for run in runs(entry)]
REGISTRY: dict[str, Experiment] = {config.name: config for config in CONFIGS}
GROUP_OF: dict[str, str] = {run.name: group.__doc__ for group in GROUPS for entry in group.ENTRIES for run in runs(entry)}
SPEED_LEVER_RUNS, GPU_LEVER_RUNS = speed_levers.LEVER_RUNS, gpu.LEVER_RUNS
GPU, GPU_ATTENTION = gpu.GPU, gpu.GPU_ATTENTION

__all__ = [
    "BASELINE", "BASELINE_GRPO_CHANGES", "CONFIGS", "GPU", "GPU_ATTENTION", "GROUP_OF", "GPU_LEVER_RUNS",
    "REGISTRY", "REWORDED", "RUNTIME_SETTINGS", "SPEED_LEVER_RUNS", "VERDICTS", "Experiment", "variant",
]
