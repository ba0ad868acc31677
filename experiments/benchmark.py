"""Speed: one GRPO step with the project's settings, with TRL's defaults and with each speed lever; MFU; evaluation throughput.

``python -m experiments.benchmark`` (``make benchmark``) writes results/benchmark.json, and on a
CUDA machine results/benchmark-gpu.json too, then redraws the report. The project's settings
are timed first and last in the same run, so the gap between the two is the noise floor.
"""

from __future__ import annotations

import json
import time
from dataclasses import fields, replace
from pathlib import Path

import torch

from experiments.assembly import quiet_trainer
from experiments.configs import BASELINE, GPU, GPU_ATTENTION, Experiment
from experiments.evaluation import EvalSettings, generate
from experiments.models import resolve_model, transformer_blocks
from experiments.prompts import load_prompts
from experiments.results import BENCHMARK_FILES, atomic_write_text, environment
from experiments.training import MetricsRecorder

ROOT = Path(__file__).resolve().parent.parent
EXPERIMENT_FIELDS = {f.name for f in fields(Experiment)}

# What TRL 1.16 would use if the project did not override it, at the baseline's batch shape:
# its checkpointing default, with its 512-token generation limit or the baseline's 24.
TRL_DEFAULT_RUNTIME = {"activation_checkpointing": True, "max_completion_length": 512}
TRL_DEFAULT_SHORT = {"activation_checkpointing": True}


def matmul_peak_flops(dtype: torch.dtype, size: int = 2048, repeats: int = 5, device: str = "cpu") -> float:
    """Achievable dense matmul FLOP/s of this CPU or GPU: the roofline MFU is measured against."""
    a, b = torch.randn(size, size, dtype=dtype, device=device), torch.randn(size, size, dtype=dtype, device=device)
    torch.matmul(a, b)
    synchronize = torch.cuda.synchronize if device == "cuda" else lambda: None
    synchronize()
    started = time.perf_counter()
    for _ in range(repeats):
        torch.matmul(a, b)
    synchronize()
    return 2 * size**3 * repeats / (time.perf_counter() - started)


def sampled_evaluation(model, tokenizer) -> list[list[str]]:
    """The evaluation whose throughput is timed: 16 held-out prompts, 2 sampled answers each."""
    prompts = load_prompts(ROOT / "prompts" / "heldout.txt")["prompt"][:16]
    return generate(model, tokenizer, prompts, EvalSettings(samples_per_prompt=2), True)


def evaluation_completions_per_s(model, tokenizer) -> float:
    """Sampled held-out completions per second, the second of two rounds (the first warms up)."""
    sampled_evaluation(model, tokenizer)
    started = time.perf_counter()
    completions = sum(len(per_prompt) for per_prompt in sampled_evaluation(model, tokenizer))
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
    experiment = replace(BASELINE, grpo={**BASELINE.grpo, **runtime}, steps=steps, **changes)
    recorder = MetricsRecorder(None, "four_letter_share")
    trainer = quiet_trainer(experiment, recorder)
    trainer.train()
    config, model, tokenizer, dataset = trainer.args, trainer.model, trainer.processing_class, trainer.train_dataset
    rows = [r for r in recorder.history if "step_time" in r][1:]
    seconds = sum(r["step_time"] for r in rows) / len(rows)
    completions = config.per_device_train_batch_size
    # Steps that reuse a generation (steps_per_generation, num_iterations) log no completion lengths.
    lengths = [r["completions/mean_length"] for r in recorder.history if "completions/mean_length" in r]
    generated = sum(lengths) / len(lengths) * completions
    prompt_tokens = mean_prompt_tokens(tokenizer, dataset["prompt"]) * completions
    return seconds, step_flops(model, generated, prompt_tokens, with_reference=bool(config.beta))


def mean_prompt_tokens(tokenizer, prompts) -> float:
    """Prompt length as the model sees it: SmolLM2's chat template adds a system line to every question."""
    texts = [tokenizer.apply_chat_template(p, add_generation_prompt=True, tokenize=False) for p in prompts]
    return sum(len(tokenizer(t, add_special_tokens=False).input_ids) for t in texts) / len(texts)


def step_flops(model, generated: float, prompt_tokens: float, with_reference: bool) -> float:
    """Matmul FLOPs of one GRPO step: generation, the reference and policy forwards, and the backward that freezing shortens.

    The output head runs on completion tokens only (TRL keeps just their logits); the
    backward reaches down to the lowest trainable block and computes weight gradients
    only where parameters train.
    """
    blocks = transformer_blocks(model)
    per_block = sum(p.numel() for p in blocks[0].parameters())
    head = model.get_output_embeddings().weight.numel()
    tokens = generated + prompt_tokens
    trainable = [any(p.requires_grad for p in block.parameters()) for block in blocks]
    reached = len(blocks) - trainable.index(True) if any(trainable) else 0
    forward = 2 * per_block * len(blocks) * tokens + 2 * head * generated
    backward = 2 * per_block * reached * tokens + 2 * per_block * sum(trainable) * tokens + 2 * head * generated
    if model.get_output_embeddings().weight.requires_grad:
        backward += 2 * head * generated
    generation = 2 * (per_block * len(blocks) + head) * generated
    return generation + forward * (2 if with_reference else 1) + backward


# Each speed lever as overrides of the baseline (GRPOConfig fields, frozen_fraction, system_prompt, or torch_threads);
# "project" is the baseline itself.
LEVERS: dict[str, dict] = {
    "project": {},
    "frozen_half": {"frozen_fraction": 0.5},
    "frozen_half_lr_1.5e-4": {"frozen_fraction": 0.5, "learning_rate": 1.5e-4},
    "empty_system_prompt": {"system_prompt": ""},
    "one_prompt_per_step": {"per_device_train_batch_size": 8},
    "frozen_half_one_prompt_per_step": {"frozen_fraction": 0.5, "per_device_train_batch_size": 8},
    "trl_default": TRL_DEFAULT_RUNTIME,
    "trl_default_24_tokens": TRL_DEFAULT_SHORT,
    "fp32": {"bf16": False},
    "bf16": {"bf16": True},
    "static_kv_cache": {"cache_implementation": "static"},
    "steps_per_generation_2": {"steps_per_generation": 2},
    "cheap_steps": {"steps_per_generation": 2, "frozen_fraction": 0.0, "cache_implementation": "static"},
    "num_iterations_2": {"num_iterations": 2},
    "completion_length_12": {"max_completion_length": 12},
    "one_torch_thread": {"torch_threads": 1},
    "torch_compile": {"torch_compile": True},
}

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


# The same comparison on a GPU: every lever carries the GPU override and its eager attention (see configs.py).
ON_GPU = {**GPU, "attn_implementation": GPU_ATTENTION}
GPU_LEVERS: dict[str, dict] = {
    "project": {},
    "trl_default": TRL_DEFAULT_RUNTIME,
    "trl_default_24_tokens": TRL_DEFAULT_SHORT,
    "fp32": {"bf16": False},
    "large_groups": {"num_generations": 16, "per_device_train_batch_size": 64},
}


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
        "evaluation_completions_per_s": evaluation_completions_per_s(model, tokenizer),
        "levers": levers,
        "project_runtime": project,
    }


def main() -> None:
    from experiments.precision import choose_precision
    from experiments.publish import regenerate_report

    results = ROOT / "results"
    model, tokenizer = resolve_model()
    chosen = choose_precision("auto", model.device.type, BASELINE.model, ROOT / "runs" / "precision-probes.json")
    cpu = measure(LEVERS, {"bf16": chosen.bf16}, matmul_peak_flops(torch.bfloat16), model, tokenizer)
    cpu["matmul_peak_flops_fp32"] = matmul_peak_flops(torch.float32)
    atomic_write_text(results / BENCHMARK_FILES["benchmark"], json.dumps(cpu, indent=1))
    if torch.cuda.is_available():
        gpu = measure(GPU_LEVERS, {**ON_GPU, "bf16": True}, matmul_peak_flops(torch.bfloat16, 8192, 10, "cuda"), model.to("cuda"), tokenizer)
        atomic_write_text(results / BENCHMARK_FILES["benchmark_gpu"], json.dumps(gpu, indent=1))
    regenerate_report(results)
    print(json.dumps(cpu["step_s"], indent=1))


if __name__ == "__main__":
    main()
