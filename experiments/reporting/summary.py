"""results/summary.md, lesson first: the mission's table, findings, one figure per lesson group, what changed.

Regenerated after every run and by ``python -m experiments.report``. Every sentence is
built from the RunRecords it describes; the full table is results/runs.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tabulate import tabulate

from experiments.evaluation.answers import HeldOutAnswer
from experiments.files import atomic_write_text
from experiments.registry import BASELINE, CONFIGS, FIRST_BASELINE, GROUPS
from experiments.reporting.figures import draw_figures
from experiments.reporting.findings import findings, produced_on
from experiments.reporting.record import RunRecord, seeds_of
from experiments.reporting.runs_table import render_runs
from experiments.reporting.summary_file import read_answers
from experiments.reporting.targets import render_targets

ANSWER_CHARS = 70


def write_report(results_dir: Path, summary: dict[str, Any]) -> None:
    runs = [RunRecord.from_dict(row) for row in summary["runs"]]
    figures = draw_figures(results_dir, runs)
    atomic_write_text(results_dir / "runs.md", render_runs(summary, runs))
    atomic_write_text(results_dir / "summary.md", render_summary(results_dir, summary, runs, figures))


def render_summary(
    results_dir: Path, summary: dict[str, Any], runs: list[RunRecord], figures: dict[str, list[str]]
) -> str:
    parts = [
        "# Language Kindergarten: results",
        "Written by the suite from real runs; regenerate with `python -m experiments.report`. Every run in full: [runs.md](runs.md).",
        produced_on(runs),
        "## Findings",
        "\n".join(f"- {line}" for line in findings(runs)),
        "## The first lesson, answer by answer: targets and shortfalls",
        render_targets(results_dir, runs),
        "## The lessons",
        tabulate(
            [lesson_row(results_dir, group, entry, seeds) for group, entry, seeds in entries_run(runs)],
            headers=[
                "lesson",
                "entry",
                "what changed",
                "share before → after",
                "clean answers",
                "guards",
                "verdict",
                "lesson learned",
                "one answer: before → after",
            ],
            tablefmt="github",
        ),
        "Share: the objective (first reward) over sampled answers to 40 held-out prompts. Guards: the language survived "
        "(reference perplexity, distinct-2, repeated 3-grams, real words, length) and each answer still answers its question "
        "(relevance, template), and the answers read one by one neither loop nor share one frame (loops, frame); thresholds "
        "below. Clean answers: held-out greedy answers whose own share is ≥ 0.5, that do not loop, and whose first six words "
        "open no other answer. `5/5 (old)` marks runs judged before the relevance and template guards existed; runs recorded "
        "before the per-answer guards were judged by them from their answers.json (`python -m experiments.report --rejudge`).",
        not_run(runs),
    ]
    for group in GROUPS:
        parts += [f"![{group.__doc__}]({path})" for path in figures.get(group.__name__, [])]
    parts += ["## Verdicts that changed", changed_verdicts(runs)]
    parts += [
        "## Thresholds (declared before any run)",
        ", ".join(f"`{key}` {value}" for key, value in summary["thresholds"].items())
        + "; meanings in [runs.md](runs.md).",
    ]
    return "\n\n".join(parts) + "\n"


def not_run(runs: list[RunRecord]) -> str:
    """The declared runs with no row yet, so a seed that was never run is not mistaken for one that was left out."""
    done = {run.name for run in runs}
    missing = [config.name for config in CONFIGS if config.name not in done]
    return f"Declared and not run yet ({len(missing)}): " + (", ".join(f"`{name}`" for name in missing) or "none") + "."


def entries_run(runs: list[RunRecord]) -> list[tuple[Any, Any, list[RunRecord]]]:
    """(group, registry entry, its runs) for every lesson with at least one run, in registry order: the baseline, the
    lessons on it, and the first baseline as the lesson in failure. The first baseline's own lessons are history
    (runs.md), and the way to the baseline is measured in the targets table."""
    rows = []
    for group in GROUPS:
        for entry in group.ENTRIES:
            seeds = seeds_of(runs, entry.name)
            if seeds and (entry.name in (BASELINE.name, FIRST_BASELINE.name) or on_the_baseline(entry)):
                rows.append((group, entry, seeds))
    return rows


def on_the_baseline(entry: Any) -> bool:
    """Whether the entry varies today's baseline, directly or through another variant of it."""
    base = entry.base
    while base is not None:
        if base.name == BASELINE.name:
            return True
        base = base.base
    return False


def lesson_row(results_dir: Path, group, entry, seeds: list[RunRecord]) -> list[str]:
    failed = sorted({guard for run in seeds for guard in run.failed_guards})
    counted = max(len(run.guards) for run in seeds)
    guards = (
        f"all {counted} held" if all(run.judged_by_all_guards for run in seeds) else "5/5 (old)" if not failed else ""
    )
    if failed:
        guards = "✗ " + ", ".join(failed)
    verdicts = ", ".join(run.verdict for run in seeds)
    held = all(run.hypothesis_held for run in seeds)
    learned = f"as predicted ({entry.expect})" if held else f"refuted: predicted {entry.expect}"
    return [
        group.__name__.rsplit(".", 1)[-1].replace("_", " "),
        f"`{entry.name}`" + (f" ×{len(seeds)}" if len(seeds) > 1 else ""),
        what_changed(entry),
        f"{seeds[0].before.share:.2f} → " + "/".join(f"{run.after.share:.2f}" for run in seeds),
        clean_answers(seeds),
        guards,
        verdicts,
        learned,
        first_answer(results_dir, seeds[0].name),
    ]


def clean_answers(seeds: list[RunRecord]) -> str:
    """Held-out greedy answers a reader would call clean, before → after each seed; — where not measured."""
    if any(run.after.clean is None for run in seeds):
        return "—"
    return f"{seeds[0].before.clean:.0%} → " + "/".join(f"{run.after.clean:.0%}" for run in seeds)


def what_changed(entry) -> str:
    if entry.base is None:
        return "—"
    changes = {k: v for k, v in entry.differences().items() if k != "seed"}
    shown = ", ".join(f"{k}={_compact(v)}" for k, v in changes.items()) or "nothing"
    return f"{shown} (on `{entry.base.name}`)"


def _compact(value: Any) -> str:
    """Tuples as a:b:c (reward weights) or a+b (reward names), so a row stays one readable line."""
    if isinstance(value, (tuple, list)):
        return ("+" if all(isinstance(v, str) for v in value) else ":").join(
            f"{v:g}" if isinstance(v, float) else str(v) for v in value
        )
    return f"{value:g}" if isinstance(value, float) else str(value)


def first_answer(results_dir: Path, name: str) -> str:
    """The first held-out prompt's greedy answer before and after, from answers.json (or samples.md in older runs)."""
    answers = results_dir / name / "answers.json"
    if answers.exists():
        row = (read_answers(answers) or [HeldOutAnswer(prompt="", before="", after="")])[0]
        before, after = row["before"], row["after"]
    else:
        samples = results_dir / name / "samples.md"
        lines = [line for line in samples.read_text().splitlines() if line.startswith("| ")] if samples.exists() else []
        if len(lines) < 2:
            return ""
        _prompt, before, after = [cell.strip() for cell in lines[1].strip("| ").split(" | ")][:3]
    return f"{_short(before)} → {_short(after)}"


def _short(text: str) -> str:
    text = " ".join(text.split()).replace("|", "/")
    return text if len(text) <= ANSWER_CHARS else text[: ANSWER_CHARS - 1] + "…"


def changed_verdicts(runs: list[RunRecord]) -> str:
    rows = [
        [run.name, run.previous["verdict"], run.verdict, _why(run)]
        for run in runs
        if run.previous and run.previous.get("verdict") != run.verdict
    ]
    if not rows:
        return "No rerun changed a verdict."
    return tabulate(rows, headers=["run", "before", "now", "why"], tablefmt="github")


def _why(run: RunRecord) -> str:
    reasons = []
    previous = run.previous or {}
    if previous.get("hypothesis") != run.hypothesis:
        reasons.append("a new entry under this name")
    new_guards = sorted(set(run.guards) - set(previous.get("guards") or {}))
    if new_guards:
        reasons.append("judged also by " + ", ".join(new_guards))
    if run.failed_guards:
        reasons.append("failed " + ", ".join(run.failed_guards))
    return "; ".join(reasons) or "a new trajectory (precision or packages)"
