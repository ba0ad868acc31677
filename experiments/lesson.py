"""The first lesson in one command (``make lesson``): train the baseline on seed 0 and read its answers.

Results go to runs/lesson/, never to results/: a learner's run on another machine is
a new measurement, not a replacement for the committed one.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from tqdm.auto import tqdm

from experiments.cli import one_line_errors, parse
from experiments.configs import BASELINE
from experiments.runner import run_experiment

SHOWN = 5


@dataclass
class LessonOptions:
    """``python -m experiments.lesson [--precision auto|fp32|bf16] [--runs_dir runs]``."""

    precision: str | None = field(default=None, metadata={"help": "auto (the default) measures fp32 against bf16 here"})
    runs_dir: str = "runs"


def main(argv: list[str] | None = None) -> None:
    options, _ = parse(LessonOptions, argv, LessonOptions.__doc__)
    runs_dir = Path(options.runs_dir)
    results_dir = runs_dir / "lesson"
    print(f"The first lesson: {BASELINE.hypothesis}.\n")
    started = time.perf_counter()
    with one_line_errors():
        record = run_experiment(
            BASELINE, results_dir, runs_dir, announce=tqdm.write, precision=options.precision, progress_bar=True
        )
    minutes = (time.perf_counter() - started) / 60
    answers = json.loads((results_dir / BASELINE.name / "answers.json").read_text())
    for row in answers[:SHOWN]:
        print(f"\n> {row['prompt']}\n  before: {row['before']}\n  after:  {row['after']}")
    failed = record.failed_guards
    print(
        f"\nFour-letter share {record.share_before:.2f} → {record.share_after:.2f} on held-out prompts, "
        f"relevance {record.relevance_before:.2f} → {record.relevance_after:.2f} nats/token; "
        f"verdict {record.verdict}" + (f" (failed guards: {', '.join(failed)})" if failed else " (every guard held)")
        + f"; {record.steps_trained} steps, stopped by {record.stop_reason}, {minutes:.1f} min in all."
    )
    print(f"Model: {runs_dir / BASELINE.name / 'model'}   Samples: {results_dir / BASELINE.name / 'samples.md'}")
    print(f'Talk to it: python -m experiments.sample {runs_dir / BASELINE.name / "model"} "What does the ox sing?"')


if __name__ == "__main__":
    main()
