"""Refuse a bad configuration or reward before any model is loaded.

A typo found at minute 40 of a training run costs an evening; found here it costs
a second. Every error names the configuration and the offending field or reward.
"""

from __future__ import annotations

import difflib
import importlib.util
import math
import numbers
import tempfile
from pathlib import Path
from typing import NoReturn

from trl import GRPOConfig

import rewards as reward_module
from experiments.cli import ConfigError
from experiments.evaluation.models import EMBEDDED, TINY_GPT2
from experiments.evaluation.relevance import JUDGED_REWARDS
from experiments.files import unsafe_name
from experiments.registry.experiment import ARRIVALS, GUARD_NAMES, PRECISIONS, VERDICTS, Experiment
from experiments.training.greedy_members import check_reader_fields
from experiments.training.grpo_fields import check_grpo_fields

ATTENTION_KERNELS = (None, "eager", "sdpa", "flex_attention", "flash_attention_2", "flash_attention_3")


# The weights' size bound: a reward lies in [0, 1], and one past a million makes TRL's sums and spreads overflow.
MAX_REWARD_WEIGHT = 1e6


def check_reward_names(entry: Experiment) -> None:
    """Every reward the entry names is known: a pure-Python one from rewards.py (with or without memory), or a judged
    one (relevance)."""
    known = {**reward_module.REWARDS, **reward_module.STATEFUL_REWARDS, **JUDGED_REWARDS}
    for name in entry.rewards:
        if name not in known:
            hint = difflib.get_close_matches(name, known, n=1)
            suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
            raise ConfigError(
                f"{entry.name}: unknown reward {name!r}{suggestion} Known rewards: {', '.join(sorted(known))}"
            )


def check_name(name: object, role: str = "run") -> str:
    """``name``, or a ConfigError: every run, exploration and entry name becomes a folder, so it must be only a name."""
    if (reason := unsafe_name(name)) is not None:
        raise ConfigError(f"{role} {reason}")
    return str(name)


SEED_LIMIT = 2**32  # numpy's and torch's seeding take 0 ≤ seed < 2**32


def check_count(
    where: str, field: str, value: object, low: int = 1, high: int | None = None, none_ok: bool = False
) -> None:
    """Refuse a count that is not a whole number in [low, high) (None allowed where ``none_ok``)."""
    if value is None and none_ok:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value >= high):
        span = f"≥ {low}" if high is None else f"in [{low}, {high})"
        raise ConfigError(
            f"{where}: {field} must be a whole number {span}{' or None' if none_ok else ''}, got {value!r}"
        )


TRACKERS = ("none", "tensorboard", "trackio")
MAX_STEPS = 10_000
MAX_LEARNING_RATE = 1.0


def check_prompt_count(entry: Experiment, prompts: int, grpo_config: GRPOConfig, processes: int = 1) -> None:
    """Refuse a prompt file too short for one step: TRL would train 0 steps, recorded as "no change"."""
    completions = (grpo_config.generation_batch_size or 0) * processes  # set by GRPOConfig from the batch size
    per_step = completions // (grpo_config.num_generations or 1)
    if prompts < per_step:
        raise ConfigError(
            f"{entry.train_prompts}: {prompts} distinct prompt{'s' if prompts != 1 else ''}, but {entry.name} takes "
            f"{per_step} prompts a step ({completions} completions ÷ num_generations "
            f"{grpo_config.num_generations}); add prompts or lower per_device_train_batch_size"
        )


def validate_experiment(
    entry: Experiment, output_dir: str | Path | None = None, bf16: bool = False, tracker: str = "none"
) -> GRPOConfig:
    """The GRPOConfig this experiment would train with, or a ConfigError saying what is wrong.

    ``tracker`` logs the run to a local tracker too (TRL's ``report_to``); it changes nothing that is trained.
    """
    where = check_name(entry.name)
    _check_entry_fields(entry, where)
    _check_reward_fields(entry, where)
    _check_grpo_fields(entry, where)
    if tracker not in TRACKERS:
        raise ConfigError(f"{where}: tracker must be one of {TRACKERS}, got {tracker!r}")
    if tracker != "none" and importlib.util.find_spec(tracker) is None:
        raise ConfigError(
            f"{where}: tracker {tracker!r} is not installed: pip install {tracker} (or pip install -e '.[tracker]')"
        )
    arguments = {**entry.grpo_arguments(bf16), "report_to": tracker}
    if entry.reward_weights is not None:
        arguments["reward_weights"] = list(entry.reward_weights)
    try:
        return GRPOConfig(output_dir=str(output_dir or tempfile.gettempdir()), **arguments)
    except (ValueError, TypeError) as error:
        raise ConfigError(f"{where}: GRPOConfig rejects these settings: {error}") from error


def _check_entry_fields(entry: Experiment, where: str) -> None:
    """The entry's own fields: counts, expectation, model, freezing, arrival and probe, precision, LoRA, attention."""
    check_count(where, "seed", entry.seed, 0, SEED_LIMIT)
    check_count(where, "eval_prompts", entry.eval_prompts, none_ok=True)
    if entry.eval_prompts == 1:
        raise ConfigError(
            f"{where}: eval_prompts is 1, but relevance compares each held-out answer with the other questions: at least 2"
        )
    check_count(where, "eval_samples", entry.eval_samples)
    check_count(where, "eval_max_new_tokens", entry.eval_max_new_tokens)
    if entry.eval_max_new_tokens < (judged := 9):  # the longest pattern a guard reads: a loop of 3 words, 3 times
        raise ConfigError(
            f"{where}: eval_max_new_tokens is {entry.eval_max_new_tokens}, too few to judge an answer: the guards read "
            f"loops (a three-word phrase three times), frames and relevance in answers of at least {judged} tokens"
        )
    if entry.expect not in VERDICTS:
        raise ConfigError(f"{where}: expect={entry.expect!r} is not one of {VERDICTS}")
    if unknown_guards := [guard for guard in entry.caught_by if guard not in GUARD_NAMES]:
        raise ConfigError(f"{where}: caught_by names {unknown_guards}, not guards; the guards are {GUARD_NAMES}")
    if isinstance(entry.steps, bool) or not isinstance(entry.steps, int) or entry.steps <= 0:
        raise ConfigError(f"{where}: steps must be a positive integer, got {entry.steps!r}")
    if entry.steps > MAX_STEPS:
        raise ConfigError(f"{where}: steps must be at most {MAX_STEPS} (a CPU step takes 10-60 s), got {entry.steps}")
    if not isinstance(entry.model, str) or not entry.model.strip():
        raise ConfigError(
            f"{where}: model is empty; name a model ({EMBEDDED!r}, {TINY_GPT2!r}, a hub id or a saved folder)"
        )
    fraction = entry.frozen_fraction
    if fraction is not None and (
        isinstance(fraction, bool) or not isinstance(fraction, numbers.Real) or not 0 <= fraction < 1
    ):
        raise ConfigError(f"{where}: frozen_fraction must be None or a number in [0, 1), got {fraction!r}")
    if entry.system_prompt is not None and not isinstance(entry.system_prompt, str):
        raise ConfigError(f"{where}: system_prompt must be None or a string, got {entry.system_prompt!r}")
    if entry.arrival not in ARRIVALS:
        raise ConfigError(f"{where}: arrival must be one of {ARRIVALS}, got {entry.arrival!r}")
    if isinstance(entry.probe_every, bool) or not isinstance(entry.probe_every, int) or entry.probe_every < 0:
        raise ConfigError(
            f"{where}: probe_every must be an integer ≥ 0 (0: no greedy probe), got {entry.probe_every!r}"
        )
    if entry.arrival == "probe" and entry.probe_every == 0:
        raise ConfigError(f"{where}: arrival 'probe' reads the greedy probe, but probe_every is 0")
    if isinstance(level := entry.stop_level, bool) or not isinstance(level, numbers.Real) or not 0 < level <= 1:
        raise ConfigError(f"{where}: stop_level must be a number in (0, 1], got {entry.stop_level!r}")
    if entry.precision not in PRECISIONS:
        raise ConfigError(f"{where}: precision must be one of {PRECISIONS}, got {entry.precision!r}")
    if (rank := entry.lora_rank) is not None and (isinstance(rank, bool) or not isinstance(rank, int) or rank <= 0):
        raise ConfigError(f"{where}: lora_rank must be None or a positive integer, got {rank!r}")
    if rank is not None and entry.frozen_fraction is not None:
        raise ConfigError(
            f"{where}: lora_rank and frozen_fraction contradict each other: LoRA freezes every weight and trains adapters "
            "in every block; choose one"
        )
    if entry.attn_implementation not in ATTENTION_KERNELS:
        raise ConfigError(
            f"{where}: attn_implementation must be one of {ATTENTION_KERNELS}, got {entry.attn_implementation!r}"
        )
    _check_attention_kernel(entry, where)
    check_reader_fields(entry, where, _refuse)


# Kernels that need a package and a CUDA GPU: (the package transformers imports, how to install it).
FLASH_KERNELS = {"flash_attention_2": "flash_attn", "flash_attention_3": "flash_attn_interface"}


def _check_attention_kernel(entry: Experiment, where: str) -> None:
    """A flash-attention kernel needs its package and a CUDA GPU: refused here, not at the model's load."""
    package = FLASH_KERNELS.get(str(entry.attn_implementation))
    if package is None:
        return
    if not entry.on_gpu:
        raise ConfigError(
            f"{where}: attn_implementation {entry.attn_implementation!r} runs on a CUDA GPU only, and this entry trains on "
            "the CPU (use_cpu); use 'sdpa' or 'eager'"
        )
    if importlib.util.find_spec(package) is None:
        raise ConfigError(
            f"{where}: attn_implementation {entry.attn_implementation!r} needs the package {package}, which is not "
            "installed; use 'sdpa' or 'eager', or install it"
        )


def _check_reward_fields(entry: Experiment, where: str) -> None:
    """Every reward named is known, and its weights are as many finite numbers."""
    if not entry.rewards:
        raise ConfigError(f"{where}: rewards is empty; name at least one reward from rewards.py")
    check_reward_names(entry)
    if entry.reward_weights is not None and len(entry.reward_weights) != len(entry.rewards):
        raise ConfigError(
            f"{where}: reward_weights has {len(entry.reward_weights)} entries but rewards has "
            f"{len(entry.rewards)} ({', '.join(entry.rewards)})"
        )
    for position, weight in enumerate(entry.reward_weights or ()):
        if isinstance(weight, bool) or not isinstance(weight, numbers.Real) or not math.isfinite(weight):
            raise ConfigError(
                f"{where}: reward_weights[{position}] ({entry.rewards[position]}) must be a finite number, got {weight!r}"
            )
        if abs(weight) > MAX_REWARD_WEIGHT:
            raise ConfigError(
                f"{where}: reward_weights[{position}] ({entry.rewards[position]}) is {weight!r}; at most "
                f"{MAX_REWARD_WEIGHT:g} in size (rewards lie in [0, 1]; larger sums overflow and the gradient is 0)"
            )
    if entry.reward_weights is not None and not any(entry.reward_weights):
        raise ConfigError(
            f"{where}: reward_weights are all 0 ({', '.join(map(str, entry.reward_weights))}): every advantage is 0 and "
            "nothing trains; give the objective a weight"
        )


def _refuse(message: str) -> NoReturn:
    raise ConfigError(message)


def _check_grpo_fields(entry: Experiment, where: str) -> None:
    """Every GRPOConfig field named exists, and the ones a run depends on are in range (training/grpo_fields.py)."""
    check_grpo_fields(entry, where, _refuse, MAX_LEARNING_RATE)
