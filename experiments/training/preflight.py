"""The check stage of a run: everything that can refuse it, before anything is trained, evaluated or written.

The model-free checks come first (names, fields, rewards, prompt files, folders, the summary beside them, the prompt
count); the model is loaded last, because the prompts' lengths are checked against its context and the disk against
its size. What the checks read (precision, GRPOConfig, prompts, model) is handed on as one ``RunPlan``.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from accelerate import PartialState
from datasets import Dataset
from transformers import PreTrainedModel, PreTrainedTokenizerBase
from trl import GRPOConfig

from experiments.cli import ConfigError, PromptFileError
from experiments.evaluation.checkpoints import CACHE_FIX, cache_root, checkpoint_problem
from experiments.evaluation.models import built_checkpoint, context_length
from experiments.evaluation.relevance import RelevanceJudge
from experiments.files import FolderError, check_free_space, check_writable_folder, claim_run, inside, overlap
from experiments.precision import PROBE_SIZE, PrecisionChoice, choose_precision
from experiments.registry import REGISTRY, wing_folder
from experiments.registry.experiment import Experiment
from experiments.reporting.journal import REPORT_FILES, check_summary_readable
from experiments.reporting.results_folder import read_results
from experiments.training.assembly import plain_rewards, prompt_dataset, trainable_model
from experiments.training.checks import check_name, check_prompt_count, validate_experiment
from experiments.training.prompts import read_numbered_prompts, read_prompt_lines
from experiments.training.reward_checks import check_rewards

ROOT = Path(__file__).resolve().parent.parent.parent
log = logging.getLogger(__name__)
HELDOUT = ROOT / "prompts" / "heldout.txt"
REFERENCE = ROOT / "prompts" / "reference.txt"


@dataclass(frozen=True)
class RunSettings:
    """What the model-free checks settle, and the checks that load the model hand on: the entry, the run's three
    folders, its precision and its GRPOConfig."""

    entry: Experiment
    run_dir: Path
    results_dir: Path
    runs_dir: Path
    precision: PrecisionChoice
    grpo_config: GRPOConfig


@dataclass(frozen=True)
class RunPlan(RunSettings):
    """A run that passed every check: where it writes, how it computes, what it reads, and the model it trains."""

    dataset: Dataset  # the training prompts, as the model takes them
    heldout_lines: list[str]
    heldout: list[Any]  # the held-out prompts, as the model takes them
    reference_text: str
    processes: int
    is_main: bool
    policy: PreTrainedModel
    tokenizer: PreTrainedTokenizerBase


def with_overrides(entry: Experiment, model: str | None, steps: int | None, precision: str | None) -> Experiment:
    """The entry with a quick look's model, steps or precision in place of its own (None keeps its own)."""
    return dataclasses.replace(
        entry,
        model=entry.model if model is None else model,
        steps=entry.steps if steps is None else steps,
        precision=entry.precision if precision is None else precision,
    )


@dataclass(frozen=True)
class Declared(RunSettings):
    """What the model-free checks read: the run's folders, precision, GRPOConfig and prompt lines."""

    train_lines: list[tuple[int, str]]
    heldout_lines: list[str]
    reference_text: str


@contextmanager
def checked_run(entry: Experiment, results_dir: Path | None, runs_dir: Path, tracker: str) -> Iterator[RunPlan]:
    """Every check, with the run's claim on its name taken in between and held until the block ends: the model-free
    checks first (a refused run writes nothing), then the claim, a killed run of this name finished (it had passed its
    commit point), and the checks that need the model."""
    declared = check_declared(entry, results_dir, runs_dir, tracker)
    with claim_run(declared.run_dir, declared.results_dir, entry.name, held=PartialState().is_main_process):
        read_results(declared.results_dir)
        yield check_loaded(declared)


def check_declared(entry: Experiment, results_dir: Path | None, runs_dir: Path, tracker: str) -> Declared:
    """The checks that need no model: name, fields, rewards, prompt files, folders, the summary, the prompt count."""
    check_name(entry.name)  # before anything: the name becomes runs/NAME and results/NAME
    run_dir = inside(runs_dir, runs_dir / entry.name)
    # Milliseconds (a 512² matmul, or nothing on a CPU without bf16), so it is decided afresh and nothing is written yet.
    chosen = choose_precision(entry.precision, "cuda" if entry.on_gpu else "cpu", entry.model, cache_file=None)
    grpo_config = validate_experiment(entry, output_dir=run_dir / "trainer", bf16=chosen.bf16, tracker=tracker)
    results_dir = default_results_dir(entry, runs_dir) if results_dir is None else results_dir
    check_rewards(plain_rewards(entry))  # the judged ones are dry-run by their tests: they need a model to judge
    train_lines = read_numbered_prompts(ROOT / entry.train_prompts)
    heldout_lines = read_prompt_lines(HELDOUT)
    if entry.eval_prompts is not None and entry.eval_prompts > len(heldout_lines):
        raise ConfigError(
            f"{entry.name}: eval_prompts is {entry.eval_prompts}, but {HELDOUT.name} holds {len(heldout_lines)} prompts"
        )
    check_folders(entry, results_dir, runs_dir, run_dir)
    timed = (
        ""
        if chosen.fp32_s is None
        else f"; a {PROBE_SIZE}² matmul took {chosen.fp32_s} s in fp32, {chosen.bf16_s} s in bf16"
    )
    log.info(f"[{entry.name}] precision {chosen.precision} ({chosen.how}{timed})")
    check_prompt_count(entry, len(train_lines), grpo_config, PartialState().num_processes)
    return Declared(
        entry,
        run_dir,
        results_dir,
        runs_dir,
        chosen,
        grpo_config,
        train_lines,
        heldout_lines[: entry.eval_prompts],
        REFERENCE.read_text(encoding="utf-8"),
    )


def check_loaded(declared: Declared) -> RunPlan:
    """The checks that need the model: prompt and answer lengths against its context, and disk for its copy."""
    entry, train_lines = declared.entry, declared.train_lines
    prompts = [line for _, line in train_lines]
    log.info(f"[{entry.name}] loading {entry.model}")
    policy, tokenizer = trainable_model(entry)
    dataset = prompt_dataset(entry, tokenizer, ROOT / entry.train_prompts, prompts)
    heldout = prompt_dataset(entry, tokenizer, HELDOUT, declared.heldout_lines)["prompt"]
    check_prompt_lengths(entry, tokenizer, policy, train_lines, declared.grpo_config.max_completion_length or 0)
    check_eval_lengths(entry, tokenizer, policy, heldout)
    model_bytes = sum(p.numel() * p.element_size() for p in policy.parameters())
    check_free_space(declared.run_dir, model_bytes + 2**20, "runs folder", "free some space or pass --runs-dir")
    state = PartialState()
    return RunPlan(
        entry,
        declared.run_dir,
        declared.results_dir,
        declared.runs_dir,
        declared.precision,
        declared.grpo_config,
        dataset,
        declared.heldout_lines,
        heldout,
        declared.reference_text,
        state.num_processes,
        state.is_main_process,
        policy,
        tokenizer,
    )


def check_folders(entry: Experiment, results_dir: Path, runs_dir: Path, run_dir: Path) -> None:
    """Two folders apart, each writable, with room for the report, and a results folder that can take this run's row
    and draw its report (every file there read as the report reads it, each file it replaces replaceable); a model
    cache that can be written where the model is not converted yet: refused before any model loads."""
    problem = overlap(results_dir, runs_dir, run_dir)
    if problem:
        raise FolderError(
            f"{problem}: the results and runs folders must not overlap (publishing would replace the run's model or "
            "mix a run's files with the report); pass two folders apart"
        )
    check_writable_folder(results_dir, "results folder", "pass --results-dir with a writable folder")
    inside(results_dir, results_dir / entry.name)  # a link to elsewhere would be refused only at publish
    check_summary_readable(results_dir, entry.name)
    report = sum(path.stat().st_size for path in map(results_dir.joinpath, REPORT_FILES) if path.is_file())
    check_free_space(results_dir, 2 * report + 2**20, "results folder", "free some space or pass --results-dir")
    check_writable_folder(runs_dir, "runs folder", "pass --runs-dir (or set LK_RUNS_DIR) with a writable folder")
    cached = built_checkpoint(entry.model)  # a complete cache is only read: read-only is fine
    if cached is not None and checkpoint_problem(cached) is not None:
        check_writable_folder(cache_root(), "model cache", CACHE_FIX)


def default_results_dir(entry: Experiment, runs_dir: Path) -> Path:
    """results/ for the registry's own run (results/history/ for a run of the history wing); a scratch folder for a
    quick look, named in the output."""
    declared = REGISTRY.get(entry.name)
    if declared is not None and declared == entry:
        return wing_folder(ROOT / "results", entry.name)
    changed = [
        f.name
        for f in dataclasses.fields(entry)
        if declared is None or getattr(entry, f.name) != getattr(declared, f.name)
    ]
    scratch = runs_dir / "quick-looks"
    log.info(
        f"[{entry.name}] a quick look ({', '.join(changed)} differ from the registry): results go to {scratch}, not results/"
    )
    return scratch


def check_prompt_lengths(
    entry: Experiment, tokenizer, model, lines: list[tuple[int, str]], completion_tokens: int
) -> None:
    """Refuse a training prompt that cannot fit in the model's context with its completion; the error names its file line."""
    context = context_length(model)
    if not context:
        return
    for number, line in lines:
        length = len(tokenizer(line, add_special_tokens=False).input_ids)
        if length + completion_tokens > context:
            raise PromptFileError(
                f"{entry.train_prompts}:{number}: prompt ({line[:40]!r}…) is {length} tokens; with "
                f"max_completion_length {completion_tokens} it exceeds the context of {entry.model} ({context} tokens)"
            )


def check_eval_lengths(entry: Experiment, tokenizer, model, heldout) -> None:
    """Refuse an ``eval_max_new_tokens`` that, after the longest held-out prompt, runs past the model's context."""
    context = context_length(model)
    if not context or not len(heldout):
        return
    longest = max(
        len(tokenizer(RelevanceJudge.context_text(tokenizer, p), add_special_tokens=False).input_ids) for p in heldout
    )
    if longest + entry.eval_max_new_tokens > context:
        raise ConfigError(
            f"{entry.name}: eval_max_new_tokens {entry.eval_max_new_tokens} after the longest held-out prompt ({longest} tokens) "
            f"exceeds the context of {entry.model} ({context} tokens); at most {context - longest}"
        )
