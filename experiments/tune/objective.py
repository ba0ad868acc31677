"""What the tuner maximises, declared once: the worse seed's clean share of greedy answers to a development split of
the training prompts, with the first lesson's targets as constraints.

- **Never the held-out prompts.** The objective reads no line of prompts/heldout.txt: the base entry's training
  prompt file is split, deterministically, into a development split (every 4th prompt, at least 4) and a training
  remainder, both written into the study's folder; a trial trains on the remainder. A base with few training prompts
  (the first lesson's 18 give 4) can take them from another file the base does not train on (``--dev_prompts
  prompts/silly_large.txt``: every 4th, at most 40), and then trains on its own file whole. Each run still makes and records
  its held-out evaluation, which is never used to choose, so it stays an honest test.
- **Value:** after a seed's run, greedy answers to the development prompts, read by the project's own measures
  (``answer_measures``): the trial's value is the *worse* seed's clean share (one seed misled this project twice).
- **Constraints** (``Trial.set_constraint``, which replaced TPESampler's ``constraints_func`` in Optuna 5; feasible
  where every one is ≤ 0), set on complete trials, each from the worse seed: the
  development share ≥ 0.55, loops ≤ 0.05, frame ≤ 0.30 (the first lesson's targets), and the reference perplexity
  after ÷ before, from the run's record, ≤ 1.5 (the guard's threshold).
- **While it runs** (pruning): the greedy probe's clean share of the worse seed at each probe step, or share × (1 −
  loops) where a reading has no clean share.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from experiments.evaluation.verdicts import THRESHOLDS
from experiments.files import atomic_write_text
from experiments.registry.baseline import TARGETS
from experiments.reporting.lever_effects import worse

DEV_EVERY = 4  # every 4th training prompt is a development prompt
MIN_DEV_PROMPTS = 4
MAX_DEV_FROM_FILE = 40  # --dev_prompts FILE: at most this many of its every-4th prompts (greedy answers cost time)
# What each seed's development reading holds; content_share and vocabulary where answer_measures gives them.
DEV_FIGURES = ("share", "clean", "loops", "frame", "content_share", "vocabulary")
CONSTRAINTS = ("share", "loops", "frame", "ref_ppl_ratio")
CAP_STOP = "step cap"  # a run no stop rule ended (stop_rules.py)
UNMEASURED = 1.0  # a constraint that could not be read counts as broken by this much


def dev_split(prompts: Sequence[str]) -> tuple[list[str], list[str]]:
    """The development prompts (the 4th, 8th, … of the file) and the training remainder.

    >>> dev_split([f"q{i}" for i in range(1, 10)])
    (['q4', 'q8'], ['q1', 'q2', 'q3', 'q5', 'q6', 'q7', 'q9'])
    """
    dev = [prompt for index, prompt in enumerate(prompts, start=1) if index % DEV_EVERY == 0]
    train = [prompt for index, prompt in enumerate(prompts, start=1) if index % DEV_EVERY != 0]
    return dev, train


def write_split(path: Path, prompts: Sequence[str], what: str, source: str) -> None:
    """One side of the split as a prompt file, its provenance in a comment line (skipped by the prompt reader)."""
    header = f"# {what}, from {source} (development prompts: every {DEV_EVERY}th), written by the tuner\n"
    atomic_write_text(path, header + "".join(f"{prompt}\n" for prompt in prompts))


def reading_value(reading: dict[str, Any]) -> float:
    """A probe reading as the value reported to the trial: its clean share, or share × (1 − loops) without one.

    >>> reading_value({"probe/share": 0.5, "probe/loops": 0.25, "probe/clean": 0.375}), reading_value({"probe/share": 0.5, "probe/loops": 0.25})
    (0.375, 0.375)
    """
    if reading.get("probe/clean") is not None:
        return float(reading["probe/clean"])
    return float(reading.get("probe/share") or 0.0) * (1 - float(reading.get("probe/loops") or 0.0))


def trial_value(seeds: Sequence[dict[str, Any]]) -> float:
    """The trial's value: the worse seed's development clean share (0 where none was read)."""
    return worse(seeds, "clean") or 0.0


def constraints(seeds: Sequence[dict[str, Any]]) -> list[float]:
    """Each constraint as Optuna reads it (≤ 0: met), from the worse seed; one that was not read counts as broken.

    >>> met = constraints([{"share": 0.6, "loops": 0.0, "frame": 0.2, "ref_ppl_ratio": 1.1}, {"share": 0.5, "loops": 0.1, "frame": 0.3}])
    >>> [round(value, 2) for value in met], feasible(met)
    ([0.05, 0.05, 0.0, -0.4], False)
    """
    share, loops = worse(seeds, "share"), worse(seeds, "loops", False)
    frame, ratio = worse(seeds, "frame", False), worse(seeds, "ref_ppl_ratio", False)
    return [
        TARGETS.min_share - share if share is not None else UNMEASURED,
        loops - TARGETS.max_loops if loops is not None else UNMEASURED,
        frame - TARGETS.max_frame if frame is not None else UNMEASURED,
        ratio - THRESHOLDS.max_ref_ppl_ratio if ratio is not None else UNMEASURED,
    ]


def feasible(values: Sequence[float] | None) -> bool:
    return values is not None and all(value <= 0 for value in values)


def settles_trial(figures: dict[str, Any] | None, cap: int) -> bool:
    """A seed that a stop rule ended before its step cap (its greedy probe looped, its policy collapsed, or its training
    share arrived while its greedy answers did not) and that is infeasible on its own settles its trial: the constraints
    read the worse seed, so no other seed can make the trial feasible, and its value is at most this seed's clean
    share. Its other seeds are then stopped, and the trial is told pruned, instead of leaving a lane idle while they
    train on. A seed that reached the cap settles nothing, even where a rule fired on its last step: the others are at
    the cap too, stopping them saves only their evaluation and loses their figures, and a complete trial tells the
    sampler its constraints.

    >>> read = {"share": 0.3, "loops": 0.4, "frame": 0.2, "ref_ppl_ratio": 1.1, "steps": 30}
    >>> [settles_trial({**read, "stop_reason": reason}, 60) for reason in ("loops", "behaviour", "step cap")]
    [True, True, False]
    >>> settles_trial({**read, "stop_reason": "loops", "steps": 60}, 60)
    False
    """
    if not figures or figures.get("stop_reason") in (None, CAP_STOP) or int(figures.get("steps") or 0) >= cap:
        return False
    return not feasible(constraints([figures]))
