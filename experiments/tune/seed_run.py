"""One seed of a trial in its own process: an ordinary run, then greedy answers to the development prompts.

The lanes (lanes.py) start it through multiprocessing's forkserver, whose server imported the training stack once, so
a seed starts in a moment instead of importing torch again. It trains on one torch thread (the lanes are the
parallelism), writes its messages to its own log (runs/tune/STUDY/logs/NAME.log) so the tuner's progress lines stay
readable, leaves Ctrl-C to the tuner, which kills the seeds it started, and ends itself when the tuner ends by any
other way (``kill -9``: end_with_tuner). The run is ``run_experiment`` itself:
the same checks, evaluation, guards, record and files, its row published into the study's results folder. What the
tuner reads comes back in RESULT, in the run's folder; the trained model is removed once it has been read, unless kept.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import sys
import threading
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import torch
from transformers import AutoTokenizer, PreTrainedModel, PreTrainedTokenizerBase

import rewards as reward_module
from experiments.cli import setup_logging
from experiments.evaluation.answers import answer_measures, vocabulary_measures
from experiments.evaluation.evaluate import generate
from experiments.evaluation.models import prepare_tokenizer, resolve_model
from experiments.files import atomic_write_text
from experiments.registry.experiment import Experiment
from experiments.runner import run_experiment
from experiments.training.assembly import prompt_dataset
from experiments.training.reward_checks import IsolatedReward
from experiments.training.stages import eval_settings
from experiments.tune.objective import DEV_FIGURES

RESULT = "tune-seed.json"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SeedSpec:
    """What one seed's process runs: the entry (its seed, and the study's model, steps and precision, set), where it
    writes, and whether its model is kept."""

    entry: Experiment
    results_dir: Path
    runs_dir: Path
    dev_prompts: Path
    log: Path
    keep_model: bool = False

    @property
    def run_dir(self) -> Path:
        return self.runs_dir / self.entry.name

    @property
    def result(self) -> Path:
        return self.run_dir / RESULT


def run_seed(spec: SeedSpec, tuner_alive: Connection | None = None) -> None:
    """The process's target: the run and its development reading into RESULT, or the error in one line there."""
    if tuner_alive is not None:
        end_with_tuner(tuner_alive)
    one_thread()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    spec.log.parent.mkdir(parents=True, exist_ok=True)
    stream = open(spec.log, "a", buffering=1, encoding="utf-8")  # the process's output until it ends
    os.dup2(stream.fileno(), 1)
    os.dup2(stream.fileno(), 2)
    sys.stdout = sys.stderr = stream
    setup_logging()
    try:
        figures = seed_figures(spec)
    except Exception as error:  # noqa: BLE001 - any failure is the trial's, reported in one line
        traceback.print_exc()
        message = " ".join(f"{type(error).__name__}: {error}".split())
        atomic_write_text(spec.result, json.dumps({"error": message}))
        sys.exit(1)
    atomic_write_text(spec.result, json.dumps(figures))


def end_with_tuner(tuner_alive: Connection) -> None:
    """This process killed as soon as the tuner ends, however it ends. A seed's parent is the forkserver, not the
    tuner, and the forkserver outlives the tuner while any seed lives (each seed holds a copy of the pipe the
    forkserver watches), so neither PR_SET_PDEATHSIG nor a watch on os.getppid() sees the tuner go. The tuner holds
    the only write end of ``tuner_alive`` (lanes.Lanes), which the kernel closes when it ends: a read then meets EOF."""

    def watch() -> None:
        try:
            tuner_alive.recv_bytes()  # the tuner never writes: this returns only at EOF
        except (EOFError, OSError):
            pass
        os.kill(os.getpid(), signal.SIGKILL)  # a run killed at any point is finished or cleared by the next command

    threading.Thread(target=watch, name="end-with-tuner", daemon=True).start()


def one_thread() -> None:
    """One torch thread a seed: the lanes are the parallelism (the forkserver was started with OMP_NUM_THREADS=1)."""
    os.environ.update(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    torch.set_num_threads(1)


def seed_figures(spec: SeedSpec) -> dict[str, Any]:
    """The ordinary run, then what the tuner reads of it: the development figures and a few of the record's."""
    entry = spec.entry
    record = run_experiment(entry, spec.results_dir, spec.runs_dir, keep_all_rows=True)
    model_dir = spec.run_dir / "model"
    bf16 = record.precision is not None and record.precision.bf16
    dev = dev_reading(entry, model_dir, spec.dev_prompts, bf16)
    if not spec.keep_model:
        shutil.rmtree(model_dir, ignore_errors=True)
    before, after = record.before.ref_ppl, record.after.ref_ppl
    return {
        "run": entry.name,
        "seed": entry.seed,
        **dev,
        "ref_ppl_ratio": after / before if before else None,
        "steps": record.training.steps_trained,
        "stop_reason": record.training.stop_reason,
        "verdict": record.verdict,
        "train_s": record.training.wall_clock_s,
    }


def dev_reading(entry: Experiment, model_dir: Path, dev_prompts: Path, bf16: bool) -> dict[str, Any]:
    """Greedy answers of the saved model to the development prompts, read by the project's own measures."""
    model, tokenizer = saved_model(model_dir)
    prompts = prompt_dataset(entry, tokenizer, dev_prompts)["prompt"]
    answers = [per_prompt[0] for per_prompt in generate(model, tokenizer, prompts, eval_settings(entry, bf16), False)]
    objective = IsolatedReward(reward_module.REWARDS[entry.rewards[0]])
    measured = answer_measures(answers, objective, prompts)  # a reward that reads its prompts is read as in training
    shares = objective(prompts=list(prompts), completions=answers)
    vocabulary = vocabulary_measures(answers)  # the content share and four-letter vocabulary (issue 39)
    measured = {**measured, "content_share": vocabulary["content"], "vocabulary": vocabulary["vocabulary"]}
    figures = {key: measured.get(key) for key in DEV_FIGURES}
    log.info(f"[{entry.name}] development answers: {len(answers)}, clean {figures['clean']:.2f}")
    return {**figures, "share": sum(shares) / len(shares) if shares else 0.0, "dev_answers": answers}


def saved_model(folder: Path) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """A run's saved model: a whole model, or LoRA adapters (what a LoRA run saves) merged into their base."""
    if not (folder / "adapter_config.json").exists():
        return resolve_model(str(folder))
    from peft import AutoPeftModelForCausalLM

    model = AutoPeftModelForCausalLM.from_pretrained(str(folder), dtype=torch.float32).merge_and_unload()
    return model, prepare_tokenizer(AutoTokenizer.from_pretrained(folder))
