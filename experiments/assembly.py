"""What a configuration trains with: its model (frozen blocks included), its prompts as a dataset, and the judge.

Kept apart from the runner so that the benchmark and the GPU check build exactly
the model and data a registry run would, without the run's evaluation and results.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import logging

from accelerate import PartialState

from experiments.registry.experiment import Experiment
from experiments.models import freeze_lower_layers, resolve_model
from experiments.prompts import PromptFileError, load_prompts
from experiments.relevance import RelevanceJudge, RelevanceReward
from experiments.training import MetricsRecorder, build_trainer
from experiments.validation import ConfigError, reward_functions, validate_experiment

ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger(__name__)


def trainable_model(config: Experiment):
    """The model and tokenizer as this configuration trains them, frozen blocks included."""
    policy, tokenizer = resolve_model(config.model)
    if config.attn_implementation:
        policy.set_attn_implementation(config.attn_implementation)  # TRL builds the reference model with the same
    if config.on_gpu:
        policy.to(PartialState().device)  # so that the evaluation before training runs there too
    if config.frozen_fraction is not None:
        trained = freeze_lower_layers(policy, config.frozen_fraction)
        log.info(f"[{config.name}] embeddings and the lower {config.frozen_fraction:.0%} of the blocks frozen; {trained} blocks train")
    return policy, tokenizer


def prompt_dataset(config: Experiment, tokenizer, path: Path, lines: list[str] | None = None):
    """A prompt file in the form this model takes: chat messages (with the configured system line) or plain text."""
    return load_prompts(path, conversational=tokenizer.chat_template is not None, system=config.system_prompt, lines=lines)


def check_prompt_lengths(config: Experiment, tokenizer, model, lines: list[tuple[int, str]], completion_tokens: int) -> None:
    """Refuse a training prompt that cannot fit in the model's context with its completion; the error names its file line."""
    context = getattr(model.config, "n_positions", None) or getattr(model.config, "max_position_embeddings", None)
    if not context:
        return
    for number, line in lines:
        length = len(tokenizer(line, add_special_tokens=False).input_ids)
        if length + completion_tokens > context:
            raise PromptFileError(
                f"{config.train_prompts}:{number}: prompt ({line[:40]!r}…) is {length} tokens; with "
                f"max_completion_length {completion_tokens} it exceeds the context of {config.model} ({context} tokens)"
            )


def check_eval_lengths(config: Experiment, tokenizer, model, heldout) -> None:
    """Refuse an ``eval_max_new_tokens`` that, after the longest held-out prompt, runs past the model's context."""
    context = getattr(model.config, "n_positions", None) or getattr(model.config, "max_position_embeddings", None)
    if not context or not len(heldout):
        return
    longest = max(len(tokenizer(RelevanceJudge.context_text(tokenizer, p), add_special_tokens=False).input_ids) for p in heldout)
    if longest + config.eval_max_new_tokens > context:
        raise ConfigError(
            f"{config.name}: eval_max_new_tokens {config.eval_max_new_tokens} after the longest held-out prompt ({longest} tokens) "
            f"exceeds the context of {config.model} ({context} tokens); at most {context - longest}"
        )


def base_model_judge(config: Experiment, bf16: bool, device) -> RelevanceJudge:
    """A frozen copy of the model before training, for the relevance guard and reward."""
    model, tokenizer = resolve_model(config.model)
    return RelevanceJudge(model.to(device), tokenizer, bf16)


def judged_rewards(config: Experiment, bf16: bool, device, reuse_reference: bool = True) -> list[Callable[..., list[float]]]:
    """The configuration's rewards, with the base-model judge handed to those that need one."""
    functions = reward_functions(config)
    for function in functions:
        if isinstance(function, RelevanceReward):
            function.reuse_reference = reuse_reference
    if any(isinstance(function, RelevanceReward) for function in functions):
        judge = base_model_judge(config, bf16, device)
        for function in functions:
            if isinstance(function, RelevanceReward):
                function.judge = judge
    return functions


def quiet_trainer(config: Experiment, recorder: MetricsRecorder, reuse_reference: bool = True):
    """A trainer for a few measured steps: the configuration's model and prompts, no results, no progress lines."""
    arguments = validate_experiment(config)
    policy, tokenizer = trainable_model(config)
    dataset = prompt_dataset(config, tokenizer, ROOT / config.train_prompts)
    functions = judged_rewards(config, arguments.bf16, policy.device, reuse_reference)
    return build_trainer(policy, tokenizer, dataset, functions, arguments, recorder, config.lora_rank)


