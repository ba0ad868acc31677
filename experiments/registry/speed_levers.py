"""Speed levers: a cheaper step counts only if the run still works"""

from experiments.registry.experiment import BASELINE, variant

FROZEN_HALF_LR = variant(
    BASELINE,
    "frozen-half-lr-1.5e-4",
    "lower half frozen at lr 1.5e-4, declared as the baseline in 506fdc8: held-out share up by ≥ 0.25 with the "
    "language intact on every seed; explored first, seed 2 got there at step 38 (about 280 s), seed 1 was at 0.36 "
    "by step 38 (308 s)",
    "works",
    frozen_fraction=0.5,
    seeds=(0, 1, 2),
    long=True,
    grpo={"learning_rate": 1.5e-4},
)

ENTRIES = [
    variant(
        BASELINE,
        "frozen-half",
        "freezing the embeddings and the lower half of the blocks (15 of 30) makes a step about a third cheaper (7.1 s "
        "against 10.5 s in a profile) and learns about as fast per step, so the share arrives within 300 s and the run works",
        "works",
        frozen_fraction=0.5,
    ),
    variant(
        BASELINE,
        "reuse-generations",
        "reusing each batch of completions for 2 optimizer steps (num_iterations 2, so ε 0.2 now clips) makes a step "
        "about a third cheaper (7.7 s against 11.3 s in the benchmark), so the share arrives within 300 s on every seed "
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
        BASELINE,
        "empty-system-prompt",
        "SmolLM2's template adds a 20-token default system line to every 16-token question; an empty one cuts a step "
        "by a quarter (8.3 s against 11.2 s over 7 steps of seed 0) without changing what is learned per step, so the "
        "share arrives about a quarter sooner and the run works (explored first: seed 1 reached it at 523 s, works)",
        "works",
        system_prompt="",
        seeds=(0, 1, 2),
        long=True,
    ),
    variant(
        BASELINE,
        "cheap-steps",
        "generating two steps' completions at once (steps_per_generation 2: 32 completions, each trained on once, the "
        "second half one step stale and clipped by ε 0.2), frozen embeddings and a static KV cache make a step about "
        "40% cheaper while each step learns about as much, so the share arrives sooner than the baseline's on every "
        "seed (337, 546, 592 s), within 300 s on seed 0, and the run works",
        "works",
        frozen_fraction=0.0,
        long=True,
        grpo={"steps_per_generation": 2, "cache_implementation": "static"},
    ),
]

# Speed levers of the benchmark whose effect on learning an entry trains: a lever is a speed-up only if that run works.
LEVER_RUNS: dict[str, str] = {
    "project": "baseline",
    "frozen_half": "frozen-half",
    "frozen_half_lr_1.5e-4": "frozen-half-lr-1.5e-4",
    "empty_system_prompt": "empty-system-prompt",
    "cheap_steps": "cheap-steps",
    "completion_length_12": "short-completions",
    "num_iterations_2": "reuse-generations",
}
