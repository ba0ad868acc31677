"""One run, read top to bottom: check → build → train → evaluate → judge → record → publish, one call per stage.

Every check runs first, in the check stage (experiments/training/preflight.py). Under
``accelerate launch`` every process trains and evaluates, and only the main
process writes files.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from pathlib import Path
from typing import NoReturn

from accelerate import PartialState
from transformers import PreTrainedModel

from experiments.cli import ConfigError, NotJudged, RunOptions, one_line_errors, parse
from experiments.evaluation.base_cache import cached_base_evaluation
from experiments.evaluation.evaluate import Evaluation, evaluate
from experiments.evaluation.verdicts import Judgement, judge
from experiments.files import IN_PROGRESS
from experiments.registry import REGISTRY, Experiment
from experiments.reporting.environment import environment
from experiments.reporting.publish import publish_run, record_not_judged
from experiments.reporting.record import RunRecord
from experiments.reporting.samples import run_files
from experiments.training.preflight import RunPlan, checked_run, with_overrides
from experiments.training.stages import Built, Trained, build_run, train

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
    """Train one entry, judge it on held-out prompts, record and publish the result (see the module's docstring).

    ``results_dir`` None means results/ for a registry run and a scratch folder for a quick look (other steps, model or
    precision); ``keep_all_rows`` keeps the rows there in the order they were published (explorations).
    """
    entry = with_overrides(entry, model, steps, precision)
    with checked_run(entry, results_dir, runs_dir, tracker) as plan:  # every refusal; the run's name claimed
        built = build_run(plan)
        before = evaluated_before(plan, built)
        trained = train(plan, built, progress_bar)
        if (why := trained.outcome.not_trained()) is not None:
            not_judged(plan, f"not trained: {why}")
        after, eval_s = evaluated_after(plan, trained.model, built)
        try:
            judgement = judge(before.measurements, after.measurements, stop_reason=trained.outcome.stop_reason)
        except NotJudged as error:
            not_judged(plan, str(error))
        record = record_of(plan, built, before, after, judgement, trained, eval_s)
        publish(plan, record, before, after, keep_all_rows)
    log.info(
        f"[{entry.name}] share {record.before.share:.2f} → {record.after.share:.2f}, verdict {record.verdict} (expected "
        f"{entry.expect}), {trained.outcome.wall_clock_s:.0f}s training, stopped by {record.training.stop_reason}; results in "
        f"{plan.results_dir}"
    )
    return record


def not_judged(plan: RunPlan, reason: str) -> NoReturn:
    """One rule for a result: a row only for a run that trained at least one step with a non-zero gradient and whose
    every guard could be computed. Any other run is noted with its reason (summary.json's ``not_judged``, summary.md),
    its rows left as they were, and ends in one line."""
    if plan.is_main:
        record_not_judged(plan.results_dir, plan.entry.name, reason)
    PartialState().wait_for_everyone()
    raise NotJudged(
        f"{plan.entry.name}: {reason}; no verdict and no row (noted in {plan.results_dir / 'summary.json'}, not_judged)"
    )


def evaluated_before(plan: RunPlan, built: Built) -> Evaluation:
    """The untrained model's held-out evaluation, cached per model and settings after the first run."""
    log.info(
        f"[{plan.entry.name}] evaluating the model before training (cached per model and settings after the first run)"
    )
    return cached_base_evaluation(plan.policy, plan.tokenizer, built.task, plan.runs_dir, plan.is_main)


def evaluated_after(plan: RunPlan, model: PreTrainedModel, built: Built) -> tuple[Evaluation, float]:
    """The trained model's held-out evaluation, and the seconds it took."""
    log.info(f"[{plan.entry.name}] evaluating the model after training")
    started = time.perf_counter()
    return evaluate(model, plan.tokenizer, built.task), time.perf_counter() - started


def record_of(
    plan: RunPlan,
    built: Built,
    before: Evaluation,
    after: Evaluation,
    judgement: Judgement,
    trained: Trained,
    eval_s: float,
) -> RunRecord:
    """The record stage: the run's row, from what was declared, measured, judged and trained."""
    return RunRecord.of_run(
        plan.entry,
        before.measurements,
        after.measurements,
        judgement,
        trained.outcome,
        eval_s,
        dataclasses.asdict(built.task.settings),
        plan.precision,
        plan.processes,
        environment(trained.model.device),
        len(plan.heldout_lines),
    )


def publish(plan: RunPlan, record: RunRecord, before: Evaluation, after: Evaluation, keep_all_rows: bool) -> None:
    """The publish stage: the main process publishes the row and the run's files (the report is drawn under the
    results folder's lock), and with them the run's model and live files from runs/NAME/in-progress into runs/NAME;
    every process waits for it."""
    if plan.is_main:
        files = run_files(plan.run_dir / IN_PROGRESS, record, plan.heldout_lines, before.greedy, after.greedy)
        publish_run(plan.results_dir, record, files, registry_order=not keep_all_rows, run_folder=plan.run_dir)
    PartialState().wait_for_everyone()


def main(argv: list[str] | None = None) -> None:
    options, names = parse(RunOptions, argv, RunOptions.__doc__)
    with one_line_errors():
        unknown = [name for name in names if name not in REGISTRY]
        if not names or unknown:
            raise ConfigError(
                f"unknown configuration {unknown[0]!r}; known: {', '.join(REGISTRY)}"
                if unknown
                else "name at least one configuration"
            )
        for name in names:
            results_dir = Path(options.results_dir) if options.results_dir is not None else None
            run_experiment(
                REGISTRY[name],
                results_dir,
                Path(options.runs_dir),
                options.model,
                options.steps,
                precision=options.precision,
                tracker=options.tracker,
            )


if __name__ == "__main__":
    main()
