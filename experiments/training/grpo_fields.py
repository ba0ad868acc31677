"""The GRPOConfig fields an entry may set, and the ranges and values a run depends on: refused before any model loads.

Kept apart from checks.py, which calls ``check_grpo_fields`` with how to refuse (its ConfigError).
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import numbers
from collections.abc import Callable
from typing import NoReturn

from trl import GRPOConfig

from experiments.registry.experiment import Experiment

GRPO_FIELDS = frozenset(f.name for f in dataclasses.fields(GRPOConfig))

# GRPOConfig fields the runner sets itself, each with what sets it: an entry that set them would train one thing and
# record another ("fp32 (asked for)" while bf16 ran; max_steps 1 recorded while 3 steps ran).
SET_BY_THE_RUNNER = {
    "max_steps": "the entry's steps (--steps) sets it",
    "num_train_epochs": "the entry's steps (--steps) decides how long a run trains",
    "seed": "the entry's seed sets it",
    "bf16": "the entry's precision (--precision fp32 or bf16) decides it",
    "fp16": "the entry's precision (--precision fp32 or bf16) decides it",
    "output_dir": "the runner writes into runs/NAME",
    "report_to": "the runner's --tracker sets it",
    "logging_steps": "the recorder reads every step's metrics",
    "model_init_kwargs": "the runner loads the model itself (--model, --precision, --attn_implementation)",
}
# Counts TRL divides or batches by: 0 trains nothing (or crashes mid-run), so each must be a whole number ≥ 1.
GRPO_COUNTS = ("per_device_train_batch_size", "gradient_accumulation_steps", "num_iterations")
GRPO_OPTIONAL_COUNTS = ("steps_per_generation", "generation_batch_size")
# Text fields TRL reads by value, and the values it knows: another value fails at the first step, after the model loaded.
GRPO_CHOICES = {
    "loss_type": ("grpo", "dr_grpo", "dapo", "bnpo", "cispo", "sapo", "luspo", "vespo"),
    "scale_rewards": ("group", "batch", "none", True, False),
    "importance_sampling_level": ("token", "sequence"),
    "multi_objective_aggregation": ("sum_then_normalize", "normalize_then_sum"),
}
# Numbers generation or the loss reads, with the range each must lie in (low, high, whether low itself is allowed).
GRPO_RANGES = {
    "min_p": (0.0, 1.0, True),
    "repetition_penalty": (0.0, math.inf, False),
    "epsilon": (0.0, math.inf, True),
    "epsilon_high": (0.0, math.inf, True),
    "weight_decay": (0.0, math.inf, True),
    "top_entropy_quantile": (0.0, 1.0, True),
}
MAX_BETA = 1000.0  # the KL coefficient: 0.04-0.1 is usual; past float32's range the loss turns into inf and NaN


def _count(where: str, field: str, value: object, refuse: Callable[[str], NoReturn], none_ok: bool = False) -> None:
    """A whole number ≥ 1 (None allowed where ``none_ok``), as checks.check_count says it."""
    if value is None and none_ok:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        refuse(f"{where}: {field} must be a whole number ≥ 1{' or None' if none_ok else ''}, got {value!r}")


def check_grpo_fields(
    entry: Experiment, where: str, refuse: Callable[[str], NoReturn], max_learning_rate: float
) -> None:
    """Every GRPOConfig field named exists, and the ones a run depends on are in range."""
    for key, value in entry.grpo.items():
        if key not in GRPO_FIELDS:
            hint = difflib.get_close_matches(key, GRPO_FIELDS, n=1)
            suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
            refuse(f"{where}: unknown GRPOConfig field {key!r}{suggestion}")
        if key in SET_BY_THE_RUNNER:
            refuse(f"{where}: {key} is not an entry's to set: {SET_BY_THE_RUNNER[key]}")
        if isinstance(value, float) and not math.isfinite(value):
            refuse(f"{where}: {key} must be a finite number, got {value!r}")
    for key in GRPO_COUNTS:
        if key in entry.grpo:
            _count(where, key, entry.grpo[key], refuse)
    for key in GRPO_OPTIONAL_COUNTS:
        if key in entry.grpo:
            _count(where, key, entry.grpo[key], refuse, none_ok=True)
    _check_choices_and_ranges(entry, where, refuse)
    top_p = entry.grpo.get("top_p", 1.0)
    if isinstance(top_p, bool) or not isinstance(top_p, numbers.Real) or not 0 < float(top_p) <= 1:
        refuse(f"{where}: top_p must be a number in (0, 1] (the share of probability sampled), got {top_p!r}")
    top_k = entry.grpo.get("top_k", 0)
    if top_k is not None and (isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 0):
        refuse(f"{where}: top_k must be a whole number ≥ 0 (0: no limit), got {top_k!r}")
    temperature = entry.grpo.get("temperature", 1.0)
    if isinstance(temperature, bool) or not isinstance(temperature, numbers.Real) or not float(temperature) > 0:
        refuse(f"{where}: temperature must be a number > 0, got {temperature!r}")
    learning_rate = entry.grpo.get("learning_rate", 1e-6)
    if not isinstance(learning_rate, numbers.Real) or not float(learning_rate) > 0:
        refuse(f"{where}: learning_rate must be > 0, got {learning_rate!r}")
    if float(learning_rate) > max_learning_rate:
        refuse(
            f"{where}: learning_rate must be at most {max_learning_rate} (Adam steps of that size destroy any model), got {learning_rate!r}"
        )
    beta = entry.grpo.get("beta", 0.0)
    if isinstance(beta, bool) or not isinstance(beta, numbers.Real) or float(beta) < 0:
        refuse(f"{where}: beta (the KL coefficient) must be a number ≥ 0, got {beta!r}")
    if float(beta) > MAX_BETA:
        refuse(
            f"{where}: beta (the KL coefficient) must be at most {MAX_BETA:g} (0.04-0.1 is usual; larger turns the loss "
            f"into inf and NaN), got {beta!r}"
        )
    length = entry.grpo.get("max_completion_length", 512)
    if isinstance(length, bool) or not isinstance(length, int) or length <= 0:
        refuse(f"{where}: max_completion_length must be a positive integer, got {length!r}")
    generations = entry.grpo.get("num_generations", 8)
    if isinstance(generations, bool) or not isinstance(generations, int):
        refuse(f"{where}: num_generations must be a whole number ≥ 2, got {generations!r}")
    if generations < 2:
        refuse(
            f"{where}: num_generations must be ≥ 2, got {entry.grpo['num_generations']}: "
            "GRPO's advantage compares completions within a group"
        )


def _check_choices_and_ranges(entry: Experiment, where: str, refuse: Callable[[str], NoReturn]) -> None:
    """Text fields among the values TRL knows, numbers in the range generation and the loss read."""
    for key, known in GRPO_CHOICES.items():
        if key in entry.grpo and entry.grpo[key] not in known:
            refuse(f"{where}: {key} must be one of {known}, got {entry.grpo[key]!r}")
    for key, (low, high, low_ok) in GRPO_RANGES.items():
        value = entry.grpo.get(key)
        if value is None:
            continue
        number = float(value) if isinstance(value, numbers.Real) and not isinstance(value, bool) else math.nan
        if not (low <= number if low_ok else low < number) or number > high:  # NaN: not a number, refused
            span = (
                f"{'[' if low_ok else '('}{low:g}, {high:g}]"
                if math.isfinite(high)
                else f"{'≥' if low_ok else '>'} {low:g}"
            )
            refuse(f"{where}: {key} must be a number {'in ' if math.isfinite(high) else ''}{span}, got {value!r}")
