"""GRPO training with TRL's GRPOTrainer, and a callback that keeps every logged metric.

GRPO's loss hovers near zero by construction, so progress is read from the metrics
TRL logs each step (reward per function, reward_std, kl, entropy, clip ratios,
completion lengths, step_time); the callback writes them all to metrics.jsonl as
they arrive, one flushed line per step, so a killed run still leaves a readable file.
That live file sits in the run's working folder; results/ gets a copy only when the
run has finished, so a killed run never touches the committed metrics.
"""

from __future__ import annotations

import json
import logging
import time
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from datasets import Dataset
from transformers import PreTrainedModel, PreTrainedTokenizerBase, TrainerCallback
from transformers.trainer_callback import PrinterCallback, ProgressCallback
from trl import GRPOConfig, GRPOTrainer

from experiments.answers import opening
from experiments.measurements import TrainingOutcome
from experiments.relevance import ReferenceKeepingTrainer, RelevanceReward, rotary_positions
from experiments.validation import IsolatedReward
from rewards import completion_text

log = logging.getLogger(__name__)

BEHAVIOUR_LEVEL = 0.5
BEHAVIOUR_WINDOW = 5
# A policy whose 5-step mean entropy falls below a third of SmolLM2's 3.2 nats/token writes one canned answer;
# healthy stops so far ended at 2.2-3.5, the collapses at 0.3-0.7.
COLLAPSE_ENTROPY = 1.0
# Declared after the entropy signal missed the fp32 collapse (1.06 at its stop): answers to *different* questions
# that open with the same three words. More than half of a batch is more than any one question's group can explain.
COLLAPSE_SHARED_OPENINGS = 0.5
PROGRESS_KEYS = ("reward", "reward_std", "kl", "entropy", "completions/mean_length", "step_time")
COMPLETIONS_EVERY = 5  # steps between the completions kept for reading, besides the last step
COMPLETIONS_KEPT = 4


class MetricsRecorder(TrainerCallback):
    """Appends each log to metrics.jsonl, prints a progress line, and times the arrival of the behaviour.

    Time to behaviour: seconds from the start of training to the first step at which
    the 5-step moving average of the primary reward's mean reaches 0.5. With
    ``stop_at_behaviour`` training ends there, because a seed that keeps going past the
    behaviour can overshoot into loops (see long-baseline in results/summary.md).
    It also ends, and says so, on a collapse: the policy's 5-step mean entropy below
    ``COLLAPSE_ENTROPY``, or a 5-step mean share of the batch's completions that open like
    an answer to another question above ``COLLAPSE_SHARED_OPENINGS``. A collapse is checked
    before the behaviour, so a run is never stopped on a collapsed policy unnoticed.
    ``stop_reason`` is "behaviour", "collapse" or "step cap". ``stop_level`` is the 5-step
    mean at which the behaviour stops training (the time to behaviour is always read at 0.5).
    """

    def __init__(
        self,
        path: Path | None,
        primary_reward: str,
        stop_at_behaviour: bool = False,
        stop_level: float = BEHAVIOUR_LEVEL,
    ):
        self.path = path
        self.stop_at_behaviour = stop_at_behaviour
        self.stop_level = stop_level
        self.shared_openings: deque[float] = deque(maxlen=BEHAVIOUR_WINDOW)
        self.primary_key = f"rewards/{primary_reward}/mean"
        self.window: deque[float] = deque(maxlen=BEHAVIOUR_WINDOW)
        self.entropies: deque[float] = deque(maxlen=BEHAVIOUR_WINDOW)
        self.time_to_behaviour_s: float | None = None
        self.stop_reason = "step cap"
        self.started = time.perf_counter()
        self.history: list[dict[str, Any]] = []
        self.trainer: GRPOTrainer | None = None  # set by build_trainer: the source of the completions kept

    @property
    def completions_path(self) -> Path | None:
        return self.path.with_name("completions.jsonl") if self.path is not None else None

    def on_train_begin(self, args, state, control, **kwargs):
        self.started = time.perf_counter()
        if self.path is not None and state.is_world_process_zero:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text("")
            self.completions_path.write_text("")

    def on_log(self, args, state, control, logs=None, **kwargs):
        if not logs:
            return
        elapsed = time.perf_counter() - self.started
        record = {"step": state.global_step, "elapsed_s": round(elapsed, 3), **logs}
        if "reward" in logs:
            shared = self.batch_shared_openings()
            if shared is not None:
                record["shared_openings"] = shared
                self.shared_openings.append(shared)
        if "entropy" in logs:
            self.entropies.append(logs["entropy"])
        collapse = self.collapse_signal()
        if collapse and self.stop_at_behaviour and self.stop_reason == "step cap":
            control.should_training_stop = True
            self.stop_reason = "collapse"
            log.info(f"[step {state.global_step}] stopped: {collapse} (a collapsed policy)")
        if self.primary_key in logs:
            self.window.append(logs[self.primary_key])
            moving = sum(self.window) / len(self.window)
            record["primary_reward_ma5"] = moving
            full = len(self.window) == BEHAVIOUR_WINDOW
            if self.time_to_behaviour_s is None and moving >= BEHAVIOUR_LEVEL and full:
                self.time_to_behaviour_s = round(elapsed, 1)
            if self.stop_at_behaviour and self.stop_reason == "step cap" and moving >= self.stop_level and full:
                control.should_training_stop = True
                self.stop_reason = "behaviour"
        self.history.append(record)
        if not state.is_world_process_zero:
            return
        if self.path is not None:
            with self.path.open("a") as stream:
                stream.write(json.dumps(record) + "\n")
            last = control.should_training_stop or state.global_step >= state.max_steps
            if "reward" in logs and (state.global_step % COMPLETIONS_EVERY == 0 or last):
                self.keep_completions(state.global_step)
        shown = "  ".join(f"{key.split('/')[-1] if '/' in key else key}={logs[key]:.3g}" for key in PROGRESS_KEYS if key in logs)
        if shown:  # the trainer's closing summary carries none of these
            log.info(f"[step {state.global_step}/{state.max_steps} {elapsed:6.0f}s] {shown}")

    def outcome(self, wall_clock_s: float) -> TrainingOutcome:
        """How training went, from the steps this recorder kept."""
        return TrainingOutcome.of(self.history, wall_clock_s, self.time_to_behaviour_s, self.stop_reason)

    def collapse_signal(self) -> str | None:
        """Why the policy looks collapsed over the last five steps, or None."""
        if len(self.entropies) == BEHAVIOUR_WINDOW and sum(self.entropies) / BEHAVIOUR_WINDOW < COLLAPSE_ENTROPY:
            return f"5-step mean entropy under {COLLAPSE_ENTROPY}"
        if len(self.shared_openings) == BEHAVIOUR_WINDOW and sum(self.shared_openings) / BEHAVIOUR_WINDOW > COLLAPSE_SHARED_OPENINGS:
            return f"over {COLLAPSE_SHARED_OPENINGS:.0%} of the batch opens like an answer to another question, 5-step mean"
        return None

    def last_batch(self) -> dict[str, Any] | None:
        """The last batch's prompts, completions, rewards per function and advantages, or None before the first.

        The one place that reads TRL's private buffer (``GRPOTrainer._logs``, what its log_completions prints):
        TRL hands a callback no batch, and the advantages are nowhere public.
        """
        logs = getattr(self.trainer, "_logs", None)
        return logs if logs and logs.get("completion") else None

    def batch_shared_openings(self) -> float | None:
        """This step's share of completions opening like an answer to another prompt of the batch (None without a batch)."""
        logs = self.last_batch()
        if logs is None:
            return None
        return shared_openings(
            [question_text(p) for p in logs["prompt"]], [completion_text(c) for c in logs["completion"]]
        )

    def keep_completions(self, step: int) -> None:
        """A few of this step's completions with their rewards, as TRL's log_completions shows them, into completions.jsonl."""
        logs = self.last_batch()
        if logs is None:
            return
        count = len(logs["completion"])
        picked = sorted({0, 1, count // 2, count // 2 + 1} & set(range(count)))[:COMPLETIONS_KEPT]
        with self.completions_path.open("a") as stream:
            for index in picked:
                row = {
                    "step": step,
                    "prompt": question_text(logs["prompt"][index]),
                    "completion": completion_text(logs["completion"][index]),
                    "rewards": {name: values[index] for name, values in logs["rewards"].items()},
                    "advantage": logs["advantages"][index],
                }
                stream.write(json.dumps(row) + "\n")


def shared_openings(questions: Sequence[str], answers: Sequence[str], opening_words: int = 3) -> float | None:
    """Share of answers whose first three words also open an answer to a different question: one frame for all.

    A group's own answers may share an opening ("The ox sings"); only sharing across questions is a template.
    None when the batch holds a single question, where the signal cannot be read.

    >>> shared_openings(["ox?", "ox?", "cat?", "cat?"], ["The ox sings.", "The ox hums.", "Cats purr.", "A cat naps."])
    0.0
    >>> shared_openings(["ox?", "ox?", "cat?", "cat?"], ["I'm happy to help!", "The ox hums.", "I'm happy to help.", "Cats."])
    0.5
    """
    if len(set(questions)) < 2 or not answers:
        return None
    openings = [opening(a, opening_words) for a in answers]
    asked_by: dict[tuple[str, ...], set[str]] = {}
    for question, first_words in zip(questions, openings):
        asked_by.setdefault(first_words, set()).add(question)
    return sum(len(asked_by[o]) > 1 for o in openings if o) / len(answers)


def question_text(prompt: Any) -> str:
    """The user's question of a prompt (chat messages) or the prompt itself (plain text)."""
    if isinstance(prompt, list):
        return next((m["content"] for m in reversed(prompt) if m.get("role") == "user"), completion_text(prompt))
    return str(prompt)


def build_trainer(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    dataset: Dataset,
    reward_functions: Sequence[Callable[..., list[float]]],
    arguments: GRPOConfig,
    recorder: MetricsRecorder,
    lora_rank: int | None = None,
    progress_bar: bool = False,
) -> GRPOTrainer:
    """TRL's trainer, with its raw per-step dict printing replaced by the recorder's one-line progress (or a bar).

    ``lora_rank`` trains peft's LoRA adapters on every linear layer (α = 2 × rank), through TRL's ``peft_config``.
    """
    trainer = ReferenceKeepingTrainer(
        model=model,
        reward_funcs=[IsolatedReward(function) for function in reward_functions],
        args=arguments,
        train_dataset=dataset,
        processing_class=tokenizer,
        callbacks=[recorder],
        peft_config=lora_config(lora_rank) if lora_rank else None,
    )
    recorder.trainer = trainer
    if trainer.ref_model is not None and arguments.temperature == 1.0 and rotary_positions(model):
        for function in reward_functions:
            if isinstance(function, RelevanceReward) and function.reuse_reference:
                function.reference = trainer.reference_answer_log_probs
    trainer.remove_callback(PrinterCallback)
    trainer.remove_callback(ProgressCallback)
    if progress_bar:
        trainer.add_callback(BarOnly)
    return trainer


class BarOnly(ProgressCallback):
    """transformers' progress bar without the raw dict it prints at every log; the recorder prints one line instead."""

    def on_log(self, args, state, control, logs=None, **kwargs):
        return None


def lora_config(rank: int):
    from peft import LoraConfig

    return LoraConfig(r=rank, lora_alpha=2 * rank, lora_dropout=0.0, target_modules="all-linear", task_type="CAUSAL_LM")


def read_metrics(path: Path) -> list[dict[str, Any]]:
    """The records of a metrics.jsonl (or completions.jsonl); a last line cut short by a killed process is skipped."""
    if not path.exists():
        return []
    records = []
    for line in path.read_text().splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return records
