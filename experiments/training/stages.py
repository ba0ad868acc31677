"""The build and train stages of a run, and the same parts assembled for a few quiet steps (benchmark, tests)."""

from __future__ import annotations

import dataclasses
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from datasets import Dataset
from transformers import PreTrainedModel, PreTrainedTokenizerBase
from trl import GRPOConfig

from experiments.evaluation.evaluate import EvalSettings, EvalTask
from experiments.evaluation.measurements import TrainingOutcome
from experiments.evaluation.relevance import JUDGED_REWARDS, RelevanceJudge
from experiments.files import IN_PROGRESS
from experiments.registry.experiment import Experiment
from experiments.training.assembly import Reward, base_model_judge, prompt_dataset, reward_functions, trainable_model
from experiments.training.checks import validate_experiment
from experiments.training.preflight import RunPlan
from experiments.training.probe import GreedyProbe, probe_prompts
from experiments.training.recorder import MetricsRecorder
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
    bf16 = bool(plan.grpo_config.bf16)
    judge, rewards, keeper = judged_rewards(plan.entry, plan.policy, plan.grpo_config, evaluated=True)
    assert judge is not None  # evaluated: the held-out relevance is judged by it
    return Built(rewards, keeper, evaluation_task(plan, rewards, judge, bf16))


def judged_rewards(
    entry: Experiment,
    policy: PreTrainedModel,
    grpo_config: GRPOConfig,
    reuse_reference: bool = True,
    evaluated: bool = False,
) -> tuple[RelevanceJudge | None, list[Reward], ReferenceKeeper]:
    """The rewards, each whole: the judged ones born with the frozen base-model judge and, where the trainer's
    reference model is the judge's own, the reference log-probabilities it keeps.

    The judge is None where no reward needs it and the run is not ``evaluated`` (whose relevance it judges);
    ``reuse_reference`` False makes the judge compute both terms of the relevance reward itself.
    """
    judge = (
        base_model_judge(entry, bool(grpo_config.bf16), policy.device)
        if evaluated or any(name in JUDGED_REWARDS for name in entry.rewards)
        else None
    )
    keeper = ReferenceKeeper()
    reuse = reuse_reference and reference_is_the_judges(policy, grpo_config, entry.lora_rank)
    return judge, reward_functions(entry, judge, keeper.answer_log_probs if reuse else None), keeper


def evaluation_task(plan: RunPlan, rewards: list[Reward], judge: RelevanceJudge, bf16: bool) -> EvalTask:
    """What both held-out evaluations read; the objective is checked on their answers as in training."""
    objective = IsolatedReward(rewards[0])
    return EvalTask(plan.heldout, plan.reference_text, objective, eval_settings(plan.entry, bf16), judge)


@dataclass(frozen=True)
class Trained:
    """The train stage's result: the trained model (the policy, or its LoRA-wrapped form) and how training went."""

    model: PreTrainedModel
    outcome: TrainingOutcome


def train(plan: RunPlan, built: Built, progress_bar: bool = False) -> Trained:
    """The train stage: the trainer with its recorder, greedy probe and stop rules, trained; the model saved (main process)."""
    entry = plan.entry
    watch = watch_of(plan, built)
    trainer, recorder = watched_trainer(
        entry,
        plan.policy,
        plan.tokenizer,
        plan.dataset,
        plan.grpo_config,
        built.rewards,
        built.keeper,
        watch,
        progress_bar,
    )
    log.info(f"[{entry.name}] training up to {entry.steps} steps: {entry.hypothesis}")
    started = time.perf_counter()
    trainer.train()
    wall_clock_s = time.perf_counter() - started
    if plan.is_main:
        saved(trainer, plan.tokenizer, plan.run_dir / IN_PROGRESS / "model")
    return Trained(cast(PreTrainedModel, trainer.model), recorder.outcome(wall_clock_s))


def watch_of(plan: RunPlan, built: Built) -> Watch:
    """A run's watch: metrics.jsonl in its in-progress folder (emptied first: it holds no published run's files), its
    entry's stop rules, and the greedy probe on its prompts."""
    entry = plan.entry
    if plan.is_main:
        shutil.rmtree(plan.run_dir / IN_PROGRESS, ignore_errors=True)
    rules = StopRules(
        entry.stop_at_behaviour, entry.stop_level, cast(Arrival, entry.arrival), entry.patience
    )  # checked: an ARRIVAL
    probe = greedy_probe(entry, plan.dataset, plan.tokenizer, built.task.objective, built.task.settings)
    return Watch(plan.run_dir / IN_PROGRESS / "metrics.jsonl", rules, probe)


def greedy_probe(
    entry: Experiment,
    dataset: Dataset,
    tokenizer: PreTrainedTokenizerBase,
    objective: Callable[..., list[float]],
    settings: EvalSettings,
) -> GreedyProbe | None:
    """The greedy eyes on the training prompts, read every ``probe_every`` steps (None: the entry reads none)."""
    if not entry.probe_every:
        return None
    return GreedyProbe(probe_prompts(dataset["prompt"]), tokenizer, objective, settings, entry.probe_every)


@dataclass(frozen=True)
class Watch:
    """What watches each training step: where the metrics go (None: nowhere), the stop rules and the greedy probe."""

    metrics: Path | None
    rules: StopRules | None
    probe: GreedyProbe | None


def watched_trainer(
    entry: Experiment,
    policy: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    dataset: Dataset,
    grpo_config: GRPOConfig,
    rewards: list[Reward],
    keeper: ReferenceKeeper,
    watch: Watch,
    progress_bar: bool = False,
) -> tuple[ProjectTrainer, MetricsRecorder]:
    """TRL's trainer, and the recorder (metrics, probe, stop rules) that reads its batches, among its callbacks."""
    trainer = build_trainer(
        policy,
        tokenizer,
        dataset,
        rewards,
        grpo_config,
        keeper,
        entry.lora_rank,
        entry.greedy_members,
        entry.cold_temperature,
    )
    recorder = MetricsRecorder(
        watch.metrics, entry.rewards[0], watch.rules, watch.probe, batches=trainer, keep=entry.keep
    )
    return with_recorder(trainer, recorder, progress_bar), recorder


def saved(trainer: ProjectTrainer, tokenizer: PreTrainedTokenizerBase, folder: Path) -> None:
    log.info(f"saving the model to {folder}")
    trainer.save_model(str(folder))
    tokenizer.save_pretrained(folder)


def quiet_trainer(
    entry: Experiment,
    rules: StopRules | None = None,
    probe_every: int = 0,
    reuse_reference: bool = True,
    bf16: bool = False,
) -> tuple[ProjectTrainer, MetricsRecorder]:
    """A trainer for a few measured steps, with its recorder: the entry's model and prompts, no results, no progress lines.

    ``probe_every`` reads the greedy probe as a run does (0: none); ``reuse_reference`` False makes the judge compute
    both terms of the relevance reward itself, as it must where the reference is not its own; ``bf16`` trains under bf16
    autocast (the benchmark's precision lever).
    """
    grpo_config = validate_experiment(entry, bf16=bf16)
    policy, tokenizer = trainable_model(entry)
    dataset = prompt_dataset(entry, tokenizer, ROOT / entry.train_prompts)
    _judge, rewards, keeper = judged_rewards(entry, policy, grpo_config, reuse_reference)
    settings = eval_settings(entry, bool(grpo_config.bf16))
    probe = greedy_probe(
        dataclasses.replace(entry, probe_every=probe_every), dataset, tokenizer, IsolatedReward(rewards[0]), settings
    )
    return watched_trainer(entry, policy, tokenizer, dataset, grpo_config, rewards, keeper, Watch(None, rules, probe))
