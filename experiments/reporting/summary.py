"""results/summary.md, lesson first: the mission's table, findings, one figure per lesson group, what changed.

Regenerated after every run and by ``python -m experiments.report``. Every sentence is
built from the RunRecords it describes; the full table is results/runs.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tabulate import tabulate

from experiments.files import atomic_write_text
from experiments.registry import BASELINE, CONFIGS, GROUPS
from experiments.registry.first_lesson import HEADLINE
from experiments.reporting.figures import MAX_CURVES, curves_of, plot_group, plot_probe, probe_curves
from experiments.reporting.record import RunRecord
from experiments.reporting.runs_table import family_of, render_runs, seeds_of
from experiments.reporting.summary_file import read_answers
from experiments.reporting.targets import render_targets
from experiments.training.recorder import read_metrics

ANSWER_CHARS = 70
NO_STOP_RULE = "stop not recorded"


def write_report(results_dir: Path, summary: dict[str, Any]) -> None:
    runs = [RunRecord.from_dict(row) for row in summary["runs"]]
    figures = draw_figures(results_dir, runs)
    atomic_write_text(results_dir / "runs.md", render_runs(summary, runs))
    atomic_write_text(results_dir / "summary.md", render_summary(results_dir, summary, runs, figures))


def render_summary(results_dir: Path, summary: dict[str, Any], runs: list[RunRecord], figures: dict[str, list[str]]) -> str:
    parts = [
        "# Language Kindergarten: results",
        "Written by the suite from real runs; regenerate with `python -m experiments.report`. Every run in full: [runs.md](runs.md).",
        produced_on(runs),
        "## Findings",
        "\n".join(f"- {line}" for line in findings(runs)),
        "## The first lesson, answer by answer: targets and shortfalls",
        render_targets(results_dir, runs),
        "## The lessons",
        tabulate([lesson_row(results_dir, group, entry, seeds) for group, entry, seeds in entries_run(runs)],
                 headers=["lesson", "entry", "what changed", "share before → after", "clean answers", "guards", "verdict",
                          "lesson learned", "one answer: before → after"],
                 tablefmt="github"),
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
    parts += ["## Thresholds (declared before any run)",
              ", ".join(f"`{key}` {value}" for key, value in summary["thresholds"].items()) + "; meanings in [runs.md](runs.md)."]
    return "\n\n".join(parts) + "\n"


def not_run(runs: list[RunRecord]) -> str:
    """The declared runs with no row yet, so a seed that was never run is not mistaken for one that was left out."""
    done = {run.name for run in runs}
    missing = [config.name for config in CONFIGS if config.name not in done]
    return f"Declared and not run yet ({len(missing)}): " + (", ".join(f"`{name}`" for name in missing) or "none") + "."


def entries_run(runs: list[RunRecord]) -> list[tuple[Any, Any, list[RunRecord]]]:
    """(group, registry entry, its runs) for every entry with at least one run, in registry order; the tiny smoke run left out."""
    rows = []
    for group in GROUPS:
        for entry in group.ENTRIES:
            seeds = seeds_of(runs, entry.name)
            if seeds and entry.name != "smoke":
                rows.append((group, entry, seeds))
    return rows


def lesson_row(results_dir: Path, group, entry, seeds: list[RunRecord]) -> list[str]:
    failed = sorted({guard for run in seeds for guard in run.failed_guards})
    counted = max(len(run.guards) for run in seeds)
    guards = f"all {counted} held" if all(run.judged_by_all_guards for run in seeds) else "5/5 (old)" if not failed else ""
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
        return ("+" if all(isinstance(v, str) for v in value) else ":").join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def first_answer(results_dir: Path, name: str) -> str:
    """The first held-out prompt's greedy answer before and after, from answers.json (or samples.md in older runs)."""
    answers = results_dir / name / "answers.json"
    if answers.exists():
        row = (read_answers(answers) or [{"before": "", "after": ""}])[0]
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


def findings(runs: list[RunRecord]) -> list[str]:
    """At most ten lines, each a claim with its numbers, built from the rows."""
    lines = []
    for name in HEADLINE:
        seeds = seeds_of(runs, name)
        if seeds:
            precision = seeds[0].precision.precision if seeds[0].precision else "bf16"
            working = sum(run.verdict == "works" and run.after.share >= 0.5 for run in seeds)
            verdicts = ", ".join(
                r.verdict + (f" ({', '.join(r.failed_guards)})" if r.failed_guards else "") + ("" if r.judged_by_all_guards else " (5 guards)")
                for r in seeds
            )
            relevance = "/".join(nats(r.after.relevance) for r in seeds if r.after.relevance is not None)
            lines.append(
                f"`{name}` ({precision}): works with held-out share ≥ 0.5 on {working} of {len(seeds)} seeds ({verdicts}); "
                f"share {seeds[0].before.share:.2f} → {'/'.join(f'{r.after.share:.3f}' for r in seeds)}"
                + (f", relevance {nats(seeds[0].before.relevance)} → {relevance} nats/token" if relevance else "")
                + f", distinct-2 {seeds[0].before.distinct2:.2f} → {'/'.join(f'{r.after.distinct2:.2f}' for r in seeds)}"
                + f", steps {', '.join(f'{r.steps_trained} ({r.stop_reason or NO_STOP_RULE})' for r in seeds)}."
            )
    judged = [
        run for run in runs
        if run.judged_by_all_guards and None not in (run.after.relevance, run.after.template) and run.model != "tiny-gpt2"
    ]
    if judged:
        lines.append(
            f"What keeps an answer an answer (relevance → template after, from {judged[0].before.relevance:.2f} → "
            f"{judged[0].before.template:.2f} before): "
            + ", ".join(keeps_an_answer(family, [r for r in judged if family_of(r) == family]) for family in dict.fromkeys(map(family_of, judged)))
            + "."
        )
    if judged:
        failed = {g: [run.name for run in judged if not run.guards[g]] for g in ("relevance", "template")}
        lines.append(
            f"Of {len(judged)} runs judged by the relevance and template guards, relevance failed on {len(failed['relevance'])} "
            f"({', '.join(failed['relevance']) or 'none'}) and template on {len(failed['template'])} ({', '.join(failed['template']) or 'none'})."
        )
    refuted = [run.name for run in runs if not run.hypothesis_held and run.model != "tiny-gpt2"]  # the smoke run checks plumbing
    old = [run.name for run in runs if not run.judged_by_all_guards]
    lines.append(
        f"{len(refuted)} of {len(runs)} hypotheses were refuted and stay as declared (strict xfails): {', '.join(refuted)}."
        + (f" {len(old)} runs predate the relevance and template guards and are judged by the first five only." if old else "")
    )
    for lever in ("lora",):
        seeds = seeds_of(runs, lever)
        base = seeds_of(runs, BASELINE.name)
        if seeds and base and seeds[0].mean_step_time_s and base[0].mean_step_time_s:
            lines.append(
                f"LoRA: {seeds[0].mean_step_time_s:.1f} s a step against the baseline's {base[0].mean_step_time_s:.1f} s (seed 0, same machine), "
                f"{seeds[0].steps_trained} steps, verdict {seeds[0].verdict}."
            )
    return lines[:10]


def nats(value: float, digits: int = 2) -> str:
    """Rounded, without the minus of a value that rounds to zero.

    >>> nats(-0.0002), nats(-0.5), nats(1.444), nats(-0.0001, 3)
    ('0.00', '-0.50', '1.44', '0.000')
    """
    return f"{round(value, digits) + 0.0:.{digits}f}"  # + 0.0 turns -0.0 into 0.0


def keeps_an_answer(family: str, seeds: list[RunRecord]) -> str:
    """One family's relevance → template after, and its share, over its seeds (each seed's figure, min-max when several)."""

    def spread(values: list[float], digits: int) -> str:
        low, high = min(values), max(values)
        shown = [nats(v, digits) for v in (low, high)]
        return shown[0] if shown[0] == shown[1] else f"{shown[0]}-{shown[1]}"

    count = f" ×{len(seeds)}" if len(seeds) > 1 else ""
    return (
        f"`{family}`{count} {spread([r.after.relevance for r in seeds], 2)} → {spread([r.after.template for r in seeds], 2)} "
        f"at share {spread([r.after.share for r in seeds], 3)}"
    )


def changed_verdicts(runs: list[RunRecord]) -> str:
    rows = [
        [run.name, run.previous["verdict"], run.verdict, _why(run)]
        for run in runs if run.previous and run.previous.get("verdict") != run.verdict
    ]
    if not rows:
        return "No rerun changed a verdict."
    return tabulate(rows, headers=["run", "before", "now", "why"], tablefmt="github")


def _why(run: RunRecord) -> str:
    reasons = []
    if run.previous.get("hypothesis") != run.hypothesis:
        reasons.append("a new entry under this name")
    new_guards = sorted(set(run.guards) - set(run.previous.get("guards") or {}))
    if new_guards:
        reasons.append("judged also by " + ", ".join(new_guards))
    if run.failed_guards:
        reasons.append("failed " + ", ".join(run.failed_guards))
    return "; ".join(reasons) or "a new trajectory (precision or packages)"


def produced_on(runs: list[RunRecord]) -> str:
    """Where the runs come from: CPU, precisions (with the probe's timings), packages; so a reader can tell a rerun apart."""
    latest = max((run for run in runs if run.environment.get("cpu")), key=lambda run: run.environment.get("date", ""), default=None)
    if latest is None:
        return "Produced before the environment was recorded in full."
    env = latest.environment
    probes = sorted({r.precision.shown() for r in runs if r.precision})
    packages = ", ".join(f"{name} {version}" for name, version in env["packages"].items() if version)
    return (
        f"Latest runs produced on {env['device']}, CPU {env['cpu']} (native bf16: {'yes' if env['cpu_native_bf16'] else 'no'}), "
        f"{env['date']}; precisions {'; '.join(probes)}; {packages}; packages hash {env['packages_hash']}, lock {env['lock_hash']}."
    )


def machine_differences(runs: list[RunRecord]) -> list[str]:
    """How this machine differs from the one that produced the runs: CPU, packages, lock file."""
    from experiments.precision import cpu_model
    from experiments.reporting.environment import environment

    here = environment()
    seen = [run.environment for run in runs if run.environment.get("cpu")]
    differences = []
    for key, label in (("cpu", "CPU"), ("packages_hash", "installed packages"), ("lock_hash", "lock file")):
        theirs = sorted({str(env.get(key)) for env in seen})
        if theirs and str(here.get(key)) not in theirs:
            differences.append(f"{label}: results from {', '.join(theirs)}, this machine {here.get(key)}")
    return differences or ([] if seen else [f"the committed runs do not record their CPU; this one is {cpu_model()}"])


def draw_figures(results_dir: Path, runs: list[RunRecord]) -> dict[str, list[str]]:
    """figures/<group>[-N].png for each lesson group: its entries' first seeds, at most five beside the bold baseline."""
    by_name = {run.name: run for run in runs}
    baseline = by_name.get(BASELINE.name)
    drawn: dict[str, list[str]] = {}
    for group in GROUPS:
        names = [entry.name for entry in group.ENTRIES if entry.name in by_name and entry.name not in ("smoke", BASELINE.name)]
        chunks = [names[i : i + MAX_CURVES - 1] for i in range(0, len(names), MAX_CURVES - 1)]
        for number, chunk in enumerate(chunks, start=1):
            chosen = ([BASELINE.name] if baseline else []) + chunk
            curves = {name: curves_of(read_metrics(results_dir / name / "metrics.jsonl"), by_name[name].objective) for name in chosen}
            relative = f"figures/{group.__name__.rsplit('.', 1)[-1]}" + (f"-{number}" if len(chunks) > 1 else "") + ".png"
            plot_group(results_dir / relative, group.__doc__, curves, bold=BASELINE.name)
            drawn.setdefault(group.__name__, []).append(relative)
    for run in runs:
        probed = probe_curves(read_metrics(results_dir / run.name / "metrics.jsonl"), run.objective)
        if probed["greedy probe share"] and (results_dir / run.name).is_dir():
            plot_probe(results_dir / run.name / "probe.png", f"{run.name}: training share against the greedy probe", probed)
    return drawn
