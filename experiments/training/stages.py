"""The build and train stages of a run, and the same parts assembled for a few quiet steps (benchmark, tests)."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from transformers import PreTrainedModel

from experiments.evaluation.evaluate import EvalSettings, EvalTask
from experiments.evaluation.measurements import TrainingOutcome
from experiments.registry.experiment import Experiment
from experiments.training.assembly import Reward, base_model_judge, prompt_dataset, reward_functions, trainable_model
from experiments.training.checks import validate_experiment
from experiments.training.preflight import RunPlan
from experiments.training.probe import GreedyProbe, probe_prompts
from experiments.training.recorder import MetricsRecorder
from experiments.training.relevance import JUDGED_REWARDS
from experiments.training.reward_checks import IsolatedReward
from experiments.training.stop_rules import Arrival, StopRules
from experiments.training.trainer import (
    ProjectTrainer,
    ReferenceKeeper,
    build_trainer,
    reference_is_the_judges,
    with_recorder,
)

ROOT = Path(__file__).resolve().parent.parent.parent
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Built:
    """The build stage's parts: the rewards (the judged ones born with the judge and, where they are its own, the
    reference log-probabilities the trainer keeps), and what both evaluations read."""

    rewards: list[Reward]
    keeper: ReferenceKeeper
    task: EvalTask


def eval_settings(entry: Experiment, bf16: bool) -> EvalSettings:
    """The decoding of both held-out evaluations (and the greedy probe): the entry's counts, training's sampling."""
    return EvalSettings(
        samples_per_prompt=entry.eval_samples,
        max_new_tokens=entry.eval_max_new_tokens,
        temperature=entry.temperature,
        top_p=entry.top_p,
        bf16=bf16,
    )


def build_run(plan: RunPlan) -> Built:
    """The build stage: the frozen base-model judge, the rewards whole, and the evaluation task."""
    entry, bf16 = plan.entry, plan.precision.bf16
    judge = base_model_judge(entry, bf16, plan.policy.device)
    keeper = ReferenceKeeper()
    reuse = reference_is_the_judges(plan.policy, plan.grpo_config, entry.lora_rank)
    rewards = reward_functions(entry, judge, keeper.answer_log_probs if reuse else None)
    objective = IsolatedReward(rewards[0])  # its scores on held-out and probe answers are checked as in training
    task = EvalTask(plan.heldout, plan.reference_text, objective, eval_settings(entry, bf16), judge)
    return Built(rewards, keeper, task)


@dataclass(frozen=True)
class Trained:
    """The train stage's result: the trained model (the policy, or its LoRA-wrapped form) and how training went."""

    model: PreTrainedModel
    outcome: TrainingOutcome


def train(plan: RunPlan, built: Built, progress_bar: bool = False) -> Trained:
    """The train stage: the trainer with its recorder, greedy probe and stop rules, trained; the model saved (main process)."""
    entry, tokenizer = plan.entry, plan.tokenizer
    probe = None
    if entry.probe_every:
        probe = GreedyProbe(
            probe_prompts(plan.dataset["prompt"]),
            tokenizer,
            built.task.objective,
            built.task.settings,
            entry.probe_every,
        )
    trainer = build_trainer(
        plan.policy, tokenizer, plan.dataset, built.rewards, plan.grpo_config, built.keeper, entry.lora_rank
    )
    rules = StopRules(
        entry.stop_at_behaviour, entry.stop_level, cast(Arrival, entry.arrival)
    )  # checked: one of ARRIVALS
    recorder = MetricsRecorder(plan.run_dir / "metrics.jsonl", entry.rewards[0], rules, probe, batches=trainer)
    with_recorder(trainer, recorder, progress_bar)
    log.info(f"[{entry.name}] training up to {entry.steps} steps: {entry.hypothesis}")
    started = time.perf_counter()
    trainer.train()
    wall_clock_s = time.perf_counter() - started
    if plan.is_main:
        log.info(f"[{entry.name}] saving the model to {plan.run_dir / 'model'}")
        trainer.save_model(str(plan.run_dir / "model"))
        tokenizer.save_pretrained(plan.run_dir / "model")
    return Trained(cast(PreTrainedModel, trainer.model), recorder.outcome(wall_clock_s))


def quiet_trainer(
    entry: Experiment, rules: StopRules | None = None, probe_every: int = 0, reuse_reference: bool = True
) -> tuple[ProjectTrainer, MetricsRecorder]:
    """A trainer for a few measured steps, with its recorder: the entry's model and prompts, no results, no progress lines.

    ``probe_every`` reads the greedy probe as a run does (0: none); ``reuse_reference`` False makes the judge compute
    both terms of the relevance reward itself, as it must where the reference is not its own.
    """
    grpo_config = validate_experiment(entry)
    policy, tokenizer = trainable_model(entry)
    dataset = prompt_dataset(entry, tokenizer, ROOT / entry.train_prompts)
    judge = (
        base_model_judge(entry, bool(grpo_config.bf16), policy.device)
        if any(name in JUDGED_REWARDS for name in entry.rewards)
        else None
    )
    keeper = ReferenceKeeper()
    reuse = reuse_reference and reference_is_the_judges(policy, grpo_config, entry.lora_rank)
    rewards = reward_functions(entry, judge, keeper.answer_log_probs if reuse else None)
    probe = None
    if probe_every:
        settings = eval_settings(entry, bool(grpo_config.bf16))
        probe = GreedyProbe(
            probe_prompts(dataset["prompt"]), tokenizer, IsolatedReward(rewards[0]), settings, probe_every
        )
    trainer = build_trainer(policy, tokenizer, dataset, rewards, grpo_config, keeper, entry.lora_rank)
    recorder = MetricsRecorder(None, entry.rewards[0], rules, probe, batches=trainer)
    return with_recorder(trainer, recorder), recorder
