"""Rewards checked by calling them: once on sample completions before any model loads, and at every training step.

A reward is called as TRL calls it; a wrong length, a non-number, NaN, infinity, an exception or an exit is refused
with the reward's name (and the step), before it can spoil a run or what is recorded.
"""

from __future__ import annotations

import copy
import math
import numbers
import time
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from transformers import TrainerState

from experiments.cli import RewardError
from experiments.evaluation.relevance import RelevanceReward

# Rewards here lie in [0, 1]; any reward past a million turns TRL's weighted sums and group statistics into inf.
MAX_REWARD = 1e6


SLOW_REWARD_S = 0.010

SAMPLE_COMPLETIONS: list[Any] = [
    "Cows sing moos.",
    "",
    "   ",
    "The ox sings a long, low song about grass and rain!",
    "12345 --- ???",
    [{"role": "assistant", "content": "Frogs hop here."}],
]


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
    A reward slower than ``SLOW_REWARD_S`` per completion, on a second call where the first was slow (a first call may
    load data once), is accepted with a warning: it is paid at every step.
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
        if per_completion_s > SLOW_REWARD_S:  # timed again: a first call may pay a one-off load (wordfreq's tables)
            started = time.perf_counter()
            function(**dry_call_arguments(prompts))
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
        step = getattr(kwargs.get("trainer_state"), "global_step", None)
        at = f" at step {step + 1}" if isinstance(step, int) else ""
        safe = {key: value if key in SHARED_KWARGS else copy.deepcopy(value) for key, value in kwargs.items()}
        try:
            scores = self.function(prompts=copy.deepcopy(prompts), completions=copy.deepcopy(completions), **safe)
        except SystemExit as error:
            raise RewardError(
                f"reward {self.__name__} tried to end the process (SystemExit {error.code!r}) during training{at}"
            ) from None
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
        raise RewardError(
            f"reward {name} returned {type(scores).__name__} of length {len(scores)} for {len(completions)} completions{at}"
        )
    for completion, score in zip(completions, scores):
        shown = repr(completion)[:80]
        if score is None and not none_ok:
            raise RewardError(
                f"reward {name} returned None{at} for completion {shown}; only judged rewards may leave one unscored"
            )
        if score is None:
            continue
        if isinstance(score, bool) or not isinstance(score, numbers.Real):
            raise RewardError(f"reward {name} returned a non-number {score!r}{at} for completion {shown}")
        try:
            finite = math.isfinite(score)
        except OverflowError:
            raise RewardError(
                f"reward {name} returned an integer too large for a float{at} for completion {shown}"
            ) from None
        if not finite:
            raise RewardError(f"reward {name} returned {score!r}{at} for completion {shown}")
        if abs(float(score)) > MAX_REWARD:
            raise RewardError(
                f"reward {name} returned {score!r}{at} for completion {shown}: beyond ±{MAX_REWARD:g}, the weighted "
                "sums and the group's spread overflow; scale it down"
            )
