"""Refuse a bad configuration or reward before any model is loaded.

A typo found at minute 40 of a training run costs an evening; found here it costs
a second. Every error names the configuration and the offending field or reward.
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib.util
import math
import numbers
import tempfile
from pathlib import Path

from trl import GRPOConfig

import rewards as reward_module
from experiments.files import unsafe_name
from experiments.registry.experiment import ARRIVALS, GUARD_NAMES, PRECISIONS, VERDICTS, Experiment
from experiments.training.models import EMBEDDED, TINY_GPT2
from experiments.training.relevance import JUDGED_REWARDS

ATTENTION_KERNELS = (None, "eager", "sdpa", "flex_attention", "flash_attention_2", "flash_attention_3")


class ConfigError(ValueError):
    """A configuration that would fail or mislead; the message names the field."""


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
# The weights' size bound: a reward lies in [0, 1], and one past a million makes TRL's sums and spreads overflow.
MAX_REWARD_WEIGHT = 1e6


def check_reward_names(entry: Experiment) -> None:
    """Every reward the entry names is known: a pure-Python one from rewards.py, or a judged one (relevance)."""
    known = {**reward_module.REWARDS, **JUDGED_REWARDS}
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
    if entry.expect not in VERDICTS:
        raise ConfigError(f"{where}: expect={entry.expect!r} is not one of {VERDICTS}")
    unknown_guards = [guard for guard in entry.caught_by if guard not in GUARD_NAMES]
    if unknown_guards:
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
    if (
        isinstance(entry.stop_level, bool)
        or not isinstance(entry.stop_level, numbers.Real)
        or not 0 < entry.stop_level <= 1
    ):
        raise ConfigError(f"{where}: stop_level must be a number in (0, 1], got {entry.stop_level!r}")
    if entry.precision not in PRECISIONS:
        raise ConfigError(f"{where}: precision must be one of {PRECISIONS}, got {entry.precision!r}")
    rank = entry.lora_rank
    if rank is not None and (isinstance(rank, bool) or not isinstance(rank, int) or rank <= 0):
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


def _check_grpo_fields(entry: Experiment, where: str) -> None:
    """Every GRPOConfig field named exists, and the ones a run depends on are in range."""
    for key, value in entry.grpo.items():
        if key not in GRPO_FIELDS:
            hint = difflib.get_close_matches(key, GRPO_FIELDS, n=1)
            suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
            raise ConfigError(f"{where}: unknown GRPOConfig field {key!r}{suggestion}")
        if key in SET_BY_THE_RUNNER:
            raise ConfigError(f"{where}: {key} is not an entry's to set: {SET_BY_THE_RUNNER[key]}")
        if isinstance(value, float) and not math.isfinite(value):
            raise ConfigError(f"{where}: {key} must be a finite number, got {value!r}")
    for key in GRPO_COUNTS:
        if key in entry.grpo:
            check_count(where, key, entry.grpo[key])
    for key in GRPO_OPTIONAL_COUNTS:
        if key in entry.grpo:
            check_count(where, key, entry.grpo[key], none_ok=True)
    for key, known in GRPO_CHOICES.items():
        if key in entry.grpo and entry.grpo[key] not in known:
            raise ConfigError(f"{where}: {key} must be one of {known}, got {entry.grpo[key]!r}")
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
            raise ConfigError(
                f"{where}: {key} must be a number {'in ' if math.isfinite(high) else ''}{span}, got {value!r}"
            )
    top_p = entry.grpo.get("top_p", 1.0)
    if isinstance(top_p, bool) or not isinstance(top_p, numbers.Real) or not 0 < float(top_p) <= 1:
        raise ConfigError(
            f"{where}: top_p must be a number in (0, 1] (the share of probability sampled), got {top_p!r}"
        )
    top_k = entry.grpo.get("top_k", 0)
    if top_k is not None and (isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 0):
        raise ConfigError(f"{where}: top_k must be a whole number ≥ 0 (0: no limit), got {top_k!r}")
    temperature = entry.grpo.get("temperature", 1.0)
    if isinstance(temperature, bool) or not isinstance(temperature, numbers.Real) or not float(temperature) > 0:
        raise ConfigError(f"{where}: temperature must be a number > 0, got {temperature!r}")
    learning_rate = entry.grpo.get("learning_rate", 1e-6)
    if not isinstance(learning_rate, numbers.Real) or not float(learning_rate) > 0:
        raise ConfigError(f"{where}: learning_rate must be > 0, got {learning_rate!r}")
    if float(learning_rate) > MAX_LEARNING_RATE:
        raise ConfigError(
            f"{where}: learning_rate must be at most {MAX_LEARNING_RATE} (Adam steps of that size destroy any model), got {learning_rate!r}"
        )
    beta = entry.grpo.get("beta", 0.0)
    if isinstance(beta, bool) or not isinstance(beta, numbers.Real) or float(beta) < 0:
        raise ConfigError(f"{where}: beta (the KL coefficient) must be a number ≥ 0, got {beta!r}")
    if float(beta) > MAX_BETA:
        raise ConfigError(
            f"{where}: beta (the KL coefficient) must be at most {MAX_BETA:g} (0.04-0.1 is usual; larger turns the loss "
            f"into inf and NaN), got {beta!r}"
        )
    length = entry.grpo.get("max_completion_length", 512)
    if isinstance(length, bool) or not isinstance(length, int) or length <= 0:
        raise ConfigError(f"{where}: max_completion_length must be a positive integer, got {length!r}")
    generations = entry.grpo.get("num_generations", 8)
    if isinstance(generations, bool) or not isinstance(generations, int):
        raise ConfigError(f"{where}: num_generations must be a whole number ≥ 2, got {generations!r}")
    if generations < 2:
        raise ConfigError(
            f"{where}: num_generations must be ≥ 2, got {entry.grpo['num_generations']}: "
            "GRPO's advantage compares completions within a group"
        )
