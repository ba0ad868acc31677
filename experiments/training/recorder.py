"""A callback that keeps every logged metric of a GRPO run, reads the greedy probe, and applies the stop rules.

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
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from transformers import TrainerCallback

from experiments.evaluation.measurements import StopReason, TrainingOutcome
from experiments.training.best_weights import BestWeights
from experiments.training.probe import GreedyProbe
from experiments.training.stop_rules import BEHAVIOUR_LEVEL, ProbeReading, StopRules
from text_measures import completion_text, opening

log = logging.getLogger(__name__)

PROGRESS_KEYS = ("reward", "reward_std", "kl", "entropy", "completions/mean_length", "step_time")
PROBE_KEYS = ("probe/share", "probe/loops", "probe/frame", "probe/clean", "probe/content", "probe/vocabulary")
COMPLETIONS_EVERY = 5  # steps between the completions kept for reading, besides the last step
COMPLETIONS_KEPT = 4


class BatchSource(Protocol):
    """What the recorder reads a training batch from: the trainer (``ProjectTrainer.last_batch``)."""

    def last_batch(self) -> dict[str, Any] | None: ...


class MetricsRecorder(TrainerCallback):
    """Appends each log to metrics.jsonl with the greedy probe's figures, prints a progress line, and stops by the rules.

    Time to behaviour: seconds from the start of training to the first step at which the
    5-step moving average of the primary reward's mean reaches 0.5, whatever the stop rules.
    ``stop_rules`` (experiments/training/stop_rules.py) decide when training ends and why;
    ``probe`` (experiments/training/probe.py), when given, reads greedy answers every few steps,
    and its figures go to metrics.jsonl, the progress line and the rules, its answers to
    completions.jsonl. ``batches`` is where the last training batch is read, the trainer itself.
    """

    def __init__(
        self,
        path: Path | None,
        primary_reward: str,
        stop_rules: StopRules | None = None,
        probe: GreedyProbe | None = None,
        batches: BatchSource | None = None,
        keep: str = "last",
    ):
        self.path = path
        self.primary_key = f"rewards/{primary_reward}/mean"
        self.rules = stop_rules if stop_rules is not None else StopRules(enabled=False)
        self.probe = probe
        self.pending_probe: ProbeReading | None = None
        self.probes: list[ProbeReading] = []
        self.time_to_behaviour_s: float | None = None
        self.started = time.perf_counter()
        self.history: list[dict[str, Any]] = []
        self.batches = batches  # the trainer, whose last batch is read (shared openings, completions.jsonl)
        self.best = BestWeights() if keep == "best" else None  # keep="best": the weights at the best probe reading

    @property
    def stop_reason(self) -> StopReason:
        return self.rules.reason

    @property
    def completions_path(self) -> Path | None:
        return self.path.with_name("completions.jsonl") if self.path is not None else None

    def on_train_begin(self, args, state, control, **kwargs):
        self.started = time.perf_counter()
        if self.path is not None and state.is_world_process_zero:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text("", encoding="utf-8")
            self.completions_path.write_text("", encoding="utf-8")

    def on_step_end(self, args, state, control, model=None, **kwargs):
        """Every process reads the probe (greedy answers are the same on each), so all of them stop at the same step."""
        if self.probe is None or model is None or not self.probe.due(state.global_step):
            return
        reading = self.probe.read(model, state.global_step)
        self.probes.append(reading)
        self.pending_probe = reading
        if self.best is not None and self.best.offer(model, reading):
            log.info(f"[step {state.global_step}] best probe reading so far: weights kept")
        self._stop(control, state.global_step, self.rules.after_probe(reading))
        if self.path is not None and state.is_world_process_zero:
            with self.completions_path.open("a", encoding="utf-8") as stream:
                for prompt, answer in zip(self.probe.prompts, reading.answers):
                    stream.write(
                        json.dumps(
                            {"step": reading.step, "probe": True, "prompt": question_text(prompt), "completion": answer}
                        )
                        + "\n"
                    )

    def on_log(self, args, state, control, logs=None, **kwargs):
        if not logs:
            return
        elapsed = time.perf_counter() - self.started
        record = {"step": state.global_step, "elapsed_s": round(elapsed, 3), **logs}
        shared = self.batch_shared_openings() if "reward" in logs else None
        if shared is not None:
            record["shared_openings"] = shared
        if self.pending_probe is not None and "reward" in logs:
            record.update(self.pending_probe.logged())
            self.pending_probe = None
        self._stop(
            control,
            state.global_step,
            self.rules.after_step(state.global_step, logs.get(self.primary_key), logs.get("entropy"), shared),
        )
        if self.primary_key in logs:
            record["primary_reward_ma5"] = sum(self.rules.objective) / len(self.rules.objective)
            full = self.rules.objective_mean is not None
            if self.time_to_behaviour_s is None and full and record["primary_reward_ma5"] >= BEHAVIOUR_LEVEL:
                self.time_to_behaviour_s = round(elapsed, 1)
        self.history.append(record)
        if not state.is_world_process_zero:
            return
        if self.path is not None:
            with self.path.open("a", encoding="utf-8") as stream:
                stream.write(json.dumps(record) + "\n")
            last = control.should_training_stop or state.global_step >= state.max_steps
            if "reward" in logs and (state.global_step % COMPLETIONS_EVERY == 0 or last):
                self.keep_completions(state.global_step)
        shown = "  ".join(
            f"{key.split('/')[-1] if '/' in key else key}={logs[key]:.3g}" for key in PROGRESS_KEYS if key in logs
        )
        probed = "  ".join(f"greedy {key.split('/')[-1]}={record[key]:.3g}" for key in PROBE_KEYS if key in record)
        if shown:  # the trainer's closing summary carries none of these
            log.info(
                f"[step {state.global_step}/{state.max_steps} {elapsed:6.0f}s] {shown}"
                + (f"  |  {probed}" if probed else "")
            )

    def on_train_end(self, args, state, control, model=None, **kwargs):
        """With keep="best", the model ends training with the weights of its best probe reading."""
        if self.best is not None and self.best.step is not None and model is not None:
            if self.best.step != state.global_step:
                self.best.restore(model)
            log.info(f"kept the weights of step {self.best.step} (best probe reading) of {state.global_step} trained")

    def _stop(self, control, step: int, why: str | None) -> None:
        if why:
            control.should_training_stop = True
            log.info(f"[step {step}] stopped by {why}")

    def outcome(self, wall_clock_s: float) -> TrainingOutcome:
        """How training went, from the steps this recorder kept."""
        return TrainingOutcome.of(
            self.history,
            wall_clock_s,
            self.time_to_behaviour_s,
            self.stop_reason,
            self.rules.behaviour_step,
            sum(p.seconds for p in self.probes),
            kept_step=self.best.step if self.best is not None else None,
            probe_readings=[
                {"step": p.step, "share": p.share, "loops": p.loops, "frame": p.frame, "clean": p.clean}
                for p in self.probes
            ],
        )

    def last_batch(self) -> dict[str, Any] | None:
        """The last batch's prompts, completions, rewards per function and advantages, or None before the first."""
        return self.batches.last_batch() if self.batches is not None else None

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
        if logs is None or self.completions_path is None:
            return
        count = len(logs["completion"])
        picked = sorted({0, 1, count // 2, count // 2 + 1} & set(range(count)))[:COMPLETIONS_KEPT]
        with self.completions_path.open("a", encoding="utf-8") as stream:
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


def read_metrics(path: Path) -> list[dict[str, Any]]:
    """The records of a metrics.jsonl (or completions.jsonl); a last line cut short by a killed process is skipped."""
    if not path.exists():
        return []
    records = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return records
