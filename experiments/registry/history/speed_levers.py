"""On the first baseline (history, long tier): speed levers: a cheaper step counts only if the run still works"""

from experiments.registry.experiment import FIRST_BASELINE, history, variant
from experiments.registry.history.gpu import GPU, GPU_ATTENTION

FROZEN_HALF_LR = variant(
    FIRST_BASELINE,
    "frozen-half-lr-1.5e-4",
    "lower half frozen at lr 1.5e-4: held-out share up by ≥ 0.25 with the language intact on every seed",
    "works",
    frozen_fraction=0.5,
    seeds=(0, 1, 2),
    long=True,
    grpo={"learning_rate": 1.5e-4},
)

ENTRIES = history(
    [
        variant(
            FIRST_BASELINE,
            "frozen-half",
            "freezing the embeddings and the lower half of the blocks (15 of 30) makes a step about a third cheaper "
            "and learns about as fast per step, so the share arrives within 300 s and the run works",
            "works",
            frozen_fraction=0.5,
        ),
        variant(
            FIRST_BASELINE,
            "reuse-generations",
            "reusing each batch of completions for 2 optimizer steps (num_iterations 2, so ε 0.2 now clips) makes a step "
            "about a third cheaper, so the share arrives within 300 s on every seed "
            "and the stop still leaves the guards intact",
            "works",
            seeds=(0, 1, 2),
            long=True,
            grpo={"num_iterations": 2},
        ),
        FROZEN_HALF_LR,
        variant(
            FROZEN_HALF_LR,
            "frozen-half-novelty",
            "frozen-half-lr-1.5e-4 plus the cross-prompt novelty reward (1:1:1): the one canned answer that broke its seed 0 "
            "stops paying, so every seed works, and the share still arrives within 300 s on seeds 0 and 2",
            "works",
            rewards=("four_letter_share", "distinct_bigrams", "cross_prompt_novelty"),
            reward_weights=(1.0, 1.0, 1.0),
            seeds=(0, 1, 2),
            long=True,
        ),
        variant(
            FIRST_BASELINE,
            "empty-system-prompt",
            "SmolLM2's template adds a 20-token default system line to every 16-token question; an empty one cuts a step "
            "by a quarter without changing what is learned per step, so the "
            "share arrives about a quarter sooner and the run works",
            "works",
            system_prompt="",
            seeds=(0, 1, 2),
            long=True,
        ),
        variant(
            FIRST_BASELINE,
            "cheap-steps",
            "generating two steps' completions at once (steps_per_generation 2: 32 completions, each trained on once, the "
            "second half one step stale and clipped by ε 0.2), frozen embeddings and a static KV cache make a step about "
            "40% cheaper while each step learns about as much, so the share arrives sooner than the baseline's on every "
            "seed, within 300 s on seed 0, and the run works",
            "works",
            frozen_fraction=0.0,
            long=True,
            grpo={"steps_per_generation": 2, "cache_implementation": "static"},
        ),
    ]
)

# Speed levers of the benchmark whose effect on learning an entry trains: a lever is a speed-up only if that run works.
LEVER_RUNS: dict[str, str] = {
    "project": "first-baseline",
    "frozen_half": "frozen-half",
    "frozen_half_lr_1.5e-4": "frozen-half-lr-1.5e-4",
    "empty_system_prompt": "empty-system-prompt",
    "cheap_steps": "cheap-steps",
    "completion_length_12": "short-completions",
    "num_iterations_2": "reuse-generations",
}


# What TRL 1.16 would use if the project did not override it, at the baseline's batch shape:
# its checkpointing default, with its 512-token generation limit or the baseline's 24.
TRL_DEFAULT_RUNTIME = {"activation_checkpointing": True, "max_completion_length": 512}
TRL_DEFAULT_SHORT = {"activation_checkpointing": True}

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

# The same comparison on a GPU: every lever carries the GPU override and its eager attention (see gpu.py).
ON_GPU = {**GPU, "attn_implementation": GPU_ATTENTION}
GPU_LEVERS: dict[str, dict] = {
    "project": {},
    "trl_default": TRL_DEFAULT_RUNTIME,
    "trl_default_24_tokens": TRL_DEFAULT_SHORT,
    "fp32": {"bf16": False},
    "large_groups": {"num_generations": 16, "per_device_train_batch_size": 64},
}
