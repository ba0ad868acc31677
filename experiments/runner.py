"""One run, read top to bottom: check → build → train → evaluate → judge → record → publish, one call per stage.

Every check runs first, in the check stage (experiments/training/preflight.py). Under
``accelerate launch`` every process trains and evaluates, and only the main
process writes files.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from accelerate import PartialState
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from experiments.cli import RunOptions, one_line_errors, parse
from experiments.evaluation.evaluate import Evaluation, cached_base_evaluation, evaluate
from experiments.evaluation.verdicts import judge
from experiments.files import claim_run_folder
from experiments.registry import REGISTRY, Experiment
from experiments.reporting.environment import environment
from experiments.reporting.publish import publish_run
from experiments.reporting.record import RunRecord
from experiments.reporting.samples import run_files
from experiments.training.checks import ConfigError
from experiments.training.preflight import check_run, with_overrides
from experiments.training.stages import Built, build_run, train

ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger("experiments.runner")  # not __name__: run as __main__ by python -m


def run_experiment(
    entry: Experiment,
    results_dir: Path | None = None,
    runs_dir: Path = ROOT / "runs",
    model: str | None = None,
    steps: int | None = None,
    precision: str | None = None,
    progress_bar: bool = False,
    tracker: str = "none",
    keep_all_rows: bool = False,
) -> RunRecord:
    """Train one entry, judge it on held-out prompts, and record the result: check → build → train → evaluate →
    judge → record → publish.

    ``results_dir`` None means results/ for a run as the registry declares it, and a scratch folder for a quick look
    (other steps, model or precision), which must never replace a committed result. Every row already in the results
    folder is kept; ``keep_all_rows`` keeps them in the order they were published (explorations) instead of the registry's.
    """
    entry = with_overrides(entry, model, steps, precision)
    plan = check_run(entry, results_dir, runs_dir, tracker)  # every refusal, before anything is trained or written
    with claim_run_folder(plan.run_dir, entry.name, held=plan.is_main):
        built = build_run(plan)
        log.info(f"[{entry.name}] evaluating the model before training (cached per model and settings after the first run)")
        before = cached_base_evaluation(entry.model, plan.policy, plan.tokenizer, built.task, runs_dir, plan.is_main)
        trained = train(plan, built, progress_bar)
        after, eval_s = evaluated_after(entry, trained.model, plan.tokenizer, built)
        judgement = judge(before.measurements, after.measurements, stop_reason=trained.outcome.stop_reason)
        record = RunRecord.of_run(
            entry, before.measurements, after.measurements, judgement, trained.outcome, eval_s, built.task.settings.as_dict(),
            plan.precision, plan.processes, environment(trained.model.device), len(plan.heldout_lines),
        )
        if plan.is_main:  # the report is drawn under the results folder's lock
            files = run_files(plan.run_dir, record, plan.heldout_lines, before.greedy, after.greedy)
            publish_run(plan.results_dir, record, files, registry_order=not keep_all_rows)
        PartialState().wait_for_everyone()
    log.info(
        f"[{entry.name}] share {record.before.share:.2f} → {record.after.share:.2f}, verdict {record.verdict} (expected "
        f"{entry.expect}), {trained.outcome.wall_clock_s:.0f}s training, stopped by {record.stop_reason}; results in {plan.results_dir}"
    )
    return record


def evaluated_after(entry: Experiment, model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, built: Built) -> tuple[Evaluation, float]:
    """The trained model's held-out evaluation, and the seconds it took."""
    log.info(f"[{entry.name}] evaluating the model after training")
    started = time.perf_counter()
    return evaluate(model, tokenizer, built.task), time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    options, names = parse(RunOptions, argv, RunOptions.__doc__)
    with one_line_errors():
        unknown = [name for name in names if name not in REGISTRY]
        if not names or unknown:
            raise ConfigError(f"unknown configuration {unknown[0]!r}; known: {', '.join(REGISTRY)}" if unknown else "name at least one configuration")
        for name in names:
            results_dir = Path(options.results_dir) if options.results_dir is not None else None
            run_experiment(
                REGISTRY[name], results_dir, Path(options.runs_dir), options.model, options.steps, precision=options.precision, tracker=options.tracker
            )


if __name__ == "__main__":
    main()
