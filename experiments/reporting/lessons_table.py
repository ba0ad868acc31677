"""The lessons table of summary.md: each lesson on the baseline, what it changed, and what it taught.

A lesson's "learned" cell sets its first run beside the baseline's run of the same seed and
precision (steps to behaviour, greedy share, loops, relevance, KL, seconds a step), so that
the direction each hypothesis predicted can be read off the row. Seconds a step are
compared only where both runs were made in one session on one CPU (``one_session``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tabulate import tabulate

from experiments.evaluation.answers import HeldOutAnswer
from experiments.registry import BASELINE, FIRST_BASELINE, GROUPS
from experiments.reporting.record import RunRecord, one_session, seeds_of
from experiments.reporting.summary_file import read_answers

ANSWER_CHARS = 70
HEADERS = [
    "lesson",
    "entry",
    "what changed",
    "share before → after",
    "clean answers",
    "guards",
    "verdict",
    "lesson learned: hypothesis, then the baseline's run of the same seed → this one",
    "one answer: before → after",
]
COMPARED = (
    ("steps to behaviour", "arrival", "steps"),
    ("greedy share", "after.share_greedy", "share"),
    ("loops", "after.loops", "percent"),
    ("relevance", "after.relevance", "share"),
    ("KL", "training.mean_kl", "kl"),
    ("s a step", "training.mean_step_time_s", "seconds"),
)


def render_lessons(results_dir: Path, runs: list[RunRecord]) -> str:
    baseline = seeds_of(runs, BASELINE.name)
    rows = [lesson_row(results_dir, group, entry, seeds, baseline) for group, entry, seeds in entries_run(runs)]
    return tabulate(rows, headers=HEADERS, tablefmt="github")


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


def lesson_row(
    results_dir: Path, group: Any, entry: Any, seeds: list[RunRecord], baseline: list[RunRecord]
) -> list[str]:
    failed = sorted({guard for run in seeds for guard in run.failed_guards})
    counted = max(len(run.guards) for run in seeds)
    guards = (
        f"all {counted} held" if all(run.judged_by_all_guards for run in seeds) else "5/5 (old)" if not failed else ""
    )
    if failed:
        guards = "✗ " + ", ".join(failed)
    verdicts = ", ".join(run.verdict for run in seeds)
    return [
        group.__name__.rsplit(".", 1)[-1].replace("_", " "),
        f"`{entry.name}`" + (f" ×{len(seeds)}" if len(seeds) > 1 else ""),
        what_changed(entry),
        f"{seeds[0].before.share:.2f} → " + "/".join(f"{run.after.share:.2f}" for run in seeds),
        clean_answers(seeds),
        guards,
        verdicts,
        learned(entry, seeds, baseline),
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
        lines = (
            [line for line in samples.read_text(encoding="utf-8").splitlines() if line.startswith("| ")]
            if samples.exists()
            else []
        )
        if len(lines) < 2:
            return ""
        _prompt, before, after = [cell.strip() for cell in lines[1].strip("| ").split(" | ")][:3]
    return f"{_short(before)} → {_short(after)}"


def _short(text: str) -> str:
    text = " ".join(text.split()).replace("|", "/")
    return text if len(text) <= ANSWER_CHARS else text[: ANSWER_CHARS - 1] + "…"


def learned(entry: Any, seeds: list[RunRecord], baseline: list[RunRecord]) -> str:
    """Held or refuted, then the lesson's first run against the baseline's run of the same seed and precision
    (of the same seed only, where precision is what the lesson changes).

    >>> from experiments.evaluation.measurements import Measurements, TrainingOutcome
    >>> from experiments.registry import REGISTRY
    >>> def row(name, step, loops):
    ...     return RunRecord(name=name, hypothesis="", expected="broken", verdict="broken", hypothesis_held=True,
    ...         guards={}, model="m", seed=0, steps=96, config=name, after=Measurements(share_greedy=0.6, loops=loops,
    ...         relevance=1.2), training=TrainingOutcome(stop_reason="behaviour", behaviour_step=step, mean_kl=0.01))
    >>> learned(REGISTRY["lr-2e-4"], [row("lr-2e-4", 21, 0.4)], [row("baseline", 42, 0.25)])
    'held; steps to behaviour 42 → 21, greedy share 0.60 → 0.60, loops 25% → 40%, relevance 1.20 → 1.20, KL 0.010 → 0.010'
    """
    caught = f" by {' or '.join(entry.caught_by)}" if entry.caught_by else ""
    verdict = "held" if all(run.hypothesis_held for run in seeds) else f"refuted: predicted {entry.expect}{caught}"
    run = seeds[0]
    changes_precision = "precision" in entry.differences()
    same = [b for b in baseline if b.seed == run.seed and (changes_precision or _precision(b) == _precision(run))]
    if not same or not on_the_baseline(entry):
        return verdict
    timed_alike = one_session(same[0], run)
    return f"{verdict}; " + ", ".join(
        f"{label} {_figure(_read(same[0], path), kind)} → {_figure(_read(run, path), kind)}"
        for label, path, kind in COMPARED
        if kind != "seconds" or timed_alike
    )


def _precision(run: RunRecord) -> str | None:
    return run.precision.precision if run.precision is not None else None


def _read(run: RunRecord, path: str) -> Any:
    if path == "arrival":
        return (
            run.training.behaviour_step
            if run.training.stop_reason == "behaviour"
            else f"none ({run.training.stop_reason}, {run.training.steps_trained})"
        )
    value: Any = run
    for part in path.split("."):
        value = getattr(value, part)
    return value


def _figure(value: Any, kind: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, str) or kind == "steps":
        return str(value)
    return {"share": f"{value:.2f}", "percent": f"{value:.0%}", "kl": f"{value:.3f}", "seconds": f"{value:.1f}"}[kind]
