"""Speed: one GRPO step with the project's settings, with TRL's defaults and with each speed lever; MFU; evaluation throughput.

``python -m experiments.benchmark`` (``make benchmark``) writes results/history/benchmark.json (the speed levers
are the first baseline's: history), and on a CUDA machine results/history/benchmark-gpu.json too, then redraws that
report. The project's settings are timed first and last in the same run, so the gap between the two is the noise floor.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, cast

import torch
from datasets import Dataset

from experiments.evaluation.evaluate import EvalSettings, generate
from experiments.evaluation.models import resolve_model
from experiments.files import atomic_write_text, check_writable_folder
from experiments.registry import BASELINE, Experiment
from experiments.registry.history.speed_levers import GPU_LEVERS, LEVERS, ON_GPU
from experiments.reporting.environment import environment
from experiments.reporting.summary_file import BENCHMARK_FILES
from experiments.training.prompts import load_prompts
from experiments.training.speed import (
    matmul_peak_flops,
    mean_prompt_tokens,
    reader_breakdown,
    step_breakdown,
    step_flops,
)
from experiments.training.stages import quiet_trainer
from rewards import STATEFUL_REWARDS

ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger("experiments.benchmark")  # not __name__: run as __main__ by python -m
EXPERIMENT_FIELDS = {f.name for f in fields(Experiment)}


def sampled_evaluation(model, tokenizer, bf16: bool = False) -> list[list[str]]:
    """The evaluation whose throughput is timed: 16 held-out prompts, 2 sampled answers each, in the chosen precision."""
    prompts = load_prompts(ROOT / "prompts" / "heldout.txt")["prompt"][:16]
    return generate(model, tokenizer, prompts, EvalSettings(samples_per_prompt=2, bf16=bf16), True)


def evaluation_completions_per_s(model, tokenizer, bf16: bool = False) -> float:
    """Sampled held-out completions per second, the second of two rounds (the first warms up)."""
    sampled_evaluation(model, tokenizer, bf16)
    started = time.perf_counter()
    completions = sum(len(per_prompt) for per_prompt in sampled_evaluation(model, tokenizer, bf16))
    return completions / (time.perf_counter() - started)


def grpo_step_seconds(runtime: dict, steps: int = 4) -> tuple[float, float]:
    """Mean step time of steps 2.. (step 1 warms up) and FLOPs per step, at the baseline's batch shape."""
    runtime = dict(runtime)
    threads = torch.get_num_threads()
    torch.set_num_threads(runtime.pop("torch_threads", threads))
    try:
        return _grpo_step_seconds(runtime, steps)
    finally:
        torch.set_num_threads(threads)


def _grpo_step_seconds(runtime: dict, steps: int) -> tuple[float, float]:
    changes = {key: runtime.pop(key) for key in list(runtime) if key in EXPERIMENT_FIELDS}
    bf16 = bool(runtime.pop("bf16", False))  # a precision, which the runner sets (GRPOConfig's bf16 is not an entry's)
    experiment = replace(BASELINE, grpo={**BASELINE.grpo, **runtime}, steps=steps, **changes)
    trainer, recorder = quiet_trainer(experiment, bf16=bf16)
    trainer.train()
    grpo_config, model, tokenizer, dataset = (
        trainer.args,
        trainer.model,
        trainer.processing_class,
        cast(Dataset, trainer.train_dataset),
    )
    rows = [r for r in recorder.history if "step_time" in r][1:]
    seconds = sum(r["step_time"] for r in rows) / len(rows)
    completions = grpo_config.per_device_train_batch_size
    # Steps that reuse a generation (steps_per_generation, num_iterations) log no completion lengths.
    lengths = [r["completions/mean_length"] for r in recorder.history if "completions/mean_length" in r]
    generated = sum(lengths) / len(lengths) * completions
    prompt_tokens = mean_prompt_tokens(tokenizer, dataset["prompt"]) * completions
    return seconds, step_flops(
        model, generated, prompt_tokens, with_reference=bool(getattr(grpo_config, "beta", 0))
    )  # a GRPOConfig


# A 512-token step, or a torch.compile step that recompiles, takes a minute or more on 2 cores: fewer timed steps.
# A lever that generates every other step needs as many generating steps as reusing ones among the timed steps
# (the first is discarded): 5 steps time 2 of each. With 4, two cheap steps outweighed one generating step.
REUSING = ("steps_per_generation_2", "num_iterations_2", "cheap_steps")
LEVER_STEPS = {"trl_default": 2, "torch_compile": 3, **dict.fromkeys(REUSING, 5)}


def step_figures(timings: dict[str, tuple[float, float]], peak_bf16: float) -> dict:
    """Step times, speed-ups against the project's settings and TRL's, and MFU, from one run's timings."""
    # The project's settings are timed first and last; the gap between the two is the noise floor.
    step_s = (timings["project"][0] + timings["project_again"][0]) / 2
    flops = timings["project"][1]
    return dict(
        step_s={label: seconds for label, (seconds, _) in timings.items()},
        speedup_vs_project={label: step_s / seconds for label, (seconds, _) in timings.items()},
        speedup_project_vs_trl_default=timings["trl_default"][0] / step_s,
        speedup_project_vs_trl_default_24_tokens=timings["trl_default_24_tokens"][0] / step_s,
        step_flops_estimate=flops,
        achieved_flops_per_s=flops / step_s,
        matmul_peak_flops_bf16=peak_bf16,
        mfu_vs_bf16_peak=flops / step_s / peak_bf16,
        project_drift=abs(timings["project"][0] - timings["project_again"][0]) / step_s,
    )


def measure(levers: dict[str, dict], project: dict, peak: float, model, tokenizer) -> dict:
    """Every lever timed between two timings of the project's settings, with MFU and evaluation throughput."""
    timings = {}
    grpo_step_seconds(project, steps=2)  # the first trainer in a process pays one-off costs; discard it
    for label, runtime in levers.items():
        timings[label] = grpo_step_seconds({**project, **runtime}, steps=LEVER_STEPS.get(label, 4))
    timings["project_again"] = grpo_step_seconds(project)
    return {
        "environment": environment(model.device),
        **step_figures(timings, peak),
        "evaluation_completions_per_s": evaluation_completions_per_s(model, tokenizer, project.get("bf16", False)),
        "levers": levers,
        "project_runtime": project,
    }


def breakdown(entry: Experiment, steps: int) -> dict:
    """The working configuration's step by phase, with the judge reusing TRL's reference log-probabilities and without,
    against the same shape without the relevance term: three timings in one run on one machine."""
    keep = [i for i, name in enumerate(entry.rewards) if name != "relevance"]
    without = replace(
        entry,
        rewards=tuple(entry.rewards[i] for i in keep),
        reward_weights=tuple(entry.reward_weights[i] for i in keep) if entry.reward_weights else None,
    )
    timings = {
        "judge_reuses_reference": step_breakdown(entry, True, steps),
        "judge_computes_both_terms": step_breakdown(entry, False, steps),
        "without_relevance": step_breakdown(without, True, steps),
    }
    base = timings["without_relevance"]["step"]
    return {
        "entry": entry.name,
        "environment": environment(),
        "timed_steps": steps - 1,
        "seconds_per_phase": timings,
        "judge_share_of_step": {label: t["judge"] / t["step"] for label, t in timings.items()},
        "step_ratio_vs_without_relevance": {label: t["step"] / base for label, t in timings.items()},
    }


READER_BREAKDOWN_FILE = "step-breakdown-reader.json"
COMMITTED_BREAKDOWN = (
    "relevance-quarter-96"  # the entry whose step results/history/step-breakdown.json (and docs/rewards.md) quotes
)
BREAKDOWN_STEPS = 4
SCRATCH = ROOT / "runs" / "benchmarks"


@dataclass
class BenchmarkOptions:
    """``python -m experiments.benchmark [--breakdown ENTRY] [--steps N] [--results_dir D]``: speed levers, or where one entry's step goes."""

    breakdown: str | None = field(
        default=None, metadata={"help": "time the phases of this registry entry's step instead"}
    )
    steps: int = field(
        default=BREAKDOWN_STEPS, metadata={"help": "steps per timing in --breakdown (the first is discarded)"}
    )
    results_dir: str | None = field(
        default=None,
        metadata={
            "help": "where the figures go (default: results/history/ for the committed measurements, runs/benchmarks for a quick one)"
        },
    )


def figures_folder(options: BenchmarkOptions) -> Path:
    """Where the figures go: as told; else results/history/ for the measurements docs/rewards.md quotes (the first
    baseline's speed levers and its step by phase, history now), a scratch folder for any other."""
    if options.results_dir is not None:
        return Path(options.results_dir)
    committed = options.breakdown in (None, COMMITTED_BREAKDOWN) and options.steps == BREAKDOWN_STEPS
    return ROOT / "results" / "history" if committed else SCRATCH  # the first baseline's levers: the history wing


def main(argv: list[str] | None = None) -> None:
    from experiments.cli import ConfigError, one_line_errors, parse
    from experiments.precision import choose_precision
    from experiments.registry import REGISTRY
    from experiments.reporting.publish import refresh_summary
    from experiments.training.checks import MAX_STEPS

    options, _ = parse(BenchmarkOptions, argv, BenchmarkOptions.__doc__)
    results = figures_folder(options)
    log.info(f"figures go to {results}")
    with one_line_errors():
        check_writable_folder(results, "results folder", "pass --results_dir with a writable folder")
        if options.breakdown is not None and options.breakdown not in REGISTRY:
            raise ConfigError(f"--breakdown: no registry entry {options.breakdown!r}")
        if options.breakdown is not None and not 2 <= options.steps <= MAX_STEPS:
            raise ConfigError(
                f"--steps: at least 2 (the first step warms up) and at most {MAX_STEPS}, got {options.steps}"
            )
        entry = REGISTRY.get(options.breakdown or "")
        if entry is not None and (entry.greedy_members or set(entry.rewards) & set(STATEFUL_REWARDS)):
            reader = {"environment": environment(), **reader_breakdown(entry, options.steps)}
            atomic_write_text(results / READER_BREAKDOWN_FILE, json.dumps(reader, indent=1))
            log.info(json.dumps({k: reader[k] for k in ("share_of_step", "step_ratio_vs_as_declared")}, indent=1))
            return
        if options.breakdown is not None:  # inside the handler: a mistake found while it runs is one line too
            figures = breakdown(REGISTRY[options.breakdown], options.steps)
            atomic_write_text(results / BENCHMARK_FILES["step_breakdown"], json.dumps(figures, indent=1))
            log.info(
                json.dumps(
                    {k: figures[k] for k in ("judge_share_of_step", "step_ratio_vs_without_relevance")}, indent=1
                )
            )
            return
    model, tokenizer = resolve_model()
    chosen = choose_precision("auto", model.device.type, BASELINE.model, ROOT / "runs" / "precision-probes.json")
    peak = (
        matmul_peak_flops(torch.bfloat16) if chosen.bf16 else matmul_peak_flops(torch.float32)
    )  # emulated bf16 would take minutes
    cpu = measure(LEVERS, {"bf16": chosen.bf16}, peak, model, tokenizer)
    cpu["matmul_peak_flops_fp32"] = matmul_peak_flops(torch.float32)
    atomic_write_text(results / BENCHMARK_FILES["benchmark"], json.dumps(cpu, indent=1))
    if torch.cuda.is_available():
        gpu = measure(
            GPU_LEVERS,
            {**ON_GPU, "bf16": True},
            matmul_peak_flops(torch.bfloat16, 8192, 10, "cuda"),
            cast(Any, model).to("cuda"),
            tokenizer,
        )
        atomic_write_text(results / BENCHMARK_FILES["benchmark_gpu"], json.dumps(gpu, indent=1))
    refresh_summary(results)  # redraws the report
    log.info(json.dumps(cpu["step_s"], indent=1))


if __name__ == "__main__":
    main()
