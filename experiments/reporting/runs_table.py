"""results/runs.md: every run in full, for the reader who wants all columns; summary.md links here.

Every number comes from a RunRecord or a benchmark file; nothing is typed in by hand.
"""

from __future__ import annotations

import dataclasses
import statistics
from typing import Any

from tabulate import tabulate

from experiments.evaluation.verdicts import Thresholds
from experiments.registry import BASELINE, BASELINE_GRPO_CHANGES, GPU_LEVER_RUNS, REGISTRY, SPEED_LEVER_RUNS
from experiments.reporting.record import RunRecord, family_of, seeds_of
from experiments.reporting.speed_tables import breakdown_section, speed_section
from experiments.training.stop_rules import BEHAVIOUR_LEVEL, BEHAVIOUR_WINDOW

KNOBS = (
    "beta",
    "loss_type",
    "epsilon",
    "num_generations",
    "temperature",
    "scale_rewards",
    "num_iterations",
    "gradient_accumulation_steps",
)
GUARD_COLUMNS = (
    ("ref_ppl", "ref ppl", ".1f"),
    ("distinct2", "d2", ".2f"),
    ("repeat3", "rep3", ".2f"),
    ("real_words", "real", ".2f"),
    ("relevance", "relevance", ".2f"),
    ("template", "template", ".2f"),
    ("loops", "loops", ".2f"),
    ("frame", "frame", ".2f"),
)


def render_runs(summary: dict[str, Any], runs: list[RunRecord]) -> str:
    suite_total, long_total, gpu_total = suite_seconds(runs)
    families = list(dict.fromkeys(family_of(run) for run in runs))
    return (
        "\n\n".join(
            [
                "# Language Kindergarten: every run",
                "Written by the suite from real runs; the lessons and findings are in [summary.md](summary.md).",
                "## Runs",
                tabulate([_row(run) for run in runs], headers=ROW_HEADERS, tablefmt="github"),
                "Share: mean of the run's objective over sampled answers to held-out prompts. ✗ marks a failed guard; "
                "`—` a guard the run was judged without (it predates the relevance and template guards).",
                "## Seeds",
                tabulate(
                    [spread for family in families if (spread := seed_spread(seeds_of(runs, family)))],
                    headers=["entry", "seeds", "share after: mean ± sd", "min", "max", "steps", "verdicts"],
                    tablefmt="github",
                ),
                "## Training signals",
                tabulate([_signals(run) for run in runs], headers=SIGNAL_HEADERS, tablefmt="github", floatfmt=".3f"),
                "## Speed (`python -m experiments.benchmark`)",
                speed_section(summary.get("benchmark"), runs, SPEED_LEVER_RUNS, "lever"),
                speed_section(summary.get("benchmark_gpu"), runs, GPU_LEVER_RUNS, "GPU lever")
                if summary.get("benchmark_gpu")
                else "",
                breakdown_section(summary.get("step_breakdown")),
                "## TRL defaults the baseline changed, and why",
                tabulate(
                    [[k, v, why] for k, (v, why) in BASELINE_GRPO_CHANGES.items()],
                    headers=["GRPOConfig field", "value", "why"],
                    tablefmt="github",
                ),
                "Kept at TRL's defaults: "
                + ", ".join(f"`{k}`={v!r}" for k, v in trl_defaults_kept().items())
                + ". Not GRPOConfig fields: "
                f"training stops when the objective's {BEHAVIOUR_WINDOW}-step mean reaches {BEHAVIOUR_LEVEL} (or, with `arrival` "
                "'probe', when the greedy probe reaches the stop level with loops and frame within their guards), when the greedy "
                "probe loops in 3 of 8 answers twice in a row, or when the entropy's falls under a third of its first 5-step mean "
                f"(`stop_at_behaviour`), with `steps` = {BASELINE.steps} as the cap.",
                "## Thresholds (declared before any run)",
                tabulate(
                    [[k, v, Thresholds.meanings().get(k, "")] for k, v in summary["thresholds"].items()],
                    headers=["threshold", "value", "meaning"],
                    tablefmt="github",
                ),
                "## Time",
                f"Suite (`pytest -m train --run-slow`): {suite_total / 60:.0f} min; long lessons (`pytest -m long --run-long`): "
                f"{long_total / 60:.0f} min; GPU lessons: {gpu_total / 60:.1f} min; train and evaluation, as last run.",
            ]
        )
        + "\n"
    )


ROW_HEADERS = [
    "run",
    "overrides",
    "precision",
    "steps (stop)",
    "to 0.5 (s)",
    "share",
    *[c[1] for c in GUARD_COLUMNS],
    "clean",
    "commonest phrase",
    "verdict",
    "expected",
]
SIGNAL_HEADERS = [
    "run",
    "objective",
    "final train reward",
    "mean KL",
    "final entropy",
    "frac_reward_zero_std",
    "s/step",
]


def _row(run: RunRecord) -> list[Any]:
    guards = []
    for key, _label, fmt in GUARD_COLUMNS:
        before, after = getattr(run.before, key), getattr(run.after, key)
        if key not in run.guards or before is None:
            guards.append("—")
        else:
            guards.append(f"{_figure(before, fmt)}→{_figure(after, fmt)}" + ("" if run.guards[key] else " ✗"))
    precision = run.precision.precision if run.precision else "bf16 (fixed)"
    steps = steps_cell(run)
    overrides = ", ".join(f"{k}={v}" for k, v in run.overrides.items()) or "—"
    clean = "—" if run.after.clean is None else f"{run.before.clean:.0%}→{run.after.clean:.0%}"
    phrase = "—" if run.after.frame_phrase is None else f'"{run.after.frame_phrase}" {run.after.frame:.0%}'
    return [
        run.name,
        overrides,
        precision,
        steps,
        run.training.time_to_behaviour_s or "—",
        f"{run.before.share:.2f}→{run.after.share:.2f}",
        *guards,
        clean,
        phrase,
        run.verdict,
        run.expected + ("" if run.hypothesis_held else " (refuted)"),
    ]


def steps_cell(run: RunRecord) -> str:
    """Steps trained of the cap, why training stopped, and with keep="best" the step whose weights were kept.

    >>> from experiments.evaluation.measurements import TrainingOutcome
    >>> from types import SimpleNamespace as Run
    >>> steps_cell(Run(steps=60, training=TrainingOutcome(steps_trained=45, stop_reason="patience", kept_step=20)))
    'kept 20 / 45 of 60 (patience)'
    >>> steps_cell(Run(steps=60, training=TrainingOutcome(steps_trained=60, stop_reason="step cap")))
    '60 of 60 (step cap)'
    """
    trained = run.training.steps_trained if run.training.steps_trained is not None else run.steps
    kept = f"kept {run.training.kept_step} / " if run.training.kept_step is not None else ""
    return f"{kept}{trained} of {run.steps}" + (f" ({run.training.stop_reason})" if run.training.stop_reason else "")


def _figure(value: float | None, fmt: str) -> str:
    """A measure as the table shows it: huge ones (a perplexity past a million, after an lr of 1.0) in three figures.

    >>> _figure(12.345, ".1f"), _figure(8.9e222, ".1f"), _figure(None, ".2f")
    ('12.3', '8.9e+222', '—')
    """
    if value is None:
        return "—"
    return f"{value:.3g}" if abs(value) >= 1e6 else f"{value:{fmt}}"


def _signals(run: RunRecord) -> list[Any]:
    return [
        run.name,
        run.objective,
        run.training.final_train_reward,
        run.training.mean_kl,
        run.training.final_entropy,
        run.training.mean_frac_reward_zero_std,
        run.training.mean_step_time_s,
    ]


def seed_spread(seeds: list[RunRecord]) -> list[Any] | None:
    """Share after over an entry's seeds, with its steps and verdicts; None for an entry run on one seed."""
    if len(seeds) < 2:
        return None
    shares = [run.after.share for run in seeds]
    steps = ", ".join(str(run.training.steps_trained) for run in seeds)
    return [
        family_of(seeds[0]),
        len(seeds),
        f"{statistics.mean(shares):.3f} ± {statistics.stdev(shares):.3f}",
        min(shares),
        max(shares),
        steps,
        ", ".join(run.verdict for run in seeds),
    ]


def suite_seconds(runs: list[RunRecord]) -> tuple[float, float, float]:
    """Train + eval seconds of the suite, of the long lessons and of the GPU lessons, by the registry's tier today."""
    seconds = {"suite": 0.0, "long": 0.0, "gpu": 0.0}
    for run in runs:
        entry = REGISTRY.get(run.name)
        tier = "gpu" if entry and entry.on_gpu else "long" if (entry.long if entry else run.long) else "suite"
        seconds[tier] += run.training.wall_clock_s + run.eval_s
    return seconds["suite"], seconds["long"], seconds["gpu"]


def trl_defaults_kept() -> dict[str, Any]:
    """GRPO's own knobs the baseline leaves alone, with TRL's default values read from GRPOConfig itself."""
    from trl import GRPOConfig

    defaults = {f.name: f.default for f in dataclasses.fields(GRPOConfig)}
    return {key: defaults[key] for key in KNOBS if key not in BASELINE.grpo}
