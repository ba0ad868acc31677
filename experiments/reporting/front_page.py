"""results/summary.md, read in two minutes: the baseline against its targets, five of its answers before and after,
the lessons on it, and the findings in a few sentences.

Only today's lessons are on this page. The earlier baselines, candidates and searches have their own page,
results/history/summary.md, drawn by the same code from the history wing's rows (one link away); every run's row in
full is in runs.md, with the precision measured for each.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from tabulate import tabulate

from experiments.evaluation.models import TINY_GPT2
from experiments.registry import BASELINE, HISTORY
from experiments.reporting.findings import NOT_RECORDED, headline, latest_environment, lever_step_times
from experiments.reporting.record import RunRecord, seeds_of
from experiments.reporting.summary_file import SummaryError, read_answers

SHOWN_ANSWERS = 5  # the first five held-out prompts: chosen by position, never by how the answers read


def environment_line(runs: list[RunRecord]) -> str:
    """Where the latest run was produced, in one line: the CPU, the precisions, the versions once.

    The precision each run measured is in runs.md."""
    env = latest_environment(runs)
    if env is None:
        return NOT_RECORDED
    precisions = Counter(run.precision.precision for run in runs if run.precision is not None)
    versions = ", ".join(
        f"{name} {version}" for name, version in env["packages"].items() if version and name in ("torch", "trl")
    )
    return (
        f"Latest run {env['date'][:10]} on {env['device']}, CPU {env['cpu']} (native bf16: "
        f"{'yes' if env['cpu_native_bf16'] else 'no'}); precisions "
        + ", ".join(f"{name} ×{count}" for name, count in sorted(precisions.items()))
        + f"; {versions}, packages hash {env['packages_hash']} (every version and each run's precision measurement: "
        "[runs.md](runs.md))."
    )


def five_answers(results_dir: Path, runs: list[RunRecord]) -> str:
    """The baseline's first seed: its first five held-out questions, answered greedily before and after training."""
    first = next(iter(seeds_of(runs, BASELINE.name)), None)
    if first is None:
        return f"`{BASELINE.name}` has not run yet: `make lesson` trains it."
    try:
        answers = read_answers(results_dir / first.name / "answers.json")[:SHOWN_ANSWERS]
    except (SummaryError, OSError):
        return f"`{first.name}`: its answers.json could not be read."
    rows = [[a["prompt"], one_line(a["before"]), one_line(a["after"])] for a in answers]
    return (
        f"`{first.name}` (seed {first.seed}, {first.precision.precision if first.precision else 'bf16'}), the first "
        f"{len(rows)} of its {first.heldout_prompts} held-out questions, read greedily; every answer: "
        f"[{first.name}/samples.md]({first.name}/samples.md).\n\n"
        + tabulate(rows, headers=["question", "before training", "after training"], tablefmt="github")
    )


def one_line(text: str) -> str:
    """An answer in a table cell: one line, pipes escaped.

    >>> one_line("Just | that.\\nSoon.")
    'Just \\\\| that. Soon.'
    """
    return " ".join(text.split()).replace("|", "\\|")


def front_findings(runs: list[RunRecord]) -> list[str]:
    """A few sentences: the baseline over its seeds, how many lessons held, and the speed levers' step times."""
    lines = [
        headline(name, seeds) for name in (BASELINE.name, f"{BASELINE.name}-fp32") if (seeds := seeds_of(runs, name))
    ]
    lessons = [run for run in runs if run.model != TINY_GPT2]
    held = sum(run.hypothesis_held for run in lessons)
    lines.append(
        f"{held} of {len(lessons)} runs on this page held their declared hypothesis; the {len(lessons) - held} refuted "
        "stay as declared, as strict xfails (each run's verdict and failed guards: [runs.md](runs.md))."
    )
    lines += lever_step_times(runs)
    lines.append(
        "How the baseline was chosen, and every earlier baseline, candidate and search (none met the targets on every "
        f"seed): [{HISTORY}/summary.md]({HISTORY}/summary.md)."
    )
    return lines
