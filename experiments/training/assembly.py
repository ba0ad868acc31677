"""What an entry trains with, each part whole when built: its model (frozen blocks included), its prompts as a dataset,
the frozen base-model judge, and its rewards (the judged ones born with that judge).

Kept apart from the stages so that the check stage, the build stage and the benchmark build exactly the same parts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from accelerate import PartialState
from datasets import Dataset
from transformers import PreTrainedModel, PreTrainedTokenizerBase

import rewards as reward_module
from experiments.evaluation.models import freeze_lower_layers, resolve_model
from experiments.evaluation.relevance import JUDGED_REWARDS, ReferenceSource, RelevanceJudge
from experiments.registry.experiment import Experiment
from experiments.training.prompts import load_prompts

log = logging.getLogger(__name__)

Reward = Callable[..., list[float]]


def trainable_model(entry: Experiment) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """The model and tokenizer as this entry trains them, frozen blocks included."""
    policy, tokenizer = resolve_model(entry.model)
    if entry.attn_implementation:
        policy.set_attn_implementation(entry.attn_implementation)  # TRL builds the reference model with the same
    if entry.on_gpu:
        policy.to(PartialState().device)  # so that the evaluation before training runs there too
    if entry.frozen_fraction is not None:
        trained = freeze_lower_layers(policy, entry.frozen_fraction)
        log.info(
            f"[{entry.name}] embeddings and the lower {entry.frozen_fraction:.0%} of the blocks frozen; {trained} blocks train"
        )
    return policy, tokenizer


def prompt_dataset(
    entry: Experiment, tokenizer: PreTrainedTokenizerBase, path: Path, lines: list[str] | None = None
) -> Dataset:
    """A prompt file in the form this model takes: chat messages (with the configured system line) or plain text."""
    return load_prompts(
        path, conversational=tokenizer.chat_template is not None, system=entry.system_prompt, lines=lines
    )


def base_model_judge(entry: Experiment, bf16: bool, device: Any) -> RelevanceJudge:
    """A frozen copy of the model before training, for the relevance guard and reward."""
    model, tokenizer = resolve_model(entry.model)
    return RelevanceJudge(model.to(device), tokenizer, bf16)


def plain_rewards(entry: Experiment) -> list[Reward]:
    """The entry's pure-Python rewards (rewards.py), which can be called before any model loads; a reward with memory
    is built fresh here, so the dry call leaves nothing in the run's own."""
    return [plain_reward(name) for name in entry.rewards if name not in JUDGED_REWARDS]


def plain_reward(name: str) -> Reward:
    """A pure-Python reward by name: the registered function, or a fresh instance of a reward with memory."""
    if name in reward_module.STATEFUL_REWARDS:
        return reward_module.STATEFUL_REWARDS[name]()
    return reward_module.REWARDS[name]


def reward_functions(
    entry: Experiment, judge: RelevanceJudge | None, reference: ReferenceSource | None = None
) -> list[Reward]:
    """The entry's rewards in its order: pure-Python ones from rewards.py (those with memory built fresh for this run),
    judged ones born with ``judge`` (and the reference log-probabilities where they are the judge's own)."""
    functions: list[Reward] = []
    for name in entry.rewards:
        if name not in JUDGED_REWARDS:
            functions.append(plain_reward(name))  # a reward with memory: this run's own, empty
        elif judge is None:
            raise ValueError(f"{entry.name}: reward {name} is judged by the base model; build it with a judge")
        else:
            functions.append(
                cast(Reward, JUDGED_REWARDS[name](judge, reference))
            )  # None where it cannot judge, as TRL reads it
    return functions
