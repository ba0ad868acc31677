"""The first lesson in one command (``make lesson``): train the best configuration found on seed 0 and read its answers.

``make lesson CONFIG=baseline`` trains another registry entry the same way (there, the first
baseline, whose answers stop answering their questions).

Results go to runs/lesson/, never to results/: a learner's run on another machine is
a new measurement, not a replacement for the committed one.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from experiments.cli import ConfigError, one_line_errors, parse
from experiments.registry import BASELINE, REGISTRY
from experiments.runner import run_experiment

SHOWN = 5


@dataclass
class LessonOptions:
    """``python -m experiments.lesson [--config NAME] [--precision auto|fp32|bf16] [--runs_dir runs]``."""

    config: str = field(default=BASELINE.name, metadata={"help": "the registry entry to train (its first seed)"})
    precision: str | None = field(default=None, metadata={"help": "auto (the default) measures fp32 against bf16 here"})
    runs_dir: str = "runs"


def main(argv: list[str] | None = None) -> None:
    options, _ = parse(LessonOptions, argv, LessonOptions.__doc__)
    runs_dir = Path(options.runs_dir)
    results_dir = runs_dir / "lesson"
    started = time.perf_counter()
    with one_line_errors():
        if options.config not in REGISTRY:
            raise ConfigError(f"--config: no registry entry {options.config!r} (see results/runs.md for the names)")
        entry = REGISTRY[options.config]
        print(f"The first lesson, `{entry.name}`: {entry.hypothesis}.\n")
        record = run_experiment(entry, results_dir, runs_dir, precision=options.precision, progress_bar=True)
    minutes = (time.perf_counter() - started) / 60
    answers = json.loads((results_dir / entry.name / "answers.json").read_text(encoding="utf-8"))
    for row in answers[:SHOWN]:
        print(f"\n> {row['prompt']}\n  before: {row['before']}\n  after:  {row['after']}")
    failed = record.failed_guards
    print(
        f"\nFour-letter share {record.before.share:.2f} → {record.after.share:.2f} on held-out prompts, "
        f"relevance {record.before.relevance:.2f} → {record.after.relevance:.2f} nats/token, "
        f"clean answers {record.before.clean:.0%} → {record.after.clean:.0%}, looping {record.after.loops:.0%}, "
        f"content four-letter words {record.before.content:.0%} → {record.after.content:.0%} of words, four-letter "
        f"vocabulary {record.before.vocabulary} → {record.after.vocabulary} words; "
        f"verdict {record.verdict}"
        + (f" (failed guards: {', '.join(failed)})" if failed else " (every guard held)")
        + f"; {record.training.steps_trained} steps, stopped by {record.training.stop_reason}, {minutes:.1f} min in all."
    )
    print(f"Model: {runs_dir / entry.name / 'model'}   Samples: {results_dir / entry.name / 'samples.md'}")
    print(f'Talk to it: python -m experiments.sample {runs_dir / entry.name / "model"} "What does the ox sing?"')


if __name__ == "__main__":
    main()
