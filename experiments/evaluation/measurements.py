"""What a run measures, typed: the held-out measurements taken before and after training, and training's outcome.

These are the only things that cross from a run to its record and the report; renaming a
measure is a change here and in the two places that fill and read it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal


@dataclass
class Measurements:
    """One model on the held-out prompts. Share, distinct-2, repetition, real words and length are read on sampled
    answers; relevance, template, loops, frame, clean, content and vocabulary on the greedy ones. None: not measured when the row was written."""

    share: float = 0.0  # the objective (first reward) over sampled answers
    share_greedy: float | None = None
    ref_ppl: float = 0.0  # perplexity of prompts/reference.txt
    distinct2: float = 0.0
    repeat3: float = 0.0  # share of answers repeating a word 3-gram
    real_words: float = 0.0
    mean_words: float = 0.0
    relevance: float | None = None  # per-token PMI with the own question, judged by the base model
    template: float | None = None  # share opening with the commonest three words
    loops: float | None = None  # share of answers that loop
    frame: float | None = None  # share holding the commonest word 3-gram
    frame_phrase: str | None = None  # that 3-gram
    clean: float | None = None  # share of clean four-letter answers
    content: float | None = None  # share of words that are content four-letter words (greedy; not they, have, just)
    vocabulary: int | None = None  # distinct four-letter words across the greedy answers

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Measurements:
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{key: value for key, value in values.items() if key in known})


MEASURES = tuple(f.name for f in dataclasses.fields(Measurements))


# Why training ended: the behaviour arrived, the greedy probe looped, the policy collapsed, the probe stopped improving
# (an entry's patience), or the step cap.
StopReason = Literal["behaviour", "loops", "collapse", "patience", "step cap"]


@dataclass
class TrainingOutcome:
    """How training went: when it stopped and why, and summary figures of the logged steps. A run fills every field;
    None: not recorded when an older summary row was written."""

    wall_clock_s: float = 0.0
    time_to_behaviour_s: float | None = None
    stop_reason: StopReason | None = None
    steps_trained: int | None = None
    generation_steps: int | None = None
    final_train_reward: float | None = None
    mean_kl: float | None = None
    final_entropy: float | None = None
    mean_frac_reward_zero_std: float | None = None
    mean_step_time_s: float | None = None
    behaviour_step: int | None = None  # the first step the run's arrival rule held (training share or greedy probe)
    probe_s: float | None = None  # seconds spent reading the greedy probe, within wall_clock_s
    gradient_steps: int | None = None  # optimizer steps whose gradient norm was not 0 (None: not logged)
    kept_step: int | None = None  # keep="best": the step whose weights were evaluated (None: the last step's)
    probe_readings: list[dict[str, Any]] | None = None  # every greedy probe reading: step, share, loops, frame, clean

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> TrainingOutcome:
        """From a summary row's ``training`` object, or from the flat fields of a row written before it nested them."""
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{key: value for key, value in values.items() if key in known})

    @classmethod
    def of(
        cls,
        history: list[dict[str, Any]],
        wall_clock_s: float,
        time_to_behaviour_s: float | None,
        stop_reason: StopReason,
        behaviour_step: int | None = None,
        probe_s: float | None = None,
        kept_step: int | None = None,
        probe_readings: list[dict[str, Any]] | None = None,
    ) -> TrainingOutcome:
        """From the logged steps. Rewards are logged only on steps that generate; with ``num_iterations`` > 1 the steps
        that reuse a batch log loss, KL and step time but no reward, so steps and their times are counted from the loss
        rows and rewards from the reward rows."""
        optimizer_steps = [row for row in history if "loss" in row]
        generations = [row for row in history if "reward" in row]
        return cls(
            wall_clock_s=round(wall_clock_s, 1),
            time_to_behaviour_s=time_to_behaviour_s,
            stop_reason=stop_reason,
            steps_trained=len(optimizer_steps),
            generation_steps=len(generations),
            final_train_reward=generations[-1]["reward"] if generations else None,
            mean_kl=mean_of([row.get("kl") for row in optimizer_steps]),
            final_entropy=optimizer_steps[-1].get("entropy") if optimizer_steps else None,
            mean_frac_reward_zero_std=mean_of([row.get("frac_reward_zero_std") for row in generations]),
            mean_step_time_s=mean_of([row.get("step_time") for row in optimizer_steps]),
            behaviour_step=behaviour_step,
            probe_s=None if probe_s is None else round(probe_s, 1),
            gradient_steps=gradient_steps(optimizer_steps),
            kept_step=kept_step,
            probe_readings=probe_readings,
        )

    def not_trained(self) -> str | None:
        """Why this training changed nothing, or None: no step, or a gradient of 0 at every step (every group's
        completions scored alike, or rewards weighted to nothing), which leaves the weights as they were.

        >>> TrainingOutcome(steps_trained=0).not_trained(), TrainingOutcome(steps_trained=3, gradient_steps=2).not_trained()
        ('it trained 0 steps', None)
        >>> TrainingOutcome(steps_trained=3, gradient_steps=0, mean_frac_reward_zero_std=1.0).not_trained()
        "the gradient was 0 at all 3 steps (every group's completions scored alike at every step)"
        """
        if not self.steps_trained:
            return "it trained 0 steps"
        if self.gradient_steps == 0:
            alike = (
                " (every group's completions scored alike at every step)" if self.mean_frac_reward_zero_std == 1 else ""
            )
            return f"the gradient was 0 at all {self.steps_trained} steps{alike}"
        return None


def gradient_steps(optimizer_steps: list[dict[str, Any]]) -> int | None:
    """How many logged optimizer steps had a gradient norm other than 0; None where none logged one.

    >>> gradient_steps([{"grad_norm": 0.0}, {"grad_norm": 2.5}]), gradient_steps([{"loss": 0.0}])
    (1, None)
    """
    norms = [row["grad_norm"] for row in optimizer_steps if isinstance(row.get("grad_norm"), (int, float))]
    return sum(norm != 0 for norm in norms) if norms else None


def mean_of(values: Iterable[Any]) -> float | None:
    """The mean of the numbers among ``values`` (a judged objective leaves some unscored: None), or None if there are none.

    >>> mean_of([1.0, None, 2.0]), mean_of([None])
    (1.5, None)
    """
    present = [v for v in values if isinstance(v, (int, float))]
    return sum(present) / len(present) if present else None
