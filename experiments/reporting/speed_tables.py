"""The speed tables of results/runs.md: each benchmark file's step times beside the runs that train each lever, and where one
entry's step goes."""

from __future__ import annotations

from typing import Any

from tabulate import tabulate

from experiments.reporting.record import RunRecord, seeds_of


def trained_outcome(entry: str | None, runs: list[RunRecord]) -> list[Any]:
    """The runs that train a speed lever, every seed of them: a lever that breaks one seed is no speed-up."""
    if entry is None:
        return ["not trained", "", "", ""]
    seeds = seeds_of(runs, entry)
    if not seeds:
        return [entry, "not run yet", "", ""]
    seconds = ", ".join(
        "never" if r.training.time_to_behaviour_s is None else f"{r.training.time_to_behaviour_s:.0f}" for r in seeds
    )
    step_s = ", ".join(f"{r.training.mean_step_time_s:.1f}" if r.training.mean_step_time_s else "?" for r in seeds)
    return [
        entry + (f" (×{len(seeds)} seeds)" if len(seeds) > 1 else ""),
        ", ".join(r.verdict for r in seeds),
        seconds,
        step_s,
    ]


def speed_section(figures: dict[str, Any] | None, runs: list[RunRecord], lever_runs: dict[str, str], what: str) -> str:
    """One benchmark file's step times beside the runs that train each lever."""
    if not figures or "step_s" not in figures:
        return (
            "No benchmark file in this folder: `python -m experiments.benchmark` writes results/history/benchmark.json "
            "(the speed levers measured are the first baseline's; their table is in results/history/runs.md)."
        )
    rows = [
        [lever, seconds, figures["speedup_vs_project"][lever], *trained_outcome(lever_runs.get(lever), runs)]
        for lever, seconds in figures["step_s"].items()
    ]
    headers = [
        what,
        "s/step",
        "speed vs project",
        "trained as",
        "verdict",
        "time to behaviour (s)",
        "s/step in training",
    ]
    return (
        f"On {figures['environment']['device']}, {figures['environment']['date']}:\n\n"
        + tabulate(rows, headers=headers, tablefmt="github", floatfmt=".2f")
        + f"\n\nThe project's settings were timed first and last, {figures.get('project_drift', 0):.0%} apart; smaller differences are noise. "
        f"Project settings against TRL's defaults: ×{figures['speedup_project_vs_trl_default']:.2f}; MFU "
        f"{figures['mfu_vs_bf16_peak']:.2%} of a measured bf16 matmul peak; evaluation {figures.get('evaluation_completions_per_s', 0):.1f} completions/s."
    )


def breakdown_section(figures: dict[str, Any] | None) -> str:
    """Where one entry's step goes (`python -m experiments.benchmark --breakdown ENTRY`), three ways in one run."""
    if not figures:
        return (
            "No step breakdown in this folder: `python -m experiments.benchmark --breakdown ENTRY` writes "
            "step-breakdown.json where --results_dir says (results/history/ for the committed one)."
        )
    timings = figures["seconds_per_phase"]
    phases = list(next(iter(timings.values())))
    rows = [
        [
            label,
            *[f"{t[p]:.1f}" for p in phases],
            f"{figures['judge_share_of_step'][label]:.0%}",
            f"{figures['step_ratio_vs_without_relevance'][label]:.2f}×",
        ]
        for label, t in timings.items()
    ]
    env = figures["environment"]
    return (
        f"Step breakdown of `{figures['entry']}`, seconds per phase over {figures['timed_steps']} timed steps each, on {env['device']}, "
        f"CPU {env['cpu']}, {env['date']}:\n\n"
        + tabulate(rows, headers=["judge", *phases, "judge share", "step vs no relevance"], tablefmt="github")
    )
