"""results/summary.md and its plots, regenerated from summary.json data after every run.

Findings at the top are sentences built from the rows below them, so every number
in the report comes from a run; nothing here is typed in by hand.
"""

from __future__ import annotations

import dataclasses
import statistics
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from tabulate import tabulate  # noqa: E402

from experiments.configs import BASELINE, BASELINE_GRPO_CHANGES, GPU_LEVER_RUNS, REGISTRY, SPEED_LEVER_RUNS  # noqa: E402
from experiments.results import atomic_write_bytes, atomic_write_text  # noqa: E402
from experiments.training import BEHAVIOUR_LEVEL, BEHAVIOUR_WINDOW, read_metrics  # noqa: E402
from experiments.verdicts import THRESHOLD_MEANINGS  # noqa: E402

KNOBS = ("beta", "loss_type", "epsilon", "num_generations", "temperature", "scale_rewards", "num_iterations", "gradient_accumulation_steps")

CURVES = {
    "reward": "training reward (weighted sum)",
    "kl": "KL to the reference model",
    "entropy": "policy entropy (nats/token)",
    "completions/mean_length": "completion length (tokens)",
}


def write_report(results_dir: Path, summary: dict[str, Any]) -> None:
    runs = summary["runs"]
    metrics = {run["name"]: _metrics(results_dir, run["name"]) for run in runs}
    _plot_overlay(results_dir / "curves.png", metrics, [run["name"] for run in runs if run["model"] != "tiny-gpt2"])
    for name, rows in metrics.items():
        _plot_overlay(results_dir / name / "curves.png", {name: rows} | _baseline_of(name, metrics), None)
    atomic_write_text(results_dir / "summary.md", render_markdown(summary))


def render_markdown(summary: dict[str, Any]) -> str:
    runs = summary["runs"]
    environment = summary["environment"]
    suite_total, long_total, gpu_total = suite_seconds(runs)
    parts = [
        "# Language Kindergarten: results",
        "Written by the suite from real runs (`pytest -m train --run-slow`); do not edit by hand.",
        "## Findings",
        *findings(runs),
        "## Runs",
        tabulate([_row(run) for run in runs], headers=ROW_HEADERS, tablefmt="github", floatfmt=".2f"),
        "`share` is the mean of the run's objective (its first reward) over sampled answers to held-out prompts; "
        "guards: ref ppl = perplexity of prompts/reference.txt; d2 = distinct-2; rep3 = share of answers repeating a word 3-gram; "
        "real = share of words wordfreq knows as English. ✗ marks a failed guard.",
        *[part for family in seed_families(runs) for part in (f"## Seeds of `{family}`", seed_spread(runs, family))],
        "## Training signals",
        tabulate([_signals(run) for run in runs], headers=SIGNAL_HEADERS, tablefmt="github", floatfmt=".3f"),
        zero_std_note(runs),
        "![training curves of all runs](curves.png)",
        "Per-run curves and samples: " + ", ".join(f"[{r['name']}]({r['name']}/samples.md) ([curves]({r['name']}/curves.png))" for r in runs),
        "## Speed (pytest -m benchmark)",
        speed_section(summary.get("benchmark"), runs),
        *gpu_speed_section(summary.get("benchmark_gpu"), summary.get("benchmark"), runs),
        "## Baseline: TRL defaults changed, and why",
        tabulate([[k, v, why] for k, (v, why) in BASELINE_GRPO_CHANGES.items()], headers=["GRPOConfig field", "value", "why"], tablefmt="github"),
        "Kept at TRL's defaults: " + ", ".join(f"`{k}`={v!r}" for k, v in trl_defaults_kept().items()) + ". "
        f"Not a GRPOConfig field: the baseline stops when the training share's {BEHAVIOUR_WINDOW}-step mean reaches "
        f"{BEHAVIOUR_LEVEL} (`stop_at_behaviour`), with `steps` = {BASELINE.steps} as its cap.",
        "## Thresholds (declared before any run)",
        tabulate([[k, summary["thresholds"][k], THRESHOLD_MEANINGS[k]] for k in summary["thresholds"]], headers=["threshold", "value", "meaning"], tablefmt="github"),
        "## Environment",
        tabulate(
            [["python", environment["python"]], *[[p, v] for p, v in environment["packages"].items()],
             ["device", environment["device"]], ["platform", environment["platform"]], ["date", environment["date"]],
             ["seeds", ", ".join(f"{r['name']}={r['seed']}" for r in runs)],
             ["models", ", ".join(sorted({r['model'] for r in runs}))],
             ["suite time, train + eval (`pytest -m train --run-slow`)", f"{suite_total:.0f} s"],
             ["long lessons, train + eval (`pytest -m long --run-long`)", f"{long_total:.0f} s"],
             ["GPU lessons, train + eval (on a CUDA machine, `pytest -m gpu --run-slow`)", f"{gpu_total:.0f} s"]],
            headers=["", ""], tablefmt="github",
        ),
    ]
    return "\n\n".join(parts) + "\n"


def suite_seconds(runs: list[dict[str, Any]]) -> tuple[float, float, float]:
    """Train + eval seconds of the 90-minute suite, of the long lessons and of the GPU lessons.

    Which tier a run belongs to is read from the registry as it is now: rows written
    before a configuration moved to the long tier do not say so themselves.
    """
    def tier(run: dict[str, Any]) -> str:
        config = REGISTRY.get(run["name"])
        if config and config.on_gpu:
            return "gpu"
        return "long" if (config.long if config else run.get("long")) else "suite"

    seconds = {"suite": 0.0, "long": 0.0, "gpu": 0.0}
    for run in runs:
        seconds[tier(run)] += run["wall_clock_s"] + run.get("eval_s", 0)
    return seconds["suite"], seconds["long"], seconds["gpu"]


ROW_HEADERS = ["config", "hypothesis", "overrides", "steps", "train s", "to 0.5 (s)", "share before→after", "ref ppl", "d2", "rep3", "real", "verdict", "expected", "held"]
SIGNAL_HEADERS = ["config", "objective", "final train reward", "mean KL", "final entropy", "frac_reward_zero_std", "s/step"]


def _row(run: dict[str, Any]) -> list[Any]:
    g = run["guards"]
    mark = lambda ok: "" if ok else " ✗"  # noqa: E731
    overrides = ", ".join(f"{k}={v}" for k, v in run["overrides"].items()) or "—"
    return [
        run["name"], run["hypothesis"], overrides, _steps(run), run["wall_clock_s"], run.get("time_to_behaviour_s") or "—",
        f"{run['share_before']:.2f}→{run['share_after']:.2f}",
        f"{run['ref_ppl_before']:.1f}→{run['ref_ppl_after']:.1f}{mark(g['ref_ppl'])}",
        f"{run['distinct2_before']:.2f}→{run['distinct2_after']:.2f}{mark(g['distinct2'])}",
        f"{run['repeat3_before']:.2f}→{run['repeat3_after']:.2f}{mark(g['repeat3'])}",
        f"{run['real_words_before']:.2f}→{run['real_words_after']:.2f}{mark(g['real_words'])}",
        run["verdict"], run["expected"], "yes" if run["hypothesis_held"] else "**hypothesis refuted**",
    ]


def _steps(run: dict[str, Any]) -> Any:
    trained = run.get("steps_trained")
    return f"{trained} of {run['steps']}" if trained is not None and trained != run["steps"] else run["steps"]


def _signals(run: dict[str, Any]) -> list[Any]:
    return [run["name"], run["objective"], run["final_train_reward"], run["mean_kl"], run["final_entropy"], run["mean_frac_reward_zero_std"], run["mean_step_time_s"]]


def seed_families(runs: list[dict[str, Any]]) -> list[str]:
    """The baseline, then every configuration that also ran as NAME-seedN entries, in run order."""
    names = [r["name"] for r in runs]
    return [BASELINE.name] + [n for n in names if n != BASELINE.name and any(other.startswith(f"{n}-seed") for other in names)]


def seeds_of(runs: list[dict[str, Any]], family: str) -> list[dict[str, Any]]:
    """One configuration's runs: NAME and its NAME-seedN twins, in run order."""
    return [r for r in runs if r["name"] == family or r["name"].startswith(f"{family}-seed")]


def seed_spread(runs: list[dict[str, Any]], family: str) -> str:
    """Mean and spread over one configuration's seeds, and on how many the share reached 0.5."""
    seeds = seeds_of(runs, family)
    if len(seeds) < 2:
        return f"Fewer than two seeds of `{family}` have run yet."
    rows = []
    for key in ("share_before", "share_after", "ref_ppl_after", "distinct2_after", "real_words_after", "time_to_behaviour_s", "steps_trained"):
        values = [r[key] for r in seeds if r.get(key) is not None]
        if values:
            rows.append([key, len(values), statistics.mean(values), statistics.stdev(values) if len(values) > 1 else 0.0, min(values), max(values)])
    verdicts = ", ".join(f"{r['name']}: {r['verdict']}" for r in seeds)
    reached = sum(r["share_after"] >= BEHAVIOUR_LEVEL for r in seeds)
    working = sum(r["share_after"] >= BEHAVIOUR_LEVEL and r["verdict"] == "works" for r in seeds)
    return (
        tabulate(rows, headers=["metric", "runs", "mean", "std", "min", "max"], tablefmt="github", floatfmt=".3f")
        + f"\n\nVerdicts: {verdicts}. Held-out share ≥ {BEHAVIOUR_LEVEL} on {reached} of {len(seeds)} seeds, "
        f"and with every guard holding on {working} of {len(seeds)}."
    )


def trained_outcome(config_name: str | None, runs: list[dict[str, Any]]) -> list[Any]:
    """The runs that train a speed lever, every seed of them, as they stand in the summary now.

    A lever that works on one seed and breaks another is no speed-up, so each seed's
    verdict and time to behaviour is shown, in seed order, with the mean step time of
    the training itself: a few benchmark steps have read up to a quarter faster.
    """
    if config_name is None:
        return ["not trained", "", "", ""]
    seeds = seeds_of(runs, config_name)
    if not seeds:
        return [config_name, "not run yet", "", ""]
    verdicts = ", ".join(r["verdict"] for r in seeds)
    seconds = ", ".join("never" if r["time_to_behaviour_s"] is None else f"{r['time_to_behaviour_s']:.0f}" for r in seeds)
    step_s = ", ".join(f"{r['mean_step_time_s']:.1f}" if r.get("mean_step_time_s") else "?" for r in seeds)
    return [config_name + (f" (×{len(seeds)} seeds)" if len(seeds) > 1 else ""), verdicts, seconds, step_s]


def zero_std_note(runs: list[dict[str, Any]]) -> str:
    """What frac_reward_zero_std says, with the runs where it was highest."""
    trained = [r for r in runs if r.get("mean_frac_reward_zero_std") is not None and r["model"] != "tiny-gpt2"]
    ranked = sorted((r for r in trained if r["name"] != BASELINE.name), key=lambda r: r["mean_frac_reward_zero_std"], reverse=True)[:3]
    base = next((r for r in trained if r["name"] == BASELINE.name), None)
    return (
        "`frac_reward_zero_std` is the share of groups in which every completion got the same reward: all their "
        "advantages are zero, so they teach nothing. Highest (mean over steps): "
        + ", ".join(f"`{r['name']}` {r['mean_frac_reward_zero_std']:.2f}" for r in ranked)
        + (f"; baseline {base['mean_frac_reward_zero_std']:.2f}." if base else ".")
    )


def trl_defaults_kept() -> dict[str, Any]:
    """GRPO's own knobs the baseline leaves alone, with TRL's default values read from GRPOConfig itself."""
    from trl import GRPOConfig

    defaults = {f.name: f.default for f in dataclasses.fields(GRPOConfig)}
    return {key: defaults[key] for key in KNOBS if key not in BASELINE.grpo}


def speed_section(benchmark: dict[str, Any] | None, runs: list[dict[str, Any]]) -> str:
    if not benchmark or "step_s" not in benchmark:
        return "No benchmark run yet: `pytest -m benchmark` writes results/benchmark.json."
    rows = [
        [lever, seconds, benchmark["speedup_vs_project"][lever], *trained_outcome(SPEED_LEVER_RUNS.get(lever), runs)]
        for lever, seconds in benchmark["step_s"].items()
    ]
    headers = ["lever (GRPOConfig change)", "s/step", "speed vs project", "trained as", "verdict", "time to behaviour (s)",
               "s/step in training"]
    return (
        tabulate(rows, headers=headers, tablefmt="github", floatfmt=".2f")
        + "\n\nA lever is a speed-up only if the config that trains it still `works`; the last columns come from its registry run."
        + f"\n\nThe project's settings were timed first and last in the run; they differ by {benchmark.get('project_drift', 0):.0%}, "
        "so smaller differences between levers are noise. "
        f"Project settings vs TRL defaults: ×{benchmark['speedup_project_vs_trl_default']:.2f}; "
        f"MFU {benchmark['mfu_vs_bf16_peak']:.1%} of a measured bf16 matmul peak "
        f"({benchmark['matmul_peak_flops_bf16'] / 1e9:.0f} GFLOP/s); evaluation {benchmark.get('evaluation_completions_per_s', 0):.1f} completions/s. "
        f"Measured {benchmark['environment']['date']}."
    )


def gpu_speed_section(gpu: dict[str, Any] | None, cpu: dict[str, Any] | None, runs: list[dict[str, Any]]) -> list[str]:
    """The same step comparison on a GPU, where one ran it, against the CPU step of benchmark.json."""
    if not gpu:
        return []
    rows = [
        [lever, seconds, gpu["speedup_vs_project"][lever], *trained_outcome(GPU_LEVER_RUNS.get(lever), runs)]
        for lever, seconds in gpu["step_s"].items()
    ]
    headers = ["GPU lever (with use_cpu off)", "s/step", "speed vs project", "trained as", "verdict", "time to behaviour (s)",
               "s/step in training"]
    project_s = (gpu["step_s"]["project"] + gpu["step_s"]["project_again"]) / 2
    against_cpu = ""
    if cpu and "step_s" in cpu:
        cpu_s = (cpu["step_s"]["project"] + cpu["step_s"]["project_again"]) / 2
        against_cpu = f"The baseline's step takes {project_s:.2f} s there against {cpu_s:.1f} s on the CPU above (×{cpu_s / project_s:.1f}). "
    return [
        f"### On a GPU ({gpu['environment']['device']}, results/benchmark-gpu.json)",
        tabulate(rows, headers=headers, tablefmt="github", floatfmt=".2f"),
        against_cpu
        + f"Project settings vs TRL defaults there: ×{gpu['speedup_project_vs_trl_default']:.2f} "
        f"(×{gpu['speedup_project_vs_trl_default_24_tokens']:.2f} at the same 24 tokens); the project's settings "
        f"were timed first and last, {gpu['project_drift']:.0%} apart. "
        f"MFU {gpu['mfu_vs_bf16_peak']:.2%} of a measured bf16 matmul peak ({gpu['matmul_peak_flops_bf16'] / 1e12:.0f} TFLOP/s). "
        f"Evaluation {gpu['evaluation_completions_per_s']:.1f} "
        f"completions/s. Measured {gpu['environment']['date']}.",
    ]


def findings(runs: list[dict[str, Any]]) -> list[str]:
    """What works, what breaks and what surprised: sentences built from the rows, each quoting its figures.

    "Surprising" means a refuted hypothesis: the run did something its author did not predict.
    """
    base = next((r for r in runs if r["name"] == BASELINE.name), None)

    def describe(run: dict[str, Any]) -> str:
        failed = [g for g, ok in run["guards"].items() if not ok]
        text = (
            f"`{run['name']}`: {run['objective']} {run['share_before']:.2f}→{run['share_after']:.2f}, "
            f"ref ppl ×{run['ref_ppl_after'] / run['ref_ppl_before']:.2f}, distinct-2 {run['distinct2_before']:.2f}→{run['distinct2_after']:.2f}, "
            f"answers repeating a 3-gram {run['repeat3_after']:.0%}"
        )
        if failed:
            text += f" (failed guards: {', '.join(failed)})"
        if base and run is not base and run["objective"] == base["objective"] and run["model"] == base["model"]:
            text += f"; baseline {base['share_after']:.2f}"
        if run.get("mean_frac_reward_zero_std"):
            text += f"; frac_reward_zero_std {run['mean_frac_reward_zero_std']:.2f}"
        if run.get("mean_kl") is not None:
            text += f"; mean KL {run['mean_kl']:.2f}"
        return text + "."

    lines = ["**What works** (verdict `works`):"]
    lines += [f"- {describe(r)}" for r in runs if r["verdict"] == "works"] or ["- nothing yet."]
    lines += ["**What breaks** (a guard failed: the reward rose, the language did not survive):"]
    lines += [f"- {describe(r)}" for r in runs if r["verdict"] == "broken"] or ["- nothing."]
    lines += ["**No change** (the share rose by less than the threshold):"]
    lines += [f"- {describe(r)}" for r in runs if r["verdict"] == "no change"] or ["- nothing."]
    lines += ["**What was surprising** (hypothesis refuted: expected one verdict, got another):"]
    lines += [
        f"- `{r['name']}`: predicted *{r['expected']}* because \"{r['hypothesis']}\"; got **{r['verdict']}**."
        for r in runs if not r["hypothesis_held"]
    ] or ["- every hypothesis held."]
    return ["\n".join(lines)]


def _metrics(results_dir: Path, name: str) -> list[dict[str, Any]]:
    path = results_dir / name / "metrics.jsonl"
    return [row for row in read_metrics(path) if "reward" in row] if path.exists() else []


def _baseline_of(name: str, metrics: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    if name == BASELINE.name or BASELINE.name not in metrics:
        return {}
    return {BASELINE.name: metrics[BASELINE.name]}


def _plot_overlay(path: Path, metrics: dict[str, list[dict[str, Any]]], names: list[str] | None) -> None:
    figure, axes = plt.subplots(2, 2, figsize=(12, 8))
    for axis, (key, label) in zip(axes.flat, CURVES.items()):
        for name in names if names is not None else metrics:
            rows = [r for r in metrics.get(name, []) if key in r]
            if rows:
                axis.plot([r["step"] for r in rows], [r[key] for r in rows], label=name, linewidth=2 if name == BASELINE.name else 1)
        axis.set_title(label)
        axis.set_xlabel("step")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    if handles:
        figure.legend(handles, labels, loc="lower center", ncol=min(len(labels), 5), fontsize="small")
    figure.tight_layout(rect=(0, 0.08, 1, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    from io import BytesIO

    buffer = BytesIO()
    figure.savefig(buffer, format="png", dpi=80)
    plt.close(figure)
    atomic_write_bytes(path, buffer.getvalue())


