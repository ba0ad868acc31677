"""Refuse a bad configuration or reward before any model is loaded.

A typo found at minute 40 of a training run costs an evening; found here it costs
a second. Every error names the configuration and the offending field or reward.
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import importlib.util
import math
import numbers
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from transformers import TrainerState
from trl import GRPOConfig

import rewards as reward_module
from experiments.registry.experiment import ARRIVALS, PRECISIONS, VERDICTS, Experiment
from experiments.files import unsafe_name
from experiments.models import EMBEDDED, TINY_GPT2
from experiments.relevance import EchoFreeRelevance, RelevanceReward


ATTENTION_KERNELS = (None, "eager", "sdpa", "flex_attention", "flash_attention_2", "flash_attention_3")


class ConfigError(ValueError):
    """A configuration that would fail or mislead; the message names the field."""


class RewardError(ValueError):
    """A reward function that misbehaves on sample completions; the message names it."""


GRPO_FIELDS = frozenset(f.name for f in dataclasses.fields(GRPOConfig))

SLOW_REWARD_S = 0.010

SAMPLE_COMPLETIONS: list[Any] = [
    "Cows sing moos.",
    "",
    "   ",
    "The ox sings a long, low song about grass and rain!",
    "12345 --- ???",
    [{"role": "assistant", "content": "Frogs hop here."}],
]


# Rewards judged by a model, built per run: the runner hands them the frozen base model.
JUDGED_REWARDS: dict[str, Callable[[], Callable[..., list[float]]]] = {
    "relevance": RelevanceReward, "relevance_no_echo": EchoFreeRelevance,
}


def reward_functions(config: Experiment) -> list[Callable[..., list[float]]]:
    """The configuration's rewards, looked up by name: pure-Python ones from rewards.py, judged ones built fresh."""
    known = {**reward_module.REWARDS, **JUDGED_REWARDS}
    found = []
    for name in config.rewards:
        if name not in known:
            hint = difflib.get_close_matches(name, known, n=1)
            suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
            raise ConfigError(f"{config.name}: unknown reward {name!r}{suggestion} Known rewards: {', '.join(sorted(known))}")
        found.append(JUDGED_REWARDS[name]() if name in JUDGED_REWARDS else reward_module.REWARDS[name])
    return found


def check_name(name: object, role: str = "run") -> str:
    """``name``, or a ConfigError: every run, exploration and entry name becomes a folder, so it must be only a name."""
    if (reason := unsafe_name(name)) is not None:
        raise ConfigError(f"{role} {reason}")
    return str(name)


SEED_LIMIT = 2**32  # numpy's and torch's seeding take 0 ≤ seed < 2**32


def check_count(where: str, field: str, value: object, low: int = 1, high: int | None = None, none_ok: bool = False) -> None:
    """Refuse a count that is not a whole number in [low, high) (None allowed where ``none_ok``)."""
    if value is None and none_ok:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value >= high):
        span = f"≥ {low}" if high is None else f"in [{low}, {high})"
        raise ConfigError(f"{where}: {field} must be a whole number {span}{' or None' if none_ok else ''}, got {value!r}")


TRACKERS = ("none", "tensorboard", "trackio")
MAX_STEPS = 10_000
MAX_LEARNING_RATE = 1.0


def check_prompt_count(config: Experiment, prompts: int, arguments: GRPOConfig, processes: int = 1) -> None:
    """Refuse a prompt file too short for one step: TRL would train 0 steps, recorded as "no change"."""
    per_step = arguments.generation_batch_size * processes // arguments.num_generations
    if prompts < per_step:
        raise ConfigError(
            f"{config.train_prompts}: {prompts} distinct prompt{'s' if prompts != 1 else ''}, but {config.name} takes "
            f"{per_step} prompts a step ({arguments.generation_batch_size * processes} completions ÷ num_generations "
            f"{arguments.num_generations}); add prompts or lower per_device_train_batch_size"
        )


def validate_experiment(config: Experiment, output_dir: str | Path | None = None, bf16: bool = False, tracker: str = "none") -> GRPOConfig:
    """The GRPOConfig this experiment would train with, or a ConfigError saying what is wrong.

    ``tracker`` logs the run to a local tracker too (TRL's ``report_to``); it changes nothing that is trained.
    """
    where = check_name(config.name)
    check_count(where, "seed", config.seed, 0, SEED_LIMIT), check_count(where, "eval_prompts", config.eval_prompts, none_ok=True)
    check_count(where, "eval_samples", config.eval_samples), check_count(where, "eval_max_new_tokens", config.eval_max_new_tokens)
    if config.expect not in VERDICTS:
        raise ConfigError(f"{where}: expect={config.expect!r} is not one of {VERDICTS}")
    if isinstance(config.steps, bool) or not isinstance(config.steps, int) or config.steps <= 0:
        raise ConfigError(f"{where}: steps must be a positive integer, got {config.steps!r}")
    if config.steps > MAX_STEPS:
        raise ConfigError(f"{where}: steps must be at most {MAX_STEPS} (a CPU step takes 10-60 s), got {config.steps}")
    if not isinstance(config.model, str) or not config.model.strip():
        raise ConfigError(f"{where}: model is empty; name a model ({EMBEDDED!r}, {TINY_GPT2!r}, a hub id or a saved folder)")
    fraction = config.frozen_fraction
    if fraction is not None and (isinstance(fraction, bool) or not isinstance(fraction, numbers.Real) or not 0 <= fraction < 1):
        raise ConfigError(f"{where}: frozen_fraction must be None or a number in [0, 1), got {fraction!r}")
    if config.system_prompt is not None and not isinstance(config.system_prompt, str):
        raise ConfigError(f"{where}: system_prompt must be None or a string, got {config.system_prompt!r}")
    if config.arrival not in ARRIVALS:
        raise ConfigError(f"{where}: arrival must be one of {ARRIVALS}, got {config.arrival!r}")
    if isinstance(config.probe_every, bool) or not isinstance(config.probe_every, int) or config.probe_every < 0:
        raise ConfigError(f"{where}: probe_every must be an integer ≥ 0 (0: no greedy probe), got {config.probe_every!r}")
    if config.arrival == "probe" and config.probe_every == 0:
        raise ConfigError(f"{where}: arrival 'probe' reads the greedy probe, but probe_every is 0")
    if isinstance(config.stop_level, bool) or not isinstance(config.stop_level, numbers.Real) or not 0 < config.stop_level <= 1:
        raise ConfigError(f"{where}: stop_level must be a number in (0, 1], got {config.stop_level!r}")
    if config.precision not in PRECISIONS:
        raise ConfigError(f"{where}: precision must be one of {PRECISIONS}, got {config.precision!r}")
    rank = config.lora_rank
    if rank is not None and (isinstance(rank, bool) or not isinstance(rank, int) or rank <= 0):
        raise ConfigError(f"{where}: lora_rank must be None or a positive integer, got {rank!r}")
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
    for position, weight in enumerate(config.reward_weights or ()):
        if isinstance(weight, bool) or not isinstance(weight, numbers.Real) or not math.isfinite(weight):
            raise ConfigError(f"{where}: reward_weights[{position}] ({config.rewards[position]}) must be a finite number, got {weight!r}")
    for key, value in config.grpo.items():
        if key not in GRPO_FIELDS:
            hint = difflib.get_close_matches(key, GRPO_FIELDS, n=1)
            suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
            raise ConfigError(f"{where}: unknown GRPOConfig field {key!r}{suggestion}")
        if isinstance(value, float) and not math.isfinite(value):
            raise ConfigError(f"{where}: {key} must be a finite number, got {value!r}")
    temperature = config.grpo.get("temperature", 1.0)
    if isinstance(temperature, bool) or not isinstance(temperature, numbers.Real) or not temperature > 0:
        raise ConfigError(f"{where}: temperature must be a number > 0, got {temperature!r}")
    learning_rate = config.grpo.get("learning_rate", 1e-6)
    if not isinstance(learning_rate, numbers.Real) or not learning_rate > 0:
        raise ConfigError(f"{where}: learning_rate must be > 0, got {learning_rate!r}")
    if learning_rate > MAX_LEARNING_RATE:
        raise ConfigError(f"{where}: learning_rate must be at most {MAX_LEARNING_RATE} (Adam steps of that size destroy any model), got {learning_rate!r}")
    beta = config.grpo.get("beta", 0.0)
    if isinstance(beta, bool) or not isinstance(beta, numbers.Real) or beta < 0:
        raise ConfigError(f"{where}: beta (the KL coefficient) must be a number ≥ 0, got {beta!r}")
    length = config.grpo.get("max_completion_length", 512)
    if isinstance(length, bool) or not isinstance(length, int) or length <= 0:
        raise ConfigError(f"{where}: max_completion_length must be a positive integer, got {length!r}")
    if config.grpo.get("num_generations", 8) < 2:
        raise ConfigError(
            f"{where}: num_generations must be ≥ 2, got {config.grpo['num_generations']}: "
            "GRPO's advantage compares completions within a group"
        )
    if tracker not in TRACKERS:
        raise ConfigError(f"{where}: tracker must be one of {TRACKERS}, got {tracker!r}")
    if tracker != "none" and importlib.util.find_spec(tracker) is None:
        raise ConfigError(f"{where}: tracker {tracker!r} is not installed: pip install {tracker} (or pip install -e '.[tracker]')")
    arguments = {**config.grpo_arguments(bf16), "report_to": tracker}
    if config.reward_weights is not None:
        arguments["reward_weights"] = list(config.reward_weights)
    try:
        return GRPOConfig(output_dir=str(output_dir or tempfile.gettempdir()), **arguments)
    except (ValueError, TypeError) as error:
        raise ConfigError(f"{where}: GRPOConfig rejects these settings: {error}") from error


def dry_call_arguments(prompts: Sequence[Any] | None = None) -> dict[str, Any]:
    """A fresh set of the keyword arguments TRL's GRPOTrainer passes to a reward, on sample completions.

    Fresh each call, so a reward that mutates its input cannot change what the next reward is checked on.
    """
    completions = copy.deepcopy(SAMPLE_COMPLETIONS)
    chosen = list(prompts or ["What does the ox sing?"])
    return {
        "prompts": [chosen[i % len(chosen)] for i in range(len(completions))],
        "completions": completions,
        "completion_ids": [[1, 2, 3] for _ in completions],
        "trainer_state": TrainerState(),
        "log_extra": lambda *args, **kwargs: None,
        "log_metric": lambda *args, **kwargs: None,
    }


def check_rewards(functions: Sequence[Callable[..., list[float]]], prompts: Sequence[Any] | None = None) -> None:
    """Call each reward as TRL will and refuse a wrong length, a non-number, NaN, infinity, overflow or an exception.

    ``None`` is accepted from the judged rewards alone (relevance: no score where a batch holds one question), which
    TRL leaves out of the sum; from any other reward it is refused, as it is at every training step (IsolatedReward).
    A reward slower than ``SLOW_REWARD_S`` per completion is accepted with a warning: it is paid at every step.
    """
    for function in functions:
        name = getattr(function, "__name__", repr(function))
        arguments = dry_call_arguments(prompts)
        started = time.perf_counter()
        try:
            scores = function(**arguments)
        except TypeError as error:
            if "unexpected keyword argument" in str(error):
                raise RewardError(
                    f"reward {name} does not accept TRL's keyword arguments ({error}); "
                    "declare it as (prompts, completions, **kwargs)"
                ) from error
            raise RewardError(f"reward {name} raised TypeError: {error}") from error
        except (Exception, SystemExit) as error:  # noqa: BLE001 - any failure must be reported with the reward's name
            raise RewardError(f"reward {name} raised {type(error).__name__}: {error}") from error
        per_completion_s = (time.perf_counter() - started) / len(SAMPLE_COMPLETIONS)
        if per_completion_s > SLOW_REWARD_S:
            warnings.warn(
                f"reward {name} takes {per_completion_s * 1000:.0f} ms per completion; at 16 completions a step it adds "
                f"{16 * per_completion_s:.1f} s to every step",
                stacklevel=2,
            )
        _check_scores(name, scores, SAMPLE_COMPLETIONS, none_ok=isinstance(function, RelevanceReward))


# Passed through uncopied: the trainer's state and its logging callbacks are not data a reward could spoil.
SHARED_KWARGS = frozenset({"trainer_state", "log_extra", "log_metric"})


class IsolatedReward:
    """A reward called with its own copy of TRL's inputs, and its scores checked, at every training step.

    TRL hands every reward the same lists: one that edits them would change what the
    next reward scores, and what is recorded. A reward that raises, exits the process, or
    returns a wrong length, a non-number, NaN, ±inf or (unless judged) None, at any step,
    ends the run with a RewardError naming it, the step and the value: nothing is recorded.
    """

    def __init__(self, function: Callable[..., list[float]]):
        self.function = function
        self.__name__ = getattr(function, "__name__", repr(function))
        self.none_ok = isinstance(function, RelevanceReward)  # a judged reward gives None where it cannot judge

    def __call__(self, prompts: Any = None, completions: Any = None, **kwargs: Any) -> list[float]:
        state = kwargs.get("trainer_state")
        at = f" at step {state.global_step + 1}" if isinstance(getattr(state, "global_step", None), int) else ""
        safe = {key: value if key in SHARED_KWARGS else copy.deepcopy(value) for key, value in kwargs.items()}
        try:
            scores = self.function(prompts=copy.deepcopy(prompts), completions=copy.deepcopy(completions), **safe)
        except SystemExit as error:
            raise RewardError(f"reward {self.__name__} tried to end the process (SystemExit {error.code!r}) during training{at}") from None
        except Exception as error:  # noqa: BLE001 - any failure ends the run in one line naming the reward and step
            raise RewardError(f"reward {self.__name__} raised {type(error).__name__}{at}: {error}") from None
        _check_scores(self.__name__, scores, completions if completions is not None else [], at, self.none_ok)
        return scores


def _check_scores(name: str, scores: Any, completions: Sequence[Any], at: str = "", none_ok: bool = False) -> None:
    if not isinstance(scores, (list, tuple)):
        length = f" of length {len(scores)}" if hasattr(scores, "__len__") else ""
        raise RewardError(
            f"reward {name} returned a {type(scores).__module__}.{type(scores).__name__}{length}{at}, not a list; "
            "return one float per completion as a list, e.g. scores.tolist()"
        )
    if len(scores) != len(completions):
        raise RewardError(f"reward {name} returned {type(scores).__name__} of length {len(scores)} for {len(completions)} completions{at}")
    for completion, score in zip(completions, scores):
        shown = repr(completion)[:80]
        if score is None and not none_ok:
            raise RewardError(f"reward {name} returned None{at} for completion {shown}; only judged rewards may leave one unscored")
        if score is None:
            continue
        if isinstance(score, bool) or not isinstance(score, numbers.Real):
            raise RewardError(f"reward {name} returned a non-number {score!r}{at} for completion {shown}")
        try:
            finite = math.isfinite(score)
        except OverflowError:
            raise RewardError(f"reward {name} returned an integer too large for a float{at} for completion {shown}") from None
        if not finite:
            raise RewardError(f"reward {name} returned {score!r}{at} for completion {shown}")
