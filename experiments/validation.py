"""Refuse a bad configuration or reward before any model is loaded.

A typo found at minute 40 of a training run costs an evening; found here it costs
a second. Every error names the configuration and the offending field or reward.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import numbers
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from trl import GRPOConfig

import rewards as reward_module
from experiments.configs import VERDICTS, Experiment


ATTENTION_KERNELS = (None, "eager", "sdpa", "flex_attention", "flash_attention_2", "flash_attention_3")


class ConfigError(ValueError):
    """A configuration that would fail or mislead; the message names the field."""


class RewardError(ValueError):
    """A reward function that misbehaves on sample completions; the message names it."""


GRPO_FIELDS = frozenset(f.name for f in dataclasses.fields(GRPOConfig))

SAMPLE_COMPLETIONS: list[Any] = [
    "Cows sing moos.",
    "",
    "   ",
    "The ox sings a long, low song about grass and rain!",
    "12345 --- ???",
    [{"role": "assistant", "content": "Frogs hop here."}],
]


def reward_functions(config: Experiment) -> list[Callable[..., list[float]]]:
    """The configuration's rewards, looked up by name."""
    found = []
    for name in config.rewards:
        if name not in reward_module.REWARDS:
            hint = difflib.get_close_matches(name, reward_module.REWARDS, n=1)
            suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
            raise ConfigError(
                f"{config.name}: unknown reward {name!r}{suggestion} Known rewards: {', '.join(sorted(reward_module.REWARDS))}"
            )
        found.append(reward_module.REWARDS[name])
    return found


def validate_experiment(config: Experiment, output_dir: str | Path | None = None) -> GRPOConfig:
    """The GRPOConfig this experiment would train with, or a ConfigError saying what is wrong."""
    where = config.name
    if config.expect not in VERDICTS:
        raise ConfigError(f"{where}: expect={config.expect!r} is not one of {VERDICTS}")
    if not isinstance(config.steps, int) or config.steps <= 0:
        raise ConfigError(f"{where}: steps must be a positive integer, got {config.steps!r}")
    fraction = config.frozen_fraction
    if fraction is not None and (isinstance(fraction, bool) or not isinstance(fraction, numbers.Real) or not 0 <= fraction < 1):
        raise ConfigError(f"{where}: frozen_fraction must be None or a number in [0, 1), got {fraction!r}")
    if config.system_prompt is not None and not isinstance(config.system_prompt, str):
        raise ConfigError(f"{where}: system_prompt must be None or a string, got {config.system_prompt!r}")
    if config.attn_implementation not in ATTENTION_KERNELS:
        raise ConfigError(f"{where}: attn_implementation must be one of {ATTENTION_KERNELS}, got {config.attn_implementation!r}")
    if not config.rewards:
        raise ConfigError(f"{where}: rewards is empty; name at least one reward from rewards.py")
    reward_functions(config)
    if config.reward_weights is not None and len(config.reward_weights) != len(config.rewards):
        raise ConfigError(
            f"{where}: reward_weights has {len(config.reward_weights)} entries but rewards has "
            f"{len(config.rewards)} ({', '.join(config.rewards)})"
        )
    for key in config.grpo:
        if key not in GRPO_FIELDS:
            hint = difflib.get_close_matches(key, GRPO_FIELDS, n=1)
            suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
            raise ConfigError(f"{where}: unknown GRPOConfig field {key!r}{suggestion}")
    learning_rate = config.grpo.get("learning_rate", 1e-6)
    if not isinstance(learning_rate, numbers.Real) or not learning_rate > 0:
        raise ConfigError(f"{where}: learning_rate must be > 0, got {learning_rate!r}")
    if config.grpo.get("num_generations", 8) < 2:
        raise ConfigError(
            f"{where}: num_generations must be ≥ 2, got {config.grpo['num_generations']}: "
            "GRPO's advantage compares completions within a group"
        )
    arguments = config.grpo_arguments()
    if config.reward_weights is not None:
        arguments["reward_weights"] = list(config.reward_weights)
    try:
        return GRPOConfig(output_dir=str(output_dir or tempfile.gettempdir()), **arguments)
    except (ValueError, TypeError) as error:
        raise ConfigError(f"{where}: GRPOConfig rejects these settings: {error}") from error


def check_rewards(functions: Sequence[Callable[..., list[float]]], prompts: Sequence[Any] | None = None) -> None:
    """Call each reward on sample completions and refuse any wrong length, non-number, NaN, infinity or exception."""
    completions = SAMPLE_COMPLETIONS
    prompts = list(prompts or ["What does the ox sing?"]) * len(completions)
    prompts = prompts[: len(completions)]
    for function in functions:
        name = getattr(function, "__name__", repr(function))
        try:
            scores = function(prompts=prompts, completions=completions)
        except Exception as error:  # noqa: BLE001 - any failure must be reported with the reward's name
            raise RewardError(f"reward {name} raised {type(error).__name__}: {error}") from error
        if not isinstance(scores, (list, tuple)) or len(scores) != len(completions):
            length = len(scores) if hasattr(scores, "__len__") else "no length"
            raise RewardError(
                f"reward {name} returned {type(scores).__name__} of length {length} for {len(completions)} completions"
            )
        for completion, score in zip(completions, scores):
            if isinstance(score, bool) or not isinstance(score, numbers.Real):
                raise RewardError(f"reward {name} returned a non-number {score!r} for completion {completion!r}")
            if not math.isfinite(score):
                raise RewardError(f"reward {name} returned {score!r} for completion {completion!r}")
