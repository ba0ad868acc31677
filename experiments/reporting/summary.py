"""results/summary.md, lesson first: the mission's table, findings, one figure per lesson group, what changed.

Regenerated after every run and by ``python -m experiments.report``. Every sentence is
built from the RunRecords it describes; the full table is results/runs.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tabulate import tabulate

from experiments.files import atomic_write_text
from experiments.registry import CONFIGS, HISTORY, HISTORY_GROUPS, HISTORY_RUNS, LESSON_GROUPS, gpu
from experiments.reporting.figures import draw_figures
from experiments.reporting.findings import findings, produced_on
from experiments.reporting.front_page import environment_line, five_answers, front_findings
from experiments.reporting.lessons_table import on_the_baseline, render_lessons
from experiments.reporting.pooled_levers import POOLED_PAGE, render_pooled
from experiments.reporting.record import RunRecord
from experiments.reporting.runs_table import render_runs
from experiments.reporting.targets import render_targets
from experiments.reporting.tune_table import study_sections


def write_report(results_dir: Path, summary: dict[str, Any]) -> None:
    runs = [RunRecord.from_dict(row) for row in summary["runs"]]
    figures = draw_figures(results_dir, runs)
    changed = f"\n## Verdicts that changed\n\n{changed_verdicts(runs)}\n"  # the full list, one link from summary.md
    produced = f"\n## Where the runs were produced\n\n{produced_on(runs)}\n"  # every precision measured, and versions
    atomic_write_text(results_dir / "runs.md", render_runs(summary, runs) + produced + changed)
    if not (results_dir / "trials.json").exists() and (pooled := render_pooled(results_dir)) is not None:
        atomic_write_text(results_dir / POOLED_PAGE, pooled)  # before summary.md, which links it
    atomic_write_text(results_dir / "summary.md", render_summary(results_dir, summary, runs, figures))


def render_summary(
    results_dir: Path, summary: dict[str, Any], runs: list[RunRecord], figures: dict[str, list[str]]
) -> str:
    """The page a results folder opens with: a study's, the history wing's, or today's lessons' (results/)."""
    if (results_dir / "trials.json").exists():
        return render_study_page(results_dir, summary, runs)
    if results_dir.name == HISTORY:
        return render_history_page(results_dir, summary, runs, figures)
    parts = [
        "# Language Kindergarten: results",
        "Written by the suite from real runs; regenerate with `python -m experiments.report`. Every run in full: "
        f"[runs.md](runs.md); the earlier baselines, candidates and searches: [{HISTORY}/summary.md]({HISTORY}/summary.md).",
        environment_line(runs),
        "## The first lesson: the baseline against its targets",
        render_targets(results_dir, runs),
        "## Five answers, before and after training",
        five_answers(results_dir, runs),
        "## The lessons",
        render_lessons(results_dir, runs),
        LESSONS_NOTE,
        "## Findings",
        "\n".join(f"- {line}" for line in front_findings(runs)),
        *wing_tail(results_dir, summary, runs, figures, history=False),
    ]
    return "\n\n".join(parts) + "\n"


LESSONS_NOTE = (
    "Share: the objective (first reward) over sampled answers to 40 held-out prompts. Guards: the language survived "
    "(reference perplexity, distinct-2, repeated 3-grams, real words, length), each answer still answers its question "
    "(relevance, template), and the answers read one by one neither loop nor share one frame (loops, frame). Clean "
    "answers: held-out greedy answers whose own share is ≥ 0.5, that do not loop, and whose first six words open no "
    "other answer."
)


def render_history_page(
    results_dir: Path, summary: dict[str, Any], runs: list[RunRecord], figures: dict[str, list[str]]
) -> str:
    """results/history/summary.md: the earlier baselines, the candidates against the targets, the explorations and
    the searches, with every finding in full."""
    parts = [
        "# Language Kindergarten: the history",
        "Earlier baselines, candidates, explorations and searches, kept whole and still reproducible (their entries: "
        "experiments/registry/history/, run with `--run-long`). Written by the suite from real runs; regenerate with "
        "`python -m experiments.report`. Every run in full: [runs.md](runs.md); today's lessons: "
        "[../summary.md](../summary.md).",
        environment_line(runs),
        "## Findings",
        "\n".join(f"- {line}" for line in findings(runs)),
        "## The first lesson's candidates, answer by answer: targets and shortfalls",
        render_targets(results_dir, runs, today=False),
        "## The lessons on the first baseline",
        render_lessons(results_dir, runs),
        LESSONS_NOTE + " `5/5 (old)` marks runs judged before the relevance and template guards existed; runs "
        "recorded before the per-answer guards were judged by them from their answers.json (`python -m "
        "experiments.report --rejudge`).",
        *wing_tail(results_dir, summary, runs, figures, history=True),
    ]
    return "\n\n".join(parts) + "\n"


def wing_tail(
    results_dir: Path, summary: dict[str, Any], runs: list[RunRecord], figures: dict[str, list[str]], history: bool
) -> list[str]:
    """How either wing's page ends: its declared runs not run yet, runs without a verdict, its groups' figures, its
    searches (under the folder's tune/), the verdicts that changed, and the thresholds."""
    return [
        not_run(runs, history),
        *not_judged(summary),
        *group_figures(HISTORY_GROUPS if history else LESSON_GROUPS, figures),
        *searches(results_dir),
        f"Verdicts that changed since their runs, and why: [runs.md](runs.md#verdicts-that-changed) ({changed_count(runs)}).",
        *thresholds(summary),
    ]


def searches(results_dir: Path) -> list[str]:
    """The studies under the folder's tune/, one row each, and the link to their lever-by-lever page; none: []."""
    pooled = (results_dir / POOLED_PAGE).exists()
    link = f"Lever by lever across every complete trial of these searches: [{POOLED_PAGE}]({POOLED_PAGE})."
    return study_sections(results_dir) + ([link] if pooled else [])


def group_figures(groups: tuple[Any, ...], figures: dict[str, list[str]]) -> list[str]:
    """A group's figures side by side, one paragraph a group (the page stays short)."""
    return [
        " ".join(f"![{group.__doc__}]({path})" for path in paths)
        for group in groups
        if (paths := figures.get(group.__name__, []))
    ]


def render_study_page(results_dir: Path, summary: dict[str, Any], runs: list[RunRecord]) -> str:
    """A study's own summary.md (its folder holds trials.json): its trials and what they show, without the suite's
    first-lesson targets, lessons and declared entries, which no trial run belongs to."""
    parts = [
        "# Language Kindergarten: a search",
        "Written by the suite from the trials' real runs; regenerate with `python -m experiments.report --results_dir "
        f"{wing_of_study(results_dir)}/tune/{results_dir.name}`. Each trial's seed runs in full: [runs.md](runs.md); "
        "the wing's results: [summary.md](../../summary.md).",
        environment_line(runs),
        *study_sections(results_dir),
        "## Findings",
        "\n".join(f"- {line}" for line in findings(runs)),
        *thresholds(summary),
    ]
    return "\n\n".join(parts) + "\n"


def wing_of_study(study_dir: Path) -> str:
    """The results folder a study's folder sits in, as the command to redraw it names it.

    >>> wing_of_study(Path("results/history/tune/vocab")), wing_of_study(Path("results/tune/next"))
    ('results/history', 'results')
    """
    return f"results/{HISTORY}" if study_dir.parent.parent.name == HISTORY else "results"


def thresholds(summary: dict[str, Any]) -> list[str]:
    """The guards' thresholds, heading and line, as both the suite's page and a study's end."""
    return [
        "## Thresholds (declared before any run)",
        ", ".join(f"`{key}` {value}" for key, value in summary["thresholds"].items())
        + "; meanings in [runs.md](runs.md).",
    ]


def not_run(runs: list[RunRecord], history: bool) -> str:
    """The wing's declared runs with no row yet, so a seed that was never run is not mistaken for one left out."""
    done = {run.name for run in runs}
    missing = [c.name for c in CONFIGS if c.name not in done and (c.name in HISTORY_RUNS) == history]
    gpu_history = [entry.name for entry in gpu.ENTRIES if not on_the_baseline(entry)]
    return (
        f"Declared and not run yet ({len(missing)}): "
        + (", ".join(f"`{name}`" for name in missing) or "none")
        + "."
        + (
            " GPU lessons not rerun on `baseline` (they need a lent GPU; their runs vary the first baseline): "
            + (", ".join(f"`{name}`" for name in gpu_history) or "none")
            + "."
            if history
            else ""
        )
    )


def not_judged(summary: dict[str, Any]) -> list[str]:
    """The runs that got no verdict and so have no row (they did not train, or a guard could not be computed), with why;
    nothing where there are none."""
    notes = summary.get("not_judged")
    if not isinstance(notes, dict) or not notes:
        return []
    listed = "; ".join(
        f"`{name}`: {note.get('reason') if isinstance(note, dict) else note}" for name, note in notes.items()
    )
    return [
        "Runs without a verdict (a row is only for a run that trained at least one step with a non-zero gradient and "
        f"whose every guard could be computed): {listed}."
    ]


def changed_count(runs: list[RunRecord]) -> str:
    """How many verdicts a rerun or a rejudging changed, in words, for summary.md's one line."""
    count = sum(1 for line in changed_verdicts(runs).splitlines()[2:] if line.startswith("|"))
    return f"{count} changed" if count else "none changed"


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
