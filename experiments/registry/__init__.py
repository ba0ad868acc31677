"""The registry: every entry of every lesson group, one module per group; each module's docstring is the group's title.

An entry is a short override of a named base (``variant(BASE, name, hypothesis, expect, **changes)``); a run is one
seed of an entry (``NAME``, ``NAME-seed1``, ...). To add an entry, append one ``variant`` to the group it teaches:
its test case, its row in the summary and its curve follow from it. ``-k NAME`` in pytest, ``NAME`` for the runner.
"""

from __future__ import annotations

from experiments.registry import (  # noqa: E402
    breakages,
    comparisons,
    custom_rewards,
    first_lesson,
    gpu,
    greedy_eyes,
    lessons,
    prompt_scale,
    reader_trained,
    speed_levers,
    vocabulary,
    vocabulary_content,
)
from experiments.registry.experiment import (
    BASELINE_GRPO_CHANGES,
    FIRST_BASELINE,
    RUNTIME_SETTINGS,
    VERDICTS,
    Experiment,
    runs,
    variant,
)
from experiments.registry.reworded import REWORDED

# The baseline every lesson varies: the first lesson's best configuration found (experiments/registry/greedy_eyes.py).
BASELINE = greedy_eyes.BASELINE
GROUPS = (
    first_lesson,
    greedy_eyes,
    lessons,
    comparisons,
    breakages,
    custom_rewards,
    prompt_scale,
    speed_levers,
    gpu,
    vocabulary,
    vocabulary_content,
    reader_trained,
)
CONFIGS: list[Experiment] = [run for group in GROUPS for entry in group.ENTRIES for run in runs(entry)]
REGISTRY: dict[str, Experiment] = {config.name: config for config in CONFIGS}
# The families that describe today's code: their runs must be made on the current training numerics (tests/test_numerics.py).
CURRENT_FAMILIES: tuple[str, ...] = greedy_eyes.CURRENT + tuple(entry.name for entry in lessons.ENTRIES)
SPEED_LEVER_RUNS, GPU_LEVER_RUNS = speed_levers.LEVER_RUNS, gpu.LEVER_RUNS
GPU, GPU_ATTENTION = gpu.GPU, gpu.GPU_ATTENTION

__all__ = [
    "BASELINE",
    "BASELINE_GRPO_CHANGES",
    "CONFIGS",
    "CURRENT_FAMILIES",
    "FIRST_BASELINE",
    "GPU",
    "GPU_ATTENTION",
    "GROUPS",
    "GPU_LEVER_RUNS",
    "REGISTRY",
    "REWORDED",
    "RUNTIME_SETTINGS",
    "SPEED_LEVER_RUNS",
    "VERDICTS",
    "Experiment",
    "runs",
    "variant",
]
