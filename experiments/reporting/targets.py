"""The first lesson's targets, measured on every run of every candidate: which fell short, and by how much."""

from __future__ import annotations

from pathlib import Path

from tabulate import tabulate

from experiments.registry import REGISTRY, baseline, greedy_eyes, reader_trained, vocabulary, vocabulary_content
from experiments.registry.baseline import TARGETS
from experiments.registry.experiment import runs as runs_of
from experiments.registry.history.first_lesson import CANDIDATES
from experiments.reporting.record import RunRecord, seeds_of
from experiments.training.recorder import read_metrics
from experiments.training.stop_rules import BEHAVIOUR_LEVEL, BEHAVIOUR_WINDOW

ALL_CANDIDATES = (
    CANDIDATES
    + greedy_eyes.CANDIDATES
    + tuple(entry.name for entry in (*vocabulary.ENTRIES, *vocabulary_content.ENTRIES))
    + (reader_trained.READER_CANDIDATE.name, reader_trained.READER_CANDIDATE_FP32.name)
)
BASELINE_FAMILY = (baseline.BASELINE, baseline.BASELINE_FP32)


def steps_to_behaviour(metrics: list[dict]) -> int | None:
    """The first step whose training objective's 5-step mean reached 0.5 (the window full), or None.

    >>> steps_to_behaviour([{"step": s, "primary_reward_ma5": 0.1 * s} for s in range(1, 9)])
    5
    """
    return next(
        (
            row["step"]
            for row in metrics
            if row.get("step", 0) >= BEHAVIOUR_WINDOW and row.get("primary_reward_ma5", 0) >= BEHAVIOUR_LEVEL
        ),
        None,
    )


def _at_least(value: float | None, floor: float, percent: bool = False) -> str:
    if value is None:
        return "—"
    shown = f"{value:.0%}" if percent else f"{value:.2f}"
    gap = f"{floor - value:.0%}" if percent else f"{floor - value:.2f}"
    return shown if value >= floor - 1e-9 else f"{shown} ✗ ({gap} short)"


def _at_most(value: float | None, ceiling: float) -> str:
    if value is None:
        return "—"
    return f"{value:.0%}" if value <= ceiling + 1e-9 else f"{value:.0%} ✗ ({value - ceiling:.0%} over)"


def target_row(results_dir: Path, run: RunRecord) -> list[str]:
    """One run against the targets: the greedy readings judged, the sampled share (at the training temperature) beside."""
    entry = REGISTRY.get(run.name)
    by_probe = entry is not None and entry.arrival == "probe"  # then only the probe's arrival counts as the behaviour
    steps = (
        run.training.behaviour_step
        if by_probe
        else steps_to_behaviour(read_metrics(results_dir / run.name / "metrics.jsonl"))
    )
    steps_cell = (
        f"never in {run.training.steps_trained} ✗"
        if steps is None
        else f"{steps}"
        if steps <= TARGETS.max_steps_to_behaviour
        else f"{steps} ✗ ({steps - TARGETS.max_steps_to_behaviour} over)"
    )
    precision = run.precision.precision if run.precision else "bf16"
    temperature = run.eval_settings.get("temperature", 1.0)
    return [
        run.name,
        precision,
        _at_least(run.after.share_greedy, TARGETS.min_share),
        f"{run.after.share:.2f} (T {temperature:g})",
        _at_least(run.after.clean, TARGETS.min_clean, percent=True),
        _at_most(run.after.loops, TARGETS.max_loops),
        _at_most(run.after.frame, TARGETS.max_frame),
        steps_cell,
        "all held" if not run.failed_guards else "✗ " + ", ".join(run.failed_guards),
        f"{run.verdict} ({run.training.stop_reason or '—'})",
        _before_after(run.before.content, run.after.content, "{:.0%}"),
        _before_after(run.before.vocabulary, run.after.vocabulary, "{}"),
    ]


def _before_after(before: float | None, after: float | None, form: str) -> str:
    """A measure shown, not judged, before → after training.

    >>> _before_after(0.06, 0.11, "{:.0%}"), _before_after(None, 40, "{}")
    ('6% → 11%', '—')
    """
    return "—" if before is None or after is None else f"{form.format(before)} → {form.format(after)}"


def baseline_rows(results_dir: Path, runs: list[RunRecord]) -> list[list[str]]:
    """The baseline family's runs against the targets, and each declared seed not run yet, marked so."""
    done = {run.name: run for run in runs}
    rows = []
    for entry in BASELINE_FAMILY:
        for run in runs_of(entry):
            rows.append(
                target_row(results_dir, done[run.name])
                if run.name in done
                else [run.name, run.precision] + ["not run yet"] * 10
            )
    return rows


def render_targets(results_dir: Path, runs: list[RunRecord], today: bool = True) -> str:
    """Today's page: the baseline family's runs, each declared seed shown; the history's: every candidate's runs."""
    if today:
        rows = baseline_rows(results_dir, runs)
    else:
        rows = [target_row(results_dir, run) for family in ALL_CANDIDATES for run in seeds_of(runs, family)]
    met = [row[0] for row in rows if "✗" not in "".join(row[2:3] + row[4:9]) and "not run yet" not in row]
    return (
        f"Targets, declared before the runs, on held-out greedy answers: share ≥ {TARGETS.min_share}, clean answers ≥ "
        f"{TARGETS.min_clean:.0%}, loops ≤ {TARGETS.max_loops:.0%}, frame ≤ {TARGETS.max_frame:.0%}, the behaviour within "
        f"{TARGETS.max_steps_to_behaviour} steps (the run's arrival rule: the training share's 5-step mean at 0.5, or the "
        "greedy probe), every guard holding, on 3 seeds in bf16 and in fp32. The sampled share, read at the run's training "
        "temperature, is shown beside and not judged, and so are the content share (content four-letter words, wordfreq "
        "Zipf < 5.7, as a share of all words) and the four-letter vocabulary (distinct four-letter words across the "
        "greedy answers), before → after training. "
        + (
            f"Runs meeting every target: {', '.join(met)}."
            if met
            else "No run meets every target; each shortfall is marked."
        )
        + "\n\n"
        + tabulate(
            rows,
            headers=[
                "run",
                "precision",
                "share (greedy)",
                "share (sampled)",
                "clean (greedy)",
                "loops (greedy)",
                "frame (greedy)",
                "steps to behaviour",
                "guards",
                "verdict (stop)",
                "content (greedy)",
                "4-letter vocabulary",
            ],
            tablefmt="github",
        )
    )
