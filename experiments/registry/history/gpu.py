"""GPU lessons: the same data with use_cpu off, skipped where CUDA is absent"""

from experiments.registry.experiment import FIRST_BASELINE, variant

GPU = {"use_cpu": False}  # precision is auto, which on CUDA is bf16 autocast
# On CUDA, SDPA's backward through the fully masked rows of left-padded prompts gave NaN: in the first H100
# attempt every GPU run died at step 2. Eager attention masks with a finite minimum instead.
GPU_ATTENTION = "eager"

ENTRIES = [
    variant(
        FIRST_BASELINE,
        "first-baseline-gpu",
        "the baseline on one CUDA GPU, nothing changed but use_cpu and eager attention: a step takes under 2 s, so the "
        "share arrives within 300 s on every seed, and it works on every seed like the CPU baseline",
        "works",
        attn_implementation=GPU_ATTENTION,
        seeds=(0, 1, 2),
        grpo=GPU,
    ),
    variant(
        FIRST_BASELINE,
        "gpu-large-groups",
        "GPU-sized groups, 16 completions for each of 4 prompts (64 a step), give steadier advantages: the share "
        "arrives in fewer steps than baseline-gpu's on seed 0, and it works",
        "works",
        attn_implementation=GPU_ATTENTION,
        grpo={**GPU, "num_generations": 16, "per_device_train_batch_size": 64},
    ),
]

LEVER_RUNS: dict[str, str] = {"project": "first-baseline-gpu", "large_groups": "gpu-large-groups"}
