"""The registry: every entry of every lesson group, one module per group; each module's docstring is the group's title.

An entry is a short override of a named base (``variant(BASE, name, hypothesis, expect, **changes)``); a run is one
seed of an entry (``NAME``, ``NAME-seed1``, ...). To add an entry, append one ``variant`` to the group it teaches:
its test case, its row in the summary and its curve follow from it. ``-k NAME`` in pytest, ``NAME`` for the runner.
"""

from __future__ import annotations

from pathlib import Path

from experiments.registry import baseline, lessons
from experiments.registry.experiment import (
    BASELINE_GRPO_CHANGES,
    FIRST_BASELINE,
    RUNTIME_SETTINGS,
    VERDICTS,
    Experiment,
    runs,
    variant,
)
from experiments.registry.history import (
    breakages,
    comparisons,
    custom_rewards,
    first_lesson,
    gpu,
    greedy_eyes,
    prompt_scale,
    reader_trained,
    speed_levers,
    vocabulary,
    vocabulary_content,
)
from experiments.registry.reworded import REWORDED

# The baseline every lesson varies: the first lesson's best configuration found (experiments/registry/baseline.py).
BASELINE = baseline.BASELINE
# Two wings. Today's lessons: the baseline and the lessons on it; their runs publish into results/. The history:
# earlier baselines, candidates, explorations and searches (experiments/registry/history/); their runs publish into
# results/history/ and their test cases run only with --run-long. A group's wing is the folder its module lives in.
LESSON_GROUPS = (baseline, lessons)
HISTORY_GROUPS = (
    first_lesson,
    greedy_eyes,
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
GROUPS = LESSON_GROUPS + HISTORY_GROUPS
HISTORY = "history"  # the history wing's folder, under results/ as under experiments/registry/
CONFIGS: list[Experiment] = [run for group in GROUPS for entry in group.ENTRIES for run in runs(entry)]
REGISTRY: dict[str, Experiment] = {config.name: config for config in CONFIGS}
HISTORY_RUNS: frozenset[str] = frozenset(
    run.name for group in HISTORY_GROUPS for entry in group.ENTRIES for run in runs(entry)
)
# The families that describe today's code: their runs must be made on the current training numerics (tests/test_numerics.py).
CURRENT_FAMILIES: tuple[str, ...] = (
    baseline.CURRENT + greedy_eyes.CURRENT + tuple(entry.name for entry in lessons.ENTRIES)
)


def wing_folder(results_root: Path, name: str) -> Path:
    """The results folder a registry run publishes into: ``results_root`` for today's lessons, its ``history``
    folder for a run of the history wing.

    >>> wing_folder(Path("results"), "baseline"), wing_folder(Path("results"), "first-baseline")
    (PosixPath('results'), PosixPath('results/history'))
    """
    return results_root / HISTORY if name in HISTORY_RUNS else results_root


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
    "HISTORY",
    "HISTORY_GROUPS",
    "HISTORY_RUNS",
    "LESSON_GROUPS",
    "REGISTRY",
    "REWORDED",
    "RUNTIME_SETTINGS",
    "SPEED_LEVER_RUNS",
    "VERDICTS",
    "Experiment",
    "runs",
    "variant",
    "wing_folder",
]
