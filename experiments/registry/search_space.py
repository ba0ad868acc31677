"""The tuner's search space, declared as data beside the entries: each lever, its range, why it is worth turning, and
where that comes from (``python -m experiments.tune``; narrow or widen one with ``--lever NAME=LOW:HIGH``).

A lever's value becomes an ordinary override of the base entry through ``variant``, as an exploration's flags do, so
a trial's run is a run like any other, and its row says what it changed (``differences()``). The reward weights are
levers too, one per reward of the base entry, and 0 is in their range: the search also chooses which rewards train.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

from trl import GRPOConfig

from experiments.registry.experiment import Experiment, variant

LeverKind = Literal["float", "log", "int", "categorical"]
KINDS: tuple[LeverKind, ...] = ("float", "log", "int", "categorical")
GRPO_DEFAULTS: dict[str, Any] = {f.name: f.default for f in dataclasses.fields(GRPOConfig)}
EXPERIMENT_FIELDS = frozenset(f.name for f in dataclasses.fields(Experiment))
PROMPTS_PER_STEP = "prompts_per_step"  # sets per_device_train_batch_size, which counts completions: prompts × group
WEIGHT_PREFIX = "weight_"  # weight_<reward>: that reward's place in reward_weights


@dataclass(frozen=True)
class Lever:
    """One knob the tuner may turn: a range (float, log, int) or choices (categorical), the reason it is worth
    turning in one line, its source where it has one, and the field it sets (default: its own name)."""

    name: str
    kind: LeverKind
    low: float | None = None
    high: float | None = None
    choices: tuple[Any, ...] = ()
    reason: str = ""
    source: str = ""
    field: str = ""

    @property
    def target(self) -> str:
        """The Experiment or GRPOConfig field this lever sets."""
        return self.field or self.name

    def describe(self) -> str:
        """The lever's range in a few characters.

        >>> LEVERS_BY_NAME["learning_rate"].describe(), LEVERS_BY_NAME["loss_type"].describe()
        ('[1e-05, 0.001] log', '{dapo, dr_grpo, grpo, bnpo}')
        """
        if self.kind == "categorical":
            return "{" + ", ".join(str(choice) for choice in self.choices) + "}"
        return f"[{self.low:g}, {self.high:g}]" + (" log" if self.kind == "log" else "")


# fmt: off
LEVERS: tuple[Lever, ...] = (
    Lever(
        "learning_rate", "log", 1e-5, 1e-3,
        reason="the step size: TRL's 1e-6 leaves a 135M model unchanged in a CPU-sized run; 2e-4 looped more than 1e-4 "
        "here, LoRA wanted 1e-3",
        source="lessons lr-2e-4 and lora-16; TRL GRPOConfig",
    ),
    Lever(
        "beta", "float", 0.0, 0.2,
        reason="the KL leash to the reference model: 0.04 looped less on seed 0 only, 0 broke by loops",
        source="DeepSeekMath (arXiv 2402.03300) used 0.04; TRL's default 0 follows DAPO and Dr. GRPO",
    ),
    Lever(
        "temperature", "float", 0.6, 1.2,
        reason="sampling temperature of the training completions: 0.7 looped less and learned slower",
        source="lesson temperature-0.7; TRL GRPOConfig",
    ),
    Lever(
        "num_generations", "categorical", choices=(4, 6, 8, 12),
        reason="the group size GRPO reads each advantage in: groups of 2 broke (broken-pairs)",
        source="GRPO, DeepSeekMath (arXiv 2402.03300); TRL GRPOConfig",
    ),
    Lever(
        PROMPTS_PER_STEP, "int", 1, 4, field="per_device_train_batch_size",
        reason="questions a step (per_device_train_batch_size = prompts × group size): more average the update over "
        "more questions, at more seconds a step",
        source="TRL GRPOConfig (per_device_train_batch_size counts completions)",
    ),
    Lever(
        "max_completion_length", "int", 16, 40,
        reason="tokens a training completion may take: 32 looped sooner than 24 (completions-32)",
        source="lesson completions-32; TRL GRPOConfig",
    ),
    Lever(
        "scale_rewards", "categorical", choices=("group", "batch", "none"),
        reason="how advantages are scaled: by the group's spread, the batch's, or not at all (read only under "
        "sum_then_normalize: TRL 1.16's normalize_then_sum scales each reward by its group's spread, then the batch's)",
        source="Dr. GRPO (arXiv 2503.20783) drops the scaling; PPO Lite (arXiv 2508.08221) scales by the batch",
    ),
    Lever(
        "loss_type", "categorical", choices=("dapo", "dr_grpo", "grpo", "bnpo"),
        reason="how token losses are averaged, which sets the pull towards short or long answers",
        source="TRL GRPOConfig; DAPO (arXiv 2503.14476), Dr. GRPO (arXiv 2503.20783)",
    ),
    Lever(
        "entropy_coef", "float", 0.0, 0.01,
        reason="an entropy bonus in the loss, against a collapse into one canned answer",
        source="TRL GRPOConfig entropy_coef",
    ),
    Lever(
        "use_adaptive_entropy", "categorical", choices=(False, True),
        reason="raise the entropy bonus only while entropy is under entropy_target (TRL's 0.2 nats: near collapse)",
        source="Skywork-OR1 (arXiv 2505.22312); TRL GRPOConfig",
    ),
    Lever(
        "top_entropy_quantile", "float", 0.2, 1.0,
        reason="train only on the highest-entropy tokens of each completion (1.0: every token)",
        source="Beyond the 80/20 rule (arXiv 2506.01939); TRL GRPOConfig",
    ),
    Lever(
        "multi_objective_aggregation", "categorical", choices=("sum_then_normalize", "normalize_then_sum"),
        reason="sum the weighted rewards then normalise, or normalise each reward in its group first",
        source="GDPO (arXiv 2601.05242); TRL GRPOConfig",
    ),
    Lever(
        "frozen_fraction", "categorical", choices=(None, 0.25, 0.5, 0.75),
        reason="freeze the embeddings and this share of the lower blocks (None: train all): the lower half frozen "
        "passed every guard on seed 0 only",
        source="lesson frozen-lower-half",
    ),
    Lever(
        "lora_rank", "categorical", choices=(None, 8, 16, 32),
        reason="train LoRA adapters of this rank instead of every weight (None: every weight; a rank unsets frozen_fraction); rank 16 looped as the "
        "baseline did",
        source="LoRA (arXiv 2106.09685) through TRL's peft_config; lesson lora-16",
    ),
    Lever(
        "greedy_members", "categorical", choices=(0, 1, 2),
        reason="members of each group decoded as the reader reads: 1 is the greedy answer, more are cold samples; "
        "outside the suite one greedy member kept seed 1's probe free of loops from step 20 to 60",
        source="issue 52; ../shared/README.md (2026-12-07)",
    ),
    Lever(
        "cold_temperature", "float", 0.2, 0.6,
        reason="the temperature of greedy members after the first: near the greedy answer, but not a copy of it",
        source="issue 52",
    ),
    Lever(
        "keep", "categorical", choices=("last", "best"),
        reason="judge the last step's weights, or the best probe reading's (training prompts only): runs often "
        "passed through a good state a probe or two before breaking",
        source="issue 52; early stopping at the best validation reading",
    ),
    Lever(
        "patience", "categorical", choices=(None, 3, 5),
        reason="end a run whose probe readings have not improved for this many readings (None: run to the cap)",
        source="issue 52",
    ),
    Lever(
        "stop_level", "float", 0.4, 0.7,
        reason="the level at which the arrival rule ends training: a later stop trains longer, and looped more",
        source="experiments/training/stop_rules.py",
    ),
)
# fmt: on

# One lever per reward of the base entry, named weight_<reward>.
REWARD_WEIGHT = Lever(
    "weight",
    "float",
    0.0,
    2.0,
    field="reward_weights",
    reason="this reward's weight in the sum; 0 leaves it out of training, so the search also chooses which rewards",
    source="TRL GRPOConfig reward_weights",
)
LEVERS_BY_NAME: dict[str, Lever] = {lever.name: lever for lever in LEVERS}


def levers_for(base: Experiment) -> dict[str, Lever]:
    """Every lever of a base entry, by name: the declared ones, then one weight per reward it names.

    >>> from experiments.registry import REGISTRY
    >>> [name for name in levers_for(REGISTRY["smoke"]) if name.startswith(WEIGHT_PREFIX)]
    ['weight_four_letter_share', 'weight_distinct_bigrams']
    """
    weights = {
        f"{WEIGHT_PREFIX}{reward}": dataclasses.replace(REWARD_WEIGHT, name=f"{WEIGHT_PREFIX}{reward}")
        for reward in base.rewards
    }
    return {**LEVERS_BY_NAME, **weights}


def lever_value(entry: Experiment, lever_name: str) -> Any:
    """The value an entry gives a lever (TRL's default where the entry sets none; weight 0 for a reward it lacks).

    >>> from experiments.registry import REGISTRY
    >>> [lever_value(REGISTRY["leash-0.04"], name) for name in ("beta", "prompts_per_step", "weight_relevance")]
    [0.04, 2, 0.25]
    """
    if lever_name.startswith(WEIGHT_PREFIX):
        reward = lever_name[len(WEIGHT_PREFIX) :]
        weights = entry.reward_weights or (1.0,) * len(entry.rewards)
        return float(weights[entry.rewards.index(reward)]) if reward in entry.rewards else 0.0
    if lever_name == PROMPTS_PER_STEP:
        return _grpo_value(entry, "per_device_train_batch_size") // _grpo_value(entry, "num_generations")
    if lever_name in EXPERIMENT_FIELDS:
        return getattr(entry, lever_name)
    return _grpo_value(entry, lever_name)


def _grpo_value(entry: Experiment, name: str) -> Any:
    return entry.grpo.get(name, GRPO_DEFAULTS[name])


def configured(base: Experiment, name: str, hypothesis: str, values: dict[str, Any], **changes: Any) -> Experiment:
    """``base`` with each lever's value set, as an ordinary ``variant`` of it (``changes``: other fields, the seed).

    >>> from experiments.registry import REGISTRY
    >>> entry = configured(REGISTRY["smoke"], "t", "a trial", {"beta": 0.05, "prompts_per_step": 2, "weight_distinct_bigrams": 0.0})
    >>> entry.grpo["beta"], entry.grpo["per_device_train_batch_size"], entry.reward_weights
    (0.05, 8, (1.0, 0.0))
    >>> configured(REGISTRY["smoke"], "t", "a trial", {"lora_rank": 8, "frozen_fraction": 0.5}).frozen_fraction is None
    True
    """
    top: dict[str, Any] = {}
    grpo: dict[str, Any] = {}
    weights = list(base.reward_weights or (1.0,) * len(base.rewards))
    for lever_name, value in values.items():
        if lever_name.startswith(WEIGHT_PREFIX):
            weights[base.rewards.index(lever_name[len(WEIGHT_PREFIX) :])] = float(value)
        elif lever_name == PROMPTS_PER_STEP:
            continue  # set with the group size below
        elif lever_name in EXPERIMENT_FIELDS:
            top[lever_name] = value
        else:
            grpo[lever_name] = value
    if tuple(weights) != base.reward_weights:
        top["reward_weights"] = tuple(weights)
    if top.get("lora_rank", base.lora_rank) is not None:
        top["frozen_fraction"] = (
            None  # a frozen fraction is a lever of full fine-tuning; LoRA trains its adapters alone
        )
    if PROMPTS_PER_STEP in values or "num_generations" in values:
        group = values.get("num_generations", _grpo_value(base, "num_generations"))
        grpo["per_device_train_batch_size"] = values.get(PROMPTS_PER_STEP, lever_value(base, PROMPTS_PER_STEP)) * group
    return variant(base, name, hypothesis, "works", grpo=grpo, **top, **changes)
