"""One figure per lesson group: the objective, the KL to the base model and the policy's entropy, against steps.

At most six curves a figure (the group's entries on their first seed, the baseline
drawn bold), so that each line can be told from the others and the legend covers none.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from experiments.files import atomic_write_bytes
from experiments.registry import BASELINE, FIRST_BASELINE, GROUPS
from experiments.reporting.record import RunRecord
from experiments.training.recorder import read_metrics

MAX_CURVES = 6
# The registry's plumbing entry (a random tiny GPT-2, experiments/registry/baseline.py): no lesson, so no curve or row.
SMOKE = "smoke"
PANELS = (
    ("objective", "objective: training mean of the first reward (four-letter share)"),
    ("kl", "KL to the base model"),
    ("entropy", "entropy (nats/token, tempered): a collapse under a third of its start"),
)
# Lessons on today's baseline, where probed, also show what the reader sees during training: the greedy probe's share and loops.
PROBE_PANELS = (
    ("objective", "training share (sampled completions)"),
    ("probe_share", "greedy probe: share"),
    ("probe_loops", "greedy probe: answers that loop"),
    ("kl", "KL to the base model"),
)
KEYS = {"kl": "kl", "entropy": "entropy", "probe_share": "probe/share", "probe_loops": "probe/loops"}


def curves_of(rows: list[dict[str, Any]], objective: str) -> dict[str, list[tuple[int, float]]]:
    """Each panel's (step, value) points from a run's metrics rows; rewards only on the steps that generate."""
    keys = {"objective": f"rewards/{objective}/mean", **KEYS}
    return {
        panel: [(r["step"], r[key]) for r in rows if isinstance(r.get(key), (int, float))]
        for panel, key in keys.items()
    }


def plot_group(
    path: Path,
    title: str,
    runs: dict[str, dict[str, list[tuple[int, float]]]],
    bold: str,
    panels: tuple[tuple[str, str], ...] = PANELS,
) -> None:
    """Draw up to ``MAX_CURVES`` runs side by side, one panel each of ``panels``; ``bold`` names the baseline."""
    if len(runs) > MAX_CURVES:
        raise ValueError(f"{title}: {len(runs)} curves in one figure; split the group into figures of {MAX_CURVES}")
    figure = Figure(figsize=(5 * len(panels), 4.2))  # no pyplot: the caller's matplotlib backend is left as it was
    axes = figure.subplots(1, len(panels))
    for axis, (panel, label) in zip(axes, panels):
        for name, curves in runs.items():
            points = curves.get(panel, [])
            if points:
                steps, values = zip(*points)
                axis.plot(
                    steps,
                    values,
                    label=name,
                    linewidth=3 if name == bold else 1.2,
                    color="black" if name == bold else None,
                )
        axis.set_title(label, fontsize="small")
        axis.set_xlabel("step")
    handles, labels = axes[0].get_legend_handles_labels()
    if handles:
        figure.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize="small", frameon=False)
    figure.suptitle(title)
    figure.tight_layout(rect=(0, 0.1, 1, 0.95))
    buffer = BytesIO()
    figure.savefig(buffer, format="png", dpi=72)
    atomic_write_bytes(path, buffer.getvalue())


def probe_curves(rows: list[dict[str, Any]], objective: str) -> dict[str, list[tuple[int, float]]]:
    """A run's training objective against the greedy probe's share and loops, per step, and with greedy members the
    greedy member's reward minus its group's mean (below 0: the mode is worse than the samples); empty for runs made
    before the probe."""
    keys = {
        "training share (sampled)": f"rewards/{objective}/mean",
        "greedy probe share": "probe/share",
        "greedy probe loops": "probe/loops",
        "greedy member − group mean (reward)": "greedy/reward_gap",
    }
    return {
        label: [(r["step"], r[key]) for r in rows if isinstance(r.get(key), (int, float))]
        for label, key in keys.items()
    }


def plot_probe(path: Path, title: str, curves: dict[str, list[tuple[int, float]]]) -> None:
    """One run: what training was paid for (sampled completions) beside what a reader sees (greedy answers)."""
    figure = Figure(figsize=(7, 4))
    axis = figure.subplots()
    for (label, points), style in zip(curves.items(), ("-", "o-", "s--", ":")):
        if points:
            steps, values = zip(*points)
            axis.plot(steps, values, style, label=label, markersize=4)
    lowest = min((value for points in curves.values() for _step, value in points), default=0.0)
    axis.set_ylim(lowest - 0.05 if lowest < 0 else 0, 1)  # below 0 only for a greedy member worse than its group
    if lowest < 0:
        axis.axhline(0, color="grey", linewidth=0.5)
    axis.set_xlabel("step")
    axis.set_title(title, fontsize="small")
    axis.legend(fontsize="small", frameon=False)
    figure.tight_layout()
    buffer = BytesIO()
    figure.savefig(buffer, format="png", dpi=72)
    atomic_write_bytes(path, buffer.getvalue())


def draw_figures(results_dir: Path, runs: list[RunRecord]) -> dict[str, list[str]]:
    """figures/<group>[-N].png for each lesson group: its entries' first seeds, at most five beside the bold baseline."""
    by_name = {run.name: run for run in runs}
    drawn: dict[str, list[str]] = {}
    for group in GROUPS:
        # History groups vary the first baseline: their curves are drawn against it, every other group's against today's.
        history = (group.__doc__ or "").startswith("On the first baseline")
        reference = FIRST_BASELINE.name if history else BASELINE.name
        names = [
            entry.name
            for entry in group.ENTRIES
            if entry.name in by_name and entry.name not in (SMOKE, BASELINE.name, FIRST_BASELINE.name)
        ]
        chunks = [names[i : i + MAX_CURVES - 1] for i in range(0, len(names), MAX_CURVES - 1)]
        for number, chunk in enumerate(chunks, start=1):
            chosen = ([reference] if reference in by_name else []) + chunk
            curves = {
                name: curves_of(read_metrics(results_dir / name / "metrics.jsonl"), by_name[name].objective)
                for name in chosen
            }
            relative = (
                f"figures/{group.__name__.rsplit('.', 1)[-1]}" + (f"-{number}" if len(chunks) > 1 else "") + ".png"
            )
            with_probe = not history and any(curves[name]["probe_share"] for name in chunk)
            panels = PROBE_PANELS if with_probe else PANELS
            plot_group(results_dir / relative, group.__doc__ or "", curves, bold=reference, panels=panels)
            drawn.setdefault(group.__name__, []).append(relative)
    for run in runs:
        probed = probe_curves(read_metrics(results_dir / run.name / "metrics.jsonl"), run.objective)
        if probed["greedy probe share"] and (results_dir / run.name).is_dir():
            plot_probe(
                results_dir / run.name / "probe.png", f"{run.name}: training share against the greedy probe", probed
            )
    return drawn
